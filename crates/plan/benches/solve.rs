//! Build and solve times of synthetic plans: 50, 200, 1,000 candidates × 100 futures × 5
//! years. Build = the flat recipe (variables, rows, objective); solve = handing it to the
//! solver and solving. microlp is slow beyond small plans, so its solve is benched only up to
//! `QUADRANT_BENCH_MICROLP_MAX` candidates (default 0: none); HiGHS (feature `highs`) solves
//! every size.
//!
//! `cargo bench -p quadrant-plan [--features highs]`
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use quadrant_plan::lp::solve;
use quadrant_plan::model::{build, Scope, Tweaks};
use quadrant_plan::SolverChoice;
use std::time::Duration;

const SIZES: [usize; 3] = [50, 200, 1_000];
const FUTURES: usize = 100;
const YEARS: usize = 5;

fn bench(c: &mut Criterion) {
    let microlp_max: usize = std::env::var("QUADRANT_BENCH_MICROLP_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut g = c.benchmark_group("plan");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    for n in SIZES {
        let p = quadrant_plan::synthetic::problem(n, FUTURES, YEARS, 42);
        let scope = Scope::pooled(&p);
        g.bench_with_input(BenchmarkId::new("build", n), &n, |b, _| {
            b.iter(|| build(&p, &scope, &Tweaks::default(), &[]))
        });
        let model = build(&p, &scope, &Tweaks::default(), &[]);
        if n <= microlp_max {
            g.bench_with_input(BenchmarkId::new("solve-microlp", n), &n, |b, _| {
                b.iter(|| solve(&model.recipe, SolverChoice::Microlp, 0.0).expect("solves"))
            });
        }
        if cfg!(feature = "highs") {
            g.bench_with_input(BenchmarkId::new("solve-highs", n), &n, |b, _| {
                b.iter(|| solve(&model.recipe, SolverChoice::Highs, 0.0).expect("solves"))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
