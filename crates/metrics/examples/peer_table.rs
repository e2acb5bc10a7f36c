//! Load the dataset and compute the HHI / import-reliance table; print the wall time of
//! load + compute (median of N runs) and write the table as CSV. Used by bench/peer_table.py.
//!
//!     cargo run --release -p quadrant-metrics --example peer_table -- OUT.csv [RUNS] [DATA_DIR]

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let out = args
        .get(1)
        .expect("usage: peer_table OUT.csv [RUNS] [DATA_DIR]");
    let runs: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(5);
    let dir = args.get(3);
    let mut times = Vec::new();
    let mut rows = Vec::new();
    for _ in 0..runs {
        let t0 = Instant::now();
        let ds = match dir {
            Some(d) => quadrant_data::load_dir(std::path::Path::new(d)).expect("dataset"),
            None => quadrant_data::load_embedded().expect("dataset"),
        };
        rows = quadrant_metrics::table::hhi_reliance_table(&ds);
        times.push(t0.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let mut s = String::from("table,commodity,year,country,value\n");
    for r in &rows {
        let c = if r.commodity.contains(',') {
            format!("\"{}\"", r.commodity)
        } else {
            r.commodity.clone()
        };
        s.push_str(&format!(
            "{},{},{},{},{}\n",
            r.table, c, r.year, r.country, r.value
        ));
    }
    std::fs::write(out, s).expect("write");
    println!(
        "{{\"rows\": {}, \"median_s\": {}, \"runs\": {}}}",
        rows.len(),
        times[times.len() / 2],
        runs
    );
}
