//! World Mining Data (production by country, 2018–2024) and its commodity → HS code map.

use super::ctx::Ctx;
use super::{csv_field, tab, Prod};
use crate::table::issue;
use crate::DataError;
use quadrant_model::sources;
use quadrant_model::Issue;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

const WMD_FILE: &str = "wmd_baci/wmd_production_2018_2024_long.csv";
const HSMAP_FILE: &str = "wmd_baci/wmd_hs_code_map.csv";

pub(crate) fn wmd(
    raw: &Path,
    ctx: &Ctx,
    prod: &mut Vec<Prod>,
    issues: &mut Vec<Issue>,
    report: &mut Vec<String>,
) -> Result<(), DataError> {
    let cols = [
        "commodity",
        "iso3",
        "year",
        "value",
        "unit",
        "data_source",
        "is_world_total",
    ];
    let t = tab(raw, WMD_FILE, &cols)?;
    let c: Vec<usize> = cols.iter().map(|n| t.col(n)).collect();
    let mut odd_units = 0;
    for (line, r) in &t.rows {
        let Some((mat, stage, factor)) =
            ctx.series
                .get(&("WMD".into(), r[c[0]].to_string(), String::new()))
        else {
            continue;
        };
        if &r[c[6]] == "1" {
            continue;
        }
        let Some(country) = ctx.country("WMD", &r[c[1]]) else {
            issues.push(issue(
                WMD_FILE,
                Some(*line),
                "iso3",
                "a country id from countries.csv (or an alias)",
                &r[c[1]],
            ));
            continue;
        };
        let unit = match &r[c[4]] {
            "metr. t" => 1.0,
            "kg" => 0.001,
            _ => {
                // A handful of World Mining Data rows carry a number in the unit column; the
                // unit of their value is unknowable, so they are left out and counted.
                odd_units += 1;
                continue;
            }
        };
        let (Ok(year), Ok(v)) = (r[c[2]].parse::<u16>(), r[c[3]].parse::<f64>()) else {
            issues.push(issue(
                WMD_FILE,
                Some(*line),
                "year/value",
                "numbers",
                &format!("{}/{}", &r[c[2]], &r[c[3]]),
            ));
            continue;
        };
        prod.push(Prod {
            dataset: sources::WMD.into(),
            material: mat.clone(),
            stage: stage.clone(),
            country,
            year,
            value_t: v * unit * factor,
            estimated: &r[c[5]] == "e",
            source: sources::WMD.into(),
            raw_ref: format!("{WMD_FILE}:{line}"),
            raw_value: r[c[3]].to_string(),
            raw_unit: r[c[4]].to_string(),
        });
    }
    report.push(format!(
        "WMD: skipped {odd_units} rows whose unit column is not a unit"
    ));
    Ok(())
}

pub(crate) fn gpr_map(raw: &Path, ctx: &Ctx) -> Result<Vec<u8>, DataError> {
    let t = tab(
        raw,
        HSMAP_FILE,
        &["Sheet_name", "HS Code", "HS Code - Complementary"],
    )?;
    // WMD commodity → our material, from source_map.csv's WMD series.
    let mat: HashMap<&str, &str> = ctx
        .series
        .iter()
        .filter(|((d, _, _), _)| d == "WMD")
        .map(|((_, k, _), (m, _, _))| (k.as_str(), m.as_str()))
        .collect();
    let mut s = String::from("commodity,material,hs6,source\n");
    for (_, r) in &t.rows {
        let name = &r[t.col("Sheet_name")];
        let mut hs: Vec<String> = Vec::new();
        for part in [&r[t.col("HS Code")], &r[t.col("HS Code - Complementary")]] {
            for h in part.split(';') {
                let h = h.trim();
                if h.len() == 6 && h.chars().all(|c| c.is_ascii_digit()) {
                    hs.push(h.to_string());
                }
            }
        }
        let m = mat
            .get(name)
            .copied()
            .filter(|m| ctx.materials.contains(*m))
            .unwrap_or("");
        let _ = writeln!(
            s,
            "{},{},{},SCRREEN-HSMAP",
            csv_field(name),
            m,
            hs.join(";")
        );
    }
    Ok(s.into_bytes())
}
