//! Checks of the planner's inputs: every project has what the planner needs (content
//! capacity, capex, lead time, feed) with a basis where a value is derived, and every
//! financier's budget, cost of capital and mandate are well formed.

use super::Sink;
use crate::curated::{Financier, Project, ANY};
use crate::{Dataset, Stage};
use std::collections::HashSet;

const PROJECTS: (&str, &str) = ("projects.toml", "project");
const FINANCIERS: (&str, &str) = ("financiers.toml", "financier");

fn finite_pos(v: Option<f64>) -> bool {
    v.is_some_and(|v| v.is_finite() && v > 0.0)
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// `project_inputs`: content capacity and its conversion, capex (published, or derived with a
/// `capex_basis`), lead time (published, or a `lead_basis` when `start_year` is absent), feed
/// for refining and components, a basis for any opex, and known feed and offtake ids.
pub(super) fn project_inputs(ds: &Dataset, s: &mut Sink) {
    let feeds: HashSet<&str> = ds
        .curated
        .assets
        .iter()
        .map(|a| a.id.as_str())
        .chain(ds.curated.projects.iter().map(|p| p.id.as_str()))
        .chain(ds.lithium_deposits.iter().map(|d| d.id.as_str()))
        .collect();
    for p in &ds.curated.projects {
        for (field, exp, found) in project_problems(p) {
            s.toml(
                "project_inputs",
                PROJECTS.0,
                PROJECTS.1,
                &p.id,
                field,
                exp,
                found,
            );
        }
        for f in p
            .feed
            .iter()
            .filter(|f| ds.country(f).is_none() && !feeds.contains(f.as_str()))
        {
            let exp = "a country id from countries.csv, or an asset, project or deposit id";
            s.toml(
                "project_inputs",
                PROJECTS.0,
                PROJECTS.1,
                &p.id,
                "feed",
                exp,
                f.clone(),
            );
        }
        for o in p.offtake.iter().filter(|o| ds.country(o).is_none()) {
            let exp = "a country id from countries.csv";
            s.toml(
                "project_inputs",
                PROJECTS.0,
                PROJECTS.1,
                &p.id,
                "offtake",
                exp,
                o.clone(),
            );
        }
    }
}

/// The (field, expected, found) problems of one project, in field order.
fn project_problems(p: &Project) -> Vec<(&'static str, &'static str, String)> {
    let mut out = Vec::new();
    let show = |v: Option<f64>| v.map_or_else(|| "nothing".to_string(), |v| v.to_string());
    if !finite_pos(p.content_capacity_t) {
        out.push((
            "content_capacity_t",
            "a positive number of t of content per year",
            show(p.content_capacity_t),
        ));
    }
    if blank(&p.content_basis) {
        out.push((
            "content_basis",
            "how the content capacity follows from the capacity (e.g. LiOH·H2O × 0.1654)",
            String::new(),
        ));
    }
    if !finite_pos(p.capex_usd_million) {
        out.push((
            "capex_usd_million",
            "a positive capital cost in million USD (published, or derived with capex_basis)",
            show(p.capex_usd_million),
        ));
    }
    if !finite_pos(p.lead_time_years) {
        out.push((
            "lead_time_years",
            "a positive construction lead time in years",
            show(p.lead_time_years),
        ));
    }
    if p.opex_usd_per_t.is_some() && blank(&p.opex_basis) {
        out.push((
            "opex_basis",
            "what the opex is (product, year) or how it was derived",
            String::new(),
        ));
    }
    if let Some(o) = p.opex_usd_per_t.filter(|o| !(o.is_finite() && *o > 0.0)) {
        out.push((
            "opex_usd_per_t",
            "a positive number or nothing",
            o.to_string(),
        ));
    }
    if p.stage != Stage::Mining && p.feed.is_empty() {
        out.push((
            "feed",
            "the countries (ISO3) or mine ids a refinery or plant draws its feed from",
            "[]".to_string(),
        ));
    }
    out
}

/// `financier_mandate`: a budget has a basis (and a missing budget says why), the budget years
/// are in order, instruments are named, the cost of capital is a fraction with a basis, and
/// eligible hosts, stages and materials are known ids or `*`.
pub(super) fn financier_mandate(ds: &Dataset, s: &mut Sink) {
    for f in &ds.curated.financiers {
        for (field, exp, found) in financier_problems(ds, f) {
            s.toml(
                "financier_mandate",
                FINANCIERS.0,
                FINANCIERS.1,
                &f.id,
                field,
                exp,
                found,
            );
        }
    }
}

fn financier_problems(ds: &Dataset, f: &Financier) -> Vec<(&'static str, &'static str, String)> {
    let mut out = Vec::new();
    if let Some(b) = f
        .budget_usd_million_per_year
        .filter(|b| !(b.is_finite() && *b >= 0.0))
    {
        out.push((
            "budget_usd_million_per_year",
            "a non-negative number",
            b.to_string(),
        ));
    }
    if blank(&f.budget_basis) {
        out.push((
            "budget_basis",
            "the published annual budget, or its derivation (or why there is none)",
            String::new(),
        ));
    }
    if let (Some(a), Some(b)) = (f.budget_from, f.budget_to) {
        if a > b {
            out.push(("budget_to", "a year at or after budget_from", b.to_string()));
        }
    }
    if f.instruments.is_empty() {
        out.push((
            "instruments",
            "one or more of equity, loan, guarantee, offtake, grant",
            "[]".into(),
        ));
    }
    match f.cost_of_capital {
        Some(c) if !(0.0..=0.5).contains(&c) => out.push((
            "cost_of_capital",
            "a fraction per year in [0, 0.5]",
            c.to_string(),
        )),
        Some(_) if blank(&f.cost_of_capital_basis) => out.push((
            "cost_of_capital_basis",
            "how the cost of capital was set (benchmark yield plus spread)",
            String::new(),
        )),
        None => out.push(("cost_of_capital", "a fraction per year", "nothing".into())),
        _ => {}
    }
    if !f.home_country_only && f.eligible_hosts.is_empty() {
        out.push(("eligible_hosts", "country ids, or [\"*\"]", "[]".into()));
    }
    for h in f.eligible_hosts.iter().chain(&f.excluded_hosts) {
        if h != ANY && ds.country(h).is_none() {
            out.push((
                "eligible_hosts",
                "country ids from countries.csv, or \"*\"",
                h.clone(),
            ));
        }
    }
    if f.eligible_stages.is_empty() {
        out.push((
            "eligible_stages",
            "mining, refining, components, or \"*\"",
            "[]".into(),
        ));
    }
    for st in f
        .eligible_stages
        .iter()
        .filter(|x| *x != ANY && Stage::parse(x).is_none())
    {
        out.push((
            "eligible_stages",
            "mining, refining, components, or \"*\"",
            st.clone(),
        ));
    }
    if f.eligible_materials.is_empty() {
        out.push((
            "eligible_materials",
            "material ids, or [\"*\"]",
            "[]".into(),
        ));
    }
    for m in f
        .eligible_materials
        .iter()
        .filter(|x| *x != ANY && ds.material(x).is_none())
    {
        out.push((
            "eligible_materials",
            "material ids from materials.csv, or \"*\"",
            m.clone(),
        ));
    }
    out
}
