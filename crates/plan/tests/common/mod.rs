//! Hand-made small problems whose right answers can be reasoned about.
#![allow(dead_code)]

use quadrant_model::{MaterialId, Stage};
use quadrant_plan::{
    Budget, Candidate, CountryId, Feed, Financier, Future, Futures, InstrumentKind,
    InstrumentTerms, Options, Problem,
};

pub fn refinery(id: &str, host: &str, cap: f64, capex: f64, lead: u32, feed: &[&str]) -> Candidate {
    Candidate {
        id: id.into(),
        material: MaterialId::from("lithium"),
        stage: Stage::Refining,
        host: CountryId::from(host),
        capacity_t: cap,
        capex_usd_m: capex,
        opex_usd_per_t: Some(1000.0),
        lead_years: lead,
        feed_hosts: feed.iter().map(|h| CountryId::from(*h)).collect(),
        flagged: false,
        audited: true,
    }
}

pub fn financier(id: &str, member: &str, budget: f64, rate: f64) -> Financier {
    Financier {
        id: id.into(),
        member: CountryId::from(member),
        budget_usd_m: Budget::Constant(budget),
        instruments: vec![InstrumentTerms {
            kind: InstrumentKind::Loan,
            cost_of_capital: None,
        }],
        cost_of_capital: rate,
        eligible_hosts: None,
        eligible_stages: None,
        eligible_materials: None,
        home_offtake_required: false,
        home_only: false,
    }
}

/// Two members, one material, `years` years, three futures (mild, bad, worst) with feed from
/// AUS in every future.
pub fn futures(years: usize) -> Futures {
    let sev = [(0.5, 1_000.0), (0.3, 6_000.0), (0.2, 12_000.0)];
    Futures {
        members: vec![CountryId::from("USA"), CountryId::from("JPN")],
        materials: vec![MaterialId::from("lithium")],
        first_year: 2026,
        futures: sev
            .iter()
            .map(|(p, t)| Future {
                probability: *p,
                shortfall_t: vec![(0..years).map(|_| vec![*t, t / 2.0]).collect()],
                feed: vec![Feed {
                    country: CountryId::from("AUS"),
                    material: MaterialId::from("lithium"),
                    t_per_year: 20_000.0,
                }],
            })
            .collect(),
    }
}

/// Five refineries of different size and price, two financiers, three years.
pub fn small() -> Problem {
    Problem {
        candidates: vec![
            refinery("a", "USA", 5_000.0, 150.0, 1, &["AUS"]),
            refinery("b", "JPN", 3_000.0, 60.0, 0, &["AUS"]),
            refinery("c", "AUS", 8_000.0, 400.0, 1, &["AUS"]),
            refinery("d", "IND", 2_000.0, 30.0, 2, &["AUS"]),
            refinery("e", "USA", 6_000.0, 250.0, 0, &["AUS"]),
        ],
        financiers: vec![
            financier("dfc", "USA", 300.0, 0.05),
            financier("jogmec", "JPN", 200.0, 0.03),
        ],
        futures: futures(3),
        options: Options {
            horizon_years: 3,
            objective: quadrant_plan::Objective::MinCostPlusRisk { weight: 0.01 },
            ..Options::default()
        },
    }
}
