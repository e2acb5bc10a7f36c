//! A world-pool material (no trade data at the last stage) has no demand of its members' own:
//! the simulator's 0 t on their rows means "not modelled", so the reports print "–" and say
//! why, never 0 t.

use quadrant_model::DemandMethod;
use quadrant_sim::api::Session;
use quadrant_sim::params::Params;
use quadrant_sim::SimResult;

fn ree_april() -> SimResult {
    let ds = Box::leak(Box::new(quadrant_data::load_embedded().unwrap()));
    let s = Session::new(ds, Params::shipped());
    let sc = s.scenario("ree-april-2025").unwrap();
    s.simulate(sc, true).unwrap().result
}

#[test]
fn world_pool_members_print_a_dash_not_zero_tonnes() {
    let r = ree_april();
    let pooled: Vec<_> = r
        .materials
        .iter()
        .filter(|m| m.demand_method == DemandMethod::WorldPool)
        .collect();
    assert!(!pooled.is_empty(), "the scenario has a world-pool material");
    let members: Vec<&str> = pooled[0]
        .members
        .iter()
        .map(|x| x.subject.as_str())
        .collect();
    assert_eq!(members, ["USA", "IND", "JPN", "AUS"]);
    // Their nodes buy nothing: 0, not the -0.0 of an empty float sum.
    assert!(pooled[0]
        .members
        .iter()
        .all(|x| x.desired_demand_t.to_bits() == 0 && x.rationed_t.to_bits() == 0));

    let table = quadrant_report::sim::sim_table(&r);
    let rows: Vec<&str> = table
        .lines()
        .filter(|l| members.iter().any(|m| l.trim_start().starts_with(m)))
        .collect();
    assert_eq!(rows.len(), members.len() * pooled.len(), "{table}");
    for row in &rows {
        assert!(!row.contains(" t "), "a member row in tonnes: {row}");
        assert_eq!(row.matches('–').count(), 7, "{row}");
    }
    assert!(
        table.contains("members' own demand is\n   not modelled (–)"),
        "{table}"
    );
    // The bloc's row is the pool's, in tonnes.
    let bloc = table
        .lines()
        .find(|l| l.trim_start().starts_with("QUAD"))
        .unwrap();
    assert!(bloc.contains(" t "), "{bloc}");

    let html = quadrant_report::sim::sim_html(&r);
    let dashes = "<td class=\"n\">–</td>".repeat(7);
    for m in &pooled[0].members {
        assert!(
            html.contains(&format!("<tr><td>{}</td>{dashes}</tr>", m.name)),
            "{}",
            m.name
        );
    }
    assert!(html.contains("members' own demand is not modelled"));
}
