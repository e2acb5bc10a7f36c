//! Exports one material's network and a reference run for bench/step_numpy.py, and times the
//! Rust step on the same input.
//!
//!     cargo run --release -p quadrant-sim --example step_bench -- MATERIAL SCENARIO.toml OUT_DIR [WEEKS] [REPS]
//!
//! Writes OUT_DIR/network.json (nodes, stages: capacity, base_output, flows; demand; params;
//! the realized restrictions and capacity losses) and OUT_DIR/rust_series.csv (week, stage
//! prices, total shortfall, total production per stage), and prints the median wall time of
//! the run loop and the link-updates per second.

use quadrant_metrics::TradeIndex;
use quadrant_sim::params::Params;
use quadrant_sim::realize_mid;
use quadrant_sim::scenario::Scenario;
use quadrant_sim::state::initial;
use quadrant_sim::step::step;
use std::fmt::Write as _;
use std::time::Instant;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 4 {
        eprintln!("usage: step_bench MATERIAL SCENARIO.toml OUT_DIR [WEEKS] [REPS]");
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
    let p = params.get(&net.material);
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
            "    {{\"stage\": \"{}\", \"capacity\": {:?}, \"base_output\": {:?}, \"flows\": [{}]}}",
            sn.stage,
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
        "  \"params\": {{\"lambda\": {:?}, \"rho\": {:?}, \"eps_demand\": {:?}, \"eps_supply\": {:?}, \"cover_weeks\": {:?}, \"input_cover_weeks\": {:?}, \"replenish_weeks\": {:?}, \"reroute_lag\": {}, \"reroute_share\": {:?}, \"reroute_friction\": {:?}, \"lambda_regional\": {:?}}},",
        p.lambda, p.rho, p.eps_demand, p.eps_supply, p.cover_weeks, p.input_cover_weeks, p.replenish_weeks, p.reroute_lag, p.reroute_share, p.reroute_friction, p.lambda_regional
    );
    let rs: Vec<String> = r
        .restrictions
        .iter()
        .map(|x| {
            let t = format!("{:?}", x.targets.iter().enumerate().filter(|(_, &b)| b).map(|(i, _)| i).collect::<Vec<_>>());
            let idx = |f: &dyn Fn(usize) -> bool| format!("{:?}", (0..net.n()).filter(|&i| f(i)).collect::<Vec<_>>());
            let from = idx(&|i| x.from[i]);
            let own = idx(&|i| net.within(i, x.exporter));
            format!("{{\"exporter\": {}, \"from\": {from}, \"own\": {own}, \"stage\": {}, \"targets\": {t}, \"share\": {:?}, \"start\": {}, \"end\": {}}}", x.exporter, x.stage, x.share, x.start, x.end)
        })
        .collect();
    let ls: Vec<String> = r
        .losses
        .iter()
        .map(|x| format!("{{\"node\": {}, \"stage\": {}, \"share\": {:?}, \"start\": {}, \"end\": {}, \"recovery\": {}}}", x.node, x.stage, x.share, x.start, x.end, x.recovery))
        .collect();
    let _ = writeln!(
        j,
        "  \"restrictions\": [{}],\n  \"losses\": [{}],\n  \"weeks\": {weeks}\n}}",
        rs.join(", "),
        ls.join(", ")
    );
    std::fs::write(out.join("network.json"), j).unwrap();
    // Reference series.
    let mut st = initial(&net, p, &r);
    let mut csv = String::from(
        "week,price_stage0,price_last,shortfall_total,production_stage0,production_last\n",
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
            "{},{:?},{:?},{:?},{:?},{:?}",
            st.week,
            st.price[0],
            st.price[st.price.len() - 1],
            short,
            st.production[0].iter().sum::<f64>(),
            st.production[st.production.len() - 1].iter().sum::<f64>()
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
