//! The chokepoint ranking as one self-contained, printable page: key findings first (the
//! largest chokepoint and the bloc's shortfall), a bar chart of the largest outages by name,
//! the table of every outage tested, and the full citations.

use crate::html::{esc, lower_first, src};
use crate::page::{page, sources_section};
use crate::svg::{share_bars_fit, swatch, BarRow, BLOC, W};
use crate::text::pct;
use quadrant_sim::chokepoints::{ChokeReport, Chokepoint};

/// Outages drawn in the chart; the table lists every one.
const CHART_ROWS: usize = 15;
/// Longest bar label, characters (facility names can be long).
const LABEL_CHARS: usize = 40;

/// What the outage struck: a facility with its host's name, or a whole country.
fn struck(r: &ChokeReport, c: &Chokepoint) -> String {
    match &c.facility {
        Some(f) => format!("{f} ({})", r.country_name(&c.country)),
        None => r.country_name(&c.country).to_string(),
    }
}

/// The ids of the sources, as printed after a figure.
fn source_ids(r: &ChokeReport) -> String {
    let ids: Vec<&str> = r.sources.iter().map(|c| c.id.as_str()).collect();
    src(&ids.join("+"))
}

fn findings(r: &ChokeReport) -> String {
    let (bloc, what) = (esc(&r.bloc.1), esc(&lower_first(&r.material.1)));
    let Some(top) = r.rows.first() else {
        return format!(
            "<li>No country or facility holds {} or more of a stage's world output of {what}: \
             there is nothing to rank.</li>",
            pct(r.min_share)
        );
    };
    let mut s = format!(
        "<li>The largest chokepoint: a {}-week outage of <b>{}</b> at the {} stage ({} of world \
         output) leaves {bloc} short by <b>{}</b> of its desired {what} over {} weeks; the world \
         price peaks at ×{:.2} the baseline.{}</li>",
        r.weeks,
        esc(&struck(r, top)),
        top.stage,
        pct(top.world_share),
        pct(top.bloc_shortfall_share),
        r.horizon,
        top.peak_price_vs_baseline,
        source_ids(r)
    );
    let costly = r
        .rows
        .iter()
        .filter(|c| c.bloc_shortfall_share >= 0.01)
        .count();
    let free = r
        .rows
        .iter()
        .filter(|c| c.bloc_shortfall_share <= 0.0)
        .count();
    let covered = if free > 0 {
        format!("; {free} cost it nothing (stocks and other suppliers cover them)")
    } else {
        String::new()
    };
    s.push_str(&format!(
        "<li>{costly} of the {} outages tested leave {bloc} short by 1% or more{covered}.</li>",
        r.rows.len()
    ));
    if let Some(f) = r.rows.iter().find(|c| c.facility.is_some()) {
        s.push_str(&format!(
            "<li>The largest single-facility outage: {} in {}, at the {} stage, leaves {bloc} \
             short by {} of its desired {what}.</li>",
            esc(f.facility.as_deref().unwrap_or_default()),
            esc(r.country_name(&f.country)),
            f.stage,
            pct(f.bloc_shortfall_share)
        ));
    }
    s
}

/// A label cut to `LABEL_CHARS` characters.
fn short(label: String) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label;
    }
    label.chars().take(LABEL_CHARS - 1).collect::<String>() + "…"
}

fn chart(r: &ChokeReport) -> String {
    if r.rows.is_empty() {
        return String::new();
    }
    let unit = format!(
        "{}'s shortfall, % of its desired demand over {} weeks",
        r.bloc.1, r.horizon
    );
    let rows: Vec<BarRow> = r
        .rows
        .iter()
        .take(CHART_ROWS)
        .map(|c| BarRow {
            // A facility by its own name (its host is in the table): labels stay short.
            label: short(format!(
                "{}, {}",
                c.facility
                    .as_deref()
                    .unwrap_or_else(|| r.country_name(&c.country)),
                c.stage
            )),
            bars: vec![(c.bloc_shortfall_share, BLOC)],
        })
        .collect();
    format!(
        "<div class=\"legend\">{}</div>{}",
        swatch(BLOC, &unit),
        share_bars_fit(
            &format!(
                "The {} largest chokepoints: {} short after a {}-week outage",
                rows.len(),
                r.bloc.1,
                r.weeks
            ),
            &unit,
            &rows,
            W,
        )
    )
}

fn table(r: &ChokeReport) -> String {
    let mut s = String::from(
        "<table><tr><th class=\"n\">rank</th><th>outage of</th><th>stage</th>\
         <th class=\"n\">world share</th><th class=\"n\">bloc shortfall</th>\
         <th class=\"n\">peak price</th></tr>",
    );
    for (i, c) in r.rows.iter().enumerate() {
        s.push_str(&format!(
            "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">×{:.2}</td></tr>",
            i + 1,
            esc(&struck(r, c)),
            c.stage,
            pct(c.world_share),
            pct(c.bloc_shortfall_share),
            c.peak_price_vs_baseline
        ));
    }
    s.push_str("</table>");
    s
}

/// The ranking as one self-contained, printable page.
pub fn choke_html(r: &ChokeReport) -> String {
    let (bloc, material) = (&r.bloc.1, &r.material.1);
    let mut body = format!(
        "<h1>Chokepoints: {} in {}</h1><p class=\"sub\">A {}-week full outage of one country's \
         stage or of one facility, from week 4 of {} simulated · networks of {} data · \
         candidates hold at least {} of a stage's world output</p>",
        esc(bloc),
        esc(&lower_first(material)),
        r.weeks,
        r.horizon,
        r.year,
        pct(r.min_share)
    );
    body.push_str(&format!(
        "<section><h2>Key findings</h2><ol class=\"findings\">{}</ol></section>",
        findings(r)
    ));
    body.push_str(&format!(
        "<section><h2>The ranking</h2>{}<h3>Every outage tested, largest shortfall first</h3>\
         <p class=\"sub\">World share: of the stage's world output. Bloc shortfall: of {}'s \
         desired demand over the {} weeks. Peak price: the highest world price at any stage, \
         × baseline.</p>{}</section>",
        chart(r),
        esc(bloc),
        r.horizon,
        table(r)
    ));
    body.push_str(&sources_section(&r.sources, false));
    page(
        &format!("Quadrant chokepoints: {bloc} in {material}"),
        &body,
    )
}
