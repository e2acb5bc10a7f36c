//! Files written whole or not at all. A result is written to a temporary file in the target's
//! folder, flushed to disk and renamed over the target: an interrupted or failed write leaves
//! the previous file as it was and no partial file that could pass for a result. Temporary
//! files in progress are registered, so that an interrupt handler can remove them before the
//! process exits ([`remove_temporaries`]).

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Temporary files being written now.
static IN_PROGRESS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Why a file could not be written. The cause is part of the message and not a `source`: as
/// both, a printer of error chains (anyhow's `{:#}`) would show it twice.
#[derive(Debug, thiserror::Error)]
pub enum WriteError<E: std::error::Error + 'static> {
    /// Creating, writing, syncing or renaming the file failed.
    #[error("{}: {}", .path.display(), describe(.error))]
    Io {
        /// The file asked for.
        path: PathBuf,
        /// The system's error.
        error: io::Error,
    },
    /// The content could not be produced.
    #[error("{}: {error}", .path.display())]
    Content {
        /// The file asked for.
        path: PathBuf,
        /// What went wrong.
        error: E,
    },
}

/// The system's error in the user's terms; a full disk is named as such.
fn describe(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(28) => "no space left on the device; the previous file, if any, is unchanged".into(),
        _ => e.to_string(),
    }
}

/// A temporary file registered while it exists.
struct Temp(PathBuf);

impl Temp {
    fn new(target: &Path) -> Temp {
        let dir = target.parent().filter(|d| !d.as_os_str().is_empty());
        let name = target
            .file_name()
            .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
        let tmp = format!(
            ".{name}.tmp-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = dir.map_or_else(|| PathBuf::from(&tmp), |d| d.join(&tmp));
        lock().push(path.clone());
        Temp(path)
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        lock().retain(|p| p != &self.0);
    }
}

fn lock() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    IN_PROGRESS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes every temporary file still being written: for an interrupt handler, right before
/// the process exits.
pub fn remove_temporaries() {
    for p in lock().drain(..) {
        let _ = std::fs::remove_file(p);
    }
}

/// Writes `path` whole or not at all: `body` writes the content into a temporary file beside
/// it, which is flushed, synced and renamed over `path` only if `body` succeeded.
pub fn write_with<E, F>(path: &Path, body: F) -> Result<(), WriteError<E>>
where
    E: std::error::Error + 'static,
    F: FnOnce(&mut BufWriter<File>) -> Result<(), E>,
{
    let io_err = |error: io::Error| WriteError::Io {
        path: path.to_path_buf(),
        error,
    };
    if path.is_dir() {
        return Err(io_err(io::Error::other("is a directory, not a file")));
    }
    let tmp = Temp::new(path);
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp.0)
        .map_err(io_err)?;
    let mut w = BufWriter::new(file);
    body(&mut w).map_err(|error| WriteError::Content {
        path: path.to_path_buf(),
        error,
    })?;
    let file = w.into_inner().map_err(|e| io_err(e.into_error()))?;
    file.sync_all().map_err(io_err)?;
    drop(file);
    std::fs::rename(&tmp.0, path).map_err(io_err)?;
    // The rename is done: the temporary no longer exists under its own name.
    lock().retain(|p| p != &tmp.0);
    std::mem::forget(tmp);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Make the rename itself durable (best effort: not every system can sync a folder).
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

/// Writes `bytes` to `path` whole or not at all.
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), WriteError<io::Error>> {
    write_with(path, |w| w.write_all(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("quadrant-atomic-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn leftovers(d: &Path) -> Vec<String> {
        std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp-"))
            .collect()
    }

    #[test]
    fn a_written_file_replaces_the_old_one() {
        let d = dir("ok");
        let p = d.join("out.csv");
        std::fs::write(&p, "old\n").unwrap();
        write(&p, b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new\n");
        assert!(leftovers(&d).is_empty());
    }

    #[test]
    fn a_failed_write_keeps_the_old_file_and_leaves_no_temporary() {
        let d = dir("fail");
        let p = d.join("out.csv");
        std::fs::write(&p, "old\n").unwrap();
        let r = write_with(&p, |w| {
            w.write_all(b"lithium,850,")?;
            Err(io::Error::other("the run failed half-way"))
        });
        let e = r.unwrap_err().to_string();
        assert!(e.contains("out.csv") && e.contains("half-way"), "{e}");
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old\n");
        assert!(leftovers(&d).is_empty(), "{:?}", leftovers(&d));
    }

    #[test]
    fn a_directory_is_called_a_directory() {
        let d = dir("isdir");
        let e = write(&d, b"x").unwrap_err().to_string();
        assert!(e.contains("is a directory"), "{e}");
    }

    #[test]
    fn a_full_device_is_named() {
        let e = describe(&io::Error::from_raw_os_error(28));
        assert!(e.contains("no space left"), "{e}");
    }
}
