//! Invariants of the simulator on the shipped world network: mass balance at every step, an
//! unshocked world stays in its steady state, a shock to one material leaves the others
//! untouched, and the system recovers after the event ends.

use quadrant_metrics::TradeIndex;
use quadrant_sim::params::Params;
use quadrant_sim::realize::Realized;
use quadrant_sim::realize_mid;
use quadrant_sim::record::{KpiRecorder, Recorder, SeriesRecorder};
use quadrant_sim::run::run;
use quadrant_sim::scenario::Scenario;
use quadrant_sim::state::initial;
use quadrant_sim::step::step;
use quadrant_sim::{networks, simulate};

fn scenario(ds: &quadrant_model::Dataset, text: &str) -> Scenario {
    Scenario::parse("test.toml", text, ds).unwrap_or_else(|e| panic!("{e:?}"))
}

const BAN: &str = r#"
name = "ban"
materials = ["cobalt", "lithium"]
weeks = 156
[[event]]
kind = "export_restriction"
exporter = "COD"
material = "cobalt"
stage = "mining"
share = 0.0
start_week = 10
duration_weeks = 30
"#;

#[test]
fn unshocked_world_stays_in_steady_state() {
    let ds = quadrant_data::load_embedded().unwrap();
    let trade = TradeIndex::build(&ds);
    let sc = scenario(&ds, "name = \"calm\"\nmaterials = [\"cobalt\", \"lithium\", \"nickel\", \"rare_earths\", \"graphite\", \"copper\", \"gallium\"]\nweeks = 104\n");
    let nets = networks(&ds, &trade, &sc);
    assert_eq!(nets.len(), 7);
    let params = Params::shipped();
    for net in &nets {
        let r = Realized::default();
        let p = params.get(&net.material);
        let mut st = initial(net, p, &r);
        let stock0 = st.stock();
        for _ in 0..104 {
            step(net, p, &r, &mut st);
            let unmet: f64 = st.unmet.iter().sum();
            let demand: f64 = st.demand.iter().sum();
            assert!(
                unmet <= 1e-9 * demand,
                "{}: unmet {unmet} of {demand} in week {}",
                net.material,
                st.week
            );
            for (s, &pr) in st.price.iter().enumerate() {
                assert!(
                    (pr - 1.0).abs() < 1e-9,
                    "{} stage {s} price drifted to {pr}",
                    net.material
                );
            }
        }
        assert!(
            (st.stock() - stock0).abs() <= 1e-9 * stock0,
            "{}: stock drifted",
            net.material
        );
    }
}

#[test]
fn mass_balances_at_every_step_under_a_shock() {
    let ds = quadrant_data::load_embedded().unwrap();
    let trade = TradeIndex::build(&ds);
    let sc = scenario(&ds, BAN);
    let params = Params::shipped();
    for net in networks(&ds, &trade, &sc) {
        let r = realize_mid(&ds, &sc, &net);
        let p = params.get(&net.material);
        let mut st = initial(&net, p, &r);
        for _ in 0..sc.weeks {
            let before = st.stock();
            step(&net, p, &r, &mut st);
            let resid = st.stock() - before - st.mined + st.consumed_total + st.converted;
            assert!(
                resid.abs() <= 1e-9 * before.max(1.0),
                "{} week {}: residual {resid}",
                net.material,
                st.week
            );
        }
    }
}

#[test]
fn a_shock_to_one_material_leaves_the_others_untouched() {
    let ds = quadrant_data::load_embedded().unwrap();
    let trade = TradeIndex::build(&ds);
    let params = Params::shipped();
    let nets = networks(&ds, &trade, &scenario(&ds, BAN));
    let shocked = simulate(&ds, &nets, &params, &scenario(&ds, BAN), false);
    let calm = simulate(
        &ds,
        &nets,
        &params,
        &scenario(
            &ds,
            "name = \"calm\"\nmaterials = [\"cobalt\", \"lithium\"]\nweeks = 156\n",
        ),
        false,
    );
    let li = |r: &quadrant_sim::SimResult| {
        r.materials
            .iter()
            .find(|m| m.material == "lithium")
            .unwrap()
            .kpi
            .shortfall
            .clone()
    };
    assert_eq!(
        li(&shocked),
        li(&calm),
        "lithium must not feel a cobalt ban"
    );
    let co = shocked
        .materials
        .iter()
        .find(|m| m.material == "cobalt")
        .unwrap();
    assert!(
        co.world.shortfall_t > 0.0,
        "a DRC ban must cause a cobalt shortfall"
    );
    assert!(
        co.prices.iter().any(|p| p.1 > 1.05),
        "and raise a price: {:?}",
        co.prices
    );
}

#[test]
fn the_system_recovers_after_the_event_ends() {
    let ds = quadrant_data::load_embedded().unwrap();
    let trade = TradeIndex::build(&ds);
    let sc = scenario(&ds, &BAN.replace("weeks = 156", "weeks = 312"));
    let params = Params::shipped();
    let net = networks(&ds, &trade, &sc)
        .into_iter()
        .find(|n| n.material == "cobalt")
        .unwrap();
    let r = realize_mid(&ds, &sc, &net);
    let mut series = SeriesRecorder::default();
    let mut kpi = KpiRecorder::default();
    {
        let mut recs: Vec<&mut dyn Recorder> = vec![&mut kpi, &mut series];
        run(&net, params.get("cobalt"), &r, sc.weeks, &mut recs);
    }
    let during: f64 = series.shortfall[20..40].iter().flatten().sum();
    let after: f64 = series.shortfall[292..312].iter().flatten().sum();
    assert!(during > 0.0);
    // Prices oscillate back with damping; after five years the shortfall is a trace.
    assert!(
        after <= 0.01 * during,
        "shortfall persists after the ban: {after} vs {during}"
    );
    let p_end = series.price.last().unwrap();
    assert!(
        p_end.iter().all(|p| (p - 1.0).abs() < 0.02),
        "prices return near baseline: {p_end:?}"
    );
    let peak = series.price.iter().flatten().fold(1.0f64, |a, &b| a.max(b));
    assert!(
        peak > 1.2,
        "a ban of three quarters of world supply raises prices: {peak}"
    );
}
