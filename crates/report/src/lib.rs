//! Renderers: the brief and the risk scores as a terminal table, JSON, CSV, Markdown or one
//! self-contained HTML page with SVG charts. Renderers compute nothing: every number comes
//! from a `quadrant-metrics` value, and every printed figure carries its source and year.

#![warn(missing_docs)]

pub mod backtest;
pub mod choke;
mod dist;
mod html;
mod page;
pub mod parquet_out;
pub mod plan;
pub mod sim;
mod simhtml;
mod svg;
mod text;
mod years;

use quadrant_metrics::brief::Brief;
use quadrant_metrics::GeoPolRisk;
use serde::Serialize;

pub use html::brief_html;
pub use text::{brief_table, coverage_text, geopolrisk_table, pct};
pub use years::briefs_html;

/// One printed figure: what, of whom, how much, and where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// The year the brief is as of (`--year`, or each year of `--all-years`): figures of
    /// several as-of years in one file never double-count when pivoted by it.
    pub as_of_year: u16,
    /// Material id.
    pub material: String,
    /// Stage (`mining`, `refining`).
    pub stage: String,
    /// Year of the data.
    pub year: u16,
    /// What the figure is (`share`, `hhi`, `control_share` …).
    pub indicator: &'static str,
    /// Of whom: a country, the bloc, the adversary or `world`.
    pub subject: String,
    /// The value.
    pub value: f64,
    /// Its unit (`share`, `t`, `index` …).
    pub unit: &'static str,
    /// The dataset and source ids it comes from.
    pub source: String,
}

/// The brief as a flat list of figures: the tidy form behind CSV, Markdown and HTML tables.
pub fn figures(b: &Brief) -> Vec<Figure> {
    let mut out = Vec::new();
    for m in &b.materials {
        for s in &m.stages {
            let mut f = |indicator: &'static str,
                         subject: &str,
                         value: f64,
                         unit: &'static str,
                         year: u16,
                         source: &str| {
                out.push(Figure {
                    as_of_year: b.year,
                    material: m.material.clone(),
                    stage: s.stage.as_str().to_string(),
                    year,
                    indicator,
                    subject: subject.to_string(),
                    value,
                    unit,
                    source: source.to_string(),
                })
            };
            f(
                "world_production",
                "world",
                s.total_t,
                "t",
                s.year,
                &s.source,
            );
            for p in &s.top {
                f(
                    "production_share",
                    &p.country,
                    p.share,
                    "share",
                    s.year,
                    &s.source,
                );
            }
            f(
                "hhi",
                "world",
                s.hhi,
                "sum of squared shares (0-1)",
                s.year,
                &s.source,
            );
            f("top1_share", "world", s.top1, "share", s.year, &s.source);
            f("top3_share", "world", s.top3, "share", s.year, &s.source);
            f(
                "bloc_share",
                &b.bloc,
                s.bloc_share,
                "share",
                s.year,
                &s.source,
            );
            f(
                "adversary_share",
                &b.adversary,
                s.adversary_share,
                "share",
                s.year,
                &s.source,
            );
            f(
                "gw_hhi_pv",
                "world",
                s.gw_hhi_pv,
                "sum of squared shares (0-1)",
                s.year,
                &format!("{}+WGI", s.source),
            );
            f(
                "gw_hhi_wgi6",
                "world",
                s.gw_hhi_wgi6,
                "sum of squared shares (0-1)",
                s.year,
                &format!("{}+WGI", s.source),
            );
            if let Some(c) = &s.control {
                f(
                    "control_hhi",
                    "world",
                    c.hhi,
                    "sum of squared shares (0-1)",
                    s.year,
                    &c.source,
                );
                f(
                    "control_bloc_share",
                    &b.bloc,
                    c.bloc_share,
                    "share",
                    s.year,
                    &c.source,
                );
                f(
                    "control_adversary_share",
                    &b.adversary,
                    c.adversary_share,
                    "share",
                    s.year,
                    &c.source,
                );
                f(
                    "control_coverage",
                    "world",
                    c.coverage.identified,
                    "share",
                    s.year,
                    &c.source,
                );
                f(
                    "control_coverage_estimated",
                    "world",
                    c.coverage.estimated,
                    "share",
                    s.year,
                    &c.source,
                );
            }
            if let Some(r) = &s.bloc_reliance {
                if let Some(v) = r.reliance.net_import_reliance {
                    f(
                        "net_import_reliance",
                        &b.bloc,
                        v,
                        "share",
                        s.year,
                        &s.reliance_source,
                    );
                }
                if let Some(v) = r.reliance.self_sufficiency {
                    f(
                        "self_sufficiency",
                        &b.bloc,
                        v,
                        "production / apparent consumption",
                        s.year,
                        &s.reliance_source,
                    );
                }
            }
            for r in &s.member_reliance {
                if let Some(v) = r.reliance.net_import_reliance {
                    f(
                        "net_import_reliance",
                        &r.country,
                        v,
                        "share",
                        s.year,
                        &s.reliance_source,
                    );
                }
            }
            if let Some(r) = &s.reserves {
                f(
                    "reserves_bloc_share",
                    &b.bloc,
                    r.bloc_share,
                    "share",
                    r.year,
                    &r.source,
                );
                f(
                    "reserves_adversary_share",
                    &b.adversary,
                    r.adversary_share,
                    "share",
                    r.year,
                    &r.source,
                );
                for (c, v) in &r.top {
                    f("reserves_share", c, *v, "share", r.year, &r.source);
                }
            }
            if let Some(o) = &s.origin {
                let src = o.source();
                f(
                    "supply_through_adversary",
                    &b.bloc,
                    o.through_adversary,
                    "share",
                    s.year,
                    &src,
                );
                f(
                    "supply_processed_in_adversary",
                    &b.bloc,
                    o.adversary_at_stage,
                    "share",
                    s.year,
                    &src,
                );
                f(
                    "supply_upstream_in_adversary",
                    &b.bloc,
                    o.adversary_upstream,
                    "share",
                    s.year,
                    &src,
                );
                for (c, v) in o.by_origin.iter().take(5) {
                    f("supply_origin_upstream", c, *v, "share", s.year, &src);
                }
            }
        }
        for c in b.claims.iter().filter(|c| c.material == m.material) {
            claim_figures(b, c, &mut out);
        }
        for g in &m.geopolrisk {
            let src = g.sources.join("+");
            for (ind, v) in [
                ("geopolrisk_hhi", g.hhi),
                ("geopolrisk_import_risk", g.import_risk),
                ("geopolrisk_score", g.score),
            ] {
                out.push(Figure {
                    as_of_year: b.year,
                    material: m.material.clone(),
                    stage: "all".into(),
                    year: g.year,
                    indicator: ind,
                    subject: g.importer.clone(),
                    value: v,
                    unit: "GeoPolRisk score",
                    source: src.clone(),
                });
            }
        }
    }
    out
}

/// A checked claim's control share and its coverage, as figures (subject: host→controller).
fn claim_figures(b: &Brief, c: &quadrant_metrics::brief::Claim, out: &mut Vec<Figure>) {
    let year = u16::try_from(c.year).unwrap_or(0);
    let subject = format!("{}→{}", c.host, c.controller);
    for (indicator, value) in [
        ("claim_control_share", c.measured),
        ("claim_coverage", c.coverage.identified),
        ("claim_coverage_estimated", c.coverage.estimated),
    ] {
        out.push(Figure {
            as_of_year: b.year,
            material: c.material.clone(),
            stage: c.stage.as_str().to_string(),
            year,
            indicator,
            subject: subject.clone(),
            value,
            unit: "share",
            source: c.source.clone(),
        });
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Figures as CSV, one row each, with its source.
pub fn figures_csv(figs: &[Figure]) -> String {
    let mut s =
        String::from("as_of_year,material,stage,year,indicator,subject,value,unit,source\n");
    for f in figs {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\n",
            f.as_of_year,
            f.material,
            f.stage,
            f.year,
            f.indicator,
            csv_field(&f.subject),
            f.value,
            f.unit,
            csv_field(&f.source)
        ));
    }
    s
}

/// The brief as pretty JSON.
pub fn brief_json(b: &Brief) -> String {
    serde_json::to_string_pretty(b).expect("brief serialises")
}

/// Several briefs (one per year) as one JSON array.
pub fn briefs_json(b: &[Brief]) -> String {
    serde_json::to_string_pretty(b).expect("briefs serialise")
}

/// The brief as Markdown.
pub fn brief_md(b: &Brief) -> String {
    let mut s = format!(
        "# Dependence brief: {} ({}) against {}, year ≤ {}\n\n",
        b.bloc,
        b.members.join(", "),
        b.adversary,
        b.year
    );
    s.push_str(
        &text::brief_table(b)
            .replace('\n', "  \n")
            .lines()
            .skip(2)
            .map(|l| format!("{l}\n"))
            .collect::<String>(),
    );
    s.push_str("\n## All figures\n\n| material | stage | year | indicator | subject | value | source |\n|---|---|---|---|---|---|---|\n");
    for f in figures(b) {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            f.material,
            f.stage,
            f.year,
            f.indicator,
            f.subject,
            text::fmt_value(f.value, f.unit),
            f.source
        ));
    }
    s
}

/// A GeoPolRisk score as pretty JSON.
pub fn geopolrisk_json(g: &GeoPolRisk) -> String {
    serde_json::to_string_pretty(g).expect("serialises")
}

/// A GeoPolRisk score as CSV (one row per figure).
pub fn geopolrisk_csv(g: &GeoPolRisk) -> String {
    format!(
        "material,commodity,importer,year,hhi,import_risk,score,numerator,total_trade_t,production_t,price,cf,sources\n{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
        g.material,
        csv_field(&g.commodity),
        g.importer,
        g.year,
        g.hhi,
        g.import_risk,
        g.score,
        g.numerator,
        g.total_trade_t,
        g.production_t,
        g.price,
        g.cf,
        g.sources.join("+")
    )
}

/// `text` with every printed negative zero (`-0`, `-0.0`, `-0.0%`) written as zero: a sum
/// over nothing, or a product with a negative factor, yields −0.0 in floating point, which
/// means nothing to a reader and breaks naive equality in a spreadsheet.
pub fn without_negative_zero(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut i = 0;
    while i + 1 < b.len() {
        let starts = b[i] == b'-'
            && b[i + 1] == b'0'
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.'));
        if starts {
            // -0, then optionally a point and only zeros, then no further digit.
            let mut j = i + 2;
            if j < b.len() && b[j] == b'.' {
                j += 1;
                while j < b.len() && b[j] == b'0' {
                    j += 1;
                }
            }
            let digit_follows = j < b.len() && b[j].is_ascii_digit();
            let bare_point = b[j - 1] == b'.';
            if !digit_follows && !bare_point {
                out.push_str(&text[last..i]);
                last = i + 1;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod negative_zero_tests {
    use super::without_negative_zero as z;

    #[test]
    fn negative_zeros_print_as_zero_and_nothing_else_changes() {
        assert_eq!(z("IND -0.0%  JPN 100%"), "IND 0.0%  JPN 100%");
        assert_eq!(z("a,-0,share\n"), "a,0,share\n");
        assert_eq!(z("\"x\": -0.0,\n"), "\"x\": 0.0,\n");
        assert_eq!(z("-0 t"), "0 t");
        for keep in [
            "-0.05",
            "-0.5%",
            "-05",
            "IEA-2025",
            "2025-02-01",
            "x-0",
            "-1.0",
            "-0.",
            "1e-05",
        ] {
            assert_eq!(z(keep), keep);
        }
    }
}
