//! IEA Critical Minerals Data Explorer (2025): mining and refining output by country, and
//! total demand by scenario.

use super::ctx::Ctx;
use super::{num, read, tab, Prod};
use crate::table::issue;
use crate::DataError;
use quadrant_model::sources;
use quadrant_model::Issue;
use std::fmt::Write as _;
use std::path::Path;

const IEA_FILE: &str = "iea_via_uk_dashboard/iea_supply_mining_refining_by_country.csv";
const IEA_JSON: &str = "iea_via_uk_dashboard/iea.json";

pub(crate) fn iea(
    raw: &Path,
    ctx: &Ctx,
    prod: &mut Vec<Prod>,
    issues: &mut Vec<Issue>,
    report: &mut Vec<String>,
) -> Result<(), DataError> {
    let cols = ["mineral", "stage", "country", "year", "value_kt"];
    let t = tab(raw, IEA_FILE, &cols)?;
    let c: Vec<usize> = cols.iter().map(|n| t.col(n)).collect();
    let mut aggregates = 0;
    for (line, r) in &t.rows {
        let Some((mat, stage, factor)) =
            ctx.series
                .get(&("IEA".into(), r[c[0]].to_string(), r[c[1]].to_string()))
        else {
            continue;
        };
        let name = &r[c[2]];
        if name.starts_with("__") {
            aggregates += 1; // totals and top-3 shares: recomputed, never imported
            continue;
        }
        if name.starts_with("Notes:") || name.starts_with('\u{201c}') {
            aggregates += 1; // footnote text the flattening carried into the country column
            continue;
        }
        let Some(country) = ctx.country("IEA", name) else {
            issues.push(issue(
                IEA_FILE,
                Some(*line),
                "country",
                "a name listed in import/country_aliases.csv for IEA",
                name,
            ));
            continue;
        };
        let (Ok(year), Ok(v)) = (r[c[3]].parse::<u16>(), r[c[4]].parse::<f64>()) else {
            issues.push(issue(
                IEA_FILE,
                Some(*line),
                "year/value_kt",
                "numbers",
                &format!("{}/{}", &r[c[3]], &r[c[4]]),
            ));
            continue;
        };
        // Observed 2024 and the base-case projections are separate datasets, so that no share
        // ever mixes an observation with a projection.
        let ds = if year <= 2024 {
            sources::IEA_2025
        } else {
            sources::IEA_2025_BASE
        };
        prod.push(Prod {
            dataset: ds.into(),
            material: mat.clone(),
            stage: stage.clone(),
            country,
            year,
            value_t: v * 1000.0 * factor,
            estimated: year > 2024,
            source: ds.into(),
            raw_ref: format!("{IEA_FILE}:{line}"),
            raw_value: r[c[4]].to_string(),
            raw_unit: "kt".into(),
        });
    }
    report.push(format!(
        "IEA: skipped {aggregates} aggregate rows (__total, __top3Share)"
    ));
    Ok(())
}

/// IEA total demand by mineral and scenario (STEPS, APS, NZE), kt → t, with the observed 2024
/// value repeated under each scenario so that growth factors need one table.
pub(crate) fn demand_scenarios(raw: &Path, ctx: &Ctx) -> Result<Vec<u8>, DataError> {
    let bytes = read(raw, IEA_JSON)?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| DataError::Io {
        file: IEA_JSON.into(),
        message: e.to_string(),
    })?;
    let total = v
        .get("totalDemand")
        .and_then(|t| t.as_object())
        .ok_or_else(|| {
            DataError::Invalid(vec![issue(
                IEA_JSON,
                None,
                "totalDemand",
                "an object of minerals",
                "missing",
            )])
        })?;
    let mut rows: Vec<(String, String, u16, f64, String)> = Vec::new();
    for (mineral, body) in total {
        let Some((mat, _, _)) =
            ctx.series
                .get(&("IEA".to_string(), mineral.clone(), "mining".to_string()))
        else {
            continue;
        };
        let Some(td) = body.get("totalDemand") else {
            continue;
        };
        let base = td.get("2024").and_then(|x| x.as_f64());
        let path = format!("totalDemand.{mineral}.totalDemand");
        for sc in ["STEPS", "APS", "NZE"] {
            if let Some(b) = base {
                rows.push((
                    mat.clone(),
                    sc.to_string(),
                    2024,
                    b * 1000.0,
                    format!("{IEA_JSON}:{path}.2024"),
                ));
            }
            if let Some(t) = td.get(sc).and_then(|x| x.as_object()) {
                for (y, val) in t {
                    if let (Ok(year), Some(x)) = (y.parse::<u16>(), val.as_f64()) {
                        rows.push((
                            mat.clone(),
                            sc.to_string(),
                            year,
                            x * 1000.0,
                            format!("{IEA_JSON}:{path}.{sc}.{y}"),
                        ));
                    }
                }
            }
        }
    }
    rows.sort_by(|a, b| (&a.0, &a.1, a.2).cmp(&(&b.0, &b.1, b.2)));
    let mut s = String::from("material,scenario,year,demand_t,source,raw_ref\n");
    for (m, sc, y, d, r) in rows {
        let _ = writeln!(s, "{m},{sc},{y},{},IEA-2025,{r}", num(d));
    }
    Ok(s.into_bytes())
}
