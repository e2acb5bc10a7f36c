//! Concentration by control: production attributed to the home country of the assets' owners.
//!
//! For each producing country, the curated assets of that (material, stage) cover part of its
//! output. Asset outputs (converted to the material's basis by `content_factor`) are scaled
//! down if, being from another year, they exceed the country's production. The uncovered rest
//! is attributed to the host country: ownership unknown, assumed domestic. Every control
//! figure carries its [`Coverage`]: how much of the output behind it is attributed to
//! identified producers. See docs/model.md, "Concentration by control" and "Coverage".

use crate::concentration::Concentration;
use crate::Members;
use quadrant_model::curated::Asset;
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
    /// How much of world output is attributed to identified producers.
    pub coverage: Coverage,
    /// Ids of the assets used.
    pub assets: Vec<String>,
}

/// The coverage of a control figure: how the output it is computed on splits between
/// identified producers and the rest. The four parts are shares of that output (world output
/// of the stage, or the host's output for a claim) and sum to 1. See docs/model.md, "Coverage".
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Coverage {
    /// Attributed to identified producers: named assets with recorded owners plus cited
    /// artisanal pseudo-assets ([`Asset::is_identified`]).
    pub identified: f64,
    /// The part of `identified` whose output figure is a stand-in, an estimate or a proxy
    /// ([`Asset::output_is_estimate`]): a reader should treat it as an estimate.
    pub estimated: f64,
    /// On owner-less residual pseudo-assets (output known to exist, producer unassigned).
    pub residual: f64,
    /// Covered by no asset entry: the host's output above its entries' total.
    pub uncovered: f64,
}

impl Coverage {
    /// Whether part of the identified output rests on estimates or proxies.
    pub fn is_estimate(&self) -> bool {
        self.estimated > 0.0
    }

    /// Adds asset `a`'s output share `out` to the part it belongs to.
    fn add(&mut self, a: &Asset, out: f64) {
        if a.is_identified() {
            self.identified += out;
            if a.output_is_estimate() {
                self.estimated += out;
            }
        } else {
            self.residual += out;
        }
    }
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
    let mut cov = Coverage::default();
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
            cov.add(a, out);
            if a.owner.is_empty() {
                // A residual or artisanal pseudo-asset without owners: stays with the host.
                *ctl.entry(s.ix).or_default() += out;
                continue;
            }
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
        cov.uncovered += rest;
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
        coverage: cov,
        assets: used,
    })
}

/// One host's output split by controller: what a claim check reports.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HostControl {
    /// Share of the host's output whose controlling owner is at home in the controller.
    pub share: f64,
    /// How much of the host's output is attributed to identified producers.
    pub coverage: Coverage,
    /// The host's output the shares are of, t of the material's basis: the larger of its
    /// production that year (the dataset the selection rule picks) and its entries' total.
    pub host_output_t: f64,
}

/// Share of one host country's output in `year` whose controlling owner (largest stake, the
/// operator on ties, or owners together holding >= 50%) is at home in `home`, with the
/// coverage of that output. The output is the host's production that year in the dataset the
/// selection rule picks, or its curated entries' total if larger; entries are counted as
/// output x content factor. This is how the claim "Chinese firms control more than 80% of DRC
/// cobalt" is checked. None when the host has no entry that year.
pub fn host_controlled_by(
    ds: &Dataset,
    material: &str,
    stage: Stage,
    host: &str,
    home: &str,
    year: i64,
) -> Option<HostControl> {
    let assets: Vec<_> = ds
        .curated
        .assets
        .iter()
        .filter(|a| {
            a.material == material && a.stage == stage && a.country == host && a.output_year == year
        })
        .filter(|a| a.content_factor.is_some())
        .collect();
    let out = |a: &Asset| a.output_value * a.content_factor.unwrap_or(0.0);
    let entries: f64 = assets.iter().map(|a| out(a)).sum();
    if entries <= 0.0 {
        return None;
    }
    let national = host_production(ds, material, stage, host, year).unwrap_or(0.0);
    let total = entries.max(national);
    let mut by_home = 0.0;
    let mut cov = Coverage::default();
    for a in &assets {
        let o = out(a) / total;
        cov.add(a, o);
        let home_share: f64 = a
            .owner
            .iter()
            .filter(|o| o.home == home)
            .map(|o| o.share)
            .sum();
        if home_share >= 0.5 || controlling_home(a) == Some(home) {
            by_home += o;
        }
    }
    cov.uncovered = (total - entries) / total;
    Some(HostControl {
        share: by_home,
        coverage: cov,
        host_output_t: total,
    })
}

/// The host's production of (material, stage) in `year`, from the dataset the selection rule
/// picks for that year (docs/data.md, "Which source an indicator uses").
fn host_production(
    ds: &Dataset,
    material: &str,
    stage: Stage,
    host: &str,
    year: i64,
) -> Option<f64> {
    let m = ds.material(material)?;
    let c = ds.country(host)?;
    let y = u16::try_from(year).ok()?;
    let conc = crate::concentration::concentration(ds, m, stage, y)?;
    conc.shares.iter().find(|s| s.ix == c).map(|s| s.value_t)
}
