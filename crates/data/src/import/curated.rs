//! Hand-collected production figures (`curated/ree_chain_production.csv`): each row one figure
//! transcribed or derived from cited publications, with the ids of its sources and how it was
//! derived. They become one compiled dataset, `QUADRANT-REE`, so that a series never mixes
//! sources (the `unit_mismatch` check) while each figure keeps its own citations on its line.

use super::ctx::Ctx;
use super::{tab, Prod};
use crate::table::issue;
use crate::DataError;
use quadrant_model::{sources, Issue, Stage};
use std::path::Path;

const CURATED_FILE: &str = "curated/ree_chain_production.csv";

pub(crate) fn curated(
    raw: &Path,
    ctx: &Ctx,
    prod: &mut Vec<Prod>,
    issues: &mut Vec<Issue>,
    report: &mut Vec<String>,
) -> Result<(), DataError> {
    let cols = [
        "material",
        "stage",
        "country",
        "year",
        "value",
        "unit",
        "estimated",
        "cites",
        "derivation",
    ];
    let t = tab(raw, CURATED_FILE, &cols)?;
    let c: Vec<usize> = cols.iter().map(|n| t.col(n)).collect();
    let before = prod.len();
    for (line, r) in &t.rows {
        let mut bad = |field: &str, expected: &str, found: &str| {
            issues.push(issue(CURATED_FILE, Some(*line), field, expected, found));
        };
        let material = &r[c[0]];
        if !ctx.materials.contains(material) {
            bad("material", "a material id from materials.csv", material);
        }
        let stage = &r[c[1]];
        if Stage::parse(stage).is_none() {
            bad("stage", "mining, refining or components", stage);
        }
        let country = &r[c[2]];
        if !ctx.countries.contains(country) {
            bad("country", "a country id from countries.csv", country);
        }
        let year = r[c[3]].parse::<u16>();
        if year.is_err() {
            bad("year", "a year", &r[c[3]]);
        }
        let value = r[c[4]]
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0);
        if value.is_none() {
            bad("value", "a non-negative number", &r[c[4]]);
        }
        // Tonnes in the material's basis; the basis words after "t" are for the reader.
        let unit = &r[c[5]];
        if unit != "t" && !unit.starts_with("t ") {
            bad("unit", "t, or t followed by the basis (t REO)", unit);
        }
        let estimated = match &r[c[6]] {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        };
        if estimated.is_none() {
            bad("estimated", "true or false", &r[c[6]]);
        }
        let cites: Vec<&str> = r[c[7]].split(';').map(str::trim).collect();
        if let Some(x) = cites
            .iter()
            .find(|x| x.is_empty() || !ctx.sources.contains(**x))
        {
            bad("cites", "source ids from sources.csv, separated by ';'", x);
        }
        if r[c[8]].trim().is_empty() {
            bad("derivation", "how the figure follows from its sources", "");
        }
        let (Ok(year), Some(v), Some(estimated)) = (year, value, estimated) else {
            continue;
        };
        prod.push(Prod {
            dataset: sources::QUADRANT_REE.into(),
            material: material.to_string(),
            stage: stage.to_string(),
            country: country.to_string(),
            year,
            value_t: v,
            estimated,
            source: sources::QUADRANT_REE.into(),
            raw_ref: format!("{CURATED_FILE}:{line}"),
            raw_value: r[c[4]].to_string(),
            raw_unit: unit.to_string(),
        });
    }
    report.push(format!(
        "curated: {} production rows from {CURATED_FILE}",
        prod.len() - before
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn ctx() -> Ctx {
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<HashSet<_>>();
        Ctx {
            countries: set(&["CHN", "MMR"]),
            names: HashMap::new(),
            materials: set(&["heavy_rare_earths"]),
            sources: set(&["WMD", "CNBC"]),
            aliases: HashMap::new(),
            series: HashMap::new(),
        }
    }

    fn run(rows: &str) -> (Vec<Prod>, Vec<Issue>) {
        // One folder per call: the tests run in parallel in one process.
        static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let k = CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("quadrant-curated-{}-{k}", std::process::id()));
        std::fs::create_dir_all(dir.join("curated")).unwrap();
        let head = "material,stage,country,year,value,unit,estimated,cites,derivation\n";
        std::fs::write(dir.join(CURATED_FILE), format!("{head}{rows}")).unwrap();
        let (mut prod, mut issues, mut report) = (Vec::new(), Vec::new(), Vec::new());
        curated(&dir, &ctx(), &mut prod, &mut issues, &mut report).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        (prod, issues)
    }

    #[test]
    fn a_cited_figure_becomes_one_row_of_the_compiled_dataset() {
        let (prod, issues) =
            run("heavy_rare_earths,mining,MMR,2024,39400,t REO,true,WMD;CNBC,\"copied\"\n");
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(prod.len(), 1);
        let p = &prod[0];
        assert_eq!(
            (p.dataset.as_str(), p.source.as_str()),
            ("QUADRANT-REE", "QUADRANT-REE")
        );
        assert_eq!((p.value_t, p.estimated, p.year), (39400.0, true, 2024));
        assert_eq!(p.raw_ref, "curated/ree_chain_production.csv:2");
        assert_eq!(p.raw_unit, "t REO");
    }

    #[test]
    fn a_crlf_file_refers_to_the_same_lines_as_an_lf_one() {
        let rows = "heavy_rare_earths,mining,MMR,2024,39400,t REO,true,WMD;CNBC,\"copied\"\n\
                    heavy_rare_earths,mining,MMR,2023,38000,t REO,true,WMD;CNBC,\"copied\"\n";
        let refs = |rows: &str| -> Vec<String> {
            let (prod, issues) = run(rows);
            assert!(issues.is_empty(), "{issues:?}");
            prod.into_iter().map(|p| p.raw_ref).collect()
        };
        let want = [
            "curated/ree_chain_production.csv:2",
            "curated/ree_chain_production.csv:3",
        ];
        assert_eq!(refs(rows), want);
        // The header stays LF: the second line ending alone decides the third row's line.
        assert_eq!(refs(&rows.replace('\n', "\r\n")), want);
    }

    #[test]
    fn uncited_or_malformed_figures_are_refused_with_their_line_and_field() {
        let (prod, issues) = run(concat!(
            "heavy_rare_earths,mining,MMR,2024,39400,t REO,true,NOWHERE,copied\n",
            "heavy_rare_earths,smelting,XXQ,2024,-1,kt,maybe,WMD,\n",
        ));
        let msgs: Vec<String> = issues.iter().map(|i| i.to_string()).collect();
        for want in [
            "ree_chain_production.csv:2: field `cites`",
            "ree_chain_production.csv:3: field `stage`",
            "ree_chain_production.csv:3: field `country`",
            "ree_chain_production.csv:3: field `value`",
            "ree_chain_production.csv:3: field `unit`",
            "ree_chain_production.csv:3: field `estimated`",
            "ree_chain_production.csv:3: field `derivation`",
        ] {
            assert!(msgs.iter().any(|m| m.contains(want)), "{want}: {msgs:#?}");
        }
        // The uncited row is still parsed (the import as a whole is refused on any issue).
        assert_eq!(prod.len(), 1);
    }
}
