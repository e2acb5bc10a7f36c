//! Scenario validation on large files: it must stay linear in the number of events, valid or
//! not (a 16,000-event file of errors took 17 s when each error rescanned the text).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use quadrant_sim::scenario::Scenario;

fn file(n: usize, bad: bool) -> String {
    let mut s = String::from("name = \"big\"\nweeks = 104\nmaterials = [\"cobalt\"]\n");
    for i in 0..n {
        s.push_str(&format!(
            "[[event]]\nkind = \"capacity_loss\"\ncountry = \"COD\"\nmaterial = \"cobalt\"\nstage = \"mining\"\nshare = {}\nstart_week = {}\nduration_weeks = 4\n",
            if bad { 2.0 } else { 0.1 },
            i % 100
        ));
    }
    s
}

fn validate(c: &mut Criterion) {
    let ds = quadrant_data::load_embedded().expect("dataset");
    let mut g = c.benchmark_group("scenario_parse");
    g.sample_size(10);
    for n in [1_000, 16_000, 100_000] {
        for bad in [false, true] {
            let text = file(n, bad);
            let id = format!("{n}-{}", if bad { "invalid" } else { "valid" });
            g.bench_function(BenchmarkId::from_parameter(id), |b| {
                b.iter(|| Scenario::parse("big.toml", &text, &ds).is_ok())
            });
        }
    }
    g.finish();
}

criterion_group!(benches, validate);
criterion_main!(benches);
