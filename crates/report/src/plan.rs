//! A plan run ([`PlanReport`]) as a terminal table, tidy CSV, JSON or one HTML page. All four
//! read the same record; nothing is computed here.

use quadrant_plan::run::PlanReport;
use std::fmt::Write;

/// Pretty JSON of the whole record.
pub fn plan_json(r: &PlanReport) -> String {
    serde_json::to_string_pretty(r).expect("a plan report serialises") + "\n"
}

fn money(x: f64) -> String {
    if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

fn tonnes(x: f64) -> String {
    if x.abs() >= 1000.0 {
        format!("{:.1} kt", x / 1000.0)
    } else {
        format!("{x:.0} t")
    }
}

/// Aligned text for a terminal.
pub fn plan_table(r: &PlanReport) -> String {
    let mut o = String::new();
    let p = &r.plan;
    let _ = writeln!(o, "Plan: {}", r.name);
    let _ = writeln!(o, "{}", "=".repeat(r.name.len() + 6));
    if !r.summary.is_empty() {
        let _ = writeln!(o, "{}\n", r.summary);
    }
    let _ = writeln!(
        o,
        "Bloc {} · {} futures of {} (seed {}) · {}–{} · {} candidates · solver {} ({}, gap {:.1e})",
        r.bloc,
        r.futures,
        r.scenario,
        r.seed,
        r.first_year,
        r.first_year + r.horizon_years as i32 - 1,
        r.candidates,
        p.solver,
        p.status,
        p.mip_gap
    );
    let _ = writeln!(
        o,
        "Risk (as optimised) {} a year without projects → {} with the plan; cost {} USD m/yr (annualised)\n",
        tonnes(r.risk_without_projects_t),
        tonnes(p.risk_optimised),
        money(p.cost_usd_m_per_year)
    );
    portfolio_table(&mut o, r);
    funding_table(&mut o, r);
    risk_table(&mut o, r);
    comparisons(&mut o, r);
    verify_table(&mut o, r);
    if !r.notes.is_empty() {
        let _ = writeln!(o, "Notes");
        for n in &r.notes {
            let _ = writeln!(o, "  - {n}");
        }
    }
    let _ = writeln!(
        o,
        "\nSources: candidates from curated/projects.toml and lithium_deposits.csv, financiers from curated/financiers.toml (`quadrant source` for the datasets); futures from the simulator."
    );
    o
}

fn portfolio_table(o: &mut String, r: &PlanReport) {
    let _ = writeln!(o, "Portfolio ({} projects)", r.portfolio.len());
    if r.portfolio.is_empty() {
        let _ = writeln!(o, "  (nothing is worth building at this risk weight)\n");
        return;
    }
    let _ = writeln!(
        o,
        "  {:<30} {:<4} {:<9} {:>9} {:>9} {:>6} {:>6}  ethics",
        "project", "host", "stage", "t/yr", "capex $m", "start", "output"
    );
    for x in &r.portfolio {
        let eth = match (x.flagged, x.audited) {
            (true, _) => "flagged",
            (false, true) => "audited",
            (false, false) => "-",
        };
        let _ = writeln!(
            o,
            "  {:<30} {:<4} {:<9} {:>9.0} {:>9} {:>6} {:>6}  {}",
            clip(&x.id, 30),
            x.host,
            x.stage,
            x.capacity_t,
            money(x.capex_usd_m),
            x.start_year,
            x.first_output_year,
            eth
        );
    }
    let _ = writeln!(o);
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

fn funding_table(o: &mut String, r: &PlanReport) {
    let _ = writeln!(o, "Funding matrix (USD m)");
    if r.funding.is_empty() {
        let _ = writeln!(o, "  (none)\n");
    }
    for f in &r.funding {
        let _ = writeln!(
            o,
            "  {:<14} → {:<30} {:<10} {:>9}",
            f.financier,
            clip(&f.candidate, 30),
            f.instrument,
            money(f.usd_m)
        );
    }
    let _ = writeln!(
        o,
        "\nMarginal value of one more USD m a year (objective USD m saved per USD m)"
    );
    let binding: Vec<&(String, f64)> = r
        .marginal_values
        .iter()
        .filter(|(_, v)| v.abs() > 1e-9)
        .collect();
    for (f, v) in &binding {
        let _ = writeln!(o, "  {f:<14} {v:>8.3}");
    }
    let rest = r.marginal_values.len() - binding.len();
    if rest > 0 {
        let _ = writeln!(
            o,
            "  0 at the other {rest} financiers: their budgets do not bind"
        );
    }
    let _ = writeln!(o);
}

fn risk_table(o: &mut String, r: &PlanReport) {
    let _ = writeln!(
        o,
        "Risk with the plan (shortfall a year across the futures)"
    );
    let _ = writeln!(o, "  {:<14} {:>12} {:>12}", "scope", "expected", "CVaR");
    for x in &r.plan.risk {
        let _ = writeln!(
            o,
            "  {:<14} {:>12} {:>12}  (α {:.2})",
            x.scope,
            tonnes(x.expected_shortfall_t),
            tonnes(x.cvar_t),
            x.alpha
        );
    }
    let _ = writeln!(o);
}

fn comparisons(o: &mut String, r: &PlanReport) {
    if let Some(e) = &r.ethics {
        let _ = writeln!(
            o,
            "The price of ethics (the same plan without the ethics constraints)"
        );
        let _ = writeln!(
            o,
            "  cost {} → {} USD m/yr without; risk {} → {} without; objective gap {} USD m/yr",
            money(e.cost_with_usd_m),
            money(e.cost_without_usd_m),
            tonnes(e.risk_with_t),
            tonnes(e.risk_without_t),
            money(e.objective_gap)
        );
        let _ = writeln!(
            o,
            "  portfolio without: {}\n",
            e.portfolio_without.join(", ")
        );
    }
    if let Some(c) = &r.coordination {
        let _ = writeln!(
            o,
            "The value of coordination (pooled plan against national plans)"
        );
        let _ = writeln!(
            o,
            "  objective gain {} USD m/yr · cost pooled {} vs national {} USD m/yr · risk pooled {} vs national {}",
            money(c.value),
            money(c.pooled_cost_usd_m),
            money(c.national_cost_usd_m),
            tonnes(c.pooled_risk_t),
            tonnes(c.national_risk_t)
        );
        let _ = writeln!(
            o,
            "  {:<6} {:>14} {:>14} {:>14} {:>14}",
            "member", "risk national", "risk pooled", "cost national", "cost pooled"
        );
        for m in &c.per_member {
            let _ = writeln!(
                o,
                "  {:<6} {:>14} {:>14} {:>14} {:>14}",
                m.member.0,
                tonnes(m.risk_national_t),
                tonnes(m.risk_pooled_t),
                money(m.cost_national_usd_m),
                money(m.cost_pooled_usd_m)
            );
        }
        for (m, ids) in &c.national_portfolios {
            let list = if ids.is_empty() {
                "-".to_string()
            } else {
                ids.join(", ")
            };
            let _ = writeln!(o, "  {m} alone builds: {list}");
        }
        let _ = writeln!(o);
    }
    if !r.frontier.is_empty() {
        let _ = writeln!(
            o,
            "Risk–cost frontier (least annualised cost for each risk target)"
        );
        for f in &r.frontier {
            let cost = f.cost_usd_m_per_year.map_or("infeasible".into(), money);
            let _ = writeln!(
                o,
                "  risk ≤ {:>10}   cost {:>10} USD m/yr",
                tonnes(f.target),
                cost
            );
        }
        let _ = writeln!(o);
    }
}

fn verify_table(o: &mut String, r: &PlanReport) {
    if r.verify.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "Verified by the simulator (the same {} futures; mean shortfall a year, t)",
        r.futures
    );
    let _ = writeln!(
        o,
        "  {:<10} {:>12} {:>12} {:>12} {:>12} {:>10} {:>10} {:>7}",
        "material", "plan w/o", "plan with", "sim w/o", "sim with", "P95 w/o", "P95 with", "worse"
    );
    for v in &r.verify {
        let _ = writeln!(
            o,
            "  {:<10} {:>12} {:>12} {:>12} {:>12} {:>10} {:>10} {:>7}",
            v.material,
            tonnes(v.planner_without_t),
            tonnes(v.planner_with_t),
            tonnes(v.sim_without_t),
            tonnes(v.sim_with_t),
            tonnes(v.sim_p95_without_t),
            tonnes(v.sim_p95_with_t),
            v.futures_worse
        );
    }
    let _ = writeln!(
        o,
        "  (the planner counts new capacity as delivered to the bloc; the simulator sends it through prices, trade and stocks)\n"
    );
}

/// Tidy CSV: one row per figure (`section,subject,field,value`).
pub fn plan_csv(r: &PlanReport) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut row = |a: &str, b: &str, c: &str, d: String| {
        let _ = w.write_record([a, b, c, &d]);
    };
    row("section", "subject", "field", "value".into());
    row(
        "plan",
        "bloc",
        "risk_without_projects_t",
        r.risk_without_projects_t.to_string(),
    );
    row("plan", "bloc", "risk_t", r.plan.risk_optimised.to_string());
    row(
        "plan",
        "bloc",
        "cost_usd_m_per_year",
        r.plan.cost_usd_m_per_year.to_string(),
    );
    row("plan", "solver", r.plan.solver, r.plan.status.to_string());
    for x in &r.portfolio {
        row("portfolio", &x.id, "capacity_t", x.capacity_t.to_string());
        row("portfolio", &x.id, "capex_usd_m", x.capex_usd_m.to_string());
        row("portfolio", &x.id, "start_year", x.start_year.to_string());
        row("portfolio", &x.id, "host", x.host.clone());
    }
    for f in &r.funding {
        let subject = format!("{}→{}", f.financier, f.candidate);
        row("funding", &subject, f.instrument, f.usd_m.to_string());
    }
    for (f, v) in &r.marginal_values {
        row("marginal_value", f, "usd_m_per_usd_m", v.to_string());
    }
    for x in &r.plan.risk {
        row(
            "risk",
            &x.scope,
            "expected_shortfall_t",
            x.expected_shortfall_t.to_string(),
        );
        row("risk", &x.scope, "cvar_t", x.cvar_t.to_string());
    }
    if let Some(c) = &r.coordination {
        row("coordination", "bloc", "value", c.value.to_string());
        for m in &c.per_member {
            row(
                "coordination",
                &m.member.0,
                "risk_national_t",
                m.risk_national_t.to_string(),
            );
            row(
                "coordination",
                &m.member.0,
                "risk_pooled_t",
                m.risk_pooled_t.to_string(),
            );
            row(
                "coordination",
                &m.member.0,
                "cost_national_usd_m",
                m.cost_national_usd_m.to_string(),
            );
            row(
                "coordination",
                &m.member.0,
                "cost_pooled_usd_m",
                m.cost_pooled_usd_m.to_string(),
            );
        }
    }
    if let Some(e) = &r.ethics {
        row(
            "ethics",
            "bloc",
            "cost_with_usd_m",
            e.cost_with_usd_m.to_string(),
        );
        row(
            "ethics",
            "bloc",
            "cost_without_usd_m",
            e.cost_without_usd_m.to_string(),
        );
        row(
            "ethics",
            "bloc",
            "objective_gap",
            e.objective_gap.to_string(),
        );
    }
    for f in &r.frontier {
        let cost = f
            .cost_usd_m_per_year
            .map_or(String::new(), |c| c.to_string());
        row(
            "frontier",
            &f.target.to_string(),
            "cost_usd_m_per_year",
            cost,
        );
    }
    for v in &r.verify {
        row(
            "verify",
            &v.material,
            "planner_with_t",
            v.planner_with_t.to_string(),
        );
        row(
            "verify",
            &v.material,
            "sim_without_t",
            v.sim_without_t.to_string(),
        );
        row(
            "verify",
            &v.material,
            "sim_with_t",
            v.sim_with_t.to_string(),
        );
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("utf-8")
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One self-contained HTML page: key findings first, then the tables.
pub fn plan_html(r: &PlanReport) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title><style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#222}}table{{border-collapse:collapse;margin:1rem 0}}td,th{{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:right}}td:first-child,th:first-child{{text-align:left}}@media print{{body{{margin:0}}}}</style></head><body><h1>{t}</h1><p>{s}</p>",
        t = esc(&r.name),
        s = esc(&r.summary)
    );
    let _ = write!(
        o,
        "<h2>Key findings</h2><ul><li>Risk (as optimised) falls from {} to {} a year for {} USD m a year (annualised).</li><li>{} projects funded by {} financiers.</li>",
        tonnes(r.risk_without_projects_t),
        tonnes(r.plan.risk_optimised),
        money(r.plan.cost_usd_m_per_year),
        r.portfolio.len(),
        r.funding.iter().map(|f| &f.financier).collect::<std::collections::BTreeSet<_>>().len()
    );
    if let Some(c) = &r.coordination {
        let _ = write!(
            o,
            "<li>Coordination is worth {} USD m a year in the plan's objective.</li>",
            money(c.value)
        );
    }
    if let Some(e) = &r.ethics {
        let _ = write!(
            o,
            "<li>The ethics constraints cost {} USD m a year in the plan's objective.</li>",
            money(e.objective_gap)
        );
    }
    o.push_str("</ul><h2>Details</h2><pre>");
    o.push_str(&esc(&plan_table(r)));
    o.push_str("</pre></body></html>\n");
    o
}
