//! Verification of a plan by the simulator: planned projects become the scenario's own
//! `capacity_expansion` events (the mechanism scenarios already use for projects: a node's
//! capacity grows linearly over `ramp_weeks` from `start_week`), and the Monte Carlo runs on
//! the same futures with and without them.
//!
//! The same futures: the projects are appended after the scenario's events with probability 1
//! and fixed numbers, and a run's draws are hashes of (seed, run, event index, field), so
//! every event of the scenario draws exactly what it draws without the projects.

use crate::api::{Session, SimError};
use crate::montecarlo::{stats, McResult, RunOutcome};
use crate::scenario::{Event, Param, Scenario};
use quadrant_model::Stage;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, AtomicUsize};

/// A project a plan funds: new capacity at a country's stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedExpansion {
    /// Material id (materials.csv); one of the scenario's simulated materials.
    pub material: String,
    /// Stage: `mining` or `refining` (a stage of the material's network).
    pub stage: String,
    /// Host country id (or a facility's asset id).
    pub country: String,
    /// Capacity at full ramp, t of content per year (the material's basis).
    pub capacity_t_per_year: f64,
    /// First week with output, counted from the run's week 0 (the start of `base_year + 1`);
    /// see [`week_of_year`].
    pub online_week: usize,
    /// Weeks from first output to full capacity (linear).
    pub ramp_weeks: usize,
}

/// Week index of 1 January of calendar year `year` in a run whose week 0 is the start of
/// `base_year + 1`; an error before week 0.
pub fn week_of_year(base_year: u16, year: u16) -> Result<usize, SimError> {
    let first = base_year + 1;
    if year < first {
        return Err(SimError::OutOfRange {
            field: "online_year",
            expected: format!("a year from {first} (the run's first year)"),
            found: year.to_string(),
        });
    }
    Ok(usize::from(year - first) * crate::futures::WEEKS_PER_YEAR)
}

/// `sc` with each planned project appended as a `capacity_expansion` event (probability 1,
/// fixed numbers); an error names the first project that is out of range or whose material
/// the scenario does not simulate. Whether its country has a node is checked when the
/// networks are built (`Session::networks`: "event N cannot act").
pub fn with_expansions(sc: &Scenario, plan: &[PlannedExpansion]) -> Result<Scenario, SimError> {
    let mats = sc.material_ids();
    let mut out = sc.clone();
    for (k, x) in plan.iter().enumerate() {
        let bad = |field: &'static str, expected: &str, found: String| SimError::OutOfRange {
            field,
            expected: format!("project {}: {expected}", k + 1),
            found,
        };
        if !mats.contains(&x.material) {
            return Err(bad(
                "material",
                &format!("one of the scenario's materials {mats:?}"),
                x.material.clone(),
            ));
        }
        if Stage::parse(&x.stage).is_none() {
            return Err(bad(
                "stage",
                "a stage name (mining, refining)",
                x.stage.clone(),
            ));
        }
        if !(x.capacity_t_per_year.is_finite() && x.capacity_t_per_year > 0.0) {
            return Err(bad(
                "capacity_t_per_year",
                "a positive number of tonnes per year",
                x.capacity_t_per_year.to_string(),
            ));
        }
        out.events.push(Event::CapacityExpansion {
            country: x.country.clone(),
            material: x.material.clone(),
            stage: x.stage.clone(),
            tonnes_per_year: Param::Fixed(x.capacity_t_per_year),
            start_week: Param::Fixed(x.online_week as f64),
            ramp_weeks: Param::Fixed(x.ramp_weeks as f64),
            probability: 1.0,
        });
    }
    Ok(out)
}

/// Conditional value at risk of losses `values` (equally likely) at level `alpha` ∈ (0, 1),
/// by Rockafellar and Uryasev (2000, 2002):
/// CVaR_α = min_t { t + E[(X − t)⁺] / (1 − α) }.
/// The minimum is reached at t = VaR_α, the smallest value with at least a share α of the
/// values at or below it, so CVaR_α = VaR_α + Σ (x − VaR_α)⁺ / (n (1 − α)): the mean of the
/// worst (1 − α) share of outcomes, counting the VaR atom fractionally when α n is not whole.
/// 0 for no values.
pub fn cvar(values: &[f64], alpha: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut s = values.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    // Smallest k with k / n ≥ α; guarded against α n landing a rounding error above a whole.
    let k = ((alpha * n as f64 - 1e-9).ceil().max(1.0) as usize).min(n);
    let var = s[k - 1];
    let excess: f64 = s.iter().map(|&x| (x - var).max(0.0)).sum();
    var + excess / (n as f64 * (1.0 - alpha))
}

/// A distribution over futures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    /// Mean (the expected value: every future weighs 1/S).
    pub mean: f64,
    /// 5th percentile (nearest rank, as `montecarlo::stats`).
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// CVaR at α = 0.9 ([`cvar`]).
    pub cvar90: f64,
    /// CVaR at α = 0.95.
    pub cvar95: f64,
}

impl Distribution {
    /// The distribution of `v`.
    pub fn of(v: &[f64]) -> Distribution {
        let s = stats(v);
        Distribution {
            mean: s.mean,
            p5: s.p5,
            p50: s.p50,
            p95: s.p95,
            cvar90: cvar(v, 0.9),
            cvar95: cvar(v, 0.95),
        }
    }
}

/// One material's verification for the bloc.
#[derive(Debug, Clone, Serialize)]
pub struct VerifiedMaterial {
    /// Material id.
    pub material: String,
    /// The bloc's shortfall as a share of its desired demand, without the projects.
    pub without_share: Distribution,
    /// The same with the projects.
    pub with_share: Distribution,
    /// The bloc's shortfall over the run, t of content, without the projects.
    pub without_t: Distribution,
    /// The same with the projects.
    pub with_t: Distribution,
    /// Future by future, shortfall without minus with, t (positive: the projects help).
    pub reduction_t: Distribution,
    /// Futures in which the projects raise the bloc's shortfall (by more than 1e-9 relative).
    pub futures_worse: usize,
    /// Largest rise of the bloc's shortfall in one future, t (0 when none).
    pub largest_rise_t: f64,
}

/// The bloc's shortfall distribution with and without a plan's projects, on the same futures.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// Scenario name.
    pub scenario: String,
    /// Bloc id.
    pub bloc: String,
    /// Seed of every draw.
    pub seed: u64,
    /// Futures run.
    pub runs: usize,
    /// The projects verified.
    pub expansions: Vec<PlannedExpansion>,
    /// Per material.
    pub materials: Vec<VerifiedMaterial>,
}

/// The bloc's shortfall in tonnes, per run, of material m.
fn tonnes(outcomes: &[RunOutcome], m: usize) -> Vec<f64> {
    outcomes
        .iter()
        .map(|o| o.shortfall[m][0] * o.bloc_demand_t[m])
        .collect()
}

fn verified(material: &str, m: usize, without: &McResult, with: &McResult) -> VerifiedMaterial {
    let share =
        |r: &McResult| -> Vec<f64> { r.outcomes.iter().map(|o| o.shortfall[m][0]).collect() };
    let (t0, t1) = (tonnes(&without.outcomes, m), tonnes(&with.outcomes, m));
    let rise: Vec<f64> = t0.iter().zip(&t1).map(|(a, b)| b - a).collect();
    let worse = rise
        .iter()
        .zip(&t0)
        .filter(|(r, a)| **r > 1e-9 * a.abs().max(1.0))
        .count();
    VerifiedMaterial {
        material: material.to_string(),
        without_share: Distribution::of(&share(without)),
        with_share: Distribution::of(&share(with)),
        without_t: Distribution::of(&t0),
        with_t: Distribution::of(&t1),
        reduction_t: Distribution::of(&rise.iter().map(|r| -r).collect::<Vec<_>>()),
        futures_worse: worse,
        largest_rise_t: rise.iter().copied().fold(0.0, f64::max),
    }
}

impl Session<'_> {
    /// Runs the Monte Carlo of `sc` (`n` futures from `seed`, the parameters as given) without
    /// and with `plan`'s projects, and compares the bloc's shortfall future by future.
    pub fn verify(
        &self,
        sc: &Scenario,
        plan: &[PlannedExpansion],
        n: usize,
        seed: u64,
    ) -> Result<Verification, SimError> {
        let never = AtomicBool::new(false);
        let v = self.verify_until(sc, plan, n, seed, &never)?;
        Ok(v.expect("never stopped"))
    }

    /// [`Session::verify`], or `None` once `stop` is set (the Monte Carlos check it between
    /// runs).
    pub fn verify_until(
        &self,
        sc: &Scenario,
        plan: &[PlannedExpansion],
        n: usize,
        seed: u64,
        stop: &AtomicBool,
    ) -> Result<Option<Verification>, SimError> {
        let planned = with_expansions(sc, plan)?;
        let done = AtomicUsize::new(0);
        let without = self.montecarlo(sc, n, seed, false, stop, &done)?;
        if without.result.interrupted {
            return Ok(None);
        }
        let with = self.montecarlo(&planned, n, seed, false, stop, &done)?;
        if with.result.interrupted {
            return Ok(None);
        }
        let materials = without
            .materials
            .iter()
            .enumerate()
            .map(|(m, id)| verified(id, m, &without.result, &with.result))
            .collect();
        Ok(Some(Verification {
            scenario: sc.name.clone(),
            bloc: sc.bloc.clone(),
            seed,
            runs: n,
            expansions: plan.to_vec(),
            materials,
        }))
    }
}
