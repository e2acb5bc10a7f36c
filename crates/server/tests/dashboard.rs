//! The dashboard's side of the server: the embedded assets (types, ETag revalidation, open to
//! any peer), the map layer, the country profile, the supply links, scenario validation as you
//! type, shipped scenarios and plan files (a plan file checked as you type), and a
//! simulation's dated weekly series. SQLite in memory.

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use quadrant_server::{router, start_workers, AppState, Shared};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;
use tower::ServiceExt;

fn state() -> AppState {
    static DS: OnceLock<quadrant_model::Dataset> = OnceLock::new();
    let ds = DS.get_or_init(|| quadrant_data::load_embedded().expect("embedded dataset"));
    let store = Box::new(quadrant_store::SqliteStore::memory().unwrap());
    Shared::new(store, ds, quadrant_sim::params::Params::shipped())
}

async fn call(
    app: &Router,
    peer: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req
        .header("content-type", "application/json")
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap();
    let peer: SocketAddr = peer.parse().unwrap();
    let res = app
        .clone()
        .layer(MockConnectInfo(peer))
        .oneshot(req)
        .await
        .unwrap();
    let (s, h) = (res.status(), res.headers().clone());
    (
        s,
        h,
        res.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

const LOCAL: &str = "127.0.0.1:40000";

async fn get(app: &Router, path: &str) -> (StatusCode, Value) {
    let (s, _, b) = call(app, LOCAL, "GET", path, &[], None).await;
    (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_and_its_assets_are_embedded_typed_and_revalidated() {
    let app = router(state()).0;
    let (s, h, page) = call(&app, LOCAL, "GET", "/", &[], None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(h[header::CACHE_CONTROL], "no-cache");
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains("/assets/app.js") && page.contains("/assets/app.css"));
    for (file, ctype) in [
        ("app.js", "text/javascript; charset=utf-8"),
        ("app.css", "text/css; charset=utf-8"),
        ("world.json", "application/json"),
    ] {
        let path = format!("/assets/{file}");
        let (s, h, bytes) = call(&app, LOCAL, "GET", &path, &[], None).await;
        assert_eq!(
            (s, h[header::CONTENT_TYPE].to_str().unwrap()),
            (StatusCode::OK, ctype)
        );
        let tag = h[header::ETAG].to_str().unwrap().to_string();
        assert_eq!(tag, format!("\"{}\"", quadrant_store::sha256_hex(&bytes)));
        let (s, _, again) = call(&app, LOCAL, "GET", &path, &[("if-none-match", &tag)], None).await;
        assert_eq!((s, again.len()), (StatusCode::NOT_MODIFIED, 0), "{file}");
    }
    let (_, _, world) = call(&app, LOCAL, "GET", "/assets/world.json", &[], None).await;
    let world: Value = serde_json::from_slice(&world).unwrap();
    let ids: Vec<&str> = world["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["name"].as_str().unwrap())
        .collect();
    assert!(ids.len() > 150 && ids.contains(&"180") && ids.contains(&"036"));
    let (s, _, _) = call(&app, LOCAL, "GET", "/assets/secret.txt", &[], None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The page holds no data: any peer gets it; the data behind it still needs a token.
    let far = "192.0.2.7:5000";
    assert_eq!(
        call(&app, far, "GET", "/", &[], None).await.0,
        StatusCode::OK
    );
    let (s, _, _) = call(&app, far, "GET", "/api/map", &[], None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_map_layer_by_location_and_by_control() {
    let app = router(state()).0;
    let (s, v) = get(&app, "/api/map?material=cobalt&stage=mining&year=2024").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        (v["by"].as_str(), v["year"].as_u64()),
        (Some("location"), Some(2024))
    );
    let shares = v["shares"].as_array().unwrap();
    let sum: f64 = shares.iter().map(|x| x["share"].as_f64().unwrap()).sum();
    assert!((sum - 1.0).abs() < 1e-9);
    assert_eq!(shares[0]["country"], "COD");
    assert_eq!(v["m49"]["COD"], "180");
    assert_eq!(v["names"]["COD"], "Dem. Rep. of the Congo");
    assert!(v["years"].as_array().unwrap().contains(&json!(2024)));
    let (s, c) = get(&app, "/api/map?material=cobalt&stage=mining&by=control").await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert!(c["coverage"]["identified"].as_f64().unwrap() > 0.3);
    assert!(c["source"]
        .as_str()
        .unwrap()
        .ends_with("+curated/ownership.toml"));
    for (q, field) in [
        ("stage=smelting", "stage"),
        ("by=owner", "by"),
        ("material=unobtainium", "material"),
        ("year=1800", "year"),
    ] {
        let (s, e) = get(&app, &format!("/api/map?{q}")).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{q}: {e}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_country_profile_and_the_supply_links() {
    let app = router(state()).0;
    let (s, p) = get(&app, "/api/countries/cod/profile?year=2024").await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(
        (p["country"].as_str(), p["name"].as_str()),
        (Some("COD"), Some("Dem. Rep. of the Congo"))
    );
    let line = p["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["material"] == "cobalt" && l["stage"] == "mining")
        .expect("cobalt mining");
    assert_eq!(line["rank"], 1);
    // Trade lines name the dataset's trade edition.
    assert_eq!(line["trade_source"], quadrant_model::sources::BACI);
    let buyer = line["buyers"][0][0].as_str().unwrap();
    assert_eq!(p["names"][buyer], "China");
    let (_, aus) = get(&app, "/api/countries/AUS/profile").await;
    assert!(aus["agreements"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["id"] == "AUSFTA"));
    assert!(aus["blocs"].as_array().unwrap().contains(&json!("QUAD")));
    let (s, e) = get(&app, "/api/countries/XXQ/profile").await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("id"))
    );

    let (s, f) = get(&app, "/api/supply?material=lithium&bloc=QUAD&adversary=CHN").await;
    assert_eq!(s, StatusCode::OK, "{f}");
    let links = f["links"].as_array().unwrap();
    let total: f64 = links.iter().map(|l| l[2].as_f64().unwrap()).sum();
    let supply = f["trace"]["supply_t"].as_f64().unwrap();
    assert!((total - supply).abs() < 1e-6 * supply);
    // Links through China, refined there or mined there, make up the trace's figure.
    let through: f64 = links
        .iter()
        .filter(|l| l[0] == "CHN" || l[1] == "CHN")
        .map(|l| l[2].as_f64().unwrap())
        .sum();
    let expected = f["trace"]["through_adversary"].as_f64().unwrap();
    assert!(
        (through / supply - expected).abs() < 1e-9,
        "{through} {supply} {expected}"
    );
    assert_eq!(f["names"]["CHN"], "China");
    // The trace's sources, as one string the dashboard cites without rebuilding it.
    let t = &f["trace"];
    assert_eq!(
        t["source"],
        format!(
            "{}+{}+{} {}",
            t["datasets"][0].as_str().unwrap(),
            t["datasets"][1].as_str().unwrap(),
            quadrant_model::sources::BACI,
            t["trade_year"]
        )
    );
    let (s, e) = get(&app, "/api/supply?material=lithium&stage=mining").await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("stage"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn validation_as_you_type_names_file_line_and_field() {
    let app = router(state()).0;
    let (s, sh) = get(&app, "/api/scenarios/shipped/drc-cobalt-2025").await;
    assert_eq!(s, StatusCode::OK);
    let text = sh["toml"].as_str().unwrap().to_string();
    assert_eq!(sh["file"], "data/scenarios/drc-cobalt-2025.toml");
    let (s, _) = get(&app, "/api/scenarios/shipped/no-such").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let post = |toml: String| {
        let app = app.clone();
        async move {
            let b = json!({"name": "mine.toml", "toml": toml});
            let (s, _, v) =
                call(&app, LOCAL, "POST", "/api/scenarios/validate", &[], Some(b)).await;
            (s, serde_json::from_slice::<Value>(&v).unwrap())
        }
    };
    let (s, ok) = post(text.clone()).await;
    assert_eq!(s, StatusCode::OK, "{ok}");
    assert_eq!(
        (ok["ok"].as_bool(), ok["weeks"].as_u64()),
        (Some(true), Some(104))
    );
    let (s, bad) = post(text.replacen("exporter = \"COD\"", "exporter = \"XXQ\"", 1)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let issue = &bad["issues"][0];
    assert_eq!(issue["file"], "mine.toml");
    assert!(issue["line"].as_u64().unwrap() > 10, "{issue}");
    assert!(
        issue["field"].as_str().unwrap().ends_with("exporter"),
        "{issue}"
    );
    assert_eq!(issue["found"], "XXQ");
    let (s, _, v) = call(
        &app,
        LOCAL,
        "POST",
        "/api/scenarios/validate",
        &[],
        Some(json!({"name": "x"})),
    )
    .await;
    let v: Value = serde_json::from_slice(&v).unwrap();
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("toml"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shipped_plan_file_and_a_plan_checked_as_you_type() {
    let app = router(state()).0;
    let (s, p) = get(&app, "/api/plans/ethical-cobalt").await;
    assert_eq!(s, StatusCode::OK);
    let text = p["toml"].as_str().unwrap().to_string();
    assert_eq!(
        Some(text.as_str()),
        quadrant_plan::shipped::find("ethical-cobalt")
    );
    assert_eq!(p["file"], "data/plans/ethical-cobalt.toml");
    let (s, v) = get(&app, "/api/plans/no-such").await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::NOT_FOUND, Some("name"))
    );

    let post = |b: Value| {
        let app = app.clone();
        async move {
            let (s, _, v) = call(&app, LOCAL, "POST", "/api/plans/validate", &[], Some(b)).await;
            (s, serde_json::from_slice::<Value>(&v).unwrap())
        }
    };
    let (s, ok) = post(json!({"plan_toml": text})).await;
    assert_eq!(s, StatusCode::OK, "{ok}");
    assert_eq!(ok["ok"], true);
    assert_eq!(ok["bloc"], "QUAD", "{ok}");
    assert!(
        ok["title"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("cobalt"),
        "{ok}"
    );

    // The same issue a submission gives: file, the line of `alpha`, the field.
    let bad = text.replacen("alpha = 0.9", "alpha = 1.5", 1);
    let line = bad
        .lines()
        .position(|l| l.starts_with("alpha = 1.5"))
        .unwrap()
        + 1;
    let (s, v) = post(json!({"plan_toml": bad})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["field"], "plan_toml");
    let issue = &v["issues"][0];
    assert_eq!(
        (&issue["file"], &issue["field"], issue["line"].as_u64()),
        (
            &json!("submitted.toml"),
            &json!("objective.alpha"),
            Some(line as u64)
        ),
        "{v}"
    );
    let (s, v) = post(json!({"plan_toml": "x".repeat(300_000)})).await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("plan_toml"))
    );
    let (s, v) = post(json!({"toml": "x"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_simulation_has_dated_weekly_series_that_add_up_to_its_result() {
    let st = state();
    let app = router(st.clone()).0;
    start_workers(&st).unwrap();
    let token = quadrant_store::token::create(&*st.store, "t").unwrap().1;
    let auth = format!("Bearer {token}");
    let body = json!({"kind": "simulate", "scenario": "drc-cobalt-2025"});
    let (s, _, v) = call(
        &app,
        LOCAL,
        "POST",
        "/api/runs",
        &[("authorization", &auth)],
        Some(body),
    )
    .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let id = serde_json::from_slice::<Value>(&v).unwrap()["id"]
        .as_i64()
        .unwrap();
    let mut done = false;
    for _ in 0..600 {
        let (_, r) = get(&app, &format!("/api/runs/{id}")).await;
        if r["state"] == "done" {
            done = true;
            break;
        }
        assert!(r["state"] == "queued" || r["state"] == "running", "{r}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(done);
    let (_, result) = get(&app, &format!("/api/runs/{id}/result")).await;
    let (s, series) = get(&app, &format!("/api/runs/{id}/series")).await;
    assert_eq!(s, StatusCode::OK, "{series}");
    let m = &series["materials"][0];
    let dates = m["dates"].as_array().unwrap();
    // The scenario dates its week 0 (observed.start_date): Monday 6 January 2025.
    assert_eq!(
        (dates.len(), &dates[0], &dates[1]),
        (104, &json!("2025-01-06"), &json!("2025-01-13"))
    );
    // The export suspension's window, as the library dates it: week 7, 24 February 2025.
    let ev = &m["events"][0];
    assert_eq!(
        (
            &ev["kind"],
            &ev["shock"],
            &ev["start_week"],
            &ev["start_date"]
        ),
        (
            &json!("export_restriction"),
            &json!(true),
            &json!(7),
            &json!("2025-02-24")
        ),
        "{ev}"
    );
    assert_eq!(ev["start_date"], dates[7]);
    let weekly: f64 = m["bloc"]["shortfall_t"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .sum();
    let total = result["materials"][0]["bloc"]["shortfall_t"]
        .as_f64()
        .unwrap();
    assert!((weekly - total).abs() < 1e-6 * total, "{weekly} vs {total}");
    let members = m["members"].as_array().unwrap();
    assert_eq!(members.len(), 4);
    for x in members {
        let inv = x["inventory_t"].as_array().unwrap();
        assert_eq!(inv.len(), 104);
        assert!(inv.iter().all(|v| v.as_f64().unwrap() >= 0.0));
        assert!(
            inv[0].as_f64().unwrap() > 0.0,
            "holdings at the start: {}",
            x["country"]
        );
    }
    let (s, e) = get(&app, "/api/runs/999/series").await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::NOT_FOUND, Some("id"))
    );
}
