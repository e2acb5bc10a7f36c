//! `GET /api/runs/{id}/report.html`: a finished run as the printable page the command line
//! writes with `--format html`, through the same renderers (`quadrant-report`). The worker
//! renders it when the run ends and stores it with the result, so it is served byte for byte
//! and is as immutable as the result. Simulate and plan runs that ended before pages were
//! stored (schema version 1) are rendered from their stored result or parameters instead.

use crate::api::blocking;
use crate::data::html_text;
use crate::series::{cached, finished, keep, rerun};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use quadrant_plan::run::PlanReport;
use quadrant_store::{JobKind, JobRow};

pub async fn run_report(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let job = finished(&st, id, &JobKind::ALL, "the printed report").await?;
    if let Some(page) = blocking(&st, move |s| s.report(id)).await? {
        return Ok(html_text(&page));
    }
    if let Some(page) = cached(&st.reports, id) {
        return Ok(html_text(&page));
    }
    let page = legacy(&st, &job).await?;
    Ok(html_text(&keep(&st.reports, id, page)))
}

/// The page of a run that ended before pages were stored.
async fn legacy(st: &AppState, job: &JobRow) -> Result<String, ApiError> {
    let id = job.id;
    match job.kind {
        JobKind::Plan => {
            let stored = blocking(st, move |s| s.result(id))
                .await?
                .ok_or_else(|| ApiError::not_found("result of run", id))?;
            let report: PlanReport = serde_json::from_slice(&stored.bytes).map_err(|e| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("the stored plan of run {id} does not read back: {e}"),
                )
            })?;
            Ok(quadrant_report::plan::plan_html(&report))
        }
        JobKind::Simulate => Ok(quadrant_report::sim::sim_html(
            &rerun(st, job).await?.result,
        )),
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!(
                "run {id} ended before printed pages were stored with results; run it again \
                 to print it"
            ),
        )),
    }
}
