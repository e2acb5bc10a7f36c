//! Exports one material's network and a reference run for bench/step_numpy.py, and times the
//! Rust step on the same input.
//!
//!     cargo run --release -p quadrant-sim --example step_bench -- MATERIAL SCENARIO.toml OUT_DIR [WEEKS] [REPS] [THETA PRECAUTION]
//!
//! THETA and PRECAUTION, when given, override the material's θ and π of
//! data/world/sim_params.toml (both 0 there, which would leave the expectations terms of the
//! step unexercised); the values used are written to network.json's params.
//!
//! Writes OUT_DIR/network.json (nodes; per stage capacity, base_output, feed per output κ and
//! flows; demand; partner pairs; params; the realized restrictions and capacity losses with
//! their announced weeks, and capacity expansions; the counts of realized features the numpy
//! peer does not implement)
//! and OUT_DIR/rust_series.csv (per week: stage prices, total shortfall, total production per
//! stage, total stock, the step's mass-balance residual, the fear index of the last stage), and
//! prints the median wall time of the run loop and the link-updates per second.

use quadrant_metrics::TradeIndex;
use quadrant_sim::params::Params;
use quadrant_sim::realize_mid;
use quadrant_sim::scenario::{Rationing, Scenario};
use quadrant_sim::state::initial;
use quadrant_sim::step::step;
use std::fmt::Write as _;
use std::time::Instant;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 4 || a.len() == 7 || a.len() > 8 {
        eprintln!(
            "usage: step_bench MATERIAL SCENARIO.toml OUT_DIR [WEEKS] [REPS] [THETA PRECAUTION]"
        );
        std::process::exit(2);
    }
    let ds = quadrant_data::load_embedded().unwrap();
    let trade = TradeIndex::build(&ds);
    let m = ds.material(&a[1]).expect("material");
    let net = quadrant_sim::network::build(&ds, &trade, m, 2024).expect("network");
    let text = std::fs::read_to_string(&a[2]).expect("scenario");
    let sc = Scenario::parse(&a[2], &text, &ds).expect("valid scenario");
    let weeks: usize = a.get(4).and_then(|s| s.parse().ok()).unwrap_or(sc.weeks);
    let reps: usize = a.get(5).and_then(|s| s.parse().ok()).unwrap_or(20);
    let r = realize_mid(&ds, &sc, &net);
    let params = Params::shipped();
    let mut p = params.get(&net.material).clone();
    if let (Some(theta), Some(precaution)) = (a.get(6), a.get(7)) {
        p.theta = theta.parse().expect("THETA is a number");
        p.precaution = precaution.parse().expect("PRECAUTION is a number");
        p.check().expect("parameters in range");
    }
    let p = &p;
    let out = std::path::Path::new(&a[3]);
    std::fs::create_dir_all(out).unwrap();
    // network.json, written by hand to keep serde_json out of the sim crate.
    let mut j = String::from("{\n");
    let _ = writeln!(j, "  \"material\": \"{}\",", net.material);
    let _ = writeln!(
        j,
        "  \"countries\": [{}],",
        net.countries
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(",")
    );
    let _ = writeln!(j, "  \"demand\": {:?},", net.demand);
    let _ = writeln!(j, "  \"parent\": {:?},", net.parent);
    let pairs: Vec<String> = (0..net.n())
        .flat_map(|b| (0..net.n()).filter(move |&i| i != b).map(move |i| (b, i)))
        .filter(|&(b, i)| net.partner[b][i])
        .map(|(b, i)| format!("[{b},{i}]"))
        .collect();
    let _ = writeln!(j, "  \"partner\": [{}],", pairs.join(","));
    j.push_str("  \"stages\": [\n");
    for (s, sn) in net.stages.iter().enumerate() {
        let flows: Vec<String> = sn
            .flows
            .iter()
            .map(|f| {
                format!(
                    "[{}]",
                    f.iter()
                        .map(|(i, q)| format!("[{i},{q:?}]"))
                        .collect::<Vec<_>>()
                        .join(",")
                )
            })
            .collect();
        let _ = write!(
            j,
            "    {{\"stage\": \"{}\", \"feed_per_output\": {:?}, \"capacity\": {:?}, \"base_output\": {:?}, \"flows\": [{}]}}",
            sn.stage,
            sn.feed_per_output,
            sn.capacity,
            sn.base_output,
            flows.join(",")
        );
        j.push_str(if s + 1 < net.stages.len() {
            ",\n"
        } else {
            "\n"
        });
    }
    j.push_str("  ],\n");
    let _ = writeln!(
        j,
        "  \"params\": {{\"lambda\": {:?}, \"rho\": {:?}, \"theta\": {:?}, \"precaution\": {:?}, \"eps_demand\": {:?}, \"eps_supply\": {:?}, \"eps_demand_long\": {:?}, \"adjust_weeks\": {:?}, \"supply_lag_weeks\": {:?}, \"cover_weeks\": {:?}, \"input_cover_weeks\": {:?}, \"replenish_weeks\": {:?}, \"reroute_lag\": {}, \"reroute_share\": {:?}, \"reroute_friction\": {:?}, \"lambda_regional\": {:?}}},",
        p.lambda, p.rho, p.theta, p.precaution, p.eps_demand, p.eps_supply, p.eps_demand_long, p.adjust_weeks, p.supply_lag_weeks, p.cover_weeks, p.input_cover_weeks, p.replenish_weeks, p.reroute_lag, p.reroute_share, p.reroute_friction, p.lambda_regional
    );
    let idx = |f: &dyn Fn(usize) -> bool| {
        format!("{:?}", (0..net.n()).filter(|&i| f(i)).collect::<Vec<_>>())
    };
    let rs: Vec<String> = r
        .restrictions
        .iter()
        .map(|x| {
            // `targets` already leaves out the exempted buyers and the exporter's own nodes;
            // `base` is the targets' baseline purchases from `from`, as realize.rs folds it.
            let t = idx(&|b| x.targets[b]);
            let from = idx(&|i| x.from[i]);
            format!("{{\"exporter\": {}, \"from\": {from}, \"stage\": {}, \"targets\": {t}, \"share\": {:?}, \"base\": {:?}, \"announced\": {}, \"start\": {}, \"end\": {}}}", x.exporter, x.stage, x.share, x.base, x.announced, x.start, x.end)
        })
        .collect();
    let ls: Vec<String> = r
        .losses
        .iter()
        .map(|x| format!("{{\"node\": {}, \"stage\": {}, \"share\": {:?}, \"announced\": {}, \"start\": {}, \"end\": {}, \"recovery\": {}}}", x.node, x.stage, x.share, x.announced, x.start, x.end, x.recovery))
        .collect();
    let es: Vec<String> = r
        .expansions
        .iter()
        .map(|x| {
            format!(
                "{{\"node\": {}, \"stage\": {}, \"weekly\": {:?}, \"start\": {}, \"ramp\": {}}}",
                x.node, x.stage, x.weekly, x.start, x.ramp
            )
        })
        .collect();
    // What the peer does not implement: it refuses a file in which any of these is nonzero.
    let _ = writeln!(
        j,
        "  \"unsupported\": {{\"demand_shifts\": {}, \"dumping\": {}, \"stockpiles\": {}, \"pact\": {}, \"trend\": {}, \"price_rationing\": {}}},",
        r.demand.len(),
        r.dumping.len(),
        r.stockpiles.len(),
        u8::from(r.pact.is_some()),
        u8::from(r.trend.is_some()),
        u8::from(r.rationing == Rationing::Price),
    );
    let _ = writeln!(
        j,
        "  \"restrictions\": [{}],\n  \"losses\": [{}],\n  \"expansions\": [{}],\n  \"weeks\": {weeks}\n}}",
        rs.join(", "),
        ls.join(", "),
        es.join(", ")
    );
    std::fs::write(out.join("network.json"), j).unwrap();
    // Reference series.
    let mut st = initial(&net, p, &r);
    let mut csv = String::from(
        "week,price_stage0,price_last,shortfall_total,production_stage0,production_last,stock_total,balance_error,fear_last\n",
    );
    for _ in 0..weeks {
        step(&net, p, &r, &mut st);
        let short: f64 = st
            .desired
            .iter()
            .zip(&st.consumed)
            .map(|(d, c)| (d - c).max(0.0))
            .sum();
        let _ = writeln!(
            csv,
            "{},{:?},{:?},{:?},{:?},{:?},{:?},{:?},{:?}",
            st.week,
            st.price[0],
            st.price[st.price.len() - 1],
            short,
            st.production[0].iter().sum::<f64>(),
            st.production[st.production.len() - 1].iter().sum::<f64>(),
            st.stock(),
            st.balance_error,
            st.fear[st.fear.len() - 1]
        );
    }
    std::fs::write(out.join("rust_series.csv"), csv).unwrap();
    // Timing: the run loop only (network built once).
    let mut times = Vec::new();
    for _ in 0..reps {
        let t0 = Instant::now();
        let mut st = initial(&net, p, &r);
        for _ in 0..weeks {
            step(&net, p, &r, &mut st);
        }
        std::hint::black_box(&st);
        times.push(t0.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let med = times[times.len() / 2];
    let links = net.links();
    println!(
        "{{\"material\": \"{}\", \"nodes\": {}, \"links\": {links}, \"weeks\": {weeks}, \"median_s\": {med}, \"link_updates_per_s\": {}}}",
        net.material,
        net.n(),
        (links * weeks) as f64 / med
    );
}
