//! `GET /api/runs/{id}/series`: a finished simulation's weekly series for the dashboard's
//! charts, dated. The stored result holds the KPIs as `quadrant simulate --format json` prints
//! them; the series are recomputed from the run's stored parameters through the same session
//! (a run is deterministic, so they are those of the stored run) and kept in memory.

use crate::api::blocking;
use crate::jobs::{self, RunParams};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use quadrant_sim::api::Simulation;
use quadrant_sim::scenario::days;
use quadrant_store::{JobKind, JobRow, JobState};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// `YYYY-MM-DD` of `d` days since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm).
fn civil(d: i64) -> String {
    let z = d + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The dashboard's series of one simulation: per material, the date of each week, world
/// prices per stage, and the bloc's and each member's shortfall, price paid and holdings.
pub fn series_json(sim: &Simulation) -> Value {
    let sc = &sim.scenario;
    let start = sc.observed.as_ref().and_then(|o| o.start_date.clone());
    let materials: Vec<Value> = sim
        .result
        .materials
        .iter()
        .zip(&sim.nets)
        .filter_map(|(m, net)| {
            let s = m.series.as_ref()?;
            // Week 0 is the first week of the year after the network's year, unless the
            // scenario dates it (observed.start_date).
            let week0 = start
                .clone()
                .unwrap_or_else(|| format!("{}-01-01", m.year + 1));
            let d0 = days(&week0)?;
            let dates: Vec<String> = (0..s.price.len() as i64)
                .map(|w| civil(d0 + 7 * w))
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
                "week0": week0,
                "dates": dates,
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

#[cfg(test)]
mod tests {
    #[test]
    fn civil_dates_round_trip() {
        for d in [
            "1970-01-01",
            "2000-02-29",
            "2025-01-06",
            "2024-12-31",
            "2100-03-01",
        ] {
            assert_eq!(super::civil(quadrant_sim::scenario::days(d).unwrap()), d);
        }
    }
}
