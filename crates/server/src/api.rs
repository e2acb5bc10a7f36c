//! Scenarios and runs: create, validate, list, share; submit, follow, cancel, read results.

use crate::data::{bloc_arg, material_id, num, Params};
use crate::jobs::{self, RunParams};
use crate::routes::Caller;
use crate::{limits, ApiError, AppState};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use quadrant_sim::api::SimError;
use quadrant_sim::scenario::Scenario;
use quadrant_store::{JobKind, JobRow, JobState, ScenarioRow, Store, StoreError};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

/// Runs `f` on the store from a blocking thread (both back-ends block).
pub async fn blocking<T, F>(st: &AppState, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
{
    let store = st.store.clone();
    tokio::task::spawn_blocking(move || f(&*store))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
        .map_err(ApiError::from)
}

/// A JSON body, with errors naming the field at fault.
pub fn body<T: DeserializeOwned>(b: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    let b = b.map_err(|e| ApiError::field(e.status(), "body", e.body_text()))?;
    let de = &mut serde_json::Deserializer::from_slice(&b);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let msg = e.inner().to_string();
        let path = e.path().to_string();
        // A missing or unknown field is named in the message, not in the path.
        let named = (msg.starts_with("missing field") || msg.starts_with("unknown field"))
            .then(|| msg.split('`').nth(1))
            .flatten();
        let field = match (path.as_str(), named) {
            (".", Some(f)) => f,
            (".", None) => "body",
            (p, _) => p,
        };
        ApiError::field(StatusCode::BAD_REQUEST, field, msg.clone())
    })
}

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], crate::OPENAPI).into_response()
}

pub async fn health(State(st): State<AppState>) -> Result<Json<Value>, ApiError> {
    let version = blocking(&st, |s| s.schema_version()).await?;
    Ok(Json(json!({
        "ok": true,
        "schema_version": version,
        "dataset": st.ds.fingerprint,
        "limits": crate::limits::LIMITS.iter().map(|l| json!({"name": l.name, "value": l.value, "refusal": l.refusal})).collect::<Vec<_>>(),
    })))
}

// ---- scenarios ----

fn scenario_view(r: &ScenarioRow, with_toml: bool) -> Value {
    let mut v = json!({
        "id": r.id, "name": r.name, "author": r.author, "shared": r.shared, "created": r.created,
    });
    if with_toml {
        v["toml"] = r.toml.clone().into();
    }
    v
}

/// A stored scenario `caller` may read (its author's until shared), or 404.
pub async fn readable(
    st: &AppState,
    id: i64,
    caller: Option<i64>,
) -> Result<ScenarioRow, ApiError> {
    let row = blocking(st, move |s| s.scenario(id)).await?;
    match row {
        Some(r) if r.shared || Some(r.author) == caller => Ok(r),
        // A private scenario is not even said to exist.
        _ => Err(ApiError::not_found("scenario", id)),
    }
}

/// A scenario's problems as a 422 listing each with file, line, field and what was expected.
pub fn refused(field: &str, e: SimError) -> ApiError {
    let issues = match &e {
        SimError::Scenario(v) => v
            .iter()
            .map(|i| {
                json!({"file": i.file, "line": i.line, "field": i.field,
                       "expected": i.expected, "found": i.found, "check": i.check})
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut err = ApiError::invalid(field, e.to_string());
    err.issues = issues;
    err
}

/// Parses `text` as the scenario file `name` (the same check and messages as the CLI), and
/// bounds its length.
pub fn check_scenario(st: &AppState, name: &str, text: &str) -> Result<Scenario, ApiError> {
    let sc =
        Scenario::parse(name, text, st.ds).map_err(|v| refused("toml", SimError::Scenario(v)))?;
    if sc.weeks > limits::MAX_WEEKS {
        return Err(ApiError::invalid(
            "weeks",
            format!(
                "{name}: weeks = {}: the server runs at most {} weeks",
                sc.weeks,
                limits::MAX_WEEKS
            ),
        ));
    }
    Ok(sc)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NewScenario {
    name: String,
    toml: String,
}

pub async fn create_scenario(
    State(st): State<AppState>,
    Extension(c): Extension<Caller>,
    b: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let author = c.writer()?;
    let n: NewScenario = body(b)?;
    if n.name.trim().is_empty()
        || n.name.chars().count() > limits::MAX_NAME
        || n.name.chars().any(char::is_control)
    {
        return Err(ApiError::invalid(
            "name",
            format!("expected 1 to {} printable characters", limits::MAX_NAME),
        ));
    }
    if n.toml.len() > limits::MAX_SCENARIO {
        return Err(ApiError::field(
            StatusCode::PAYLOAD_TOO_LARGE,
            "toml",
            format!(
                "{} bytes: a scenario is at most {} bytes",
                n.toml.len(),
                limits::MAX_SCENARIO
            ),
        ));
    }
    let (st2, name, text) = (st.clone(), n.name.clone(), n.toml.clone());
    tokio::task::spawn_blocking(move || check_scenario(&st2, &name, &text).map(|_| ()))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??;
    let id = blocking(&st, move |s| s.add_scenario(&n.name, &n.toml, author)).await?;
    let row = readable(&st, id, Some(author)).await?;
    Ok((StatusCode::CREATED, Json(scenario_view(&row, true))))
}

pub async fn list_scenarios(
    State(st): State<AppState>,
    Extension(c): Extension<Caller>,
) -> Result<Json<Value>, ApiError> {
    let rows = blocking(&st, move |s| s.scenarios(c.token)).await?;
    let shipped: Vec<&str> = quadrant_sim::shipped::SCENARIOS
        .iter()
        .map(|s| s.0.trim_end_matches(".toml"))
        .collect();
    Ok(Json(json!({
        "shipped": shipped,
        "stored": rows.iter().map(|r| scenario_view(r, false)).collect::<Vec<_>>(),
    })))
}

pub async fn get_scenario(
    State(st): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(scenario_view(
        &readable(&st, id, c.token).await?,
        true,
    )))
}

pub async fn share_scenario(
    State(st): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let who = c.writer()?;
    let row = readable(&st, id, Some(who)).await?;
    if row.author != who {
        return Err(ApiError::field(
            StatusCode::FORBIDDEN,
            "id",
            "only its author shares a scenario",
        ));
    }
    blocking(&st, move |s| s.share_scenario(id)).await?;
    Ok(Json(scenario_view(
        &readable(&st, id, Some(who)).await?,
        false,
    )))
}

// ---- runs ----

fn run_view(j: &JobRow) -> Value {
    let params: Value = serde_json::from_str(&j.params).unwrap_or(Value::Null);
    let mut v = json!({
        "id": j.id, "kind": j.kind.as_str(), "state": j.state.as_str(), "progress": j.progress,
        "message": j.message, "params": params, "author": j.author,
        "created": j.created, "started": j.started, "finished": j.finished,
    });
    if j.state == JobState::Done {
        v["result"] = format!("/api/runs/{}/result", j.id).into();
    }
    v
}

async fn job_or_404(st: &AppState, id: i64) -> Result<JobRow, ApiError> {
    blocking(st, move |s| s.job(id))
        .await?
        .ok_or_else(|| ApiError::not_found("run", id))
}

/// Whether `caller` may see `job`: a run of a stored scenario is as private as the scenario
/// (its author's until shared), since its parameters, state and result show what it holds.
/// `seen` memoises scenario ids already looked up.
fn run_visible(
    s: &dyn Store,
    job: &JobRow,
    caller: Option<i64>,
    seen: &mut HashMap<i64, bool>,
) -> Result<bool, StoreError> {
    let params: Value = serde_json::from_str(&job.params).unwrap_or(Value::Null);
    let Some(sid) = params["scenario_id"].as_i64() else {
        return Ok(true);
    };
    if let Some(&v) = seen.get(&sid) {
        return Ok(v);
    }
    let v = s
        .scenario(sid)?
        .is_some_and(|r| r.shared || Some(r.author) == caller);
    seen.insert(sid, v);
    Ok(v)
}

/// The middleware of every `/api/runs/{id}…` route: a run `caller` may not see is a 404, as
/// its private scenario is, before any handler or cache is reached.
pub async fn visible_run(
    State(st): State<AppState>,
    Path(id): Path<i64>,
    Extension(c): Extension<Caller>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let visible = blocking(&st, move |s| match s.job(id)? {
        Some(j) => run_visible(s, &j, c.token, &mut HashMap::new()),
        None => Ok(false),
    })
    .await?;
    if !visible {
        return Err(ApiError::not_found("run", id));
    }
    Ok(next.run(req).await)
}

pub async fn submit_run(
    State(st): State<AppState>,
    Extension(c): Extension<Caller>,
    b: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let author = c.writer()?;
    let p: RunParams = body(b)?;
    let kind = JobKind::parse(&p.kind).ok_or_else(|| {
        ApiError::invalid(
            "kind",
            format!(
                "expected simulate, montecarlo, chokepoints or plan, found {:?}",
                p.kind
            ),
        )
    })?;
    let p = validate(&st, kind, p, author).await?;
    let pending = blocking(&st, |s| {
        Ok(s.jobs_in(JobState::Queued)?.len() + s.jobs_in(JobState::Running)?.len())
    })
    .await?;
    if pending >= limits::MAX_PENDING {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "{pending} runs are queued or running (at most {}): try again when some finish",
                limits::MAX_PENDING
            ),
        ));
    }
    let params = serde_json::to_string(&p).expect("params serialise");
    let id = blocking(&st, move |s| s.add_job(kind, &params, author)).await?;
    st.wake.notify_one();
    Ok((
        StatusCode::ACCEPTED,
        Json(run_view(&job_or_404(&st, id).await?)),
    ))
}

/// Checks a run's parameters before it is queued and fills in the defaults: a bad run is
/// refused now, naming the field, rather than failing later in the queue.
async fn validate(
    st: &AppState,
    kind: JobKind,
    mut p: RunParams,
    author: i64,
) -> Result<RunParams, ApiError> {
    let ds = st.ds;
    if kind == JobKind::Plan {
        let st2 = st.clone();
        let p2 = p.clone();
        tokio::task::spawn_blocking(move || jobs::plan_spec(&st2, &p2).map(|_| ()))
            .await
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??;
        p.verify = Some(p.verify.unwrap_or(false));
        return Ok(p);
    }
    if kind == JobKind::Chokepoints {
        p.bloc = Some(bloc_arg(ds, "bloc", p.bloc.as_deref().unwrap_or("QUAD"))?);
        let m = p
            .material
            .as_deref()
            .ok_or_else(|| ApiError::invalid("material", "a chokepoint run needs a material id"))?;
        p.material = Some(material_id(ds, "material", m)?);
        let start = quadrant_sim::api::OUTAGE_START;
        let horizon = within(
            "horizon",
            p.horizon.unwrap_or(78),
            start + 1,
            limits::MAX_WEEKS,
        )?;
        let weeks = within("weeks", p.weeks.unwrap_or(26), 1, horizon - start)?;
        p.horizon = Some(horizon);
        p.weeks = Some(weeks);
        p.year = Some(p.year.unwrap_or(2024));
        let share = p.min_share.unwrap_or(0.01);
        if !(share > 0.0 && share <= 1.0) {
            return Err(ApiError::invalid(
                "min_share",
                format!("expected a share in (0, 1], found {share}"),
            ));
        }
        p.min_share = Some(share);
        return Ok(p);
    }
    if kind == JobKind::Montecarlo {
        let runs = p.runs.unwrap_or(1000);
        if runs == 0 || runs > limits::MAX_RUNS {
            return Err(ApiError::invalid(
                "runs",
                format!("expected 1 to {} futures, found {runs}", limits::MAX_RUNS),
            ));
        }
        p.runs = Some(runs);
        p.seed = Some(p.seed.unwrap_or(1));
    }
    let stored = match p.scenario_id {
        Some(id) => Some(readable(st, id, Some(author)).await?),
        None => None,
    };
    let (st2, p2) = (st.clone(), p.clone());
    tokio::task::spawn_blocking(move || {
        let sc = jobs::scenario(&st2, &p2, stored.as_ref())?;
        st2.session
            .networks(&sc)
            .map_err(|e| refused("scenario", e))
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??;
    Ok(p)
}

/// `v` within `lo..=hi`, or a 422 naming `field`.
fn within(field: &str, v: usize, lo: usize, hi: usize) -> Result<usize, ApiError> {
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(ApiError::invalid(
            field,
            format!("expected {lo} to {hi}, found {v}"),
        ))
    }
}

/// The latest `limit` runs the caller may see.
pub async fn list_runs(
    State(st): State<AppState>,
    Extension(c): Extension<Caller>,
    q: Params,
) -> Result<Json<Value>, ApiError> {
    let limit = num(&q, "limit", 50i64, 1, limits::MAX_LIST as i64)?;
    let jobs = blocking(&st, move |s| {
        let mut seen = HashMap::new();
        // Hidden runs leave gaps: ask for more until `limit` are visible or none are left.
        let mut ask = limit;
        loop {
            let all = s.jobs(ask)?;
            let mut shown = Vec::new();
            for j in &all {
                if run_visible(s, j, c.token, &mut seen)? {
                    shown.push(j.clone());
                }
            }
            if shown.len() as i64 >= limit || (all.len() as i64) < ask {
                shown.truncate(limit as usize);
                return Ok(shown);
            }
            ask *= 2;
        }
    })
    .await?;
    Ok(Json(json!(jobs.iter().map(run_view).collect::<Vec<_>>())))
}

pub async fn get_run(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(run_view(&job_or_404(&st, id).await?)))
}

/// What cancelling does, said in every cancel response.
pub const CANCELLED: &str =
    "cancelled by its author: a queued run will not start; a running one stops at its next check and its partial output is discarded (no result is stored)";

pub async fn cancel_run(
    State(st): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let who = c.writer()?;
    let job = job_or_404(&st, id).await?;
    if job.author != who {
        return Err(ApiError::field(
            StatusCode::FORBIDDEN,
            "id",
            "only its author cancels a run",
        ));
    }
    let after = blocking(&st, move |s| s.cancel(id, CANCELLED)).await?;
    if let Some(stop) = st
        .running
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&id)
    {
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
    }
    Ok(Json(run_view(&after)))
}

/// A finished run's result, byte for byte as stored; 409 until it is done.
pub async fn run_result(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let job = job_or_404(&st, id).await?;
    if job.state != JobState::Done {
        return Err(ApiError::field(
            StatusCode::CONFLICT,
            "id",
            format!(
                "run {id} is {}: a result is served once the run is done{}",
                job.state,
                if job.message.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", job.message)
                }
            ),
        ));
    }
    let r = blocking(&st, move |s| s.result(id)).await?.ok_or_else(|| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("run {id} is done but has no result"),
        )
    })?;
    let ctype = match r.format.as_str() {
        "csv" => "text/csv",
        _ => "application/json",
    };
    Ok((
        [
            (header::CONTENT_TYPE, ctype.to_string()),
            (header::ETAG, format!("\"{}\"", r.sha256)),
            (
                header::HeaderName::from_static("x-content-sha256"),
                r.sha256,
            ),
        ],
        r.bytes,
    )
        .into_response())
}

/// Progress as Server-Sent Events: an `update` event whenever the run changes, the last one
/// when it ends.
pub async fn run_events(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let first = job_or_404(&st, id).await?;
    let stream = futures_util::stream::unfold(
        (st, Some(first), None::<(JobState, u64, String)>),
        move |(st, mut next, last)| async move {
            loop {
                let job = match next.take() {
                    Some(j) => j,
                    None => {
                        // The previous event was the run's last.
                        if last.as_ref().is_some_and(|l| l.0.is_final()) {
                            return None;
                        }
                        tokio::time::sleep(Duration::from_millis(250)).await;
                        match blocking(&st, move |s| s.job(id)).await {
                            Ok(Some(j)) => j,
                            _ => return None,
                        }
                    }
                };
                let key = (
                    job.state,
                    (job.progress * 1000.0) as u64,
                    job.message.clone(),
                );
                if last.as_ref() != Some(&key) {
                    let ev = Event::default()
                        .event("update")
                        .data(run_view(&job).to_string());
                    return Some((Ok::<_, std::convert::Infallible>(ev), (st, None, Some(key))));
                }
                if job.state.is_final() {
                    return None;
                }
            }
        },
    );
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}
