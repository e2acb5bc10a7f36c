//! The printable briefings (issue 11, "Briefing report"): each fault found in the first pages,
//! looked at in Chromium, is pinned here so that it cannot come back — the colour legend,
//! names instead of codes, full citations on the page, nice tick values, units in the axis
//! titles, dates on the time axis, the shaded event window and the dashed baseline, no
//! degenerate chart, findings before charts before tables, a print stylesheet, and charts for
//! `--all-years` and the Monte Carlo.

use quadrant_metrics::brief::{brief, brief_all_years, Brief, BriefRequest, Ctx};
use quadrant_model::Dataset;
use quadrant_sim::api::Session;
use quadrant_sim::params::Params;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::OnceLock;

fn ds() -> &'static Dataset {
    static DS: OnceLock<Dataset> = OnceLock::new();
    DS.get_or_init(|| quadrant_data::load_embedded().unwrap())
}

fn request(ds: &Dataset, materials: Vec<u16>) -> BriefRequest<'static> {
    BriefRequest {
        bloc: "QUAD",
        adversary: ds.country("CHN").unwrap(),
        year: 2024,
        materials,
        top_n: 5,
    }
}

/// The default brief: every material.
fn full_brief() -> Brief {
    let ds = ds();
    let all = (0..ds.materials.len() as u16).collect();
    brief(&Ctx::new(ds), &request(ds, all)).unwrap()
}

fn drc_html() -> String {
    let s = Session::new(ds(), Params::shipped());
    let sc = s.scenario("drc-cobalt-2025").unwrap();
    quadrant_report::sim::sim_html(&s.simulate(sc, true).unwrap().result)
}

/// The text of every `<text class="{class}" …>…</text>` in `svg`.
fn texts(svg: &str, class: &str) -> Vec<String> {
    let open = format!("<text class=\"{class}\"");
    svg.match_indices(&open)
        .map(|(i, _)| {
            let rest = &svg[i..];
            let start = rest.find('>').unwrap() + 1;
            let end = rest.find("</text>").unwrap();
            rest[start..end].to_string()
        })
        .collect()
}

/// Every chart of a page.
fn charts(html: &str) -> Vec<&str> {
    html.split("<svg")
        .skip(1)
        .map(|s| &s[..s.find("</svg>").unwrap()])
        .collect()
}

/// 1, 2, 2.5 or 5 times a power of ten.
fn nice(step: f64) -> bool {
    let m = step / 10f64.powf(step.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .any(|n| (m - n).abs() < 1e-6)
}

/// Every chart's y-axis ticks are distinct, evenly spaced by a nice step.
fn assert_nice_y_ticks(html: &str) {
    let mut seen = 0;
    for c in charts(html) {
        let labels = texts(c, "ytick");
        if labels.is_empty() {
            continue;
        }
        seen += 1;
        let v: Vec<f64> = labels
            .iter()
            .map(|l| {
                l.trim_end_matches(['%', '×'])
                    .replace(',', "")
                    .parse()
                    .unwrap()
            })
            .collect();
        assert!(v.len() >= 2, "a chart with one tick: {labels:?}");
        let step = v[1] - v[0];
        assert!(step > 0.0 && nice(step), "ticks {labels:?}");
        for w in v.windows(2) {
            assert!(
                ((w[1] - w[0]) - step).abs() < 1e-6 * step.max(1.0),
                "{labels:?}"
            );
        }
    }
    assert!(seen > 0, "no chart with a y axis");
}

#[test]
fn brief_opens_with_findings_then_charts_then_tables_and_has_a_legend() {
    let b = full_brief();
    let html = quadrant_report::brief_html(&b);
    let findings = html.find("Key findings").unwrap();
    let chart = html.find("<svg").unwrap();
    let table = html.find("<table").unwrap();
    assert!(findings < chart && chart < table);
    assert_eq!(
        html.matches("<li class=\"finding\">").count(),
        b.findings.len()
    );
    // The colour legend names the bloc, the adversary and the others, in the charts' colours.
    for key in ["Quad (members)", "China", "other countries"] {
        assert!(html.contains(&format!("></span>{key}</span>")), "{key}");
    }
    for colour in ["#1f6fb2", "#c0392b", "#9aa5b1"] {
        assert!(html.contains(&format!("class=\"sw\" style=\"background:{colour}\"")));
    }
    // The 714-figure raw table is gone from the page: the CSV has it.
    assert!(!html.contains("All figures</h2>"));
    assert!(html.contains("quadrant brief --format csv"));
}

#[test]
fn brief_prints_names_not_codes() {
    let b = full_brief();
    let html = quadrant_report::brief_html(&b);
    assert!(html.contains(">Dem. Rep. of the Congo</text>"));
    assert!(html.contains("Members: Australia, India, Japan, USA."));
    // No country code stands where a name is expected: as a chart label, in a sentence.
    for c in b.countries.iter().filter(|c| c.name != c.id) {
        for shape in [format!(">{}</text>", c.id), format!("<b>{}</b>", c.id)] {
            assert!(!html.contains(&shape), "{shape} on the page");
        }
        assert!(
            !html.contains(&format!(" {} ", c.id)),
            "code {} in a sentence",
            c.id
        );
    }
    assert!(!html.contains(">QUAD<") && !html.contains(" QUAD "));
    assert!(html.contains("controlled by firms based in China"));
}

#[test]
fn brief_cites_every_source_in_full() {
    let b = full_brief();
    let html = quadrant_report::brief_html(&b);
    let ds = ds();
    for c in &b.sources {
        assert!(html.contains(&format!("<b>{}</b>", c.id)), "{}", c.id);
        if let Some(s) = ds.source(&c.id) {
            let s = ds.source_of(s);
            let citation = format!("{}. {}. {}.", s.publisher, s.title, s.edition);
            let esc = citation.replace('&', "&amp;").replace('"', "&quot;");
            assert!(html.contains(&esc), "{citation}");
        }
    }
    assert!(html.contains("International Energy Agency. Critical Minerals Data Explorer"));
    assert!(
        !html.contains("prints the full citation"),
        "the page cites in full"
    );
}

#[test]
fn pages_print_on_a4_with_breaks_and_without_split_charts() {
    for html in [quadrant_report::brief_html(&full_brief()), drc_html()] {
        assert!(html.contains("@page{size:A4"));
        assert!(html.contains("@media print{"));
        assert!(html.contains("break-before:page"));
        assert!(html.contains("svg.chart,.stage,tr,li,.events{break-inside:avoid}"));
        assert!(!html.contains("<script") && !html.contains("<link"));
        assert!(charts(&html).iter().all(|c| c.contains("viewBox=")));
    }
}

#[test]
fn simulation_axes_are_dated_and_nice_with_units_in_their_titles() {
    let html = drc_html();
    assert_nice_y_ticks(&html);
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut dated = 0;
    for c in charts(&html) {
        let x = texts(c, "xtick");
        assert!(x.len() >= 4, "{x:?}");
        for l in &x {
            let (m, y) = l.split_once(' ').unwrap();
            assert!(months.contains(&m) && y.len() == 4, "not a date: {l}");
            assert!(!l.contains("week"));
        }
        dated += 1;
        let y = texts(c, "ytitle");
        assert!(
            y[0] == "price, × baseline"
                || y[0] == "shortfall, t per week"
                || y[0] == "price paid, × baseline",
            "{y:?}"
        );
        assert_eq!(texts(c, "xtitle"), ["week starting (week 0 = 6 Jan 2025)"]);
    }
    assert_eq!(dated, 3);
    assert!(html.contains(">Jan 2025</text>") && html.contains(">Jan 2027</text>"));
    // The events with their dates, and the ban's window shaded on every chart.
    assert!(html.contains(
        "Export ban by Dem. Rep. of the Congo (mining): from the week of 24 Feb 2025 to the week of 9 Jun 2025 (weeks 7–22)"
    ));
    assert_eq!(html.matches("class=\"window\"").count(), 3 * 3);
    // The dashed baseline on both price charts.
    assert_eq!(html.matches("class=\"baseline\"").count(), 2);
    assert!(html.contains("stroke-dasharray=\"5 4\""));
    // Names, not codes, and the networks' sources in full.
    assert!(html.contains("Australia") && !html.contains(">AUS<"));
    assert!(html.contains("<b>IEA-2025</b>: International Energy Agency."));
}

#[test]
fn an_all_zero_series_gets_a_sentence_not_a_chart() {
    let s = Session::new(ds(), Params::shipped());
    let sc = s.scenario("drc-cobalt-2025").unwrap();
    let mut r = s.simulate(sc, true).unwrap().result;
    let series = r.materials[0].series.as_mut().unwrap();
    for v in series.shortfall.iter_mut() {
        v.iter_mut().for_each(|x| *x = 0.0);
    }
    series.bloc_shortfall.iter_mut().for_each(|x| *x = 0.0);
    let html = quadrant_report::sim::sim_html(&r);
    assert!(html.contains("Neither Quad nor any of its members ran short of cobalt in any week."));
    assert!(!html.contains("Cobalt: weekly shortfall"));
    assert_eq!(charts(&html).len(), 2, "the two price charts remain");
    // No chart anywhere has ticks that print alike (five ticks all "0.000").
    assert_nice_y_ticks(&html);
}

#[test]
fn all_years_brief_has_a_time_series_per_material() {
    let ds = ds();
    let all = (0..ds.materials.len() as u16).collect();
    let briefs = brief_all_years(&Ctx::new(ds), &request(ds, all));
    let html = quadrant_report::briefs_html(&briefs);
    assert!(html.contains("Key findings, 2024"));
    assert!(html.contains("Lithium: share of world output"));
    assert!(html.matches("<polyline").count() > 30);
    assert!(
        html.contains("stroke-dasharray=\"6 3\""),
        "projections dashed"
    );
    assert_nice_y_ticks(&html);
    for c in charts(&html) {
        for l in texts(c, "xtick") {
            let y: u16 = l.parse().unwrap();
            assert!((2018..=2040).contains(&y), "{l}");
        }
    }
    // Heavy rare earths has one year of data: a sentence, not a one-point chart.
    assert!(html.contains("Heavy rare earths: nothing changes over the years to chart"));
}

#[test]
fn monte_carlo_page_shows_the_distributions() {
    let s = Session::new(ds(), Params::shipped());
    let sc = s.scenario("drc-cobalt-2025").unwrap();
    let (stop, done) = (AtomicBool::new(false), AtomicUsize::new(0));
    let mc = s.montecarlo(&sc, 40, 7, false, &stop, &done).unwrap();
    let html = quadrant_report::sim::mc_html(&mc.result);
    assert!(html.contains("Cobalt: shortfall across the runs"));
    assert!(html.contains("Cobalt: Quad's shortfall, runs by size"));
    assert!(html.contains("Cobalt: peak world price across the runs"));
    for key in [
        "P5–P95 of the runs",
        "median (P50)",
        "CVaR95: mean of the worst 5% of runs",
    ] {
        assert!(html.contains(key), "{key}");
    }
    assert!(html.contains(">CVaR95</text>"));
    assert!(html.contains("<td>Australia</td>"));
    assert!(html.find("Key findings").unwrap() < html.find("<svg").unwrap());
    let bars = charts(&html)
        .iter()
        .map(|c| c.matches("<rect").count())
        .max()
        .unwrap();
    assert!(bars >= quadrant_sim::montecarlo::HISTOGRAM_BINS);
}
