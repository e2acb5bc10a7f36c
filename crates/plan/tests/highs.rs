//! Both solvers give the same plan objective (needs the `highs` feature).
#![cfg(feature = "highs")]
mod common;

use quadrant_plan::{solve, RiskMeasure, SolverChoice};

fn both(mut p: quadrant_plan::Problem) {
    p.options.solver = SolverChoice::Microlp;
    let a = solve(&p).unwrap();
    p.options.solver = SolverChoice::Highs;
    let b = solve(&p).unwrap();
    assert_eq!(b.solver, "highs");
    assert!(
        (a.objective - b.objective).abs() <= 1e-6 * a.objective.abs().max(1.0),
        "microlp {} vs highs {}",
        a.objective,
        b.objective
    );
}

#[test]
fn microlp_and_highs_agree() {
    both(common::small());
    let mut p = common::small();
    p.options.risk = RiskMeasure::CVaR { alpha: 0.7 };
    both(p);
    for seed in [1, 2] {
        both(quadrant_plan::synthetic::problem(12, 5, 4, seed));
    }
}

/// A shipped plan's own problem (3 futures, 5 years): the world's candidates, financiers and
/// the simulator's futures, solved by both.
#[test]
fn both_solvers_agree_on_a_shipped_plan() {
    use quadrant_plan::spec::PlanSpec;
    use quadrant_sim::api::Session;
    let ds = quadrant_data::load_embedded().unwrap();
    for name in ["lithium-processing", "ethical-cobalt"] {
        let text = quadrant_plan::shipped::find(name)
            .unwrap()
            .replace("count = 20", "count = 3")
            .replace("horizon_years = 10", "horizon_years = 5");
        let spec = PlanSpec::parse(name, &text, &ds).unwrap();
        let s = Session::new(&ds, quadrant_sim::params::Params::shipped());
        let sc = s.scenario("montecarlo-quad").unwrap();
        let fut = s.futures(&sc, 3, 2026, 5).unwrap();
        let w = quadrant_plan::world::problem(&ds, &spec, &fut, SolverChoice::Microlp).unwrap();
        both(w.problem);
    }
}
