//! `GET /api/runs/{id}/report.html`: a finished run as the printable page the command line
//! writes with `--format html`, through the same renderers (`quadrant-report`). A plan's page
//! is rendered from its stored result (the report reads back from its JSON); a simulation's
//! from the run made again from its stored parameters, with its weekly series (runs are
//! deterministic). Pages are kept in memory, bounded.

use crate::api::blocking;
use crate::data::html_text;
use crate::series::{cached, finished, keep, rerun};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use quadrant_plan::run::PlanReport;
use quadrant_store::JobKind;

/// The kinds of run with a printed report.
const PRINTED: [JobKind; 2] = [JobKind::Simulate, JobKind::Plan];

pub async fn run_report(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    if let Some(page) = cached(&st.reports, id) {
        return Ok(html_text(&page));
    }
    let job = finished(&st, id, &PRINTED, "the printed report").await?;
    let page = match job.kind {
        JobKind::Plan => {
            let stored = blocking(&st, move |s| s.result(id))
                .await?
                .ok_or_else(|| ApiError::not_found("result of run", id))?;
            let report: PlanReport = serde_json::from_slice(&stored.bytes).map_err(|e| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("the stored plan of run {id} does not read back: {e}"),
                )
            })?;
            quadrant_report::plan::plan_html(&report)
        }
        _ => quadrant_report::sim::sim_html(&rerun(&st, &job).await?.result),
    };
    Ok(html_text(&keep(&st.reports, id, page)))
}
