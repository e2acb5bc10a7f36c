//! The hand-curated layer: blocs, agreements, financiers, projects, policy instruments and
//! asset ownership. Each entry carries its own citation in `source`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Curated {
    pub blocs: Vec<Bloc>,
    pub agreements: Vec<Agreement>,
    pub financiers: Vec<Financier>,
    pub projects: Vec<Project>,
    pub instruments: Vec<Instrument>,
    pub assets: Vec<Asset>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bloc {
    pub id: String,
    pub name: String,
    pub members: Vec<String>,
    #[serde(default)]
    pub since: String,
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agreement {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub parties: Vec<String>,
    #[serde(default)]
    pub respondent: Option<String>,
    #[serde(default)]
    pub signed: String,
    #[serde(default)]
    pub in_force: String,
    #[serde(default)]
    pub covers_minerals: bool,
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Financier {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub members: Vec<String>,
    pub kind: String,
    pub mandate: String,
    #[serde(default)]
    pub size_value: Option<f64>,
    #[serde(default)]
    pub size_currency: Option<String>,
    #[serde(default)]
    pub size_unit: Option<String>,
    #[serde(default)]
    pub size_note: Option<String>,
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    pub id: String,
    pub name: String,
    pub sponsor: String,
    pub sponsor_country: String,
    pub host_country: String,
    pub material: String,
    pub stage: String,
    #[serde(default)]
    pub capacity_value: Option<f64>,
    #[serde(default)]
    pub capacity_unit: Option<String>,
    #[serde(default)]
    pub capex_usd_million: Option<f64>,
    #[serde(default)]
    pub start_year: Option<i64>,
    pub status: String,
    #[serde(default)]
    pub financiers: Vec<String>,
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub country: String,
    pub material: String,
    pub value: f64,
    pub unit: String,
    #[serde(default)]
    pub start: String,
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Asset {
    pub id: String,
    pub name: String,
    pub country: String,
    pub material: String,
    pub stage: String,
    pub output_value: f64,
    pub output_unit: String,
    pub output_basis: String,
    pub output_year: i64,
    /// Tonnes of the material's basis (materials.csv) per tonne of `output_basis`; assets
    /// without it (ore tonnes, pig iron) are listed but left out of control shares.
    #[serde(default)]
    pub content_factor: Option<f64>,
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub owner: Vec<Owner>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Owner {
    pub name: String,
    pub home: String,
    pub share: f64,
    #[serde(default)]
    pub operator: bool,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub note: Option<String>,
}

impl Curated {
    pub fn bloc(&self, id: &str) -> Option<&Bloc> {
        self.blocs.iter().find(|b| b.id == id)
    }
}
