//! Futures for the planner and a verification, printed as small tables.
//!
//!     cargo run --release -p quadrant-sim --example futures -- [SCENARIO] [FUTURES] [SEED]
//!
//! Defaults: montecarlo-quad, 100 futures, seed 1. Prints the Quad's expected shortfall and
//! CVaR per material over the futures, a few futures' first years of cobalt feed, then the
//! verification of +10 kt/yr of cobalt refining in Australia from 2027 (26-week ramp), with
//! the time each part took.

use quadrant_sim::api::Session;
use quadrant_sim::params::Params;
use quadrant_sim::verify::{cvar, week_of_year, PlannedExpansion};
use std::time::Instant;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let name = a.get(1).map_or("montecarlo-quad", |s| s.as_str());
    let n: usize = a.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let seed: u64 = a.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let ds = quadrant_data::load_embedded().expect("embedded dataset");
    let s = Session::new(&ds, Params::shipped());
    let sc = s.scenario(name).unwrap_or_else(|e| panic!("{e}"));
    let years = sc.weeks.div_ceil(52);

    let t = Instant::now();
    let fut = s
        .futures(&sc, n, seed, years)
        .unwrap_or_else(|e| panic!("{e}"));
    let t_fut = t.elapsed().as_secs_f64();
    println!(
        "{} — {} futures, seed {}, {} years from {} ({:.2} s)",
        fut.scenario, n, seed, years, fut.first_year, t_fut
    );
    println!(
        "{:<12} {:>14} {:>14} {:>14} {:>14}",
        "material", "E[short] t", "CVaR90 t", "CVaR95 t", "E[short]/E[dem]"
    );
    for (m, id) in fut.materials.iter().enumerate() {
        let (mut short, mut dem) = (Vec::new(), 0.0);
        for f in &fut.futures {
            let y = &f.materials[m].years;
            short.push(y.iter().map(|y| y.bloc_shortfall_t).sum::<f64>());
            dem += f.weight * y.iter().map(|y| y.bloc_demand_t).sum::<f64>();
        }
        let mean = short.iter().sum::<f64>() / short.len() as f64;
        let pool = if fut.futures[0].materials[m].world_pool {
            " (world pool)"
        } else {
            ""
        };
        println!(
            "{:<12} {:>14.0} {:>14.0} {:>14.0} {:>13.3}%{pool}",
            id,
            mean,
            cvar(&short, 0.9),
            cvar(&short, 0.95),
            100.0 * mean / dem.max(1e-12)
        );
    }
    if let Some(m) = fut.materials.iter().position(|x| x == "cobalt") {
        println!(
            "\ncobalt ore open to the Quad, t in the first year (COD, AUS, IDN), futures 0-4:"
        );
        for f in fut.futures.iter().take(5) {
            let y0 = &f.materials[m].years[0];
            let get = |c: &str| {
                y0.feed[0]
                    .sources
                    .iter()
                    .find(|x| x.country == c)
                    .map_or(0.0, |x| x.output_t)
            };
            println!(
                "  future {:>2}: shortfall {:>8.0} t; COD {:>8.0}, AUS {:>6.0}, IDN {:>6.0}",
                f.run,
                y0.bloc_shortfall_t,
                get("COD"),
                get("AUS"),
                get("IDN")
            );
        }
    }

    let plan = [PlannedExpansion {
        material: "cobalt".into(),
        stage: "refining".into(),
        country: "AUS".into(),
        capacity_t_per_year: 10_000.0,
        online_week: week_of_year(sc.base_year, 2027).expect("2027 is in the run"),
        ramp_weeks: 26,
    }];
    let t = Instant::now();
    let v = s
        .verify(&sc, &plan, n, seed)
        .unwrap_or_else(|e| panic!("{e}"));
    let t_ver = t.elapsed().as_secs_f64();
    println!(
        "\nverify: +10 kt/yr cobalt refining in AUS from 2027 ({n} futures, {t_ver:.2} s, two Monte Carlos)"
    );
    println!(
        "{:<20} {:>12} {:>12} {:>12} {:>12} {:>12} {:>7}",
        "material", "mean t", "P95 t", "CVaR90 t", "CVaR95 t", "mean %", "worse"
    );
    for vm in &v.materials {
        for (label, d, share) in [
            ("without", &vm.without_t, &vm.without_share),
            ("with", &vm.with_t, &vm.with_share),
        ] {
            println!(
                "{:<20} {:>12.0} {:>12.0} {:>12.0} {:>12.0} {:>11.4}% {:>7}",
                format!("{} {label}", vm.material),
                d.mean,
                d.p95,
                d.cvar90,
                d.cvar95,
                100.0 * share.mean,
                if label == "with" {
                    vm.futures_worse.to_string()
                } else {
                    String::new()
                }
            );
        }
    }
}
