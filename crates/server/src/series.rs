//! `GET /api/runs/{id}/series`: a finished simulation's weekly series for the dashboard's
//! charts, dated, with the windows of the scenario's events. The stored result holds the KPIs as `quadrant simulate --format json` prints
//! them; the series are recomputed from the run's stored parameters through the same session
//! (a run is deterministic, so they are those of the stored run) and kept in memory.

use crate::api::blocking;
use crate::jobs::{self, RunParams};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use quadrant_sim::api::Simulation;
use quadrant_sim::calendar::date_of_week;
use quadrant_store::{JobKind, JobRow, JobState};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The dashboard's series of one simulation: per material, the date of each week, the events'
/// windows (as the library dates them), world prices per stage, and the bloc's and each
/// member's shortfall, price paid and holdings.
pub fn series_json(sim: &Simulation) -> Value {
    let sc = &sim.scenario;
    let materials: Vec<Value> = sim
        .result
        .materials
        .iter()
        .zip(&sim.nets)
        .filter_map(|(m, net)| {
            let s = m.series.as_ref()?;
            // Dated as the library dates the run (sim::calendar): the same dates as the
            // printed report and the event windows.
            let dates: Vec<String> = (0..s.price.len())
                .map(|w| date_of_week(&m.start_date, w as f64))
                .collect();
            let col = |v: &[Vec<f64>], i: usize| v.iter().map(|w| w[i]).collect::<Vec<f64>>();
            let members: Vec<Value> = m
                .members
                .iter()
                .filter_map(|sh| {
                    let i = m.countries.iter().position(|c| *c == sh.subject)?;
                    Some(json!({
                        "country": sh.subject,
                        "shortfall_t": col(&s.shortfall, i),
                        "desired_t": col(&s.desired, i),
                        "price_paid": col(&s.paid, i),
                        "inventory_t": col(&s.inventory, i),
                    }))
                })
                .collect();
            let prices: Vec<Value> = net
                .stages
                .iter()
                .enumerate()
                .map(|(k, st)| json!({"stage": st.stage.as_str(), "index": col(&s.price, k)}))
                .collect();
            Some(json!({
                "material": m.material,
                "week0": m.start_date,
                "dates": dates,
                "events": m.events,
                "prices": prices,
                "bloc": {
                    "subject": m.bloc.subject,
                    "shortfall_t": s.bloc_shortfall,
                    "price_paid": s.bloc_paid,
                },
                "members": members,
            }))
        })
        .collect();
    json!({ "scenario": sc.name, "bloc": sim.result.bloc, "materials": materials })
}

/// A finished run of `kind`, or 422 (another kind) / 409 (not done yet).
pub async fn finished(
    st: &AppState,
    id: i64,
    kinds: &[JobKind],
    what: &str,
) -> Result<JobRow, ApiError> {
    let job = blocking(st, move |s| s.job(id))
        .await?
        .ok_or_else(|| ApiError::not_found("run", id))?;
    if !kinds.contains(&job.kind) {
        let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        return Err(ApiError::invalid(
            "id",
            format!(
                "run {id} is a {} run: {what} is for {} runs",
                job.kind.as_str(),
                names.join(" and ")
            ),
        ));
    }
    if job.state != JobState::Done {
        return Err(ApiError::field(
            StatusCode::CONFLICT,
            "id",
            format!("run {id} is {}: {what} follows once it is done", job.state),
        ));
    }
    Ok(job)
}

/// A finished simulation run again from its stored parameters, with its weekly series (runs
/// are deterministic: these are the stored run's).
pub async fn rerun(st: &AppState, job: &JobRow) -> Result<Simulation, ApiError> {
    let p: RunParams = serde_json::from_str(&job.params)
        .map_err(|e| ApiError::invalid("params", format!("stored parameters unreadable: {e}")))?;
    let stored = match p.scenario_id {
        Some(sid) => Some(
            blocking(st, move |s| s.scenario(sid))
                .await?
                .ok_or_else(|| ApiError::not_found("scenario", sid))?,
        ),
        None => None,
    };
    let st2 = st.clone();
    tokio::task::spawn_blocking(move || -> Result<Simulation, ApiError> {
        let sc = jobs::scenario(&st2, &p, stored.as_ref())?;
        st2.session
            .simulate(sc, true)
            .map_err(|e| ApiError::invalid("scenario", e.to_string()))
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
}

/// `key`'s entry of a cache.
pub fn cached(cache: &Mutex<HashMap<i64, Arc<String>>>, key: i64) -> Option<Arc<String>> {
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&key)
        .cloned()
}

/// Keeps `text` under `key` in a cache bounded as the briefs' is.
pub fn keep(cache: &Mutex<HashMap<i64, Arc<String>>>, key: i64, text: String) -> Arc<String> {
    let text = Arc::new(text);
    let mut c = cache.lock().unwrap_or_else(|p| p.into_inner());
    if c.len() >= 32 {
        c.clear();
    }
    c.insert(key, text.clone());
    text
}

pub async fn run_series(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let text = match cached(&st.series, id) {
        Some(t) => t,
        None => {
            let job = finished(&st, id, &[JobKind::Simulate], "the weekly series").await?;
            let sim = rerun(&st, &job).await?;
            keep(&st.series, id, series_json(&sim).to_string())
        }
    };
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        text.as_str().to_owned(),
    )
        .into_response())
}
