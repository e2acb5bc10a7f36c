//! Substitution between materials: linked materials run together, the link moves demand, and
//! nothing else changes.

use quadrant_metrics::TradeIndex;
use quadrant_sim::montecarlo::montecarlo;
use quadrant_sim::params::Params;
use quadrant_sim::scenario::Scenario;
use quadrant_sim::{networks, simulate, SimResult};
use std::sync::atomic::{AtomicBool, AtomicUsize};

const BAN: &str = r#"
name = "cobalt ban"
materials = ["cobalt", "lithium"]
weeks = 104
[[event]]
kind = "export_restriction"
exporter = "COD"
material = "cobalt"
stage = "mining"
share = 0.0
start_week = 5
duration_weeks = 40
"#;

const LINK: &str = r#"
[[substitution]]
from = "cobalt"
to = "lithium"
elasticity = 0.1
source = "assumed: test value"
"#;

fn run(ds: &quadrant_model::Dataset, trade: &TradeIndex, text: &str) -> SimResult {
    let sc = Scenario::parse("t.toml", text, ds).unwrap_or_else(|e| panic!("{e:?}"));
    simulate(
        ds,
        &networks(ds, trade, &sc),
        &Params::shipped(),
        &sc,
        false,
    )
}

fn world() -> (quadrant_model::Dataset, TradeIndex) {
    let ds = quadrant_data::load_embedded().unwrap();
    let trade = TradeIndex::build(&ds);
    (ds, trade)
}

#[test]
fn a_substitution_link_carries_a_price_shock_to_the_linked_material() {
    let (ds, trade) = world();
    let alone = run(&ds, &trade, BAN);
    let linked = run(&ds, &trade, &format!("{BAN}{LINK}"));
    let li = |r: &SimResult| {
        r.materials
            .iter()
            .find(|m| m.material == "lithium")
            .unwrap()
            .clone()
    };
    let co = |r: &SimResult| {
        r.materials
            .iter()
            .find(|m| m.material == "cobalt")
            .unwrap()
            .clone()
    };
    // The source material is untouched by the link; the linked one wants more while
    // cobalt is dear, and still balances its mass.
    assert_eq!(
        co(&alone).world.shortfall_t.to_bits(),
        co(&linked).world.shortfall_t.to_bits()
    );
    assert!(li(&linked).world.desired_demand_t > li(&alone).world.desired_demand_t * 1.001);
    assert!(li(&linked).max_balance_error < 1e-9);
    // Without the link, the ban leaves lithium exactly at its baseline demand.
    let calm = run(&ds, &trade, &BAN.replace("share = 0.0", "share = 1.0"));
    assert_eq!(
        li(&alone).world.desired_demand_t.to_bits(),
        li(&calm).world.desired_demand_t.to_bits()
    );
}

#[test]
fn linked_results_do_not_depend_on_the_order_of_materials() {
    let (ds, trade) = world();
    let a = run(&ds, &trade, &format!("{BAN}{LINK}"));
    let b = run(
        &ds,
        &trade,
        &format!("{BAN}{LINK}").replace(r#"["cobalt", "lithium"]"#, r#"["lithium", "cobalt"]"#),
    );
    for m in &a.materials {
        let n = b
            .materials
            .iter()
            .find(|x| x.material == m.material)
            .unwrap();
        assert_eq!(m.world.shortfall_t.to_bits(), n.world.shortfall_t.to_bits());
        assert_eq!(m.prices[0].1.to_bits(), n.prices[0].1.to_bits());
    }
}

#[test]
fn linked_montecarlo_is_bit_identical_on_1_or_2_threads() {
    let (ds, trade) = world();
    let text = format!("{BAN}{LINK}")
        .replace("start_week = 5", "start_week = [0, 40]")
        .replace("weeks = 104", "weeks = 60");
    let sc = Scenario::parse("t.toml", &text, &ds).unwrap();
    let nets = networks(&ds, &trade, &sc);
    let params = Params::shipped();
    let go = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                montecarlo(
                    &ds,
                    &nets,
                    std::slice::from_ref(&params),
                    &sc,
                    8,
                    9,
                    &AtomicBool::new(false),
                    &AtomicUsize::new(0),
                )
            })
    };
    let (one, two) = (go(1), go(2));
    assert_eq!(one.outcomes, two.outcomes);
    assert_eq!(one.outcomes.len(), 8);
}

#[test]
fn bad_links_are_refused_with_line_and_field() {
    let ds = quadrant_data::load_embedded().unwrap();
    let bad = format!(
        "{BAN}[[substitution]]\nfrom = \"cobalt\"\nto = \"nickel\"\nelasticity = 5.0\nsource = \"\"\n"
    );
    let errs = Scenario::parse("t.toml", &bad, &ds).unwrap_err();
    let msg: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
    let line = bad.lines().position(|l| l == "[[substitution]]").unwrap() + 1;
    for (field, found) in [("from/to", "nickel"), ("elasticity", "5"), ("source", "")] {
        assert!(
            msg.iter().any(|m| m.contains(&format!("t.toml:{line}:"))
                && m.contains(&format!("`{field}`"))
                && m.contains(&format!("found {found:?}"))),
            "{field}: {msg:?}"
        );
    }
}
