//! Where a dataset's files come from: a folder on disk ([`load_dir`](crate::load_dir)), files
//! held in memory ([`MemFiles`]) or the copy compiled into the binary
//! ([`Embedded`](crate::embedded::Embedded)). The loader reads through the [`Files`] trait only.

use crate::DataError;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;

/// Where the dataset's files come from: a folder on disk or the copy compiled into the binary.
pub trait Files {
    /// The bytes of `name` (a path relative to the dataset folder, such as `countries.csv`).
    fn get(&self, name: &str) -> Result<Cow<'_, [u8]>, DataError>;
}

/// A dataset folder on disk.
pub(crate) struct Dir(pub(crate) PathBuf);

impl Files for Dir {
    fn get(&self, name: &str) -> Result<Cow<'_, [u8]>, DataError> {
        let p = self.0.join(name);
        if let Some(what) = not_a_file(&p) {
            return Err(DataError::Io {
                file: p.display().to_string(),
                message: what,
            });
        }
        std::fs::read(&p)
            .map(Cow::Owned)
            .map_err(|e| DataError::Io {
                file: p.display().to_string(),
                message: e.to_string(),
            })
    }
}

/// Files held in memory, by name: for tests, fuzzing and callers that build a dataset.
#[derive(Debug, Default, Clone)]
pub struct MemFiles(pub HashMap<String, Vec<u8>>);

impl Files for MemFiles {
    fn get(&self, name: &str) -> Result<Cow<'_, [u8]>, DataError> {
        self.0
            .get(name)
            .map(|b| Cow::Borrowed(b.as_slice()))
            .ok_or_else(|| DataError::Io {
                file: format!("<memory>/{name}"),
                message: "no such file".into(),
            })
    }
}

/// What stands at `p` in the user's terms when it is not a readable regular file: missing, a
/// directory, a FIFO or another special file; None for a regular file.
pub(crate) fn not_a_file(p: &std::path::Path) -> Option<String> {
    use std::os::unix::fs::FileTypeExt;
    let m = match std::fs::metadata(p) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some("no such file".into()),
        Err(e) => return Some(format!("cannot be read: {e}")),
    };
    let t = m.file_type();
    if t.is_file() {
        None
    } else if t.is_dir() {
        Some("a directory, not a file".into())
    } else if t.is_fifo() {
        Some("a FIFO (named pipe), not a file".into())
    } else {
        Some("a special file, not a regular file".into())
    }
}
