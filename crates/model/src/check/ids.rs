//! Checks of ids and references: unique ids, known sources, countries and materials, no
//! dangling reference between tables.

use super::{dup, Sink, CAPACITY};
use crate::Dataset;
use std::collections::HashSet;

/// `duplicate_id`: every id is unique in its table, and no (dataset, material, stage, country,
/// year) production key appears twice.
pub(super) fn duplicate_id(ds: &Dataset, s: &mut Sink) {
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
    for (i, u) in c.utilisation.iter().enumerate() {
        let key = (u.material.as_str(), u.stage, u.country.as_str(), u.year);
        if !seen.insert(key) {
            s.entry(
                "duplicate_id",
                CAPACITY,
                "utilisation",
                i,
                "material,stage,country,year",
                "one utilisation row per material, stage, country and year",
                format!("{},{},{},{}", u.material, u.stage, u.country, u.year),
            );
        }
    }
    let mut seen = HashSet::new();
    for (i, x) in c.stocks.iter().enumerate() {
        if !seen.insert((x.material.as_str(), x.stage, x.holder, x.year)) {
            s.entry(
                "duplicate_id",
                CAPACITY,
                "stocks",
                i,
                "material,stage,holder,year",
                "one stocks row per material, stage, holder and year",
                format!("{},{},{},{}", x.material, x.stage, x.holder, x.year),
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
pub(super) fn missing_source(ds: &Dataset, s: &mut Sink) {
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
    let entries = (c.utilisation.iter().map(|u| ("utilisation", &u.source)))
        .enumerate()
        .chain(c.stocks.iter().map(|x| ("stocks", &x.source)).enumerate());
    for (i, (table, src)) in entries {
        if src.trim().is_empty() {
            s.entry(
                "missing_source",
                CAPACITY,
                table,
                i,
                "source",
                "a citation",
                src.clone(),
            );
        }
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

/// `unknown_country`: every country code in the curated layer is in countries.csv.
pub(super) fn unknown_country(ds: &Dataset, s: &mut Sink) {
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
    for (i, u) in c.utilisation.iter().enumerate() {
        if !u.is_world() && !known(&u.country) {
            s.entry(
                "unknown_country",
                CAPACITY,
                "utilisation",
                i,
                "country",
                "a country id from countries.csv, or \"WLD\" for a world rate",
                u.country.clone(),
            );
        }
    }
}

/// `unknown_material`: every material in the curated layer is in materials.csv.
pub(super) fn unknown_material(ds: &Dataset, s: &mut Sink) {
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
    let entries = (c.utilisation.iter().map(|u| ("utilisation", &u.material)))
        .enumerate()
        .chain(c.stocks.iter().map(|x| ("stocks", &x.material)).enumerate());
    for (i, (table, m)) in entries.filter(|(_, (_, m))| unknown(m)) {
        s.entry(
            "unknown_material",
            CAPACITY,
            table,
            i,
            "material",
            EXP,
            m.to_string(),
        );
    }
}

/// `dangling_reference`: projects name known financiers; table rows name known sources.
pub(super) fn dangling_reference(ds: &Dataset, s: &mut Sink) {
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
