//! Reads a dataset folder into a validated [`Dataset`]. Nothing is half-loaded: the reader
//! builds a fresh value and returns it only when every table parsed and every check passed.

use crate::files::{Dir, Files};
use crate::spec::{self, Format, TableSpec};
use crate::table::{Fields, Table};
use crate::DataError;
use quadrant_model::*;
use std::collections::HashMap;
use std::path::Path;

mod curated;
mod trade;

pub use curated::parse_ownership_toml;
use curated::read_curated;
use trade::read_trade;

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

pub(super) fn text<'a>(b: &'a [u8], file: &str) -> Result<&'a str, DataError> {
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
    let locate = move |file: &str, table: &str, id: &str| -> Option<usize> {
        let t = texts.get(file)?;
        // An entry without an id (`#n`): the line of the n-th `[[table]]` header.
        if let Some(n) = id.strip_prefix('#').and_then(|n| n.parse::<usize>().ok()) {
            let header = format!("[[{table}]]");
            return t
                .lines()
                .enumerate()
                .filter(|(_, l)| l.trim() == header)
                .nth(n.checked_sub(1)?)
                .map(|(i, _)| i + 1);
        }
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
/// GeoPolRisk map, production, reserves, governance, GeoPolRisk PV, demand scenarios, lithium
/// deposits.
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
    read_deposits(files, ds, issues)
}

/// `lithium_deposits.csv`: numbers checked non-negative, countries resolved.
fn read_deposits(
    files: &dyn Files,
    ds: &mut Dataset,
    issues: &mut Vec<Issue>,
) -> Result<(), DataError> {
    let Some(t) = table(files, &spec::LITHIUM_DEPOSITS, issues)? else {
        return Ok(());
    };
    let mut f = Fields {
        file: spec::LITHIUM_DEPOSITS.file,
        issues,
    };
    let c: Vec<usize> = spec::LITHIUM_DEPOSITS
        .columns
        .iter()
        .map(|n| t.col(n))
        .collect();
    for (line, r) in &t.rows {
        let l = *line;
        let co = country(ds, &mut f, l, "country", &r[c[2]]);
        let mut v = [0.0; 8];
        let mut ok = co.is_some();
        for (k, slot) in v.iter_mut().enumerate() {
            let name = spec::LITHIUM_DEPOSITS.columns[k + 5];
            match f.f64(l, name, &r[c[k + 5]]) {
                Some(x) if x.is_finite() && x >= 0.0 => *slot = x,
                Some(x) => {
                    f.push(l, name, "a finite, non-negative number", &x.to_string());
                    ok = false;
                }
                None => ok = false,
            }
        }
        if !ok {
            continue;
        }
        ds.lithium_deposits.push(LithiumDeposit {
            id: r[c[0]].to_string(),
            name: r[c[1]].to_string(),
            country: r[c[2]].to_string(),
            kind: r[c[3]].to_string(),
            status: r[c[4]].to_string(),
            prod_2023_t: v[0],
            capacity_t: v[1],
            ramp_up_years: v[2],
            lead_time_years: v[3],
            capex_usd_million: v[4],
            capex_usd_per_t_yr: v[5],
            opening_capex_usd_million: v[6],
            opex_usd_per_t: v[7],
            cost_source: r[c[13]].to_string(),
            source: r[c[14]].to_string(),
        });
    }
    Ok(())
}

/// Bytes as text, or nothing when they are not UTF-8 (the caller reports that).
pub(super) fn s(b: &[u8]) -> &str {
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
