//! Input validation: finite numbers, non-negative quantities, known references, sizes
//! within the stated bounds. Runs before any model is built.

use crate::error::PlanError;
use crate::input::{Budget, Problem};
use std::collections::HashSet;

/// Most candidates a plan accepts.
pub const MAX_CANDIDATES: usize = 5_000;
/// Most futures a plan accepts.
pub const MAX_FUTURES: usize = 10_000;
/// Longest horizon, years.
pub const MAX_YEARS: usize = 50;

fn nonneg(at: impl FnOnce() -> String, v: f64) -> Result<(), PlanError> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(PlanError::invalid(
            at(),
            format!("a finite number ≥ 0, found {v}"),
        ))
    }
}

fn unit(at: impl FnOnce() -> String, v: f64, hi_open: bool) -> Result<(), PlanError> {
    let ok = v.is_finite() && v >= 0.0 && if hi_open { v < 1.0 } else { v <= 1.0 };
    if ok {
        Ok(())
    } else {
        let range = if hi_open { "[0, 1)" } else { "[0, 1]" };
        Err(PlanError::invalid(
            at(),
            format!("a number in {range}, found {v}"),
        ))
    }
}

fn bound(at: &str, n: usize, max: usize) -> Result<(), PlanError> {
    if n > max {
        return Err(PlanError::invalid(at, format!("at most {max}, found {n}")));
    }
    Ok(())
}

/// Refuses a problem that is not well formed; `Ok` means every model built from it is.
pub fn check(p: &Problem) -> Result<(), PlanError> {
    let o = &p.options;
    bound("candidates", p.candidates.len(), MAX_CANDIDATES)?;
    bound("futures.futures", p.futures.futures.len(), MAX_FUTURES)?;
    bound("options.horizon_years", o.horizon_years, MAX_YEARS)?;
    if o.horizon_years == 0 || p.futures.futures.is_empty() || p.futures.members.is_empty() {
        return Err(PlanError::invalid(
            "options.horizon_years / futures",
            "at least one year, one future and one member",
        ));
    }
    check_options(p)?;
    check_candidates(p)?;
    check_financiers(p)?;
    check_futures(p)
}

fn check_options(p: &Problem) -> Result<(), PlanError> {
    let o = &p.options;
    match o.objective {
        crate::Objective::MinCostPlusRisk { weight } => {
            nonneg(|| "options.objective.weight".into(), weight)?
        }
        crate::Objective::MinCostSubjectToRisk { target } => {
            nonneg(|| "options.objective.target".into(), target)?
        }
    }
    if let crate::RiskMeasure::CVaR { alpha } = o.risk {
        unit(|| "options.risk.alpha".into(), alpha, true)?;
    }
    if let crate::RiskScope::Material(m) = &o.scope {
        if !p.futures.materials.contains(m) {
            return Err(PlanError::invalid(
                "options.scope",
                format!("a material of the futures, found {m}"),
            ));
        }
    }
    if let Some(s) = o.min_audited_share {
        unit(|| "options.min_audited_share".into(), s, false)?;
    }
    unit(|| "options.mip_gap".into(), o.mip_gap, true)?;
    for (name, caps) in [("member_caps", &o.member_caps), ("host_caps", &o.host_caps)] {
        for (i, c) in caps.iter().enumerate() {
            nonneg(|| format!("options.{name}[{i}].usd_m"), c.usd_m)?;
        }
    }
    if o.asset_life_years == 0 {
        return Err(PlanError::invalid("options.asset_life_years", "at least 1"));
    }
    Ok(())
}

fn check_candidates(p: &Problem) -> Result<(), PlanError> {
    let mut ids = HashSet::new();
    for (i, c) in p.candidates.iter().enumerate() {
        let at = |f: &str| format!("candidates[{i}] ({}).{f}", c.id);
        if !ids.insert(c.id.as_str()) {
            return Err(PlanError::invalid(at("id"), "a unique id"));
        }
        nonneg(|| at("capacity_t"), c.capacity_t)?;
        nonneg(|| at("capex_usd_m"), c.capex_usd_m)?;
        if c.capex_usd_m == 0.0 {
            return Err(PlanError::invalid(
                at("capex_usd_m"),
                "a capex > 0 (funding shares divide by it)",
            ));
        }
        if let Some(x) = c.opex_usd_per_t {
            nonneg(|| at("opex_usd_per_t"), x)?;
        }
        if !p.futures.materials.contains(&c.material) {
            return Err(PlanError::invalid(
                at("material"),
                format!("a material of the futures, found {}", c.material),
            ));
        }
    }
    Ok(())
}

fn check_financiers(p: &Problem) -> Result<(), PlanError> {
    let mut ids = HashSet::new();
    for (i, f) in p.financiers.iter().enumerate() {
        let at = |x: &str| format!("financiers[{i}] ({}).{x}", f.id);
        if !ids.insert(f.id.as_str()) {
            return Err(PlanError::invalid(at("id"), "a unique id"));
        }
        nonneg(|| at("cost_of_capital"), f.cost_of_capital)?;
        match &f.budget_usd_m {
            Budget::Constant(b) => nonneg(|| at("budget_usd_m"), *b)?,
            Budget::PerYear(v) => {
                if v.len() != p.options.horizon_years {
                    return Err(PlanError::invalid(
                        at("budget_usd_m"),
                        format!(
                            "one budget per horizon year ({}), found {}",
                            p.options.horizon_years,
                            v.len()
                        ),
                    ));
                }
                for (y, b) in v.iter().enumerate() {
                    nonneg(|| format!("{}[{y}]", at("budget_usd_m")), *b)?;
                }
            }
        }
        if f.instruments.is_empty() {
            return Err(PlanError::invalid(
                at("instruments"),
                "at least one instrument",
            ));
        }
        for (n, t) in f.instruments.iter().enumerate() {
            if let Some(r) = t.cost_of_capital {
                nonneg(|| format!("{}[{n}].cost_of_capital", at("instruments")), r)?;
            }
        }
        if let Some(ms) = &f.eligible_materials {
            if let Some(m) = ms.iter().find(|m| !p.futures.materials.contains(m)) {
                return Err(PlanError::invalid(
                    at("eligible_materials"),
                    format!("known materials, found {m}"),
                ));
            }
        }
    }
    Ok(())
}

fn check_futures(p: &Problem) -> Result<(), PlanError> {
    let fu = &p.futures;
    let (nm, ny, nk) = (
        fu.materials.len(),
        p.options.horizon_years,
        fu.members.len(),
    );
    let mut total = 0.0;
    for (s, f) in fu.futures.iter().enumerate() {
        unit(|| format!("futures[{s}].probability"), f.probability, false)?;
        total += f.probability;
        let shape_ok = f.shortfall_t.len() == nm
            && f.shortfall_t
                .iter()
                .all(|m| m.len() == ny && m.iter().all(|y| y.len() == nk));
        if !shape_ok {
            return Err(PlanError::invalid(
                format!("futures[{s}].shortfall_t"),
                format!("[material {nm}][year {ny}][member {nk}] tonnes"),
            ));
        }
        for (m, per_y) in f.shortfall_t.iter().enumerate() {
            for (y, per_k) in per_y.iter().enumerate() {
                for (k, v) in per_k.iter().enumerate() {
                    nonneg(|| format!("futures[{s}].shortfall_t[{m}][{y}][{k}]"), *v)?;
                }
            }
        }
        for (n, feed) in f.feed.iter().enumerate() {
            nonneg(
                || format!("futures[{s}].feed[{n}].t_per_year"),
                feed.t_per_year,
            )?;
            if !fu.materials.contains(&feed.material) {
                return Err(PlanError::invalid(
                    format!("futures[{s}].feed[{n}].material"),
                    "a material of the futures",
                ));
            }
        }
    }
    if (total - 1.0).abs() > 1e-6 {
        return Err(PlanError::invalid(
            "futures.probability",
            format!("probabilities summing to 1, found {total}"),
        ));
    }
    Ok(())
}
