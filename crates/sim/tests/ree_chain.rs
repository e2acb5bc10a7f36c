//! The heavy-rare-earth chain and NdFeB magnets (`QUADRANT-REE` rows of production.csv): the
//! new materials build networks, and the April 2025 licensing scenario parses and acts on them.

use quadrant_metrics::TradeIndex;
use quadrant_model::{Dataset, DemandMethod, Stage};
use quadrant_sim::api::Session;
use quadrant_sim::network::{build, Network};
use quadrant_sim::params::Params;
use quadrant_sim::scenario::Scenario;
use quadrant_sim::{shipped, simulate};

fn world() -> (Dataset, TradeIndex) {
    let ds = quadrant_data::load_embedded().unwrap();
    let trade = TradeIndex::build(&ds);
    (ds, trade)
}

fn net(ds: &Dataset, trade: &TradeIndex, material: &str, year: u16) -> Network {
    let m = ds.material(material).unwrap();
    build(ds, trade, m, year).unwrap_or_else(|| panic!("no network for {material}"))
}

/// Baseline weekly output of `country` at stage `s` of `net`.
fn out(net: &Network, s: usize, country: &str) -> f64 {
    net.node(country)
        .map_or(0.0, |i| net.stages[s].base_output[i])
}

#[test]
fn heavy_rare_earths_build_a_mining_and_refining_network_fed_by_myanmar() {
    let (ds, trade) = world();
    let net = net(&ds, &trade, "heavy_rare_earths", 2024);
    assert_eq!(net.year, 2024);
    let stages: Vec<Stage> = net.stages.iter().map(|s| s.stage).collect();
    assert_eq!(stages, [Stage::Mining, Stage::Refining]);
    assert!(
        net.datasets.iter().all(|d| d == "QUADRANT-REE"),
        "{:?}",
        net.datasets
    );
    // No HS code isolates heavy rare earths: final demand is one world pool.
    assert_eq!(net.demand_method, DemandMethod::WorldPool);
    assert_eq!(
        net.demand_nodes("JPN"),
        net.node("WLD").into_iter().collect::<Vec<_>>()
    );
    // Separation is all in China; the world's demand is its output.
    let world: f64 = net.stages[1].base_output.iter().sum();
    assert!((out(&net, 1, "CHN") - world).abs() < 1e-9 * world);
    assert!((world - 63_810.0 / 52.0).abs() < 1e-6, "{world}");
    assert!((net.demand.iter().sum::<f64>() - world).abs() < 1e-9 * world);
    // China's separators use China's ion-adsorption ore first, then Myanmar's and Laos's.
    for (c, t) in [("CHN", 20_280.0), ("MMR", 39_400.0), ("LAO", 4_130.0)] {
        assert!(
            (out(&net, 0, c) - t / 52.0).abs() < 1e-6,
            "{c}: {}",
            out(&net, 0, c) * 52.0
        );
    }
    let mmr = net.node("MMR").unwrap();
    let chn = net.node("CHN").unwrap();
    assert!(net.stages[0].flows[chn]
        .iter()
        .any(|&(i, q)| i == mmr && q > 0.0));
}

#[test]
fn ndfeb_magnets_build_a_one_stage_components_network() {
    let (ds, trade) = world();
    let net = net(&ds, &trade, "ndfeb_magnets", 2024);
    assert_eq!(net.year, 2023, "the latest magnet data");
    let stages: Vec<Stage> = net.stages.iter().map(|s| s.stage).collect();
    assert_eq!(stages, [Stage::Components]);
    assert_eq!(net.demand_method, DemandMethod::WorldPool);
    let world: f64 = net.stages[0].base_output.iter().sum();
    let chn = out(&net, 0, "CHN") / world;
    assert!((chn - 0.9).abs() < 1e-4, "China's share {chn}");
    assert!(out(&net, 0, "JPN") > 0.0 && out(&net, 0, "ROW") > 0.0);
}

#[test]
fn materials_with_mining_and_refining_keep_both_stages() {
    let (ds, trade) = world();
    for m in ["lithium", "cobalt", "rare_earths"] {
        let net = net(&ds, &trade, m, 2024);
        let stages: Vec<Stage> = net.stages.iter().map(|s| s.stage).collect();
        assert_eq!(stages, [Stage::Mining, Stage::Refining], "{m}");
    }
}

#[test]
fn the_april_2025_scenario_parses_and_every_event_acts() {
    let ds = quadrant_data::load_embedded().unwrap();
    let (path, text) = shipped::find("ree-april-2025").unwrap();
    let sc = Scenario::parse(path, text, &ds).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(sc.material_ids(), ["heavy_rare_earths", "ndfeb_magnets"]);
    assert_eq!(sc.events.len(), 3);
    let obs = sc.observed.as_ref().unwrap();
    assert!(!obs.fitted, "an out-of-sample case is never fitted");
    assert!(
        shipped::backtests().iter().any(|(p, _)| *p == path),
        "an out-of-sample back-test"
    );
    let session = Session::new(&ds, Params::shipped());
    // An error here names an event that cannot act on the networks.
    let nets = session.networks(&sc).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(nets.len(), 2);
    let r = simulate(&ds, &nets, &Params::shipped(), &sc, false);
    for m in &r.materials {
        assert_eq!(m.demand_method, DemandMethod::WorldPool, "{}", m.material);
        assert!(m.world.shortfall_t > 0.0, "{}: {:?}", m.material, m.world);
        assert!(m.max_balance_error < 1e-9, "{}", m.material);
    }
}
