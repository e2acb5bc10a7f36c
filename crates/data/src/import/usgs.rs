//! USGS Mineral Commodity Summaries (2023 and 2024 data releases): world production and
//! reserves by country.

use super::ctx::Ctx;
use super::{tab, Prod};
use crate::table::issue;
use crate::DataError;
use quadrant_model::Issue;
use std::path::Path;

const USGS_FILE: &str = "usgs_mcs/mcs_world_production_reserves_long.csv";

pub(crate) fn usgs(
    raw: &Path,
    ctx: &Ctx,
    prod: &mut Vec<Prod>,
    reserves: &mut Vec<Prod>,
    issues: &mut Vec<Issue>,
    report: &mut Vec<String>,
) -> Result<(), DataError> {
    let cols = [
        "edition",
        "commodity_code",
        "country",
        "type",
        "measure",
        "year",
        "unit",
        "estimated",
        "value",
    ];
    let t = tab(raw, USGS_FILE, &cols)?;
    let c: Vec<usize> = cols.iter().map(|n| t.col(n)).collect();
    let (mut withheld, mut totals) = (0, 0);
    for (line, r) in &t.rows {
        let edition = &r[c[0]];
        if edition != "MCS2023" && edition != "MCS2024" {
            continue;
        }
        let Some((mat, stage, factor)) =
            ctx.series
                .get(&("USGS".into(), r[c[1]].to_string(), r[c[3]].to_string()))
        else {
            continue;
        };
        let name = &r[c[2]];
        if name.starts_with("World total") {
            totals += 1;
            continue;
        }
        let Some(country) = ctx.country("USGS", name) else {
            issues.push(issue(
                USGS_FILE,
                Some(*line),
                "country",
                "a name listed in import/country_aliases.csv for USGS",
                name,
            ));
            continue;
        };
        let unit = match &r[c[6]] {
            "t" => 1.0,
            "kt" => 1000.0,
            "kg" => 0.001,
            u => {
                issues.push(issue(USGS_FILE, Some(*line), "unit", "t, kt or kg", u));
                continue;
            }
        };
        let value = &r[c[8]];
        if value.trim().is_empty() {
            withheld += 1; // "W" (withheld), "NA" or text in the source
            continue;
        }
        let Ok(v) = value.parse::<f64>() else {
            issues.push(issue(
                USGS_FILE,
                Some(*line),
                "value",
                "a number or empty",
                value,
            ));
            continue;
        };
        let dataset = format!("USGS-{edition}");
        let ed_year: u16 = edition[3..].parse().unwrap_or(0);
        let raw_ref = format!("{USGS_FILE}:{line}");
        match &r[c[4]] {
            "production" => {
                let Ok(year) = r[c[5]].parse::<u16>() else {
                    issues.push(issue(USGS_FILE, Some(*line), "year", "a year", &r[c[5]]));
                    continue;
                };
                prod.push(Prod {
                    dataset: dataset.clone(),
                    material: mat.clone(),
                    stage: stage.clone(),
                    country,
                    year,
                    value_t: v * unit * factor,
                    estimated: &r[c[7]] == "1",
                    source: dataset,
                    raw_ref,
                    raw_value: value.to_string(),
                    raw_unit: r[c[6]].to_string(),
                });
            }
            // MCS reserves are stated as of the year before the edition.
            "reserves" if stage == "mining" => {
                reserves.push(Prod {
                    dataset: dataset.clone(),
                    material: mat.clone(),
                    stage: stage.clone(),
                    country,
                    year: ed_year - 1,
                    value_t: v * unit * factor,
                    estimated: false,
                    source: dataset,
                    raw_ref,
                    raw_value: value.to_string(),
                    raw_unit: r[c[6]].to_string(),
                });
            }
            _ => {}
        }
    }
    report.push(format!(
        "USGS: skipped {withheld} withheld/NA values and {totals} world-total rows"
    ));
    Ok(())
}
