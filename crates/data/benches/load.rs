//! Speed of the loader, the hot path of every command (issue 7): the whole embedded dataset
//! (1.26 M trade rows included) into a validated `Dataset`, and its phases.
//!
//! `cargo bench -p quadrant-data --bench load`. The comparison with pandas and polars reading
//! the raw files is `bench/peer_table.py` (see bench/README.md).

use criterion::{criterion_group, criterion_main, Criterion};
use quadrant_data::{embedded, load_embedded, spec, MemFiles};
use std::collections::HashMap;

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("load");
    g.sample_size(20);
    g.bench_function("load_embedded", |b| b.iter(|| load_embedded().unwrap()));
    // The same dataset without its trade table (an empty one with the header): what the
    // other tables, the curated TOML and validation cost.
    let mut small: HashMap<String, Vec<u8>> = embedded::files()
        .map(|(n, b)| (n.to_string(), b.to_vec()))
        .collect();
    let header = format!("{}\n", spec::TRADE.columns.join(","));
    small.insert(
        spec::TRADE.file.to_string(),
        zstd::stream::encode_all(header.as_bytes(), 1).unwrap(),
    );
    let small = MemFiles(small);
    g.bench_function("load_without_trade", |b| {
        b.iter(|| quadrant_data::load_files(&small).unwrap())
    });
    let zst = embedded::file(spec::TRADE.file).unwrap();
    g.bench_function("unzstd_trade_one_thread", |b| {
        b.iter(|| zstd::stream::decode_all(zst).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
