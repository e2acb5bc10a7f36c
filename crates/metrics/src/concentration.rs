//! Production shares, top-k shares, HHI (by location) and governance-weighted concentration.

use crate::Members;
use quadrant_model::{CountryIx, Dataset, Dimension, MaterialIx, SourceIx, Stage};
use serde::Serialize;

/// One producer's output and share.
#[derive(Debug, Clone, Serialize)]
pub struct Share {
    /// Country id.
    pub country: String,
    /// Country index.
    #[serde(skip)]
    pub ix: CountryIx,
    /// Output, tonnes of the material's basis.
    pub value_t: f64,
    /// Share of the world total, 0–1.
    pub share: f64,
    /// The raw record this figure was imported from.
    pub raw_ref: String,
}

/// Concentration of one (material, stage, year) in one dataset.
#[derive(Debug, Clone, Serialize)]
pub struct Concentration {
    /// Material id.
    pub material: String,
    /// The stage.
    pub stage: Stage,
    /// Year of the data.
    pub year: u16,
    /// Dataset (source edition) id.
    pub dataset: String,
    /// The dataset's source index.
    #[serde(skip)]
    pub source: SourceIx,
    /// World total, aggregates ("Rest of world") included.
    pub total_t: f64,
    /// Producers by share, descending; aggregates included (flagged by `country`).
    pub shares: Vec<Share>,
    /// Σ sᵢ² over named countries (aggregates excluded: a residual is many producers).
    pub hhi: f64,
    /// Top producer's share.
    pub top1: f64,
    /// Top three producers' share.
    pub top3: f64,
    /// Share of the total held by aggregate residuals.
    pub residual_share: f64,
}

impl Concentration {
    /// Σ of the shares of `members`.
    pub fn share_of(&self, members: &Members) -> f64 {
        self.shares
            .iter()
            .filter(|s| members.contains(s.ix))
            .map(|s| s.share)
            .sum()
    }
    /// Share of country `c`.
    pub fn share_of_country(&self, c: CountryIx) -> f64 {
        self.shares
            .iter()
            .filter(|s| s.ix == c)
            .map(|s| s.share)
            .sum()
    }
    /// Output of country `c`, tonnes.
    pub fn value_of(&self, c: CountryIx) -> f64 {
        self.shares
            .iter()
            .filter(|s| s.ix == c)
            .map(|s| s.value_t)
            .sum()
    }
}

/// Concentration of (material, stage) in `year`, from the dataset the selection rule picks.
pub fn concentration(
    ds: &Dataset,
    material: MaterialIx,
    stage: Stage,
    year: u16,
) -> Option<Concentration> {
    let dataset = ds.pick_dataset(material, stage, year)?;
    concentration_in(ds, &dataset, material, stage, year)
}

/// Concentration from one named dataset.
pub fn concentration_in(
    ds: &Dataset,
    dataset: &str,
    material: MaterialIx,
    stage: Stage,
    year: u16,
) -> Option<Concentration> {
    let rows: Vec<_> = ds.production_rows(dataset, material, stage, year).collect();
    if rows.is_empty() {
        return None;
    }
    let total: f64 = rows.iter().map(|r| r.value_t).sum();
    if total <= 0.0 {
        return None;
    }
    let mut shares: Vec<Share> = rows
        .iter()
        .map(|r| Share {
            country: ds.country_id(r.country).to_string(),
            ix: r.country,
            value_t: r.value_t,
            share: r.value_t / total,
            raw_ref: r.raw_ref.clone(),
        })
        .collect();
    // Descending by share; ties by id so that output order is deterministic.
    shares.sort_by(|a, b| {
        b.share
            .total_cmp(&a.share)
            .then_with(|| a.country.cmp(&b.country))
    });
    let named = |s: &&Share| !ds.countries[s.ix as usize].aggregate;
    let hhi = shares.iter().filter(named).map(|s| s.share * s.share).sum();
    let top: Vec<f64> = shares
        .iter()
        .filter(named)
        .map(|s| s.share)
        .take(3)
        .collect();
    let residual_share = shares
        .iter()
        .filter(|s| ds.countries[s.ix as usize].aggregate)
        .map(|s| s.share)
        .sum();
    Some(Concentration {
        material: ds.material_id(material).to_string(),
        stage,
        year,
        dataset: dataset.to_string(),
        source: rows[0].source,
        total_t: total,
        hhi,
        top1: top.first().copied().unwrap_or(0.0),
        top3: top.iter().sum(),
        residual_share,
        shares,
    })
}

/// Which WGI figure weights the concentration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum GovBasis {
    /// Political Stability and Absence of Violence only.
    PoliticalStability,
    /// Mean of the six dimensions.
    AllSix,
}

/// The governance risk gᵢ ∈ [0, 1] of a country: (2.5 − WGI)/5, clamped; WGI from the latest
/// year ≤ `year` (at most 5 years back). None when no WGI figure exists.
pub fn governance_risk(
    ds: &Dataset,
    c: CountryIx,
    year: u16,
    basis: GovBasis,
) -> Option<(f64, u16)> {
    for y in (year.saturating_sub(5)..=year).rev() {
        let v = match basis {
            GovBasis::PoliticalStability => ds.governance(c, y, Dimension::PV),
            GovBasis::AllSix => {
                let v: Vec<f64> = Dimension::ALL
                    .iter()
                    .filter_map(|&d| ds.governance(c, y, d))
                    .collect();
                (v.len() == 6).then(|| v.iter().sum::<f64>() / 6.0)
            }
        };
        if let Some(v) = v {
            return Some((((2.5 - v) / 5.0).clamp(0.0, 1.0), y));
        }
    }
    None
}

/// Governance-weighted HHI: Σ sᵢ² gᵢ over named producers with a WGI figure, and the share of
/// production that had one (coverage).
pub fn governance_weighted_hhi(ds: &Dataset, c: &Concentration, basis: GovBasis) -> (f64, f64) {
    let mut v = 0.0;
    let mut covered = 0.0;
    for s in c
        .shares
        .iter()
        .filter(|s| !ds.countries[s.ix as usize].aggregate)
    {
        if let Some((g, _)) = governance_risk(ds, s.ix, c.year, basis) {
            v += s.share * s.share * g;
            covered += s.share;
        }
    }
    (v, covered)
}

/// The latest year ≤ `max_year` with production data for (material, stage).
pub fn latest_year(ds: &Dataset, material: MaterialIx, stage: Stage, max_year: u16) -> Option<u16> {
    ds.production_years(material, stage)
        .into_iter()
        .filter(|&y| y <= max_year)
        .max()
}
