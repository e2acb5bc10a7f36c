//! The shipped dataset (`data/world/`), compiled into the binary so that every command works
//! from any directory and after `cargo install`. `--data DIR` reads another folder instead.

use crate::load::Files;
use crate::DataError;
use std::borrow::Cow;

macro_rules! world {
    ($f:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../data/world/",
            $f
        ))
    };
}

/// (file name, bytes) of every file of the shipped dataset.
pub static FILES: &[(&str, &[u8])] = &[
    ("sources.csv", world!("sources.csv")),
    ("countries.csv", world!("countries.csv")),
    ("materials.csv", world!("materials.csv")),
    ("hs_map.csv", world!("hs_map.csv")),
    ("production.csv", world!("production.csv")),
    ("reserves.csv", world!("reserves.csv")),
    ("governance.csv", world!("governance.csv")),
    ("trade.csv.zst", world!("trade.csv.zst")),
    ("geopolrisk_map.csv", world!("geopolrisk_map.csv")),
    ("geopolrisk_pv.csv", world!("geopolrisk_pv.csv")),
    ("demand_scenarios.csv", world!("demand_scenarios.csv")),
    ("curated/blocs.toml", world!("curated/blocs.toml")),
    ("curated/agreements.toml", world!("curated/agreements.toml")),
    ("curated/financiers.toml", world!("curated/financiers.toml")),
    ("curated/projects.toml", world!("curated/projects.toml")),
    (
        "curated/instruments.toml",
        world!("curated/instruments.toml"),
    ),
    ("curated/ownership.toml", world!("curated/ownership.toml")),
    ("curated/claims.toml", world!("curated/claims.toml")),
];

pub struct Embedded;

impl Files for Embedded {
    fn get(&self, name: &str) -> Result<Cow<'_, [u8]>, DataError> {
        FILES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| Cow::Borrowed(*b))
            .ok_or_else(|| DataError::Io {
                file: format!("<embedded>/{name}"),
                message: "not in the embedded dataset".into(),
            })
    }
}
