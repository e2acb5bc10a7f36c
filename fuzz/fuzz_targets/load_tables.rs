//! Fuzzes the dataset loader: the input is split into a production table, a trade table and an
//! ownership TOML file; loading must return Ok or Err, never panic.
//!
//!     cargo install cargo-fuzz && cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run load_tables -- -max_total_time=60
#![no_main]

use libfuzzer_sys::fuzz_target;
use quadrant_data::{load_files, MemFiles};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |&b| b == 0);
    let production = parts.next().unwrap_or_default();
    let trade = parts.next().unwrap_or_default();
    let ownership = parts.next().unwrap_or_default();
    let mut m = std::collections::HashMap::new();
    let mut put = |k: &str, v: &[u8]| {
        m.insert(k.to_string(), v.to_vec());
    };
    put("sources.csv", b"id,title,publisher,edition,url,licence\nS,Title,Pub,1,u,l\n");
    put("countries.csv", b"id,name,m49,aggregate,source\nAAA,A,1,false,S\nBBB,B,2,false,S\n");
    put("materials.csv", b"id,name,basis,source\nx,X,t,S\n");
    put("hs_map.csv", b"hs6,material,stage,content_factor,factor_kind,source,note\n123456,x,mining,0.5,typical-grade,S,\n");
    let mut p = b"dataset,material,stage,country,year,value_t,estimated,source,raw_ref,raw_value,raw_unit\n".to_vec();
    p.extend_from_slice(production);
    put("production.csv", &p);
    put("reserves.csv", b"dataset,material,country,year,value_t,source,raw_ref\n");
    put("governance.csv", b"country,year,dimension,estimate,source\n");
    put("geopolrisk_map.csv", b"commodity,material,hs6,source\n");
    put("geopolrisk_pv.csv", b"country,year,normalized,source\n");
    put("demand_scenarios.csv", b"material,scenario,year,demand_t,source,raw_ref\n");
    let mut t = b"year,exporter,importer,hs6,value_kusd,qty_t,source\n".to_vec();
    t.extend_from_slice(trade);
    put("trade.csv.zst", &zstd::stream::encode_all(&t[..], 1).unwrap());
    put("curated/ownership.toml", ownership);
    for f in [
        "blocs",
        "agreements",
        "financiers",
        "projects",
        "instruments",
        "claims",
        "capacity",
    ] {
        put(&format!("curated/{f}.toml"), b"");
    }
    let _ = load_files(&MemFiles(m));
});
