//! What the dashboard's plan view and its "Print briefing" read: the shipped plans, the
//! dataset's financiers, candidates and blocs (names for ids), the brief as the CLI's HTML
//! page, and a finished run's printed report.

mod common;

use axum::http::{header, StatusCode};
use common::{stores, Api, SERIAL};
use quadrant_server::start_workers;
use serde_json::{json, Value};

fn find<'a>(rows: &'a Value, key: &str, id: &str) -> &'a Value {
    rows.as_array()
        .expect("an array")
        .iter()
        .find(|r| r[key] == id)
        .unwrap_or_else(|| panic!("no {key} {id} in {rows}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_shipped_plans_and_the_names_a_plan_view_shows() {
    let api = Api::new(common::sqlite());
    let (s, plans) = api.get("/api/plans").await;
    assert_eq!(s, StatusCode::OK, "{plans}");
    let names: Vec<&str> = plans
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "lithium-processing",
            "ethical-cobalt",
            "coordinated-funding"
        ]
    );
    let ec = find(&plans, "name", "ethical-cobalt");
    assert_eq!(ec["title"], "An ethical cobalt chain");
    assert!(ec["summary"].as_str().unwrap().contains("cobalt"), "{ec}");
    assert_eq!(
        (&ec["without_ethics"], &ec["materials"]),
        (&json!(true), &json!(["cobalt"]))
    );

    let (_, fin) = api.get("/api/dataset/financiers").await;
    let jogmec = find(&fin, "id", "jogmec");
    assert!(
        jogmec["name"].as_str().unwrap().contains("JOGMEC"),
        "{jogmec}"
    );
    assert_eq!(jogmec["country"], "JPN");
    let (_, cands) = api.get("/api/dataset/candidates").await;
    let kw = find(&cands, "id", "cobalt_blue_kwinana");
    assert!(kw["name"].as_str().unwrap().contains("Kwinana"), "{kw}");
    assert_eq!(
        (&kw["host"], &kw["stage"]),
        (&json!("AUS"), &json!("refining"))
    );
    // Deposits are candidates too.
    assert!(cands.as_array().unwrap().len() > 100);
    // Maps know countries by ISO numeric code, which BACI's code is not for a few.
    let (_, countries) = api.get("/api/dataset/countries").await;
    let usa = find(&countries, "id", "USA");
    assert_eq!(
        (&usa["m49"], &usa["iso_numeric"]),
        (&json!(842), &json!(840))
    );
    assert_eq!(find(&countries, "id", "COD")["iso_numeric"], 180);
    let (_, blocs) = api.get("/api/dataset/blocs").await;
    assert_eq!(
        find(&blocs, "id", "QUAD")["members"],
        json!(["USA", "IND", "JPN", "AUS"])
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_brief_prints_as_the_cli_html_page() {
    let api = Api::new(common::sqlite());
    let (s, page, h) = api
        .call("GET", "/api/brief.html?material=cobalt", None, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "text/html; charset=utf-8");
    let page = String::from_utf8(page).unwrap();
    assert!(page.starts_with("<!doctype html>"), "{}", &page[..80]);
    assert!(page.contains("<title>"), "a title");
    assert!(page.to_lowercase().contains("cobalt"), "the material");
    // Full citations on the page, not only source ids.
    assert!(
        page.contains("International Energy Agency. Critical Minerals Data Explorer")
            && page.contains("https://www.iea.org/"),
        "the IEA citation in full"
    );
    let (s, e) = api.get("/api/brief.html?bloc=NOPE").await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("bloc"))
    );
}

/// The page of a finished run, as served.
async fn page(api: &Api, id: i64) -> String {
    let (s, page, h) = api
        .call("GET", &format!("/api/runs/{id}/report.html"), None, None)
        .await;
    assert_eq!(s, StatusCode::OK, "run {id}");
    assert_eq!(h[header::CONTENT_TYPE], "text/html; charset=utf-8");
    String::from_utf8(page).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_finished_run_prints_the_page_stored_with_its_result() {
    let _g = SERIAL.lock().await;
    for (name, store) in stores() {
        let api = Api::new(store);
        let t = api.token("t");
        let submit = |body: Value| {
            let api = &api;
            let t = t.clone();
            async move {
                let (s, v) = api.post("/api/runs", Some(&t), body).await;
                assert_eq!(s, StatusCode::ACCEPTED, "{v}");
                v["id"].as_i64().unwrap()
            }
        };
        let sim = submit(json!({"kind": "simulate", "scenario": "drc-cobalt-2025"})).await;
        let mc =
            submit(json!({"kind": "montecarlo", "scenario": "drc-cobalt-2025", "runs": 30})).await;
        let choke = submit(
            json!({"kind": "chokepoints", "material": "cobalt", "horizon": 30, "min_share": 0.2}),
        )
        .await;
        // Not started yet: no page until the run is done.
        let (s, e) = api.get(&format!("/api/runs/{sim}/report.html")).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::CONFLICT, Some("id")),
            "{name}: {e}"
        );
        start_workers(api.state()).unwrap();
        for id in [sim, mc, choke] {
            assert_eq!(api.wait(id, 600).await["state"], "done", "{name}");
        }
        let pages = [
            page(&api, sim).await,
            page(&api, mc).await,
            page(&api, choke).await,
        ];
        for (id, p) in [sim, mc, choke].iter().zip(&pages) {
            // Served byte for byte as stored with the result.
            let stored = api
                .store(|s| s.report(*id).unwrap())
                .expect("a stored page");
            assert_eq!(&stored, p, "{name}: run {id}");
            assert!(
                p.starts_with("<!doctype html>") && p.contains("<svg"),
                "{name}: {id}"
            );
        }
        assert!(
            pages[0].contains("<title>") && pages[0].contains("DRC"),
            "{name}"
        );
        assert!(pages[1].contains("<title>Quadrant Monte Carlo: "), "{name}");
        assert!(
            pages[1].contains("Cobalt: Quad's shortfall, runs by size"),
            "{name}"
        );
        assert!(pages[2].contains("<title>Quadrant chokepoints: Quad in Cobalt</title>"));
        assert!(
            pages[2].contains("Dem. Rep. of the Congo"),
            "{name}: names, not codes"
        );
        assert!(pages[2].contains("<h2>Sources</h2>"), "{name}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn runs_ended_before_pages_were_stored_print_when_they_can() {
    let _g = SERIAL.lock().await;
    for (name, store) in stores() {
        let api = Api::new(store);
        let t = api.token("t");
        // Runs ended as a version-1 server ended them: a result, no page.
        let mut ids = Vec::new();
        for body in [
            json!({"kind": "simulate", "scenario": "drc-cobalt-2025"}),
            json!({"kind": "montecarlo", "scenario": "drc-cobalt-2025", "runs": 5}),
        ] {
            let (s, v) = api.post("/api/runs", Some(&t), body).await;
            assert_eq!(s, StatusCode::ACCEPTED, "{v}");
            let id = v["id"].as_i64().unwrap();
            api.store(|s| {
                assert_eq!(s.claim().unwrap().unwrap().id, id);
                let out = quadrant_store::Output {
                    format: "json",
                    bytes: b"{}",
                    report: None,
                };
                s.finish(id, &out).unwrap();
            });
            ids.push(id);
        }
        let sim = page(&api, ids[0]).await;
        assert!(
            sim.contains("DRC") && sim.contains("<svg"),
            "{name}: re-rendered"
        );
        let (s, e) = api.get(&format!("/api/runs/{}/report.html", ids[1])).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{name}: {e}");
        assert!(e["error"].as_str().unwrap().contains("run it again"), "{e}");
    }
}
