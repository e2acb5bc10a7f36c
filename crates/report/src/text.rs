//! Terminal rendering, readable at 100 columns.

use quadrant_metrics::brief::{Brief, StageBrief};
use quadrant_metrics::{Coverage, GeoPolRisk};

pub const WIDTH: usize = 100;

/// A share as a percentage: whole percent from 10%, one decimal below.
pub fn pct(v: f64) -> String {
    let v = v + 0.0; // an empty f64 sum is -0.0; print it as 0%
    if v.abs() >= 0.1 || v == 0.0 {
        format!("{:.0}%", v * 100.0)
    } else {
        format!("{:.1}%", v * 100.0)
    }
}

pub fn tonnes(v: f64) -> String {
    let (x, u) = if v >= 1e6 {
        (v / 1e6, "Mt")
    } else if v >= 1e3 {
        (v / 1e3, "kt")
    } else {
        (v, "t")
    };
    if x >= 100.0 {
        format!("{x:.0} {u}")
    } else {
        format!("{x:.1} {u}")
    }
}

pub fn fmt_value(v: f64, unit: &str) -> String {
    match unit {
        "share" | "production / apparent consumption" => pct(v),
        "t" => tonnes(v),
        _ => format!("{v:.4}"),
    }
}

/// Wraps `items` after a label, continuing lines aligned under the first item.
fn wrap(label: &str, items: &[String], out: &mut String) {
    let indent = 4 + 17;
    let mut line = format!("    {label:<16} ");
    let mut first = true;
    for it in items {
        if !first && line.len() + 2 + it.len() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = " ".repeat(indent);
            first = true;
        }
        if !first {
            line.push_str("  ");
        }
        line.push_str(it);
        first = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// Wraps `text` at spaces after a label (as [`wrap`] does, one space between words).
fn wrap_words(label: &str, text: &str, out: &mut String) {
    let indent = 4 + 17;
    let mut line = format!("    {label:<16} ");
    let mut first = true;
    for w in text.split(' ') {
        if !first && line.len() + 1 + w.len() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = " ".repeat(indent);
            first = true;
        }
        if !first {
            line.push(' ');
        }
        line.push_str(w);
        first = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

/// The coverage printed beside a control figure: "coverage 81% of output identified", and
/// when part of it rests on stand-in figures, ", 9.6% by estimate" (docs/model.md, "Coverage").
pub fn coverage_text(c: &Coverage) -> String {
    let mut t = format!("coverage {} of output identified", pct(c.identified));
    if c.is_estimate() {
        t.push_str(&format!(", {} by estimate", pct(c.estimated)));
    }
    t
}

fn stage_block(b: &Brief, s: &StageBrief, out: &mut String) {
    out.push_str(&format!(
        "  {} · {} · {} · world {}\n",
        s.stage,
        s.year,
        s.source,
        tonnes(s.total_t)
    ));
    let top: Vec<String> = s
        .top
        .iter()
        .map(|p| format!("{} {}", p.country, pct(p.share)))
        .collect();
    wrap("top producers", &top, out);
    let mut conc = vec![
        format!("HHI {:.3}", s.hhi),
        format!("top-1 {}", pct(s.top1)),
        format!("top-3 {}", pct(s.top3)),
    ];
    if s.residual_share > 0.0 {
        conc.push(format!("unnamed rest {}", pct(s.residual_share)));
    }
    wrap("concentration", &conc, out);
    wrap(
        "gov.-weighted",
        &[
            format!("HHI·WGI(PV) {:.3}", s.gw_hhi_pv),
            format!("HHI·WGI(6 dims) {:.3}", s.gw_hhi_wgi6),
        ],
        out,
    );
    let loc = vec![format!(
        "location: {} {} · {} {}",
        b.bloc,
        pct(s.bloc_share),
        b.adversary,
        pct(s.adversary_share)
    )];
    wrap("bloc / adversary", &loc, out);
    if let Some(c) = &s.control {
        wrap_words(
            "",
            &format!(
                "control: {} {} · {} {} ({}; curated/ownership.toml)",
                b.bloc,
                pct(c.bloc_share),
                b.adversary,
                pct(c.adversary_share),
                coverage_text(&c.coverage)
            ),
            out,
        );
    }
    if let Some(r) = &s.bloc_reliance {
        let mut items = vec![format!(
            "{} {}",
            b.bloc,
            r.reliance
                .net_import_reliance
                .map(pct)
                .unwrap_or_else(|| "n/a".into())
        )];
        for m in &s.member_reliance {
            items.push(format!(
                "{} {}",
                m.country,
                m.reliance
                    .net_import_reliance
                    .map(pct)
                    .unwrap_or_else(|| "n/a".into())
            ));
        }
        items.push(format!("[{}]", s.reliance_source));
        wrap("import reliance", &items, out);
        if let Some(v) = r.reliance.self_sufficiency {
            wrap("self-sufficiency", &[format!("{} {}", b.bloc, pct(v))], out);
        }
    }
    if let Some(o) = &s.origin {
        let verb = |st: quadrant_model::Stage| match st {
            quadrant_model::Stage::Mining => "mined in",
            quadrant_model::Stage::Refining => "refined in",
            quadrant_model::Stage::Components => "made in",
        };
        let at: Vec<String> = o
            .by_stage_country
            .iter()
            .take(6)
            .map(|(c, v)| format!("{c} {}", pct(*v)))
            .collect();
        let up: Vec<String> = o
            .by_origin
            .iter()
            .take(6)
            .map(|(c, v)| format!("{c} {}", pct(*v)))
            .collect();
        wrap(
            &format!("{} supply", b.bloc),
            &[format!("{} ({})", tonnes(o.supply_t), o.source())],
            out,
        );
        wrap(&format!(" {}", verb(o.stage)), &at, out);
        if let Some(u) = o.stage.upstream() {
            wrap(&format!(" {}", verb(u)), &up, out);
        }
        wrap(
            &format!(" via {}", b.adversary),
            &[
                format!("{} at either stage", pct(o.through_adversary)),
                format!(
                    "({} there {}, {} there {};",
                    verb(o.stage).trim_end_matches(" in"),
                    pct(o.adversary_at_stage),
                    o.stage
                        .upstream()
                        .map(|u| verb(u).trim_end_matches(" in"))
                        .unwrap_or(""),
                    pct(o.adversary_upstream)
                ),
                format!("upstream feed by {})", o.upstream_method),
            ],
            out,
        );
    }
    if let Some(r) = &s.reserves {
        let mut items: Vec<String> = r
            .top
            .iter()
            .map(|(c, v)| format!("{c} {}", pct(*v)))
            .collect();
        items.push(format!(
            "· {} {} · {} {} [{} {}]",
            b.bloc,
            pct(r.bloc_share),
            b.adversary,
            pct(r.adversary_share),
            r.source,
            r.year
        ));
        wrap("reserves", &items, out);
    }
    if !s.alternatives.is_empty() {
        let alts: Vec<String> = s
            .alternatives
            .iter()
            .map(|a| {
                format!(
                    "{}: {} {}, HHI {:.3}, world {};",
                    a.dataset,
                    a.top_country,
                    pct(a.top_share),
                    a.hhi,
                    tonnes(a.total_t)
                )
            })
            .collect();
        wrap("other sources", &alts, out);
    }
}

/// The brief as a terminal table (at most 100 columns).
pub fn brief_table(b: &Brief) -> String {
    let mut out = format!(
        "Dependence brief: {} ({}) against {}, latest data up to {}\n",
        b.bloc,
        b.members.join(" "),
        b.adversary,
        b.year
    );
    out.push_str(&"=".repeat(WIDTH.min(out.len().saturating_sub(1)).max(40)));
    out.push('\n');
    for m in &b.materials {
        out.push_str(&format!("\n{} ({})\n", m.name.to_uppercase(), m.basis));
        for s in &m.stages {
            stage_block(b, s, &mut out);
        }
        if let Some(g0) = m.geopolrisk.first() {
            let items: Vec<String> = m
                .geopolrisk
                .iter()
                .map(|g| format!("{} {:.2e}", g.importer, g.score))
                .collect();
            let mut items = items;
            items.push(format!(
                "[{} {}, HHI {:.3}; WMD+BACI+WGI-PV]",
                g0.commodity, g0.year, g0.hhi
            ));
            out.push_str(&format!("  GeoPolRisk {}\n", g0.year));
            wrap("score", &items, &mut out);
        }
    }
    if !b.claims.is_empty() {
        out.push_str("\nClaims checked against the data\n");
        for c in &b.claims {
            out.push_str(&format!("  {}:\n", c.claim));
            let line = format!(
                "{} of {} output ({}; {})",
                pct(c.measured),
                c.year,
                coverage_text(&c.coverage),
                c.source
            );
            // The claim's figure is indented by 4, continuation lines by 6.
            let mut cur = String::from("   ");
            for w in line.split(' ') {
                if cur.len() + 1 + w.len() > WIDTH {
                    out.push_str(&cur);
                    out.push('\n');
                    cur = String::from("     ");
                }
                cur.push(' ');
                cur.push_str(w);
            }
            out.push_str(&cur);
            out.push('\n');
        }
    }
    out.push_str("\nSources: `quadrant source ID` prints the full citation of any id in brackets or after a stage.\n");
    out
}

/// A GeoPolRisk score as a terminal table.
pub fn geopolrisk_table(g: &GeoPolRisk) -> String {
    format!(
        "GeoPolRisk of {} ({}) for {} in {}\n  HHI            {:.6}\n  import risk    {:.6}   (Σ q·PVn {:.3} / (imports {} + own production {}))\n  score          {:.6e}\n  price          {:.3} kUSD/t\n  CF (÷ Cu ref.) {:.6e}\n  HS codes       {}\n  sources        {}\n",
        g.material,
        g.commodity,
        g.importer,
        g.year,
        g.hhi,
        g.import_risk,
        g.numerator,
        tonnes(g.total_trade_t),
        tonnes(g.production_t),
        g.score,
        g.price,
        g.cf,
        g.hs_codes.iter().map(|h| h.to_string()).collect::<Vec<_>>().join(", "),
        g.sources.join(", ")
    )
}
