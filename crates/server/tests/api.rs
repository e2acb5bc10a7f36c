//! The API against both stores: SQLite always, PostgreSQL when `QUADRANT_TEST_PG` names one.

mod common;

use axum::http::StatusCode;
use common::{dataset, stores, Api, SERIAL};
use quadrant_server::{limits, router, start_workers};
use quadrant_store::JobState;
use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn every_route_is_documented_and_every_documented_route_served() {
    let _g = SERIAL.lock().await;
    let api = Api::new(common::sqlite());
    let (_, list) = router(api.state().clone());
    let (status, doc) = api.get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    let mut served: Vec<(String, String)> = list
        .0
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    documented.sort();
    served.sort();
    assert_eq!(
        served, documented,
        "router (left) and OpenAPI document (right) differ"
    );
    // Every documented GET without a path parameter answers (not the fallback's 404).
    for (m, p) in &served {
        if m == "get" && !p.contains('{') {
            let (s, _, _) = api.call("GET", p, None, None).await;
            assert!(s.is_success(), "{p}: {s}");
        }
    }
    let (s, v) = api.get("/api/nowhere").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(v["error"].as_str().unwrap().contains("openapi"));
}

#[tokio::test(flavor = "multi_thread")]
async fn reads_are_open_on_loopback_and_writes_need_a_token() {
    let _g = SERIAL.lock().await;
    for (name, store) in stores() {
        let mut api = Api::new(store);
        let tok = api.token("reader");
        let (s, v) = api.get("/api/dataset/materials").await;
        assert_eq!(s, StatusCode::OK, "{name}");
        assert!(v.as_array().unwrap().iter().any(|m| m["id"] == "cobalt"));
        let body = json!({"name": "x.toml", "toml": "name = \"x\""});
        let (s, v) = api.post("/api/scenarios", None, body.clone()).await;
        assert_eq!(
            (s, v["field"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("Authorization")),
            "{name}"
        );
        let (s, _) = api
            .post("/api/scenarios", Some("qt_1_deadbeef"), body.clone())
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{name}: a wrong token");
        // From off the machine, reading needs the token too.
        api.peer = "10.1.2.3:5000".parse().unwrap();
        let (s, v) = api.get("/api/dataset/materials").await;
        assert_eq!(
            (s, v["field"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("Authorization")),
            "{name}"
        );
        let (s, _, _) = api
            .call("GET", "/api/dataset/materials", Some(&tok), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn dataset_brief_and_indicators_cite_their_sources() {
    let _g = SERIAL.lock().await;
    let api = Api::new(common::sqlite());
    let (s, v) = api.get("/api/dataset/sources").await;
    assert_eq!(s, StatusCode::OK);
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .all(|x| !x["url"].as_str().unwrap().is_empty()
            && !x["publisher"].as_str().unwrap().is_empty()));
    let (s, v) = api.get("/api/dataset/flows?exporter=AUS&limit=3").await;
    assert_eq!(s, StatusCode::OK);
    let flows = v["flows"].as_array().unwrap();
    assert!(!flows.is_empty() && flows.len() <= 3 && flows.iter().all(|f| f["exporter"] == "AUS"));
    let (s, v) = api.get("/api/dataset/flows?limit=5000").await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("limit"))
    );
    let (s, v) = api.get("/api/dataset/flows?exporter=XXY").await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("exporter"))
    );
    // The brief is the CLI's JSON brief, byte for byte.
    let (s, b, _) = api
        .call("GET", "/api/brief?material=cobalt", None, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let ds = dataset();
    let cx = quadrant_metrics::brief::Ctx::new(ds);
    let req = quadrant_metrics::brief::BriefRequest {
        bloc: "QUAD",
        adversary: ds.country("CHN").unwrap(),
        year: 2024,
        materials: vec![ds.material("cobalt").unwrap()],
        top_n: 5,
    };
    let expected =
        quadrant_report::brief_json(&quadrant_metrics::brief::brief(&cx, &req).unwrap()) + "\n";
    assert_eq!(String::from_utf8(b).unwrap(), expected);
    // Each origin trace carries its sources as one string.
    let v: Value = serde_json::from_str(&expected).unwrap();
    let stages = v["materials"][0]["stages"].as_array().unwrap();
    let o = stages.iter().find_map(|s| s["origin"].as_object()).unwrap();
    assert!(
        o["source"]
            .as_str()
            .unwrap()
            .contains("+BACI-HS92-V202401b 20"),
        "{o:?}"
    );
    let (s, v) = api.get("/api/indicators?material=cobalt&bloc=NOPE").await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("bloc"))
    );
    let (s, v) = api.get("/api/indicators?material=cobalt&year=abc").await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("year"))
    );
    let (s, v) = api.get("/api/indicators?material=cobalt").await;
    assert_eq!(s, StatusCode::OK);
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .all(|f| !f["source"].as_str().unwrap().is_empty()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scenario_is_checked_like_the_cli_and_private_until_shared() {
    let _g = SERIAL.lock().await;
    for (name, store) in stores() {
        let api = Api::new(store);
        let (alice, bob) = (api.token("alice"), api.token("bob"));
        let bad = "name = \"bad\"\nmaterials = [\"cobalt\"]\nbloc = \"QUAD\"\nbase_year = 2024\nweeks = 52\n\n[[event]]\nkind = \"export_restriction\"\nexporter = \"COD\"\nmaterial = \"cobalt\"\nstage = \"mining\"\ntargets = \"all\"\nshare = 7.0\nstart_week = 3\nduration_weeks = 5\n";
        let (s, v) = api
            .post(
                "/api/scenarios",
                Some(&alice),
                json!({"name": "bad.toml", "toml": bad}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {v}");
        // The same message the CLI prints for a file of that name.
        let issues = quadrant_sim::scenario::Scenario::parse("bad.toml", bad, dataset())
            .expect_err("refused");
        let cli = quadrant_sim::api::SimError::Scenario(issues).to_string();
        assert_eq!(v["error"].as_str().unwrap(), cli, "{name}");
        let first = &v["issues"][0];
        assert_eq!(first["file"], "bad.toml");
        assert!(
            first["line"].as_u64().is_some() && !first["field"].as_str().unwrap().is_empty(),
            "{v}"
        );

        let good = quadrant_sim::shipped::find("drc-cobalt-2025").unwrap().1;
        let (s, v) = api
            .post(
                "/api/scenarios",
                Some(&alice),
                json!({"name": "mine.toml", "toml": good}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{name}: {v}");
        let id = v["id"].as_i64().unwrap();
        let path = format!("/api/scenarios/{id}");
        // Private: bob neither sees it listed nor reads it, nor shares it.
        let (s, _, _) = api.call("GET", &path, Some(&bob), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{name}");
        let (_, b, _) = api.call("GET", "/api/scenarios", Some(&bob), None).await;
        let list: Value = serde_json::from_slice(&b).unwrap();
        assert!(list["stored"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["id"] != id));
        assert!(list["shipped"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "drc-cobalt-2025"));
        let (s, _) = api
            .post(&format!("{path}/share"), Some(&bob), json!({}))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{name}");
        let (s, b, _) = api.call("GET", &path, Some(&alice), None).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(serde_json::from_slice::<Value>(&b).unwrap()["toml"], good);
        let (s, v) = api
            .post(&format!("{path}/share"), Some(&alice), json!({}))
            .await;
        assert_eq!(
            (s, v["shared"].as_bool()),
            (StatusCode::OK, Some(true)),
            "{name}"
        );
        let (s, _, _) = api.call("GET", &path, Some(&bob), None).await;
        assert_eq!(s, StatusCode::OK, "{name}: shared");
        // Bad bodies name their field.
        let (s, v) = api
            .post("/api/scenarios", Some(&alice), json!({"name": "x"}))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(v["error"].as_str().unwrap().contains("toml"), "{v}");
        let (s, v) = api
            .post(
                "/api/scenarios",
                Some(&alice),
                json!({"name": "x", "toml": "", "colour": 1}),
            )
            .await;
        assert_eq!(
            (s, v["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("colour")),
            "{v}"
        );
        let (s, v) = api
            .post(
                "/api/scenarios",
                Some(&alice),
                json!({"name": "", "toml": good}),
            )
            .await;
        assert_eq!(
            (s, v["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("name"))
        );
        let big = "#".repeat(limits::MAX_SCENARIO + 1);
        let (s, v) = api
            .post(
                "/api/scenarios",
                Some(&alice),
                json!({"name": "big", "toml": big}),
            )
            .await;
        assert_eq!(
            (s, v["field"].as_str()),
            (StatusCode::PAYLOAD_TOO_LARGE, Some("toml"))
        );
        let huge = "x".repeat(limits::MAX_BODY + 1);
        let (s, _, _) = api
            .call("POST", "/api/scenarios", Some(&alice), Some(huge))
            .await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn runs_are_bounded_and_refused_naming_the_field() {
    let _g = SERIAL.lock().await;
    for (name, store) in stores() {
        // No workers: what is queued stays queued.
        let api = Api::new(store);
        let t = api.token("t");
        let cases = [
            (json!({"kind": "bogus"}), "kind", 422),
            (json!({"kind": "plan"}), "plan", 422),
            (json!({"kind": "plan", "plan": "no-such"}), "plan", 422),
            (
                json!({"kind": "simulate", "scenario": "no-such"}),
                "scenario",
                422,
            ),
            (json!({"kind": "simulate"}), "scenario", 422),
            (
                json!({"kind": "simulate", "scenario_id": 999_999}),
                "id",
                404,
            ),
            (
                json!({"kind": "montecarlo", "scenario": "montecarlo-quad", "runs": limits::MAX_RUNS + 1}),
                "runs",
                422,
            ),
            (
                json!({"kind": "montecarlo", "scenario": "montecarlo-quad", "runs": 0}),
                "runs",
                422,
            ),
            (
                json!({"kind": "chokepoints", "material": "cobalt", "horizon": limits::MAX_WEEKS + 1}),
                "horizon",
                422,
            ),
            (
                json!({"kind": "chokepoints", "material": "cobalt", "weeks": 200, "horizon": 100}),
                "weeks",
                422,
            ),
            (json!({"kind": "chokepoints"}), "material", 422),
            (
                json!({"kind": "chokepoints", "material": "unobtainium"}),
                "material",
                422,
            ),
            (
                json!({"kind": "chokepoints", "material": "cobalt", "min_share": 2.0}),
                "min_share",
                422,
            ),
            (
                json!({"kind": "simulate", "scenario": "drc-cobalt-2025", "speed": 2}),
                "speed",
                400,
            ),
            (
                json!({"kind": "montecarlo", "scenario": "montecarlo-quad", "runs": "many"}),
                "runs",
                400,
            ),
        ];
        for (body, field, status) in cases {
            let (s, v) = api.post("/api/runs", Some(&t), body.clone()).await;
            assert_eq!(
                (s.as_u16(), v["field"].as_str()),
                (status, Some(field)),
                "{name}: {body} → {v}"
            );
        }
        // A scenario longer than the server runs is refused at creation.
        let long = quadrant_sim::shipped::find("drc-cobalt-2025")
            .unwrap()
            .1
            .replace("weeks = 104", "weeks = 1000");
        let (s, v) = api
            .post(
                "/api/scenarios",
                Some(&t),
                json!({"name": "long.toml", "toml": long}),
            )
            .await;
        assert_eq!(
            (s, v["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("weeks")),
            "{v}"
        );
        // The queue is bounded.
        let ok = json!({"kind": "chokepoints", "material": "cobalt"});
        for _ in 0..limits::MAX_PENDING {
            let (s, v) = api.post("/api/runs", Some(&t), ok.clone()).await;
            assert_eq!(s, StatusCode::ACCEPTED, "{name}: {v}");
        }
        let (s, v) = api.post("/api/runs", Some(&t), ok).await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{name}: {v}");
        let (s, v) = api.get("/api/runs?limit=0").await;
        assert_eq!(
            (s, v["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("limit"))
        );
        // Clear the queue for the next store.
        for j in api.store(|s| s.jobs_in(JobState::Queued).unwrap()) {
            api.store(|s| s.cancel(j.id, "test").unwrap());
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_streams_progress_and_its_result_is_immutable() {
    let _g = SERIAL.lock().await;
    for (name, store) in stores() {
        let api = Api::new(store);
        start_workers(api.state()).unwrap();
        let t = api.token("t");
        let (s, v) = api
            .post(
                "/api/runs",
                Some(&t),
                json!({"kind": "simulate", "scenario": "drc-cobalt-2025"}),
            )
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{name}: {v}");
        let id = v["id"].as_i64().unwrap();
        // The events stream ends with the run's end.
        let (s, b, h) = api
            .call("GET", &format!("/api/runs/{id}/events"), None, None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(h["content-type"], "text/event-stream");
        let text = String::from_utf8(b).unwrap();
        assert!(
            text.contains("event: update") && text.contains("\"state\":\"done\""),
            "{name}: {text}"
        );
        let done = api.wait(id, 120).await;
        assert_eq!(done["state"], "done", "{name}: {done}");
        let (s, first, h) = api
            .call("GET", &format!("/api/runs/{id}/result"), None, None)
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            h["x-content-sha256"].to_str().unwrap(),
            quadrant_store::sha256_hex(&first)
        );
        // What `quadrant simulate drc-cobalt-2025 --format json` prints.
        let ses =
            quadrant_sim::api::Session::new(dataset(), quadrant_sim::params::Params::shipped());
        let sim = ses
            .simulate(ses.scenario("drc-cobalt-2025").unwrap(), false)
            .unwrap();
        assert_eq!(
            String::from_utf8(first.clone()).unwrap(),
            serde_json::to_string_pretty(&sim.result).unwrap() + "\n"
        );
        let (_, again, _) = api
            .call("GET", &format!("/api/runs/{id}/result"), None, None)
            .await;
        assert_eq!(again, first, "re-read byte for byte");
        assert!(
            api.store(|s| s
                .finish(
                    id,
                    &quadrant_store::Output {
                        format: "json",
                        bytes: b"tampered",
                        report: None
                    }
                )
                .is_err()),
            "a second write is refused"
        );
        let (_, third, _) = api
            .call("GET", &format!("/api/runs/{id}/result"), None, None)
            .await;
        assert_eq!(third, first);
        // A chokepoint run through the same queue.
        let (_, v) = api
            .post(
                "/api/runs",
                Some(&t),
                json!({"kind": "chokepoints", "material": "cobalt"}),
            )
            .await;
        let c = api.wait(v["id"].as_i64().unwrap(), 120).await;
        assert_eq!(c["state"], "done", "{name}: {c}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn cancelling_says_so_and_leaves_no_result() {
    let _g = SERIAL.lock().await;
    for (name, store) in stores() {
        let api = Api::new(store);
        start_workers(api.state()).unwrap();
        let (t, other) = (api.token("t"), api.token("other"));
        let (_, v) = api.post("/api/runs", Some(&t), json!({"kind": "montecarlo", "scenario": "montecarlo-quad", "runs": limits::MAX_RUNS})).await;
        let id = v["id"].as_i64().unwrap();
        let path = format!("/api/runs/{id}");
        let (s, v) = api
            .post(&format!("{path}/cancel"), Some(&other), json!({}))
            .await;
        assert_eq!(
            (s, v["field"].as_str()),
            (StatusCode::FORBIDDEN, Some("id")),
            "{name}"
        );
        let (s, _, _) = api.call("GET", &format!("{path}/result"), None, None).await;
        assert_eq!(s, StatusCode::CONFLICT, "{name}: not done, nothing served");
        let (s, v) = api
            .post(&format!("{path}/cancel"), Some(&t), json!({}))
            .await;
        assert_eq!(
            (s, v["state"].as_str()),
            (StatusCode::OK, Some("cancelled")),
            "{name}: {v}"
        );
        assert!(v["message"].as_str().unwrap().contains("discarded"), "{v}");
        let (s, _) = api
            .post(&format!("{path}/cancel"), Some(&t), json!({}))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{name}: already cancelled");
        // The worker stops; nothing is stored, and it stays cancelled.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert!(api.store(|s| s.result(id).unwrap().is_none()));
        let (_, v) = api.get(&path).await;
        assert_eq!(v["state"], "cancelled");
        let (s, v) = api.get(&format!("{path}/result")).await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert!(v["error"].as_str().unwrap().contains("cancelled"), "{v}");
        assert!(
            api.state().running.lock().unwrap().is_empty(),
            "{name}: the worker let go"
        );
    }
}

#[test]
fn the_limits_table_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/server.md"))
        .expect("docs/server.md");
    for l in limits::LIMITS {
        let row = format!("| {} | {} | {} |", l.name, l.value, l.refusal);
        assert!(doc.contains(&row), "docs/server.md lacks the row\n{row}");
    }
}
