//! The `quadrant` binary end to end, on the shipped dataset, from a directory that is not the
//! repository (the dataset is embedded).

use std::process::{Command, Output};

fn quadrant(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quadrant"))
        .args(args)
        .current_dir(std::env::temp_dir())
        .output()
        .expect("binary runs")
}

fn ok(args: &[&str]) -> String {
    let o = quadrant(args);
    assert!(
        o.status.success(),
        "quadrant {args:?} failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn stage<'a>(b: &'a serde_json::Value, material: &str, stage: &str) -> &'a serde_json::Value {
    let m = b["materials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["material"] == material)
        .unwrap();
    m["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == stage)
        .unwrap()
}

fn share(s: &serde_json::Value, country: &str) -> f64 {
    s["top"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["country"] == country)
        .unwrap()["share"]
        .as_f64()
        .unwrap()
}

/// The figures the issue asks the brief to show, each with its source and year.
#[test]
fn brief_shows_the_headline_figures_with_sources() {
    let b: serde_json::Value = serde_json::from_str(&ok(&[
        "brief",
        "--bloc",
        "QUAD",
        "--adversary",
        "CHN",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(b["members"].as_array().unwrap().len(), 4);

    let li = stage(&b, "lithium", "mining");
    let aus = share(li, "AUS");
    assert!(
        (0.30..0.45).contains(&aus),
        "Australia's share of lithium mining {aus}"
    );
    assert_eq!(li["year"], 2024);
    assert!(li["source"].as_str().unwrap().len() > 2);

    let co = stage(&b, "cobalt", "mining");
    let cod = share(co, "COD");
    assert!(
        (0.6..0.85).contains(&cod),
        "DRC share of cobalt mining {cod}"
    );

    let cr = stage(&b, "cobalt", "refining");
    let chn = share(cr, "CHN");
    assert!(
        (0.65..0.9).contains(&chn),
        "China's share of cobalt refining {chn}"
    );
    assert_eq!(cr["source"], "IEA-2025");

    let lr = stage(&b, "lithium", "refining");
    let dep = lr["origin"]["through_adversary"].as_f64().unwrap();
    assert!(
        (0.2..1.0).contains(&dep),
        "Quad dependence on China for refined lithium {dep}"
    );
    assert!(lr["origin"]["trade_year"].as_u64().unwrap() >= 2022);
    // The brief carries a GeoPolRisk score for every member.
    let m = b["materials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["material"] == "nickel")
        .unwrap();
    assert_eq!(m["geopolrisk"].as_array().unwrap().len(), 4);
}

#[test]
fn table_output_fits_100_columns() {
    let t = ok(&["brief"]);
    for line in t.lines() {
        assert!(
            line.chars().count() <= 100,
            "line too wide ({}): {line}",
            line.chars().count()
        );
    }
    assert!(t.contains("LITHIUM") && t.contains("COBALT") && t.contains("RARE EARTHS"));
}

#[test]
fn csv_has_a_source_for_every_figure() {
    let t = ok(&["brief", "--material", "cobalt", "--format", "csv"]);
    let mut r = csv::Reader::from_reader(t.as_bytes());
    let h = r.headers().unwrap().clone();
    assert_eq!(
        h.iter().collect::<Vec<_>>(),
        [
            "as_of_year",
            "material",
            "stage",
            "year",
            "indicator",
            "subject",
            "value",
            "unit",
            "source",
            "tool",
            "dataset"
        ]
    );
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        assert!(!rec[8].is_empty(), "figure without source: {rec:?}");
        assert!(rec[6].parse::<f64>().unwrap().is_finite());
        assert_eq!(&rec[0], "2024");
        assert!(
            !["index", "ratio"].contains(&&rec[7]),
            "a bare unit: {rec:?}"
        );
        n += 1;
    }
    assert!(n > 20);
}

#[test]
fn html_is_one_self_contained_page_with_svg() {
    let t = ok(&["brief", "--format", "html"]);
    assert!(t.starts_with("<!doctype html>"));
    assert!(t.matches("<svg").count() >= 10);
    assert!(!t.contains("<script") && !t.contains("http://cdn") && !t.contains("<link"));
}

#[test]
fn markdown_lists_figures() {
    let t = ok(&["brief", "--material", "lithium", "--format", "md"]);
    assert!(t.starts_with("# Dependence brief"));
    assert!(t.contains("| lithium | mining |"));
}

#[test]
fn geopolrisk_json_for_any_material_and_importer() {
    for (m, imp) in [("nickel", "USA"), ("manganese", "JPN"), ("graphite", "IND")] {
        let g: serde_json::Value = serde_json::from_str(&ok(&[
            "risk",
            "geopolrisk",
            "--importer",
            imp,
            "--year",
            "2022",
            "--material",
            m,
            "--format",
            "json",
        ]))
        .unwrap();
        let (hhi, ir, score) = (
            g["hhi"].as_f64().unwrap(),
            g["import_risk"].as_f64().unwrap(),
            g["score"].as_f64().unwrap(),
        );
        assert!(hhi > 0.0 && hhi <= 1.0 && (0.0..=1.0).contains(&ir));
        assert!((score - hhi * ir).abs() < 1e-15);
        assert_eq!(g["importer"], imp);
    }
    // USA nickel 2022 as geopolrisk-py 2.0.1 computes it (tests/golden).
    let g: serde_json::Value = serde_json::from_str(&ok(&[
        "risk",
        "geopolrisk",
        "--importer",
        "USA",
        "--year",
        "2022",
        "--material",
        "nickel",
        "--format",
        "json",
    ]))
    .unwrap();
    assert!(
        (g["hhi"].as_f64().unwrap() - 0.2675).abs() < 5e-5,
        "{}",
        g["hhi"]
    );
}

#[test]
fn source_prints_the_citation() {
    let t = ok(&["source", "USGS-MCS2024"]);
    assert!(t.contains("U.S. Geological Survey") && t.contains("doi"));
}

#[test]
fn bad_arguments_say_what_was_expected() {
    let o = quadrant(&["brief", "--format", "pdf"]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("possible values: table, json, csv, md, html")
    );
    let o = quadrant(&["brief", "--material", "unobtainium"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown material \"unobtainium\""));
    let o = quadrant(&["brief", "--bloc", "NOPE"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown bloc \"NOPE\""));
}

#[test]
fn data_check_on_a_bad_folder_names_file_and_line() {
    let dir = std::env::temp_dir().join(format!("quadrant-cli-bad-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("curated")).unwrap();
    let world = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/world");
    for f in quadrant_data_files() {
        std::fs::copy(world.join(f), dir.join(f)).unwrap();
    }
    let m = std::fs::read_to_string(dir.join("materials.csv")).unwrap();
    std::fs::write(
        dir.join("materials.csv"),
        m.replacen("t Li content,QUADRANT", "t Li content,NOSUCH", 1),
    )
    .unwrap();
    let o = quadrant(&["data", "check", "--data", dir.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!o.status.success());
    assert!(err.contains("materials.csv:2: field `source`: expected a source id from sources.csv, found \"NOSUCH\""), "{err}");
}

fn quadrant_data_files() -> Vec<&'static str> {
    quadrant_data::DATASET_FILES.to_vec()
}

#[test]
fn simulate_the_drc_ban_reports_shortfall_and_prices() {
    let r: serde_json::Value =
        serde_json::from_str(&ok(&["simulate", "drc-cobalt-2025", "--format", "json"])).unwrap();
    let m = &r["materials"][0];
    assert_eq!(m["material"], "cobalt");
    assert!(m["bloc"]["shortfall_t"].as_f64().unwrap() > 0.0);
    assert!(
        m["prices"][0][1].as_f64().unwrap() > 1.0,
        "the mining price rises"
    );
    assert!(
        m["max_balance_error"].as_f64().unwrap() < 1e-9,
        "mass balance"
    );
    let t = ok(&["simulate", "drc-cobalt-2025"]);
    assert!(t.lines().all(|l| l.chars().count() <= 100), "{t}");
    let csv = ok(&["simulate", "quad-pact", "--format", "csv"]);
    assert!(csv.starts_with("scenario,material,subject,"));
}

#[test]
fn simulate_writes_the_weekly_series() {
    let path = std::env::temp_dir().join(format!("quadrant-series-{}.csv", std::process::id()));
    ok(&[
        "simulate",
        "drc-cobalt-2025",
        "--series",
        path.to_str().unwrap(),
    ]);
    let s = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(s.starts_with("material,week,subject,value_kind,value,tool,dataset\n"));
    assert!(s.contains(",price_index,") && s.contains(",shortfall_t,"));
    // Facilities' output and the bloc's rows.
    assert!(s.contains("\ncobalt,1,cod_tenke_fungurume,production_t.mining,"));
    assert!(s.contains("\ncobalt,60,QUAD,shortfall_t,"));
    // Regional prices: under China's refined-lithium restriction aimed at the Quad, Japan (cut
    // off) pays a premium over the world price in some week.
    ok(&[
        "simulate",
        "quad-lithium-refining",
        "--series",
        path.to_str().unwrap(),
    ]);
    let s = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    let value = |prefix: &str| -> Option<f64> {
        s.lines()
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.split(',').nth(4))
            .map(|v| v.parse().unwrap())
    };
    let premium = (1..=100).any(|w| {
        value(&format!("lithium,{w},refining,price_index,")).is_some_and(|world| {
            value(&format!("lithium,{w},JPN,price_paid_index,")).is_some_and(|p| p > 1.05 * world)
        })
    });
    assert!(premium);
}

#[test]
fn montecarlo_is_reproducible_from_the_command_line() {
    let a = ok(&[
        "montecarlo",
        "montecarlo-quad",
        "--runs",
        "24",
        "--seed",
        "5",
        "--threads",
        "1",
        "--format",
        "csv",
    ]);
    let b = ok(&[
        "montecarlo",
        "montecarlo-quad",
        "--runs",
        "24",
        "--seed",
        "5",
        "--threads",
        "2",
        "--format",
        "csv",
    ]);
    assert_eq!(a, b);
    assert!(a.starts_with(
        "scenario,seed,runs_requested,runs_done,interrupted,material,subject,shortfall_share_mean,"
    ));
    assert!(a
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("Quad ten-year disruption set,5,24,24,false,"));
    let t = ok(&["montecarlo", "montecarlo-quad", "--runs", "8"]);
    assert!(t.contains("CVaR95") && t.contains("8 of 8 runs"));
}

#[test]
fn chokepoints_rank_the_drc_and_china_for_cobalt() {
    let v: serde_json::Value = serde_json::from_str(&ok(&[
        "chokepoints",
        "--bloc",
        "QUAD",
        "--material",
        "cobalt",
        "--format",
        "json",
    ]))
    .unwrap();
    let top: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|c| c["country"].as_str().unwrap())
        .collect();
    assert!(top.contains(&"COD") && top.contains(&"CHN"), "{top:?}");
    let shares: Vec<f64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["bloc_shortfall_share"].as_f64().unwrap())
        .collect();
    assert!(
        shares.windows(2).all(|w| w[0] >= w[1]),
        "ranked by shortfall"
    );
    // The printable page: a title, the chart, names.
    let page = ok(&["chokepoints", "--material", "cobalt", "--format", "html"]);
    assert!(page.contains("<title>Quadrant chokepoints: Quad in Cobalt</title>"));
    assert!(page.contains("<svg") && page.contains("Dem. Rep. of the Congo"));
}

#[test]
fn backtest_prints_every_case_with_its_error() {
    let v: serde_json::Value =
        serde_json::from_str(&ok(&["backtest", "--format", "json"])).unwrap();
    let cases = v.as_array().unwrap();
    assert!(cases.len() >= 6);
    let drc = cases
        .iter()
        .find(|c| c["scenario"].as_str().unwrap().contains("DRC"))
        .unwrap();
    assert_eq!(drc["fitted"], false, "the DRC ban is out of sample");
    let nickel = cases
        .iter()
        .find(|c| c["scenario"].as_str().unwrap().starts_with("2014"))
        .unwrap();
    // The observed path: monthly LME averages, peak over the last point before the ban.
    assert!(nickel["path"].as_array().unwrap().len() >= 10, "{nickel}");
    let obs = nickel["observed_price_ratio"].as_f64().unwrap();
    assert!((obs - 1.393).abs() < 0.01, "{nickel}");
    assert!(nickel["path_rms_log_error"].as_f64().unwrap().is_finite());
    assert_eq!(nickel["stage"], "mining", "{nickel}");
}

#[test]
fn a_bad_scenario_file_is_refused_with_its_line() {
    let path = std::env::temp_dir().join(format!("quadrant-bad-{}.toml", std::process::id()));
    std::fs::write(&path, "name = \"x\"\n[[event]]\nkind = \"capacity_loss\"\ncountry = \"COD\"\nmaterial = \"unobtainium\"\nstage = \"mining\"\nshare = 0.5\nstart_week = 1\nduration_weeks = 4\n").unwrap();
    let o = quadrant(&["simulate", path.to_str().unwrap()]);
    let _ = std::fs::remove_file(&path);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains(":2: field `material`: expected a material id from materials.csv, found \"unobtainium\""), "{err}");
}

#[test]
fn simulation_and_montecarlo_write_parquet() {
    let dir = std::env::temp_dir();
    let a = dir.join(format!("quadrant-sim-{}.parquet", std::process::id()));
    let b = dir.join(format!("quadrant-mc-{}.parquet", std::process::id()));
    ok(&[
        "simulate",
        "drc-cobalt-2025",
        "--format",
        "parquet",
        "-o",
        a.to_str().unwrap(),
    ]);
    ok(&[
        "montecarlo",
        "montecarlo-quad",
        "--runs",
        "4",
        "--format",
        "parquet",
        "-o",
        b.to_str().unwrap(),
    ]);
    for p in [&a, &b] {
        let bytes = std::fs::read(p).unwrap();
        let _ = std::fs::remove_file(p);
        assert!(
            bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"),
            "a Parquet file"
        );
    }
    let o = quadrant(&["simulate", "drc-cobalt-2025", "--format", "parquet"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("add --output FILE"));
}

#[test]
fn simulation_html_has_charts() {
    let t = ok(&["simulate", "quad-pact", "--format", "html"]);
    assert!(t.starts_with("<!doctype html>"));
    assert!(
        t.matches("<polyline").count() >= 2,
        "price and shortfall series"
    );
    assert!(!t.contains("<script"));
}

/// Issue 11: `--all-years` and the Monte Carlo print as HTML pages with charts too, and an
/// `.html` output file picks the format; Markdown has no all-years form and says which do.
#[test]
fn all_years_and_montecarlo_print_as_html_pages() {
    let t = ok(&[
        "brief",
        "--all-years",
        "--material",
        "lithium",
        "--format",
        "html",
    ]);
    assert!(t.starts_with("<!doctype html>"), "{}", &t[..100]);
    assert!(t.contains("Lithium: share of world output") && t.contains("<polyline"));
    assert!(t.contains("dataset "), "stamped");
    let o = quadrant(&["brief", "--all-years", "--format", "md"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("table, json, csv or html"));
    let path = std::env::temp_dir().join(format!("quadrant-mc-{}.html", std::process::id()));
    ok(&[
        "montecarlo",
        "montecarlo-quad",
        "--runs",
        "8",
        "-o",
        path.to_str().unwrap(),
    ]);
    let mc = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(mc.starts_with("<!doctype html>"));
    assert!(mc.contains("shortfall across the runs") && mc.contains("CVaR95"));
    assert!(!mc.contains("<script"));
}

/// The README's tour is real output: every `$ quadrant …` block must match the binary today
/// (a block may show only the first lines of a long output).
#[test]
fn readme_tour_matches_the_binary() {
    let readme = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"),
    )
    .unwrap();
    let mut checked = 0;
    for block in readme.split("```text\n").skip(1) {
        let block = &block[..block.find("```").unwrap()];
        let Some(first) = block.lines().next() else {
            continue;
        };
        let Some(cmd) = first.strip_prefix("$ quadrant ") else {
            continue;
        };
        let args: Vec<&str> = cmd.split_whitespace().collect();
        let shown: Vec<&str> = block.lines().skip(1).collect();
        let actual = ok(&args);
        let actual: Vec<&str> = actual.lines().take(shown.len()).collect();
        assert_eq!(shown, actual, "README block `quadrant {cmd}` is stale");
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} README blocks checked");
}

#[test]
fn simulate_bands_print_the_price_uncertainty() {
    let path = std::env::temp_dir().join(format!("quadrant-bands-{}.csv", std::process::id()));
    let t = ok(&[
        "simulate",
        "backtest/gallium-2023",
        "--bands",
        "--series",
        path.to_str().unwrap(),
    ]);
    assert!(
        t.contains("Price uncertainty: the run under 8 bootstrap fits"),
        "{t}"
    );
    let s = std::fs::read_to_string(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    let get = |kind: &str, w: usize| -> f64 {
        let prefix = format!("gallium,{w},refining,{kind},");
        s.lines()
            .find(|l| l.starts_with(&prefix))
            .and_then(|l| l.split(',').nth(4))
            .unwrap()
            .parse()
            .unwrap()
    };
    for w in 1..=60 {
        assert!(get("price_index_p10", w) <= get("price_index_p90", w));
    }
}
