//! What history recorded after a back-test's event: the observed price path and export
//! change, with their citations (`[observed]` in a scenario file).

use serde::Deserialize;

/// What history recorded after the event, for `quadrant backtest`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observed {
    /// Peak price over the pre-event price (0 or absent: not observed).
    #[serde(default)]
    pub price_ratio: f64,
    /// Change of the restricted exporter's exports in the stated window (−0.94 = −94%).
    #[serde(default)]
    pub export_change: Option<f64>,
    /// Weeks after the start over which `export_change` was observed.
    #[serde(default)]
    pub export_window_weeks: Option<usize>,
    /// Whether the price-response parameters may be fitted on this event (never a 2025
    /// event: those are out-of-sample tests).
    pub fitted: bool,
    /// Citation of the observations.
    pub source: String,
    /// Calendar date of the scenario's week 0, `YYYY-MM-DD`.
    #[serde(default)]
    pub start_date: Option<String>,
    /// The product the price path refers to (ore, concentrate, intermediate, metal, oxide).
    #[serde(default)]
    pub product: Option<String>,
    /// Who assesses the price, where and how.
    #[serde(default)]
    pub assessment: Option<String>,
    /// The network stage the product corresponds to (`mining` or `refining`).
    #[serde(default)]
    pub stage: Option<String>,
    /// Unit of the prices.
    #[serde(default)]
    pub unit: Option<String>,
    /// Where the price is assessed, when it matters.
    #[serde(default)]
    pub region: Option<String>,
    /// A country id when the assessment is a price paid outside that country (an export or
    /// Rotterdam price under that country's restriction): the simulated price compared is
    /// then the one its buyers outside it pay, world price × their premium, weighted by their
    /// baseline purchases.
    #[serde(default)]
    pub buyers_outside: Option<String>,
    /// The observed price path.
    #[serde(default, rename = "point")]
    pub points: Vec<PricePoint>,
    /// Further dated prices of other assessments (reported, not fitted).
    #[serde(default, rename = "alt_point")]
    pub alt_points: Vec<AltPoint>,
}

/// One dated price observation.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PricePoint {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Price in the path's unit.
    pub price: f64,
    /// Citation of this point.
    #[serde(default)]
    pub source: Option<String>,
    /// How the figure was read (midpoint of a range, monthly average dated the 15th …).
    #[serde(default)]
    pub note: Option<String>,
}

/// A dated price of another assessment than the main path's.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AltPoint {
    /// The product.
    pub product: String,
    /// Who assesses it.
    pub assessment: String,
    /// Network stage of the product.
    pub stage: String,
    /// Unit.
    pub unit: String,
    /// Where it is assessed.
    #[serde(default)]
    pub region: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Price in `unit`.
    pub price: f64,
    /// Citation.
    #[serde(default)]
    pub source: Option<String>,
    /// How the figure was read.
    #[serde(default)]
    pub note: Option<String>,
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (proleptic Gregorian); None if malformed.
pub fn days(date: &str) -> Option<i64> {
    let mut it = date.splitn(3, '-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let d: i64 = it.next()?.parse().ok()?;
    let dim = [
        31,
        28 + i64::from(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)),
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > dim[(m - 1) as usize] {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

impl Observed {
    /// The observed path as (week since week 0, price), in date order; points before week 0
    /// get negative weeks. Empty without a start date.
    pub fn path(&self) -> Vec<(f64, f64)> {
        let Some(t0) = self.start_date.as_deref().and_then(days) else {
            return Vec::new();
        };
        let mut v: Vec<(f64, f64)> = self
            .points
            .iter()
            .filter_map(|p| days(&p.date).map(|d| ((d - t0) as f64 / 7.0, p.price)))
            .collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        v
    }
}
