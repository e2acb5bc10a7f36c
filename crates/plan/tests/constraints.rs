//! Budgets, mandates, lead times, feed and ethics hold in the plans the solver returns, and
//! each of them changes the plan when it should.
mod common;

use quadrant_plan::{solve, Budget, CountryId, Plan, Problem};
use std::collections::HashMap;

fn built(plan: &Plan) -> Vec<&str> {
    let mut v: Vec<&str> = plan
        .portfolio
        .iter()
        .map(|c| c.candidate.as_str())
        .collect();
    v.sort_unstable();
    v
}

/// Funding by (financier, start year), USD m: each project is paid in its start year.
fn spent(plan: &Plan) -> HashMap<(String, i32), f64> {
    let start: HashMap<&str, i32> = plan
        .portfolio
        .iter()
        .map(|c| (c.candidate.as_str(), c.start_year))
        .collect();
    let mut out = HashMap::new();
    for f in &plan.funding {
        *out.entry((f.financier.clone(), start[f.candidate.as_str()]))
            .or_default() += f.usd_m;
    }
    out
}

#[test]
fn budgets_are_respected_and_bind() {
    let rich = {
        let mut p = common::small();
        for f in &mut p.financiers {
            f.budget_usd_m = Budget::Constant(1e6);
        }
        solve(&p).unwrap()
    };
    let mut p = common::small();
    for f in &mut p.financiers {
        f.budget_usd_m = Budget::Constant(100.0);
    }
    let plan = solve(&p).unwrap();
    for ((fin, _), usd) in spent(&plan) {
        assert!(usd <= 100.0 + 1e-6, "{fin} spends {usd}");
    }
    let capex = |pl: &Plan| -> f64 { pl.funding.iter().map(|f| f.usd_m).sum() };
    assert!(
        capex(&rich) > capex(&plan) + 1.0,
        "tight budgets change nothing"
    );
    // Every built project is fully funded.
    for c in &plan.portfolio {
        let paid: f64 = plan
            .funding
            .iter()
            .filter(|f| f.candidate == c.candidate)
            .map(|f| f.usd_m)
            .sum();
        assert!((paid - p.candidates[c.index].capex_usd_m).abs() < 1e-6);
    }
}

#[test]
fn mandates_are_respected() {
    let mut p = common::small();
    // The cheap financier may fund only Japanese projects; the dear one only at home.
    p.financiers[1].eligible_hosts = Some(vec![CountryId::from("JPN")]);
    p.financiers[0].home_only = true;
    p.financiers[0].budget_usd_m = Budget::Constant(1e4);
    let plan = solve(&p).unwrap();
    assert!(!plan.funding.is_empty());
    for f in &plan.funding {
        let c = p.candidates.iter().find(|c| c.id == f.candidate).unwrap();
        let k = p.financiers.iter().find(|k| k.id == f.financier).unwrap();
        assert!(
            k.eligible(c),
            "{} funds {} against its mandate",
            f.financier,
            f.candidate
        );
    }
    // Nobody may fund the Indian or Australian projects now.
    assert!(!built(&plan).contains(&"c") && !built(&plan).contains(&"d"));
}

#[test]
fn lead_times_are_respected() {
    let mut p = common::small();
    // A cheap, large project that cannot produce inside the horizon is never worth building.
    let mut late = common::refinery("late", "USA", 50_000.0, 1.0, 3, &["AUS"]);
    late.opex_usd_per_t = None;
    p.candidates.push(late);
    p.financiers[0].budget_usd_m = Budget::Constant(1e4);
    let plan = solve(&p).unwrap();
    assert!(!built(&plan).contains(&"late"));
    let last = p.futures.first_year + p.options.horizon_years as i32 - 1;
    for c in &plan.portfolio {
        let lead = p.candidates[c.index].lead_years as i32;
        assert_eq!(c.first_output_year, c.start_year + lead);
        assert!(
            c.first_output_year <= last,
            "{c:?} produces after the horizon"
        );
    }
    // With one more year the same project is built (the test can fail).
    p.options.horizon_years = 4;
    p.futures = common::futures(4);
    assert!(built(&solve(&p).unwrap()).contains(&"late"));
}

fn feedless(mut p: Problem) -> Problem {
    for f in &mut p.futures.futures {
        f.feed.clear();
    }
    p
}

#[test]
fn feed_constraint_binds_when_feed_is_absent() {
    let p = common::small();
    assert!(!solve(&p).unwrap().portfolio.is_empty());
    let dry = feedless(p.clone());
    let plan = solve(&dry).unwrap();
    assert!(
        plan.portfolio.is_empty(),
        "refineries without feed built: {:?}",
        plan.portfolio
    );
    // A new mine in AUS brings feed back.
    let mut mined = dry.clone();
    let mut mine = common::refinery("mine", "AUS", 10_000.0, 20.0, 0, &[]);
    mine.stage = quadrant_model::Stage::Mining;
    mined.candidates.push(mine);
    let with_mine = solve(&mined).unwrap();
    assert!(
        built(&with_mine).contains(&"mine") && with_mine.portfolio.len() >= 2,
        "{:?}",
        with_mine.portfolio
    );
}

#[test]
fn ethics_switch_changes_portfolio() {
    let mut p = common::small();
    p.candidates[1].flagged = true;
    p.candidates[1].audited = false;
    let free = solve(&p).unwrap();
    assert!(
        built(&free).contains(&"b"),
        "the flagged project should be attractive: {:?}",
        built(&free)
    );
    p.options.require_no_flagged = true;
    let clean = solve(&p).unwrap();
    assert!(!built(&clean).contains(&"b"));
    assert!(
        clean.objective >= free.objective - 1e-9,
        "ethics cannot be free of charge here"
    );
    // Minimum audited share 1.0 also removes it.
    p.options.require_no_flagged = false;
    p.options.min_audited_share = Some(1.0);
    assert!(!built(&solve(&p).unwrap()).contains(&"b"));
}

#[test]
fn caps_are_respected() {
    let mut p = common::small();
    p.financiers[0].budget_usd_m = Budget::Constant(1e4);
    p.financiers[1].budget_usd_m = Budget::Constant(1e4);
    p.options.host_caps = vec![quadrant_plan::Cap {
        country: CountryId::from("USA"),
        usd_m: 160.0,
    }];
    let plan = solve(&p).unwrap();
    let usa: f64 = plan
        .portfolio
        .iter()
        .map(|c| &p.candidates[c.index])
        .filter(|c| c.host.0 == "USA")
        .map(|c| c.capex_usd_m)
        .sum();
    assert!(usa <= 160.0 + 1e-6, "USA hosts {usa}");
}
