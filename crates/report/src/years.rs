//! The brief of every year (`quadrant brief --all-years --format html`) as one printable page:
//! the key findings of the latest year of recorded data, then per material the bloc's and the
//! adversary's share of world output over the years (projections dashed), then the citations.
//! Every figure of every year is in `--format csv`.

use crate::html::esc;
use crate::page::{colour_legend, page, sources_section};
use crate::svg::{line_chart, LineChart, Series, XAxis, PERCENT};
use quadrant_metrics::brief::{all_sources, Brief, MaterialBrief};
use quadrant_model::Stage;

/// Line colours per stage: the bloc in blues, the adversary in reds, upstream darkest.
fn colours(stage: Stage) -> (&'static str, &'static str) {
    match stage {
        Stage::Mining => ("#1f6fb2", "#c0392b"),
        Stage::Refining => ("#5dade2", "#e67e73"),
        _ => ("#154360", "#78281f"),
    }
}

/// A stage's share over the years as two series: recorded years solid, projected years dashed
/// from the last recorded point on.
fn split(label: &str, colour: &'static str, points: &[(f64, f64, bool)], out: &mut Vec<Series>) {
    let recorded: Vec<(f64, f64)> = points.iter().filter(|p| !p.2).map(|p| (p.0, p.1)).collect();
    let mut projected: Vec<(f64, f64)> = recorded.last().copied().into_iter().collect();
    projected.extend(points.iter().filter(|p| p.2).map(|p| (p.0, p.1)));
    if !recorded.is_empty() {
        out.push(Series {
            label: label.to_string(),
            colour,
            points: recorded,
            dashed: false,
            markers: true,
        });
    }
    if projected.len() > 1 {
        // No legend entry: the page says that dashed lines are projections.
        out.push(Series {
            label: String::new(),
            colour,
            points: projected,
            dashed: true,
            markers: true,
        });
    }
}

/// The chart of one material: for each stage, the bloc's and the adversary's share of world
/// output at each year of data.
fn material_chart(all: &[Brief], m: &MaterialBrief, last: &Brief) -> String {
    let (bloc, adv) = (&last.bloc_name, last.name(&last.adversary));
    let mut series = Vec::new();
    for st in &m.stages {
        let points = |f: &dyn Fn(&quadrant_metrics::brief::StageBrief) -> f64| {
            all.iter()
                .filter_map(|b| b.materials.iter().find(|x| x.material == m.material))
                .filter_map(|x| x.stages.iter().find(|s| s.stage == st.stage))
                .map(|s| (f64::from(s.year), f(s), s.projection))
                .collect::<Vec<_>>()
        };
        let (cb, ca) = colours(st.stage);
        split(
            &format!("{adv}, {}", st.stage),
            ca,
            &points(&|s| s.adversary_share),
            &mut series,
        );
        split(
            &format!("{bloc}, {}", st.stage),
            cb,
            &points(&|s| s.bloc_share),
            &mut series,
        );
    }
    let title = format!("{}: share of world output", m.name);
    line_chart(&LineChart {
        title: &title,
        width: 460.0,
        y_title: "share of world output (%)",
        x_title: "year of the data",
        x: XAxis::Years,
        units: PERCENT,
        series,
        from_zero: true,
        baseline: None,
        windows: Vec::new(),
    })
    .unwrap_or_else(|| {
        format!(
            "<p class=\"none\">{}: nothing changes over the years to chart (one year of data, \
             or the same shares every year); see the one-year brief.</p>",
            esc(&m.name)
        )
    })
}

/// Every year's brief as one printable page.
pub fn briefs_html(all: &[Brief]) -> String {
    let Some(last) = all.last() else {
        return page("Quadrant brief", "<p>No year has data.</p>");
    };
    let adv = last.name(&last.adversary);
    let first_year = all.first().map_or(last.year, |b| b.year);
    let mut body = format!(
        "<h1>Dependence brief over time: {} against {}</h1><p class=\"sub\">Years {}–{}. Each \
         point is a stage's figure at the year of its data; dashed lines are projections. \
         Every figure of every year, with its source: <code>quadrant brief --all-years \
         --format csv</code>.</p>",
        esc(&last.bloc_name),
        esc(adv),
        first_year,
        last.year
    );
    // The findings of the latest year whose figures are all recorded, not projected.
    if let Some(b) = all.iter().rev().find(|b| !b.projected()) {
        body.push_str(&format!(
            "<section><h2>Key findings, {}</h2><ol class=\"findings\">",
            b.year
        ));
        for f in &b.findings {
            body.push_str(&crate::html::finding_text(b, f));
        }
        body.push_str("</ol></section>");
    }
    body.push_str(&format!(
        "<section class=\"major\"><h2>Shares of world output over time</h2>{}",
        colour_legend(&last.bloc_name, adv)
    ));
    body.push_str("<div class=\"flow\">");
    for m in &last.materials {
        body.push_str(&format!(
            "<div class=\"stage\">{}</div>",
            material_chart(all, m, last)
        ));
    }
    body.push_str("</div></section>");
    body.push_str(&sources_section(&all_sources(all), true));
    page(
        &format!("Quadrant brief over time: {} against {adv}", last.bloc_name),
        &body,
    )
}
