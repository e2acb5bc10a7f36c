//! Where results go, and the process contract around them: a file is written whole or not at
//! all (`quadrant_data::atomic`); a closed pipe ends the command quietly; a full device is an
//! error that says so; Ctrl-C exits 130 at once, or, during a Monte Carlo, after the runs in
//! flight (a second Ctrl-C exits at once).

use anyhow::{anyhow, Result};
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Exit status of a command interrupted by Ctrl-C (128 + SIGINT).
pub const EXIT_INTERRUPTED: u8 = 130;
/// Exit status when standard output was closed by its reader (128 + SIGPIPE).
pub const EXIT_BROKEN_PIPE: u8 = 141;

/// Set by the first Ctrl-C while a command that can stop gracefully runs.
pub static STOP: AtomicBool = AtomicBool::new(false);
static GRACEFUL: AtomicBool = AtomicBool::new(false);
static HITS: AtomicUsize = AtomicUsize::new(0);

/// The reader of standard output went away: not a failure of the command.
#[derive(Debug, thiserror::Error)]
#[error("standard output closed")]
pub struct BrokenPipe;

/// Installs the Ctrl-C handler: removes temporary files and exits 130, unless a command that
/// stops gracefully is running and this is the first Ctrl-C (then it only sets [`STOP`]).
pub fn install_interrupt() {
    let _ = ctrlc::set_handler(|| {
        let first = HITS.fetch_add(1, Ordering::SeqCst) == 0;
        if first && GRACEFUL.load(Ordering::SeqCst) {
            STOP.store(true, Ordering::SeqCst);
            eprintln!("\ninterrupted: finishing the runs in flight (Ctrl-C again to quit now)");
            return;
        }
        quadrant_data::atomic::remove_temporaries();
        eprintln!("\ninterrupted");
        std::process::exit(i32::from(EXIT_INTERRUPTED));
    });
}

/// Marks the start of work that stops gracefully on the first Ctrl-C.
pub fn graceful() {
    GRACEFUL.store(true, Ordering::SeqCst);
}

/// Writes `text` to standard output.
pub fn stdout(text: &str) -> Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            io::ErrorKind::BrokenPipe => anyhow!(BrokenPipe),
            _ if e.raw_os_error() == Some(28) => {
                anyhow!("standard output: no space left on the device")
            }
            _ => anyhow!("standard output: {e}"),
        })
}

/// Writes a result `text` to `output` (whole or not at all), or to standard output; a
/// negative zero is printed as zero.
pub fn emit(text: &str, output: Option<&Path>) -> Result<()> {
    let text = &quadrant_report::without_negative_zero(text);
    match output {
        Some(p) => Ok(quadrant_data::atomic::write(p, text.as_bytes())?),
        None => stdout(text),
    }
}

/// Writes a file whole or not at all with `body`, which writes its content.
pub fn file_with<E, F>(path: &Path, body: F) -> Result<()>
where
    E: std::error::Error + Send + Sync + 'static,
    F: FnOnce(&mut io::BufWriter<std::fs::File>) -> Result<(), E>,
{
    Ok(quadrant_data::atomic::write_with(path, body)?)
}
