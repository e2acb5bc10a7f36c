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

/// What a result's text is, for its provenance stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A terminal table or Markdown: stamped only when written to a file.
    Text,
    /// CSV: two columns, `tool` and `dataset`, on every row.
    Csv,
    /// Pretty JSON: `tool` and `dataset` fields on the object, or on each record of an array.
    Json,
    /// One HTML page: a footer line.
    Html,
}

/// The tool that wrote a result: `quadrant VERSION`.
pub const TOOL: &str = concat!("quadrant ", env!("CARGO_PKG_VERSION"));

/// `text` stamped with the tool and the dataset fingerprint, so that every file says what
/// wrote it and from which data.
fn stamp(text: &str, kind: Kind, dataset: &str, to_file: bool) -> String {
    let line = format!("{TOOL} · dataset {dataset}");
    match kind {
        Kind::Text if to_file => format!("{text}\n{line}\n"),
        Kind::Text => text.to_string(),
        Kind::Html => text.replacen(
            "</body>",
            &format!("<footer><small>{line}</small></footer></body>"),
            1,
        ),
        Kind::Csv => {
            let mut out = String::with_capacity(text.len() + 64);
            for (i, l) in text.lines().enumerate() {
                if i == 0 {
                    out.push_str(&format!("{l},tool,dataset\n"));
                } else if !l.is_empty() {
                    out.push_str(&format!("{l},{TOOL},{dataset}\n"));
                }
            }
            out
        }
        Kind::Json => {
            // Pretty JSON from serde: an object opens with `{`, each record of an array with
            // `  {`; the fields go first, so the text keeps its order and layout.
            let (open, indent) = if text.starts_with('[') {
                ("  {", "    ")
            } else {
                ("{", "  ")
            };
            let fields =
                format!("{indent}\"tool\": \"{TOOL}\",\n{indent}\"dataset\": \"{dataset}\",");
            let mut out = String::with_capacity(text.len() + 128);
            for l in text.lines() {
                out.push_str(l);
                out.push('\n');
                if l == open {
                    out.push_str(&fields);
                    out.push('\n');
                }
            }
            out
        }
    }
}

/// Writes a result `text` of `kind` from the dataset of fingerprint `dataset` to `output`
/// (whole or not at all), or to standard output: stamped with the tool and dataset, and with
/// every negative zero printed as zero.
pub fn emit(text: &str, output: Option<&Path>, kind: Kind, dataset: &str) -> Result<()> {
    let text = &stamp(
        &quadrant_report::without_negative_zero(text),
        kind,
        dataset,
        output.is_some(),
    );
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

#[cfg(test)]
mod tests {
    use super::{stamp, Kind, TOOL};

    #[test]
    fn every_format_is_stamped_with_tool_and_dataset() {
        let csv = stamp("a,b\n1,2\n", Kind::Csv, "f00d", false);
        assert_eq!(csv, format!("a,b,tool,dataset\n1,2,{TOOL},f00d\n"));
        let obj = stamp("{\n  \"x\": 1\n}\n", Kind::Json, "f00d", false);
        let v: serde_json::Value = serde_json::from_str(&obj).unwrap();
        assert_eq!(v["dataset"], "f00d");
        assert_eq!(v["x"], 1);
        let arr = stamp(
            "[\n  {\n    \"x\": 1\n  },\n  {\n    \"x\": 2\n  }\n]\n",
            Kind::Json,
            "f00d",
            false,
        );
        let v: serde_json::Value = serde_json::from_str(&arr).unwrap();
        assert!(v.as_array().unwrap().iter().all(|r| r["tool"] == TOOL));
        assert!(stamp("<body>x</body>", Kind::Html, "f00d", false).contains("dataset f00d"));
        assert_eq!(stamp("table\n", Kind::Text, "f00d", false), "table\n");
        assert!(stamp("table\n", Kind::Text, "f00d", true).ends_with("dataset f00d\n"));
    }
}
