//! One self-contained HTML page (inline CSS and SVG, no scripts, no network) for the brief.

use crate::text::{coverage_text, pct, tonnes};
use crate::{figures, Figure};
use quadrant_metrics::brief::Brief;

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const BLOC: &str = "#1f6fb2";
const ADV: &str = "#c0392b";
const OTHER: &str = "#9aa5b1";

/// Horizontal bars: (label, share, colour).
fn bars(title: &str, rows: &[(String, f64, &str)]) -> String {
    let h = 22 * rows.len() + 30;
    // Label column wide enough for the longest label (about 7 px a character at 12 px).
    let lw = rows
        .iter()
        .map(|r| r.0.chars().count())
        .max()
        .unwrap_or(0)
        .max(8) as f64
        * 7.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">\
         <text x=\"0\" y=\"14\" font-size=\"13\" font-weight=\"bold\">{}</text>",
        lw + 360.0,
        esc(title),
        esc(title)
    );
    for (i, (label, v, colour)) in rows.iter().enumerate() {
        let y = 24 + i * 22;
        let w = (v.clamp(0.0, 1.0) * 300.0).round();
        s.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{}</text><rect x=\"{lw}\" y=\"{}\" width=\"{w}\" height=\"16\" fill=\"{colour}\"><title>{} {}</title></rect><text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            y + 13,
            esc(label),
            y,
            esc(label),
            pct(*v),
            lw + 5.0 + w,
            y + 13,
            pct(*v)
        ));
    }
    s.push_str("</svg>");
    s
}

/// The brief as one self-contained HTML page with SVG bar charts.
pub fn brief_html(b: &Brief) -> String {
    let mut body = String::new();
    body.push_str(&format!(
        "<h1>Dependence brief: {} against {}</h1><p>Members: {}. Latest data up to {}. Every figure names its source id; \
         <code>quadrant source ID</code> prints the full citation.</p>",
        esc(&b.bloc),
        esc(&b.adversary),
        esc(&b.members.join(", ")),
        b.year
    ));
    // Overview: the adversary's share and the bloc's dependence, per material and stage.
    let mut rows = Vec::new();
    for m in &b.materials {
        for s in &m.stages {
            rows.push((
                format!("{} {}", m.material, s.stage),
                s.adversary_share,
                ADV,
            ));
        }
    }
    body.push_str("<section><h2>Overview</h2>");
    body.push_str(&bars(
        &format!("{} share of world output, by location", b.adversary),
        &rows,
    ));
    let dep: Vec<(String, f64, &str)> = b
        .materials
        .iter()
        .flat_map(|m| {
            m.stages.iter().filter_map(move |s| {
                s.origin.as_ref().map(|o| {
                    (
                        format!("{} {}", m.material, s.stage),
                        o.through_adversary,
                        ADV,
                    )
                })
            })
        })
        .collect();
    if !dep.is_empty() {
        body.push_str(&bars(
            &format!("{} supply that passed through {}", b.bloc, b.adversary),
            &dep,
        ));
    }
    body.push_str("</section>");
    for m in &b.materials {
        body.push_str(&format!(
            "<section><h2>{} <small>({})</small></h2>",
            esc(&m.name),
            esc(&m.basis)
        ));
        for s in &m.stages {
            let rows: Vec<(String, f64, &str)> = s
                .top
                .iter()
                .map(|p| {
                    let colour = if p.country == b.adversary {
                        ADV
                    } else if b.members.contains(&p.country) {
                        BLOC
                    } else {
                        OTHER
                    };
                    (p.country.clone(), p.share, colour)
                })
                .collect();
            body.push_str(&format!(
                "<div class=\"stage\"><h3>{} {} <small>{} · world {}</small></h3>",
                s.stage,
                s.year,
                esc(&s.source),
                tonnes(s.total_t)
            ));
            body.push_str(&bars(
                &format!("{} {}: top producers", m.material, s.stage),
                &rows,
            ));
            body.push_str(&format!(
                "<p>HHI {:.3} · top-1 {} · top-3 {} · {} {} · {} {}",
                s.hhi,
                pct(s.top1),
                pct(s.top3),
                esc(&b.bloc),
                pct(s.bloc_share),
                esc(&b.adversary),
                pct(s.adversary_share)
            ));
            if let Some(c) = &s.control {
                body.push_str(&format!(
                    "<br>Control (controlling owner): {} {} · {} {} ({}) <small>[{}]</small>",
                    esc(&b.bloc),
                    pct(c.bloc_share),
                    esc(&b.adversary),
                    pct(c.adversary_share),
                    esc(&coverage_text(&c.coverage)),
                    esc(&c.source)
                ));
            }
            if let Some(o) = &s.origin {
                body.push_str(&format!(
                    "<br>{} supply through {} at either stage: <b>{}</b> <small>[{} + {} + BACI {}, upstream by {}]</small>",
                    esc(&b.bloc),
                    esc(&b.adversary),
                    pct(o.through_adversary),
                    esc(&o.datasets.0),
                    esc(&o.datasets.1),
                    o.trade_year,
                    o.upstream_method
                ));
            }
            body.push_str("</p></div>");
        }
        body.push_str("</section>");
    }
    if !b.claims.is_empty() {
        body.push_str("<section><h2>Claims checked against the data</h2><ul>");
        for c in &b.claims {
            body.push_str(&format!(
                "<li>{}: <b>{}</b> of {} output ({}) <small>[{}]</small></li>",
                esc(&c.claim),
                pct(c.measured),
                c.year,
                esc(&coverage_text(&c.coverage)),
                esc(&c.source)
            ));
        }
        body.push_str("</ul></section>");
    }
    body.push_str("<section><h2>All figures</h2><table><tr><th>material</th><th>stage</th><th>year</th><th>indicator</th><th>subject</th><th>value</th><th>source</th></tr>");
    for f in figures(b) {
        let Figure {
            material,
            stage,
            year,
            indicator,
            subject,
            value,
            unit,
            source,
            ..
        } = f;
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{year}</td><td>{indicator}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&material),
            esc(&stage),
            esc(&subject),
            crate::text::fmt_value(value, unit),
            esc(&source)
        ));
    }
    body.push_str("</table></section>");
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Quadrant brief: {} vs {}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;color:#1b1f24}}\
         .stage{{display:inline-block;vertical-align:top;margin-right:1em;max-width:440px}}\
         table{{border-collapse:collapse;font-size:12px}}td,th{{border:1px solid #ddd;padding:2px 6px}}\
         small{{color:#555}}</style></head><body>{body}</body></html>\n",
        esc(&b.bloc),
        esc(&b.adversary)
    )
}
