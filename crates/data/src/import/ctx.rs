//! The mapping tables every importer shares: the dataset's country, material and source ids, the
//! source country aliases and the source series map (`import/*.csv` of the dataset folder).

use super::tab;
use crate::table::issue;
use crate::DataError;
use std::collections::{HashMap, HashSet};
use std::path::Path;

pub(crate) struct Ctx {
    pub(crate) countries: HashSet<String>,
    /// Country names as `countries.csv` spells them → id, for sources that use plain names.
    pub(crate) names: HashMap<String, String>,
    pub(crate) materials: HashSet<String>,
    /// Source ids (`sources.csv`), for the curated figures' citations.
    pub(crate) sources: HashSet<String>,
    pub(crate) aliases: HashMap<(String, String), String>,
    /// (dataset, key, qualifier) → (material, stage, basis factor)
    pub(crate) series: HashMap<(String, String, String), (String, String, f64)>,
}

impl Ctx {
    pub(crate) fn load(world: &Path) -> Result<Ctx, DataError> {
        let c = tab(world, "countries.csv", &["id", "name"])?;
        let names = c
            .rows
            .iter()
            .map(|(_, r)| (r[c.col("name")].to_string(), r[c.col("id")].to_string()))
            .collect();
        let countries = c
            .rows
            .iter()
            .map(|(_, r)| r[c.col("id")].to_string())
            .collect();
        let m = tab(world, "materials.csv", &["id"])?;
        let materials: HashSet<String> = m
            .rows
            .iter()
            .map(|(_, r)| r[m.col("id")].to_string())
            .collect();
        let src = tab(world, "sources.csv", &["id"])?;
        let sources = src
            .rows
            .iter()
            .map(|(_, r)| r[src.col("id")].to_string())
            .collect();
        let a = tab(
            world,
            "import/country_aliases.csv",
            &["dataset", "alias", "country"],
        )?;
        let aliases = a
            .rows
            .iter()
            .map(|(_, r)| {
                (
                    (
                        r[a.col("dataset")].to_string(),
                        r[a.col("alias")].to_string(),
                    ),
                    r[a.col("country")].to_string(),
                )
            })
            .collect();
        let s = tab(
            world,
            "import/source_map.csv",
            &[
                "dataset",
                "key",
                "qualifier",
                "material",
                "stage",
                "basis_factor",
            ],
        )?;
        let mut series = HashMap::new();
        let mut issues = Vec::new();
        for (line, r) in &s.rows {
            let f: f64 = match r[s.col("basis_factor")].parse() {
                Ok(v) => v,
                Err(_) => {
                    issues.push(issue(
                        "import/source_map.csv",
                        Some(*line),
                        "basis_factor",
                        "a number",
                        &r[s.col("basis_factor")],
                    ));
                    continue;
                }
            };
            if !materials.contains(&r[s.col("material")]) {
                issues.push(issue(
                    "import/source_map.csv",
                    Some(*line),
                    "material",
                    "a material id from materials.csv",
                    &r[s.col("material")],
                ));
            }
            series.insert(
                (
                    r[s.col("dataset")].to_string(),
                    r[s.col("key")].to_string(),
                    r[s.col("qualifier")].to_string(),
                ),
                (
                    r[s.col("material")].to_string(),
                    r[s.col("stage")].to_string(),
                    f,
                ),
            );
        }
        if !issues.is_empty() {
            return Err(DataError::Invalid(issues));
        }
        Ok(Ctx {
            countries,
            names,
            materials,
            sources,
            aliases,
            series,
        })
    }

    /// Source country name → id. USGS appends footnote digits and an `e` (estimate) to names.
    pub(crate) fn country(&self, dataset: &str, name: &str) -> Option<String> {
        let clean = name.replace('\u{a0}', " ");
        let stripped = if dataset == "USGS" {
            clean.trim_end_matches(|c: char| c.is_ascii_digit()).trim()
        } else {
            clean.trim()
        };
        let look = |n: &str| {
            self.aliases
                .get(&(dataset.to_string(), n.to_string()))
                .cloned()
        };
        look(stripped)
            .or_else(|| stripped.strip_suffix('e').and_then(look))
            .or_else(|| {
                // A source that already uses our ids (World Mining Data's ISO3 column).
                self.countries
                    .contains(stripped)
                    .then(|| stripped.to_string())
            })
    }
}
