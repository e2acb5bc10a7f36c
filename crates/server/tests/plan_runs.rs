//! Plan runs through the API: checked at submission like `quadrant plan FILE`, run by the
//! workers, and their result is the CLI's `--format json`.

mod common;

use axum::http::StatusCode;
use common::{stores, Api, SERIAL};
use quadrant_server::start_workers;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The shipped ethical-cobalt plan, cut to 4 futures over 5 years without the comparisons:
/// small enough to solve in a test, the same world otherwise.
fn small_plan() -> String {
    quadrant_plan::shipped::find("ethical-cobalt")
        .expect("shipped")
        .replace("count = 20", "count = 4")
        .replace("horizon_years = 10", "horizon_years = 5")
        .replace("without_ethics = true", "without_ethics = false")
        .replace("coordination = true", "coordination = false")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_plan_file_is_refused_at_submission_naming_line_and_field() {
    let _g = SERIAL.lock().await;
    for (name, store) in stores() {
        let api = Api::new(store);
        let t = api.token("t");
        let bad = small_plan().replace("alpha = 0.9", "alpha = 1.5");
        let (s, v) = api
            .post(
                "/api/runs",
                Some(&t),
                json!({"kind": "plan", "plan_toml": bad}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {v}");
        assert_eq!(v["field"], "plan_toml", "{name}: {v}");
        let issue = &v["issues"][0];
        assert_eq!(issue["file"], "submitted.toml", "{name}: {v}");
        assert_eq!(issue["field"], "objective.alpha", "{name}: {v}");
        let line = bad
            .lines()
            .position(|l| l.starts_with("alpha"))
            .expect("alpha line")
            + 1;
        assert_eq!(issue["line"], line, "{name}: {v}");
        // Both a name and a text, or neither, is refused.
        let (s, v) = api
            .post(
                "/api/runs",
                Some(&t),
                json!({"kind": "plan", "plan": "ethical-cobalt", "plan_toml": small_plan()}),
            )
            .await;
        assert_eq!(
            (s, v["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("plan"))
        );
        let huge = "#".repeat(quadrant_server::limits::MAX_SCENARIO + 1);
        let (s, v) = api
            .post(
                "/api/runs",
                Some(&t),
                json!({"kind": "plan", "plan_toml": huge}),
            )
            .await;
        assert_eq!(
            (s, v["field"].as_str()),
            (StatusCode::PAYLOAD_TOO_LARGE, Some("plan_toml"))
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_run_gives_the_cli_json_with_portfolio_and_funding() {
    let _g = SERIAL.lock().await;
    for (name, store) in stores() {
        let api = Api::new(store);
        let t = api.token("t");
        start_workers(api.state()).unwrap();
        let (s, v) = api
            .post(
                "/api/runs",
                Some(&t),
                json!({"kind": "plan", "plan_toml": small_plan()}),
            )
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{name}: {v}");
        let id = v["id"].as_i64().unwrap();
        let end = api.wait(id, 600).await;
        assert_eq!(end["state"], "done", "{name}: {end}");
        let (s, b, _) = api
            .call("GET", &format!("/api/runs/{id}/result"), None, None)
            .await;
        assert_eq!(s, StatusCode::OK);
        let r: Value = serde_json::from_slice(&b).expect("json");
        // The same checks the CLI's JSON passes: a solver named, optimal, risk not raised.
        assert_eq!(r["plan"]["solver"], "microlp", "{name}: {r}");
        let with = r["plan"]["risk_optimised"]
            .as_f64()
            .expect("risk with plan");
        let without = r["risk_without_projects_t"].as_f64().expect("risk without");
        assert!(
            with.is_finite() && with <= without + 1e-6,
            "{name}: {with} > {without}"
        );
        assert!(
            r["portfolio"].is_array() && r["funding"].is_array(),
            "{name}: {r}"
        );
        // Its printed page is rendered from the stored result, as `--format html` renders it.
        let (s, page, _) = api
            .call("GET", &format!("/api/runs/{id}/report.html"), None, None)
            .await;
        assert_eq!(s, StatusCode::OK, "{name}");
        let page = String::from_utf8(page).unwrap();
        let title = r["name"].as_str().unwrap();
        assert!(
            page.contains(title),
            "{name}: the page names the plan {title:?}"
        );
    }
}

/// Polls run `id` until `pred` holds for it (at most `secs`).
async fn until(api: &Api, id: i64, secs: u64, pred: impl Fn(&Value) -> bool) -> Value {
    let t0 = Instant::now();
    loop {
        let (_, v) = api.get(&format!("/api/runs/{id}")).await;
        if pred(&v) {
            return v;
        }
        assert!(t0.elapsed().as_secs() < secs, "run {id}: {v}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_plan_stops_mid_solve_and_stores_nothing() {
    let _g = SERIAL.lock().await;
    for (name, store) in stores() {
        let api = Api::new(store);
        let t = api.token("t");
        start_workers(api.state()).unwrap();
        // The shipped coordinated-funding plan solves for minutes.
        let (s, v) = api
            .post(
                "/api/runs",
                Some(&t),
                json!({"kind": "plan", "plan": "coordinated-funding"}),
            )
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{name}: {v}");
        let id = v["id"].as_i64().unwrap();
        // Mid-solve: the futures drawn and the pooled plan solved (progress reported).
        let started = Instant::now();
        until(&api, id, 600, |v| {
            v["state"] == "running" && v["progress"].as_f64().unwrap_or(0.0) > 0.0
        })
        .await;
        let mid = started.elapsed();
        let t0 = Instant::now();
        let (s, v) = api
            .post(&format!("/api/runs/{id}/cancel"), Some(&t), json!({}))
            .await;
        assert_eq!(
            (s, v["state"].as_str()),
            (StatusCode::OK, Some("cancelled"))
        );
        // The worker lets go of the run once the solve under way ends.
        while api.state().running.lock().unwrap().contains_key(&id) {
            // Seconds (the solve under way); the whole plan solves for minutes (383 s measured).
            assert!(
                t0.elapsed() < Duration::from_secs(30),
                "{name}: still solving"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let stopped = t0.elapsed();
        eprintln!("{name}: running after {mid:?}; stopped {stopped:?} after the cancel");
        let end = api.wait(id, 5).await;
        assert_eq!(end["state"], "cancelled", "{name}: {end}");
        assert!(api.store(|s| s.result(id).unwrap().is_none()), "{name}");
        assert!(api.store(|s| s.report(id).unwrap().is_none()), "{name}");
        let (s, _) = api.get(&format!("/api/runs/{id}/result")).await;
        assert_eq!(s, StatusCode::CONFLICT, "{name}");
    }
}
