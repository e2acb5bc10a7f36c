//! Concentration by control: production attributed to the home country of the assets' owners.
//!
//! For each producing country, the curated assets of that (material, stage) cover part of its
//! output. Asset outputs (converted to the material's basis by `content_factor`) are scaled
//! down if, being from another year, they exceed the country's production. The uncovered rest
//! is attributed to the host country and reported as `unattributed_share`: ownership unknown,
//! assumed domestic. See docs/model.md, "Control".

use crate::concentration::Concentration;
use crate::Members;
use quadrant_model::{CountryIx, Dataset, Stage};
use serde::Serialize;
use std::collections::BTreeMap;

/// How an asset's output is attributed to its owners' home countries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ControlRule {
    /// Each owner controls its equity share of the output; unlisted equity stays with the host.
    Equity,
    /// The largest owner (operator on ties) controls the whole output.
    Controlling,
}

/// World output by the home country that controls it.
#[derive(Debug, Clone, Serialize)]
pub struct Control {
    /// The attribution rule.
    pub rule: ControlRule,
    /// (home country, share of world output it controls), descending.
    pub shares: Vec<(String, f64)>,
    /// The same shares by country index.
    #[serde(skip)]
    pub by_ix: Vec<(CountryIx, f64)>,
    /// HHI of the control shares, 0–1.
    pub hhi: f64,
    /// Share of world output covered by curated assets with an ownership record.
    pub coverage: f64,
    /// Share attributed to the host because no asset record covers it.
    pub unattributed_share: f64,
    /// Ids of the assets used.
    pub assets: Vec<String>,
}

impl Control {
    /// Σ of the shares controlled from `members`.
    pub fn share_of(&self, members: &Members) -> f64 {
        self.by_ix
            .iter()
            .filter(|(c, _)| members.contains(*c))
            .map(|(_, s)| s)
            .sum()
    }
    /// Share controlled from country `c`.
    pub fn share_of_country(&self, c: CountryIx) -> f64 {
        self.by_ix
            .iter()
            .filter(|(x, _)| *x == c)
            .map(|(_, s)| s)
            .sum()
    }
}

/// Home country of an asset's controlling owner: the largest equity holder, the operator on
/// ties; None for an asset without owners (artisanal or residual pseudo-assets).
pub fn controlling_home(a: &quadrant_model::curated::Asset) -> Option<&str> {
    a.owner
        .iter()
        .max_by(|x, y| {
            x.share
                .total_cmp(&y.share)
                .then(x.operator.cmp(&y.operator))
        })
        .map(|o| o.home.as_str())
}

/// Control shares for a concentration; None when no curated asset covers this material and
/// stage (the result would be location shares relabelled).
pub fn control(ds: &Dataset, conc: &Concentration, rule: ControlRule) -> Option<Control> {
    let assets: Vec<_> = ds
        .curated
        .assets
        .iter()
        .filter(|a| {
            a.material == conc.material && a.stage == conc.stage && a.content_factor.is_some()
        })
        .collect();
    if assets.is_empty() {
        return None;
    }
    let mut ctl: BTreeMap<CountryIx, f64> = BTreeMap::new();
    let mut covered = 0.0;
    let mut unattributed = 0.0;
    let mut used = Vec::new();
    for s in &conc.shares {
        let host_assets: Vec<_> = assets
            .iter()
            .filter(|a| ds.country(&a.country) == Some(s.ix))
            .collect();
        let a_total: f64 = host_assets
            .iter()
            .map(|a| a.output_value * a.content_factor.unwrap_or(0.0))
            .sum();
        let scale = if a_total > s.value_t && a_total > 0.0 {
            s.value_t / a_total
        } else {
            1.0
        };
        for a in &host_assets {
            let out = a.output_value * a.content_factor.unwrap_or(0.0) * scale / conc.total_t;
            used.push(a.id.clone());
            if a.owner.is_empty() {
                // A residual or artisanal pseudo-asset without owners: stays with the host.
                *ctl.entry(s.ix).or_default() += out;
                unattributed += out;
                continue;
            }
            covered += out;
            match rule {
                ControlRule::Equity => {
                    let mut listed = 0.0;
                    for o in &a.owner {
                        if let Some(h) = ds.country(&o.home) {
                            *ctl.entry(h).or_default() += out * o.share;
                            listed += o.share;
                        }
                    }
                    *ctl.entry(s.ix).or_default() += out * (1.0 - listed).max(0.0);
                }
                ControlRule::Controlling => {
                    let top = controlling_home(a)
                        .and_then(|h| ds.country(h))
                        .unwrap_or(s.ix);
                    *ctl.entry(top).or_default() += out;
                }
            }
        }
        let rest = (s.value_t - a_total * scale).max(0.0) / conc.total_t;
        *ctl.entry(s.ix).or_default() += rest;
        unattributed += rest;
    }
    let mut by_ix: Vec<(CountryIx, f64)> = ctl.into_iter().collect();
    by_ix.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let hhi = by_ix
        .iter()
        .filter(|(c, _)| !ds.countries[*c as usize].aggregate)
        .map(|(_, s)| s * s)
        .sum();
    Some(Control {
        rule,
        shares: by_ix
            .iter()
            .map(|(c, s)| (ds.country_id(*c).to_string(), *s))
            .collect(),
        by_ix,
        hhi,
        coverage: covered,
        unattributed_share: unattributed,
        assets: used,
    })
}

/// Share of one host country's output (per the curated assets of `year`) whose controlling
/// owner is at home in `home`, and the share of the host's output the assets cover. This is
/// how the claim "Chinese firms control more than 80% of DRC cobalt" is checked.
pub fn host_controlled_by(
    ds: &Dataset,
    material: &str,
    stage: Stage,
    host: &str,
    home: &str,
    year: i64,
) -> Option<(f64, f64)> {
    let assets: Vec<_> = ds
        .curated
        .assets
        .iter()
        .filter(|a| {
            a.material == material && a.stage == stage && a.country == host && a.output_year == year
        })
        .filter(|a| a.content_factor.is_some())
        .collect();
    let total: f64 = assets.iter().map(|a| a.output_value).sum();
    if total <= 0.0 {
        return None;
    }
    let mut by_home = 0.0;
    let mut with_owner = 0.0;
    for a in &assets {
        if a.owner.is_empty() {
            continue;
        }
        with_owner += a.output_value;
        let home_share: f64 = a
            .owner
            .iter()
            .filter(|o| o.home == home)
            .map(|o| o.share)
            .sum();
        let top = a.owner.iter().max_by(|x, y| {
            x.share
                .total_cmp(&y.share)
                .then(x.operator.cmp(&y.operator))
        });
        if home_share >= 0.5 || top.map(|o| o.home == home).unwrap_or(false) {
            by_home += a.output_value;
        }
    }
    Some((by_home / total, with_owner / total))
}
