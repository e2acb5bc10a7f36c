//! Quadrant's GeoPolRisk against the values the real geopolrisk-py 2.0.1 package computed on
//! the same raw inputs (tests/golden/geopolrisk_py_2.0.1.csv, made by
//! bench/geopolrisk/generate_golden.py). Tolerance: 1e-6 relative on HHI, import risk, score.

use quadrant_metrics::geopolrisk::{geopolrisk_group, GprIndex};

fn rel(a: f64, b: f64) -> f64 {
    if a == b {
        0.0
    } else {
        (a - b).abs() / b.abs().max(1e-300)
    }
}

#[test]
fn geopolrisk_matches_the_python_package() {
    let ds = quadrant_data::load_embedded().expect("shipped dataset loads");
    let idx = GprIndex::build(&ds);
    let golden = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/golden/geopolrisk_py_2.0.1.csv"
    );
    let mut rdr = csv::Reader::from_path(golden).expect("golden file");
    let eu: Vec<u16> = ds
        .curated
        .bloc("EU")
        .expect("EU bloc")
        .members
        .iter()
        .map(|m| ds.country(m).unwrap())
        .collect();
    let (mut checked, mut skipped) = (0, Vec::new());
    let mut failures = Vec::new();
    for rec in rdr.deserialize::<std::collections::HashMap<String, String>>() {
        let r = rec.unwrap();
        let commodity = &r["material_wmd"];
        let Some(m) = ds
            .gpr_map
            .iter()
            .find(|g| &g.commodity == commodity)
            .and_then(|g| g.material)
        else {
            skipped.push(commodity.clone());
            continue;
        };
        let year: u16 = r["year"].parse().unwrap();
        let iso = match r["importer_iso3"].as_str() {
            "S19" => "TWN",
            x => x,
        };
        let members: Vec<u16> = if iso == "EU27" {
            eu.clone()
        } else {
            vec![ds.country(iso).unwrap()]
        };
        let ours = geopolrisk_group(&ds, &idx, m, &members, iso, year).expect("score computed");
        for (k, v) in [
            ("hhi", ours.hhi),
            ("import_risk", ours.import_risk),
            ("score", ours.score),
        ] {
            let g: f64 = r[k].parse().unwrap();
            if (g.is_nan() && !v.is_nan()) || (!g.is_nan() && rel(v, g) > 1e-6) {
                failures.push(format!(
                    "{commodity} {iso} {year} {k}: ours {v} package {g}"
                ));
            }
        }
        checked += 1;
    }
    skipped.sort();
    skipped.dedup();
    assert!(
        failures.is_empty(),
        "{} mismatches of {checked}:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Every material Quadrant ships must be covered by the comparison.
    assert!(
        checked >= 900,
        "only {checked} rows compared (skipped commodities: {skipped:?})"
    );
}
