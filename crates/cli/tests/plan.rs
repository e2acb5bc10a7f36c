//! `quadrant plan`: the shipped plans run end to end in every format, `--verify` puts the
//! simulator's figures beside the planner's, and a bad plan file is refused naming its file,
//! line and field.

mod common;
use common::{dir, run, stderr};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_ethical_cobalt_plan_runs_in_every_format_and_verifies() {
    let o = run(&["plan", "ethical-cobalt", "--verify"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let t = stdout(&o);
    for part in [
        "Portfolio",
        "Funding matrix",
        "The price of ethics",
        "The value of coordination",
        "Verified by the simulator",
        "solver microlp (optimal",
    ] {
        assert!(t.contains(part), "missing {part:?} in\n{t}");
    }
    let o = run(&["plan", "ethical-cobalt", "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // Ethics on: no funded project draws on flagged sources.
    for p in j["portfolio"].as_array().unwrap() {
        assert_eq!(p["flagged"], false, "{p}");
    }
    let funded: f64 = j["funding"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["usd_m"].as_f64().unwrap())
        .sum();
    let capex: f64 = j["portfolio"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["capex_usd_m"].as_f64().unwrap())
        .sum();
    assert!(
        (funded - capex).abs() <= 1e-6 * capex.max(1.0),
        "{funded} vs {capex}"
    );
    assert!(
        j["risk_without_projects_t"].as_f64().unwrap()
            >= j["plan"]["risk_optimised"].as_f64().unwrap()
    );
    let o = run(&["plan", "ethical-cobalt", "--format", "csv"]);
    assert!(stdout(&o).starts_with("section,subject,field,value"));
    let o = run(&["plan", "ethical-cobalt", "--format", "html"]);
    assert!(stdout(&o).contains("<h2>Key findings</h2>"));
}

#[test]
fn a_bad_plan_file_names_file_line_and_field() {
    let d = dir("plan-bad");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/plans/ethical-cobalt.toml"
    ))
    .unwrap();
    let cases = [
        ("alpha = 0.9", "alpha = 1.5", "objective.alpha", "[0.5, 1)"),
        ("count = 20", "count = 0", "futures.count", "[1, 2000]"),
        (
            "bloc = \"QUAD\"",
            "bloc = \"QAUD\"",
            "bloc",
            "curated/blocs.toml",
        ),
        (
            "materials = [\"cobalt\"]",
            "materials = [\"kobalt\"]",
            "candidates.materials",
            "material id",
        ),
        ("risk = \"cvar\"", "risk = 3", "risk", "string"),
    ];
    for (from, to, field, expected) in cases {
        assert!(text.contains(from), "{from}");
        let path = d.join("p.toml");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        let line = text
            .lines()
            .position(|l| l.starts_with(from))
            .map(|i| i + 1)
            .unwrap();
        let o = run(&["plan", path.to_str().unwrap()]);
        assert!(!o.status.success());
        let e = stderr(&o);
        assert!(e.contains(&format!("p.toml:{line}:")), "{to}: {e}");
        assert!(e.contains(field) && e.contains(expected), "{to}: {e}");
    }
    let o = run(&["plan", "no-such-plan"]);
    assert!(stderr(&o).contains("lithium-processing"), "{}", stderr(&o));
}
