//! Property tests on the loaders: arbitrary input never panics, valid rows round-trip, and a
//! bad value is reported at its own line.

use proptest::prelude::*;
use quadrant_data::{load_files, MemFiles};
use std::collections::HashMap;

fn gz(s: &str) -> Vec<u8> {
    zstd::stream::encode_all(s.as_bytes(), 1).unwrap()
}

/// A minimal valid dataset; `production` and `trade` are the tables under test.
fn mini(production: &[u8], trade: &str) -> MemFiles {
    let mut m = HashMap::new();
    let mut put = |k: &str, v: &[u8]| {
        m.insert(k.to_string(), v.to_vec());
    };
    put(
        "sources.csv",
        b"id,title,publisher,edition,url,licence\nS,Title,Pub,1,u,l\n",
    );
    put(
        "countries.csv",
        b"id,name,m49,aggregate,source\nAAA,A,1,false,S\nBBB,B,2,false,S\nCCC,C,,false,S\n",
    );
    put("materials.csv", b"id,name,basis,source\nx,X,t,S\ny,Y,t,S\n");
    put("hs_map.csv", b"hs6,material,stage,content_factor,factor_kind,source,note\n123456,x,mining,0.5,typical-grade,S,\n");
    put("production.csv", production);
    put(
        "reserves.csv",
        b"dataset,material,country,year,value_t,source,raw_ref\n",
    );
    put(
        "governance.csv",
        b"country,year,dimension,estimate,source\nAAA,2020,PV,0.5,S\n",
    );
    put(
        "geopolrisk_map.csv",
        b"commodity,material,hs6,source\nX,x,123456,S\n",
    );
    put(
        "geopolrisk_pv.csv",
        b"country,year,normalized,source\nAAA,2020,0.4,S\n",
    );
    put("trade.csv.zst", &gz(trade));
    put(
        "demand_scenarios.csv",
        b"material,scenario,year,demand_t,source,raw_ref\nx,STEPS,2024,10,S,r\n",
    );
    put(
        "lithium_deposits.csv",
        b"id,name,country,kind,status,prod_2023_t,capacity_t,ramp_up_years,lead_time_years,\
capex_usd_million,capex_usd_per_t_yr,opening_capex_usd_million,opex_usd_per_t,cost_source,\
source\n",
    );
    for f in [
        "blocs",
        "agreements",
        "financiers",
        "projects",
        "instruments",
        "ownership",
        "claims",
        "capacity",
    ] {
        put(&format!("curated/{f}.toml"), b"");
    }
    MemFiles(m)
}

const HEADER: &str =
    "dataset,material,stage,country,year,value_t,estimated,source,raw_ref,raw_value,raw_unit\n";
const TRADE_HEADER: &str = "year,exporter,importer,hs6,value_kusd,qty_t,source\n";

#[test]
fn the_mini_dataset_is_valid() {
    load_files(&mini(HEADER.as_bytes(), TRADE_HEADER)).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_production_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = load_files(&mini(&bytes, TRADE_HEADER));
    }

    #[test]
    fn arbitrary_trade_text_never_panics(body in "[0-9A-Z,.\\-\n]{0,300}") {
        let _ = load_files(&mini(HEADER.as_bytes(), &format!("{TRADE_HEADER}{body}")));
    }

    /// Read as several zstd frames cut at line ends (the parallel path) or as one stream, any
    /// trade text gives the same rows and the same issues at the same lines.
    #[test]
    fn trade_frames_and_one_stream_agree(body in "(2020|AAA|BBB|ZZZ|S|1.5|[0-9A-Z.\\-]|,|\n){0,120}", cut in 1usize..60) {
        let text = format!("{TRADE_HEADER}{body}");
        let mut frames = Vec::new();
        let mut start = 0;
        let b = text.as_bytes();
        while start < b.len() {
            let end = (start + cut).min(b.len());
            let end = b[end..].iter().position(|&c| c == b'\n').map_or(b.len(), |p| end + p + 1);
            frames.extend(zstd::bulk::compress(&b[start..end.min(b.len())], 1).unwrap());
            start = end.min(b.len());
        }
        let files = |zst: Vec<u8>| {
            let mut m = mini(HEADER.as_bytes(), TRADE_HEADER);
            m.0.insert("trade.csv.zst".into(), zst);
            m
        };
        let show = |r: Result<quadrant_model::Dataset, quadrant_data::DataError>| match r {
            Ok(ds) => format!("{:?} {:?} {:?} {:?}", ds.trade.year, ds.trade.importer, ds.trade.hs6,
                ds.trade.qty_t.iter().map(|q| q.to_bits()).collect::<Vec<_>>()),
            Err(e) => e.to_string(),
        };
        let one = show(load_files(&files(zstd::stream::encode_all(b, 1).unwrap())));
        prop_assert_eq!(show(load_files(&files(frames))), one);
    }

    #[test]
    fn arbitrary_toml_never_panics(s in "\\PC{0,200}") {
        let _ = quadrant_data::parse_ownership_toml(&s);
    }

    #[test]
    fn valid_rows_round_trip(rows in proptest::collection::vec((0usize..3, 0usize..2, 1990u16..2030, 0.0f64..1e9), 1..30)) {
        let mut s = String::from(HEADER);
        let mut seen = std::collections::HashSet::new();
        let mut kept = Vec::new();
        for (c, m, y, v) in rows {
            if !seen.insert((c, m, y)) { continue; }
            let country = ["AAA", "BBB", "CCC"][c];
            let mat = ["x", "y"][m];
            s.push_str(&format!("D,{mat},mining,{country},{y},{v},false,S,raw:1,{v},t\n"));
            kept.push(v);
        }
        let ds = load_files(&mini(s.as_bytes(), TRADE_HEADER)).unwrap();
        let got: Vec<f64> = ds.production.iter().map(|r| r.value_t).collect();
        prop_assert_eq!(got, kept);
    }

    #[test]
    fn a_negative_value_is_reported_at_its_line(n in 1usize..20, bad in 0usize..20, v in -1e9f64..-1e-9) {
        let bad = bad % n;
        let mut s = String::from(HEADER);
        for i in 0..n {
            let value = if i == bad { v } else { i as f64 };
            s.push_str(&format!("D,x,mining,AAA,{},{value},false,S,raw:1,1,t\n", 2000 + i));
        }
        let err = load_files(&mini(s.as_bytes(), TRADE_HEADER)).expect_err("refused");
        let lines: Vec<Option<usize>> = err.issues().iter().map(|i| i.line).collect();
        prop_assert_eq!(lines, vec![Some(bad + 2)]);
        prop_assert_eq!(err.issues()[0].check, "negative_or_non_finite");
    }

    #[test]
    fn a_trade_row_with_an_unknown_country_names_its_line(n in 1usize..20, bad in 0usize..20) {
        let bad = bad % n;
        let mut s = String::from(TRADE_HEADER);
        for i in 0..n {
            let imp = if i == bad { "ZZZ" } else { "BBB" };
            s.push_str(&format!("2020,AAA,{imp},123456,1.5,{i},S\n"));
        }
        let err = load_files(&mini(HEADER.as_bytes(), &s)).expect_err("refused");
        let i = &err.issues()[0];
        prop_assert_eq!(i.file.as_str(), "trade.csv.zst");
        prop_assert_eq!(i.line, Some(bad + 2));
        prop_assert_eq!(i.field.as_str(), "importer");
    }
}
