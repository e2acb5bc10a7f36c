//! Every scenario input means something, or is refused naming its line and field (issue 8).

use quadrant_model::{Dataset, Issue};
use quadrant_sim::api::{Session, SimError};
use quadrant_sim::params::Params;
use quadrant_sim::scenario::Scenario;
use std::sync::OnceLock;

fn ds() -> &'static Dataset {
    static DS: OnceLock<Dataset> = OnceLock::new();
    DS.get_or_init(|| quadrant_data::load_embedded().unwrap())
}

const BAN: &str = r#"name = "t"
weeks = 104
[[event]]
kind = "export_restriction"
exporter = "COD"
material = "cobalt"
stage = "mining"
share = 0.0
start_week = 4
duration_weeks = 26
"#;

fn issues(text: &str) -> Vec<Issue> {
    Scenario::parse("t.toml", text, ds()).expect_err("refused")
}

/// The text refused with an issue on `field` at `line`, whose `found` reads `found`.
fn refused(text: &str, field: &str, line: Option<usize>, found: &str) {
    let all = issues(text);
    assert!(
        all.iter()
            .any(|i| i.field == field && i.line == line && i.found == found),
        "expected {field} at {line:?} found {found:?}, got {all:#?}"
    );
}

#[test]
fn the_base_scenario_is_accepted() {
    Scenario::parse("t.toml", BAN, ds()).unwrap();
}

#[test]
fn ranges_are_checked_at_both_ends_and_printed_as_written() {
    refused(
        &BAN.replace("share = 0.0", "share = [-1.0, 2.0]"),
        "share",
        Some(3),
        "[-1, 2]",
    );
    refused(
        &BAN.replace("start_week = 4", "start_week = [-100, 200]"),
        "start_week",
        Some(3),
        "[-100, 200]",
    );
    refused(
        &BAN.replace("share = 0.0", "share = -0.5"),
        "share",
        Some(3),
        "-0.5",
    );
    refused(
        &BAN.replace("share = 0.0", "share = [0.8, 0.2]"),
        "share",
        Some(3),
        "[0.8, 0.2]",
    );
}

#[test]
fn non_finite_and_absurd_values_are_refused() {
    let shift = r#"name = "t"
[[event]]
kind = "demand_shift"
material = "cobalt"
factor = FACTOR
start_week = 4
"#;
    refused(
        &shift.replace("FACTOR", "[-3, 5]"),
        "factor",
        Some(2),
        "[-3, 5]",
    );
    refused(
        &shift.replace("FACTOR", "1e308"),
        "factor",
        Some(2),
        "1e308",
    );
    refused(&shift.replace("FACTOR", "nan"), "factor", Some(2), "NaN");
    let pact = format!(
        "{BAN}[[policy]]\nkind = \"pact\"\nmembers = \"bloc:QUAD\"\nprice_floor = inf\njoint_stockpile_weeks = nan\n"
    );
    refused(&pact, "price_floor", Some(11), "inf");
    refused(&pact, "joint_stockpile_weeks", Some(11), "NaN");
    refused(
        &BAN.replace("weeks = 104", "weeks = 104\nbase_year = 1800"),
        "base_year",
        None,
        "1800",
    );
}

#[test]
fn an_event_that_cannot_act_is_refused() {
    // A material the scenario does not simulate.
    let other = BAN.replace("weeks = 104", "weeks = 104\nmaterials = [\"lithium\"]");
    refused(&other, "material", Some(4), "cobalt");
    // A start after the run ends.
    refused(
        &BAN.replace("start_week = 4", "start_week = 200"),
        "start_week",
        Some(3),
        "200",
    );
    // Empty targets.
    refused(
        &BAN.replace("share = 0.0", "share = 0.0\ntargets = []"),
        "targets",
        Some(3),
        "[]",
    );
    // A country that exports no cobalt ore: the ban binds no flow and would report 0%.
    let sc = Scenario::parse("t.toml", &BAN.replace("\"COD\"", "\"ISL\""), ds()).unwrap();
    let s = Session::new(ds(), Params::shipped());
    match s.networks(&sc) {
        Err(SimError::EventsCannotAct(v)) => {
            assert!(
                v[0].contains("event 1 cannot act")
                    && v[0].contains("ISL")
                    && v[0].contains("buy nothing"),
                "{v:?}"
            )
        }
        other => panic!("accepted: {:?}", other.map(|n| n.len())),
    }
}

#[test]
fn substitution_links_are_unique_and_acyclic() {
    let link = |from: &str, to: &str| {
        format!(
            "[[substitution]]\nfrom = \"{from}\"\nto = \"{to}\"\nelasticity = 2.0\nsource = \"assumed: test\"\n"
        )
    };
    let head = BAN.replace(
        "weeks = 104",
        "weeks = 104\nmaterials = [\"cobalt\", \"nickel\", \"lithium\"]",
    );
    let dup = format!(
        "{head}{}{}",
        link("nickel", "cobalt"),
        link("nickel", "cobalt")
    );
    refused(&dup, "from/to", Some(17), "nickel → cobalt");
    let cyc = format!(
        "{head}{}{}{}",
        link("cobalt", "nickel"),
        link("nickel", "lithium"),
        link("lithium", "cobalt")
    );
    refused(
        &cyc,
        "substitution",
        Some(12),
        "cobalt → nickel → lithium → cobalt",
    );
}

#[test]
fn duplicate_materials_are_refused() {
    let t = BAN.replace(
        "weeks = 104",
        "weeks = 104\nmaterials = [\"cobalt\", \"cobalt\"]",
    );
    refused(&t, "materials", None, "cobalt");
}

#[test]
fn lines_are_right_with_comments_and_spaces_in_headers() {
    let t = BAN
        .replace("[[event]]", "[[ event ]]   # the ban")
        .replace("share = 0.0", "share = 2.0");
    refused(&t, "share", Some(3), "2");
    let two = format!(
        "{}\n[[event]] # second\nkind = \"capacity_loss\"\ncountry = \"COD\"\nmaterial = \"cobalt\"\nstage = \"mining\"\nshare = 7\nstart_week = 1\nduration_weeks = 2\n",
        BAN
    );
    refused(&two, "share", Some(12), "7");
}

#[test]
fn a_toml_type_error_names_the_real_field() {
    let all = issues(&BAN.replace("share = 0.0", "share = \"five\""));
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0].field, "share", "{all:#?}");
    assert_eq!(all[0].line, Some(8), "{all:#?}");
}

#[test]
fn lines_are_right_for_inline_tables() {
    let t = "name = \"t\"\nweeks = 104\nevent = [\n  { kind = \"capacity_loss\", country = \"COD\", material = \"cobalt\", stage = \"mining\", share = 0.5, start_week = 4, duration_weeks = 8 },\n  { kind = \"capacity_loss\", country = \"COD\", material = \"cobalt\", stage = \"mining\", share = 9.0, start_week = 4, duration_weeks = 8 },\n]\n";
    refused(t, "share", Some(5), "9");
}

#[test]
fn a_mistyped_id_in_a_scenario_gets_a_suggestion() {
    let all = issues(
        &BAN.replace("\"COD\"", "\"cod\"")
            .replace("\"cobalt\"", "\"Coblat\""),
    );
    let text: Vec<String> = all.iter().map(|i| i.to_string()).collect();
    assert!(
        text.iter().any(|t| t.contains("did you mean \"COD\"?")),
        "{text:#?}"
    );
    assert!(
        text.iter().any(|t| t.contains("did you mean \"cobalt\"?")),
        "{text:#?}"
    );
}

#[test]
fn an_observed_price_outside_an_unknown_country_is_refused() {
    let text =
        format!("{BAN}[observed]\nfitted = false\nsource = \"s\"\nbuyers_outside = \"XXX\"\n");
    refused(&text, "observed.buyers_outside", None, "XXX");
}
