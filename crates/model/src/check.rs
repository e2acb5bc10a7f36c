//! Named validation checks. Each check is one function that appends [`Issue`]s; [`validate`]
//! runs them all. Readers run `validate` on every load and refuse a dataset with any issue.
//!
//! Rows of a CSV table sit at line `index + 2` of their file (one header line); curated TOML
//! entries are located by the reader, which passes a `locate` callback. Closed vocabularies
//! (stages, agreement kinds) are types in [`crate::curated`], so the reader refuses a bad value
//! at its line before these checks run.

use crate::{Dataset, Stage};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// One problem found in a dataset: where it is, which check found it, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// The check that found it (`parse` for the reader's own checks).
    pub check: &'static str,
    /// File, relative to the dataset folder.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The column, or `table[id=…].field` in a curated file.
    pub field: String,
    /// What a valid value looks like.
    pub expected: String,
    /// The value found.
    pub found: String,
}

impl std::error::Error for Issue {}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}", self.file, l)?,
            None => write!(f, "{}", self.file)?,
        }
        write!(
            f,
            ": field `{}`: expected {}, found {:?} [{}]",
            self.field, self.expected, self.found, self.check
        )
    }
}

/// Finds the line of a curated entry, given file name, table name and entry id.
pub type Locate<'a> = &'a dyn Fn(&str, &str, &str) -> Option<usize>;

struct Sink<'a> {
    issues: Vec<Issue>,
    locate: Locate<'a>,
}

impl Sink<'_> {
    fn csv(
        &mut self,
        check: &'static str,
        file: &str,
        index: usize,
        field: &str,
        exp: &str,
        found: String,
    ) {
        self.issues.push(Issue {
            check,
            file: file.to_string(),
            line: Some(index + 2),
            field: field.to_string(),
            expected: exp.to_string(),
            found,
        });
    }
    #[allow(clippy::too_many_arguments)]
    fn toml(
        &mut self,
        check: &'static str,
        file: &str,
        table: &str,
        id: &str,
        field: &str,
        exp: &str,
        found: String,
    ) {
        let line = (self.locate)(file, table, id);
        self.issues.push(Issue {
            check,
            file: format!("curated/{file}"),
            line,
            field: format!("{table}[id={id}].{field}"),
            expected: exp.to_string(),
            found,
        });
    }
}

/// Runs every named check. An empty result means the dataset is valid.
pub fn validate(ds: &Dataset, locate: Locate<'_>) -> Vec<Issue> {
    let mut s = Sink {
        issues: Vec::new(),
        locate,
    };
    duplicate_id(ds, &mut s);
    missing_source(ds, &mut s);
    negative_or_non_finite(ds, &mut s);
    shares_over_100(ds, &mut s);
    unknown_country(ds, &mut s);
    unknown_material(ds, &mut s);
    dangling_reference(ds, &mut s);
    unit_mismatch(ds, &mut s);
    out_of_range(ds, &mut s);
    asset_above_host(ds, &mut s);
    duplicate_governance(ds, &mut s);
    bloc_members(ds, &mut s);
    s.issues
}

/// Slack of `asset_above_host`: a guard against gross errors (an output 100× too large, a
/// wrong unit), not a reconciliation. Company reports and the statistics differ in basis
/// (REO against element content; a nameplate used as a proxy): the shipped Lynas Malaysia
/// figure is 3.0× the IEA's Malaysian refining and the Kemerton proxy 1.9× Australia's, both
/// open questions for the asset layer's rework (issue 9).
const ASSET_SLACK: f64 = 4.0;

/// `asset_above_host`: a curated asset's output (× content factor) is at most its host's
/// production that year in any dataset (with [`ASSET_SLACK`]): an asset 100× too large would
/// make the brief claim control of almost the whole world.
fn asset_above_host(ds: &Dataset, s: &mut Sink) {
    for a in &ds.curated.assets {
        let (Some(f), Some(m), Some(c)) = (
            a.content_factor,
            ds.material(a.material.as_str()),
            ds.country(&a.country),
        ) else {
            continue;
        };
        let Ok(year) = u16::try_from(a.output_year) else {
            continue;
        };
        let host = ds
            .production
            .iter()
            .filter(|r| r.material == m && r.stage == a.stage && r.country == c && r.year == year)
            .map(|r| r.value_t)
            .fold(0.0f64, f64::max);
        let t = a.output_value * f;
        if host > 0.0 && t > ASSET_SLACK * host {
            s.toml(
                "asset_above_host",
                "ownership.toml",
                "asset",
                &a.id,
                "output_value",
                &format!(
                    "at most the host's {} {} production in {year} ({host:.0} t of content; output × content factor gives {t:.0} t)",
                    a.country, a.stage
                ),
                a.output_value.to_string(),
            );
        }
    }
}

/// `duplicate_governance`: one WGI row per (country, year, dimension, source); two releases of
/// the same dimension (WGI 2023 and the PV 2024 release) are two sources.
fn duplicate_governance(ds: &Dataset, s: &mut Sink) {
    let mut seen = HashSet::new();
    for (i, g) in ds.governance.iter().enumerate() {
        if !seen.insert((g.country, g.year, g.dimension, g.source)) {
            s.csv(
                "duplicate_governance",
                "governance.csv",
                i,
                "country/year/dimension",
                "one row per country, year, dimension and source",
                format!("{} {} {:?}", ds.country_id(g.country), g.year, g.dimension),
            );
        }
    }
}

/// `bloc_members`: a bloc lists at least one member, each once.
fn bloc_members(ds: &Dataset, s: &mut Sink) {
    for b in &ds.curated.blocs {
        if b.members.is_empty() {
            s.toml(
                "bloc_members",
                "blocs.toml",
                "bloc",
                &b.id,
                "members",
                "at least one member country",
                "[]".into(),
            );
        }
        for (_, m) in dup(b.members.iter().map(String::as_str)) {
            s.toml(
                "bloc_members",
                "blocs.toml",
                "bloc",
                &b.id,
                "members",
                "each member once",
                m.to_string(),
            );
        }
    }
}

fn dup<'a, I: IntoIterator<Item = &'a str>>(ids: I) -> Vec<(usize, &'a str)> {
    let mut seen = HashSet::new();
    ids.into_iter()
        .enumerate()
        .filter(|(_, id)| !seen.insert(*id))
        .collect()
}

/// `duplicate_id`: every id is unique in its table, and no (dataset, material, stage, country,
/// year) production key appears twice.
fn duplicate_id(ds: &Dataset, s: &mut Sink) {
    for (i, id) in dup(ds.sources.iter().map(|x| x.id.as_str())) {
        s.csv(
            "duplicate_id",
            "sources.csv",
            i,
            "id",
            "a unique source id",
            id.into(),
        );
    }
    for (i, id) in dup(ds.countries.iter().map(|x| x.id.as_str())) {
        s.csv(
            "duplicate_id",
            "countries.csv",
            i,
            "id",
            "a unique country id",
            id.into(),
        );
    }
    for (i, id) in dup(ds.materials.iter().map(|x| x.id.as_str())) {
        s.csv(
            "duplicate_id",
            "materials.csv",
            i,
            "id",
            "a unique material id",
            id.into(),
        );
    }
    let c = &ds.curated;
    for (file, table, ids) in [
        (
            "blocs.toml",
            "bloc",
            c.blocs.iter().map(|x| x.id.as_str()).collect::<Vec<_>>(),
        ),
        (
            "agreements.toml",
            "agreement",
            c.agreements.iter().map(|x| x.id.as_str()).collect(),
        ),
        (
            "financiers.toml",
            "financier",
            c.financiers.iter().map(|x| x.id.as_str()).collect(),
        ),
        (
            "projects.toml",
            "project",
            c.projects.iter().map(|x| x.id.as_str()).collect(),
        ),
        (
            "instruments.toml",
            "instrument",
            c.instruments.iter().map(|x| x.id.as_str()).collect(),
        ),
        (
            "ownership.toml",
            "asset",
            c.assets.iter().map(|x| x.id.as_str()).collect(),
        ),
        (
            "claims.toml",
            "claim",
            c.claims.iter().map(|x| x.id.as_str()).collect(),
        ),
    ] {
        for (_, id) in dup(ids) {
            s.toml(
                "duplicate_id",
                file,
                table,
                id,
                "id",
                "a unique id",
                id.into(),
            );
        }
    }
    let mut seen = HashSet::new();
    for (i, r) in ds.production.iter().enumerate() {
        if !seen.insert((r.dataset.as_str(), r.material, r.stage, r.country, r.year)) {
            s.csv(
                "duplicate_id",
                "production.csv",
                i,
                "dataset,material,stage,country,year",
                "one row per key",
                format!(
                    "{},{},{},{},{}",
                    r.dataset,
                    ds.material_id(r.material),
                    r.stage,
                    ds.country_id(r.country),
                    r.year
                ),
            );
        }
    }
    let mut seen = HashSet::new();
    for (i, r) in ds.hs_map.iter().enumerate() {
        if !seen.insert(r.hs6) {
            s.csv(
                "duplicate_id",
                "hs_map.csv",
                i,
                "hs6",
                "one row per HS6 code",
                r.hs6.to_string(),
            );
        }
    }
}

/// `missing_source`: every curated entry cites a source.
fn missing_source(ds: &Dataset, s: &mut Sink) {
    let c = &ds.curated;
    let mut chk = |file: &str, table: &str, id: &str, src: &str| {
        if src.trim().is_empty() {
            s.toml(
                "missing_source",
                file,
                table,
                id,
                "source",
                "a citation",
                src.into(),
            );
        }
    };
    for x in &c.blocs {
        chk("blocs.toml", "bloc", &x.id, &x.source);
    }
    for x in &c.agreements {
        chk("agreements.toml", "agreement", &x.id, &x.source);
    }
    for x in &c.financiers {
        chk("financiers.toml", "financier", &x.id, &x.source);
    }
    for x in &c.projects {
        chk("projects.toml", "project", &x.id, &x.source);
    }
    for x in &c.instruments {
        chk("instruments.toml", "instrument", &x.id, &x.source);
    }
    for x in &c.assets {
        chk("ownership.toml", "asset", &x.id, &x.source);
    }
    for x in &c.claims {
        chk("claims.toml", "claim", &x.id, &x.source);
    }
    for (i, src) in ds.sources.iter().enumerate() {
        if src.title.trim().is_empty() {
            s.csv(
                "missing_source",
                "sources.csv",
                i,
                "title",
                "a title",
                String::new(),
            );
        }
    }
}

fn bad(v: f64) -> bool {
    !v.is_finite() || v < 0.0
}

/// `negative_or_non_finite`: quantities are finite and ≥ 0 (trade quantity may be missing).
fn negative_or_non_finite(ds: &Dataset, s: &mut Sink) {
    const EXP: &str = "a finite, non-negative number";
    for (i, r) in ds.production.iter().enumerate() {
        if bad(r.value_t) {
            s.csv(
                "negative_or_non_finite",
                "production.csv",
                i,
                "value_t",
                EXP,
                r.value_t.to_string(),
            );
        }
    }
    for (i, r) in ds.reserves.iter().enumerate() {
        if bad(r.value_t) {
            s.csv(
                "negative_or_non_finite",
                "reserves.csv",
                i,
                "value_t",
                EXP,
                r.value_t.to_string(),
            );
        }
    }
    let t = &ds.trade;
    for i in 0..t.len() {
        if bad(t.value_kusd[i]) {
            s.csv(
                "negative_or_non_finite",
                "trade.csv.zst",
                i,
                "value_kusd",
                EXP,
                t.value_kusd[i].to_string(),
            );
        }
        let q = t.qty_t[i];
        if !q.is_nan() && bad(q) {
            s.csv(
                "negative_or_non_finite",
                "trade.csv.zst",
                i,
                "qty_t",
                EXP,
                q.to_string(),
            );
        }
    }
    for a in &ds.curated.assets {
        if bad(a.output_value) {
            s.toml(
                "negative_or_non_finite",
                "ownership.toml",
                "asset",
                &a.id,
                "output_value",
                EXP,
                a.output_value.to_string(),
            );
        }
    }
    for p in &ds.curated.projects {
        for (f, v) in [
            ("capacity_value", p.capacity_value),
            ("capex_usd_million", p.capex_usd_million),
        ] {
            if let Some(v) = v {
                if bad(v) {
                    s.toml(
                        "negative_or_non_finite",
                        "projects.toml",
                        "project",
                        &p.id,
                        f,
                        EXP,
                        v.to_string(),
                    );
                }
            }
        }
    }
    for f in &ds.curated.financiers {
        if let Some(v) = f.size_value {
            if bad(v) {
                s.toml(
                    "negative_or_non_finite",
                    "financiers.toml",
                    "financier",
                    &f.id,
                    "size_value",
                    EXP,
                    v.to_string(),
                );
            }
        }
    }
}

/// `shares_over_100`: each owner's share is in [0, 1] and one asset's shares sum to at most 1;
/// content factors are in (0, 1].
fn shares_over_100(ds: &Dataset, s: &mut Sink) {
    for a in &ds.curated.assets {
        let mut sum = 0.0;
        for (k, o) in a.owner.iter().enumerate() {
            if !(0.0..=1.0).contains(&o.share) {
                s.toml(
                    "shares_over_100",
                    "ownership.toml",
                    "asset",
                    &a.id,
                    &format!("owner[{k}].share"),
                    "a share between 0 and 1",
                    o.share.to_string(),
                );
            }
            sum += o.share;
        }
        if let Some(f) = a.content_factor {
            if !(f > 0.0 && f <= 1.0) {
                s.toml(
                    "shares_over_100",
                    "ownership.toml",
                    "asset",
                    &a.id,
                    "content_factor",
                    "a mass fraction in (0, 1]",
                    f.to_string(),
                );
            }
        }
        if sum > 1.0 + 1e-9 {
            s.toml(
                "shares_over_100",
                "ownership.toml",
                "asset",
                &a.id,
                "owner[*].share",
                "owner shares summing to at most 1",
                format!("{sum}"),
            );
        }
    }
    for (i, h) in ds.hs_map.iter().enumerate() {
        if !(h.content_factor > 0.0 && h.content_factor <= 1.0) {
            s.csv(
                "shares_over_100",
                "hs_map.csv",
                i,
                "content_factor",
                "a mass fraction in (0, 1]",
                h.content_factor.to_string(),
            );
        }
    }
}

/// `unknown_country`: every country code in the curated layer is in countries.csv.
fn unknown_country(ds: &Dataset, s: &mut Sink) {
    const EXP: &str = "a country id from countries.csv";
    let known = |c: &str| ds.country(c).is_some();
    let c = &ds.curated;
    for b in &c.blocs {
        for m in b.members.iter().filter(|m| !known(m)) {
            s.toml(
                "unknown_country",
                "blocs.toml",
                "bloc",
                &b.id,
                "members",
                EXP,
                m.clone(),
            );
        }
    }
    for a in &c.agreements {
        for m in a.parties.iter().filter(|m| !known(m)) {
            s.toml(
                "unknown_country",
                "agreements.toml",
                "agreement",
                &a.id,
                "parties",
                EXP,
                m.clone(),
            );
        }
        if let Some(r) = a.respondent.as_ref().filter(|r| !known(r)) {
            s.toml(
                "unknown_country",
                "agreements.toml",
                "agreement",
                &a.id,
                "respondent",
                EXP,
                r.clone(),
            );
        }
    }
    for f in &c.financiers {
        if !f.country.is_empty() && !known(&f.country) {
            s.toml(
                "unknown_country",
                "financiers.toml",
                "financier",
                &f.id,
                "country",
                EXP,
                f.country.clone(),
            );
        }
        for m in f.members.iter().filter(|m| !known(m)) {
            s.toml(
                "unknown_country",
                "financiers.toml",
                "financier",
                &f.id,
                "members",
                EXP,
                m.clone(),
            );
        }
    }
    for p in &c.projects {
        for (f, v) in [
            ("sponsor_country", &p.sponsor_country),
            ("host_country", &p.host_country),
        ] {
            if !known(v) {
                s.toml(
                    "unknown_country",
                    "projects.toml",
                    "project",
                    &p.id,
                    f,
                    EXP,
                    v.clone(),
                );
            }
        }
    }
    for i in &c.instruments {
        if !known(&i.country) {
            s.toml(
                "unknown_country",
                "instruments.toml",
                "instrument",
                &i.id,
                "country",
                EXP,
                i.country.clone(),
            );
        }
    }
    for a in &c.assets {
        if !known(&a.country) {
            s.toml(
                "unknown_country",
                "ownership.toml",
                "asset",
                &a.id,
                "country",
                EXP,
                a.country.clone(),
            );
        }
        for (k, o) in a.owner.iter().enumerate() {
            if !known(&o.home) {
                s.toml(
                    "unknown_country",
                    "ownership.toml",
                    "asset",
                    &a.id,
                    &format!("owner[{k}].home"),
                    EXP,
                    o.home.clone(),
                );
            }
        }
    }
    for x in &c.claims {
        let fields = [
            ("host", Some(&x.host)),
            ("controller_home", x.controller_home.as_ref()),
        ];
        for (f, v) in fields {
            if let Some(v) = v.filter(|v| !known(v)) {
                s.toml(
                    "unknown_country",
                    "claims.toml",
                    "claim",
                    &x.id,
                    f,
                    EXP,
                    v.clone(),
                );
            }
        }
    }
}

/// `unknown_material`: every material in the curated layer is in materials.csv.
fn unknown_material(ds: &Dataset, s: &mut Sink) {
    const EXP: &str = "a material id from materials.csv";
    let c = &ds.curated;
    let unknown = |m: &crate::MaterialId| ds.material(m.as_str()).is_none();
    let rows = c
        .projects
        .iter()
        .map(|p| ("projects.toml", "project", &p.id, &p.material))
        .chain(
            c.instruments
                .iter()
                .map(|i| ("instruments.toml", "instrument", &i.id, &i.material)),
        )
        .chain(
            c.assets
                .iter()
                .map(|a| ("ownership.toml", "asset", &a.id, &a.material)),
        )
        .chain(
            c.claims
                .iter()
                .map(|x| ("claims.toml", "claim", &x.id, &x.material)),
        );
    for (file, table, id, m) in rows.filter(|r| unknown(r.3)) {
        s.toml(
            "unknown_material",
            file,
            table,
            id,
            "material",
            EXP,
            m.to_string(),
        );
    }
}

/// `dangling_reference`: projects name known financiers; table rows name known sources.
fn dangling_reference(ds: &Dataset, s: &mut Sink) {
    let fin: HashSet<&str> = ds
        .curated
        .financiers
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    for p in &ds.curated.projects {
        for f in p.financiers.iter().filter(|f| !fin.contains(f.as_str())) {
            s.toml(
                "dangling_reference",
                "projects.toml",
                "project",
                &p.id,
                "financiers",
                "a financier id from financiers.toml",
                f.clone(),
            );
        }
    }
    let n = ds.sources.len();
    for (i, r) in ds.production.iter().enumerate() {
        if r.source as usize >= n {
            s.csv(
                "dangling_reference",
                "production.csv",
                i,
                "source",
                "a source id from sources.csv",
                r.source.to_string(),
            );
        }
    }
}

/// `unit_mismatch`: asset output is in tonnes, and one (dataset, material, stage) series never
/// mixes sources (which would mix bases: IEA magnet REEs are not USGS total REO).
fn unit_mismatch(ds: &Dataset, s: &mut Sink) {
    for a in ds.curated.assets.iter().filter(|a| a.output_unit != "t") {
        s.toml(
            "unit_mismatch",
            "ownership.toml",
            "asset",
            &a.id,
            "output_unit",
            "\"t\" (tonnes in the stated basis)",
            a.output_unit.clone(),
        );
    }
    let mut series: HashMap<(&str, u16, Stage), u16> = HashMap::new();
    for (i, r) in ds.production.iter().enumerate() {
        let e = series
            .entry((r.dataset.as_str(), r.material, r.stage))
            .or_insert(r.source);
        if *e != r.source {
            s.csv(
                "unit_mismatch",
                "production.csv",
                i,
                "source",
                "the same source (hence basis) for the whole series",
                ds.sources
                    .get(r.source as usize)
                    .map(|x| x.id.clone())
                    .unwrap_or_default(),
            );
        }
    }
}

/// `out_of_range`: WGI estimates lie within ±3.5, years are plausible and an agreement's
/// `in_force` is a date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) or empty.
fn out_of_range(ds: &Dataset, s: &mut Sink) {
    for a in &ds.curated.agreements {
        if !a.in_force.is_empty() && crate::curated::date_year(&a.in_force).is_none() {
            s.toml(
                "out_of_range",
                "agreements.toml",
                "agreement",
                &a.id,
                "in_force",
                "a date YYYY-MM-DD (or YYYY-MM, YYYY), or \"\" when not in force",
                a.in_force.clone(),
            );
        }
    }
    for (i, g) in ds.governance.iter().enumerate() {
        if !(g.estimate.is_finite() && g.estimate.abs() <= 3.5) {
            s.csv(
                "out_of_range",
                "governance.csv",
                i,
                "estimate",
                "a WGI estimate within [-3.5, 3.5]",
                g.estimate.to_string(),
            );
        }
    }
    for (i, r) in ds.production.iter().enumerate() {
        if !(1900..=2100).contains(&r.year) {
            s.csv(
                "out_of_range",
                "production.csv",
                i,
                "year",
                "a year between 1900 and 2100",
                r.year.to_string(),
            );
        }
    }
}
