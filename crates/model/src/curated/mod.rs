//! The hand-curated layer: blocs, agreements, financiers, projects, policy instruments and
//! asset ownership, the published claims the brief checks against the data, and the
//! capacity-utilisation rates and stock covers the simulator sizes spare capacity and
//! inventories from. Each entry carries its own citation in `source`.
//!
//! Closed vocabularies are types: a stage is a [`Stage`] and an agreement kind an
//! [`AgreementKind`], so a bad value is refused by the reader at its line. Material ids are
//! [`MaterialId`]s, checked against `materials.csv` by the `unknown_material` check.

use crate::{ParseNameError, Stage};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

mod capacity;
mod finance;
pub use capacity::{StockCover, StockHolder, Utilisation, WORLD};
pub use finance::{AuditStatus, FinanceInstrument, Financier, Project, ANY};

/// The whole curated layer, one vector per file of `curated/`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Curated {
    /// `blocs.toml`.
    pub blocs: Vec<Bloc>,
    /// `agreements.toml`.
    pub agreements: Vec<Agreement>,
    /// `financiers.toml`.
    pub financiers: Vec<Financier>,
    /// `projects.toml`.
    pub projects: Vec<Project>,
    /// `instruments.toml`.
    pub instruments: Vec<Instrument>,
    /// `ownership.toml`.
    pub assets: Vec<Asset>,
    /// `claims.toml`.
    pub claims: Vec<Claim>,
    /// `capacity.toml`, `[[utilisation]]`: published capacity-utilisation rates.
    #[serde(default)]
    pub utilisation: Vec<Utilisation>,
    /// `capacity.toml`, `[[stocks]]`: published stock covers, in weeks of use.
    #[serde(default)]
    pub stocks: Vec<StockCover>,
}

/// A material id as written in the curated layer (`cobalt`, `rare_earths` …). Validated against
/// `materials.csv` by the `unknown_material` check; [`crate::Dataset::material`] turns it into
/// an index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MaterialId(pub String);

impl MaterialId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MaterialId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for MaterialId {
    fn from(s: &str) -> MaterialId {
        MaterialId(s.to_string())
    }
}

impl From<String> for MaterialId {
    fn from(s: String) -> MaterialId {
        MaterialId(s)
    }
}

impl PartialEq<str> for MaterialId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for MaterialId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for MaterialId {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

/// A group of countries (`QUAD`, `MSP` …), an entry of `blocs.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bloc {
    /// Stable id.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Short name for charts and sentences (`Quad`); absent: the full name.
    #[serde(default)]
    pub short: Option<String>,
    /// Member country ids.
    pub members: Vec<String>,
    /// Date the grouping (in this form) began.
    #[serde(default)]
    pub since: String,
    /// Citation.
    pub source: String,
    /// Caveats.
    #[serde(default)]
    pub note: Option<String>,
}

impl Bloc {
    /// The short name, or the full name when there is none.
    pub fn short_name(&self) -> &str {
        self.short.as_deref().unwrap_or(&self.name)
    }
}

/// What kind of instrument an [`Agreement`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgreementKind {
    /// Free trade agreement.
    Fta,
    /// Economic partnership agreement.
    Epa,
    /// Comprehensive economic partnership agreement.
    Cepa,
    /// Economic cooperation and trade agreement.
    Ecta,
    /// An agreement on critical-minerals supply chains.
    CriticalMineralsAgreement,
    /// A non-binding partnership or compact.
    Partnership,
    /// Negotiations under way: not an agreement yet.
    Talks,
    /// A WTO dispute: the parties are adversaries in it, not partners.
    WtoCase,
}

impl AgreementKind {
    /// The name used in `agreements.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            AgreementKind::Fta => "fta",
            AgreementKind::Epa => "epa",
            AgreementKind::Cepa => "cepa",
            AgreementKind::Ecta => "ecta",
            AgreementKind::CriticalMineralsAgreement => "critical_minerals_agreement",
            AgreementKind::Partnership => "partnership",
            AgreementKind::Talks => "talks",
            AgreementKind::WtoCase => "wto_case",
        }
    }
    /// Whether the parties are partners once it is in force (not talks, not a dispute).
    pub fn makes_partners(self) -> bool {
        !matches!(self, AgreementKind::Talks | AgreementKind::WtoCase)
    }
}

impl fmt::Display for AgreementKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AgreementKind {
    type Err = ParseNameError;
    fn from_str(s: &str) -> Result<AgreementKind, ParseNameError> {
        use AgreementKind::*;
        [
            Fta,
            Epa,
            Cepa,
            Ecta,
            CriticalMineralsAgreement,
            Partnership,
            Talks,
            WtoCase,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| ParseNameError {
            what: "agreement kind",
            found: s.to_string(),
            expected: "fta, epa, cepa, ecta, critical_minerals_agreement, partnership, talks, \
                       wto_case",
        })
    }
}

/// A trade or minerals agreement, partnership, negotiation or WTO case, an entry of
/// `agreements.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    /// Stable id.
    pub id: String,
    /// Official name.
    pub name: String,
    /// What kind of agreement.
    pub kind: AgreementKind,
    /// Party country ids (for a WTO case, complainants and respondent).
    pub parties: Vec<String>,
    /// A WTO case's respondent.
    #[serde(default)]
    pub respondent: Option<String>,
    /// Signature date (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`).
    #[serde(default)]
    pub signed: String,
    /// Entry into force, same format; `""` when not in force.
    #[serde(default)]
    pub in_force: String,
    /// Whether minerals and metals trade is covered.
    #[serde(default)]
    pub covers_minerals: bool,
    /// Citation.
    pub source: String,
    /// Caveats.
    #[serde(default)]
    pub note: Option<String>,
}

impl Agreement {
    /// The year it entered into force; None when it is not in force (or the date is not a
    /// date, which the `out_of_range` check refuses).
    pub fn in_force_year(&self) -> Option<u16> {
        date_year(&self.in_force)
    }
    /// Whether the parties count as partners in `year`: a kind that makes partners
    /// ([`AgreementKind::makes_partners`]), in force in or before `year`.
    pub fn partners_in(&self, year: u16) -> bool {
        self.kind.makes_partners() && self.in_force_year().is_some_and(|y| y <= year)
    }
}

/// The year of a date string `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
pub(crate) fn date_year(s: &str) -> Option<u16> {
    let y = s.get(..4)?;
    let rest = &s[4..];
    let ok = y.bytes().all(|b| b.is_ascii_digit())
        && (rest.is_empty()
            || (rest.starts_with('-')
                && rest[1..].bytes().all(|b| b.is_ascii_digit() || b == b'-')));
    ok.then(|| y.parse().ok()).flatten()
}

/// A policy instrument (a price floor …), an entry of `instruments.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    /// Stable id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `price_floor` (others may be added).
    pub kind: String,
    /// The state that grants it.
    pub country: String,
    /// The material it applies to.
    pub material: MaterialId,
    /// Level of the instrument, in `unit`.
    pub value: f64,
    /// Unit of `value`.
    pub unit: String,
    /// Start date.
    #[serde(default)]
    pub start: String,
    /// Citation.
    pub source: String,
    /// Caveats.
    #[serde(default)]
    pub note: Option<String>,
}

/// A mine or plant with its output and owners, an entry of `ownership.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Asset {
    /// Stable id.
    pub id: String,
    /// Mine or plant name.
    pub name: String,
    /// Host country id.
    pub country: String,
    /// The material produced.
    pub material: MaterialId,
    /// The stage of its output.
    pub stage: Stage,
    /// Output in `output_year`, in `output_unit` of `output_basis`.
    pub output_value: f64,
    /// `t` (tonnes).
    pub output_unit: String,
    /// What is counted, e.g. `contained Co`.
    pub output_basis: String,
    /// Year of the output.
    pub output_year: i64,
    /// Tonnes of the material's basis (materials.csv) per tonne of `output_basis`; assets
    /// without it (ore tonnes, pig iron) are listed but left out of control shares.
    #[serde(default)]
    pub content_factor: Option<f64>,
    /// Citation for the output.
    pub source: String,
    /// Caveats.
    #[serde(default)]
    pub note: Option<String>,
    /// What the entry stands for: a named producer (the default), the cited artisanal output
    /// of its host (identified, no controlling owner) or a residual (output not assigned to
    /// any producer). See [`AssetKind`].
    #[serde(default)]
    pub kind: AssetKind,
    /// Owners and their stakes.
    #[serde(default)]
    pub owner: Vec<Owner>,
}

/// What an [`Asset`] entry stands for; it decides whether its output counts as identified in
/// the coverage of a control figure (docs/model.md, "Coverage").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssetKind {
    /// A named mine or plant with its recorded owners: identified.
    #[default]
    Asset,
    /// Artisanal and small-scale output of the host, cited as a pseudo-asset: identified, with
    /// no controlling owner (it stays with the host).
    Artisanal,
    /// Output not assigned to any producer, so that a host's entries sum to its national
    /// figure: not identified, and it must have no owners.
    Residual,
}

impl AssetKind {
    /// The spelling in `ownership.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::Asset => "asset",
            AssetKind::Artisanal => "artisanal",
            AssetKind::Residual => "residual",
        }
    }
}

/// Markers of a stand-in figure in an asset's `note` or `output_basis` (curated/README.md):
/// an estimate of this dataset or a proxy (nameplate for output, a quota for output).
pub const ESTIMATE_MARKERS: [&str; 2] = ["ESTIMATE", "PROXY"];

impl Asset {
    /// Whether the output is a stand-in rather than a reported figure: `note` or
    /// `output_basis` carries one of [`ESTIMATE_MARKERS`] (upper case, as the README asks).
    pub fn output_is_estimate(&self) -> bool {
        ESTIMATE_MARKERS.iter().any(|m| {
            self.output_basis.contains(m) || self.note.as_deref().is_some_and(|n| n.contains(m))
        })
    }

    /// Whether the output counts as identified: a named asset with at least one recorded
    /// owner, or a cited artisanal pseudo-asset. Residuals, and named entries without owners,
    /// are not.
    pub fn is_identified(&self) -> bool {
        match self.kind {
            AssetKind::Asset => !self.owner.is_empty(),
            AssetKind::Artisanal => true,
            AssetKind::Residual => false,
        }
    }
}

/// One owner's stake in an [`Asset`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Owner {
    /// Owner name.
    pub name: String,
    /// Home country id (the state for a state-owned enterprise, else the headquarters).
    pub home: String,
    /// Equity share, 0–1.
    pub share: f64,
    /// Whether it operates the asset.
    #[serde(default)]
    pub operator: bool,
    /// Citation for the stake.
    #[serde(default)]
    pub source: String,
    /// Caveats.
    #[serde(default)]
    pub note: Option<String>,
}

/// A published claim about who controls a host country's output, which the brief checks
/// against the curated ownership data, an entry of `claims.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// Stable id.
    pub id: String,
    /// The line the brief prints; `{controller}` stands for the controlling home's id.
    pub text: String,
    /// The claim as published.
    #[serde(default)]
    pub claim: String,
    /// The material.
    pub material: MaterialId,
    /// The stage.
    pub stage: Stage,
    /// The host country id whose output is split by controller.
    pub host: String,
    /// The controlling owners' home country id; absent: the brief's adversary.
    #[serde(default)]
    pub controller_home: Option<String>,
    /// Output years of the curated assets to use, the first with data winning.
    pub years: Vec<i64>,
    /// Citation of the published claim.
    pub source: String,
    /// Caveats.
    #[serde(default)]
    pub note: Option<String>,
}

impl Claim {
    /// The text the brief prints, for controlling home `home`.
    pub fn text_for(&self, home: &str) -> String {
        self.text.replace("{controller}", home)
    }
}

impl Curated {
    /// The bloc with id `id`, if any.
    pub fn bloc(&self, id: &str) -> Option<&Bloc> {
        self.blocs.iter().find(|b| b.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_years() {
        assert_eq!(date_year("2022-06-14"), Some(2022));
        assert_eq!(date_year("2022-06"), Some(2022));
        assert_eq!(date_year("2022"), Some(2022));
        for bad in ["", "22-06-14", "2022/06/14", "soon", "202"] {
            assert_eq!(date_year(bad), None, "{bad}");
        }
    }

    #[test]
    fn agreement_kinds_round_trip_and_refuse_unknown_words() {
        for k in ["fta", "talks", "wto_case", "critical_minerals_agreement"] {
            assert_eq!(k.parse::<AgreementKind>().unwrap().as_str(), k);
        }
        let e = "treaty".parse::<AgreementKind>().unwrap_err();
        assert!(e
            .to_string()
            .starts_with("unknown agreement kind \"treaty\""));
        assert!(!AgreementKind::Talks.makes_partners());
        assert!(!AgreementKind::WtoCase.makes_partners());
        assert!(AgreementKind::Partnership.makes_partners());
    }
}
