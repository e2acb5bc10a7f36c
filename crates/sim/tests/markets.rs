//! Regional prices and the rationing rules: a hand-built market where the answer is known, and
//! a targeted restriction on the shipped network.

use quadrant_metrics::TradeIndex;
use quadrant_model::Stage;
use quadrant_sim::network::{Network, StageNet};
use quadrant_sim::params::Params;
use quadrant_sim::realize::{CapLoss, Realized};
use quadrant_sim::scenario::{Rationing, Scenario};
use quadrant_sim::state::initial;
use quadrant_sim::step::step;
use quadrant_sim::{networks, shipped, simulate};

/// One mine (node 0) selling 10 t/week to each of two consumers (nodes 1 and 2).
fn two_buyers() -> Network {
    Network {
        material: "test".into(),
        material_ix: 0,
        year: 2024,
        datasets: vec!["hand-built".into()],
        countries: vec!["AAA".into(), "BBB".into(), "CCC".into()],
        stages: vec![StageNet::new(
            Stage::Mining,
            vec![20.0, 0.0, 0.0],
            vec![20.0, 0.0, 0.0],
            vec![vec![], vec![(0, 10.0)], vec![(0, 10.0)]],
        )],
        demand: vec![0.0, 10.0, 10.0],
        demand_method: quadrant_model::DemandMethod::Trade,
        parent: vec![0, 1, 2],
        facilities: vec![],
        partner: vec![vec![true; 3]; 3],
    }
}

/// The mine loses half its capacity; buyer 1 bids 30% above the world price.
/// Returns (deliveries, orders) by node.
fn after_one_week(rationing: Rationing) -> (Vec<f64>, Vec<f64>) {
    let net = two_buyers();
    let p = Params::shipped().default;
    let r = Realized {
        losses: vec![CapLoss {
            node: 0,
            stage: 0,
            share: 0.5,
            announced: 0,
            start: 0,
            end: 10,
            recovery: 0,
        }],
        rationing,
        ..Realized::default()
    };
    let mut st = initial(&net, &p, &r);
    st.premium[0][1] = 0.3f64.ln_1p();
    let before = st.cons_inv.clone();
    step(&net, &p, &r, &mut st);
    assert!(st.balance_error.abs() < 1e-9, "{}", st.balance_error);
    // Deliveries = change of consumer inventory + consumption; inventories start at target,
    // so each consumer orders its demand after the price response.
    let got = (0..3)
        .map(|k| st.cons_inv[k] - before[k] + st.consumed[k])
        .collect();
    (got, st.demand.clone())
}

#[test]
fn proportional_rationing_shares_a_shortage_pro_rata() {
    let (got, ordered) = after_one_week(Rationing::Proportional);
    // The higher bidder's own price cuts its demand a little; the rest is pro rata.
    assert!(ordered[1] < ordered[2]);
    assert!(
        (got[1] / got[2] - ordered[1] / ordered[2]).abs() < 1e-9,
        "{got:?}"
    );
    assert!((got[1] + got[2] - 10.0).abs() < 1e-9, "{got:?}");
}

#[test]
fn price_clearing_serves_the_highest_bidder_first() {
    let (got, ordered) = after_one_week(Rationing::Price);
    assert!((got[1] - ordered[1]).abs() < 1e-9, "{got:?} {ordered:?}");
    // Both order more than 5 t; the mine makes 10 t; the higher bidder is served in full.
    assert!(got[1] > got[2] + 1.0, "{got:?}");
    assert!((got[1] + got[2] - 10.0).abs() < 1e-9, "{got:?}");
}

#[test]
fn a_buyer_short_of_the_world_pays_a_premium_that_fades() {
    let net = two_buyers();
    let p = Params::shipped().default;
    let r = Realized::default();
    let mut st = initial(&net, &p, &r);
    // Buyer 1 has lost half its inventory; buyer 2 is at target.
    st.cons_inv[1] *= 0.5;
    step(&net, &p, &r, &mut st);
    assert!(
        st.paid(0, 1) > st.price[0],
        "{} vs {}",
        st.paid(0, 1),
        st.price[0]
    );
    assert!(st.paid(0, 2) < st.price[0]);
    for _ in 0..400 {
        step(&net, &p, &r, &mut st);
    }
    assert!(st.premium[0][1].abs() < 1e-3, "{}", st.premium[0][1]);
}

#[test]
fn a_restriction_aimed_at_the_bloc_makes_its_members_pay_more_than_the_world() {
    let ds = quadrant_data::load_embedded().unwrap();
    let trade = TradeIndex::build(&ds);
    let (path, text) = shipped::find("quad-lithium-refining-baseline").unwrap();
    let sc = Scenario::parse(path, text, &ds).unwrap();
    let res = simulate(
        &ds,
        &networks(&ds, &trade, &sc),
        &Params::shipped(),
        &sc,
        false,
    );
    let m = &res.materials[0];
    let world_peak = m.prices.iter().find(|x| x.0 == "refining").unwrap().1;
    let jpn = m.members.iter().find(|x| x.subject == "JPN").unwrap();
    assert!(
        jpn.peak_price_paid > world_peak + 0.05,
        "JPN paid ×{} against the world's ×{world_peak}",
        jpn.peak_price_paid
    );
    assert!(
        m.bloc.mean_price_paid > m.world.mean_price_paid,
        "{} vs {}",
        m.bloc.mean_price_paid,
        m.world.mean_price_paid
    );
}

/// New capacity where the data show no refining (no baseline suppliers, no baseline output)
/// must still come into use: rerouted orders reach it and it buys its feed on the spot market.
#[test]
fn new_capacity_without_baseline_suppliers_comes_into_use() {
    let ds = quadrant_data::load_embedded().unwrap();
    let trade = TradeIndex::build(&ds);
    let text = r#"
name = "new plant"
materials = ["lithium"]
weeks = 80
[[event]]
kind = "capacity_expansion"
country = "IND"
material = "lithium"
stage = "refining"
tonnes_per_year = 5000
start_week = 0
[[event]]
kind = "export_restriction"
exporter = "CHN"
material = "lithium"
stage = "refining"
targets = "bloc:QUAD"
share = 0.4
start_week = 10
duration_weeks = 52
"#;
    let sc = Scenario::parse("t.toml", text, &ds).unwrap();
    let net = &networks(&ds, &trade, &sc)[0];
    let ind = net.node("IND").unwrap();
    let last = net.stages.len() - 1;
    assert_eq!(
        net.stages[last].base_output[ind], 0.0,
        "India refines no lithium in the data"
    );
    assert!(net.stages[last - 1].flows[ind].is_empty());
    let params = Params::shipped();
    let p = params.get("lithium");
    let r = quadrant_sim::realize_mid(&ds, &sc, net);
    let mut st = initial(net, p, &r);
    let mut made = 0.0;
    for _ in 0..80 {
        step(net, p, &r, &mut st);
        made += st.production[last][ind];
        assert!(st.balance_error.abs() <= 1e-9 * st.stock().max(1.0));
    }
    assert!(made > 100.0, "the new plant made {made} t");
}
