//! Expectations and the long-run demand response on a hand-built market where the answer is
//! known: the fear index scales with the share of supply lost (it does not saturate for long
//! shocks), stocks that bridge a short shock damp it, and long-run demand brings the price
//! back down while the shock lasts.

use quadrant_model::Stage;
use quadrant_sim::network::{Network, StageNet};
use quadrant_sim::params::{MatParams, Params};
use quadrant_sim::realize::{CapLoss, Realized};
use quadrant_sim::state::initial;
use quadrant_sim::step::step;

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

/// The mine loses `share` of its capacity from week 4 for `weeks`, announced at week 0.
fn loss(share: f64, weeks: usize) -> Realized {
    Realized {
        losses: vec![CapLoss {
            node: 0,
            stage: 0,
            share,
            announced: 0,
            start: 4,
            end: 4 + weeks,
            recovery: 0,
        }],
        ..Realized::default()
    }
}

/// (fear, price) per week over `weeks` weeks.
fn run(p: &MatParams, r: &Realized, weeks: usize) -> Vec<(f64, f64)> {
    let net = two_buyers();
    let mut st = initial(&net, p, r);
    (0..weeks)
        .map(|_| {
            step(&net, p, r, &mut st);
            assert!(st.balance_error.abs() < 1e-9, "{}", st.balance_error);
            (st.fear[0], st.price[0])
        })
        .collect()
}

#[test]
fn fear_is_the_share_lost_and_does_not_saturate_for_long_shocks() {
    let p = Params::shipped().default;
    let small = run(&p, &loss(0.2, 200), 1)[0].0;
    let large = run(&p, &loss(0.6, 200), 1)[0].0;
    assert!((small - 0.2).abs() < 1e-12, "{small}");
    assert!((large - 0.6).abs() < 1e-12, "{large}");
}

#[test]
fn stocks_that_bridge_a_short_shock_damp_the_fear() {
    let p = Params::shipped().default;
    let weeks = 2;
    let f = run(&p, &loss(0.6, weeks), 1)[0].0;
    assert!(
        (f - 0.6 * weeks as f64 / p.cover_weeks).abs() < 1e-12,
        "{f}"
    );
}

#[test]
fn the_price_jumps_on_announcement_by_the_expected_impact() {
    let mut p = Params::shipped().default;
    p.theta = 0.5;
    let path = run(&p, &loss(0.3, 200), 1);
    // Nothing is short yet in week 0: the move is the jump E = θ Φ / (ε_s − ε_d), plus the
    // first week's pull ρ E toward the raised anchor.
    let expected = 0.5 * 0.3 / (p.eps_supply - p.eps_demand) * (1.0 + p.rho);
    assert!((path[0].1.ln() - expected).abs() < 1e-9, "{:?}", path[0]);
}

#[test]
fn long_run_demand_brings_the_price_down_before_the_shock_ends() {
    let mut p = Params::shipped().default;
    p.theta = 0.0;
    p.eps_demand_long = p.eps_demand;
    let short_run = run(&p, &loss(0.3, 300), 300);
    p.eps_demand_long = -1.0;
    p.adjust_weeks = 26.0;
    let long_run = run(&p, &loss(0.3, 300), 300);
    let peak = |v: &[(f64, f64)]| {
        v.iter()
            .enumerate()
            .max_by(|a, b| a.1 .1.total_cmp(&b.1 .1))
            .map(|(w, x)| (w, x.1))
            .unwrap()
    };
    let (w_short, p_short) = peak(&short_run);
    let (w_long, p_long) = peak(&long_run);
    assert!(p_long < p_short, "{p_long} vs {p_short}");
    assert!(w_long + 26 < w_short, "peak week {w_long} vs {w_short}");
    // While the shock still lasts, the price has come down from its peak.
    assert!(long_run[290].1 < 0.95 * p_long, "{:?}", long_run[290]);
}

#[test]
fn without_a_long_run_response_demand_is_unchanged() {
    let mut p = Params::shipped().default;
    p.eps_demand_long = p.eps_demand;
    let net = two_buyers();
    let r = loss(0.3, 50);
    let mut st = initial(&net, &p, &r);
    for _ in 0..60 {
        step(&net, &p, &r, &mut st);
        assert_eq!(st.adapt, 0.0);
    }
}

/// Σ output of the mine over the first `weeks` weeks of a demand surge, with capacity 30 t/week
/// against 20 of baseline output; also checks output never exceeds capacity.
fn output_in_surge(p: &MatParams, weeks: usize) -> f64 {
    let mut net = two_buyers();
    net.stages[0].capacity[0] = 30.0;
    let r = Realized {
        demand: vec![quadrant_sim::realize::DemandShift {
            node: None,
            factor: 1.3,
            start: 0,
            end: 200,
        }],
        ..Realized::default()
    };
    let mut st = initial(&net, p, &r);
    (0..weeks)
        .map(|_| {
            step(&net, p, &r, &mut st);
            assert!(st.production[0][0] <= 30.0 + 1e-9);
            st.production[0][0]
        })
        .sum()
}

#[test]
fn supply_answers_the_price_with_a_lag_and_within_capacity() {
    let mut p = Params::shipped().default;
    p.supply_lag_weeks = 1.0;
    let at_once = output_in_surge(&p, 12);
    p.supply_lag_weeks = 13.0;
    let lagged = output_in_surge(&p, 12);
    assert!(
        lagged < at_once - 1.0,
        "lagged {lagged} vs at once {at_once}"
    );
    assert!(lagged > 12.0 * 20.0 - 1e-9, "{lagged}");
}
