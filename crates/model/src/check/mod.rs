//! Named validation checks. Each check is one function that appends [`Issue`]s; [`validate`]
//! runs them all. Readers run `validate` on every load and refuse a dataset with any issue.
//!
//! Rows of a CSV table sit at line `index + 2` of their file (one header line); curated TOML
//! entries are located by the reader, which passes a `locate` callback. Closed vocabularies
//! (stages, agreement kinds) are types in [`crate::curated`], so the reader refuses a bad value
//! at its line before these checks run.

use crate::Dataset;
use std::collections::HashSet;
use std::fmt;

/// One problem found in a dataset: where it is, which check found it, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// The check that found it (`parse` for the reader's own checks).
    pub check: &'static str,
    /// File, relative to the dataset folder.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The column, or `table[id=…].field` in a curated file.
    pub field: String,
    /// What a valid value looks like.
    pub expected: String,
    /// The value found.
    pub found: String,
}

impl std::error::Error for Issue {}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}", self.file, l)?,
            None => write!(f, "{}", self.file)?,
        }
        write!(
            f,
            ": field `{}`: expected {}, found {:?} [{}]",
            self.field, self.expected, self.found, self.check
        )
    }
}

/// Finds the line of a curated entry, given file name, table name and entry id; in a table
/// whose entries have no id (`capacity.toml`) the id is `#n`, the entry's 1-based position
/// in its table (the line of its `[[table]]` header).
pub type Locate<'a> = &'a dyn Fn(&str, &str, &str) -> Option<usize>;

struct Sink<'a> {
    issues: Vec<Issue>,
    locate: Locate<'a>,
}

impl Sink<'_> {
    fn csv(
        &mut self,
        check: &'static str,
        file: &str,
        index: usize,
        field: &str,
        exp: &str,
        found: String,
    ) {
        self.issues.push(Issue {
            check,
            file: file.to_string(),
            line: Some(index + 2),
            field: field.to_string(),
            expected: exp.to_string(),
            found,
        });
    }
    #[allow(clippy::too_many_arguments)]
    fn toml(
        &mut self,
        check: &'static str,
        file: &str,
        table: &str,
        id: &str,
        field: &str,
        exp: &str,
        found: String,
    ) {
        let line = (self.locate)(file, table, id);
        self.issues.push(Issue {
            check,
            file: format!("curated/{file}"),
            line,
            field: format!("{table}[id={id}].{field}"),
            expected: exp.to_string(),
            found,
        });
    }
    /// An issue in entry `index` (0-based) of a curated table whose entries have no id: the
    /// field reads `table[#n].field` with n the 1-based position, and the line is the entry's.
    #[allow(clippy::too_many_arguments)]
    fn entry(
        &mut self,
        check: &'static str,
        file: &str,
        table: &str,
        index: usize,
        field: &str,
        exp: &str,
        found: String,
    ) {
        let n = format!("#{}", index + 1);
        let line = (self.locate)(file, table, &n);
        self.issues.push(Issue {
            check,
            file: format!("curated/{file}"),
            line,
            field: format!("{table}[{n}].{field}"),
            expected: exp.to_string(),
            found,
        });
    }
}

/// The capacity table's file, as the checks name it.
const CAPACITY: &str = "capacity.toml";

mod ids;
mod plan;
mod values;

use ids::{dangling_reference, duplicate_id, missing_source, unknown_country, unknown_material};
use plan::{financier_mandate, project_inputs};
use values::{
    asset_above_host, asset_kind, bloc_members, duplicate_governance, negative_or_non_finite,
    out_of_range, shares_over_100, unit_mismatch,
};

/// Runs every named check. An empty result means the dataset is valid.
pub fn validate(ds: &Dataset, locate: Locate<'_>) -> Vec<Issue> {
    let mut s = Sink {
        issues: Vec::new(),
        locate,
    };
    duplicate_id(ds, &mut s);
    missing_source(ds, &mut s);
    negative_or_non_finite(ds, &mut s);
    shares_over_100(ds, &mut s);
    unknown_country(ds, &mut s);
    unknown_material(ds, &mut s);
    dangling_reference(ds, &mut s);
    unit_mismatch(ds, &mut s);
    out_of_range(ds, &mut s);
    asset_above_host(ds, &mut s);
    asset_kind(ds, &mut s);
    duplicate_governance(ds, &mut s);
    bloc_members(ds, &mut s);
    project_inputs(ds, &mut s);
    financier_mandate(ds, &mut s);
    s.issues
}

/// The (index, id) of every id that appeared before.
fn dup<'a, I: IntoIterator<Item = &'a str>>(ids: I) -> Vec<(usize, &'a str)> {
    let mut seen = HashSet::new();
    ids.into_iter()
        .enumerate()
        .filter(|(_, id)| !seen.insert(*id))
        .collect()
}
