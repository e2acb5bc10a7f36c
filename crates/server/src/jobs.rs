//! The workers: take queued runs from the store, run them through `quadrant_sim::api::Session`
//! on blocking threads, record progress, and store the result with the job's end in one
//! transaction (so a half-written result is never served).

use crate::api::{blocking, check_scenario};
use crate::{limits, ApiError, AppState};
use axum::http::StatusCode;
use quadrant_plan::run::{Control, RunOptions};
use quadrant_plan::spec::{CheckedSpec, PlanSpec};
use quadrant_plan::SolverChoice;
use quadrant_sim::api::ChokeRequest;
use quadrant_sim::scenario::Scenario;
use quadrant_store::{JobKind, JobRow, JobState, Output, ScenarioRow};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A run's parameters as submitted (and stored, defaults filled in).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunParams {
    /// simulate, montecarlo, chokepoints or plan.
    pub kind: String,
    /// A shipped scenario's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// A stored scenario's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario_id: Option<i64>,
    /// Monte Carlo futures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<usize>,
    /// Monte Carlo seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Monte Carlo: draw the price response too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draw_params: Option<bool>,
    /// Chokepoints: the bloc.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bloc: Option<String>,
    /// Chokepoints: the material.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material: Option<String>,
    /// Chokepoints: outage length, weeks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weeks: Option<usize>,
    /// Chokepoints: weeks simulated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizon: Option<usize>,
    /// Chokepoints: structure year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<u16>,
    /// Chokepoints: smallest share of a stage's output for a candidate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_share: Option<f64>,
    /// Plan: a shipped plan's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// Plan: a plan file's text (TOML), checked like `quadrant plan FILE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_toml: Option<String>,
    /// Plan: check the portfolio with the simulator (`quadrant plan --verify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<bool>,
}

/// The run's scenario: a stored one (`stored`, already checked readable) or a shipped one by
/// name. Shipped names never reach the file system.
pub fn scenario(
    st: &AppState,
    p: &RunParams,
    stored: Option<&ScenarioRow>,
) -> Result<Scenario, ApiError> {
    match (&p.scenario, stored) {
        (Some(_), Some(_)) | (None, None) => Err(ApiError::invalid(
            "scenario",
            "give either `scenario` (a shipped name) or `scenario_id` (a stored scenario)",
        )),
        (None, Some(row)) => check_scenario(st, &row.name, &row.toml),
        (Some(name), None) => {
            let Some((path, text)) = quadrant_sim::shipped::find(name) else {
                let names: Vec<&str> = quadrant_sim::shipped::SCENARIOS
                    .iter()
                    .map(|s| s.0.trim_end_matches(".toml"))
                    .collect();
                return Err(ApiError::invalid(
                    "scenario",
                    format!(
                        "no shipped scenario {name:?} (shipped: {})",
                        names.join(", ")
                    ),
                ));
            };
            check_scenario(st, &format!("data/scenarios/{path}"), text)
        }
    }
}

/// The run's plan file, checked: a shipped plan by name or a submitted text (named
/// `submitted.toml` in messages). Problems come back as issues with line and field.
pub fn plan_spec(st: &AppState, p: &RunParams) -> Result<CheckedSpec, ApiError> {
    match (&p.plan, &p.plan_toml) {
        (Some(name), None) => {
            let Some(text) = quadrant_plan::shipped::find(name) else {
                let names: Vec<&str> = quadrant_plan::shipped::PLANS.iter().map(|p| p.0).collect();
                return Err(ApiError::invalid(
                    "plan",
                    format!("no shipped plan {name:?} (shipped: {})", names.join(", ")),
                ));
            };
            check_plan(st, &format!("data/plans/{name}.toml"), text, "plan")
        }
        (None, Some(text)) => submitted_plan(st, text),
        _ => Err(ApiError::invalid(
            "plan",
            "give either `plan` (a shipped plan's name) or `plan_toml` (a plan file's text)",
        )),
    }
}

/// A submitted plan file's text (`plan_toml`), checked as a run's submission checks it.
pub fn submitted_plan(st: &AppState, text: &str) -> Result<CheckedSpec, ApiError> {
    if text.len() > limits::MAX_SCENARIO {
        return Err(ApiError::field(
            StatusCode::PAYLOAD_TOO_LARGE,
            "plan_toml",
            format!(
                "{} bytes: a plan file is at most {} bytes",
                text.len(),
                limits::MAX_SCENARIO
            ),
        ));
    }
    check_plan(st, "submitted.toml", text, "plan_toml")
}

/// Parses and checks a plan file as `quadrant plan FILE` does; problems become a 422 on
/// `field` with one issue (file, line, field, expected) each.
fn check_plan(
    st: &AppState,
    file: &str,
    text: &str,
    field: &'static str,
) -> Result<CheckedSpec, ApiError> {
    PlanSpec::parse(file, text, st.ds).map_err(|issues| {
        let lines: Vec<String> = issues.iter().map(|i| i.to_string()).collect();
        let mut err = ApiError::invalid(field, lines.join("\n"));
        err.issues = issues
            .iter()
            .map(|i| serde_json::json!({"file": i.file, "line": i.line, "field": i.field, "expected": i.message}))
            .collect();
        err
    })
}

/// A plan's progress is counted in thousandths.
const PLAN_STEPS: usize = 1000;

/// Takes queued runs one after the other, for as long as the process lives.
pub async fn worker(st: AppState) {
    loop {
        match blocking(&st, |s| s.claim()).await {
            Ok(Some(job)) => run(&st, job).await,
            Ok(None) => {
                tokio::select! {
                    _ = st.wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
            Err(e) => {
                eprintln!("worker: {}", e.message);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Runs one claimed job to its end, watching for cancellation (here or by another process on
/// the same store) and recording progress.
async fn run(st: &AppState, job: JobRow) {
    let id = job.id;
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    st.running
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id, stop.clone());
    // Progress: futures done of a Monte Carlo's; a plan reports its share in steps of
    // PLAN_STEPS; other runs report none until they end.
    let total = match job.kind {
        JobKind::Plan => PLAN_STEPS,
        _ => serde_json::from_str::<RunParams>(&job.params)
            .ok()
            .and_then(|p| p.runs)
            .unwrap_or(0),
    };
    let (st2, stop2, done2) = (st.clone(), stop.clone(), done.clone());
    let mut task = tokio::task::spawn_blocking(move || execute(&st2, &job, &stop2, &done2));
    let outcome = loop {
        tokio::select! {
            r = &mut task => break r,
            _ = tokio::time::sleep(Duration::from_millis(300)) => {
                let p = if total > 0 { done.load(Ordering::Relaxed) as f64 / total as f64 } else { 0.0 };
                let now = blocking(st, move |s| { s.set_progress(id, p.min(0.99))?; s.job(id) }).await;
                if matches!(now, Ok(Some(j)) if j.state != JobState::Running) {
                    stop.store(true, Ordering::SeqCst);
                }
            }
        }
    };
    st.running
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&id);
    let end = match outcome {
        // Cancelled meanwhile: the partial output (or the error a stopped plan returns) is
        // discarded; the job is already cancelled in the store.
        Ok(_) if stop.load(Ordering::SeqCst) => return,
        Ok(Ok(out)) => blocking(st, move |s| s.finish(id, &out.as_output())).await,
        Ok(Err(e)) => blocking(st, move |s| s.fail(id, &e.message)).await,
        Err(e) => {
            let msg = format!("the run stopped unexpectedly: {e}");
            blocking(st, move |s| s.fail(id, &msg)).await
        }
    };
    if let Err(e) = end {
        eprintln!("run {id}: {}", e.message);
    }
}

/// A finished run's result (as the CLI's `--format json` renders it) and its printable page
/// (as `--format html` renders it), rendered now: a Monte Carlo's page needs the histograms
/// its stored summary drops.
pub struct Finished {
    json: String,
    html: String,
}

impl Finished {
    fn as_output(&self) -> Output<'_> {
        Output {
            format: "json",
            bytes: self.json.as_bytes(),
            report: Some(&self.html),
        }
    }
}

/// Computes a job's result and its printable page.
fn execute(
    st: &AppState,
    job: &JobRow,
    stop: &AtomicBool,
    done: &AtomicUsize,
) -> Result<Finished, ApiError> {
    let p: RunParams = serde_json::from_str(&job.params)
        .map_err(|e| ApiError::invalid("params", format!("stored parameters unreadable: {e}")))?;
    let s = &st.session;
    let sim_err = |e: quadrant_sim::api::SimError| ApiError::invalid("scenario", e.to_string());
    let stored = match p.scenario_id {
        Some(id) => Some(
            st.store
                .scenario(id)?
                .ok_or_else(|| ApiError::not_found("scenario", id))?,
        ),
        None => None,
    };
    let (json, html) = match job.kind {
        JobKind::Simulate => {
            let sc = scenario(st, &p, stored.as_ref())?;
            // With the weekly series for the page's charts (not serialised in the result).
            let sim = s.simulate(sc, true).map_err(sim_err)?;
            (
                serde_json::to_string_pretty(&sim.result).expect("results serialise") + "\n",
                quadrant_report::sim::sim_html(&sim.result),
            )
        }
        JobKind::Montecarlo => {
            let sc = scenario(st, &p, stored.as_ref())?;
            let runs = p.runs.unwrap_or(1000);
            let mc = s
                .montecarlo(
                    &sc,
                    runs,
                    p.seed.unwrap_or(1),
                    p.draw_params.unwrap_or(false),
                    stop,
                    done,
                )
                .map_err(sim_err)?;
            (
                quadrant_report::sim::mc_json(&mc.result),
                quadrant_report::sim::mc_html(&mc.result),
            )
        }
        JobKind::Chokepoints => {
            let q = ChokeRequest {
                bloc: p.bloc.clone().unwrap_or_else(|| "QUAD".into()),
                material: p.material.clone().unwrap_or_default(),
                weeks: p.weeks.unwrap_or(26),
                horizon: p.horizon.unwrap_or(78),
                year: p.year.unwrap_or(2024),
                min_share: p.min_share.unwrap_or(0.01),
            };
            let r = s.chokepoints(&q).map_err(sim_err)?;
            (
                serde_json::to_string_pretty(&r.rows).expect("chokepoints serialise") + "\n",
                quadrant_report::choke::choke_html(&r),
            )
        }
        JobKind::Plan => {
            let spec = plan_spec(st, &p)?;
            let opt = RunOptions {
                solver: SolverChoice::Microlp,
                verify: p.verify.unwrap_or(false),
            };
            let progress = |share: f64| {
                done.store((share * PLAN_STEPS as f64) as usize, Ordering::Relaxed);
            };
            let ctl = Control {
                progress: &progress,
                stop,
            };
            let report = quadrant_plan::run::run_with_progress(st.ds, s, &spec, opt, &ctl)
                .map_err(|e| ApiError::invalid("plan", e.to_string()))?;
            (
                quadrant_report::plan::plan_json(&report),
                quadrant_report::plan::plan_html(&report),
            )
        }
    };
    Ok(Finished { json, html })
}
