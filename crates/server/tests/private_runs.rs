//! A run of a private stored scenario is as private as the scenario, on both stores (SQLite
//! always, PostgreSQL when `QUADRANT_TEST_PG` names one).

mod common;

use axum::http::StatusCode;
use common::{stores, Api, SERIAL};
use quadrant_server::start_workers;
use serde_json::{json, Value};
use std::time::Duration;

/// Every route of one run.
const ROUTES: [&str; 5] = ["", "/events", "/result", "/series", "/report.html"];

async fn get_as(api: &Api, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    let (s, b, _) = api.call("GET", path, token, None).await;
    (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

/// The run ids `token`'s holder sees listed (at most `limit`).
async fn listed(api: &Api, token: Option<&str>, limit: usize) -> Vec<i64> {
    let (s, v) = get_as(api, &format!("/api/runs?limit={limit}"), token).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

async fn wait_as(api: &Api, id: i64, token: &str) {
    for _ in 0..1200 {
        let (_, v) = get_as(api, &format!("/api/runs/{id}"), Some(token)).await;
        match v["state"].as_str() {
            Some("done") => return,
            Some("failed" | "cancelled") => panic!("run {id}: {v}"),
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("run {id} did not end");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_of_a_private_scenario_is_its_authors_until_shared() {
    let _g = SERIAL.lock().await;
    for (name, store) in stores() {
        let api = Api::new(store);
        start_workers(api.state()).unwrap();
        let (alice, bob) = (api.token("alice"), api.token("bob"));
        let run = |body: Value| {
            let api = &api;
            let alice = alice.clone();
            async move {
                let (s, v) = api.post("/api/runs", Some(&alice), body).await;
                assert_eq!(s, StatusCode::ACCEPTED, "{v}");
                v["id"].as_i64().unwrap()
            }
        };
        // A run of a shipped scenario, then one of alice's private scenario.
        let open = run(json!({"kind": "simulate", "scenario": "drc-cobalt-2025"})).await;
        let toml = quadrant_sim::shipped::find("drc-cobalt-2025").unwrap().1;
        let (s, v) = api
            .post(
                "/api/scenarios",
                Some(&alice),
                json!({"name": "mine.toml", "toml": toml}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{name}: {v}");
        let sid = v["id"].as_i64().unwrap();
        let private = run(json!({"kind": "simulate", "scenario_id": sid})).await;
        wait_as(&api, open, &alice).await;
        wait_as(&api, private, &alice).await;

        for route in ROUTES {
            let path = format!("/api/runs/{private}{route}");
            for (who, t) in [("anyone", None), ("bob", Some(bob.as_str()))] {
                let (s, v) = get_as(&api, &path, t).await;
                assert_eq!(s, StatusCode::NOT_FOUND, "{name}: {who} {path}: {v}");
            }
            let (s, _) = get_as(&api, &path, Some(&alice)).await;
            assert_eq!(s, StatusCode::OK, "{name}: alice {path}");
        }
        let cancel = format!("/api/runs/{private}/cancel");
        let (s, _) = api.post(&cancel, Some(&bob), json!({})).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{name}: bob cancels");
        // Listed to alice only; the others' latest visible run fills the limit.
        assert!(listed(&api, Some(&alice), 50).await.contains(&private));
        for t in [None, Some(bob.as_str())] {
            assert!(!listed(&api, t, 50).await.contains(&private), "{name}");
            assert_eq!(listed(&api, t, 1).await, vec![open], "{name}");
        }

        let (s, _) = api
            .post(
                &format!("/api/scenarios/{sid}/share"),
                Some(&alice),
                json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{name}");
        for route in ROUTES {
            let path = format!("/api/runs/{private}{route}");
            let (s, _) = get_as(&api, &path, None).await;
            assert_eq!(s, StatusCode::OK, "{name}: shared {path}");
        }
        assert_eq!(listed(&api, Some(&bob), 1).await, vec![private], "{name}");
    }
}
