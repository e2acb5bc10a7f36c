//! Renderers for simulator results: tables (100 columns), CSV. JSON is serde's; the HTML
//! pages are in `simhtml`.

pub use crate::simhtml::{mc_html, sim_html};
use crate::text::pct;
use quadrant_sim::chokepoints::Chokepoint;
use quadrant_sim::montecarlo::McResult;
use quadrant_sim::network::Network;
use quadrant_sim::simulate::{MaterialResult, Shortfall};
use quadrant_sim::SimResult;

/// A simulation's KPIs as a terminal table.
pub fn sim_table(r: &SimResult) -> String {
    let mut s = format!("Scenario: {}\n", r.scenario);
    for m in &r.materials {
        s.push_str(&format!(
            "\n{} · network {} ({}; demand by {}) · {} weeks\n",
            m.material.to_uppercase(),
            m.year,
            m.datasets.join(" + "),
            m.demand_method,
            m.weeks
        ));
        if pooled(m) {
            s.push_str(&format!("  ({POOLED_NOTE})\n"));
        }
        s.push_str("  who        desired demand     shortfall   share  rationed  weeks short  price paid: peak  mean\n");
        s.push_str(&kpi_row(&m.bloc));
        for x in &m.members {
            if pooled(m) {
                s.push_str(&format!(
                    "  {:<9} {:>17} {:>13} {:>6} {:>10} {:>11}  {:>16} {:>5}\n",
                    x.subject, "–", "–", "–", "–", "–", "–", "–"
                ));
            } else {
                s.push_str(&kpi_row(x));
            }
        }
        s.push_str(&kpi_row(&m.world));
        for (st, peak, mean) in &m.prices {
            s.push_str(&format!(
                "  price, {st}: peak ×{peak:.2}, mean ×{mean:.2} of baseline\n"
            ));
        }
        let out: Vec<String> = m
            .bloc_output_change
            .iter()
            .map(|(st, v)| format!("{st} {:+.1}%", v * 100.0))
            .collect();
        s.push_str(&format!(
            "  {} producers' output against baseline: {}\n",
            r.bloc,
            out.join(", ")
        ));
        s.push_str(&format!(
            "  extra spend at the last stage: {:.0} t-equivalent at baseline price\n",
            m.cost_index_t
        ));
        s.push_str(&format!(
            "  largest mass-balance residual of a step: {:.1e} (relative)\n",
            m.max_balance_error
        ));
    }
    s
}

/// What a world-pool material's table says of its rows: its members' demand is not told apart
/// from the pool's, so their rows print "–" (the simulator's 0 t there means "not modelled").
pub(crate) const POOLED_NOTE: &str =
    "No trade data at the last stage: demand is one world pool, so members' own demand is\n   \
     not modelled (–); the bloc's row is the pool's: world tonnes, average shortfall share and\n   \
     prices paid";

/// Whether `m`'s final demand is one world pool, its members' rows not modelled.
pub(crate) fn pooled(m: &MaterialResult) -> bool {
    m.demand_method == quadrant_model::DemandMethod::WorldPool
}

/// One row of the KPI table.
fn kpi_row(x: &Shortfall) -> String {
    format!(
        "  {:<9} {:>15.0} t {:>11.0} t {:>6} {:>8.0} t {:>11}  {:>16} {:>5}\n",
        x.subject,
        x.desired_demand_t,
        x.shortfall_t,
        pct(x.shortfall_share),
        x.rationed_t,
        x.short_weeks,
        format!("×{:.2}", x.peak_price_paid),
        format!("×{:.2}", x.mean_price_paid)
    )
}

/// A simulation's KPIs as CSV, one row per material and subject.
pub fn sim_csv(r: &SimResult) -> String {
    let mut s = String::from("scenario,material,subject,desired_demand_t,shortfall_t,shortfall_share,rationed_t,short_weeks,peak_price_paid,mean_price_paid\n");
    for m in &r.materials {
        for x in std::iter::once(&m.bloc)
            .chain(m.members.iter())
            .chain(std::iter::once(&m.world))
        {
            s.push_str(&format!(
                "\"{}\",{},{},{},{},{},{},{},{},{}\n",
                r.scenario.replace('"', "\"\""),
                m.material,
                x.subject,
                x.desired_demand_t,
                x.shortfall_t,
                x.shortfall_share,
                x.rationed_t,
                x.short_weeks,
                x.peak_price_paid,
                x.mean_price_paid
            ));
        }
    }
    s
}

/// The weekly series as long CSV (material, week, subject, value_kind, value): world price per
/// stage, shortfall per consumer and for the bloc, price paid where it differs from the world
/// price and for the bloc (demand-weighted), output per node and stage, facilities included.
pub fn series_csv(r: &SimResult, nets: &[Network]) -> String {
    let mut s = String::from("material,week,subject,value_kind,value\n");
    for (m, net) in r.materials.iter().zip(nets) {
        let Some(series) = &m.series else { continue };
        for (w, prices) in series.price.iter().enumerate() {
            let mut row = |subject: &str, kind: &str, value: f64| {
                s.push_str(&format!(
                    "{},{},{subject},{kind},{value}\n",
                    m.material,
                    w + 1
                ));
            };
            for (st, pr) in prices.iter().enumerate() {
                row(net.stages[st].stage.as_str(), "price_index", *pr);
            }
            for (i, sh) in series.shortfall[w].iter().enumerate() {
                if *sh > 0.0 {
                    row(&net.countries[i], "shortfall_t", *sh);
                }
            }
            let last = prices.len() - 1;
            for (i, pd) in series.paid[w].iter().enumerate() {
                if net.demand[i] > 0.0 && *pd != prices[last] {
                    row(&net.countries[i], "price_paid_index", *pd);
                }
            }
            for (st, out) in series.production[w].iter().enumerate() {
                let kind = format!("production_t.{}", net.stages[st].stage);
                for (i, q) in out.iter().enumerate() {
                    if *q > 0.0 {
                        row(&net.countries[i], &kind, *q);
                    }
                }
            }
            row(&r.bloc, "shortfall_t", series.bloc_shortfall[w]);
            if let Some(paid) = series.bloc_paid[w] {
                row(&r.bloc, "price_paid_index", paid);
            }
        }
    }
    s
}

/// Monte Carlo statistics as a terminal table.
pub fn mc_table(r: &McResult) -> String {
    let mut s = format!(
        "Monte Carlo: {} · seed {} · {} of {} runs{}\n\n",
        r.scenario,
        r.seed,
        r.runs_done,
        r.runs_requested,
        if r.interrupted {
            " (interrupted; statistics over the finished runs)"
        } else {
            ""
        }
    );
    s.push_str("  material     subject   shortfall share of desired demand over the horizon\n");
    s.push_str("                           mean      P5     P50     P95  CVaR95\n");
    for x in &r.rows {
        let st = &x.shortfall;
        s.push_str(&format!(
            "  {:<12} {:<8} {:>7} {:>7} {:>7} {:>7} {:>7}\n",
            x.material,
            x.subject,
            pct(st.mean),
            pct(st.p5),
            pct(st.p50),
            pct(st.p95),
            pct(st.cvar95)
        ));
    }
    s.push_str("\n  peak price (× baseline)   mean     P50     P95\n");
    for (m, st) in &r.peak_price {
        s.push_str(&format!(
            "  {:<24} {:>6.2} {:>7.2} {:>7.2}\n",
            m, st.mean, st.p50, st.p95
        ));
    }
    s
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn csv_field(v: &str) -> String {
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

/// One row of a Monte Carlo's results, the same in JSON and CSV: the run context (so that a
/// partial, interrupted result says so on every row), then one material's and subject's
/// shortfall statistics and the material's peak-price statistics.
#[derive(Debug, Clone, serde::Serialize)]
pub struct McRecord<'a> {
    /// Scenario name.
    pub scenario: &'a str,
    /// Seed of every draw.
    pub seed: u64,
    /// Runs asked for.
    pub runs_requested: usize,
    /// Runs finished.
    pub runs_done: usize,
    /// Whether the Monte Carlo was stopped before every run finished.
    pub interrupted: bool,
    /// Material id.
    pub material: &'a str,
    /// The bloc or a member.
    pub subject: &'a str,
    /// Mean shortfall, share of desired demand over the horizon.
    pub shortfall_share_mean: f64,
    /// 5th percentile of the shortfall share.
    pub shortfall_share_p5: f64,
    /// Median shortfall share.
    pub shortfall_share_p50: f64,
    /// 95th percentile of the shortfall share.
    pub shortfall_share_p95: f64,
    /// Mean of the worst 5% of runs' shortfall shares.
    pub shortfall_share_cvar95: f64,
    /// Mean peak world price of the material, × its baseline.
    pub peak_price_vs_baseline_mean: f64,
    /// Median peak price, × baseline.
    pub peak_price_vs_baseline_p50: f64,
    /// 95th percentile of the peak price, × baseline.
    pub peak_price_vs_baseline_p95: f64,
}

/// A Monte Carlo's results as tidy records (JSON and CSV read the same fields).
pub fn mc_records(r: &McResult) -> Vec<McRecord<'_>> {
    r.rows
        .iter()
        .map(|x| {
            let peak = r
                .peak_price
                .iter()
                .find(|(m, _)| *m == x.material)
                .map(|(_, st)| st);
            let st = &x.shortfall;
            McRecord {
                scenario: &r.scenario,
                seed: r.seed,
                runs_requested: r.runs_requested,
                runs_done: r.runs_done,
                interrupted: r.interrupted,
                material: &x.material,
                subject: &x.subject,
                shortfall_share_mean: st.mean,
                shortfall_share_p5: st.p5,
                shortfall_share_p50: st.p50,
                shortfall_share_p95: st.p95,
                shortfall_share_cvar95: st.cvar95,
                peak_price_vs_baseline_mean: peak.map_or(f64::NAN, |p| p.mean),
                peak_price_vs_baseline_p50: peak.map_or(f64::NAN, |p| p.p50),
                peak_price_vs_baseline_p95: peak.map_or(f64::NAN, |p| p.p95),
            }
        })
        .collect()
}

/// Monte Carlo results as JSON: an array of [`McRecord`]s (readable by `pandas.read_json`).
pub fn mc_json(r: &McResult) -> String {
    serde_json::to_string_pretty(&mc_records(r)).expect("records serialise") + "\n"
}

/// Monte Carlo results as CSV, one [`McRecord`] per row.
pub fn mc_csv(r: &McResult) -> String {
    let mut s = String::from(
        "scenario,seed,runs_requested,runs_done,interrupted,material,subject,shortfall_share_mean,shortfall_share_p5,shortfall_share_p50,shortfall_share_p95,shortfall_share_cvar95,peak_price_vs_baseline_mean,peak_price_vs_baseline_p50,peak_price_vs_baseline_p95\n",
    );
    for x in mc_records(r) {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            csv_field(x.scenario),
            x.seed,
            x.runs_requested,
            x.runs_done,
            x.interrupted,
            x.material,
            x.subject,
            x.shortfall_share_mean,
            x.shortfall_share_p5,
            x.shortfall_share_p50,
            x.shortfall_share_p95,
            x.shortfall_share_cvar95,
            x.peak_price_vs_baseline_mean,
            x.peak_price_vs_baseline_p50,
            x.peak_price_vs_baseline_p95
        ));
    }
    s
}

/// The chokepoint ranking as a terminal table.
pub fn chokepoints_table(material: &str, bloc: &str, weeks: usize, v: &[Chokepoint]) -> String {
    let mut s = format!("Chokepoints for {bloc} in {material}: a {weeks}-week full outage of one (country, stage) or one facility\n\n");
    s.push_str("  rank  country  stage      world share  bloc shortfall  peak price  facility\n");
    for (i, c) in v.iter().enumerate() {
        s.push_str(
            format!(
                "  {:>4}  {:<7}  {:<9}  {:>11}  {:>14}  {:>9.2}×  {}\n",
                i + 1,
                c.country,
                c.stage,
                pct(c.world_share),
                pct(c.bloc_shortfall_share),
                c.peak_price_vs_baseline,
                c.facility.as_deref().unwrap_or("(whole country)")
            )
            .as_str(),
        );
    }
    s
}

/// The chokepoint ranking as CSV.
pub fn chokepoints_csv(material: &str, v: &[Chokepoint]) -> String {
    let mut s = String::from(
        "material,rank,country,facility,stage,world_share,bloc_shortfall_share,peak_price_vs_baseline\n",
    );
    for (i, c) in v.iter().enumerate() {
        s.push_str(&format!(
            "{},{},{},\"{}\",{},{},{},{}\n",
            material,
            i + 1,
            c.country,
            c.facility.as_deref().unwrap_or("").replace('"', "\"\""),
            c.stage,
            c.world_share,
            c.bloc_shortfall_share,
            c.peak_price_vs_baseline
        ));
    }
    s
}

/// Price bands as lines under the simulation table.
pub fn bands_text(b: &quadrant_sim::api::PriceBands) -> String {
    let mut s = format!(
        "\nPrice uncertainty: the run under {} bootstrap fits of the price response (λ, ρ, θ)\n",
        b.responses.len()
    );
    for m in &b.materials {
        for (st, (lo, hi)) in m.stages.iter().zip(&m.peak) {
            s.push_str(&format!(
                "  {} {st}: peak price ×{lo:.2} to ×{hi:.2} (P10-P90)\n",
                m.material
            ));
        }
    }
    s
}

/// Price bands as weekly series rows (`price_index_p10`, `price_index_p90`), in the series
/// CSV's columns, without its header.
pub fn bands_csv_rows(b: &quadrant_sim::api::PriceBands) -> String {
    let mut s = String::new();
    for m in &b.materials {
        for (w, stages) in m.weekly.iter().enumerate() {
            for (st, (lo, hi)) in m.stages.iter().zip(stages) {
                s.push_str(&format!(
                    "{},{},{st},price_index_p10,{lo}\n",
                    m.material,
                    w + 1
                ));
                s.push_str(&format!(
                    "{},{},{st},price_index_p90,{hi}\n",
                    m.material,
                    w + 1
                ));
            }
        }
    }
    s
}
