//! Simulator speed (issue #3): the weekly step on real networks (link-updates per second =
//! links × weeks / time), and Monte Carlo on 1 and 2 threads (scaling).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use quadrant_metrics::TradeIndex;
use quadrant_sim::montecarlo::montecarlo;
use quadrant_sim::params::Params;
use quadrant_sim::realize_mid;
use quadrant_sim::scenario::Scenario;
use quadrant_sim::state::initial;
use quadrant_sim::step::step;
use quadrant_sim::{networks, shipped};
use std::sync::atomic::{AtomicBool, AtomicUsize};

fn bench(c: &mut Criterion) {
    let ds = quadrant_data::load_embedded().unwrap();
    let trade = TradeIndex::build(&ds);
    let params = Params::shipped();
    let mut g = c.benchmark_group("step");
    for (material, scen) in [
        ("cobalt", "drc-cobalt-2025"),
        ("lithium", "quad-lithium-refining"),
    ] {
        let (p, t) = shipped::find(scen).unwrap();
        let sc = Scenario::parse(p, t, &ds).unwrap();
        let net = networks(&ds, &trade, &sc)
            .into_iter()
            .find(|n| n.material == material)
            .unwrap();
        let r = realize_mid(&ds, &sc, &net);
        let mp = params.get(material);
        g.throughput(Throughput::Elements((net.links() * sc.weeks) as u64));
        g.bench_function(
            format!("{material}_{}w_{}links", sc.weeks, net.links()),
            |b| {
                b.iter(|| {
                    let mut st = initial(&net, mp, &r);
                    for _ in 0..sc.weeks {
                        step(&net, mp, &r, &mut st);
                    }
                    st
                })
            },
        );
    }
    g.finish();
    let mut g = c.benchmark_group("montecarlo");
    g.sample_size(10);
    let (p, t) = shipped::find("montecarlo-quad").unwrap();
    let sc = Scenario::parse(p, t, &ds).unwrap();
    let nets = networks(&ds, &trade, &sc);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        g.bench_function(format!("quad_set_64_runs_520w_{threads}_threads"), |b| {
            b.iter(|| {
                pool.install(|| {
                    montecarlo(
                        &ds,
                        &nets,
                        std::slice::from_ref(&params),
                        &sc,
                        64,
                        1,
                        &AtomicBool::new(false),
                        &AtomicUsize::new(0),
                    )
                })
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
