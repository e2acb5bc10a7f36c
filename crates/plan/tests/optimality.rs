//! The MILP's optimum equals the best of every fixed choice of projects and start years.
mod common;

use quadrant_plan::model::{Scope, Tweaks};
use quadrant_plan::plan::solve_scoped;
use quadrant_plan::{solve, PlanError, Problem};

/// Every assignment of (not built | start year) to each candidate, each judged by the same
/// recipe with the integers fixed; the least objective.
fn enumerate(p: &Problem) -> f64 {
    let ny = p.options.horizon_years;
    let starts: Vec<Vec<Option<usize>>> = p
        .candidates
        .iter()
        .map(|c| {
            std::iter::once(None)
                .chain((0..ny.saturating_sub(c.lead_years as usize)).map(Some))
                .collect()
        })
        .collect();
    let mut best = f64::INFINITY;
    let mut idx = vec![0usize; starts.len()];
    loop {
        let fixed: Vec<Option<usize>> = idx.iter().zip(&starts).map(|(i, s)| s[*i]).collect();
        let t = Tweaks {
            fixed: Some(fixed),
            ..Tweaks::default()
        };
        match solve_scoped(p, &Scope::pooled(p), &t) {
            Ok(plan) => best = best.min(plan.objective),
            Err(PlanError::Infeasible { .. }) => {}
            Err(e) => panic!("{e}"),
        }
        let mut k = 0;
        loop {
            if k == idx.len() {
                return best;
            }
            idx[k] += 1;
            if idx[k] < starts[k].len() {
                break;
            }
            idx[k] = 0;
            k += 1;
        }
    }
}

fn assert_optimal(p: &Problem) {
    let plan = solve(p).expect("solves");
    let best = enumerate(p);
    assert!(
        (plan.objective - best).abs() <= 1e-6 * best.abs().max(1.0),
        "MILP {} vs enumeration {}",
        plan.objective,
        best
    );
    assert_eq!(plan.status, "optimal");
}

#[test]
fn small_hand_made_plan_is_optimal_by_enumeration() {
    let p = common::small();
    let plan = solve(&p).unwrap();
    // The instance is meant to be non-trivial: something but not everything is built.
    assert!(
        !plan.portfolio.is_empty() && plan.portfolio.len() < p.candidates.len(),
        "{:?}",
        plan.portfolio
    );
    assert_optimal(&p);
}

#[test]
fn synthetic_plans_are_optimal_by_enumeration() {
    let mut built = 0;
    for seed in [1, 2, 3] {
        // 6 candidates, 2 years: each has at most two start years (≤ 3^6 assignments).
        let mut p = quadrant_plan::synthetic::problem(6, 3, 2, seed);
        p.options.objective = quadrant_plan::Objective::MinCostPlusRisk { weight: 0.05 };
        assert_optimal(&p);
        built += solve(&p).unwrap().portfolio.len();
    }
    assert!(built > 0, "trivial instances: nothing built");
}

#[test]
fn cvar_plan_is_optimal_by_enumeration() {
    let mut p = common::small();
    p.options.risk = quadrant_plan::RiskMeasure::CVaR { alpha: 0.7 };
    assert_optimal(&p);
}
