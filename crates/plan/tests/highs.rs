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
