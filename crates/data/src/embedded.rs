//! The shipped dataset (`data/world/`), compiled into the binary so that every command works
//! from any directory and after `cargo install`. `--data DIR` reads another folder instead.
//!
//! The bytes are included by the macro that declares the table specs ([`crate::spec`]), so the
//! list of embedded files is the list of tables, written once.

use crate::files::Files;
use crate::spec::{TableSpec, TABLES};
use crate::DataError;
use std::borrow::Cow;

/// The embedded copy of the shipped dataset, as a [`Files`] source for
/// [`load_files`](crate::load_files).
#[derive(Debug, Clone, Copy, Default)]
pub struct Embedded;

/// The bytes of the shipped file `name` (`trade.csv.zst`), if the dataset has such a table.
pub fn file(name: &str) -> Option<&'static [u8]> {
    TableSpec::find(name).map(TableSpec::shipped)
}

/// (file name, bytes) of every file of the shipped dataset, in the order of [`TABLES`].
pub fn files() -> impl Iterator<Item = (&'static str, &'static [u8])> {
    TABLES.iter().map(|t| (t.file, t.shipped()))
}

impl Files for Embedded {
    fn get(&self, name: &str) -> Result<Cow<'_, [u8]>, DataError> {
        file(name).map(Cow::Borrowed).ok_or_else(|| DataError::Io {
            file: format!("<embedded>/{name}"),
            message: "not in the embedded dataset".into(),
        })
    }
}
