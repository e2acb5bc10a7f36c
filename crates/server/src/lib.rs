//! The workbench's HTTP API: the dataset, indicators and the brief, scenarios, and runs as
//! background jobs kept in the store (`quadrant-store`), so that a run survives a restart.
//! Glue only: the figures come from `quadrant-metrics`, the runs from `quadrant_sim::api::Session`,
//! the renderings from `quadrant-report`, exactly as the command line calls them.

mod api;
mod assets;
mod dash;
mod data;
mod error;
mod jobs;
pub mod limits;
mod print;
mod routes;
mod series;

pub use error::ApiError;
pub use routes::{router, RouteList};

use quadrant_metrics::brief::Ctx;
use quadrant_model::Dataset;
use quadrant_sim::api::Session;
use quadrant_sim::params::Params;
use quadrant_store::Store;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

/// The OpenAPI 3 document served at `/api/openapi.json`.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// Why the server could not start. A cause is in the message or is the `source`, never both:
/// a printer of error chains (anyhow's `{:#}`) would show it twice.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The store could not be opened or migrated.
    #[error("store: {0}")]
    Store(quadrant_store::StoreError),
    /// The address could not be bound, or serving failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl From<quadrant_store::StoreError> for ServerError {
    fn from(e: quadrant_store::StoreError) -> Self {
        ServerError::Store(e)
    }
}

/// What every handler shares. The dataset and the session live as long as the process.
pub struct Shared {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The dataset.
    pub ds: &'static Dataset,
    /// The indicator context (trade and GeoPolRisk indexes built once).
    pub ctx: Ctx<'static>,
    /// The simulation session every job runs in.
    pub session: Session<'static>,
    /// Stop flags of the jobs this process runs, by job id.
    pub running: Mutex<HashMap<i64, Arc<AtomicBool>>>,
    /// Rendered briefs, by request (bounded).
    pub briefs: Mutex<HashMap<String, Arc<String>>>,
    /// Weekly series of finished simulations, by run id (bounded).
    pub series: Mutex<HashMap<i64, Arc<String>>>,
    /// Printed reports of finished runs, by run id (bounded).
    pub reports: Mutex<HashMap<i64, Arc<String>>>,
    /// Wakes the workers when a job is queued.
    pub wake: tokio::sync::Notify,
}

/// The state handlers receive.
pub type AppState = Arc<Shared>;

impl Shared {
    /// State over `store` for `ds` with simulator `params`.
    pub fn new(store: Box<dyn Store>, ds: &'static Dataset, params: Params) -> AppState {
        Arc::new(Shared {
            store: Arc::from(store),
            ds,
            ctx: Ctx::new(ds),
            session: Session::new(ds, params),
            running: Mutex::new(HashMap::new()),
            briefs: Mutex::new(HashMap::new()),
            series: Mutex::new(HashMap::new()),
            reports: Mutex::new(HashMap::new()),
            wake: tokio::sync::Notify::new(),
        })
    }
}

/// Re-queues the runs a previous process left running (they are never silently lost) and
/// starts the workers; returns the re-queued job ids.
pub fn start_workers(state: &AppState) -> Result<Vec<i64>, ServerError> {
    // Off the async threads: the PostgreSQL client blocks (multi-threaded runtime needed).
    let requeued = tokio::task::block_in_place(|| state.store.requeue_running())?;
    for _ in 0..limits::MAX_RUNNING {
        tokio::spawn(jobs::worker(state.clone()));
    }
    Ok(requeued)
}

/// Serves the API on `addr` until the process ends. Prints the address it listens on (with a
/// port 0 in `addr`, the one the system chose) on standard output.
pub fn serve(db: &str, addr: SocketAddr, ds: Dataset, params: Params) -> Result<(), ServerError> {
    let store = quadrant_store::open(db)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        // The dataset lives as long as the server; the indexes borrow it.
        let state = Shared::new(store, Box::leak(Box::new(ds)), params);
        let requeued = start_workers(&state)?;
        if !requeued.is_empty() {
            eprintln!(
                "re-queued {} unfinished run(s): {requeued:?}",
                requeued.len()
            );
        }
        let listener = tokio::net::TcpListener::bind(addr).await?;
        println!("listening on http://{}", listener.local_addr()?);
        let app = router(state).0;
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await?;
        Ok::<(), ServerError>(())
    })
}
