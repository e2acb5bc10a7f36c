//! Solving a problem and writing the solution back as a [`Plan`].

use crate::check::check;
use crate::error::{halt, PlanError};
use crate::input::{InstrumentKind, SolverChoice};
use crate::input::{Objective, Problem, RiskMeasure};
use crate::lp::{solve_explained, Solved};
use crate::model::{build, capital_recovery_factor, Model, Scope, Tweaks};
use crate::risk::{cvar, expected};
use serde::{Deserialize, Deserializer, Serialize};
use std::sync::atomic::AtomicBool;

/// A name from a fixed set (an instrument, a solver, a status). Spelled as an alias so that
/// serde does not take a `&str` field as borrowed from the input, which would tie every
/// type holding a [`Plan`] to `'static` input; [`known`] reads it back.
pub type Name = &'static str;

/// A project the plan builds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chosen {
    /// Candidate id.
    pub candidate: String,
    /// Index in the problem's candidates.
    pub index: usize,
    /// Calendar year construction starts.
    pub start_year: i32,
    /// Calendar year of first output (start + lead).
    pub first_output_year: i32,
}

/// Money from one financier to one project through one instrument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Funding {
    /// Financier id.
    pub financier: String,
    /// Candidate id.
    pub candidate: String,
    /// Instrument.
    #[serde(deserialize_with = "known")]
    pub instrument: Name,
    /// USD m.
    pub usd_m: f64,
}

/// Risk of one scope across the futures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskFigure {
    /// `bloc`, a material id, or `member:ISO3`.
    pub scope: String,
    /// Expected mean yearly shortfall, t.
    pub expected_shortfall_t: f64,
    /// CVaR at `alpha` of the mean yearly shortfall, t.
    pub cvar_t: f64,
    /// Level of the CVaR.
    pub alpha: f64,
}

/// A solved plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Projects built.
    pub portfolio: Vec<Chosen>,
    /// Who pays what.
    pub funding: Vec<Funding>,
    /// Risk per material, per member and for the bloc (scope's members only).
    pub risk: Vec<RiskFigure>,
    /// The risk term as the optimiser saw it (its measure and scope).
    pub risk_optimised: f64,
    /// Annualised cost, USD m/yr.
    pub cost_usd_m_per_year: f64,
    /// Annualised cost carried by each member's financiers (capital + opex by funding share).
    pub cost_by_member: Vec<(String, f64)>,
    /// Objective value.
    pub objective: f64,
    /// Solver that ran.
    #[serde(deserialize_with = "known")]
    pub solver: Name,
    /// `optimal` or `gap_limit`.
    #[serde(deserialize_with = "known")]
    pub status: Name,
    /// Relative MIP gap accepted (0 when proven optimal).
    pub mip_gap: f64,
    /// Caveats (candidates without published opex …).
    pub notes: Vec<String>,
}

/// The statuses a solved plan reports.
pub const STATUSES: [&str; 2] = ["optimal", "gap_limit"];

/// Reads back a name the planner writes as a `&'static str` (an instrument, a solver, a
/// status), so that a stored plan's JSON reads back into the same types.
fn known<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    use InstrumentKind::*;
    let s = String::deserialize(d)?;
    [Equity, Loan, Guarantee, Offtake, Grant]
        .map(InstrumentKind::as_str)
        .into_iter()
        .chain([SolverChoice::Microlp, SolverChoice::Highs].map(SolverChoice::as_str))
        .chain(STATUSES)
        .find(|n| *n == s)
        .ok_or_else(|| {
            serde::de::Error::custom(format!(
                "{s:?} is not an instrument, solver or status the planner writes"
            ))
        })
}

/// Solves the pooled plan.
pub fn solve(p: &Problem) -> Result<Plan, PlanError> {
    check(p)?;
    solve_scoped(p, &Scope::pooled(p), &Tweaks::default())
}

/// Solves the plan for `scope` with `tweaks` (input already checked).
pub fn solve_scoped(p: &Problem, scope: &Scope, tweaks: &Tweaks) -> Result<Plan, PlanError> {
    let (model, solved) = solve_model(p, scope, tweaks)?;
    Ok(write_back(p, scope, &model, &solved))
}

pub(crate) fn solve_model(
    p: &Problem,
    scope: &Scope,
    tweaks: &Tweaks,
) -> Result<(Model, Solved), PlanError> {
    let o = &p.options;
    solve_explained(|relax| build(p, scope, tweaks, relax), o.solver, o.mip_gap)
}

fn write_back(p: &Problem, scope: &Scope, m: &Model, s: &Solved) -> Plan {
    let fy = p.futures.first_year;
    let mut portfolio = Vec::new();
    for (j, vars) in m.build.iter().enumerate() {
        if let Some((y, _)) = vars.iter().find(|(_, v)| s.at(*v) > 0.5) {
            let c = &p.candidates[j];
            let start = fy + *y as i32;
            portfolio.push(Chosen {
                candidate: c.id.clone(),
                index: j,
                start_year: start,
                first_output_year: start + c.lead_years as i32,
            });
        }
    }
    let funding: Vec<Funding> =
        m.w.iter()
            .filter(|(_, _, _, v)| s.at(*v) > 1e-6)
            .map(|(j, k, i, v)| Funding {
                financier: p.financiers[*k].id.clone(),
                candidate: p.candidates[*j].id.clone(),
                instrument: p.financiers[*k].instruments[*i].kind.as_str(),
                usd_m: s.at(*v),
            })
            .collect();
    let notes = p
        .candidates
        .iter()
        .filter(|c| c.opex_usd_per_t.is_none() && portfolio.iter().any(|x| x.candidate == c.id))
        .map(|c| format!("{}: no published opex; counted as 0", c.id))
        .collect();
    Plan {
        portfolio,
        risk: risk_figures(p, scope, m, s),
        risk_optimised: s.eval(&m.risk),
        cost_usd_m_per_year: s.eval(&m.cost),
        cost_by_member: cost_by_member(p, m, s),
        funding,
        objective: s.objective,
        solver: p.options.solver.as_str(),
        status: if s.optimal { STATUSES[0] } else { STATUSES[1] },
        mip_gap: if s.optimal { 0.0 } else { p.options.mip_gap },
        notes,
    }
}

/// Loss per future L[s][m][k] = mean over years of max(0, base − delivered), recomputed from
/// the deliveries (not read from the LP's shortfall variables).
pub(crate) fn losses(p: &Problem, scope: &Scope, m: &Model, s: &Solved) -> Vec<Vec<Vec<f64>>> {
    let fu = &p.futures;
    let ny = p.options.horizon_years as f64;
    fu.futures
        .iter()
        .enumerate()
        .map(|(si, f)| {
            f.shortfall_t
                .iter()
                .enumerate()
                .map(|(mi, per_y)| {
                    let mut per_k = vec![0.0; fu.members.len()];
                    for &k in &scope.members {
                        per_k[k] = per_y
                            .iter()
                            .enumerate()
                            .map(|(y, b)| {
                                (b[k] - m.d.get(&(si, mi, y, k)).map_or(0.0, |v| s.at(*v))).max(0.0)
                            })
                            .sum::<f64>()
                            / ny;
                    }
                    per_k
                })
                .collect()
        })
        .collect()
}

fn risk_figures(p: &Problem, scope: &Scope, m: &Model, s: &Solved) -> Vec<RiskFigure> {
    let l = losses(p, scope, m, s);
    let probs: Vec<f64> = p.futures.futures.iter().map(|f| f.probability).collect();
    let alpha = match p.options.risk {
        RiskMeasure::CVaR { alpha } => alpha,
        RiskMeasure::ExpectedShortfall => 0.95,
    };
    let fig = |name: String, per_s: Vec<f64>| RiskFigure {
        scope: name,
        expected_shortfall_t: expected(&per_s, &probs),
        cvar_t: cvar(&per_s, &probs, alpha),
        alpha,
    };
    let mut out = vec![fig(
        "bloc".into(),
        l.iter().map(|pm| pm.iter().flatten().sum()).collect(),
    )];
    for (mi, mat) in p.futures.materials.iter().enumerate() {
        out.push(fig(
            mat.to_string(),
            l.iter().map(|pm| pm[mi].iter().sum()).collect(),
        ));
    }
    for &k in &scope.members {
        let name = format!("member:{}", p.futures.members[k]);
        out.push(fig(
            name,
            l.iter().map(|pm| pm.iter().map(|x| x[k]).sum()).collect(),
        ));
    }
    out
}

fn cost_by_member(p: &Problem, m: &Model, s: &Solved) -> Vec<(String, f64)> {
    let life = p.options.asset_life_years;
    let mut out: Vec<(String, f64)> = p
        .futures
        .members
        .iter()
        .map(|k| (k.0.clone(), 0.0))
        .collect();
    for (j, k, i, v) in &m.w {
        let f = &p.financiers[*k];
        let Some(slot) = out.iter_mut().find(|(id, _)| *id == f.member.0) else {
            continue;
        };
        let c = &p.candidates[*j];
        let r = f.instruments[*i]
            .cost_of_capital
            .unwrap_or(f.cost_of_capital);
        let share = s.at(*v) / c.capex_usd_m;
        slot.1 += s.at(*v) * capital_recovery_factor(r, life)
            + share * c.opex_usd_per_t.unwrap_or(0.0) * c.capacity_t / 1e6;
    }
    out
}

/// Marginal value of one more USD m per year at each financier: with the integer choices
/// fixed at the plan's, the fall in the objective when that financier's budget rises by
/// `step` USD m in every year, per USD m. microlp reports no duals, so this is a finite
/// difference of two LP solves (equal to the sum over years of the budget rows' duals where
/// the basis does not change within `step`).
pub fn marginal_values(
    p: &Problem,
    plan: &Plan,
    step: f64,
) -> Result<Vec<(String, f64)>, PlanError> {
    marginal_values_until(p, plan, step, &AtomicBool::new(false))
}

/// [`marginal_values`], stopping with [`PlanError::Cancelled`] before any solve once `stop`
/// is set.
pub fn marginal_values_until(
    p: &Problem,
    plan: &Plan,
    step: f64,
    stop: &AtomicBool,
) -> Result<Vec<(String, f64)>, PlanError> {
    check(p)?;
    let scope = Scope::pooled(p);
    let mut fixed = vec![None; p.candidates.len()];
    for c in &plan.portfolio {
        fixed[c.index] = Some((c.start_year - p.futures.first_year) as usize);
    }
    let base = Tweaks {
        fixed: Some(fixed),
        ..Tweaks::default()
    };
    halt(stop)?;
    let (_, s0) = solve_model(p, &scope, &base)?;
    p.financiers
        .iter()
        .enumerate()
        .map(|(k, f)| {
            halt(stop)?;
            let t = Tweaks {
                budget_bump: Some((k, step)),
                ..base.clone()
            };
            let (_, s1) = solve_model(p, &scope, &t)?;
            Ok((f.id.clone(), (s0.objective - s1.objective) / step))
        })
        .collect()
}

/// One point of the risk–cost frontier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrontierPoint {
    /// Risk target, t.
    pub target: f64,
    /// Least annualised cost meeting it, USD m/yr (`None` when no plan meets it).
    pub cost_usd_m_per_year: Option<f64>,
    /// Risk attained.
    pub risk: Option<f64>,
}

/// The least cost for each risk target (min cost s.t. risk ≤ target).
pub fn frontier(p: &Problem, targets: &[f64]) -> Result<Vec<FrontierPoint>, PlanError> {
    frontier_until(p, targets, &AtomicBool::new(false))
}

/// [`frontier`], stopping with [`PlanError::Cancelled`] before any solve once `stop` is set.
pub fn frontier_until(
    p: &Problem,
    targets: &[f64],
    stop: &AtomicBool,
) -> Result<Vec<FrontierPoint>, PlanError> {
    check(p)?;
    let scope = Scope::pooled(p);
    targets
        .iter()
        .map(|&target| {
            halt(stop)?;
            let t = Tweaks {
                objective: Some(Objective::MinCostSubjectToRisk { target }),
                ..Tweaks::default()
            };
            match solve_scoped(p, &scope, &t) {
                Ok(plan) => Ok(FrontierPoint {
                    target,
                    cost_usd_m_per_year: Some(plan.cost_usd_m_per_year),
                    risk: Some(plan.risk_optimised),
                }),
                Err(PlanError::Infeasible { .. }) => Ok(FrontierPoint {
                    target,
                    cost_usd_m_per_year: None,
                    risk: None,
                }),
                Err(e) => Err(e),
            }
        })
        .collect()
}
