//! One plan file from end to end: futures from the simulator, the problem from the dataset,
//! the pooled plan, what it is compared with (no projects, no ethics, national plans, the
//! frontier), and on request the simulator's verdict on the chosen portfolio. The result is
//! one tidy record ([`PlanReport`]) that every output format renders.

use crate::coordination::{coordination_until, MemberDiff};
use crate::error::PlanError;
use crate::input::{Objective, Problem, SolverChoice};
use crate::model::{Scope, Tweaks};
use crate::plan::{frontier_until, marginal_values_until, solve, solve_scoped};
use crate::plan::{FrontierPoint, Funding, Plan};
use crate::spec::CheckedSpec;
use crate::world::{problem, WorldProblem};
use quadrant_model::Dataset;
use quadrant_sim::api::Session;
use quadrant_sim::verify::{week_of_year, PlannedExpansion, Verification};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Weeks from a project's first output to full capacity in the verification (one year, as
/// the planner counts a project at full capacity from its first output year).
pub const VERIFY_RAMP_WEEKS: usize = 52;

/// How a plan is run.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// The MILP solver.
    pub solver: SolverChoice,
    /// Check the portfolio with the simulator's Monte Carlo.
    pub verify: bool,
}

/// A built project as printed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PortfolioRow {
    /// Candidate id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Host country.
    pub host: String,
    /// Material.
    pub material: String,
    /// Stage.
    pub stage: String,
    /// Capacity, t of content per year.
    pub capacity_t: f64,
    /// Capital cost, USD m.
    pub capex_usd_m: f64,
    /// Year construction starts.
    pub start_year: i32,
    /// Year of first output.
    pub first_output_year: i32,
    /// Draws on flagged sources.
    pub flagged: bool,
    /// Audited against a named standard.
    pub audited: bool,
}

/// The plan against the same plan with the ethics constraints off.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EthicsPrice {
    /// Annualised cost with ethics, USD m/yr.
    pub cost_with_usd_m: f64,
    /// Without.
    pub cost_without_usd_m: f64,
    /// Risk (the optimised measure) with ethics, t/yr.
    pub risk_with_t: f64,
    /// Without.
    pub risk_without_t: f64,
    /// Objective with − without (≥ 0): what the constraints cost in the plan's own terms.
    pub objective_gap: f64,
    /// The projects the plan without ethics builds.
    pub portfolio_without: Vec<String>,
}

/// Pooled against national, in short.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CoordinationRow {
    /// National portfolios judged in the pooled objective, minus the pooled objective.
    pub value: f64,
    /// Annualised cost of the pooled plan, USD m/yr.
    pub pooled_cost_usd_m: f64,
    /// Sum of the national plans' annualised costs.
    pub national_cost_usd_m: f64,
    /// Bloc risk (the optimised measure) of the pooled plan.
    pub pooled_risk_t: f64,
    /// Bloc risk of the national portfolios together.
    pub national_risk_t: f64,
    /// Per member.
    pub per_member: Vec<MemberDiff>,
    /// Each member's national portfolio (candidate ids).
    pub national_portfolios: Vec<(String, Vec<String>)>,
}

/// The planner's prediction next to the simulator's, per material, in t/yr.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VerifyRow {
    /// Material.
    pub material: String,
    /// Planner: expected yearly shortfall of the bloc without projects.
    pub planner_without_t: f64,
    /// Planner: with the portfolio.
    pub planner_with_t: f64,
    /// Simulator: mean yearly shortfall without.
    pub sim_without_t: f64,
    /// Simulator: with.
    pub sim_with_t: f64,
    /// Simulator: P95 of the yearly shortfall without / with.
    pub sim_p95_without_t: f64,
    /// Simulator: P95 with.
    pub sim_p95_with_t: f64,
    /// Futures in which the simulator finds the portfolio raises the shortfall.
    pub futures_worse: usize,
}

/// Everything a plan run produced. It reads back from its JSON ([`serde`]), so that a stored
/// run renders again in any format without solving anything.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PlanReport {
    /// Title of the plan file.
    pub name: String,
    /// Its summary.
    pub summary: String,
    /// Bloc.
    pub bloc: String,
    /// The futures' scenario, count and seed.
    pub scenario: String,
    /// Futures drawn.
    pub futures: usize,
    /// Seed.
    pub seed: u64,
    /// First calendar year and horizon.
    pub first_year: i32,
    /// Years planned.
    pub horizon_years: usize,
    /// Candidates considered.
    pub candidates: usize,
    /// Financiers that may fund.
    pub financiers: Vec<String>,
    /// The pooled plan.
    pub plan: Plan,
    /// The portfolio, with names and figures.
    pub portfolio: Vec<PortfolioRow>,
    /// Who pays what.
    pub funding: Vec<Funding>,
    /// USD m of objective per extra USD m/yr of budget, per financier.
    pub marginal_values: Vec<(String, f64)>,
    /// Risk without any project (the optimised measure), t/yr.
    pub risk_without_projects_t: f64,
    /// The ethics comparison, when asked.
    pub ethics: Option<EthicsPrice>,
    /// The value of coordination, when asked.
    pub coordination: Option<CoordinationRow>,
    /// The risk–cost frontier, when asked.
    pub frontier: Vec<FrontierPoint>,
    /// The simulator's check, when asked.
    pub verify: Vec<VerifyRow>,
    /// Caveats.
    pub notes: Vec<String>,
    /// Seconds: futures, model and solves, verification.
    pub seconds: Timings,
}

/// Wall-clock seconds of each part.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Timings {
    /// Drawing the futures from the simulator.
    pub futures: f64,
    /// Every planner solve.
    pub plan: f64,
    /// The verification's two Monte Carlos.
    pub verify: f64,
}

/// Errors of a plan run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The simulator refused.
    #[error(transparent)]
    Sim(#[from] quadrant_sim::api::SimError),
    /// The planner refused or failed.
    #[error(transparent)]
    Plan(PlanError),
    /// The world cannot give what the plan file asks.
    #[error("{0}")]
    World(String),
    /// Stopped on request ([`Control::stop`]) before it finished.
    #[error("the plan run was stopped on request before it finished")]
    Cancelled,
}

impl From<PlanError> for RunError {
    fn from(e: PlanError) -> RunError {
        match e {
            PlanError::Cancelled => RunError::Cancelled,
            e => RunError::Plan(e),
        }
    }
}

/// What a caller sees of a run and how it stops one: `progress` gets the share done (0 to 1)
/// after each part; once `stop` is set the run ends with [`RunError::Cancelled`] after the
/// solve (or Monte Carlo run) under way.
pub struct Control<'a> {
    /// Called with the share done.
    pub progress: &'a dyn Fn(f64),
    /// Set to stop.
    pub stop: &'a AtomicBool,
}

/// Runs a checked plan file.
pub fn run(
    ds: &Dataset,
    session: &Session,
    spec: &CheckedSpec,
    opt: RunOptions,
) -> Result<PlanReport, RunError> {
    let never = AtomicBool::new(false);
    let ctl = Control {
        progress: &|_| {},
        stop: &never,
    };
    run_with_progress(ds, session, spec, opt, &ctl)
}

/// How far a run is: the parts it has finished, each weighed by the solves (or Monte Carlos)
/// it takes, as a share of all it will take.
struct Steps<'a> {
    done: usize,
    total: usize,
    ctl: &'a Control<'a>,
}

impl Steps<'_> {
    fn add(&mut self, n: usize) {
        self.done += n;
        (self.ctl.progress)((self.done as f64 / self.total.max(1) as f64).min(1.0));
    }
    /// `Err(Cancelled)` once the stop flag is set: checked before every solve.
    fn go(&self) -> Result<(), RunError> {
        if self.ctl.stop.load(Ordering::SeqCst) {
            Err(RunError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// [`run`], reporting its progress after each part (drawing the futures, the pooled plan, the
/// marginal values, the comparisons, the verification) and checking `ctl.stop` before every
/// solve, inside the parts that solve many times and between the Monte Carlos' runs.
pub fn run_with_progress(
    ds: &Dataset,
    session: &Session,
    spec: &CheckedSpec,
    opt: RunOptions,
    ctl: &Control,
) -> Result<PlanReport, RunError> {
    let s = &spec.spec;
    let points = *s.compare.frontier_points.get_ref() as usize;
    let members = spec.members.len();
    let mut steps = Steps {
        done: 0,
        // futures, pooled plan, marginal values, nothing built, then the comparisons (the
        // coordination solves each member's plan, the pooled one and the national set).
        total: 4
            + usize::from(s.compare.without_ethics)
            + if s.compare.coordination {
                members + 2
            } else {
                0
            }
            + points
            + if opt.verify { 2 } else { 0 },
        ctl,
    };
    let stop = ctl.stop;
    let mut t = Timings::default();
    let clock = Instant::now();
    let sc = session.scenario(s.futures.scenario.get_ref())?;
    let horizon = *s.horizon_years.get_ref() as usize;
    let count = *s.futures.count.get_ref() as usize;
    steps.go()?;
    let fut = session
        .futures_until(&sc, count, s.futures.seed, horizon, stop)?
        .ok_or(RunError::Cancelled)?;
    t.futures = clock.elapsed().as_secs_f64();
    steps.add(1);
    let clock = Instant::now();
    let WorldProblem {
        problem: p,
        names,
        mut notes,
    } = problem(ds, spec, &fut, opt.solver).map_err(RunError::World)?;
    steps.go()?;
    let plan = solve(&p)?;
    steps.add(1);
    notes.extend(plan.notes.iter().cloned());
    let marginal = marginal_values_until(&p, &plan, 1.0, stop)?;
    steps.add(1);
    steps.go()?;
    let none = nothing_built(&p)?;
    steps.add(1);
    let ethics = if s.compare.without_ethics {
        steps.go()?;
        let e = ethics_price(&p, &plan)?;
        steps.add(1);
        Some(e)
    } else {
        None
    };
    let coord = if s.compare.coordination {
        let c = coordination_row(&p, stop)?;
        steps.add(members + 2);
        Some(c)
    } else {
        None
    };
    let front = if points > 0 {
        let f = frontier_until(
            &p,
            &targets(none.risk_optimised, plan.risk_optimised, points),
            stop,
        )?;
        steps.add(points);
        f
    } else {
        Vec::new()
    };
    t.plan = clock.elapsed().as_secs_f64();
    let clock = Instant::now();
    let verify = if opt.verify {
        steps.go()?;
        let v = session
            .verify_until(
                &sc,
                &expansions(&p, &plan, sc.base_year)?,
                count,
                s.futures.seed,
                stop,
            )?
            .ok_or(RunError::Cancelled)?;
        steps.add(2);
        verify_rows(&p, &plan, &none, &v, horizon)
    } else {
        Vec::new()
    };
    t.verify = clock.elapsed().as_secs_f64();
    Ok(PlanReport {
        name: s.name.clone(),
        summary: s.summary.clone(),
        bloc: s.bloc.get_ref().clone(),
        scenario: fut.scenario.clone(),
        futures: count,
        seed: s.futures.seed,
        first_year: p.futures.first_year,
        horizon_years: horizon,
        candidates: p.candidates.len(),
        financiers: p.financiers.iter().map(|f| f.id.clone()).collect(),
        portfolio: portfolio(&p, &plan, &names),
        funding: plan.funding.clone(),
        marginal_values: marginal,
        risk_without_projects_t: none.risk_optimised,
        ethics,
        coordination: coord,
        frontier: front,
        verify,
        notes,
        seconds: t,
        plan,
    })
}

/// The plan that builds nothing: the futures' own risk.
fn nothing_built(p: &Problem) -> Result<Plan, PlanError> {
    let tw = Tweaks {
        fixed: Some(vec![None; p.candidates.len()]),
        ..Tweaks::default()
    };
    solve_scoped(p, &Scope::pooled(p), &tw)
}

fn ethics_price(p: &Problem, with: &Plan) -> Result<EthicsPrice, PlanError> {
    let mut q = p.clone();
    q.options.require_no_flagged = false;
    q.options.min_audited_share = None;
    let without = solve(&q)?;
    Ok(EthicsPrice {
        cost_with_usd_m: with.cost_usd_m_per_year,
        cost_without_usd_m: without.cost_usd_m_per_year,
        risk_with_t: with.risk_optimised,
        risk_without_t: without.risk_optimised,
        objective_gap: with.objective - without.objective,
        portfolio_without: without
            .portfolio
            .iter()
            .map(|c| c.candidate.clone())
            .collect(),
    })
}

fn coordination_row(p: &Problem, stop: &AtomicBool) -> Result<CoordinationRow, PlanError> {
    if !matches!(p.options.objective, Objective::MinCostPlusRisk { .. }) {
        return Err(PlanError::Invalid {
            at: "objective.kind".into(),
            expected: "min_cost_plus_risk with compare.coordination (a bloc risk target has no national share)".into(),
        });
    }
    let c = coordination_until(p, stop)?;
    Ok(CoordinationRow {
        value: c.value,
        pooled_cost_usd_m: c.pooled.cost_usd_m_per_year,
        national_cost_usd_m: c.national.iter().map(|(_, n)| n.cost_usd_m_per_year).sum(),
        pooled_risk_t: c.pooled.risk_optimised,
        national_risk_t: c.national_in_pooled.risk_optimised,
        per_member: c.per_member,
        national_portfolios: c
            .national
            .iter()
            .map(|(m, n)| {
                let ids = n.portfolio.iter().map(|x| x.candidate.clone()).collect();
                (m.0.clone(), ids)
            })
            .collect(),
    })
}

/// Risk targets from the no-project risk down to below the plan's own.
fn targets(none: f64, plan: f64, n: usize) -> Vec<f64> {
    let lo = (plan * 0.5).min(plan);
    (0..n)
        .map(|i| none - (none - lo) * (i as f64 + 1.0) / n as f64)
        .collect()
}

fn portfolio(p: &Problem, plan: &Plan, names: &[String]) -> Vec<PortfolioRow> {
    plan.portfolio
        .iter()
        .map(|c| {
            let x = &p.candidates[c.index];
            PortfolioRow {
                id: x.id.clone(),
                name: names[c.index].clone(),
                host: x.host.0.clone(),
                material: x.material.0.clone(),
                stage: x.stage.as_str().to_string(),
                capacity_t: x.capacity_t,
                capex_usd_m: x.capex_usd_m,
                start_year: c.start_year,
                first_output_year: c.first_output_year,
                flagged: x.flagged,
                audited: x.audited,
            }
        })
        .collect()
}

/// The portfolio as the simulator's capacity expansions, online from the first output year.
fn expansions(p: &Problem, plan: &Plan, base_year: u16) -> Result<Vec<PlannedExpansion>, RunError> {
    let last = p.futures.first_year + p.options.horizon_years as i32;
    plan.portfolio
        .iter()
        .filter(|c| c.first_output_year < last)
        .map(|c| {
            let x = &p.candidates[c.index];
            let year = u16::try_from(c.first_output_year).unwrap_or(u16::MAX);
            Ok(PlannedExpansion {
                material: x.material.0.clone(),
                stage: x.stage.as_str().to_string(),
                country: x.host.0.clone(),
                capacity_t_per_year: x.capacity_t,
                online_week: week_of_year(base_year, year)?,
                ramp_weeks: VERIFY_RAMP_WEEKS,
            })
        })
        .collect()
}

fn verify_rows(
    p: &Problem,
    plan: &Plan,
    none: &Plan,
    v: &Verification,
    years: usize,
) -> Vec<VerifyRow> {
    let per_year = 1.0 / years as f64;
    let risk = |pl: &Plan, m: &str| {
        pl.risk
            .iter()
            .find(|r| r.scope == m)
            .map_or(0.0, |r| r.expected_shortfall_t)
    };
    v.materials
        .iter()
        .filter(|m| p.futures.materials.iter().any(|x| x.0 == m.material))
        .map(|m| VerifyRow {
            material: m.material.clone(),
            planner_without_t: risk(none, &m.material),
            planner_with_t: risk(plan, &m.material),
            sim_without_t: m.without_t.mean * per_year,
            sim_with_t: m.with_t.mean * per_year,
            sim_p95_without_t: m.without_t.p95 * per_year,
            sim_p95_with_t: m.with_t.p95 * per_year,
            futures_worse: m.futures_worse,
        })
        .collect()
}
