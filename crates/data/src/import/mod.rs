//! Importers: raw source files (as published, kept under `data/raw/`) → the derived tables of
//! a dataset folder. The mapping from source vocabulary to Quadrant's ids is data, not code:
//! `import/source_map.csv` (which source series is which material and stage, with basis
//! factors) and `import/country_aliases.csv` (source country names → country ids).
//!
//! One module per raw source: `usgs` (USGS Mineral Commodity Summaries), `wmd` (World
//! Mining Data and its HS code map), `iea` (IEA Critical Minerals Data Explorer), `baci`
//! (CEPII BACI trade), `wgi` (World Bank governance indicators) and `curated` (figures
//! transcribed or derived from cited publications, `curated/*.csv`), `busch` (the lithium
//! deposits of Busch et al. 2024); `ctx` holds the mapping tables they share.
//!
//! Output is deterministic (sorted rows, shortest round-trip float formatting), so a test can
//! prove that the shipped tables equal what the importers produce.

mod baci;
mod busch;
mod ctx;
mod curated;
mod iea;
mod usgs;
mod wgi;
mod wmd;

use crate::table::Table;
use crate::DataError;
use ctx::Ctx;
use flate2::read::GzDecoder;
use quadrant_model::Issue;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::io::Read;
use std::path::Path;

/// The derived tables, by file name, and a summary of what was skipped and why.
pub struct Imported {
    /// File name (relative to the dataset folder) → the bytes to write.
    pub files: BTreeMap<String, Vec<u8>>,
    /// One line per thing skipped or merged, and the row counts, for the user to review.
    pub report: Vec<String>,
}

/// Files the importers write (the tables of [`crate::spec::TABLES`] marked `imported`);
/// everything else in a dataset folder is curated by hand.
pub const DERIVED: &[&str] = &derived::<{ derived_count() }>();

const fn derived_count() -> usize {
    let (mut i, mut n) = (0, 0);
    while i < crate::spec::TABLES.len() {
        if crate::spec::TABLES[i].imported {
            n += 1;
        }
        i += 1;
    }
    n
}

const fn derived<const N: usize>() -> [&'static str; N] {
    let mut out = [""; N];
    let (mut i, mut n) = (0, 0);
    while i < crate::spec::TABLES.len() {
        if crate::spec::TABLES[i].imported {
            out[n] = crate::spec::TABLES[i].file;
            n += 1;
        }
        i += 1;
    }
    out
}

pub(crate) fn read(raw: &Path, name: &str) -> Result<Vec<u8>, DataError> {
    let p = raw.join(name);
    let b = std::fs::read(&p).map_err(|e| DataError::Io {
        file: p.display().to_string(),
        message: e.to_string(),
    })?;
    if name.ends_with(".gz") {
        let mut out = Vec::new();
        GzDecoder::new(&b[..])
            .read_to_end(&mut out)
            .map_err(|e| DataError::Io {
                file: p.display().to_string(),
                message: e.to_string(),
            })?;
        Ok(out)
    } else {
        Ok(b)
    }
}

pub(crate) fn tab(raw: &Path, name: &str, cols: &[&str]) -> Result<Table, DataError> {
    Table::parse(name, &read(raw, name)?, cols).map_err(DataError::Invalid)
}

pub(crate) fn num(x: f64) -> String {
    // Shortest representation that round-trips; integral values without a trailing ".0".
    let s = format!("{x}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub(crate) struct Prod {
    pub(crate) dataset: String,
    pub(crate) material: String,
    pub(crate) stage: String,
    pub(crate) country: String,
    pub(crate) year: u16,
    pub(crate) value_t: f64,
    pub(crate) estimated: bool,
    pub(crate) source: String,
    pub(crate) raw_ref: String,
    /// The value and unit exactly as the source printed them.
    pub(crate) raw_value: String,
    pub(crate) raw_unit: String,
}

/// Runs every importer: `raw` is the folder of raw sources (`data/raw`), `world` the
/// dataset folder whose hand-kept tables (countries, materials, import maps) drive the import.
pub fn import(raw: &Path, world: &Path) -> Result<Imported, DataError> {
    let ctx = Ctx::load(world)?;
    let mut report = Vec::new();
    let mut issues: Vec<Issue> = Vec::new();
    let mut prod: Vec<Prod> = Vec::new();
    let mut reserves: Vec<Prod> = Vec::new();

    usgs::usgs(
        raw,
        &ctx,
        &mut prod,
        &mut reserves,
        &mut issues,
        &mut report,
    )?;
    wmd::wmd(raw, &ctx, &mut prod, &mut issues, &mut report)?;
    iea::iea(raw, &ctx, &mut prod, &mut issues, &mut report)?;
    curated::curated(raw, &ctx, &mut prod, &mut issues, &mut report)?;
    let deposits = busch::lithium_deposits(raw, &ctx, &mut issues, &mut report)?;

    // One row per key: a source that lists a country twice (USGS "Russia" and "Russia
    // (recoverable)") keeps the first, and the importer says so.
    let mut seen = HashSet::new();
    prod.retain(|p| {
        let k = (
            p.dataset.clone(),
            p.material.clone(),
            p.stage.clone(),
            p.country.clone(),
            p.year,
        );
        let keep = seen.insert(k);
        if !keep {
            report.push(format!(
                "duplicate production key kept once: {} ({})",
                p.raw_ref, p.country
            ));
        }
        keep
    });
    let mut seen = HashSet::new();
    reserves.retain(|p| {
        seen.insert((
            p.dataset.clone(),
            p.material.clone(),
            p.country.clone(),
            p.year,
        ))
    });

    if !issues.is_empty() {
        return Err(DataError::Invalid(issues));
    }
    prod.sort_by(|a, b| {
        (&a.dataset, &a.material, &a.stage, &a.country, a.year).cmp(&(
            &b.dataset,
            &b.material,
            &b.stage,
            &b.country,
            b.year,
        ))
    });
    reserves.sort_by(|a, b| {
        (&a.dataset, &a.material, &a.country, a.year).cmp(&(
            &b.dataset,
            &b.material,
            &b.country,
            b.year,
        ))
    });

    let mut files = BTreeMap::new();
    let mut s = String::from(
        "dataset,material,stage,country,year,value_t,estimated,source,raw_ref,raw_value,raw_unit\n",
    );
    for p in &prod {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{}",
            p.dataset,
            p.material,
            p.stage,
            p.country,
            p.year,
            num(p.value_t),
            p.estimated,
            p.source,
            csv_field(&p.raw_ref),
            csv_field(&p.raw_value),
            csv_field(&p.raw_unit)
        );
    }
    files.insert("production.csv".to_string(), s.into_bytes());
    let mut s = String::from("dataset,material,country,year,value_t,source,raw_ref\n");
    for p in &reserves {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{}",
            p.dataset,
            p.material,
            p.country,
            p.year,
            num(p.value_t),
            p.source,
            csv_field(&p.raw_ref)
        );
    }
    files.insert("reserves.csv".to_string(), s.into_bytes());
    files.insert("lithium_deposits.csv".to_string(), deposits);
    files.insert(
        "governance.csv".to_string(),
        wgi::governance(raw, &ctx, &mut report)?,
    );
    files.insert(
        "trade.csv.zst".to_string(),
        baci::trade(raw, &ctx, &mut report)?,
    );
    files.insert("geopolrisk_map.csv".to_string(), wmd::gpr_map(raw, &ctx)?);
    files.insert("geopolrisk_pv.csv".to_string(), wgi::gpr_pv(raw, &ctx)?);
    files.insert(
        "demand_scenarios.csv".to_string(),
        iea::demand_scenarios(raw, &ctx)?,
    );
    report.push(format!(
        "production rows: {}, reserve rows: {}",
        prod.len(),
        reserves.len()
    ));
    Ok(Imported { files, report })
}

/// Compresses a CSV table as a sequence of zstd frames of about 4 MiB each, cut at line ends and
/// each stating its decompressed size, so that the loader can decompress and parse the frames
/// in parallel; `zstdcat` and any zstd reader still read the file as one stream. The frames are
/// independent, so they are compressed on every core; the output does not depend on the number
/// of threads.
pub(crate) fn zstd_frames(csv: &[u8], level: i32) -> std::io::Result<Vec<u8>> {
    const FRAME: usize = 4 << 20;
    let mut pieces: Vec<&[u8]> = Vec::new();
    let mut start = 0;
    while start < csv.len() {
        let mut end = (start + FRAME).min(csv.len());
        if end < csv.len() {
            end = match memchr::memrchr(b'\n', &csv[start..end]) {
                Some(p) => start + p + 1,
                None => memchr::memchr(b'\n', &csv[end..]).map_or(csv.len(), |p| end + p + 1),
            };
        }
        pieces.push(&csv[start..end]);
        start = end;
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut frames: Vec<(usize, std::io::Result<Vec<u8>>)> = std::thread::scope(|sc| {
        let workers: Vec<_> = (0..threads.min(pieces.len()).max(1))
            .map(|_| {
                sc.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(piece) = pieces.get(i) else { break };
                        done.push((i, zstd::bulk::compress(piece, level)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("zstd frame thread"))
            .collect()
    });
    frames.sort_by_key(|f| f.0);
    let mut out = Vec::new();
    for (_, f) in frames {
        out.extend_from_slice(&f?);
    }
    Ok(out)
}

/// Writes the derived files into `world`, all or nothing: the new tables are first written
/// beside a copy of the hand-kept ones in a staging folder and loaded there; only a dataset
/// that loads and validates replaces the old files, so nothing already stored is lost.
pub fn write(world: &Path, imported: &Imported) -> Result<(), DataError> {
    let io = |p: &Path, e: std::io::Error| DataError::Io {
        file: p.display().to_string(),
        message: e.to_string(),
    };
    remove_stale_staging(world);
    let staging = world.join(format!(".staging-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    let result = (|| {
        copy_tree(world, &staging, &staging)?;
        for (name, bytes) in &imported.files {
            let p = staging.join(name);
            std::fs::write(&p, bytes).map_err(|e| io(&p, e))?;
        }
        crate::load_dir(&staging)?;
        for name in imported.files.keys() {
            let (from, to) = (staging.join(name), world.join(name));
            std::fs::rename(&from, &to).map_err(|e| io(&to, e))?;
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&staging);
    result
}

/// Removes the staging folders that killed imports left in `world` (`.staging-PID` of a
/// process that no longer runs), so that an interrupted import leaves nothing behind for long.
fn remove_stale_staging(world: &Path) {
    let Ok(dir) = std::fs::read_dir(world) else {
        return;
    };
    // Without /proc there is no telling whether another import runs: leave its folder.
    let procfs = Path::new("/proc/self").exists();
    for e in dir.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(".staging-")
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let alive =
            pid != std::process::id() && (!procfs || Path::new(&format!("/proc/{pid}")).exists());
        if !alive {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

fn copy_tree(from: &Path, to: &Path, skip: &Path) -> Result<(), DataError> {
    let io = |p: &Path, e: std::io::Error| DataError::Io {
        file: p.display().to_string(),
        message: e.to_string(),
    };
    std::fs::create_dir_all(to).map_err(|e| io(to, e))?;
    for e in std::fs::read_dir(from).map_err(|e| io(from, e))? {
        let e = e.map_err(|e| io(from, e))?;
        let p = e.path();
        if p == skip || e.file_name().to_string_lossy().starts_with(".staging-") {
            continue;
        }
        let dest = to.join(e.file_name());
        if p.is_dir() {
            copy_tree(&p, &dest, skip)?;
        } else {
            std::fs::copy(&p, &dest).map_err(|e| io(&p, e))?;
        }
    }
    Ok(())
}
