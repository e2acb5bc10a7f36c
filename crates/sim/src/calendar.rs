//! Calendar dates of simulated weeks, and when each event of a single run acts: what a report
//! needs to put dates on a time axis and shade an event's window without working them out.
//!
//! Week 0 starts on the scenario's `[observed] start_date` when it gives one, else on the first
//! Monday of the year after the network's year (docs/scenarios.md).

use crate::scenario::{days, Event, Param, Scenario};
use quadrant_model::Dataset;
use serde::Serialize;

/// Day counts (since 1970-01-01, as [`days`]) that are 4 mod 7 are Mondays.
const EPOCH_MONDAY: i64 = 4;

/// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's civil_from_days).
pub fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The ISO date (`2025-01-06`) of a day count since 1970-01-01.
pub fn iso(z: i64) -> String {
    let (y, m, d) = civil(z);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The first Monday of `year`, as days since 1970-01-01.
pub fn first_monday(year: i64) -> i64 {
    let jan1 = days(&format!("{year:04}-01-01")).expect("a valid date");
    jan1 + (EPOCH_MONDAY - jan1).rem_euclid(7)
}

/// The day week 0 of a run of `sc` on a network of `net_year` starts, as days since 1970.
pub fn week0(sc: &Scenario, net_year: u16) -> i64 {
    sc.observed
        .as_ref()
        .and_then(|o| o.start_date.as_deref())
        .and_then(days)
        .unwrap_or_else(|| first_monday(i64::from(net_year) + 1))
}

/// The ISO date of the first day of week `w` of a run starting on ISO date `start`.
pub fn date_of_week(start: &str, w: f64) -> String {
    let d0 = days(start).unwrap_or(0);
    iso(d0 + (w * 7.0).round() as i64)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An ISO date as a reader writes it (`2025-01-06` → `6 Jan 2025`); other text unchanged.
pub fn pretty(iso_date: &str) -> String {
    match days(iso_date) {
        Some(z) => {
            let (y, m, d) = civil(z);
            format!("{d} {} {y}", MONTHS[m as usize - 1])
        }
        None => iso_date.to_string(),
    }
}

/// Time-axis ticks for a run of `weeks` weeks from ISO date `start`: (week, label) at the first
/// week starting in each month, quarter, half-year, year or more (whichever gives at most 8
/// ticks, so that labels never crowd), labelled
/// `Jan 2025` (months, quarters) or `2025` (years).
pub fn ticks(start: &str, weeks: usize) -> Vec<(f64, String)> {
    let d0 = days(start).unwrap_or(0);
    let span_months = weeks as f64 * 7.0 / 30.44;
    let step = [1u32, 3, 6, 12, 24, 60]
        .into_iter()
        .find(|s| span_months / f64::from(*s) <= 8.0)
        .unwrap_or(120);
    let mut out = Vec::new();
    let mut last = None;
    for w in 0..=weeks {
        let (y, m, d) = civil(d0 + 7 * w as i64);
        let month_index = y * 12 + i64::from(m) - 1;
        if last == Some(month_index) {
            continue;
        }
        last = Some(month_index);
        // Only the first week starting in a month (a run may start mid-month).
        if d > 7 || month_index % i64::from(step) != 0 {
            continue;
        }
        let label = if step >= 12 {
            format!("{y}")
        } else {
            format!("{} {y}", MONTHS[m as usize - 1])
        };
        out.push((w as f64, label));
    }
    out
}

/// When one event of a single run acts (every range at its middle, as `simulate` runs it),
/// in weeks and dates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventWindow {
    /// The event's kind as scenario files name it (`export_restriction` …).
    pub kind: &'static str,
    /// Whether it is a shock (anything but a capacity expansion): a report shades its window.
    pub shock: bool,
    /// Who acts or is struck: a country or facility id; empty for demand everywhere.
    pub actor: String,
    /// Its name (countries.csv, or the facility's name in curated/ownership.toml); `every
    /// country` for demand everywhere.
    pub actor_name: String,
    /// The stage struck, where the event names one.
    pub stage: Option<String>,
    /// Its size: share still shipped (restriction), share of capacity lost (loss), demand
    /// factor (shift), price cut (dumping), tonnes a year (expansion).
    pub size: f64,
    /// Week it was announced (≤ start).
    pub announced_week: usize,
    /// First week in force.
    pub start_week: usize,
    /// First week no longer in force, at most the run's horizon (an expansion: the end of its
    /// ramp).
    pub end_week: usize,
    /// The last week in force (`end_week` − 1, at least `start_week`).
    pub last_week: usize,
    /// Date of `start_week`'s first day.
    pub start_date: String,
    /// First day of `last_week`.
    pub end_date: String,
}

/// Weeks from a drawn number, rounded as `realize` rounds them.
fn wk(p: Param) -> usize {
    p.mid().round().max(0.0) as usize
}

/// The name of a country or facility id.
fn actor_name(ds: &Dataset, id: &str) -> String {
    if let Some(c) = ds.country(id) {
        return ds.countries[c as usize].name.clone();
    }
    ds.curated
        .assets
        .iter()
        .find(|a| a.id == id)
        .map_or_else(|| id.to_string(), |a| a.name.clone())
}

/// The windows of `sc`'s events on `material` in a single run of `weeks` weeks from `start`.
pub fn event_windows(
    ds: &Dataset,
    sc: &Scenario,
    material: &str,
    weeks: usize,
    start: &str,
) -> Vec<EventWindow> {
    let mut out = Vec::new();
    for e in sc.events.iter().filter(|e| e.material() == material) {
        let (actor, stage, size, s, end) = match e {
            Event::ExportRestriction {
                exporter,
                stage,
                share,
                start_week,
                duration_weeks,
                ..
            } => (
                exporter.as_str(),
                Some(stage),
                share.mid(),
                wk(*start_week),
                wk(*start_week).saturating_add(wk(*duration_weeks)),
            ),
            Event::CapacityLoss {
                country,
                stage,
                share,
                start_week,
                duration_weeks,
                ..
            } => (
                country.as_str(),
                Some(stage),
                share.mid(),
                wk(*start_week),
                wk(*start_week).saturating_add(wk(*duration_weeks)),
            ),
            Event::CapacityExpansion {
                country,
                stage,
                tonnes_per_year,
                start_week,
                ramp_weeks,
                ..
            } => (
                country.as_str(),
                Some(stage),
                tonnes_per_year.mid(),
                wk(*start_week),
                wk(*start_week).saturating_add(wk(*ramp_weeks)),
            ),
            Event::DemandShift {
                country,
                factor,
                start_week,
                duration_weeks,
                ..
            } => (
                country.as_deref().unwrap_or(""),
                None,
                factor.mid(),
                wk(*start_week),
                wk(*start_week).saturating_add(wk(*duration_weeks)),
            ),
            Event::Dumping {
                exporter,
                stage,
                price_cut,
                start_week,
                duration_weeks,
                ..
            } => (
                exporter.as_str(),
                Some(stage),
                price_cut.mid(),
                wk(*start_week),
                wk(*start_week).saturating_add(wk(*duration_weeks)),
            ),
        };
        let (s, end) = (s.min(weeks), end.min(weeks));
        out.push(EventWindow {
            kind: e.kind(),
            shock: !matches!(e, Event::CapacityExpansion { .. }),
            actor: actor.to_string(),
            actor_name: if actor.is_empty() {
                "every country".to_string()
            } else {
                actor_name(ds, actor)
            },
            stage: stage.cloned(),
            size,
            announced_week: e.announced_week().map_or(s, |a| a.min(s)),
            start_week: s,
            end_week: end,
            last_week: end.saturating_sub(1).max(s),
            start_date: date_of_week(start, s as f64),
            end_date: date_of_week(start, end.saturating_sub(1).max(s) as f64),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_first_mondays() {
        for d in [
            "1970-01-01",
            "2000-02-29",
            "2024-12-31",
            "2025-01-06",
            "2100-03-01",
        ] {
            assert_eq!(iso(days(d).unwrap()), d);
        }
        assert_eq!(iso(first_monday(2025)), "2025-01-06");
        assert_eq!(iso(first_monday(2024)), "2024-01-01");
        assert_eq!(iso(first_monday(2023)), "2023-01-02");
        assert_eq!(date_of_week("2025-01-06", 7.0), "2025-02-24");
        assert_eq!(pretty("2025-02-24"), "24 Feb 2025");
    }

    #[test]
    fn ticks_fall_on_month_starts_and_stay_few() {
        let t = ticks("2025-01-06", 104);
        assert!((4..=9).contains(&t.len()), "{t:?}");
        assert_eq!(t[0], (0.0, "Jan 2025".to_string()));
        // Each tick's week is the first starting in its month.
        for (w, label) in &t {
            let d = date_of_week("2025-01-06", *w);
            assert!(d[8..].parse::<u32>().unwrap() <= 7, "{label}: {d}");
        }
        let decade = ticks("2025-01-06", 520);
        assert!(decade.iter().all(|(_, l)| l.len() == 4), "{decade:?}");
        assert!((4..=9).contains(&decade.len()));
    }
}
