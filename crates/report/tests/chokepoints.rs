//! The chokepoint ranking's printable page: findings first (the largest chokepoint and the
//! bloc's shortfall), a bar chart labelled with names and a legend with units, the table, and
//! the full citations.

use quadrant_sim::api::{ChokeRequest, Session};
use quadrant_sim::params::Params;

#[test]
fn the_chokepoint_page_names_the_largest_and_cites_its_sources() {
    let ds = quadrant_data::load_embedded().unwrap();
    let s = Session::new(&ds, Params::shipped());
    let r = s
        .chokepoints(&ChokeRequest {
            bloc: "QUAD".into(),
            material: "cobalt".into(),
            weeks: 26,
            horizon: 78,
            year: 2024,
            min_share: 0.05,
        })
        .unwrap();
    let html = quadrant_report::choke::choke_html(&r);
    assert!(html.contains("<title>Quadrant chokepoints: Quad in Cobalt</title>"));
    assert!(html.contains("<h1>Chokepoints: Quad in cobalt</h1>"));
    let top = &r.rows[0];
    let name = r.country_name(&top.country);
    assert_ne!(name, top.country, "a name for {}", top.country);
    // Findings come first and name the largest chokepoint with the bloc's shortfall.
    let findings = html.find("Key findings").unwrap();
    let first = &html[findings..html.find("</li>").unwrap()];
    assert!(first.contains(name), "{first}");
    assert!(
        first.contains(&format!("<b>{}</b>", pct(top.bloc_shortfall_share))),
        "{first}"
    );
    // One chart, after the findings, with a legend naming the unit and bars named.
    let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
    assert!(findings < html.find("<svg").unwrap());
    assert!(
        svg.contains(&format!(">{name}, {}</text>", top.stage)),
        "{svg}"
    );
    assert!(html.contains("Quad's shortfall, % of its desired demand over 78 weeks"));
    assert!(svg.matches("<rect").count() == r.rows.len().min(15));
    // No ISO code as a bar label or in the table's names.
    for c in &r.rows {
        assert!(
            !svg.contains(&format!(">{}, ", c.country))
                && !html.contains(&format!("<td>{}</td>", c.country)),
            "the code {} printed",
            c.country
        );
    }
    assert!(html.contains("<th>outage of</th>"));
    // Full citations, not only ids.
    assert!(html.contains("<h2>Sources</h2>"));
    assert!(
        r.sources
            .iter()
            .all(|c| html.contains(&quadrant_report_esc(&c.text))),
        "every source in full"
    );
    assert!(!r.sources.is_empty());
    std::fs::write(std::env::temp_dir().join("choke-page.html"), &html).unwrap();
}

fn quadrant_report_esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A share as the pages print it (whole percent from 10%, one decimal below).
fn pct(v: f64) -> String {
    if v.abs() >= 0.1 || v == 0.0 {
        format!("{:.0}%", v * 100.0)
    } else {
        format!("{:.1}%", v * 100.0)
    }
}
