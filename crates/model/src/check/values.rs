//! Checks of values: finite and non-negative numbers, shares within 1, units, ranges, assets
//! within their host's output, one governance row per key, bloc members.

use super::{dup, Sink, CAPACITY};
use crate::{Dataset, Stage};
use std::collections::{HashMap, HashSet};

fn bad(v: f64) -> bool {
    !v.is_finite() || v < 0.0
}

/// `negative_or_non_finite`: quantities are finite and ≥ 0 (trade quantity may be missing).
pub(super) fn negative_or_non_finite(ds: &Dataset, s: &mut Sink) {
    const EXP: &str = "a finite, non-negative number";
    for (i, r) in ds.production.iter().enumerate() {
        if bad(r.value_t) {
            s.csv(
                "negative_or_non_finite",
                "production.csv",
                i,
                "value_t",
                EXP,
                r.value_t.to_string(),
            );
        }
    }
    for (i, r) in ds.reserves.iter().enumerate() {
        if bad(r.value_t) {
            s.csv(
                "negative_or_non_finite",
                "reserves.csv",
                i,
                "value_t",
                EXP,
                r.value_t.to_string(),
            );
        }
    }
    let t = &ds.trade;
    for i in 0..t.len() {
        if bad(t.value_kusd[i]) {
            s.csv(
                "negative_or_non_finite",
                "trade.csv.zst",
                i,
                "value_kusd",
                EXP,
                t.value_kusd[i].to_string(),
            );
        }
        let q = t.qty_t[i];
        if !q.is_nan() && bad(q) {
            s.csv(
                "negative_or_non_finite",
                "trade.csv.zst",
                i,
                "qty_t",
                EXP,
                q.to_string(),
            );
        }
    }
    for a in &ds.curated.assets {
        if bad(a.output_value) {
            s.toml(
                "negative_or_non_finite",
                "ownership.toml",
                "asset",
                &a.id,
                "output_value",
                EXP,
                a.output_value.to_string(),
            );
        }
    }
    for p in &ds.curated.projects {
        for (f, v) in [
            ("capacity_value", p.capacity_value),
            ("capex_usd_million", p.capex_usd_million),
        ] {
            if let Some(v) = v {
                if bad(v) {
                    s.toml(
                        "negative_or_non_finite",
                        "projects.toml",
                        "project",
                        &p.id,
                        f,
                        EXP,
                        v.to_string(),
                    );
                }
            }
        }
    }
    for f in &ds.curated.financiers {
        if let Some(v) = f.size_value {
            if bad(v) {
                s.toml(
                    "negative_or_non_finite",
                    "financiers.toml",
                    "financier",
                    &f.id,
                    "size_value",
                    EXP,
                    v.to_string(),
                );
            }
        }
    }
}

/// `shares_over_100`: each owner's share is in [0, 1] and one asset's shares sum to at most 1;
/// content factors are in (0, 1].
pub(super) fn shares_over_100(ds: &Dataset, s: &mut Sink) {
    for a in &ds.curated.assets {
        let mut sum = 0.0;
        for (k, o) in a.owner.iter().enumerate() {
            if !(0.0..=1.0).contains(&o.share) {
                s.toml(
                    "shares_over_100",
                    "ownership.toml",
                    "asset",
                    &a.id,
                    &format!("owner[{k}].share"),
                    "a share between 0 and 1",
                    o.share.to_string(),
                );
            }
            sum += o.share;
        }
        if let Some(f) = a.content_factor {
            if !(f > 0.0 && f <= 1.0) {
                s.toml(
                    "shares_over_100",
                    "ownership.toml",
                    "asset",
                    &a.id,
                    "content_factor",
                    "a mass fraction in (0, 1]",
                    f.to_string(),
                );
            }
        }
        if sum > 1.0 + 1e-9 {
            s.toml(
                "shares_over_100",
                "ownership.toml",
                "asset",
                &a.id,
                "owner[*].share",
                "owner shares summing to at most 1",
                format!("{sum}"),
            );
        }
    }
    for (i, h) in ds.hs_map.iter().enumerate() {
        if !(h.content_factor > 0.0 && h.content_factor <= 1.0) {
            s.csv(
                "shares_over_100",
                "hs_map.csv",
                i,
                "content_factor",
                "a mass fraction in (0, 1]",
                h.content_factor.to_string(),
            );
        }
    }
}

/// `unit_mismatch`: asset output is in tonnes, and one (dataset, material, stage) series never
/// mixes sources (which would mix bases: IEA magnet REEs are not USGS total REO).
pub(super) fn unit_mismatch(ds: &Dataset, s: &mut Sink) {
    for a in ds.curated.assets.iter().filter(|a| a.output_unit != "t") {
        s.toml(
            "unit_mismatch",
            "ownership.toml",
            "asset",
            &a.id,
            "output_unit",
            "\"t\" (tonnes in the stated basis)",
            a.output_unit.clone(),
        );
    }
    let mut series: HashMap<(&str, u16, Stage), u16> = HashMap::new();
    for (i, r) in ds.production.iter().enumerate() {
        let e = series
            .entry((r.dataset.as_str(), r.material, r.stage))
            .or_insert(r.source);
        if *e != r.source {
            s.csv(
                "unit_mismatch",
                "production.csv",
                i,
                "source",
                "the same source (hence basis) for the whole series",
                ds.sources
                    .get(r.source as usize)
                    .map(|x| x.id.clone())
                    .unwrap_or_default(),
            );
        }
    }
}

/// Years a dataset figure may be of.
const YEARS: std::ops::RangeInclusive<i64> = 1900..=2100;
/// The most weeks of use a stock cover may be: two years.
const MAX_COVER_WEEKS: f64 = 104.0;

/// `out_of_range`: WGI estimates lie within ±3.5, years are plausible, an agreement's
/// `in_force` is a date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) or empty, a utilisation rate is in
/// (0, 1] and a stock cover within [0, 104] weeks.
pub(super) fn out_of_range(ds: &Dataset, s: &mut Sink) {
    let c = &ds.curated;
    for (i, u) in c.utilisation.iter().enumerate() {
        if !(u.rate > 0.0 && u.rate <= 1.0) {
            s.entry(
                "out_of_range",
                CAPACITY,
                "utilisation",
                i,
                "rate",
                "a utilisation rate (output / capacity) in (0, 1]",
                u.rate.to_string(),
            );
        }
    }
    for (i, x) in c.stocks.iter().enumerate() {
        if !(x.weeks.is_finite() && (0.0..=MAX_COVER_WEEKS).contains(&x.weeks)) {
            s.entry(
                "out_of_range",
                CAPACITY,
                "stocks",
                i,
                "weeks",
                "a finite number of weeks of use in [0, 104]",
                x.weeks.to_string(),
            );
        }
    }
    let years = (c.utilisation.iter().map(|u| ("utilisation", u.year)))
        .enumerate()
        .chain(c.stocks.iter().map(|x| ("stocks", x.year)).enumerate());
    for (i, (table, y)) in years.filter(|(_, (_, y))| !YEARS.contains(y)) {
        s.entry(
            "out_of_range",
            CAPACITY,
            table,
            i,
            "year",
            "a year between 1900 and 2100",
            y.to_string(),
        );
    }
    for a in &ds.curated.agreements {
        if !a.in_force.is_empty() && crate::curated::date_year(&a.in_force).is_none() {
            s.toml(
                "out_of_range",
                "agreements.toml",
                "agreement",
                &a.id,
                "in_force",
                "a date YYYY-MM-DD (or YYYY-MM, YYYY), or \"\" when not in force",
                a.in_force.clone(),
            );
        }
    }
    for (i, g) in ds.governance.iter().enumerate() {
        if !(g.estimate.is_finite() && g.estimate.abs() <= 3.5) {
            s.csv(
                "out_of_range",
                "governance.csv",
                i,
                "estimate",
                "a WGI estimate within [-3.5, 3.5]",
                g.estimate.to_string(),
            );
        }
    }
    for (i, r) in ds.production.iter().enumerate() {
        if !YEARS.contains(&i64::from(r.year)) {
            s.csv(
                "out_of_range",
                "production.csv",
                i,
                "year",
                "a year between 1900 and 2100",
                r.year.to_string(),
            );
        }
    }
}

/// Slack of `asset_above_host`: a guard against gross errors (an output 100× too large, a
/// wrong unit), not a reconciliation. Company reports and the statistics differ in basis
/// (REO against element content; a nameplate or a quota used as a proxy): the Kemerton proxy
/// is 1.9× Australia's IEA refining, Lynas Malaysia's NdPr 1.6× Malaysia's, and China's
/// rare-earth separation quotas (total REO) exceed the IEA's magnet-REE figure; the control
/// computation scales such entries down to the host.
const ASSET_SLACK: f64 = 4.0;

/// `asset_above_host`: a curated asset's output (× content factor) is at most its host's
/// production that year in any dataset (with [`ASSET_SLACK`]): an asset 100× too large would
/// make the brief claim control of almost the whole world.
pub(super) fn asset_above_host(ds: &Dataset, s: &mut Sink) {
    for a in &ds.curated.assets {
        let (Some(f), Some(m), Some(c)) = (
            a.content_factor,
            ds.material(a.material.as_str()),
            ds.country(&a.country),
        ) else {
            continue;
        };
        let Ok(year) = u16::try_from(a.output_year) else {
            continue;
        };
        let host = ds
            .production
            .iter()
            .filter(|r| r.material == m && r.stage == a.stage && r.country == c && r.year == year)
            .map(|r| r.value_t)
            .fold(0.0f64, f64::max);
        let t = a.output_value * f;
        if host > 0.0 && t > ASSET_SLACK * host {
            s.toml(
                "asset_above_host",
                "ownership.toml",
                "asset",
                &a.id,
                "output_value",
                &format!(
                    "at most the host's {} {} production in {year} ({host:.0} t of content; output × content factor gives {t:.0} t)",
                    a.country, a.stage
                ),
                a.output_value.to_string(),
            );
        }
    }
}

/// `asset_kind`: a named asset records at least one owner and a residual none (a residual's
/// output is unattributed by definition; an owner would make it control data). An artisanal
/// pseudo-asset may name the diggers' home but needs no owner. Without this, a residual with
/// owners, or a named mine without them, would silently change the coverage printed beside
/// every control figure.
pub(super) fn asset_kind(ds: &Dataset, s: &mut Sink) {
    use crate::curated::AssetKind;
    for a in &ds.curated.assets {
        let (ok, exp) = match a.kind {
            AssetKind::Asset => (
                !a.owner.is_empty(),
                "at least one [[asset.owner]] for a named asset (or kind = \"residual\")",
            ),
            AssetKind::Residual => (
                a.owner.is_empty(),
                "no [[asset.owner]] on a residual pseudo-asset",
            ),
            AssetKind::Artisanal => (true, ""),
        };
        if !ok {
            s.toml(
                "asset_kind",
                "ownership.toml",
                "asset",
                &a.id,
                "owner",
                exp,
                format!("{} owner(s) on kind {}", a.owner.len(), a.kind.as_str()),
            );
        }
    }
}

/// `duplicate_governance`: one WGI row per (country, year, dimension, source); two releases of
/// the same dimension (WGI 2023 and the PV 2024 release) are two sources.
pub(super) fn duplicate_governance(ds: &Dataset, s: &mut Sink) {
    let mut seen = HashSet::new();
    for (i, g) in ds.governance.iter().enumerate() {
        if !seen.insert((g.country, g.year, g.dimension, g.source)) {
            s.csv(
                "duplicate_governance",
                "governance.csv",
                i,
                "country/year/dimension",
                "one row per country, year, dimension and source",
                format!("{} {} {:?}", ds.country_id(g.country), g.year, g.dimension),
            );
        }
    }
}

/// `bloc_members`: a bloc lists at least one member, each once.
pub(super) fn bloc_members(ds: &Dataset, s: &mut Sink) {
    for b in &ds.curated.blocs {
        if b.members.is_empty() {
            s.toml(
                "bloc_members",
                "blocs.toml",
                "bloc",
                &b.id,
                "members",
                "at least one member country",
                "[]".into(),
            );
        }
        for (_, m) in dup(b.members.iter().map(String::as_str)) {
            s.toml(
                "bloc_members",
                "blocs.toml",
                "bloc",
                &b.id,
                "members",
                "each member once",
                m.to_string(),
            );
        }
    }
}
