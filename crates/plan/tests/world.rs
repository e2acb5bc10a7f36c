//! The shipped world as a plan's problem: candidates filtered as the plan file asks, no
//! project that already produces, financiers' mandates carried over, the simulator's futures
//! per member, and a plan that never spends more than the financiers' budgets.

use quadrant_model::{Dataset, Stage};
use quadrant_plan::spec::PlanSpec;
use quadrant_plan::world::problem;
use quadrant_plan::SolverChoice;
use quadrant_sim::api::Session;
use quadrant_sim::params::Params;
use std::sync::atomic::{AtomicBool, Ordering};

fn small(name: &str) -> String {
    quadrant_plan::shipped::find(name)
        .unwrap()
        .replace("count = 20", "count = 3")
        .replace("horizon_years = 10", "horizon_years = 5")
}

#[test]
fn the_lithium_plan_sees_the_quad_candidates_and_the_members_futures() {
    let ds: Dataset = quadrant_data::load_embedded().unwrap();
    let spec = PlanSpec::parse("lithium.toml", &small("lithium-processing"), &ds).unwrap();
    let s = Session::new(&ds, Params::shipped());
    let sc = s.scenario("montecarlo-quad").unwrap();
    let fut = s.futures(&sc, 3, 2026, 5).unwrap();
    let w = problem(&ds, &spec, &fut, SolverChoice::Microlp).unwrap();
    let p = &w.problem;
    let quad = ["AUS", "IND", "JPN", "USA"];
    assert!(p.candidates.len() >= 5, "{}", p.candidates.len());
    for c in &p.candidates {
        assert!(quad.contains(&c.host.0.as_str()), "{}", c.id);
        assert_eq!(c.material.0, "lithium");
        assert!(c.capacity_t > 0.0 && c.capex_usd_m > 0.0, "{}", c.id);
        let proj = ds.curated.projects.iter().find(|x| x.id == c.id);
        assert!(proj.is_none_or(|x| x.status != "operating"), "{}", c.id);
    }
    assert!(p.candidates.iter().any(|c| c.stage == Stage::Mining));
    // A home-only financier may fund only at home.
    let efa = p.financiers.iter().find(|f| f.id == "efa_cmf").unwrap();
    assert!(efa.home_only);
    for c in &p.candidates {
        assert_eq!(
            efa.eligible(c),
            c.host.0 == "AUS"
                && efa
                    .eligible_stages
                    .as_ref()
                    .is_none_or(|s| s.contains(&c.stage))
        );
    }
    // Futures: one shortfall per year and member; members' shortfalls are the simulator's.
    assert_eq!(p.futures.members.len(), 4);
    for (f, sf) in p.futures.futures.iter().zip(&fut.futures) {
        let m = fut.materials.iter().position(|x| x == "lithium").unwrap();
        for (y, yr) in sf.materials[m].years.iter().enumerate() {
            assert_eq!(f.shortfall_t[0][y], yr.member_shortfall_t);
        }
        assert!(f
            .feed
            .iter()
            .any(|x| x.country.0 == "AUS" && x.t_per_year > 0.0));
    }
    // The plan spends no more than any financier's yearly budget.
    let plan = quadrant_plan::solve(p).unwrap();
    for f in &p.financiers {
        let spent: f64 = plan
            .funding
            .iter()
            .filter(|x| x.financier == f.id)
            .map(|x| x.usd_m)
            .sum();
        let cap: f64 = (0..p.options.horizon_years)
            .map(|y| f.budget_usd_m.in_year(y))
            .sum();
        assert!(spent <= cap + 1e-6, "{}: {spent} > {cap}", f.id);
    }
}

#[test]
fn a_world_pool_material_is_refused_with_the_reason() {
    let ds: Dataset = quadrant_data::load_embedded().unwrap();
    let text = small("ethical-cobalt")
        .replace("materials = [\"cobalt\"]", "materials = [\"graphite\"]")
        .replace("scope = \"cobalt\"", "scope = \"bloc\"");
    let spec = PlanSpec::parse("g.toml", &text, &ds).unwrap();
    let s = Session::new(&ds, Params::shipped());
    let sc = s.scenario("montecarlo-quad").unwrap();
    let fut = s.futures(&sc, 2, 1, 2).unwrap();
    let e = problem(&ds, &spec, &fut, SolverChoice::Microlp).unwrap_err();
    assert!(e.contains("world pool"), "{e}");
}

#[test]
fn a_plan_run_reports_its_progress_and_reads_back_from_its_json() {
    use quadrant_plan::run::{run_with_progress, Control, PlanReport, RunOptions};
    let ds: Dataset = quadrant_data::load_embedded().unwrap();
    let spec = PlanSpec::parse("cobalt.toml", &small("ethical-cobalt"), &ds).unwrap();
    let s = Session::new(&ds, Params::shipped());
    let seen = std::cell::RefCell::new(Vec::new());
    let opt = RunOptions {
        solver: SolverChoice::Microlp,
        verify: false,
    };
    let ctl = Control {
        progress: &|x| seen.borrow_mut().push(x),
        stop: &AtomicBool::new(false),
    };
    let r = run_with_progress(&ds, &s, &spec, opt, &ctl).unwrap();
    // Futures, the plan, marginal values, nothing built, without ethics, coordination.
    let seen = seen.into_inner();
    assert_eq!(seen.len(), 6, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    assert_eq!(seen.last(), Some(&1.0));
    // The JSON a server stores reads back into the report its printed page is made from.
    let back: PlanReport = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
    assert_eq!(back.portfolio.len(), r.portfolio.len());
    assert_eq!(back.plan.solver, "microlp");
    assert!(back.coordination.is_some() && back.ethics.is_some());
}

#[test]
fn a_stopped_plan_run_ends_cancelled_before_its_next_solve() {
    use quadrant_plan::run::{run_with_progress, Control, RunError, RunOptions};
    let ds: Dataset = quadrant_data::load_embedded().unwrap();
    let spec = PlanSpec::parse("cobalt.toml", &small("ethical-cobalt"), &ds).unwrap();
    let s = Session::new(&ds, Params::shipped());
    let opt = RunOptions {
        solver: SolverChoice::Microlp,
        verify: true,
    };
    // Stopped before it starts: nothing is drawn or solved, so no part reports progress.
    let seen = std::cell::RefCell::new(Vec::new());
    let stop = AtomicBool::new(true);
    let ctl = Control {
        progress: &|x| seen.borrow_mut().push(x),
        stop: &stop,
    };
    let r = run_with_progress(&ds, &s, &spec, opt, &ctl);
    assert!(matches!(r, Err(RunError::Cancelled)), "{r:?}");
    assert!(seen.borrow().is_empty(), "{:?}", seen.borrow());
    // Stopped once the futures are drawn: the pooled plan is never solved.
    let seen = std::cell::RefCell::new(Vec::new());
    let stop = AtomicBool::new(false);
    let ctl = Control {
        progress: &|x| {
            seen.borrow_mut().push(x);
            stop.store(true, Ordering::SeqCst);
        },
        stop: &stop,
    };
    let r = run_with_progress(&ds, &s, &spec, opt, &ctl);
    assert!(matches!(r, Err(RunError::Cancelled)), "{r:?}");
    assert_eq!(seen.borrow().len(), 1, "{:?}", seen.borrow());
}
