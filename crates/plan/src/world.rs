//! From the shipped world to a [`Problem`]: the curated candidates and financiers of the
//! dataset, filtered as a plan file asks, and the simulator's disruption futures — so that
//! the planner and the simulator describe the same world. Every simplification made on the
//! way is written into the notes that the plan prints.

use crate::input::{
    Budget, Candidate, CountryId, Feed, Financier, Future, Futures, InstrumentKind,
    InstrumentTerms, Objective, Options, Problem, RiskMeasure, RiskScope, SolverChoice,
};
use crate::spec::{CheckedSpec, MAX_CANDIDATES};
use quadrant_model::candidates::{Candidate as DsCandidate, CandidateOrigin};
use quadrant_model::curated::{AuditStatus, FinanceInstrument, Financier as DsFinancier};
use quadrant_model::{Dataset, MaterialId, Stage};
use quadrant_sim::futures::Futures as SimFutures;

/// Statuses of projects already producing: their output is in the simulator's baseline.
const RUNNING: &str = "operating";

/// A problem built from the world, with what was left out and why.
#[derive(Debug, Clone)]
pub struct WorldProblem {
    /// The problem.
    pub problem: Problem,
    /// Display names of the candidates, in problem order.
    pub names: Vec<String>,
    /// Caveats, one sentence each.
    pub notes: Vec<String>,
}

/// Builds the problem of a checked plan file on futures drawn from the simulator.
pub fn problem(
    ds: &Dataset,
    spec: &CheckedSpec,
    fut: &SimFutures,
    solver: SolverChoice,
) -> Result<WorldProblem, String> {
    let mut notes = Vec::new();
    let futures = futures(fut, spec, &mut notes)?;
    let (candidates, names) = candidates(ds, spec, &mut notes)?;
    let financiers = financiers(ds, spec, &candidates, fut, &mut notes);
    let options = options(spec, solver);
    Ok(WorldProblem {
        problem: Problem {
            candidates,
            financiers,
            futures,
            options,
        },
        names,
        notes,
    })
}

fn candidates(
    ds: &Dataset,
    spec: &CheckedSpec,
    notes: &mut Vec<String>,
) -> Result<(Vec<Candidate>, Vec<String>), String> {
    let c = &spec.spec.candidates;
    let keep = |x: &DsCandidate| {
        c.materials.get_ref().iter().any(|m| m == x.material)
            && spec.stages.contains(&x.stage)
            && (spec.hosts.is_empty() || spec.hosts.iter().any(|h| h == x.host))
    };
    let all = ds.candidates();
    let running = all
        .iter()
        .filter(|x| keep(x) && x.project.is_some_and(|p| p.status == RUNNING))
        .count();
    if running > 0 {
        notes.push(format!(
            "{running} operating projects left out: their output is in the simulator's baseline"
        ));
    }
    let mut projects: Vec<&DsCandidate> = all
        .iter()
        .filter(|x| x.origin == CandidateOrigin::Project)
        .filter(|x| keep(x) && x.project.is_none_or(|p| p.status != RUNNING))
        .collect();
    let mut deposits: Vec<&DsCandidate> = all
        .iter()
        .filter(|x| x.origin == CandidateOrigin::Deposit && c.deposits && keep(x))
        .filter(|x| x.content_capacity_t > 0.0 && x.capex_usd_million > 0.0)
        .collect();
    // Cheapest capital per tonne first, so that a cap keeps the deposits a planner would
    // look at first.
    deposits.sort_by(|a, b| {
        let ka = a.capex_usd_million / a.content_capacity_t;
        let kb = b.capex_usd_million / b.content_capacity_t;
        ka.total_cmp(&kb).then(a.id.cmp(b.id))
    });
    let cap = *c.max_deposits.get_ref() as usize;
    if cap > 0 && deposits.len() > cap {
        notes.push(format!(
            "{} lithium deposits kept of {} (cheapest capital per t of capacity first)",
            cap,
            deposits.len()
        ));
        deposits.truncate(cap);
    }
    projects.extend(deposits);
    if projects.is_empty() {
        return Err("no candidate passes the plan's [candidates] filters".into());
    }
    if projects.len() > MAX_CANDIDATES {
        return Err(format!(
            "{} candidates pass the filters; at most {MAX_CANDIDATES} may be planned",
            projects.len()
        ));
    }
    let no_feed = projects
        .iter()
        .filter(|x| x.stage != Stage::Mining && feed_countries(ds, x).is_empty())
        .count();
    if no_feed > 0 {
        notes.push(format!(
            "{no_feed} processing candidates name no feed country: they can run only on new mines the plan builds"
        ));
    }
    let out = projects.iter().map(|x| candidate(ds, x)).collect();
    let names = projects.iter().map(|x| x.name.to_string()).collect();
    Ok((out, names))
}

/// The countries among a candidate's feed (mine ids are not countries and are skipped).
fn feed_countries(ds: &Dataset, x: &DsCandidate) -> Vec<CountryId> {
    x.feed
        .iter()
        .filter(|f| ds.country(f).is_some())
        .map(|f| CountryId(f.clone()))
        .collect()
}

fn candidate(ds: &Dataset, x: &DsCandidate) -> Candidate {
    Candidate {
        id: x.id.to_string(),
        material: MaterialId(x.material.to_string()),
        stage: x.stage,
        host: CountryId(x.host.to_string()),
        capacity_t: x.content_capacity_t,
        capex_usd_m: x.capex_usd_million,
        opex_usd_per_t: x.opex_usd_per_t_content,
        lead_years: x.lead_time_years.ceil().max(0.0) as u32,
        feed_hosts: feed_countries(ds, x),
        flagged: x.artisanal_exposure || x.forced_labour_listing,
        audited: x.audit_status == AuditStatus::Audited,
    }
}

fn financiers(
    ds: &Dataset,
    spec: &CheckedSpec,
    cands: &[Candidate],
    fut: &SimFutures,
    notes: &mut Vec<String>,
) -> Vec<Financier> {
    let ids = spec.spec.financiers.ids.get_ref();
    let chosen = ds.curated.financiers.iter().filter(|f| {
        if ids.is_empty() {
            spec.members.contains(&f.country)
        } else {
            ids.contains(&f.id)
        }
    });
    let mut out = Vec::new();
    let mats = spec.spec.candidates.materials.get_ref();
    for f in chosen {
        let covers = f.eligible_materials.is_empty()
            || f.eligible_materials
                .iter()
                .any(|m| m == "*" || mats.contains(m));
        if !covers {
            notes.push(format!(
                "financier {} left out: its mandate covers none of the plan's materials",
                f.id
            ));
            continue;
        }
        match financier(f, cands, fut, spec) {
            Some(x) => out.push(x),
            None => notes.push(format!(
                "financier {} left out: no budget, cost of capital, instrument or single home member in financiers.toml",
                f.id
            )),
        }
    }
    out
}

fn financier(
    f: &DsFinancier,
    cands: &[Candidate],
    fut: &SimFutures,
    spec: &CheckedSpec,
) -> Option<Financier> {
    if f.country.is_empty() || f.budget_usd_million_per_year.is_none() {
        return None;
    }
    let cost_of_capital = f.cost_of_capital?;
    let instruments: Vec<InstrumentTerms> = f
        .instruments
        .iter()
        .map(|i| InstrumentTerms {
            kind: instrument(*i),
            cost_of_capital: None,
        })
        .collect();
    if instruments.is_empty() {
        return None;
    }
    let mats = spec.spec.candidates.materials.get_ref();
    let first = i64::from(fut.first_year);
    let years = *spec.spec.horizon_years.get_ref() as usize;
    let budget = (0..years)
        .map(|y| f.budget_in(u16::try_from(first + y as i64).unwrap_or(u16::MAX)))
        .collect();
    // Hosts the mandate admits among the candidates' hosts; offtake is left to the
    // planner's home-offtake rows.
    let mut hosts: Vec<CountryId> = cands
        .iter()
        .map(|c| c.host.clone())
        .filter(|h| f.may_host(&h.0))
        .collect();
    hosts.sort();
    hosts.dedup();
    Some(Financier {
        id: f.id.clone(),
        member: CountryId(f.country.clone()),
        budget_usd_m: Budget::PerYear(budget),
        instruments,
        cost_of_capital,
        eligible_hosts: Some(hosts),
        eligible_stages: list(&f.eligible_stages, Stage::parse),
        eligible_materials: list(&f.eligible_materials, |m| {
            mats.contains(&m.to_string())
                .then(|| MaterialId(m.to_string()))
        }),
        home_offtake_required: f.home_offtake_required,
        home_only: f.home_country_only,
    })
}

/// `["*"]` (or nothing) admits all; otherwise the parsed entries.
fn list<T>(v: &[String], parse: impl Fn(&str) -> Option<T>) -> Option<Vec<T>> {
    if v.is_empty() || v.iter().any(|x| x == "*") {
        None
    } else {
        Some(v.iter().filter_map(|x| parse(x)).collect())
    }
}

fn instrument(i: FinanceInstrument) -> InstrumentKind {
    match i {
        FinanceInstrument::Equity => InstrumentKind::Equity,
        FinanceInstrument::Loan => InstrumentKind::Loan,
        FinanceInstrument::Guarantee => InstrumentKind::Guarantee,
        FinanceInstrument::Offtake => InstrumentKind::Offtake,
        FinanceInstrument::Grant => InstrumentKind::Grant,
    }
}

/// The simulator's futures as the planner reads them: each member's shortfall per material
/// and year, and per future the feed each country has open to the bloc at the mining stage
/// in its leanest year.
fn futures(
    fut: &SimFutures,
    spec: &CheckedSpec,
    notes: &mut Vec<String>,
) -> Result<Futures, String> {
    let want = spec.spec.candidates.materials.get_ref();
    let mut mats = Vec::new();
    for m in want {
        let Some(ix) = fut.materials.iter().position(|x| x == m) else {
            return Err(format!(
                "the futures' scenario {:?} does not simulate {m}: add it to the scenario's materials",
                fut.scenario
            ));
        };
        if fut
            .futures
            .first()
            .is_some_and(|f| f.materials[ix].world_pool)
        {
            return Err(format!(
                "{m} has no trade data at its last stage: the simulator sees one world pool, so no member's shortfall can be planned against"
            ));
        }
        mats.push(ix);
    }
    notes.push(
        "new processing may draw, in each future, on a feed country's mine output open to the bloc in its leanest year"
            .into(),
    );
    let futures = fut
        .futures
        .iter()
        .map(|f| Future {
            probability: f.weight,
            shortfall_t: mats
                .iter()
                .map(|&ix| {
                    f.materials[ix]
                        .years
                        .iter()
                        .map(|y| y.member_shortfall_t.clone())
                        .collect()
                })
                .collect(),
            feed: mats
                .iter()
                .flat_map(|&ix| mine_feed(&f.materials[ix]))
                .collect(),
        })
        .collect();
    Ok(Futures {
        members: fut.members.iter().map(|m| CountryId(m.clone())).collect(),
        materials: mats
            .iter()
            .map(|&ix| MaterialId(fut.materials[ix].clone()))
            .collect(),
        first_year: i32::from(fut.first_year),
        futures,
    })
}

fn mine_feed(m: &quadrant_sim::futures::FutureMaterial) -> Vec<Feed> {
    let Some(first) = m.years.first() else {
        return Vec::new();
    };
    let Some(mining) = first.feed.iter().position(|s| s.stage == "mining") else {
        return Vec::new();
    };
    first.feed[mining]
        .sources
        .iter()
        .enumerate()
        .map(|(k, s)| Feed {
            country: CountryId(s.country.clone()),
            material: MaterialId(m.material.clone()),
            t_per_year: m
                .years
                .iter()
                .map(|y| y.feed[mining].sources[k].output_t)
                .fold(f64::INFINITY, f64::min),
        })
        .collect()
}

fn options(spec: &CheckedSpec, solver: SolverChoice) -> Options {
    let s = &spec.spec;
    let o = &s.objective;
    let objective = match o.kind.get_ref().as_str() {
        "min_cost_subject_to_risk" => Objective::MinCostSubjectToRisk {
            target: o.target_t.as_ref().map_or(0.0, |t| *t.get_ref()),
        },
        _ => Objective::MinCostPlusRisk {
            weight: o.weight_usd_m_per_t.as_ref().map_or(0.0, |w| *w.get_ref()),
        },
    };
    let risk = match (o.risk.get_ref().as_str(), &o.alpha) {
        ("cvar", Some(a)) => RiskMeasure::CVaR {
            alpha: *a.get_ref(),
        },
        _ => RiskMeasure::ExpectedShortfall,
    };
    let scope = match o.scope.get_ref().as_str() {
        "bloc" => RiskScope::Bloc,
        m => RiskScope::Material(MaterialId(m.to_string())),
    };
    Options {
        horizon_years: *s.horizon_years.get_ref() as usize,
        objective,
        risk,
        scope,
        require_no_flagged: s.ethics.require_no_flagged,
        min_audited_share: s.ethics.min_audited_share.as_ref().map(|v| *v.get_ref()),
        member_caps: Vec::new(),
        host_caps: Vec::new(),
        asset_life_years: *s.asset_life_years.get_ref() as u32,
        solver,
        mip_gap: 0.0,
    }
}
