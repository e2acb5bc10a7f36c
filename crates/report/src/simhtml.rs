//! A simulation and a Monte Carlo as printable HTML pages: key findings first, then the events
//! with their dates, the charts (dated time axis, shaded event windows, dashed baseline;
//! P5–P95 bands and histograms), the tables and the full citations. Names, dates and
//! citations are the results'.

use crate::dist::{self, BAND, CVAR, MEAN, MEDIAN};
use crate::html::{esc, lower_first, src};
use crate::page::{page, sources_section};
use crate::sim::{pooled, POOLED_NOTE};
use crate::svg::{line_chart, swatch, LineChart, Series, Window, XAxis, BLOC, COLOURS, PERCENT};
use crate::svg::{thousands, PLAIN, W};
use crate::text::pct;
use quadrant_sim::calendar::{pretty, ticks, EventWindow};
use quadrant_sim::montecarlo::McResult;
use quadrant_sim::simulate::Shortfall;
use quadrant_sim::{MaterialResult, SimResult};

/// An event in words: what, by or at whom, how much.
fn event_text(e: &EventWindow) -> String {
    let at = esc(&e.actor_name);
    let stage = e.stage.as_deref().unwrap_or("");
    match e.kind {
        "export_restriction" if e.size == 0.0 => format!("Export ban by {at} ({stage})"),
        "export_restriction" => format!(
            "Export quota by {at} ({stage}), {} of baseline exports",
            pct(e.size)
        ),
        "capacity_loss" => format!("{} of {stage} capacity lost at {at}", pct(e.size)),
        "capacity_expansion" => format!(
            "New {stage} capacity of {} t a year at {at}",
            thousands(e.size, 0)
        ),
        "demand_shift" => format!("Demand × {} in {at}", e.size),
        "dumping" => format!(
            "Dumping by {at} ({stage}) at {} below the market",
            pct(e.size)
        ),
        other => format!("{other} ({at})"),
    }
}

/// The numbered list of a material's events with their dates.
fn events_list(m: &MaterialResult) -> String {
    if m.events.is_empty() {
        return "<p class=\"none\">No event strikes this material: the run shows the \
                scenario's policies and trend alone.</p>"
            .to_string();
    }
    let mut s = String::from("<ol class=\"events\">");
    for e in &m.events {
        let announced = if e.announced_week < e.start_week {
            format!(
                "; announced in the week of {}",
                pretty(&quadrant_sim::calendar::date_of_week(
                    &m.start_date,
                    e.announced_week as f64
                ))
            )
        } else {
            String::new()
        };
        let until = if e.kind == "capacity_expansion" {
            format!("ramping up to the week of {}", pretty(&e.end_date))
        } else if e.end_week >= m.weeks {
            "to the end of the run".to_string()
        } else {
            format!("to the week of {}", pretty(&e.end_date))
        };
        // Weeks as the scenario file counts them (week 0 first).
        s.push_str(&format!(
            "<li>{}: from the week of {} {until} (weeks {}–{}){announced}</li>",
            event_text(e),
            pretty(&e.start_date),
            e.start_week,
            e.last_week
        ));
    }
    s.push_str("</ol>");
    s
}

/// The key findings of one material, read from its results.
fn findings(r: &SimResult, m: &MaterialResult) -> String {
    let what = esc(&lower_first(&m.name));
    let b = &m.bloc;
    let mut s = format!(
        "<li>{}: <b>{} t</b> of {what} short over {} weeks, <b>{}</b> of its desired demand; \
         short in {} weeks.{}</li>",
        esc(&b.name),
        thousands(b.shortfall_t, 0),
        m.weeks,
        pct(b.shortfall_share),
        b.short_weeks,
        src(&m.datasets.join("+"))
    );
    for (st, peak, mean) in &m.prices {
        s.push_str(&format!(
            "<li>World {what} price at the {st} stage: peak <b>×{peak:.2}</b> the baseline, mean ×{mean:.2}.</li>"
        ));
    }
    s.push_str(&format!(
        "<li>{} paid at most ×{:.2} the baseline price at the last stage (×{:.2} on average); \
         the world ran {} short.</li>",
        esc(&b.name),
        b.peak_price_paid,
        b.mean_price_paid,
        pct(m.world.shortfall_share)
    ));
    let out: Vec<String> = m
        .bloc_output_change
        .iter()
        .map(|(st, v)| format!("{st} {:+.1}%", v * 100.0))
        .collect();
    s.push_str(&format!(
        "<li>{}'s own producers' output against the baseline: {}.</li>",
        esc(&r.bloc_name),
        out.join(", ")
    ));
    s
}

/// A chart, or the sentence that replaces it when it would show nothing.
fn chart_or(chart: Option<String>, sentence: &str) -> String {
    chart.unwrap_or_else(|| format!("<p class=\"none\">{}</p>", esc(sentence)))
}

/// The weekly charts of one material.
fn charts(m: &MaterialResult) -> String {
    let Some(sr) = &m.series else {
        return String::new();
    };
    let what = lower_first(&m.name);
    let ticks = ticks(&m.start_date, m.weeks);
    let windows: Vec<Window> = m
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.shock && e.end_week > e.start_week)
        .map(|(k, e)| Window {
            from: e.start_week as f64,
            to: e.end_week as f64,
            label: format!("{}", k + 1),
        })
        .collect();
    let x_title = format!("week starting (week 0 = {})", pretty(&m.start_date));
    let weekly = |v: Vec<f64>| -> Vec<(f64, f64)> {
        v.into_iter()
            .enumerate()
            .map(|(w, y)| (w as f64, y))
            .collect()
    };
    let chart = |title: String, y_title: &str, series: Vec<Series>, price: bool| {
        line_chart(&LineChart {
            title: &title,
            width: W,
            y_title,
            x_title: &x_title,
            x: XAxis::Dates(ticks.clone()),
            units: PLAIN,
            series,
            from_zero: !price,
            baseline: price.then_some((1.0, "baseline ×1")),
            windows: windows.clone(),
        })
    };
    let prices: Vec<Series> = m
        .prices
        .iter()
        .enumerate()
        .map(|(k, (st, _, _))| Series {
            label: format!("world price, {st}"),
            colour: COLOURS[k % COLOURS.len()],
            points: weekly(sr.price.iter().map(|p| p[k]).collect()),
            dashed: false,
            markers: false,
        })
        .collect();
    let mut s = chart_or(
        chart(
            format!("{}: world price", m.name),
            "price, × baseline",
            prices,
            true,
        ),
        &format!("The world {what} price stayed at its baseline throughout."),
    );
    // The bloc's total and each member's weekly shortfall.
    let member = |k: usize, id: &str| m.countries.iter().position(|c| c == id).map(|i| (k, i));
    let mut short = vec![Series {
        label: format!("{} (total)", m.bloc.name),
        colour: BLOC,
        points: weekly(sr.bloc_shortfall.clone()),
        dashed: false,
        markers: false,
    }];
    let idx: Vec<(usize, usize)> = m
        .members
        .iter()
        .enumerate()
        .filter_map(|(k, x)| member(k, &x.subject))
        // A world pool's members have no series of their own (their nodes buy nothing).
        .filter(|_| !pooled(m))
        .collect();
    for &(k, i) in &idx {
        short.push(Series {
            label: m.members[k].name.clone(),
            colour: COLOURS[k % COLOURS.len()],
            points: weekly(sr.shortfall.iter().map(|v| v[i]).collect()),
            dashed: false,
            markers: false,
        });
    }
    s.push_str(&chart_or(
        chart(
            format!("{}: weekly shortfall", m.name),
            "shortfall, t per week",
            short,
            false,
        ),
        &format!(
            "Neither {} nor any of its members ran short of {what} in any week.",
            m.bloc.name
        ),
    ));
    let last = m.prices.len().saturating_sub(1);
    let mut paid = vec![Series {
        label: "world price".into(),
        colour: "#555555",
        points: weekly(sr.price.iter().map(|p| p[last]).collect()),
        dashed: true,
        markers: false,
    }];
    for &(k, i) in &idx {
        paid.push(Series {
            label: m.members[k].name.clone(),
            colour: COLOURS[k % COLOURS.len()],
            points: weekly(sr.paid.iter().map(|v| v[i]).collect()),
            dashed: false,
            markers: false,
        });
    }
    s.push_str(&chart_or(
        chart(
            format!("{}: price paid by members at the last stage", m.name),
            "price paid, × baseline",
            paid,
            true,
        ),
        &format!("Every member paid the baseline {what} price throughout."),
    ));
    s
}

/// The KPI table of one material; a world-pool material's members print "–" (not modelled).
fn kpi_table(m: &MaterialResult) -> String {
    let mut s = String::from(
        "<table><tr><th>who</th><th class=\"n\">desired demand (t)</th><th class=\"n\">shortfall (t)</th>\
         <th class=\"n\">share</th><th class=\"n\">rationed (t)</th><th class=\"n\">weeks short</th>\
         <th class=\"n\">peak price paid</th><th class=\"n\">mean price paid</th></tr>",
    );
    s.push_str(&kpi_row(&m.bloc));
    for x in &m.members {
        if pooled(m) {
            s.push_str(&format!(
                "<tr><td>{}</td>{}</tr>",
                esc(&x.name),
                "<td class=\"n\">–</td>".repeat(7)
            ));
        } else {
            s.push_str(&kpi_row(x));
        }
    }
    s.push_str(&kpi_row(&m.world));
    s.push_str("</table>");
    if pooled(m) {
        s.push_str(&format!(
            "<p class=\"none\">{}.</p>",
            esc(&POOLED_NOTE.replace("\n   ", " "))
        ));
    }
    s
}

/// One row of the KPI table.
fn kpi_row(x: &Shortfall) -> String {
    format!(
        "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
         <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">×{:.2}</td><td class=\"n\">×{:.2}</td></tr>",
        esc(&x.name),
        thousands(x.desired_demand_t, 0),
        thousands(x.shortfall_t, 0),
        pct(x.shortfall_share),
        thousands(x.rationed_t, 0),
        x.short_weeks,
        x.peak_price_paid,
        x.mean_price_paid
    )
}

/// One self-contained, printable page: key findings, events, weekly charts, KPI tables and
/// the full citations.
pub fn sim_html(r: &SimResult) -> String {
    let mut body = format!("<h1>{}</h1>", esc(&r.scenario));
    if let Some(m) = r.materials.first() {
        body.push_str(&format!(
            "<p class=\"sub\">{} · {} weeks from the week of {} · networks of {} data</p>",
            esc(&r.bloc_name),
            m.weeks,
            pretty(&m.start_date),
            m.year
        ));
    }
    if !r.description.is_empty() {
        body.push_str(&format!("<p>{}</p>", esc(&r.description)));
    }
    body.push_str("<section><h2>Key findings</h2><ol class=\"findings\">");
    for m in &r.materials {
        body.push_str(&findings(r, m));
    }
    body.push_str("</ol></section>");
    // The first material follows the findings; each further one starts a page.
    for (k, m) in r.materials.iter().enumerate() {
        body.push_str(&format!(
            "<section{}><h2>{} <small>network {} · demand by {}</small></h2>\
             <h3>Events</h3>{}",
            if k == 0 { "" } else { " class=\"major\"" },
            esc(&m.name),
            m.year,
            m.demand_method,
            events_list(m)
        ));
        body.push_str(&charts(m));
        body.push_str(&format!(
            "<h3>Shortfall and prices paid, {} weeks</h3>{}</section>",
            m.weeks,
            kpi_table(m)
        ));
    }
    body.push_str(&sources_section(&r.sources, false));
    page(&format!("Quadrant simulation: {}", r.scenario), &body)
}

/// The legend of the distribution charts.
fn dist_legend() -> String {
    format!(
        "<div class=\"legend\">{}{}{}{}</div>",
        swatch(BAND, "P5–P95 of the runs"),
        swatch(MEDIAN, "median (P50)"),
        swatch(MEAN, "mean"),
        swatch(CVAR, "CVaR95: mean of the worst 5% of runs")
    )
}

/// A Monte Carlo as one self-contained, printable page: key findings, each material's
/// distributions (bands per subject, the histogram of the bloc's runs, peak prices), the
/// statistics table and the citations.
pub fn mc_html(r: &McResult) -> String {
    let mut body = format!(
        "<h1>Monte Carlo: {}</h1><p class=\"sub\">{} of {} runs · seed {}{}</p>",
        esc(&r.scenario),
        r.runs_done,
        r.runs_requested,
        r.seed,
        if r.interrupted {
            " · interrupted: statistics over the finished runs"
        } else {
            ""
        }
    );
    body.push_str("<section><h2>Key findings</h2><ol class=\"findings\">");
    for (material, peak) in &r.peak_price {
        let rows: Vec<_> = r.rows.iter().filter(|x| &x.material == material).collect();
        let Some(bloc) = rows.first() else { continue };
        let st = &bloc.shortfall;
        body.push_str(&format!(
            "<li>{}: {} short by <b>{}</b> of desired demand in the mean future, <b>{}</b> at \
             P95 and <b>{}</b> in the worst 5% of futures (CVaR95).</li>\
             <li>Peak world {} price: median ×{:.2} the baseline, ×{:.2} at P95.</li>",
            esc(&bloc.material_name),
            esc(&bloc.name),
            pct(st.mean),
            pct(st.p95),
            pct(st.cvar95),
            esc(&lower_first(&bloc.material_name)),
            peak.p50,
            peak.p95
        ));
    }
    body.push_str("</ol></section>");
    for (material, peak) in &r.peak_price {
        let rows: Vec<_> = r.rows.iter().filter(|x| &x.material == material).collect();
        let Some(bloc) = rows.first() else { continue };
        let name = &bloc.material_name;
        // Sections follow one another; no chart is split across pages.
        // The heading, the legend and the first chart stay on one page.
        body.push_str(&format!(
            "<section><div class=\"stage\"><h2>{}</h2>{}",
            esc(name),
            dist_legend()
        ));
        let bands: Vec<(String, _)> = rows
            .iter()
            .map(|x| (x.name.clone(), &x.shortfall))
            .collect();
        body.push_str(&chart_or(
            dist::bands(
                &format!("{name}: shortfall across the runs"),
                "shortfall, % of desired demand over the horizon",
                PERCENT,
                &bands,
            ),
            &format!(
                "No run left the bloc or any member short of {}.",
                lower_first(name)
            ),
        ));
        body.push_str("</div>");
        body.push_str(&chart_or(
            dist::histogram(
                &format!("{name}: {}'s shortfall, runs by size", bloc.name),
                "shortfall, % of desired demand over the horizon",
                PERCENT,
                &bloc.histogram,
                &bloc.shortfall,
            ),
            &format!("{} ran short in none of the runs.", bloc.name),
        ));
        body.push_str(&chart_or(
            dist::bands(
                &format!("{name}: peak world price across the runs"),
                "peak price, × baseline",
                PLAIN,
                &[("world".to_string(), peak)],
            ),
            "The price never left its baseline.",
        ));
        body.push_str(
            "<table><tr><th>who</th><th class=\"n\">mean</th><th class=\"n\">P5</th>\
             <th class=\"n\">P50</th><th class=\"n\">P95</th><th class=\"n\">CVaR95</th></tr>",
        );
        for x in &rows {
            let st = &x.shortfall;
            body.push_str(&format!(
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(&x.name),
                pct(st.mean),
                pct(st.p5),
                pct(st.p50),
                pct(st.p95),
                pct(st.cvar95)
            ));
        }
        body.push_str("</table></section>");
    }
    body.push_str(&sources_section(&r.sources, false));
    page(&format!("Quadrant Monte Carlo: {}", r.scenario), &body)
}
