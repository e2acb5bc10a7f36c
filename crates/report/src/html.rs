//! The brief as one self-contained, printable HTML page (inline CSS and SVG, no scripts, no
//! network): key findings first, then charts, then each material's figures and the full
//! citations; the raw table of every figure is the CSV output. Names and citations are the
//! brief's.

use crate::figures;
use crate::page::{colour_legend, page, sources_section};
use crate::svg::{share_bars, BarRow, ADV, BLOC, OTHER};
use crate::text::{coverage_text, pct, tonnes};
use quadrant_metrics::brief::{Brief, Finding, FindingKind, MaterialBrief, StageBrief};
use quadrant_model::Stage;

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Widths of a chart across the page and in one of two columns, CSS pixels.
const W_FULL: f64 = 680.0;
const W_HALF: f64 = 420.0;

/// A name inside a sentence: `Lithium` → `lithium`, but `NdFeB …` stays.
pub(crate) fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match (c.next(), c.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && b.is_lowercase() => {
            a.to_lowercase().chain(s.chars().skip(1)).collect()
        }
        _ => s.to_string(),
    }
}

/// A source id (or a compound of ids) as printed after a figure.
pub(crate) fn src(s: &str) -> String {
    format!(" <span class=\"src\">[{}]</span>", esc(s))
}

/// The colour of a country in the brief's charts.
fn colour(b: &Brief, country: &str) -> &'static str {
    if country == b.adversary {
        ADV
    } else if b.members.iter().any(|m| m == country) {
        BLOC
    } else {
        OTHER
    }
}

/// One finding as a sentence, its figures in bold, its source in brackets.
pub(crate) fn finding_text(b: &Brief, f: &Finding) -> String {
    let adv = esc(b.name(&b.adversary));
    let bloc = esc(&b.bloc_name);
    let what = esc(&lower_first(&f.material_name));
    let stage = f.stage.as_str();
    let v = pct(f.value);
    let text = match f.kind {
        FindingKind::AdversaryShare => format!(
            "<b>{adv}</b> produced <b>{v}</b> of the world's {what} at the {stage} stage in {}.",
            f.year
        ),
        FindingKind::ThroughAdversary => format!(
            "<b>{v}</b> of the {bloc}'s {what} supply at the {stage} stage in {} passed through \
             <b>{adv}</b> (processed or mined there).",
            f.year
        ),
        FindingKind::AdversaryControl => format!(
            "Firms at home in <b>{adv}</b> controlled <b>{v}</b> of world {what} {stage} in {}, \
             against <b>{}</b> located in {adv}{}.",
            f.year,
            pct(f.compare.unwrap_or(0.0)),
            f.coverage
                .map_or_else(String::new, |c| format!(" ({})", esc(&coverage_text(&c))))
        ),
        FindingKind::Claim => format!(
            "{}: <b>{v}</b> of {} output{}.",
            esc(f.claim.as_deref().unwrap_or("")),
            f.year,
            f.coverage
                .map_or_else(String::new, |c| format!(" ({})", esc(&coverage_text(&c))))
        ),
        FindingKind::BlocReliance => format!(
            "The {bloc} relied on net imports for <b>{v}</b> of its {what} at the {stage} stage \
             in {}.",
            f.year
        ),
        FindingKind::BlocShare => format!(
            "The {bloc}'s members produced <b>{v}</b> of the world's {what} at the {stage} stage \
             in {}: their largest share of any stage.",
            f.year
        ),
    };
    format!("<li class=\"finding\">{text}{}</li>", src(&f.source))
}

fn header(b: &Brief) -> String {
    let members: Vec<&str> = b.members.iter().map(|m| b.name(m)).collect();
    format!(
        "<h1>Dependence brief: {} against {}</h1><p class=\"sub\">Members: {}. Each stage uses \
         its latest data up to {}; every figure names its source in brackets, and the sources \
         are cited in full at the end. All {} figures, one row each with its source: \
         <code>quadrant brief --format csv</code>.</p>",
        esc(&b.bloc_full_name),
        esc(b.name(&b.adversary)),
        esc(&members.join(", ")),
        b.year,
        figures(b).len()
    )
}

fn findings_section(b: &Brief) -> String {
    let mut s = String::from("<section><h2>Key findings</h2><ol class=\"findings\">");
    for f in &b.findings {
        s.push_str(&finding_text(b, f));
    }
    s.push_str("</ol></section>");
    s
}

/// "Lithium · refining".
fn stage_label(name: &str, s: &StageBrief) -> String {
    format!("{name} · {}", s.stage)
}

fn overview_section(b: &Brief) -> String {
    let adv = b.name(&b.adversary);
    let mut s = format!(
        "<section><h2>Overview</h2>{}",
        colour_legend(&b.bloc_name, adv)
    );
    // Two charts side by side: mining, then the later stages.
    let rows = |mining: bool| -> Vec<BarRow> {
        b.materials
            .iter()
            .flat_map(|m| {
                m.stages
                    .iter()
                    .filter(move |st| (st.stage == Stage::Mining) == mining)
                    .map(|st| BarRow {
                        label: if mining {
                            m.name.clone()
                        } else {
                            stage_label(&m.name, st)
                        },
                        bars: vec![(st.bloc_share, BLOC), (st.adversary_share, ADV)],
                    })
            })
            .collect()
    };
    s.push_str(&format!(
        "<div class=\"stages\">{}{}</div>",
        share_bars(
            "Mining: share of world output",
            "share of world mine output by location (%)",
            &rows(true),
            W_HALF,
        ),
        share_bars(
            "Refining and components: share of world output",
            "share of world output by location (%)",
            &rows(false),
            W_HALF,
        )
    ));
    let through: Vec<BarRow> = b
        .materials
        .iter()
        .flat_map(|m| {
            m.stages.iter().filter_map(|st| {
                st.origin.as_ref().map(|o| BarRow {
                    label: stage_label(&m.name, st),
                    bars: vec![(o.through_adversary, ADV)],
                })
            })
        })
        .collect();
    if !through.is_empty() {
        s.push_str(&share_bars(
            &format!("{} supply that passed through {adv}", b.bloc_name),
            &format!("share of the bloc's supply processed or mined in {adv} (%)"),
            &through,
            W_FULL,
        ));
    }
    s.push_str("</section>");
    s
}

/// `Name share · Name share …` of (country id, share) pairs.
fn named_shares(b: &Brief, v: &[(String, f64)]) -> String {
    v.iter()
        .map(|(c, x)| format!("{} {}", esc(b.name(c)), pct(*x)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The stage's figures as a two-column table, each row with its source.
fn stage_table(b: &Brief, st: &StageBrief) -> String {
    let (bloc, adv) = (esc(&b.bloc_name), esc(b.name(&b.adversary)));
    let mut rows: Vec<(String, String)> = vec![
        (
            "concentration".into(),
            format!(
                "HHI {:.3} · top-1 {} · top-3 {}",
                st.hhi,
                pct(st.top1),
                pct(st.top3)
            ),
        ),
        (
            "HHI × governance".into(),
            format!(
                "{:.3} (political stability) · {:.3} (WGI mean)",
                st.gw_hhi_pv, st.gw_hhi_wgi6
            ),
        ),
        (
            "by location".into(),
            format!(
                "{bloc} {} · {adv} {}",
                pct(st.bloc_share),
                pct(st.adversary_share)
            ),
        ),
    ];
    if let Some(c) = &st.control {
        rows.push((
            "by control".into(),
            format!(
                "{bloc} {} · {adv} {} ({}){}",
                pct(c.bloc_share),
                pct(c.adversary_share),
                esc(&coverage_text(&c.coverage)),
                src(&c.source)
            ),
        ));
    }
    if let Some(r) = &st.bloc_reliance {
        let members: Vec<(String, f64)> = st
            .member_reliance
            .iter()
            .filter_map(|m| Some((m.country.clone(), m.reliance.net_import_reliance?)))
            .collect();
        rows.push((
            "import reliance".into(),
            format!(
                "{bloc} {} · {}{}",
                r.reliance.net_import_reliance.map_or("–".into(), pct),
                named_shares(b, &members),
                src(&st.reliance_source)
            ),
        ));
    }
    if let Some(o) = &st.origin {
        rows.push((
            format!("through {adv}"),
            format!(
                "<b>{}</b> of {bloc}'s supply ({}): processed there {}, mined there {}; \
                 mined in {}{}",
                pct(o.through_adversary),
                tonnes(o.supply_t),
                pct(o.adversary_at_stage),
                pct(o.adversary_upstream),
                named_shares(b, &o.by_origin),
                src(&o.source())
            ),
        ));
    }
    if let Some(r) = &st.reserves {
        rows.push((
            "reserves".into(),
            format!(
                "{bloc} {} · {adv} {}; top {}{}",
                pct(r.bloc_share),
                pct(r.adversary_share),
                named_shares(b, &r.top),
                src(&format!("{} {}", r.source, r.year))
            ),
        ));
    }
    for a in &st.alternatives {
        rows.push((
            "other source".into(),
            format!(
                "world {}, HHI {:.3}, top {} {}{}",
                tonnes(a.total_t),
                a.hhi,
                esc(b.name(&a.top_country)),
                pct(a.top_share),
                src(&a.dataset)
            ),
        ));
    }
    let mut s = String::from("<table class=\"kv\">");
    for (k, v) in rows {
        s.push_str(&format!("<tr><th>{k}</th><td>{v}</td></tr>"));
    }
    s.push_str("</table>");
    s
}

/// The GeoPolRisk scores of a material's members, as a row of its last stage's table.
fn geopolrisk_row(b: &Brief, m: &MaterialBrief) -> String {
    let Some(g) = m.geopolrisk.first() else {
        return String::new();
    };
    let scores: Vec<String> = m
        .geopolrisk
        .iter()
        .map(|g| format!("{} {:.3e}", esc(b.name(&g.importer)), g.score))
        .collect();
    format!(
        "<tr><th>GeoPolRisk {}</th><td>{} (members' import risk, all stages){}</td></tr>",
        g.year,
        scores.join(" · "),
        src(&g.sources.join("+"))
    )
}

/// One block per material and stage, flowing in two columns: chart, then figures.
fn material_blocks(b: &Brief) -> String {
    let mut s = format!(
        "<section><h2>By material and stage</h2>{}<div class=\"flow\">",
        colour_legend(&b.bloc_name, b.name(&b.adversary))
    );
    for m in &b.materials {
        for (k, st) in m.stages.iter().enumerate() {
            let rows: Vec<BarRow> = st
                .top
                .iter()
                .map(|p| BarRow {
                    label: b.name(&p.country).to_string(),
                    bars: vec![(p.share, colour(b, &p.country))],
                })
                .collect();
            let gpr = if k + 1 == m.stages.len() {
                geopolrisk_row(b, m)
            } else {
                String::new()
            };
            s.push_str(&format!(
                "<div class=\"stage\"><h3>{} · {}</h3><h4>{} · world output {} ({}){}</h4>{}{}</div>",
                esc(&m.name),
                st.stage,
                st.year,
                tonnes(st.total_t),
                esc(&m.basis),
                src(&st.source),
                share_bars("Top producers", "share of world output (%)", &rows, W_HALF),
                stage_table(b, st).replace("</table>", &format!("{gpr}</table>"))
            ));
        }
    }
    s.push_str("</div></section>");
    s
}

fn claims_section(b: &Brief) -> String {
    if b.claims.is_empty() {
        return String::new();
    }
    let mut s = String::from("<section><h2>Claims checked against the data</h2><ul>");
    for c in &b.claims {
        s.push_str(&format!(
            "<li>{}: <b>{}</b> of {} output ({}){}</li>",
            esc(&c.claim),
            pct(c.measured),
            c.year,
            esc(&coverage_text(&c.coverage)),
            src(&c.source)
        ));
    }
    s.push_str("</ul></section>");
    s
}

/// The brief as one self-contained, printable HTML page.
pub fn brief_html(b: &Brief) -> String {
    let body = [
        header(b),
        findings_section(b),
        overview_section(b),
        material_blocks(b),
        claims_section(b),
        sources_section(&b.sources, false),
    ]
    .concat();
    page(
        &format!(
            "Quadrant brief: {} against {}",
            b.bloc_name,
            b.name(&b.adversary)
        ),
        &body,
    )
}
