//! The API test harness, for both stores: SQLite always, PostgreSQL when `QUADRANT_TEST_PG`
//! names one. Requests go through the router in process, from a loopback peer unless a test
//! says not. The PostgreSQL client blocks (it runs its own runtime): every direct store call
//! here, and the store's drop, run off the async threads (`block_in_place`).
#![allow(dead_code)]

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use quadrant_model::Dataset;
use quadrant_server::{router, AppState, Shared};
use quadrant_store::{JobState, Store};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;
use tower::ServiceExt;

/// Tests share one PostgreSQL database and its queue: they run one at a time.
// An async mutex: the guard is held across awaits (each test has its own runtime).
pub static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub fn dataset() -> &'static Dataset {
    static DS: OnceLock<Dataset> = OnceLock::new();
    DS.get_or_init(|| quadrant_data::load_embedded().expect("embedded dataset"))
}

/// The stores to test: SQLite in memory, and PostgreSQL (its queue emptied) when configured.
/// The in-memory SQLite store alone, for tests that need one store.
pub fn sqlite() -> Box<dyn Store> {
    Box::new(quadrant_store::SqliteStore::memory().unwrap())
}

pub fn stores() -> Vec<(&'static str, Box<dyn Store>)> {
    tokio::task::block_in_place(open_stores)
}

fn open_stores() -> Vec<(&'static str, Box<dyn Store>)> {
    let mut v: Vec<(&'static str, Box<dyn Store>)> = vec![(
        "sqlite",
        Box::new(quadrant_store::SqliteStore::memory().unwrap()),
    )];
    if let Ok(url) = std::env::var("QUADRANT_TEST_PG") {
        let s = quadrant_store::open(&url).expect("QUADRANT_TEST_PG opens");
        for state in [JobState::Queued, JobState::Running] {
            for j in s.jobs_in(state).unwrap() {
                let _ = s.cancel(j.id, "cleared by the API tests");
            }
        }
        v.push(("postgres", s));
    }
    v
}

pub struct Api {
    state: Option<AppState>,
    app: Option<Router>,
    pub peer: SocketAddr,
}

impl Drop for Api {
    fn drop(&mut self) {
        let (state, app) = (self.state.take(), self.app.take());
        tokio::task::block_in_place(move || drop((app, state)));
    }
}

impl Api {
    pub fn new(store: Box<dyn Store>) -> Api {
        let state = Shared::new(store, dataset(), quadrant_sim::params::Params::shipped());
        let app = router(state.clone()).0;
        Api {
            state: Some(state),
            app: Some(app),
            peer: "127.0.0.1:40000".parse().unwrap(),
        }
    }
    pub fn state(&self) -> &AppState {
        self.state.as_ref().expect("live until dropped")
    }
    /// `f` on the store, off the async threads.
    pub fn store<R>(&self, f: impl FnOnce(&dyn Store) -> R) -> R {
        tokio::task::block_in_place(|| f(&*self.state().store))
    }
    pub fn token(&self, name: &str) -> String {
        self.store(|s| quadrant_store::token::create(s, name).unwrap().1)
    }
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> (StatusCode, Vec<u8>, axum::http::HeaderMap) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let req = req
            .header("content-type", "application/json")
            .body(body.map_or_else(Body::empty, Body::from))
            .unwrap();
        let app = self
            .app
            .clone()
            .expect("live until dropped")
            .layer(MockConnectInfo(self.peer));
        let res = app.oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        (status, bytes, headers)
    }
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let (s, b, _) = self.call("GET", path, None, None).await;
        (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
    }
    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        let (s, b, _) = self.call("POST", path, token, Some(body.to_string())).await;
        (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
    }
    /// Polls a run until it ends (at most `secs`).
    pub async fn wait(&self, id: i64, secs: u64) -> Value {
        for _ in 0..secs * 10 {
            let (_, v) = self.get(&format!("/api/runs/{id}")).await;
            if ["done", "failed", "cancelled"].contains(&v["state"].as_str().unwrap_or("")) {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("run {id} did not end in {secs} s");
    }
}
