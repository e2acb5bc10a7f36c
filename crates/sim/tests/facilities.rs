//! Facility nodes: curated assets split out of their host's node, and events aimed at one
//! facility or at the facilities an owner's home controls.

use quadrant_metrics::control::controlling_home;
use quadrant_metrics::TradeIndex;
use quadrant_sim::params::Params;
use quadrant_sim::realize_mid;
use quadrant_sim::scenario::Scenario;
use quadrant_sim::state::initial;
use quadrant_sim::step::step;
use quadrant_sim::{networks, shipped};

fn world() -> (quadrant_model::Dataset, TradeIndex) {
    let ds = quadrant_data::load_embedded().unwrap();
    let trade = TradeIndex::build(&ds);
    (ds, trade)
}

fn scenario(ds: &quadrant_model::Dataset, event: &str) -> Scenario {
    let text = format!("name = \"t\"\nmaterials = [\"cobalt\"]\nweeks = 60\n[[event]]\n{event}");
    Scenario::parse("t.toml", &text, ds).unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn drc_cobalt_mines_are_facility_nodes_that_keep_the_host_whole() {
    let (ds, trade) = world();
    let sc = scenario(
        &ds,
        "kind = \"demand_shift\"\nmaterial = \"cobalt\"\nfactor = 1.0\nstart_week = 0\n",
    );
    let net = &networks(&ds, &trade, &sc)[0];
    let cod = net.node("COD").unwrap();
    let facs: Vec<_> = net
        .facilities
        .iter()
        .filter(|f| f.country == "COD")
        .collect();
    let curated = ds
        .curated
        .assets
        .iter()
        .filter(|a| a.country == "COD" && a.material == "cobalt")
        .count();
    assert_eq!(facs.len(), curated, "one node per curated DRC cobalt asset");
    let total: f64 = facs.iter().map(|f| f.share).sum();
    assert!(total > 0.5 && total <= 1.0 + 1e-12, "Σφ = {total}");
    // Shares in proportion to the assets' tonnes (TFM 28,500 t, KFM 27,000 t in 2023).
    let share = |id: &str| facs.iter().find(|f| f.id == id).unwrap().share;
    assert!((share("cod_tenke_fungurume") / share("cod_kisanfu") - 28.5 / 27.0).abs() < 1e-12);
    // What the buyers take from the host and its facilities is what they produce.
    let s = 0;
    let out: f64 = (0..net.n())
        .filter(|&i| net.within(i, cod))
        .map(|i| net.stages[s].base_output[i])
        .sum();
    let bought: f64 = net.stages[s]
        .flows
        .iter()
        .flatten()
        .filter(|f| net.within(f.0, cod))
        .map(|f| f.1)
        .sum();
    assert!((out - bought).abs() <= 1e-9 * out, "{out} vs {bought}");
    for f in &facs {
        assert_eq!(net.parent[f.node], cod);
        assert_eq!(net.country_of(f.node), "COD");
        assert_eq!(net.demand[f.node], 0.0);
    }
}

#[test]
fn a_facility_outage_stops_that_facility_only() {
    let (ds, trade) = world();
    let sc = scenario(
        &ds,
        "kind = \"capacity_loss\"\ncountry = \"cod_tenke_fungurume\"\nmaterial = \"cobalt\"\nstage = \"mining\"\nshare = 1.0\nstart_week = 5\nduration_weeks = 20\n",
    );
    let net = &networks(&ds, &trade, &sc)[0];
    let r = realize_mid(&ds, &sc, net);
    let tfm = net.node("cod_tenke_fungurume").unwrap();
    assert_eq!(r.losses.len(), 1);
    assert_eq!(r.losses[0].node, tfm);
    let p = Params::shipped();
    let p = p.get("cobalt");
    let mut st = initial(net, p, &r);
    let kfm = net.node("cod_kisanfu").unwrap();
    for w in 0..30 {
        step(net, p, &r, &mut st);
        if (5..25).contains(&w) {
            assert_eq!(st.production[0][tfm], 0.0, "week {w}");
            assert!(st.production[0][kfm] >= 0.999 * net.stages[0].base_output[kfm]);
        }
    }
}

#[test]
fn controlled_by_selects_the_facilities_an_owners_home_controls() {
    let (ds, trade) = world();
    let sc = scenario(
        &ds,
        "kind = \"capacity_loss\"\ncountry = \"COD\"\ncontrolled_by = \"CHN\"\nmaterial = \"cobalt\"\nstage = \"mining\"\nshare = 1.0\nstart_week = 5\nduration_weeks = 20\n",
    );
    let net = &networks(&ds, &trade, &sc)[0];
    let r = realize_mid(&ds, &sc, net);
    let mut hit: Vec<&str> = r
        .losses
        .iter()
        .map(|l| net.countries[l.node].as_str())
        .collect();
    hit.sort_unstable();
    let mut expected: Vec<&str> = ds
        .curated
        .assets
        .iter()
        .filter(|a| a.country == "COD" && a.material == "cobalt")
        .filter(|a| controlling_home(a) == Some("CHN"))
        .map(|a| a.id.as_str())
        .collect();
    expected.sort_unstable();
    assert!(!expected.is_empty());
    assert_eq!(hit, expected);
    assert!(!hit.contains(&"COD") && !hit.contains(&"cod_artisanal"));
}

#[test]
fn a_national_ban_binds_every_facility_of_the_country() {
    let (ds, trade) = world();
    let (path, text) = shipped::find("drc-cobalt-2025").unwrap();
    let sc = Scenario::parse(path, text, &ds).unwrap();
    let net = &networks(&ds, &trade, &sc)[0];
    let r = realize_mid(&ds, &sc, net);
    let cod = net.node("COD").unwrap();
    let ban = &r.restrictions[0];
    assert!(net
        .facilities
        .iter()
        .all(|f| f.country != "COD" || ban.from[f.node]));
    let p = Params::shipped();
    let p = p.get("cobalt");
    let mut st = initial(net, p, &r);
    let base: f64 = (0..net.n())
        .filter(|&i| net.within(i, cod))
        .map(|i| net.stages[0].base_output[i])
        .sum();
    for w in 0..ban.end {
        step(net, p, &r, &mut st);
        if w >= ban.start {
            let exported: f64 = (0..net.n())
                .filter(|&i| net.within(i, cod))
                .map(|i| st.exports[0][i])
                .sum();
            assert!(
                exported <= 1e-9 * base,
                "week {w}: {exported} t left the DRC"
            );
        }
    }
}

#[test]
fn withholding_by_controlled_mines_spares_the_owners_home() {
    let (ds, trade) = world();
    let (path, text) = shipped::find("drc-controlled-offtake").unwrap();
    let sc = Scenario::parse(path, text, &ds).unwrap();
    let net = &networks(&ds, &trade, &sc)[0];
    let r = realize_mid(&ds, &sc, net);
    let x = &r.restrictions[0];
    let chn = net.node("CHN").unwrap();
    let t = &x.targets;
    assert!(!t[chn], "the owners' home is exempt");
    assert!(t[net.node("FIN").unwrap()]);
    // Only Chinese-controlled facilities are bound, not the host's rest or other owners.
    let cod = net.node("COD").unwrap();
    assert!(!x.from[cod]);
    for f in net.facilities.iter().filter(|f| f.country == "COD") {
        assert_eq!(
            x.from[f.node],
            f.controller.as_deref() == Some("CHN"),
            "{}",
            f.id
        );
    }
}

#[test]
fn unknown_facilities_and_owner_homes_are_refused_with_the_field() {
    let ds = quadrant_data::load_embedded().unwrap();
    let text = "name = \"t\"\n[[event]]\nkind = \"capacity_loss\"\ncountry = \"cod_nowhere\"\ncontrolled_by = \"XXX\"\nmaterial = \"cobalt\"\nstage = \"mining\"\nshare = 1.0\nstart_week = 0\nduration_weeks = 4\n";
    let errs = Scenario::parse("t.toml", text, &ds).unwrap_err();
    let msg: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
    assert!(
        msg.iter()
            .any(|m| m.contains("t.toml:2") && m.contains("asset") && m.contains("cod_nowhere")),
        "{msg:?}"
    );
    assert!(
        msg.iter()
            .any(|m| m.contains("controlled_by") && m.contains("XXX")),
        "{msg:?}"
    );
}

#[test]
fn an_asset_of_another_material_is_not_a_facility_of_this_one() {
    let ds = quadrant_data::load_embedded().unwrap();
    let text = "name = \"t\"\n[[event]]\nkind = \"capacity_loss\"\ncountry = \"cod_tenke_fungurume\"\nmaterial = \"lithium\"\nstage = \"mining\"\nshare = 1.0\nstart_week = 0\nduration_weeks = 4\n";
    let errs = Scenario::parse("t.toml", text, &ds).unwrap_err();
    assert!(
        errs.iter().any(|e| e.found == "cod_tenke_fungurume"),
        "{errs:?}"
    );
    let ok = text.replace("lithium", "cobalt");
    assert!(Scenario::parse("t.toml", &ok, &ds).is_ok());
}
