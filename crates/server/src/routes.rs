//! The router, built through a list that records every (method, path) it registers: the
//! OpenAPI test compares that list with the served document.

use crate::{api, assets, dash, data, limits, print, series, ApiError, AppState};
use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, Request, State};
use axum::handler::Handler;
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use std::net::SocketAddr;

/// Every (method, path) the router serves, as registered.
#[derive(Debug, Clone, Default)]
pub struct RouteList(pub Vec<(&'static str, &'static str)>);

struct Builder {
    router: Router<AppState>,
    list: RouteList,
    state: AppState,
}

impl Builder {
    fn get<H: Handler<T, AppState>, T: 'static>(mut self, path: &'static str, h: H) -> Self {
        self.router = self.router.route(path, get(h));
        self.list.0.push(("get", path));
        self
    }
    fn post<H: Handler<T, AppState>, T: 'static>(mut self, path: &'static str, h: H) -> Self {
        self.router = self.router.route(path, post(h));
        self.list.0.push(("post", path));
        self
    }
    /// A route of one run (`/api/runs/{id}…`): served only to a caller who may see the run.
    fn run(mut self, method: &'static str, path: &'static str, m: MethodRouter<AppState>) -> Self {
        let guard = middleware::from_fn_with_state(self.state.clone(), api::visible_run);
        self.router = self.router.route(path, m.route_layer(guard));
        self.list.0.push((method, path));
        self
    }
}

/// The API's router over `state`, and the routes it serves.
pub fn router(state: AppState) -> (Router, RouteList) {
    let b = Builder {
        router: Router::new(),
        list: RouteList::default(),
        state: state.clone(),
    }
    .get("/api/openapi.json", api::openapi)
    .get("/api/health", api::health)
    .get("/api/dataset/materials", data::materials)
    .get("/api/dataset/countries", data::countries)
    .get("/api/dataset/sources", data::sources)
    .get("/api/dataset/ownership", data::ownership)
    .get("/api/dataset/flows", data::flows)
    .get("/api/dataset/blocs", data::blocs)
    .get("/api/dataset/financiers", data::financiers)
    .get("/api/dataset/candidates", data::candidates)
    .get("/api/indicators", data::indicators)
    .get("/api/brief", data::brief)
    .get("/api/brief.html", data::brief_html)
    .get("/api/map", dash::map)
    .get("/api/supply", dash::supply)
    .get("/api/countries/{id}/profile", dash::profile)
    .get("/api/plans", dash::plans)
    .get("/api/plans/{name}", dash::plan_file)
    .post("/api/plans/validate", dash::validate_plan)
    .get("/api/scenarios", api::list_scenarios)
    .post("/api/scenarios", api::create_scenario)
    .post("/api/scenarios/validate", dash::validate)
    .get("/api/scenarios/shipped/{name}", dash::shipped)
    .get("/api/scenarios/{id}", api::get_scenario)
    .post("/api/scenarios/{id}/share", api::share_scenario)
    .get("/api/runs", api::list_runs)
    .post("/api/runs", api::submit_run)
    .run("get", "/api/runs/{id}", get(api::get_run))
    .run("get", "/api/runs/{id}/events", get(api::run_events))
    .run("post", "/api/runs/{id}/cancel", post(api::cancel_run))
    .run("get", "/api/runs/{id}/result", get(api::run_result))
    .run("get", "/api/runs/{id}/series", get(series::run_series))
    .run("get", "/api/runs/{id}/report.html", get(print::run_report));
    let mut list = b.list;
    // The dashboard's files hold no data: served to any client, outside the token check.
    list.0.push(("get", "/"));
    list.0.push(("get", "/assets/{file}"));
    let router = b
        .router
        .fallback(|| async {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "no such route; see /api/openapi.json",
            )
        })
        .layer(middleware::from_fn_with_state(state.clone(), caller))
        .layer(axum::extract::DefaultBodyLimit::max(limits::MAX_BODY))
        .route("/", get(assets::index))
        .route("/assets/{file}", get(assets::asset))
        .with_state(state);
    (router, list)
}

/// Who is asking: the token presented (verified), and whether from this machine.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    /// The verified token's id.
    pub token: Option<i64>,
}

impl Caller {
    /// The token id, or 401: writing needs a token.
    pub fn writer(&self) -> Result<i64, ApiError> {
        self.token.ok_or_else(|| {
            ApiError::field(
                StatusCode::UNAUTHORIZED,
                "Authorization",
                "writing needs `Authorization: Bearer TOKEN` (create one with `quadrant token create`)",
            )
        })
    }
}

/// Verifies the bearer token, if any; reading from off the machine needs one too.
async fn caller(
    State(st): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    // The peer, as the server records it (or as a test mocks it).
    let ext = req.extensions();
    let peer = ext
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
        .or_else(|| ext.get::<MockConnectInfo<SocketAddr>>().map(|c| c.0));
    let loopback = peer.is_some_and(|p| p.ip().is_loopback());
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("").to_string());
    let token = match presented {
        None => None,
        Some(h) => {
            let Some(t) = h.strip_prefix("Bearer ").map(str::trim).map(String::from) else {
                return Err(ApiError::field(
                    StatusCode::UNAUTHORIZED,
                    "Authorization",
                    "expected `Bearer TOKEN`",
                ));
            };
            let id = api::blocking(&st, move |s| quadrant_store::token::verify(s, &t)).await?;
            if id.is_none() {
                return Err(ApiError::field(
                    StatusCode::UNAUTHORIZED,
                    "Authorization",
                    "unknown or revoked token",
                ));
            }
            id
        }
    };
    if !loopback && token.is_none() {
        return Err(ApiError::field(
            StatusCode::UNAUTHORIZED,
            "Authorization",
            "reading is open on loopback only; from elsewhere send `Authorization: Bearer TOKEN`",
        ));
    }
    req.extensions_mut().insert(Caller { token });
    Ok(next.run(req).await)
}
