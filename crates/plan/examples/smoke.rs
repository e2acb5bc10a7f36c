//! Solves one synthetic plan and prints timings: `cargo run --release -p quadrant-plan --example smoke -- N S Y`.
use quadrant_plan::model::{build, Scope, Tweaks};
use std::time::Instant;

fn main() {
    let a: Vec<usize> = std::env::args()
        .skip(1)
        .map(|x| x.parse().expect("a number"))
        .collect();
    let (n, s, y) = (
        a.first().copied().unwrap_or(10),
        a.get(1).copied().unwrap_or(5),
        a.get(2).copied().unwrap_or(4),
    );
    let mut p = quadrant_plan::synthetic::problem(n, s, y, 7);
    if a.get(3) == Some(&1) {
        p.options.solver = quadrant_plan::SolverChoice::Highs;
    }
    let t = Instant::now();
    let m = build(&p, &Scope::pooled(&p), &Tweaks::default(), &[]);
    let tb = t.elapsed();
    println!(
        "vars {} rows {} build {:?}",
        m.recipe.vars.len(),
        m.recipe.rows.len(),
        tb
    );
    let t = Instant::now();
    let plan = quadrant_plan::solve(&p).expect("solves");
    println!(
        "solve {:?} objective {} built {} status {}",
        t.elapsed(),
        plan.objective,
        plan.portfolio.len(),
        plan.status
    );
}
