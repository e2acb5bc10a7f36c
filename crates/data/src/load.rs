//! Reads a dataset folder into a validated [`Dataset`]. Nothing is half-loaded: the reader
//! builds a fresh value and returns it only when every table parsed and every check passed.

use crate::table::{issue, Fields, Table};
use crate::DataError;
use quadrant_model::*;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Where the dataset's files come from: a folder on disk or the copy compiled into the binary.
pub trait Files {
    fn get(&self, name: &str) -> Result<Cow<'_, [u8]>, DataError>;
}

struct Dir(PathBuf);

impl Files for Dir {
    fn get(&self, name: &str) -> Result<Cow<'_, [u8]>, DataError> {
        let p = self.0.join(name);
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

/// Loads the dataset folder at `dir` (the layout of `data/world/`).
pub fn load_dir(dir: &Path) -> Result<Dataset, DataError> {
    load_files(&Dir(dir.to_path_buf()))
}

/// Loads the dataset compiled into the binary.
pub fn load_embedded() -> Result<Dataset, DataError> {
    load_files(&crate::embedded::Embedded)
}

fn text<'a>(b: &'a [u8], file: &str) -> Result<&'a str, DataError> {
    std::str::from_utf8(b).map_err(|e| DataError::Io {
        file: file.into(),
        message: format!("not UTF-8: {e}"),
    })
}

pub fn load_files(files: &dyn Files) -> Result<Dataset, DataError> {
    let mut ds = Dataset::default();
    let mut issues: Vec<Issue> = Vec::new();

    // Reference tables first: every other table points into them.
    let t = table(
        files,
        "sources.csv",
        &["id", "title", "publisher", "edition", "url", "licence"],
        &mut issues,
    )?;
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
    let src_ix = |ds: &Dataset, f: &mut Fields, line: usize, s: &str| -> Option<SourceIx> {
        let r = ds.source(s);
        if r.is_none() {
            f.push(line, "source", "a source id from sources.csv", s);
        }
        r
    };

    if let Some(t) = table(
        files,
        "countries.csv",
        &["id", "name", "m49", "aggregate", "source"],
        &mut issues,
    )? {
        let mut f = Fields {
            file: "countries.csv",
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
    if let Some(t) = table(
        files,
        "materials.csv",
        &["id", "name", "basis", "source"],
        &mut issues,
    )? {
        let mut f = Fields {
            file: "materials.csv",
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

    let country =
        |ds: &Dataset, f: &mut Fields, line: usize, field: &str, s: &str| -> Option<CountryIx> {
            let r = ds.country(s);
            if r.is_none() {
                f.push(line, field, "a country id from countries.csv", s);
            }
            r
        };
    let material = |ds: &Dataset, f: &mut Fields, line: usize, s: &str| -> Option<MaterialIx> {
        let r = ds.material(s);
        if r.is_none() {
            f.push(line, "material", "a material id from materials.csv", s);
        }
        r
    };
    let stage = |f: &mut Fields, line: usize, s: &str| -> Option<Stage> {
        let r = Stage::parse(s);
        if r.is_none() {
            f.push(line, "stage", "one of mining, refining, components", s);
        }
        r
    };

    if let Some(t) = table(
        files,
        "hs_map.csv",
        &[
            "hs6",
            "material",
            "stage",
            "content_factor",
            "factor_kind",
            "source",
        ],
        &mut issues,
    )? {
        let mut f = Fields {
            file: "hs_map.csv",
            issues: &mut issues,
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
                material(&ds, &mut f, l, &r[t.col("material")]),
                stage(&mut f, l, &r[t.col("stage")]),
                f.f64(l, "content_factor", &r[t.col("content_factor")]),
                src_ix(&ds, &mut f, l, &r[t.col("source")]),
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

    if let Some(t) = table(
        files,
        "geopolrisk_map.csv",
        &["commodity", "material", "hs6", "source"],
        &mut issues,
    )? {
        let mut f = Fields {
            file: "geopolrisk_map.csv",
            issues: &mut issues,
        };
        for (line, r) in &t.rows {
            let l = *line;
            let m = r[t.col("material")].trim();
            let mat = if m.is_empty() {
                Some(None)
            } else {
                material(&ds, &mut f, l, m).map(Some)
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
            let src = src_ix(&ds, &mut f, l, &r[t.col("source")]);
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

    let prod_cols = [
        "dataset",
        "material",
        "stage",
        "country",
        "year",
        "value_t",
        "estimated",
        "source",
        "raw_ref",
        "raw_value",
        "raw_unit",
    ];
    if let Some(t) = table(files, "production.csv", &prod_cols, &mut issues)? {
        let mut f = Fields {
            file: "production.csv",
            issues: &mut issues,
        };
        let c: Vec<usize> = prod_cols.iter().map(|n| t.col(n)).collect();
        ds.production.reserve(t.rows.len());
        for (line, r) in &t.rows {
            let l = *line;
            let (m, s, co, y, v, e, src) = (
                material(&ds, &mut f, l, &r[c[1]]),
                stage(&mut f, l, &r[c[2]]),
                country(&ds, &mut f, l, "country", &r[c[3]]),
                f.u16(l, "year", &r[c[4]]),
                f.f64(l, "value_t", &r[c[5]]),
                f.bool(l, "estimated", &r[c[6]]),
                src_ix(&ds, &mut f, l, &r[c[7]]),
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
    let res_cols = [
        "dataset", "material", "country", "year", "value_t", "source", "raw_ref",
    ];
    if let Some(t) = table(files, "reserves.csv", &res_cols, &mut issues)? {
        let mut f = Fields {
            file: "reserves.csv",
            issues: &mut issues,
        };
        let c: Vec<usize> = res_cols.iter().map(|n| t.col(n)).collect();
        for (line, r) in &t.rows {
            let l = *line;
            let (m, co, y, v, src) = (
                material(&ds, &mut f, l, &r[c[1]]),
                country(&ds, &mut f, l, "country", &r[c[2]]),
                f.u16(l, "year", &r[c[3]]),
                f.f64(l, "value_t", &r[c[4]]),
                src_ix(&ds, &mut f, l, &r[c[5]]),
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
    let gov_cols = ["country", "year", "dimension", "estimate", "source"];
    if let Some(t) = table(files, "governance.csv", &gov_cols, &mut issues)? {
        let mut f = Fields {
            file: "governance.csv",
            issues: &mut issues,
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
                country(&ds, &mut f, l, "country", &r[c[0]]),
                f.u16(l, "year", &r[c[1]]),
                f.f64(l, "estimate", &r[c[3]]),
                src_ix(&ds, &mut f, l, &r[c[4]]),
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

    if let Some(t) = table(
        files,
        "geopolrisk_pv.csv",
        &["country", "year", "normalized", "source"],
        &mut issues,
    )? {
        let mut f = Fields {
            file: "geopolrisk_pv.csv",
            issues: &mut issues,
        };
        for (line, r) in &t.rows {
            let l = *line;
            let (co, y) = (
                country(&ds, &mut f, l, "country", &r[t.col("country")]),
                f.u16(l, "year", &r[t.col("year")]),
            );
            src_ix(&ds, &mut f, l, &r[t.col("source")]);
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
    let dcols = [
        "material", "scenario", "year", "demand_t", "source", "raw_ref",
    ];
    if let Some(t) = table(files, "demand_scenarios.csv", &dcols, &mut issues)? {
        let mut f = Fields {
            file: "demand_scenarios.csv",
            issues: &mut issues,
        };
        let c: Vec<usize> = dcols.iter().map(|n| t.col(n)).collect();
        for (line, r) in &t.rows {
            let l = *line;
            let (m, y, v, src) = (
                material(&ds, &mut f, l, &r[c[0]]),
                f.u16(l, "year", &r[c[2]]),
                f.f64(l, "demand_t", &r[c[3]]),
                src_ix(&ds, &mut f, l, &r[c[4]]),
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
    read_trade(files, &ds, &mut issues).map(|t| ds.trade = t)?;
    read_curated(files, &mut ds, &mut issues)?;
    ds.reindex();

    if !issues.is_empty() {
        return Err(DataError::Invalid(issues));
    }
    let texts: HashMap<String, String> = crate::DATASET_FILES
        .iter()
        .filter(|f| f.starts_with("curated/"))
        .filter_map(|f| {
            files.get(f).ok().map(|b| {
                (
                    f.trim_start_matches("curated/").to_string(),
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
        Ok(ds)
    } else {
        Err(DataError::Invalid(issues))
    }
}

fn s(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or("")
}

fn table(
    files: &dyn Files,
    name: &str,
    cols: &[&str],
    issues: &mut Vec<Issue>,
) -> Result<Option<Table>, DataError> {
    let bytes = files.get(name)?;
    match Table::parse(name, &bytes, cols) {
        Ok(t) => Ok(Some(t)),
        Err(mut e) => {
            issues.append(&mut e);
            Ok(None)
        }
    }
}

/// The trade table is 1.26 M rows (63 MB once decompressed; zstd, because it decompresses
/// several times faster than gzip and `zstdcat` reads it as easily). Decompression streams blocks
/// cut at line ends to parser threads, so parsing overlaps decompression; a flat country
/// lookup replaces hashing. Blocks are parsed independently and concatenated in order, so
/// the result does not depend on the number of threads.
fn read_trade(
    files: &dyn Files,
    ds: &Dataset,
    issues: &mut Vec<Issue>,
) -> Result<TradeTable, DataError> {
    use std::sync::{mpsc, Mutex};
    const FILE: &str = "trade.csv.zst";
    const BLOCK: usize = 4 << 20;
    let gz = files.get(FILE)?;
    let lookup = CountryLookup::new(ds);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let (tx, rx) = mpsc::sync_channel::<(usize, Vec<u8>)>(threads * 2);
    let rx = Mutex::new(rx);
    type Part = (usize, TradeTable, Vec<Issue>, usize);
    let (header, parts, read_err): (Vec<u8>, Vec<Part>, Option<String>) =
        std::thread::scope(|sc| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    sc.spawn(|| {
                        let mut done: Vec<Part> = Vec::new();
                        loop {
                            let next = rx.lock().expect("trade block queue").recv();
                            let Ok((seq, block)) = next else { break };
                            let (t, iss, lines) = parse_trade_chunk(&block, ds, &lookup);
                            done.push((seq, t, iss, lines));
                        }
                        done
                    })
                })
                .collect();
            // This thread decompresses and deals out blocks; the header stays here.
            let mut dec = match zstd::stream::read::Decoder::with_buffer(&gz[..]) {
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
    if let Some(message) = read_err {
        return Err(DataError::Io {
            file: FILE.into(),
            message,
        });
    }
    const HEADER: &[u8] = b"year,exporter,importer,hs6,value_kusd,qty_t,source";
    if header != HEADER {
        issues.push(issue(
            FILE,
            Some(1),
            "header",
            "year,exporter,importer,hs6,value_kusd,qty_t,source",
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

/// Parses one chunk; issue lines are relative to the chunk (0-based) until the caller shifts
/// them. Returns the rows, the issues and the number of lines in the chunk.
fn parse_trade_chunk(
    chunk: &[u8],
    ds: &Dataset,
    countries: &CountryLookup,
) -> (TradeTable, Vec<Issue>, usize) {
    const FILE: &str = "trade.csv.zst";
    let names = [
        "year",
        "exporter",
        "importer",
        "hs6",
        "value_kusd",
        "qty_t",
        "source",
    ];
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
    // memchr finds line and field ends with SIMD; a byte-at-a-time split was half the cost.
    let mut start = 0;
    let mut k = 0;
    while start < chunk.len() {
        let end = memchr::memchr(b'\n', &chunk[start..]).map_or(chunk.len(), |p| start + p);
        let line = &chunk[start..end];
        start = end + 1;
        k += 1;
        let k = k - 1;
        if line.is_empty() {
            continue;
        }
        let mut fld: [&[u8]; 7] = [b""; 7];
        let mut n = 0;
        let mut f0 = 0;
        for c in memchr::memchr_iter(b',', line).chain(std::iter::once(line.len())) {
            if n < 7 {
                fld[n] = &line[f0..c];
            }
            n += 1;
            f0 = c + 1;
        }
        if n != 7 {
            issues.push(issue(
                FILE,
                Some(k),
                "record",
                "7 comma-separated fields",
                &String::from_utf8_lossy(line),
            ));
            continue;
        }
        let year = s(fld[0]).parse::<u16>();
        let ex = countries.get(fld[1]);
        let im = countries.get(fld[2]);
        let hs = s(fld[3]).parse::<u32>();
        let v = s(fld[4]).parse::<f64>();
        let q = if fld[5].is_empty() {
            Ok(f64::NAN)
        } else {
            s(fld[5]).parse::<f64>()
        };
        let src = if fld[6] == last_src.0 {
            Some(last_src.1)
        } else {
            ds.source(s(fld[6])).inspect(|&ix| last_src = (fld[6], ix))
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
                    "a country id from countries.csv",
                    "a country id from countries.csv",
                    "a six-digit HS code",
                    "a number",
                    "a number or empty",
                    "a source id from sources.csv",
                ];
                for j in 0..7 {
                    if !oks[j] {
                        issues.push(issue(FILE, Some(k), names[j], exp[j], s(fld[j])));
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
    name: &str,
    issues: &mut Vec<Issue>,
) -> Result<T, DataError> {
    let path = format!("curated/{name}");
    let b = files.get(&path)?;
    let s = text(&b, &path)?;
    match toml::from_str::<T>(s) {
        Ok(v) => Ok(v),
        Err(e) => {
            let line = e
                .span()
                .map(|sp| s[..sp.start.min(s.len())].matches('\n').count() + 1);
            let field = line.and_then(|l| toml_field(s, l));
            issues.push(Issue {
                check: "parse",
                file: path,
                line,
                field: field.unwrap_or_else(|| "toml".into()),
                expected: "valid TOML in the documented schema (docs/data.md)".into(),
                found: e.message().to_string(),
            });
            Ok(T::default())
        }
    }
}

fn read_curated(
    files: &dyn Files,
    ds: &mut Dataset,
    issues: &mut Vec<Issue>,
) -> Result<(), DataError> {
    ds.curated.blocs = toml_file::<BlocsFile>(files, "blocs.toml", issues)?.bloc;
    ds.curated.agreements =
        toml_file::<AgreementsFile>(files, "agreements.toml", issues)?.agreement;
    ds.curated.financiers =
        toml_file::<FinanciersFile>(files, "financiers.toml", issues)?.financier;
    ds.curated.projects = toml_file::<ProjectsFile>(files, "projects.toml", issues)?.project;
    ds.curated.instruments =
        toml_file::<InstrumentsFile>(files, "instruments.toml", issues)?.instrument;
    ds.curated.assets = toml_file::<OwnershipFile>(files, "ownership.toml", issues)?.asset;
    ds.curated.claims = toml_file::<ClaimsFile>(files, "claims.toml", issues)?.claim;
    Ok(())
}

/// Parses only the curated TOML layer from text, for property tests and fuzzing.
pub fn parse_ownership_toml(s: &str) -> Result<Vec<Asset>, String> {
    toml::from_str::<OwnershipFile>(s)
        .map(|f| f.asset)
        .map_err(|e| e.to_string())
}
