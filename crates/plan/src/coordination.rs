//! The value of coordination: the pooled plan against the members' national plans.

use crate::check::check;
use crate::error::{halt, PlanError};
use crate::input::{CountryId, Objective, Problem};
use crate::model::{Scope, Tweaks};
use crate::plan::{solve_scoped, Plan};
use serde::{Deserialize, Serialize};
use std::sync::atomic::AtomicBool;

/// One member's risk and cost, national against pooled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberDiff {
    /// Member.
    pub member: CountryId,
    /// Expected shortfall of the member in its national plan, t.
    pub risk_national_t: f64,
    /// Expected shortfall of the member in the pooled plan, t.
    pub risk_pooled_t: f64,
    /// Annualised cost borne by its financiers, national plan, USD m/yr.
    pub cost_national_usd_m: f64,
    /// The same in the pooled plan.
    pub cost_pooled_usd_m: f64,
}

/// Pooled against national.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coordination {
    /// The pooled plan.
    pub pooled: Plan,
    /// Each member's national plan.
    pub national: Vec<(CountryId, Plan)>,
    /// The national portfolios together, judged by the pooled objective (funding and
    /// deliveries re-optimised, projects and start years fixed).
    pub national_in_pooled: Plan,
    /// national_in_pooled.objective − pooled.objective (≥ 0 up to the MIP gap).
    pub value: f64,
    /// Per member.
    pub per_member: Vec<MemberDiff>,
}

fn member_risk(plan: &Plan, m: &CountryId) -> f64 {
    let key = format!("member:{m}");
    plan.risk
        .iter()
        .find(|r| r.scope == key)
        .map_or(0.0, |r| r.expected_shortfall_t)
}

fn member_cost(plan: &Plan, m: &CountryId) -> f64 {
    plan.cost_by_member
        .iter()
        .find(|(id, _)| *id == m.0)
        .map_or(0.0, |(_, c)| *c)
}

/// Solves the pooled plan and one national plan per member (its financiers only, its own
/// shortfall as its risk), and judges the national portfolios together in the pooled
/// objective. Needs `MinCostPlusRisk`: a risk target is a bloc figure with no national share.
/// National plans each see all the feed (they do not compete for it), which flatters them.
pub fn coordination(p: &Problem) -> Result<Coordination, PlanError> {
    coordination_until(p, &AtomicBool::new(false))
}

/// [`coordination`], stopping with [`PlanError::Cancelled`] before any solve once `stop` is
/// set.
pub fn coordination_until(p: &Problem, stop: &AtomicBool) -> Result<Coordination, PlanError> {
    check(p)?;
    if !matches!(p.options.objective, Objective::MinCostPlusRisk { .. }) {
        return Err(PlanError::invalid(
            "options.objective",
            "MinCostPlusRisk for the value of coordination",
        ));
    }
    halt(stop)?;
    let pooled = solve_scoped(p, &Scope::pooled(p), &Tweaks::default())?;
    let mut national = Vec::new();
    let mut fixed: Vec<Option<usize>> = vec![None; p.candidates.len()];
    for (k, id) in p.futures.members.iter().enumerate() {
        halt(stop)?;
        let plan = solve_scoped(p, &Scope::national(p, k), &Tweaks::default())?;
        for c in &plan.portfolio {
            let y = (c.start_year - p.futures.first_year) as usize;
            // Two members building the same project: the earlier start stands.
            fixed[c.index] = Some(fixed[c.index].map_or(y, |o: usize| o.min(y)));
        }
        national.push((id.clone(), plan));
    }
    let together = Tweaks {
        fixed: Some(fixed),
        ..Tweaks::default()
    };
    halt(stop)?;
    let national_in_pooled = solve_scoped(p, &Scope::pooled(p), &together)?;
    let per_member = national
        .iter()
        .map(|(m, plan)| MemberDiff {
            member: m.clone(),
            risk_national_t: member_risk(plan, m),
            risk_pooled_t: member_risk(&pooled, m),
            cost_national_usd_m: member_cost(plan, m),
            cost_pooled_usd_m: member_cost(&pooled, m),
        })
        .collect();
    Ok(Coordination {
        value: national_in_pooled.objective - pooled.objective,
        pooled,
        national,
        national_in_pooled,
        per_member,
    })
}
