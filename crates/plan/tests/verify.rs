//! The shipped ethical-cobalt plan checked by the simulator on the plan's own futures: the
//! planned refinery (Cobalt Blue, Kwinana) must not leave the Quad worse off in any future.
//! Before rerouted orders followed the output a refinery can produce given its ore, the
//! simulator found it raised the Quad's shortfall in 8 of the 20 futures (161 → 172 t a year).

use quadrant_plan::run::{run, RunOptions};
use quadrant_plan::spec::PlanSpec;
use quadrant_plan::SolverChoice;
use quadrant_sim::api::Session;
use quadrant_sim::params::Params;

#[test]
fn the_ethical_cobalt_plan_never_makes_the_simulated_shortfall_worse() {
    let ds = quadrant_data::load_embedded().unwrap();
    let text = quadrant_plan::shipped::find("ethical-cobalt").unwrap();
    let spec = PlanSpec::parse("ethical-cobalt.toml", text, &ds).unwrap();
    let session = Session::new(&ds, Params::shipped());
    let opt = RunOptions {
        solver: SolverChoice::Microlp,
        verify: true,
    };
    let report = run(&ds, &session, &spec, opt).unwrap();
    assert!(
        report
            .portfolio
            .iter()
            .any(|p| p.stage == "refining" && p.host == "AUS"),
        "the plan funds no Australian refinery: the check would be vacuous ({:?})",
        report.portfolio
    );
    let v = report
        .verify
        .iter()
        .find(|r| r.material == "cobalt")
        .unwrap();
    assert!(v.sim_without_t > 0.0, "{v:?}");
    assert!(v.planner_with_t < v.planner_without_t, "{v:?}");
    assert_eq!(v.futures_worse, 0, "{v:?}");
    assert!(v.sim_with_t <= v.sim_without_t, "{v:?}");
}
