//! Reads a dataset folder into a validated [`Dataset`]. Nothing is half-loaded: the reader
//! builds a fresh value and returns it only when every table parsed and every check passed.

use crate::files::{Dir, Files};
use crate::spec::{self, Format, TableSpec};
use crate::table::{issue, Fields, Table};
use crate::DataError;
use quadrant_model::*;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// Loads the dataset folder at `dir` (the layout of `data/world/`).
pub fn load_dir(dir: &Path) -> Result<Dataset, DataError> {
    // Every file that is missing or not a regular file, not only the first.
    let absent: Vec<Issue> = spec::TABLES
        .iter()
        .filter_map(|t| {
            let p = dir.join(t.file);
            let what = crate::files::not_a_file(&p)?;
            Some(Issue {
                check: "missing-file",
                file: p.display().to_string(),
                line: None,
                field: "file".into(),
                expected: format!("the dataset's {} table (docs/data.md)", t.file),
                found: what,
            })
        })
        .collect();
    if !absent.is_empty() {
        return Err(DataError::Invalid(absent));
    }
    load_files(&Dir(dir.to_path_buf()))
}

fn text<'a>(b: &'a [u8], file: &str) -> Result<&'a str, DataError> {
    std::str::from_utf8(b).map_err(|e| DataError::Io {
        file: file.into(),
        message: format!("not UTF-8: {e}"),
    })
}

/// Loads a dataset from any [`Files`] source: every table parsed, every reference resolved,
/// then [`validate`]d. Returns the dataset only if nothing was wrong; otherwise
/// [`DataError::Invalid`] with every issue (file, line, field, expectation), or
/// [`DataError::Io`] for a file that could not be read at all.
pub fn load_files(files: &dyn Files) -> Result<Dataset, DataError> {
    let mut ds = Dataset::default();
    let mut issues: Vec<Issue> = Vec::new();

    // Reference tables first: every other table points into them.
    let t = table(files, &spec::SOURCES, &mut issues)?;
    if let Some(t) = t {
        for (_, r) in &t.rows {
            ds.sources.push(Source {
                id: r[t.col("id")].to_string(),
                title: r[t.col("title")].to_string(),
                publisher: r[t.col("publisher")].to_string(),
                edition: r[t.col("edition")].to_string(),
                url: r[t.col("url")].to_string(),
                licence: r[t.col("licence")].to_string(),
            });
        }
    }
    ds.reindex();

    if let Some(t) = table(files, &spec::COUNTRIES, &mut issues)? {
        let mut f = Fields {
            file: spec::COUNTRIES.file,
            issues: &mut issues,
        };
        for (line, r) in &t.rows {
            let m49 = r[t.col("m49")].trim();
            let m49 = if m49.is_empty() {
                None
            } else {
                f.u16(*line, "m49", m49)
            };
            let agg = f
                .bool(*line, "aggregate", &r[t.col("aggregate")])
                .unwrap_or(false);
            let source = src_ix(&ds, &mut f, *line, &r[t.col("source")]).unwrap_or(0);
            let id = r[t.col("id")].to_string();
            if id.is_empty() || id.len() > 3 || !id.chars().all(|c| c.is_ascii_uppercase()) {
                f.push(
                    *line,
                    "id",
                    "an ISO 3166-1 alpha-3 code (three capital letters)",
                    &id,
                );
            }
            ds.countries.push(Country {
                id,
                name: r[t.col("name")].to_string(),
                m49,
                aggregate: agg,
                source,
            });
        }
    }
    if let Some(t) = table(files, &spec::MATERIALS, &mut issues)? {
        let mut f = Fields {
            file: spec::MATERIALS.file,
            issues: &mut issues,
        };
        for (line, r) in &t.rows {
            let source = src_ix(&ds, &mut f, *line, &r[t.col("source")]).unwrap_or(0);
            ds.materials.push(Material {
                id: r[t.col("id")].to_string(),
                name: r[t.col("name")].to_string(),
                basis: r[t.col("basis")].to_string(),
                source,
            });
        }
    }
    ds.reindex();

    // The trade table (1.26 M rows) needs only the sources and countries read so far: it is
    // read on other threads while this one reads the remaining tables. Its issues join the
    // list at its place in the order of tables, and an unreadable file is reported after the
    // tables before it, so the result does not depend on timing or the number of threads.
    let refs = ds.clone();
    let trade_bytes = files.get(spec::TRADE.file);
    let trade = std::thread::scope(|sc| -> Result<_, DataError> {
        let job = trade_bytes.as_ref().ok().map(|b| {
            sc.spawn(|| {
                let mut found = Vec::new();
                read_trade(b, &refs, &mut found).map(|t| (t, found))
            })
        });
        read_tables(files, &mut ds, &mut issues)?;
        Ok(job.map(|j| j.join().expect("trade reader thread")))
    })?;
    trade_bytes?;
    if let Some(trade) = trade {
        let (t, mut found) = trade?;
        ds.trade = t;
        issues.append(&mut found);
    }
    read_curated(files, &mut ds, &mut issues)?;
    ds.reindex();

    if !issues.is_empty() {
        return Err(DataError::Invalid(issues));
    }
    let texts: HashMap<String, String> = spec::TABLES
        .iter()
        .filter(|t| matches!(t.format, Format::Toml { .. }))
        .filter_map(|t| {
            files.get(t.file).ok().map(|b| {
                (
                    t.file.trim_start_matches("curated/").to_string(),
                    String::from_utf8_lossy(&b).into_owned(),
                )
            })
        })
        .collect();
    let locate = move |file: &str, _table: &str, id: &str| -> Option<usize> {
        let t = texts.get(file)?;
        let needle = format!("id = \"{id}\"");
        t.lines().position(|l| l.trim() == needle).map(|i| i + 1)
    };
    let issues = validate(&ds, &locate);
    if issues.is_empty() {
        ds.fingerprint = fingerprint(files);
        Ok(ds)
    } else {
        Err(DataError::Invalid(issues))
    }
}

/// A source id → its index, or an issue worded from the table spec.
fn src_ix(ds: &Dataset, f: &mut Fields, line: usize, s: &str) -> Option<SourceIx> {
    let r = ds.source(s);
    if r.is_none() {
        f.bad_ref(line, "source", s);
    }
    r
}

/// A country id in column `field` → its index, or an issue worded from the table spec.
fn country(ds: &Dataset, f: &mut Fields, line: usize, field: &str, s: &str) -> Option<CountryIx> {
    let r = ds.country(s);
    if r.is_none() {
        f.bad_ref(line, field, s);
    }
    r
}

/// A material id → its index, or an issue worded from the table spec.
fn material(ds: &Dataset, f: &mut Fields, line: usize, s: &str) -> Option<MaterialIx> {
    let r = ds.material(s);
    if r.is_none() {
        f.bad_ref(line, "material", s);
    }
    r
}

/// A stage name → the stage, or an issue.
fn stage(f: &mut Fields, line: usize, s: &str) -> Option<Stage> {
    let r = Stage::parse(s);
    if r.is_none() {
        f.push(line, "stage", "one of mining, refining, components", s);
    }
    r
}

/// The CSV tables after the reference tables, except trade, in their order: HS map,
/// GeoPolRisk map, production, reserves, governance, GeoPolRisk PV, demand scenarios.
fn read_tables(
    files: &dyn Files,
    ds: &mut Dataset,
    issues: &mut Vec<Issue>,
) -> Result<(), DataError> {
    if let Some(t) = table(files, &spec::HS_MAP, issues)? {
        let mut f = Fields {
            file: spec::HS_MAP.file,
            issues,
        };
        for (line, r) in &t.rows {
            let l = *line;
            let hs6 = r[t.col("hs6")]
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|h| (10_000..1_000_000).contains(h));
            if hs6.is_none() {
                f.push(l, "hs6", "a six-digit HS code", &r[t.col("hs6")]);
            }
            let (m, s, cf, src) = (
                material(ds, &mut f, l, &r[t.col("material")]),
                stage(&mut f, l, &r[t.col("stage")]),
                f.f64(l, "content_factor", &r[t.col("content_factor")]),
                src_ix(ds, &mut f, l, &r[t.col("source")]),
            );
            if let (Some(hs6), Some(material), Some(stage), Some(content_factor), Some(source)) =
                (hs6, m, s, cf, src)
            {
                ds.hs_map.push(HsMapRow {
                    hs6,
                    material,
                    stage,
                    content_factor,
                    factor_kind: r[t.col("factor_kind")].to_string(),
                    source,
                });
            }
        }
    }

    if let Some(t) = table(files, &spec::GEOPOLRISK_MAP, issues)? {
        let mut f = Fields {
            file: spec::GEOPOLRISK_MAP.file,
            issues,
        };
        for (line, r) in &t.rows {
            let l = *line;
            let m = r[t.col("material")].trim();
            let mat = if m.is_empty() {
                Some(None)
            } else {
                material(ds, &mut f, l, m).map(Some)
            };
            let mut hs = Vec::new();
            let mut ok = true;
            for h in r[t.col("hs6")].split(';').filter(|h| !h.trim().is_empty()) {
                match h.trim().parse::<u32>() {
                    Ok(v) => hs.push(v),
                    Err(_) => {
                        f.push(l, "hs6", "HS6 codes separated by ';'", h);
                        ok = false;
                    }
                }
            }
            let src = src_ix(ds, &mut f, l, &r[t.col("source")]);
            if let (Some(material), Some(source), true) = (mat, src, ok) {
                ds.gpr_map.push(GprMapRow {
                    commodity: r[t.col("commodity")].to_string(),
                    material,
                    hs6: hs,
                    source,
                });
            }
        }
    }

    let prod_cols = spec::PRODUCTION.columns;
    if let Some(t) = table(files, &spec::PRODUCTION, issues)? {
        let mut f = Fields {
            file: spec::PRODUCTION.file,
            issues,
        };
        let c: Vec<usize> = prod_cols.iter().map(|n| t.col(n)).collect();
        ds.production.reserve(t.rows.len());
        for (line, r) in &t.rows {
            let l = *line;
            let (m, s, co, y, v, e, src) = (
                material(ds, &mut f, l, &r[c[1]]),
                stage(&mut f, l, &r[c[2]]),
                country(ds, &mut f, l, "country", &r[c[3]]),
                f.u16(l, "year", &r[c[4]]),
                f.f64(l, "value_t", &r[c[5]]),
                f.bool(l, "estimated", &r[c[6]]),
                src_ix(ds, &mut f, l, &r[c[7]]),
            );
            if let (
                Some(material),
                Some(stage),
                Some(country),
                Some(year),
                Some(value_t),
                Some(estimated),
                Some(source),
            ) = (m, s, co, y, v, e, src)
            {
                ds.production.push(ProductionRow {
                    dataset: r[c[0]].to_string(),
                    material,
                    stage,
                    country,
                    year,
                    value_t,
                    estimated,
                    source,
                    raw_ref: r[c[8]].to_string(),
                    raw_value: r[c[9]].to_string(),
                    raw_unit: r[c[10]].to_string(),
                });
            }
        }
    }
    let res_cols = spec::RESERVES.columns;
    if let Some(t) = table(files, &spec::RESERVES, issues)? {
        let mut f = Fields {
            file: spec::RESERVES.file,
            issues,
        };
        let c: Vec<usize> = res_cols.iter().map(|n| t.col(n)).collect();
        for (line, r) in &t.rows {
            let l = *line;
            let (m, co, y, v, src) = (
                material(ds, &mut f, l, &r[c[1]]),
                country(ds, &mut f, l, "country", &r[c[2]]),
                f.u16(l, "year", &r[c[3]]),
                f.f64(l, "value_t", &r[c[4]]),
                src_ix(ds, &mut f, l, &r[c[5]]),
            );
            if let (Some(material), Some(country), Some(year), Some(value_t), Some(source)) =
                (m, co, y, v, src)
            {
                ds.reserves.push(ReserveRow {
                    dataset: r[c[0]].to_string(),
                    material,
                    country,
                    year,
                    value_t,
                    source,
                    raw_ref: r[c[6]].to_string(),
                });
            }
        }
    }
    let gov_cols = spec::GOVERNANCE.columns;
    if let Some(t) = table(files, &spec::GOVERNANCE, issues)? {
        let mut f = Fields {
            file: spec::GOVERNANCE.file,
            issues,
        };
        let c: Vec<usize> = gov_cols.iter().map(|n| t.col(n)).collect();
        ds.governance.reserve(t.rows.len());
        for (line, r) in &t.rows {
            let l = *line;
            let d = Dimension::parse(&r[c[2]]);
            if d.is_none() {
                f.push(l, "dimension", "one of VA, PV, GE, RQ, RL, CC", &r[c[2]]);
            }
            let (co, y, v, src) = (
                country(ds, &mut f, l, "country", &r[c[0]]),
                f.u16(l, "year", &r[c[1]]),
                f.f64(l, "estimate", &r[c[3]]),
                src_ix(ds, &mut f, l, &r[c[4]]),
            );
            if let (Some(country), Some(year), Some(dimension), Some(estimate), Some(source)) =
                (co, y, d, v, src)
            {
                ds.governance.push(GovernanceRow {
                    country,
                    year,
                    dimension,
                    estimate,
                    source,
                });
            }
        }
    }

    if let Some(t) = table(files, &spec::GEOPOLRISK_PV, issues)? {
        let mut f = Fields {
            file: spec::GEOPOLRISK_PV.file,
            issues,
        };
        for (line, r) in &t.rows {
            let l = *line;
            let (co, y) = (
                country(ds, &mut f, l, "country", &r[t.col("country")]),
                f.u16(l, "year", &r[t.col("year")]),
            );
            src_ix(ds, &mut f, l, &r[t.col("source")]);
            let v = r[t.col("normalized")].trim();
            let v = match v {
                "" => None,
                "nan" => Some(f64::NAN),
                x => f.f64(l, "normalized", x),
            };
            if let (Some(c), Some(y)) = (co, y) {
                ds.gpr_pv_countries.insert(c);
                if let Some(v) = v {
                    ds.gpr_pv.insert((c, y), v);
                }
            }
        }
    }
    let dcols = spec::DEMAND_SCENARIOS.columns;
    if let Some(t) = table(files, &spec::DEMAND_SCENARIOS, issues)? {
        let mut f = Fields {
            file: spec::DEMAND_SCENARIOS.file,
            issues,
        };
        let c: Vec<usize> = dcols.iter().map(|n| t.col(n)).collect();
        for (line, r) in &t.rows {
            let l = *line;
            let (m, y, v, src) = (
                material(ds, &mut f, l, &r[c[0]]),
                f.u16(l, "year", &r[c[2]]),
                f.f64(l, "demand_t", &r[c[3]]),
                src_ix(ds, &mut f, l, &r[c[4]]),
            );
            if let Some(v) = v.filter(|v| !(v.is_finite() && *v >= 0.0)) {
                f.push(
                    l,
                    "demand_t",
                    "a finite, non-negative number",
                    &v.to_string(),
                );
            }
            if let (Some(material), Some(year), Some(demand_t), Some(source)) = (m, y, v, src) {
                ds.demand_scenarios.push(DemandScenarioRow {
                    material,
                    scenario: r[c[1]].to_string(),
                    year,
                    demand_t,
                    source,
                    raw_ref: r[c[5]].to_string(),
                });
            }
        }
    }
    Ok(())
}

fn s(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or("")
}

/// Reads the CSV table of `spec`, requiring its columns; parse problems join `issues`.
fn table(
    files: &dyn Files,
    spec: &TableSpec,
    issues: &mut Vec<Issue>,
) -> Result<Option<Table>, DataError> {
    let bytes = files.get(spec.file)?;
    // Every shipped table ends with a line break: one that does not was cut off, and its last
    // value may look whole (`132839.` cut to `13283`).
    if !bytes.is_empty() && !bytes.ends_with(b"\n") {
        let line = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
        issues.push(Issue {
            check: "parse",
            file: spec.file.to_string(),
            line: Some(line),
            field: "record".into(),
            expected: "a file ending with a line break (this one may be cut off)".into(),
            found: "the last line has no line break".into(),
        });
    }
    match Table::parse(spec.file, &bytes, spec.columns) {
        Ok(t) => Ok(Some(t)),
        Err(mut e) => {
            issues.append(&mut e);
            Ok(None)
        }
    }
}

/// The trade table is 1.26 M rows (63 MB once decompressed; zstd, because it decompresses
/// several times faster than gzip and `zstdcat` reads it as easily). The importer writes it as
/// sized frames cut at line ends, which every thread decompresses and parses on its own
/// ([`read_frames`]); any other zstd file is decompressed as one stream whose blocks go to
/// parser threads ([`read_stream`]). A flat country lookup replaces hashing. Pieces are parsed
/// independently and concatenated in order, so the result does not depend on the number of
/// threads or on the path.
fn read_trade(gz: &[u8], ds: &Dataset, issues: &mut Vec<Issue>) -> Result<TradeTable, DataError> {
    const FILE: &str = spec::TRADE.file;
    let lookup = CountryLookup::new(ds);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let (header, parts) = match read_frames(gz, ds, &lookup, threads) {
        Some(r) => r,
        None => read_stream(gz, ds, &lookup, threads).map_err(|message| DataError::Io {
            file: FILE.into(),
            message,
        })?,
    };
    let expected_header = spec::TRADE.columns.join(",");
    if header != expected_header.as_bytes() {
        issues.push(issue(
            FILE,
            Some(1),
            "header",
            &expected_header,
            &String::from_utf8_lossy(&header),
        ));
        return Ok(TradeTable::default());
    }
    let n: usize = parts.iter().map(|p| p.1.len()).sum();
    let mut t = TradeTable::default();
    t.year.reserve(n);
    t.exporter.reserve(n);
    t.importer.reserve(n);
    t.hs6.reserve(n);
    t.value_kusd.reserve(n);
    t.qty_t.reserve(n);
    t.source.reserve(n);
    // Line numbers: each block counted its own lines; shift them by the lines before it.
    let mut line0 = 2;
    for (_, part, mut iss, lines) in parts {
        for i in &mut iss {
            i.line = i.line.map(|l| l + line0);
        }
        issues.append(&mut iss);
        line0 += lines;
        t.year.extend_from_slice(&part.year);
        t.exporter.extend_from_slice(&part.exporter);
        t.importer.extend_from_slice(&part.importer);
        t.hs6.extend_from_slice(&part.hs6);
        t.value_kusd.extend_from_slice(&part.value_kusd);
        t.qty_t.extend_from_slice(&part.qty_t);
        t.source.extend_from_slice(&part.source);
    }
    Ok(t)
}

/// One parsed piece of the trade table: (sequence number, rows, issues with lines relative to
/// the piece, number of lines in the piece).
type Part = (usize, TradeTable, Vec<Issue>, usize);

/// The fast path, for a file of several zstd frames that each state their size and end at a
/// line end, as the importer writes it (`import::zstd_frames`): every thread takes the next
/// frame, decompresses it in one call straight into its buffer and parses it, so that both
/// decompression and parsing use every core. Parts are ordered by frame, so the result does
/// not depend on the number of threads. Returns `None` for any other file (one frame, a frame
/// without its size, a frame cut mid-line, a damaged frame): the streaming path reads those and
/// words their errors.
fn read_frames(
    zst: &[u8],
    ds: &Dataset,
    lookup: &CountryLookup,
    threads: usize,
) -> Option<(Vec<u8>, Vec<Part>)> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let mut frames: Vec<(&[u8], usize)> = Vec::new();
    let mut rest = zst;
    while !rest.is_empty() {
        let n = zstd::zstd_safe::find_frame_compressed_size(rest).ok()?;
        let size = zstd::zstd_safe::get_frame_content_size(rest).ok()??;
        frames.push((&rest[..n], usize::try_from(size).ok()?));
        rest = &rest[n..];
    }
    if frames.len() < 2 {
        return None;
    }
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let header = std::sync::Mutex::new(Vec::new());
    let mut parts: Vec<Part> = std::thread::scope(|sc| {
        let workers: Vec<_> = (0..threads.min(frames.len()))
            .map(|_| {
                sc.spawn(|| {
                    let mut done: Vec<Part> = Vec::new();
                    let mut dec = zstd::bulk::Decompressor::new().ok()?;
                    let mut buf: Vec<u8> = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= frames.len() || failed.load(Ordering::Relaxed) {
                            break;
                        }
                        let (frame, size) = frames[i];
                        buf.clear();
                        buf.reserve(size);
                        let ok = dec.decompress_to_buffer(frame, &mut buf).ok() == Some(size)
                            && (i + 1 == frames.len() || buf.ends_with(b"\n"));
                        if !ok {
                            failed.store(true, Ordering::Relaxed);
                            return None;
                        }
                        let mut chunk = &buf[..];
                        if i == 0 {
                            let p = memchr::memchr(b'\n', chunk).or_else(|| {
                                failed.store(true, Ordering::Relaxed);
                                None
                            })?;
                            *header.lock().expect("trade header") = chunk[..p].to_vec();
                            chunk = &chunk[p + 1..];
                        }
                        let (t, iss, lines) = parse_trade_chunk(chunk, ds, lookup);
                        done.push((i, t, iss, lines));
                    }
                    Some(done)
                })
            })
            .collect();
        let mut parts = Vec::new();
        for w in workers {
            parts.extend(w.join().expect("trade parser thread")?);
        }
        Some(parts)
    })?;
    if failed.load(Ordering::Relaxed) {
        return None;
    }
    parts.sort_by_key(|p| p.0);
    Some((header.into_inner().expect("trade header"), parts))
}

/// The general path, for any zstd file: this thread decompresses as a stream and deals out
/// blocks cut at line ends to parser threads, so that parsing overlaps decompression.
fn read_stream(
    gz: &[u8],
    ds: &Dataset,
    lookup: &CountryLookup,
    threads: usize,
) -> Result<(Vec<u8>, Vec<Part>), String> {
    use std::sync::{mpsc, Mutex};
    const BLOCK: usize = 4 << 20;
    let (tx, rx) = mpsc::sync_channel::<(usize, Vec<u8>)>(threads * 2);
    let rx = Mutex::new(rx);
    let (header, parts, read_err): (Vec<u8>, Vec<Part>, Option<String>) =
        std::thread::scope(|sc| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    sc.spawn(|| {
                        let mut done: Vec<Part> = Vec::new();
                        loop {
                            let next = rx.lock().expect("trade block queue").recv();
                            let Ok((seq, block)) = next else { break };
                            let (t, iss, lines) = parse_trade_chunk(&block, ds, lookup);
                            done.push((seq, t, iss, lines));
                        }
                        done
                    })
                })
                .collect();
            // This thread decompresses and deals out blocks; the header stays here.
            let mut dec = match zstd::stream::read::Decoder::with_buffer(gz) {
                Ok(d) => d,
                Err(e) => {
                    drop(tx);
                    for w in workers {
                        let _ = w.join();
                    }
                    return (
                        Vec::new(),
                        Vec::new(),
                        Some(format!("not a zstd file: {e}")),
                    );
                }
            };
            let mut header = Vec::new();
            let mut carry: Vec<u8> = Vec::new();
            let mut buf = vec![0u8; BLOCK];
            let mut seq = 0;
            let mut err = None;
            loop {
                let n = match dec.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) => {
                        err = Some(format!("not a zstd file: {e}"));
                        break;
                    }
                };
                carry.extend_from_slice(&buf[..n]);
                if header.is_empty() {
                    match carry.iter().position(|&b| b == b'\n') {
                        Some(p) => {
                            header = carry[..p].to_vec();
                            carry.drain(..=p);
                        }
                        None => continue,
                    }
                }
                if carry.len() >= BLOCK {
                    if let Some(p) = carry.iter().rposition(|&b| b == b'\n') {
                        let rest = carry.split_off(p + 1);
                        let _ = tx.send((seq, std::mem::replace(&mut carry, rest)));
                        seq += 1;
                    }
                }
            }
            if header.is_empty() && err.is_none() {
                header = std::mem::take(&mut carry);
            }
            if !carry.is_empty() {
                let _ = tx.send((seq, carry));
            }
            drop(tx);
            let mut parts: Vec<Part> = workers
                .into_iter()
                .flat_map(|w| w.join().expect("trade parser thread"))
                .collect();
            parts.sort_by_key(|p| p.0);
            (header, parts, err)
        });
    match read_err {
        Some(message) => Err(message),
        None => Ok((header, parts)),
    }
}

/// Country ids of three capital letters map through a flat table (26³ slots) instead of a
/// hash map: the trade parser looks up 2.5 M of them.
struct CountryLookup {
    table: Vec<u16>,
}

impl CountryLookup {
    const NONE: u16 = u16::MAX;
    fn key(b: &[u8]) -> Option<usize> {
        match b {
            [a, b, c]
                if a.is_ascii_uppercase() && b.is_ascii_uppercase() && c.is_ascii_uppercase() =>
            {
                Some(((a - b'A') as usize * 26 + (b - b'A') as usize) * 26 + (c - b'A') as usize)
            }
            _ => None,
        }
    }
    fn new(ds: &Dataset) -> CountryLookup {
        let mut table = vec![Self::NONE; 26 * 26 * 26];
        for (i, c) in ds.countries.iter().enumerate() {
            if let Some(k) = Self::key(c.id.as_bytes()) {
                table[k] = i as CountryIx;
            }
        }
        CountryLookup { table }
    }
    fn get(&self, b: &[u8]) -> Option<CountryIx> {
        Self::key(b)
            .map(|k| self.table[k])
            .filter(|&v| v != Self::NONE)
    }
}

/// `s.parse::<f64>()`, with a shortcut for the plain decimals the trade table holds
/// (`5713.892`, `84951`): at most 19 bytes of digits and one point, a mantissa below 2⁵³.
/// Then mantissa and 10^decimals are both exact doubles and one IEEE division rounds
/// correctly, so the result is the correctly rounded value `str::parse` returns (Clinger's fast
/// path); everything else goes to `str::parse`.
pub(crate) fn parse_f64(s: &str) -> Result<f64, std::num::ParseFloatError> {
    const POW10: [f64; 19] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18,
    ];
    let b = s.as_bytes();
    // At most 19 bytes: at most 19 digits, so the mantissa fits in a u64.
    if b.is_empty() || b.len() > 19 {
        return s.parse();
    }
    let (mut m, mut i) = (0u64, 0);
    while let Some(d) = b.get(i).map(|c| c.wrapping_sub(b'0')).filter(|d| *d <= 9) {
        m = m * 10 + u64::from(d);
        i += 1;
    }
    let mut frac = 0;
    if i < b.len() {
        // Digits, a point, digits: anything else (sign, exponent, "1.", ".5") is left to std.
        if b[i] != b'.' || i == 0 || i + 1 == b.len() {
            return s.parse();
        }
        for &c in &b[i + 1..] {
            let d = c.wrapping_sub(b'0');
            if d > 9 {
                return s.parse();
            }
            m = m * 10 + u64::from(d);
        }
        frac = b.len() - i - 1;
    }
    if m >= 1 << 53 {
        return s.parse();
    }
    Ok(m as f64 / POW10[frac])
}

/// The text of field `b`, a sub-slice of `chunk`: sliced from `text` (the chunk, checked as
/// UTF-8 once) at the same offset, or checked alone when the chunk is not UTF-8.
fn field<'a>(text: Option<&'a str>, chunk: &'a [u8], b: &'a [u8]) -> &'a str {
    match text {
        Some(t) => {
            let a = b.as_ptr() as usize - chunk.as_ptr() as usize;
            &t[a..a + b.len()]
        }
        None => s(b),
    }
}

/// The positions of every `,` and `\n` in a byte string, in order, found eight bytes at a
/// time (SWAR: each word is compared with both bytes at once, the matches read off a bit mask),
/// which beats a SIMD search restarted at every match when matches are a few bytes apart.
struct Separators<'a> {
    bytes: &'a [u8],
    /// Offset of the word `mask` describes.
    base: usize,
    /// High bit of each byte of that word that is a separator and not yet returned.
    mask: u64,
}

impl<'a> Separators<'a> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

    fn new(bytes: &'a [u8]) -> Self {
        let mut s = Separators {
            bytes,
            base: 0,
            mask: 0,
        };
        s.mask = s.word_mask(0);
        s
    }

    /// High bit set in each byte of `x` that is zero, exactly (no borrow between bytes).
    fn zero_bytes(x: u64) -> u64 {
        !(((x & Self::LOW7) + Self::LOW7) | x | Self::LOW7)
    }

    fn word_mask(&self, at: usize) -> u64 {
        let x = match self.bytes.get(at..at + 8) {
            Some(w) => u64::from_le_bytes(w.try_into().expect("eight bytes")),
            None => {
                // The last, short word, padded with zero bytes (which match neither).
                let mut w = [0u8; 8];
                let tail = &self.bytes[at.min(self.bytes.len())..];
                w[..tail.len()].copy_from_slice(tail);
                u64::from_le_bytes(w)
            }
        };
        Self::zero_bytes(x ^ (Self::ONES * u64::from(b',')))
            | Self::zero_bytes(x ^ (Self::ONES * u64::from(b'\n')))
    }
}

impl Iterator for Separators<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while self.mask == 0 {
            self.base += 8;
            if self.base >= self.bytes.len() {
                return None;
            }
            self.mask = self.word_mask(self.base);
        }
        let at = self.base + (self.mask.trailing_zeros() / 8) as usize;
        self.mask &= self.mask - 1;
        Some(at)
    }
}

/// Parses one chunk; issue lines are relative to the chunk (0-based) until the caller shifts
/// them. Returns the rows, the issues and the number of lines in the chunk.
fn parse_trade_chunk(
    chunk: &[u8],
    ds: &Dataset,
    countries: &CountryLookup,
) -> (TradeTable, Vec<Issue>, usize) {
    const FILE: &str = spec::TRADE.file;
    let names = spec::TRADE.columns;
    let mut t = TradeTable::default();
    let est = chunk.len() / 48;
    t.year.reserve(est);
    t.exporter.reserve(est);
    t.importer.reserve(est);
    t.hs6.reserve(est);
    t.value_kusd.reserve(est);
    t.qty_t.reserve(est);
    t.source.reserve(est);
    let mut issues = Vec::new();
    let mut last_src: (&[u8], SourceIx) = (b"", 0);
    // One UTF-8 check for the whole chunk instead of one per field (a field cut at ASCII commas
    // of valid UTF-8 is valid UTF-8); a chunk that is not UTF-8 falls back to field checks,
    // where a bad field reads as "" and is reported as the parse error it causes.
    let text = std::str::from_utf8(chunk).ok();
    // One scan finds every comma and line end of the chunk, eight bytes at a time
    // ([`Separators`]): a byte-at-a-time split was twice the cost of memchr, and memchr paid a
    // set-up per field of these short lines. A last line without '\n' ends at the end of the
    // chunk.
    let tail = (!chunk.is_empty() && !chunk.ends_with(b"\n")).then_some(chunk.len());
    let mut fld: [&[u8]; 7] = [b""; 7];
    let mut n = 0;
    let (mut f0, mut start, mut k) = (0, 0, 0);
    for c in Separators::new(chunk).chain(tail) {
        if n < 7 {
            fld[n] = &chunk[f0..c];
        }
        n += 1;
        f0 = c + 1;
        if c < chunk.len() && chunk[c] == b',' {
            continue;
        }
        // A line ends at `c`.
        let line = &chunk[start..c];
        let fields = std::mem::replace(&mut n, 0);
        start = c + 1;
        k += 1;
        let k = k - 1;
        if line.is_empty() {
            continue;
        }
        if fields != 7 {
            issues.push(issue(
                FILE,
                Some(k),
                "record",
                "7 comma-separated fields",
                &String::from_utf8_lossy(line),
            ));
            continue;
        }
        let year = field(text, chunk, fld[0]).parse::<u16>();
        let ex = countries.get(fld[1]);
        let im = countries.get(fld[2]);
        let hs = field(text, chunk, fld[3]).parse::<u32>();
        let v = parse_f64(field(text, chunk, fld[4]));
        let q = if fld[5].is_empty() {
            Ok(f64::NAN)
        } else {
            parse_f64(field(text, chunk, fld[5]))
        };
        let src = if fld[6] == last_src.0 {
            Some(last_src.1)
        } else {
            ds.source(field(text, chunk, fld[6]))
                .inspect(|&ix| last_src = (fld[6], ix))
        };
        match (year, ex, im, hs, v, q, src) {
            (Ok(y), Some(e), Some(i), Ok(h), Ok(v), Ok(q), Some(src)) => {
                t.year.push(y);
                t.exporter.push(e);
                t.importer.push(i);
                t.hs6.push(h);
                t.value_kusd.push(v);
                t.qty_t.push(q);
                t.source.push(src);
            }
            (y, e, i, h, v, q, src) => {
                let oks = [
                    y.is_ok(),
                    e.is_some(),
                    i.is_some(),
                    h.is_ok(),
                    v.is_ok(),
                    q.is_ok(),
                    src.is_some(),
                ];
                let exp = [
                    "a year",
                    "",
                    "",
                    "a six-digit HS code",
                    "a number",
                    "a number or empty",
                    "",
                ];
                for j in 0..7 {
                    if !oks[j] {
                        // Reference columns take their wording from the table spec.
                        let e = match exp[j] {
                            "" => spec::TRADE.expected_ref(names[j]),
                            e => e.to_string(),
                        };
                        issues.push(issue(FILE, Some(k), names[j], &e, s(fld[j])));
                    }
                }
            }
        }
    }
    // A chunk ends with '\n', so split() yields one empty tail that is not a line.
    let total_lines = memchr::memchr_iter(b'\n', chunk).count()
        + usize::from(!chunk.ends_with(b"\n") && !chunk.is_empty());
    (t, issues, total_lines)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        /// The shortcut returns exactly what `str::parse` returns, bit for bit.
        #[test]
        fn parse_f64_equals_str_parse(s in "[0-9]{0,20}(\\.[0-9]{0,24})?|[-+.eE0-9a-z]{0,12}") {
            let got = super::parse_f64(&s).map(f64::to_bits).ok();
            let want = s.parse::<f64>().map(f64::to_bits).ok();
            prop_assert_eq!(got, want, "{}", s);
        }
    }

    /// Every number of the shipped trade table parses to the same bits both ways.
    #[test]
    fn parse_f64_equals_str_parse_on_the_shipped_trade_table() {
        let csv = zstd::stream::decode_all(crate::spec::TRADE.shipped()).unwrap();
        let text = std::str::from_utf8(&csv).unwrap();
        for line in text.lines().skip(1) {
            for f in line.split(',').skip(4).take(2).filter(|f| !f.is_empty()) {
                let got = super::parse_f64(f).map(f64::to_bits).ok();
                assert_eq!(got, f.parse::<f64>().map(f64::to_bits).ok(), "{f}");
            }
        }
    }

    proptest! {
        /// The eight-bytes-at-a-time scan finds exactly the commas and line ends.
        #[test]
        fn separators_find_every_comma_and_line_end(b in proptest::collection::vec(prop_oneof![Just(b','), Just(b'\n'), any::<u8>()], 0..100)) {
            let got: Vec<usize> = super::Separators::new(&b).collect();
            let want: Vec<usize> = (0..b.len()).filter(|&i| b[i] == b',' || b[i] == b'\n').collect();
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn parse_f64_edge_cases() {
        for s in [
            "0",
            "00",
            "0.0",
            "1.",
            ".5",
            "5713.892",
            "9007199254740991",
            "9007199254740992",
            "9007199254740993",
            "0.1",
            "0.30000000000000004",
            "123456789012345678",
            "1234567890123456789",
            "12345678901234567890",
            "1.0000000000000000000001",
            "0.0000000000000000000001",
            "0.00000000000000000000001",
            "",
            ".",
            "1..2",
            "-1",
        ] {
            let got = super::parse_f64(s).map(f64::to_bits).ok();
            let want = s.parse::<f64>().map(f64::to_bits).ok();
            assert_eq!(got, want, "{s}");
        }
    }
}

#[derive(serde::Deserialize, Default)]
struct BlocsFile {
    #[serde(default)]
    bloc: Vec<Bloc>,
}
#[derive(serde::Deserialize, Default)]
struct AgreementsFile {
    #[serde(default)]
    agreement: Vec<Agreement>,
}
#[derive(serde::Deserialize, Default)]
struct FinanciersFile {
    #[serde(default)]
    financier: Vec<Financier>,
}
#[derive(serde::Deserialize, Default)]
struct ProjectsFile {
    #[serde(default)]
    project: Vec<Project>,
}
#[derive(serde::Deserialize, Default)]
struct InstrumentsFile {
    #[serde(default)]
    instrument: Vec<Instrument>,
}
#[derive(serde::Deserialize, Default)]
struct OwnershipFile {
    #[serde(default)]
    asset: Vec<Asset>,
}
#[derive(serde::Deserialize, Default)]
struct ClaimsFile {
    #[serde(default)]
    claim: Vec<Claim>,
}

/// The field a TOML error at 1-based `line` is about, as `table[id=…].key` (the checks' form),
/// when the line is a `key = value` line inside a `[[table]]` entry with an `id`.
fn toml_field(s: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = s.lines().collect();
    let at = lines.get(line.checked_sub(1)?)?.trim();
    let key = at.split_once('=')?.0.trim();
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let head = (0..line)
        .rev()
        .find(|&i| lines[i].trim_start().starts_with("[["))?;
    let table = lines[head]
        .trim()
        .trim_start_matches("[[")
        .trim_end_matches("]]");
    let (top, sub) = match table.split_once('.') {
        Some((t, sub)) => (t, format!("{sub}.")),
        None => (table, String::new()),
    };
    let start = (0..=head)
        .rev()
        .find(|&i| lines[i].trim() == format!("[[{top}]]"))?;
    let id = lines[start + 1..]
        .iter()
        .take_while(|l| !l.trim_start().starts_with("[[") || l.contains(&format!("[[{top}.")))
        .find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == "id").then(|| v.trim().trim_matches('"').to_string())
        })?;
    Some(format!("{top}[id={id}].{sub}{key}"))
}

fn toml_file<T: serde::de::DeserializeOwned + Default>(
    files: &dyn Files,
    spec: &TableSpec,
    issues: &mut Vec<Issue>,
) -> Result<T, DataError> {
    let b = files.get(spec.file)?;
    let s = text(&b, spec.file)?;
    match parse_toml(spec.file, s) {
        Ok(v) => Ok(v),
        Err(i) => {
            issues.push(*i);
            Ok(T::default())
        }
    }
}

/// Parses one curated TOML file; a syntax or schema error becomes an [`Issue`] naming the line.
fn parse_toml<T: serde::de::DeserializeOwned>(path: &str, s: &str) -> Result<T, Box<Issue>> {
    toml::from_str::<T>(s).map_err(|e| {
        let line = e
            .span()
            .map(|sp| s[..sp.start.min(s.len())].matches('\n').count() + 1);
        // The field at fault, where the line names one (`stage = "smelting"`).
        let field = line.and_then(|l| toml_field(s, l));
        Box::new(Issue {
            check: "parse",
            file: path.to_string(),
            line,
            field: field.unwrap_or_else(|| "toml".into()),
            expected: "valid TOML in the documented schema (docs/data.md)".into(),
            found: e.message().to_string(),
        })
    })
}

fn read_curated(
    files: &dyn Files,
    ds: &mut Dataset,
    issues: &mut Vec<Issue>,
) -> Result<(), DataError> {
    ds.curated.blocs = toml_file::<BlocsFile>(files, &spec::BLOCS, issues)?.bloc;
    ds.curated.agreements =
        toml_file::<AgreementsFile>(files, &spec::AGREEMENTS, issues)?.agreement;
    ds.curated.financiers =
        toml_file::<FinanciersFile>(files, &spec::FINANCIERS, issues)?.financier;
    ds.curated.projects = toml_file::<ProjectsFile>(files, &spec::PROJECTS, issues)?.project;
    ds.curated.instruments =
        toml_file::<InstrumentsFile>(files, &spec::INSTRUMENTS, issues)?.instrument;
    ds.curated.assets = toml_file::<OwnershipFile>(files, &spec::OWNERSHIP, issues)?.asset;
    ds.curated.claims = toml_file::<ClaimsFile>(files, &spec::CLAIMS, issues)?.claim;
    Ok(())
}

/// Parses the text of `curated/ownership.toml` alone (for property tests and fuzzing); a
/// syntax or schema error is refused as [`DataError::Invalid`] with the issue naming the line.
pub fn parse_ownership_toml(s: &str) -> Result<Vec<Asset>, DataError> {
    parse_toml::<OwnershipFile>(spec::OWNERSHIP.file, s)
        .map(|f| f.asset)
        .map_err(|i| DataError::Invalid(vec![*i]))
}

/// A 64-bit hash over every table's file name and bytes, in the spec's order, as 16 hex
/// digits: two datasets with the same fingerprint hold the same files (not a cryptographic
/// hash; it tells datasets apart, it does not defend against forgery). Eight bytes per step,
/// so that the 20 MB of the shipped tables cost a few milliseconds of every load.
fn fingerprint(files: &dyn Files) -> String {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            h = (h.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
        h = (h.rotate_left(5) ^ bytes.len() as u64).wrapping_mul(K);
    };
    for t in spec::TABLES {
        eat(t.file.as_bytes());
        if let Ok(b) = files.get(t.file) {
            eat(&b);
        }
    }
    format!("{h:016x}")
}
