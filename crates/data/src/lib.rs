//! Reading and writing Quadrant datasets.
//!
//! * [`load_dir`] / [`load_embedded`] read a dataset folder (the layout of `data/world/`) into a
//!   validated [`Dataset`], or refuse it whole with every [`Issue`] found.
//! * [`import`] rebuilds the derived tables of `data/world/` from the raw sources under
//!   `shared/data/` (USGS MCS, World Mining Data, IEA, BACI, WGI).
//! * [`embedded`] holds the shipped dataset, compiled into the binary so that every command works
//!   from any directory.

pub mod atomic;
pub mod embedded;
pub mod import;
mod load;
mod table;

pub use load::{load_dir, load_embedded, load_files, parse_ownership_toml, Files, MemFiles};
use quadrant_model::Issue;

/// Why a dataset could not be read. `Invalid` lists every problem, each naming file, line,
/// field and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{file}: cannot read: {message}")]
    Io { file: String, message: String },
    #[error("dataset refused, {} issue(s):\n{}", .0.len(), list(.0))]
    Invalid(Vec<Issue>),
}

fn list(issues: &[Issue]) -> String {
    let mut s: Vec<String> = issues.iter().take(50).map(|i| format!("  {i}")).collect();
    if issues.len() > 50 {
        s.push(format!("  … and {} more", issues.len() - 50));
    }
    s.join("\n")
}

impl DataError {
    /// The issues, if this error is a validation refusal.
    pub fn issues(&self) -> &[Issue] {
        match self {
            DataError::Invalid(v) => v,
            DataError::Io { .. } => &[],
        }
    }
}

/// Names of the files a dataset folder holds, relative to the folder.
pub const DATASET_FILES: &[&str] = &[
    "sources.csv",
    "countries.csv",
    "materials.csv",
    "hs_map.csv",
    "production.csv",
    "reserves.csv",
    "governance.csv",
    "trade.csv.zst",
    "geopolrisk_map.csv",
    "geopolrisk_pv.csv",
    "demand_scenarios.csv",
    "curated/blocs.toml",
    "curated/agreements.toml",
    "curated/financiers.toml",
    "curated/projects.toml",
    "curated/instruments.toml",
    "curated/ownership.toml",
    "curated/claims.toml",
];
