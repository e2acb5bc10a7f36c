//! `curated/capacity.toml`: the shipped table loads, either array may be absent, and each bad
//! entry is refused with file, line, entry, field and what was expected.

use quadrant_data::{embedded, load_dir, load_embedded, load_files, spec, DataError, MemFiles};
use quadrant_model::{Dataset, Stage, StockHolder};
use std::path::Path;

/// The shipped dataset with `curated/capacity.toml` replaced by `text`.
fn load_with(text: &str) -> Result<Dataset, DataError> {
    let mut files = MemFiles(
        embedded::files()
            .map(|(n, b)| (n.to_string(), b.to_vec()))
            .collect(),
    );
    files
        .0
        .insert(spec::CAPACITY.file.to_string(), text.as_bytes().to_vec());
    load_files(&files)
}

fn refused(text: &str) -> Vec<String> {
    match load_with(text) {
        Ok(_) => panic!("a bad capacity table was accepted:\n{text}"),
        Err(e) => e.issues().iter().map(|i| i.to_string()).collect(),
    }
}

/// One `[[utilisation]]` entry (its header is the first line).
fn util(material: &str, stage: &str, country: &str, year: &str, rate: &str) -> String {
    format!(
        "[[utilisation]]\nmaterial = \"{material}\"\nstage = \"{stage}\"\ncountry = \"{country}\"\n\
         year = {year}\nrate = {rate}\nsource = \"a citation\"\nnote = \"a note\"\n\n"
    )
}

/// One `[[stocks]]` entry (its header is the first line).
fn stock(material: &str, holder: &str, weeks: &str, year: &str, source: &str) -> String {
    format!(
        "[[stocks]]\nmaterial = \"{material}\"\nstage = \"refining\"\nholder = \"{holder}\"\n\
         weeks = {weeks}\nyear = {year}\nsource = \"{source}\"\n\n"
    )
}

#[test]
fn the_shipped_table_loads_with_every_figure_cited_and_in_range() {
    let ds = load_embedded().expect("the embedded dataset is valid");
    let c = &ds.curated;
    assert!(!c.utilisation.is_empty() && !c.stocks.is_empty());
    for u in &c.utilisation {
        assert!(u.rate > 0.0 && u.rate <= 1.0, "{u:?}");
        assert!(u.source.len() > 20 && u.note.is_some(), "{u:?}");
        assert!(u.is_world() || ds.country(&u.country).is_some(), "{u:?}");
        assert!(ds.material(u.material.as_str()).is_some(), "{u:?}");
    }
    for s in &c.stocks {
        assert!((0.0..=104.0).contains(&s.weeks), "{s:?}");
        assert!(s.source.len() > 20 && s.note.is_some(), "{s:?}");
    }
    // Spot checks of figures taken from USGS: China's 2023 gallium output over capacity
    // (600 t of 1 000 t), and a producer without a row of its own takes the world's rate.
    let ga = |country: &str| {
        c.utilisation_for("gallium", Stage::Refining, country, 2023)
            .map(|u| u.rate)
    };
    assert_eq!(ga("CHN"), Some(0.60));
    assert_eq!(ga("DEU"), Some(0.55));
    assert!(c
        .stock_cover("cobalt", Stage::Refining, StockHolder::Consumers, 2024)
        .is_some());
    // The folder on disk and the embedded copy agree.
    let disk = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/world"))
        .expect("data/world is valid");
    assert_eq!(disk.curated.utilisation, c.utilisation);
    assert_eq!(disk.curated.stocks, c.stocks);
}

#[test]
fn either_array_may_be_absent() {
    let ds = load_with("# nothing cited yet\n").expect("an empty capacity table loads");
    assert!(ds.curated.utilisation.is_empty() && ds.curated.stocks.is_empty());
    let ds = load_with(&stock("nickel", "exchange", "1.5", "2023", "a citation"))
        .expect("stocks alone load");
    assert!(ds.curated.utilisation.is_empty());
    assert_eq!(ds.curated.stocks[0].holder, StockHolder::Exchange);
    let ds =
        load_with(&util("cobalt", "refining", "WLD", "2023", "0.8")).expect("a world rate loads");
    assert!(ds.curated.utilisation[0].is_world());
}

#[test]
fn bad_values_name_file_line_entry_field_and_expectation() {
    // Entry n's header is at line 9 (n - 1) + 1 for utilisation (9 lines each) and follows
    // the utilisation entries for stocks (8 lines each).
    let text = [
        util("cobalt", "refining", "CHN", "2023", "0.6"), // #1, line 1: fine
        util("cobalt", "refining", "CHN", "2023", "0.7"), // #2, line 10: duplicate
        util("cobalt", "mining", "COD", "2023", "1.5"),   // #3, line 19: rate > 1
        util("cobalt", "mining", "ZMB", "2023", "0"),     // #4, line 28: rate 0
        util("unobtainium", "mining", "AUS", "2023", "0.5"), // #5, line 37
        util("lithium", "refining", "XXQ", "2023", "0.5"), // #6, line 46
        util("lithium", "refining", "CHL", "3023", "0.5"), // #7, line 55
        stock("nickel", "consumers", "200", "2023", "a citation"), // #1, line 64
        stock("nickel", "exchange", "-1", "2023", "a citation"), // #2, line 72
        stock("nickel", "producers", "nan", "2023", "a citation"), // #3, line 80
        stock("nickel", "producers", "2", "2022", ""),    // #4, line 88
        stock("nickel", "producers", "3", "2022", "a citation"), // #5, line 96: duplicate
    ]
    .concat();
    let issues = refused(&text);
    let want = [
        "curated/capacity.toml:10: field `utilisation[#2].material,stage,country,year`: expected one utilisation row per material, stage, country and year, found \"cobalt,refining,CHN,2023\" [duplicate_id]",
        "curated/capacity.toml:19: field `utilisation[#3].rate`: expected a utilisation rate (output / capacity) in (0, 1], found \"1.5\" [out_of_range]",
        "curated/capacity.toml:28: field `utilisation[#4].rate`: expected a utilisation rate (output / capacity) in (0, 1], found \"0\" [out_of_range]",
        "curated/capacity.toml:37: field `utilisation[#5].material`: expected a material id from materials.csv, found \"unobtainium\" [unknown_material]",
        "curated/capacity.toml:46: field `utilisation[#6].country`: expected a country id from countries.csv, or \"WLD\" for a world rate, found \"XXQ\" [unknown_country]",
        "curated/capacity.toml:55: field `utilisation[#7].year`: expected a year between 1900 and 2100, found \"3023\" [out_of_range]",
        "curated/capacity.toml:64: field `stocks[#1].weeks`: expected a finite number of weeks of use in [0, 104], found \"200\" [out_of_range]",
        "curated/capacity.toml:72: field `stocks[#2].weeks`: expected a finite number of weeks of use in [0, 104], found \"-1\" [out_of_range]",
        "curated/capacity.toml:80: field `stocks[#3].weeks`: expected a finite number of weeks of use in [0, 104], found \"NaN\" [out_of_range]",
        "curated/capacity.toml:88: field `stocks[#4].source`: expected a citation, found \"\" [missing_source]",
        "curated/capacity.toml:96: field `stocks[#5].material,stage,holder,year`: expected one stocks row per material, stage, holder and year, found \"nickel,refining,producers,2022\" [duplicate_id]",
    ];
    for w in want {
        assert!(
            issues.iter().any(|i| i == w),
            "missing:\n{w}\nin:\n{issues:#?}"
        );
    }
    assert_eq!(issues.len(), want.len(), "{issues:#?}");
}

#[test]
fn a_bad_word_is_refused_at_its_line_with_the_entry_and_field() {
    let text = [
        util("cobalt", "refining", "CHN", "2023", "0.6"),
        stock("nickel", "consumers", "8", "2023", "a citation"),
        stock("nickel", "banks", "8", "2023", "a citation"), // holder at line 21
    ]
    .concat();
    let issues = refused(&text);
    assert!(
        issues.iter().any(|i| i.starts_with(
            "curated/capacity.toml:21: field `stocks[#2].holder`: expected valid TOML"
        ) && i.contains("banks")
            && i.contains("[parse]")),
        "{issues:#?}"
    );
    let issues = refused(&util("cobalt", "smelting", "CHN", "2023", "0.6"));
    assert!(
        issues.iter().any(|i| i.starts_with(
            "curated/capacity.toml:3: field `utilisation[#1].stage`: expected valid TOML"
        ) && i.contains("smelting")),
        "{issues:#?}"
    );
    // An unknown key, and a misspelt array, are refused too.
    let issues = refused(
        &util("cobalt", "refining", "CHN", "2023", "0.6")
            .replace("note = \"a note\"", "capacity_t = 5"),
    );
    assert!(
        issues
            .iter()
            .any(|i| i.starts_with("curated/capacity.toml:8: field `utilisation[#1].capacity_t`")),
        "{issues:#?}"
    );
    let issues = refused("[[utilization]]\nrate = 0.5\n");
    assert!(
        issues
            .iter()
            .any(|i| i.starts_with("curated/capacity.toml:")
                && i.contains("utilization")
                && i.contains("[parse]")),
        "{issues:#?}"
    );
}
