//! Reading and writing Quadrant datasets.
//!
//! * [`load_dir`] / [`load_embedded`] read a dataset folder (the layout of `data/world/`) into a
//!   validated [`Dataset`], or refuse it whole with every [`Issue`] found.
//! * [`spec`] describes each table once (file, format, columns, references); the loader, the
//!   embedded copy and the reference checks all read it.
//! * [`import`] rebuilds the derived tables of `data/world/` from the raw sources kept under
//!   `data/raw/` (USGS MCS, World Mining Data, IEA, BACI, WGI).
//! * [`embedded`] holds the shipped dataset, compiled into the binary so that every command works
//!   from any directory.

#![warn(missing_docs)]

pub mod atomic;
pub mod embedded;
mod files;
pub mod import;
mod load;
pub mod spec;
mod table;

pub use files::{Files, MemFiles};
pub use load::{load_dir, load_files, parse_ownership_toml};
use quadrant_model::{Dataset, Issue};

/// Loads the dataset compiled into the binary (`data/world/` at build time).
pub fn load_embedded() -> Result<Dataset, DataError> {
    load_files(&embedded::Embedded)
}

/// Why a dataset could not be read. `Invalid` lists every problem, each naming file, line,
/// field and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// A file could not be read (missing, unreadable, not UTF-8, not zstd …).
    #[error("{file}: cannot read: {message}")]
    Io {
        /// The file, as a path on disk or `<embedded>/name` / `<memory>/name`.
        file: String,
        /// What went wrong, as the operating system or the decoder said it.
        message: String,
    },
    /// The files were read but the dataset is refused: every issue found, none skipped.
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

/// Names of the files a dataset folder holds, relative to the folder (the files of
/// [`spec::TABLES`], in the same order).
pub const DATASET_FILES: &[&str] = spec::FILES;
