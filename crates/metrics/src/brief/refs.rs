//! Names and citations carried in the brief, so that a renderer prints a country's name and
//! a source's full citation without looking anything up in the dataset.

use super::{Brief, OWNERSHIP};
use quadrant_model::Dataset;
use serde::Serialize;
use std::collections::BTreeSet;

/// A country id and its name (countries.csv).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountryName {
    /// Country id (ISO 3166-1 alpha-3, or a project code for aggregates).
    pub id: String,
    /// Its English short name.
    pub name: String,
}

/// The full citation of one source the brief cites: a row of sources.csv, or a curated file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    /// The id printed beside figures (`IEA-2025`, `curated/ownership.toml`).
    pub id: String,
    /// `Publisher. Title. Edition.`
    pub text: String,
    /// Where to get it.
    pub url: String,
    /// Terms of use.
    pub licence: String,
    /// For a curated file: the distinct citations of the entries the brief used (each asset's
    /// output and each owner's stake carries its own).
    pub entries: Vec<String>,
}

impl Brief {
    /// The name of country `id` (the bloc's name for the bloc id); the id itself when the brief
    /// does not mention it.
    pub fn name<'a>(&'a self, id: &'a str) -> &'a str {
        if id == self.bloc {
            return &self.bloc_name;
        }
        self.countries
            .binary_search_by(|c| c.id.as_str().cmp(id))
            .map_or(id, |i| &self.countries[i].name)
    }
    /// Whether any stage's figures are projections rather than records.
    pub fn projected(&self) -> bool {
        self.materials
            .iter()
            .flat_map(|m| &m.stages)
            .any(|s| s.projection)
    }
    /// The citation of source `id`, when the brief cites it.
    pub fn citation(&self, id: &str) -> Option<&Citation> {
        self.sources.iter().find(|c| c.id == id)
    }
}

/// Every country id the brief prints, with its name, sorted by id.
pub(super) fn country_names(ds: &Dataset, b: &Brief) -> Vec<CountryName> {
    let mut ids: BTreeSet<&str> = BTreeSet::new();
    ids.extend(b.members.iter().map(String::as_str));
    ids.insert(&b.adversary);
    for c in &b.claims {
        ids.insert(&c.host);
        ids.insert(&c.controller);
    }
    for s in b.materials.iter().flat_map(|m| &m.stages) {
        ids.extend(s.top.iter().map(|p| p.country.as_str()));
        ids.extend(s.member_reliance.iter().map(|r| r.country.as_str()));
        ids.extend(s.alternatives.iter().map(|a| a.top_country.as_str()));
        if let Some(c) = &s.control {
            ids.extend(c.top.iter().map(|x| x.0.as_str()));
        }
        if let Some(r) = &s.reserves {
            ids.extend(r.top.iter().map(|x| x.0.as_str()));
        }
        if let Some(o) = &s.origin {
            ids.extend(o.by_origin.iter().map(|x| x.0.as_str()));
            ids.extend(o.by_stage_country.iter().map(|x| x.0.as_str()));
        }
    }
    for g in b.materials.iter().flat_map(|m| &m.geopolrisk) {
        ids.insert(&g.importer);
    }
    ids.into_iter()
        .filter_map(|id| {
            let c = ds.country(id)?;
            Some(CountryName {
                id: id.to_string(),
                name: ds.countries[c as usize].name.clone(),
            })
        })
        .collect()
}

/// Every source string the brief prints beside a figure.
fn source_strings(b: &Brief) -> Vec<&str> {
    let mut v: Vec<&str> = b.claims.iter().map(|c| c.source.as_str()).collect();
    for s in b.materials.iter().flat_map(|m| &m.stages) {
        v.push(&s.source);
        v.push(&s.reliance_source);
        v.extend(s.alternatives.iter().map(|a| a.dataset.as_str()));
        if let Some(c) = &s.control {
            v.push(&c.source);
        }
        if let Some(r) = &s.reserves {
            v.push(&r.source);
        }
        if let Some(o) = &s.origin {
            v.push(&o.datasets.0);
            v.push(&o.datasets.1);
            v.push(&o.trade_dataset);
        }
    }
    for g in b.materials.iter().flat_map(|m| &m.geopolrisk) {
        v.extend(g.sources.iter().map(String::as_str));
    }
    v
}

/// The full citation of every source the brief cites, sorted by id: each sources.csv id named
/// in a source string (`IEA-2025+BACI-HS92-V202401b 2024` cites both), the governance datasets
/// behind the governance-weighted HHI, and the ownership file with the citations of the assets
/// it used.
pub(super) fn citations(ds: &Dataset, b: &Brief) -> Vec<Citation> {
    let mut ids: BTreeSet<&str> = BTreeSet::new();
    for s in source_strings(b) {
        ids.extend(
            s.split(['+', ' ', ','])
                .filter(|t| ds.source(t).is_some() || *t == OWNERSHIP),
        );
    }
    if b.materials.iter().any(|m| !m.stages.is_empty()) {
        // The governance-weighted HHI of every stage reads WGI rows.
        for g in &ds.governance {
            ids.insert(&ds.source_of(g.source).id);
        }
    }
    ids.into_iter()
        .map(|id| citation_of(ds, id).unwrap_or_else(|| ownership_citation(ds, b)))
        .collect()
}

/// The full citation of sources.csv id `id`, if the dataset has it.
pub fn citation_of(ds: &Dataset, id: &str) -> Option<Citation> {
    let s = ds.source_of(ds.source(id)?);
    Some(Citation {
        id: s.id.clone(),
        text: s.citation(),
        url: s.url.clone(),
        licence: s.licence.clone(),
        entries: Vec::new(),
    })
}

/// The curated ownership file, with the distinct citations of the assets (outputs and owners'
/// stakes) of each material and stage whose control the brief reports or whose claim it checks.
fn ownership_citation(ds: &Dataset, b: &Brief) -> Citation {
    let used = |material: &str, stage| {
        b.claims
            .iter()
            .any(|c| c.material == material && c.stage == stage)
            || b.materials.iter().any(|m| {
                m.material == material
                    && m.stages
                        .iter()
                        .any(|s| s.stage == stage && s.control.is_some())
            })
    };
    let mut seen = BTreeSet::new();
    let mut entries = Vec::new();
    for a in ds
        .curated
        .assets
        .iter()
        .filter(|a| used(a.material.as_str(), a.stage))
    {
        for s in std::iter::once(&a.source).chain(a.owner.iter().map(|o| &o.source)) {
            if seen.insert(s.as_str()) {
                entries.push(s.clone());
            }
        }
    }
    Citation {
        id: OWNERSHIP.to_string(),
        text: "Quadrant. Facility-level ownership and control of mines and refineries, \
               compiled from company reports, filings and the press; each asset's output and \
               each owner's stake cites its own source (listed here). data/world/curated/ownership.toml."
            .to_string(),
        url: "data/world/curated/ownership.toml".to_string(),
        licence: "compilation Apache-2.0; facts as reported by the cited publishers".to_string(),
        entries,
    }
}

/// The citations of several briefs (`--all-years`), each id once, sorted by id; a curated
/// file's entries are those of every brief, each once.
pub fn all_sources(briefs: &[Brief]) -> Vec<Citation> {
    let mut out: Vec<Citation> = Vec::new();
    for c in briefs.iter().flat_map(|b| &b.sources) {
        match out.iter_mut().find(|x| x.id == c.id) {
            Some(x) => {
                for e in &c.entries {
                    if !x.entries.contains(e) {
                        x.entries.push(e.clone());
                    }
                }
            }
            None => out.push(c.clone()),
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}
