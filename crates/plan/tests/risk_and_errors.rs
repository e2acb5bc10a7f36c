//! CVaR against a direct computation, infeasibility explained by family, input checks,
//! coordination, the frontier and marginal values.
mod common;

use quadrant_plan::risk::cvar;
use quadrant_plan::{
    check, coordination, frontier, marginal_values, solve, Budget, Family, Objective, PlanError,
    RiskMeasure,
};

#[test]
fn cvar_equals_direct_computation() {
    let mut p = common::small();
    p.options.risk = RiskMeasure::CVaR { alpha: 0.6 };
    let plan = solve(&p).unwrap();
    let bloc = plan.risk.iter().find(|r| r.scope == "bloc").unwrap();
    assert!(
        (plan.risk_optimised - bloc.cvar_t).abs() < 1e-6 * bloc.cvar_t.max(1.0),
        "{} vs {}",
        plan.risk_optimised,
        bloc.cvar_t
    );
    // And the direct formula on a distribution worked by hand: worst 40 % of
    // {10 (p .5), 20 (p .3), 40 (p .2)} = (.2·40 + .2·20)/.4 = 30.
    assert!((cvar(&[10.0, 20.0, 40.0], &[0.5, 0.3, 0.2], 0.6) - 30.0).abs() < 1e-12);
    assert!(bloc.cvar_t >= bloc.expected_shortfall_t);
}

#[test]
fn infeasible_plan_names_the_families() {
    let mut p = common::small();
    for f in &mut p.financiers {
        f.budget_usd_m = Budget::Constant(10.0);
    }
    p.options.objective = Objective::MinCostSubjectToRisk { target: 0.0 };
    match solve(&p) {
        Err(PlanError::Infeasible { families }) => {
            assert!(families.contains(&Family::RiskTarget), "{families:?}");
            assert!(!families.contains(&Family::Ethics), "{families:?}");
            let msg = PlanError::Infeasible { families }.to_string();
            assert!(msg.contains("risk target"), "{msg}");
        }
        other => panic!("expected infeasible, got {other:?}"),
    }
    // Budgets alone explain it when the target is reachable with money.
    p.options.objective = Objective::MinCostSubjectToRisk { target: 2_500.0 };
    match solve(&p) {
        Err(PlanError::Infeasible { families }) => {
            assert!(families.contains(&Family::Budgets), "{families:?}")
        }
        other => panic!("expected infeasible, got {other:?}"),
    }
}

#[test]
fn check_refuses_bad_input() {
    let good = common::small();
    assert!(check(&good).is_ok());
    let mut p = good.clone();
    p.candidates[0].capacity_t = -1.0;
    let e = check(&p).unwrap_err().to_string();
    assert!(e.contains("candidates[0] (a).capacity_t"), "{e}");
    let mut p = good.clone();
    p.candidates[2].capex_usd_m = f64::NAN;
    assert!(check(&p).unwrap_err().to_string().contains("capex_usd_m"));
    let mut p = good.clone();
    p.candidates[0].material = quadrant_model::MaterialId::from("unobtainium");
    assert!(check(&p).unwrap_err().to_string().contains("material"));
    let mut p = good.clone();
    p.options.horizon_years = 51;
    assert!(check(&p).unwrap_err().to_string().contains("at most 50"));
    let mut p = good.clone();
    p.futures.futures[0].probability = 0.9;
    assert!(check(&p).unwrap_err().to_string().contains("summing to 1"));
    let mut p = good;
    p.futures.futures[1].shortfall_t[0].pop();
    assert!(check(&p).unwrap_err().to_string().contains("shortfall_t"));
}

#[test]
fn coordination_value_is_not_negative() {
    let mut p = common::small();
    p.financiers[1].home_offtake_required = true;
    let c = coordination(&p).unwrap();
    assert!(
        c.value >= -1e-6,
        "pooled worse than national by {}",
        -c.value
    );
    assert_eq!(c.per_member.len(), 2);
    for seed in [11, 12] {
        let p = quadrant_plan::synthetic::problem(6, 3, 3, seed);
        let c = coordination(&p).unwrap();
        assert!(
            c.value >= -1e-6 * c.pooled.objective.abs().max(1.0),
            "seed {seed}: {}",
            c.value
        );
    }
}

#[test]
fn frontier_is_monotone() {
    let p = common::small();
    let targets = [500.0, 1_000.0, 1_500.0, 2_000.0, 2_500.0, 3_000.0, 4_000.0];
    let pts = frontier(&p, &targets).unwrap();
    let costs: Vec<f64> = pts.iter().filter_map(|x| x.cost_usd_m_per_year).collect();
    assert!(costs.len() >= 3, "{pts:?}");
    for w in costs.windows(2) {
        assert!(
            w[1] <= w[0] + 1e-6,
            "cost rises with a looser target: {pts:?}"
        );
    }
    for x in pts.iter().filter(|x| x.risk.is_some()) {
        assert!(x.risk.unwrap() <= x.target + 1e-6);
    }
    assert!(costs.first() > costs.last(), "flat frontier: {pts:?}");
}

#[test]
fn marginal_value_is_positive_only_where_the_budget_binds() {
    let mut p = common::small();
    // The cheap financier is short of money, the dear one is not.
    p.financiers[1].budget_usd_m = Budget::Constant(40.0);
    p.financiers[0].budget_usd_m = Budget::Constant(1e4);
    let plan = solve(&p).unwrap();
    let mv = marginal_values(&p, &plan, 1.0).unwrap();
    let get = |id: &str| mv.iter().find(|(k, _)| k == id).unwrap().1;
    assert!(get("jogmec") > 1e-6, "{mv:?}");
    assert!(get("dfc").abs() < 1e-9, "{mv:?}");
}

#[test]
fn a_solved_plan_reads_back_from_its_json() {
    let p = common::small();
    let plan = solve(&p).unwrap();
    assert!(
        !plan.funding.is_empty(),
        "the small problem funds something"
    );
    let text = serde_json::to_string(&plan).unwrap();
    let back: quadrant_plan::Plan = serde_json::from_str(&text).unwrap();
    // Equal as written, but for the last bit of a float (serde_json's default parser).
    let again: serde_json::Value = serde_json::to_value(&back).unwrap();
    let first = serde_json::to_value(&plan).unwrap();
    assert!(same(&again, &first), "{again}\n{first}");
    assert_eq!(back.portfolio, plan.portfolio);
    // A name the planner never writes is refused, naming it.
    let bad = text.replacen("\"microlp\"", "\"simplex9\"", 1);
    let e = serde_json::from_str::<quadrant_plan::Plan>(&bad).unwrap_err();
    assert!(e.to_string().contains("simplex9"), "{e}");
}

fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value::*;
    match (a, b) {
        (Number(x), Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            (x - y).abs() <= 1e-12 * x.abs().max(y.abs())
        }
        (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Object(x), Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn the_loops_of_solves_stop_on_request() {
    use quadrant_plan::coordination::coordination_until;
    use quadrant_plan::plan::{frontier_until, marginal_values_until};
    use std::sync::atomic::AtomicBool;
    let p = common::small();
    let plan = solve(&p).unwrap();
    let stop = AtomicBool::new(true);
    assert_eq!(
        coordination_until(&p, &stop).unwrap_err(),
        PlanError::Cancelled
    );
    assert_eq!(
        frontier_until(&p, &[1_000.0, 2_000.0], &stop).unwrap_err(),
        PlanError::Cancelled
    );
    assert_eq!(
        marginal_values_until(&p, &plan, 1.0, &stop).unwrap_err(),
        PlanError::Cancelled
    );
    // Not stopped: the same answers as without a flag.
    let go = AtomicBool::new(false);
    assert_eq!(
        frontier_until(&p, &[2_000.0], &go).unwrap(),
        frontier(&p, &[2_000.0]).unwrap()
    );
}
