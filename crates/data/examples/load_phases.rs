//! Times the phases of loading the embedded dataset (for profiling the loader).
use std::io::Read;
use std::time::Instant;
fn main() {
    let gz = quadrant_data::embedded::file("trade.csv.zst").unwrap();
    for _ in 0..15 {
        let t = Instant::now();
        let mut raw = Vec::new();
        zstd::stream::read::Decoder::new(gz)
            .unwrap()
            .read_to_end(&mut raw)
            .unwrap();
        let t_gz = t.elapsed();
        let t = Instant::now();
        let ds = quadrant_data::load_embedded().unwrap();
        let t_all = t.elapsed();
        let t = Instant::now();
        let issues = quadrant_model::validate(&ds, &|_, _, _| None);
        println!(
            "unzstd {:?} ({} MB), full load {:?}, validate {:?} ({} issues)",
            t_gz,
            raw.len() >> 20,
            t_all,
            t.elapsed(),
            issues.len()
        );
    }
}
