//! The dashboard: the files `npm run build` in web/ writes to crates/server/assets/, embedded
//! in the binary (no file is read at run time; `cargo build` alone gives a working dashboard).
//! Each is served with its type and an ETag (SHA-256 of its bytes) under `no-cache`, so a
//! browser revalidates and never mixes a new binary's page with an old script.

use axum::extract::Path;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;

/// (name, content type, bytes) of every embedded file.
pub const FILES: [(&str, &str, &[u8]); 4] = [
    (
        "index.html",
        "text/html; charset=utf-8",
        include_bytes!("../assets/index.html"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/app.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/app.css"),
    ),
    (
        "world.json",
        "application/json",
        include_bytes!("../assets/world.json"),
    ),
];

fn etag(i: usize) -> &'static str {
    static TAGS: OnceLock<Vec<String>> = OnceLock::new();
    &TAGS.get_or_init(|| {
        FILES
            .iter()
            .map(|f| format!("\"{}\"", quadrant_store::sha256_hex(f.2)))
            .collect()
    })[i]
}

fn serve(name: &str, headers: &HeaderMap) -> Response {
    let Some(i) = FILES.iter().position(|f| f.0 == name) else {
        return crate::ApiError::field(StatusCode::NOT_FOUND, "file", format!("no asset {name:?}"))
            .into_response();
    };
    let (_, ctype, bytes) = FILES[i];
    let tag = etag(i);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    let head = [
        (header::CACHE_CONTROL, "no-cache"),
        (header::ETAG, tag),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ];
    if fresh {
        return (StatusCode::NOT_MODIFIED, head).into_response();
    }
    (head, [(header::CONTENT_TYPE, ctype)], bytes).into_response()
}

/// `GET /`: the dashboard's page.
pub async fn index(headers: HeaderMap) -> Response {
    serve("index.html", &headers)
}

/// `GET /assets/{file}`: its script, style sheet and country shapes.
pub async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    serve(&file, &headers)
}
