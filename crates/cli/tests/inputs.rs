//! Every input means something and every result says the same in every format (issue 8), as
//! real processes: bounds, parameter domains, ids, data folders, output extensions, stamps.

mod common;
use common::{dir, run, stderr};
use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn sizes_have_bounds_and_name_the_option() {
    for (args, needle) in [
        (
            &["montecarlo", "montecarlo-quad", "--runs", "0"][..],
            "runs",
        ),
        (
            &["montecarlo", "montecarlo-quad", "--runs", "2000000"][..],
            "runs",
        ),
        (
            &["montecarlo", "montecarlo-quad", "--threads", "0"][..],
            "--threads",
        ),
        (
            &["montecarlo", "montecarlo-quad", "--threads", "100000"][..],
            "--threads",
        ),
        (
            &["chokepoints", "--material", "cobalt", "--horizon", "0"][..],
            "horizon",
        ),
        (
            &["chokepoints", "--material", "cobalt", "--horizon", "9999"][..],
            "horizon",
        ),
        (
            &["chokepoints", "--material", "cobalt", "--weeks", "0"][..],
            "weeks",
        ),
        (
            &["chokepoints", "--material", "cobalt", "--min-share", "0"][..],
            "min_share",
        ),
        (&["brief", "--top", "0"][..], "--top"),
        (&["brief", "--top", "100000"][..], "--top"),
    ] {
        let o = run(args);
        let err = stderr(&o);
        assert!(!o.status.success(), "{args:?} was accepted");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn parameter_files_refuse_values_outside_their_domain() {
    let d = dir("params");
    let shipped = include_str!("../../../data/world/sim_params.toml");
    for (from, to, field) in [
        ("lambda = 0.05", "lambda = nan", "lambda"),
        ("rho = 0.02", "rho = inf", "rho"),
        ("reroute_lag = 6", "reroute_lag = 1000000", "reroute_lag"),
        (
            "reroute_share = 0.8",
            "reroute_share = 1.5",
            "reroute_share",
        ),
    ] {
        assert!(shipped.contains(from), "{from}");
        let p = d.join("p.toml");
        std::fs::write(&p, shipped.replacen(from, to, 1)).unwrap();
        let o = run(&["backtest", "--params", p.to_str().unwrap()]);
        let err = stderr(&o);
        assert!(!o.status.success(), "{to} was accepted");
        assert!(err.contains(&format!("`{field}`")), "{to}: {err}");
        // Named once: the file's problem is not printed again as the error's cause.
        assert_eq!(err.matches(&format!("`{field}`")).count(), 1, "{to}: {err}");
    }
    // A file that is not TOML: the parser's message, once.
    let p = d.join("bad.toml");
    std::fs::write(&p, "foo = [\n").unwrap();
    let o = run(&[
        "simulate",
        "drc-cobalt-2025",
        "--params",
        p.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert!(!o.status.success(), "bad TOML was accepted");
    assert_eq!(err.matches("TOML parse error").count(), 1, "{err}");
}

#[test]
fn the_output_extension_picks_the_format_and_every_result_command_takes_output() {
    let d = dir("ext");
    let csv = d.join("brief.csv");
    let o = run(&["brief", "--material", "cobalt", "-o", csv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("as_of_year,material,"),
        "{}",
        &text[..80.min(text.len())]
    );
    let json = d.join("choke.json");
    let o = run(&[
        "chokepoints",
        "--material",
        "cobalt",
        "-o",
        json.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert!(v.as_array().is_some_and(|a| !a.is_empty()));
    let bt = d.join("backtest.csv");
    let o = run(&["backtest", "-o", bt.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read_to_string(&bt).unwrap().contains(','));
    let g = d.join("gpr.json");
    let o = run(&[
        "risk",
        "geopolrisk",
        "--importer",
        "USA",
        "--year",
        "2022",
        "--material",
        "nickel",
        "-o",
        g.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read_to_string(&g)
        .unwrap()
        .trim_start()
        .starts_with('{'));
    // An extension that names no format is refused, naming the formats.
    let o = run(&["brief", "-o", d.join("brief.xlsx").to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains(".xlsx names no format"),
        "{}",
        stderr(&o)
    );
    // --format wins over the extension.
    let t = d.join("brief.json");
    let o = run(&[
        "brief",
        "--material",
        "cobalt",
        "--format",
        "md",
        "-o",
        t.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert!(std::fs::read_to_string(&t).unwrap().starts_with("# "));
}

#[test]
fn ids_are_case_insensitive_and_typos_get_a_suggestion() {
    let a = run(&[
        "brief",
        "--material",
        "Cobalt",
        "--bloc",
        "quad",
        "--adversary",
        "chn",
    ]);
    let b = run(&["brief", "--material", "cobalt"]);
    assert!(a.status.success(), "{}", stderr(&a));
    assert_eq!(a.stdout, b.stdout);
    let o = run(&["brief", "--material", "coblat"]);
    assert!(stderr(&o).contains("unknown material \"coblat\"; did you mean \"cobalt\"?"));
    let o = run(&["chokepoints", "--material", "cobalt", "--bloc", "QAUD"]);
    assert!(
        stderr(&o).contains("did you mean \"QUAD\"?"),
        "{}",
        stderr(&o)
    );
    let o = run(&["simulate", "drc-cobalt-2052"]);
    assert!(
        stderr(&o).contains("did you mean \"drc-cobalt-2025\"?"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "risk",
        "geopolrisk",
        "--importer",
        "usa",
        "--year",
        "2022",
        "--material",
        "Nickel",
    ]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("for USA in 2022"));
}

/// A copy of the shipped dataset folder.
fn world_copy(name: &str) -> PathBuf {
    let d = dir(name);
    let world = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/world");
    std::fs::create_dir_all(d.join("curated")).unwrap();
    for f in quadrant_data::DATASET_FILES {
        std::fs::copy(world.join(f), d.join(f)).unwrap();
    }
    std::fs::copy(world.join("sim_params.toml"), d.join("sim_params.toml")).unwrap();
    d
}

#[test]
fn data_check_reports_every_missing_file_and_calls_a_directory_that() {
    let d = world_copy("missing");
    std::fs::remove_file(d.join("countries.csv")).unwrap();
    std::fs::remove_file(d.join("curated/blocs.toml")).unwrap();
    std::fs::remove_file(d.join("sources.csv")).unwrap();
    std::fs::create_dir(d.join("sources.csv")).unwrap();
    let o = run(&["data", "check", "--data", d.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(
        err.contains("countries.csv") && err.contains("no such file"),
        "{err}"
    );
    assert!(err.contains("curated/blocs.toml"), "{err}");
    assert!(
        err.contains("sources.csv") && err.contains("a directory, not a file"),
        "{err}"
    );
}

#[test]
fn data_check_validates_the_folders_simulator_parameters() {
    let d = world_copy("params-in-data");
    let p = d.join("sim_params.toml");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text.replacen("rho = 0.02", "rho = -1", 1)).unwrap();
    let o = run(&["data", "check", "--data", d.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(!o.status.success(), "accepted");
    assert!(
        err.contains("sim_params.toml") && err.contains("`rho`"),
        "{err}"
    );
    // The same folder's parameters are the ones a simulation uses.
    let o = run(&["--data", d.to_str().unwrap(), "simulate", "drc-cobalt-2025"]);
    assert!(stderr(&o).contains("`rho`"), "{}", stderr(&o));
}

#[test]
fn no_negative_zero_is_printed() {
    let neg_zero = |t: &str| {
        t.split(|c: char| !(c.is_ascii_digit() || c == '-' || c == '.'))
            .any(|w| w.starts_with("-0") && w[1..].chars().all(|c| c == '0' || c == '.'))
    };
    for args in [
        &["brief", "--all-years", "--format", "csv"][..],
        &["brief", "--format", "json"][..],
        &["simulate", "backtest/gallium-2023"][..],
        &["brief", "--all-years"][..],
    ] {
        let o = run(args);
        assert!(o.status.success());
        let t = String::from_utf8_lossy(&o.stdout);
        assert!(!neg_zero(&t), "{args:?} prints a negative zero");
    }
}

#[test]
fn montecarlo_json_and_csv_carry_the_same_fields() {
    let args = |f: &'static str| -> Vec<&'static str> {
        vec![
            "montecarlo",
            "montecarlo-quad",
            "--runs",
            "6",
            "--format",
            f,
        ]
    };
    let json = run(&args("json"));
    let csv = run(&args("csv"));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let keys: Vec<&str> = v[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let text = String::from_utf8_lossy(&csv.stdout);
    let mut header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let mut keys = keys;
    keys.sort_unstable();
    header.sort_unstable();
    assert_eq!(keys, header);
    assert_eq!(v.as_array().unwrap().len(), text.lines().count() - 1);
}

#[test]
fn completions_and_the_manual_come_from_the_parser() {
    let o = run(&["completions", "bash"]);
    assert!(o.status.success());
    let t = String::from_utf8_lossy(&o.stdout);
    assert!(
        t.contains("_quadrant()") && t.contains("montecarlo"),
        "{}",
        &t[..200.min(t.len())]
    );
    let o = run(&["man"]);
    let t = String::from_utf8_lossy(&o.stdout);
    assert!(t.contains(".TH quadrant 1") && t.contains("chokepoints"));
    assert!(!run(&["completions", "cmd.exe"]).status.success());
}

#[test]
fn every_file_records_the_tool_and_the_dataset() {
    let d = dir("stamp");
    let fp = |t: &str| -> String {
        let v: serde_json::Value = serde_json::from_str(t).unwrap();
        assert!(v["tool"].as_str().unwrap().starts_with("quadrant "));
        v["dataset"].as_str().unwrap().to_string()
    };
    let shipped = fp(&String::from_utf8_lossy(
        &run(&["simulate", "drc-cobalt-2025", "--format", "json"]).stdout,
    ));
    assert_eq!(shipped.len(), 16);
    let csv = String::from_utf8_lossy(
        &run(&["chokepoints", "--material", "cobalt", "--format", "csv"]).stdout,
    )
    .into_owned();
    assert!(csv.lines().next().unwrap().ends_with(",tool,dataset"));
    assert!(csv
        .lines()
        .nth(1)
        .unwrap()
        .ends_with(&format!(",{shipped}")));
    let t = d.join("brief.txt");
    assert!(
        run(&["brief", "--material", "cobalt", "-o", t.to_str().unwrap()])
            .status
            .success()
    );
    assert!(std::fs::read_to_string(&t)
        .unwrap()
        .trim_end()
        .ends_with(&format!("dataset {shipped}")));
    // Another dataset folder has another fingerprint.
    let w = world_copy("stamp-world");
    let p = w.join("curated/blocs.toml");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(
        &p,
        text.replacen("name = \"Quadrilateral", "name = \"The Quadrilateral", 1),
    )
    .unwrap();
    let other = run(&[
        "--data",
        w.to_str().unwrap(),
        "simulate",
        "drc-cobalt-2025",
        "--format",
        "json",
    ]);
    assert!(other.status.success(), "{}", stderr(&other));
    assert_ne!(fp(&String::from_utf8_lossy(&other.stdout)), shipped);
}

#[test]
fn a_directory_or_fifo_given_as_a_scenario_is_called_that() {
    let d = dir("scenario-dir");
    let o = run(&["simulate", d.to_str().unwrap()]);
    assert!(
        stderr(&o).contains("a directory, not a scenario file"),
        "{}",
        stderr(&o)
    );
    let fifo = d.join("pipe.toml");
    if Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        let o = run(&["simulate", fifo.to_str().unwrap()]);
        assert!(stderr(&o).contains("a special file"), "{}", stderr(&o));
    }
}

#[test]
fn an_error_and_its_cause_are_printed_once() {
    let d = dir("once");
    let out = d.join("no-such-folder").join("brief.csv");
    let o = run(&["brief", "--material", "cobalt", "-o", out.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(!o.status.success(), "wrote into a missing folder");
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
    let db = d.join("no-such-folder").join("x.db");
    let o = run(&[
        "serve",
        "--db",
        db.to_str().unwrap(),
        "--addr",
        "127.0.0.1:0",
    ]);
    let err = stderr(&o);
    assert!(!o.status.success(), "served from a missing folder");
    assert_eq!(err.matches("unable to open").count(), 1, "{err}");
}
