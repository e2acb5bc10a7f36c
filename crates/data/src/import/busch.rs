//! The lithium deposits of Busch et al. (2024), `lithium_deposits_busch/Deposit.csv`, as the
//! curated table `lithium_deposits.csv`: one row per deposit with its production rate in t Li
//! per year, capital and operating cost and ramp-up. The source counts kt Li and USD (2022);
//! the derivation of each column is in `data/world/SOURCES.md`.

use super::ctx::Ctx;
use super::{csv_field, num, tab};
use crate::table::issue;
use crate::DataError;
use quadrant_model::Issue;
use std::fmt::Write as _;
use std::path::Path;

const FILE: &str = "lithium_deposits_busch/Deposit.csv";

/// The columns of `lithium_deposits.csv`, in order.
pub(crate) const COLUMNS: &[&str] = &[
    "id",
    "name",
    "country",
    "kind",
    "status",
    "prod_2023_t",
    "capacity_t",
    "ramp_up_years",
    "lead_time_years",
    "capex_usd_million",
    "capex_usd_per_t_yr",
    "opening_capex_usd_million",
    "opex_usd_per_t",
    "cost_source",
    "source",
];

/// The source's columns this importer reads.
const READS: &[&str] = &[
    "d",
    "Country",
    "Deposit_Name",
    "Resource_Type_orig",
    "Status",
    "prod_rate2023",
    "max_prod_rate",
    "max_ramp_up",
    "delay_years",
    "cost_expansion",
    "cost_opening",
    "cost1_noTax",
    "cost_source",
];

/// `Hard Rock` → `hard_rock`, `Other (Geothermal)` → `geothermal`.
fn snake(s: &str) -> String {
    let s = s
        .trim()
        .strip_prefix("Other (")
        .map_or(s, |x| x.trim_end_matches(')'));
    s.to_ascii_lowercase().replace([' ', '-'], "_")
}

/// Rounds to `digits` decimals, so that the table carries no float noise.
fn round(x: f64, digits: i32) -> f64 {
    let k = 10f64.powi(digits);
    (x * k).round() / k
}

pub(crate) fn lithium_deposits(
    raw: &Path,
    ctx: &Ctx,
    issues: &mut Vec<Issue>,
    report: &mut Vec<String>,
) -> Result<Vec<u8>, DataError> {
    let t = tab(raw, FILE, READS)?;
    let c: Vec<usize> = READS.iter().map(|n| t.col(n)).collect();
    let mut out = COLUMNS.join(",");
    out.push('\n');
    let mut rows = 0;
    for (line, r) in &t.rows {
        let n = |i: usize, issues: &mut Vec<Issue>| -> f64 {
            match r[c[i]].trim().parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => v,
                _ => {
                    let found = &r[c[i]];
                    issues.push(issue(
                        FILE,
                        Some(*line),
                        READS[i],
                        "a non-negative number",
                        found,
                    ));
                    f64::NAN
                }
            }
        };
        let d = n(0, issues);
        // kt Li → t Li; the ramp-up limit is a share of the maximum rate per year.
        let (prod, cap, ramp) = (n(5, issues) * 1e3, n(6, issues) * 1e3, n(7, issues) * 1e3);
        let (delay, per_tpa) = (n(8, issues), n(9, issues));
        let (opening, opex) = (n(10, issues), n(11, issues));
        let name = &r[c[2]];
        let country = ctx
            .country("BUSCH", &r[c[1]])
            .or_else(|| ctx.country("USGS", &r[c[1]]))
            .or_else(|| ctx.names.get(r[c[1]].trim()).cloned());
        if country.is_none() {
            let exp = "a country name of countries.csv or import/country_aliases.csv";
            issues.push(issue(FILE, Some(*line), "Country", exp, &r[c[1]]));
        }
        let values = [d, prod, cap, ramp, delay, per_tpa, opening, opex];
        let (Some(country), false) = (country, values.iter().any(|v| v.is_nan())) else {
            continue;
        };
        // Capital to build from today's rate to the maximum: the opening cost of a closed
        // mine plus the expansion cost per t/yr over the added capacity.
        let capex = opening / 1e6 + per_tpa * (cap - prod).max(0.0) / 1e6;
        let _ = writeln!(
            out,
            "busch_{:03},{},{},{},{},{},{},{},{},{},{},{},{},{},Busch2024:Deposit.csv:{}",
            d as u32,
            csv_field(name),
            country,
            snake(&r[c[3]]),
            snake(&r[c[4]]),
            num(round(prod, 0)),
            num(round(cap, 0)),
            num(round(cap / ramp, 1)),
            num(delay),
            num(round(capex, 1)),
            num(round(per_tpa, 0)),
            num(round(opening / 1e6, 1)),
            num(round(opex, 0)),
            snake(&r[c[12]]),
            line
        );
        rows += 1;
    }
    report.push(format!("busch: {rows} lithium deposits from {FILE}"));
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_snake_case_words() {
        assert_eq!(snake("Hard Rock"), "hard_rock");
        assert_eq!(snake("Other (Geothermal)"), "geothermal");
        assert_eq!(snake("Volcano-Sedimentary"), "volcano_sedimentary");
        assert_eq!(snake("No info"), "no_info");
    }
}
