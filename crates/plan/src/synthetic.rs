//! Synthetic problems (SYNTHETIC: random numbers, no real data) for tests and benchmarks:
//! the same shape as a real plan, sized at will, reproducible from a seed.

use crate::input::{
    Budget, Candidate, CountryId, Feed, Financier, Future, Futures, InstrumentKind,
    InstrumentTerms, Options, Problem,
};
use quadrant_model::{MaterialId, Stage};

/// A small deterministic generator (64-bit LCG, Knuth's constants).
#[derive(Debug, Clone)]
pub struct Lcg(u64);

impl Lcg {
    /// Seeded generator.
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed
            .wrapping_mul(2862933555777941757)
            .wrapping_add(3037000493))
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    /// Uniform index below `n`.
    pub fn pick(&mut self, n: usize) -> usize {
        ((self.unit() * n as f64) as usize).min(n - 1)
    }
}

/// Members of the synthetic bloc.
pub const MEMBERS: [&str; 4] = ["USA", "IND", "JPN", "AUS"];
/// Feed countries outside the bloc.
pub const OUTSIDE: [&str; 3] = ["CHL", "COD", "IDN"];
/// Feed routes a synthetic refinery draws on.
pub const FEED_ROUTES: [&[&str]; 4] = [&["AUS"], &["AUS", "CHL"], &["COD"], &["IDN", "AUS"]];
/// Materials.
pub const MATERIALS: [&str; 2] = ["lithium", "cobalt"];

/// A problem with `n` candidates, `s` futures, `years` horizon years.
pub fn problem(n: usize, s: usize, years: usize, seed: u64) -> Problem {
    let mut g = Lcg::new(seed);
    let hosts: Vec<&str> = MEMBERS.iter().chain(OUTSIDE.iter()).copied().collect();
    let candidates = (0..n)
        .map(|j| {
            let mining = g.unit() < 0.3;
            let host = hosts[g.pick(hosts.len())];
            let cap = g.range(2_000.0, 20_000.0).round();
            // A few feed routes, as in the real chains (a refinery buys from one or two countries).
            let feed_hosts = if mining {
                Vec::new()
            } else {
                FEED_ROUTES[g.pick(FEED_ROUTES.len())]
                    .iter()
                    .map(|h| CountryId::from(*h))
                    .collect()
            };
            Candidate {
                id: format!("c{j:04}"),
                material: MaterialId::from(MATERIALS[g.pick(MATERIALS.len())]),
                stage: if mining {
                    Stage::Mining
                } else {
                    Stage::Refining
                },
                host: CountryId::from(host),
                capacity_t: cap,
                capex_usd_m: (cap * g.range(0.01, 0.05)).round(),
                opex_usd_per_t: if g.unit() < 0.8 {
                    Some(g.range(500.0, 3000.0).round())
                } else {
                    None
                },
                lead_years: g.pick(years.clamp(1, 4)) as u32,
                feed_hosts,
                flagged: g.unit() < 0.15,
                audited: g.unit() < 0.5,
            }
        })
        .collect();
    let financiers = MEMBERS
        .iter()
        .enumerate()
        .map(|(k, m)| Financier {
            id: format!("fin-{}", m.to_lowercase()),
            member: CountryId::from(*m),
            budget_usd_m: Budget::Constant(g.range(100.0, 600.0).round()),
            instruments: vec![
                InstrumentTerms {
                    kind: InstrumentKind::Loan,
                    cost_of_capital: None,
                },
                InstrumentTerms {
                    kind: InstrumentKind::Equity,
                    cost_of_capital: Some(0.12),
                },
            ],
            cost_of_capital: 0.04 + 0.01 * k as f64,
            eligible_hosts: None,
            eligible_stages: None,
            eligible_materials: None,
            home_offtake_required: k == 2,
            home_only: k == 1,
        })
        .collect();
    let futures = (0..s)
        .map(|_| Future {
            probability: 1.0 / s as f64,
            shortfall_t: (0..MATERIALS.len())
                .map(|_| {
                    let sev = g.range(0.0, 1.0).powi(2);
                    (0..years)
                        .map(|_| {
                            (0..MEMBERS.len())
                                .map(|_| (sev * g.range(0.0, 15_000.0)).round())
                                .collect()
                        })
                        .collect()
                })
                .collect(),
            feed: hosts
                .iter()
                .flat_map(|h| MATERIALS.iter().map(move |m| (*h, *m)))
                .map(|(h, m)| Feed {
                    country: CountryId::from(h),
                    material: MaterialId::from(m),
                    t_per_year: g.range(0.0, 8_000.0).round(),
                })
                .collect(),
        })
        .collect();
    Problem {
        candidates,
        financiers,
        futures: Futures {
            members: MEMBERS.iter().map(|m| CountryId::from(*m)).collect(),
            materials: MATERIALS.iter().map(|m| MaterialId::from(*m)).collect(),
            first_year: 2026,
            futures,
        },
        options: Options {
            horizon_years: years,
            objective: crate::Objective::MinCostPlusRisk { weight: 0.02 },
            ..Options::default()
        },
    }
}
