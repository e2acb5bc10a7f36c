//! Read-only endpoints: the dataset's tables, the indicators and the brief. The figures come
//! from `quadrant-metrics` and are rendered by `quadrant-report`, as for `quadrant brief`.

use crate::routes::Caller;
use crate::{limits, ApiError, AppState};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use quadrant_metrics::brief::{brief as make_brief, BriefRequest};
use quadrant_model::ids::lookup;
use quadrant_model::{CountryIx, Dataset, MaterialIx};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Query parameters, read one field at a time so that an error names it.
pub type Params = Query<HashMap<String, String>>;

/// `key` as a number within `lo..=hi`, `default` when absent.
pub fn num<T>(
    q: &HashMap<String, String>,
    key: &str,
    default: T,
    lo: T,
    hi: T,
) -> Result<T, ApiError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    let Some(v) = q.get(key) else {
        return Ok(default);
    };
    match v.parse::<T>() {
        Ok(n) if n >= lo && n <= hi => Ok(n),
        _ => Err(ApiError::invalid(
            key,
            format!("expected a number from {lo} to {hi}, found {v:?}"),
        )),
    }
}

fn source_id(ds: &Dataset, s: u16) -> &str {
    ds.sources.get(usize::from(s)).map_or("", |x| x.id.as_str())
}

pub fn country_arg(ds: &Dataset, field: &str, v: &str) -> Result<CountryIx, ApiError> {
    let id = lookup("country", v, ds.countries.iter().map(|c| c.id.as_str()))
        .map_err(|e| ApiError::invalid(field, format!("{e}: expected an ISO 3166-1 alpha-3 id")))?;
    Ok(ds.country(id).expect("a known id"))
}

pub fn material_arg(ds: &Dataset, field: &str, v: &str) -> Result<MaterialIx, ApiError> {
    let ids = ds.materials.iter().map(|m| m.id.as_str());
    let id = lookup("material", v, ids.clone()).map_err(|e| {
        ApiError::invalid(
            field,
            format!(
                "{e} (the dataset has: {})",
                ids.collect::<Vec<_>>().join(", ")
            ),
        )
    })?;
    Ok(ds.material(id).expect("a known id"))
}

/// A bloc id as typed (any case), or a 422 naming `field`.
pub fn bloc_arg(ds: &Dataset, field: &str, v: &str) -> Result<String, ApiError> {
    let ids = ds.curated.blocs.iter().map(|b| b.id.as_str());
    lookup("bloc", v, ids.clone())
        .map(String::from)
        .map_err(|e| {
            ApiError::invalid(
                field,
                format!(
                    "{e} (curated/blocs.toml has: {})",
                    ids.collect::<Vec<_>>().join(", ")
                ),
            )
        })
}

/// A material id as typed, resolved, or a 422 naming `field`.
pub fn material_id(ds: &Dataset, field: &str, v: &str) -> Result<String, ApiError> {
    Ok(ds.material_id(material_arg(ds, field, v)?).to_string())
}

pub async fn materials(State(st): State<AppState>) -> Json<Value> {
    let ds = st.ds;
    Json(json!(ds
        .materials
        .iter()
        .map(|m| json!({
            "id": m.id, "name": m.name, "basis": m.basis, "source": source_id(ds, m.source),
        }))
        .collect::<Vec<_>>()))
}

pub async fn countries(State(st): State<AppState>) -> Json<Value> {
    let ds = st.ds;
    Json(json!(ds
        .countries
        .iter()
        .map(|c| json!({
            "id": c.id, "name": c.name, "m49": c.m49, "iso_numeric": c.iso_numeric(),
            "aggregate": c.aggregate,
            "source": source_id(ds, c.source),
        }))
        .collect::<Vec<_>>()))
}

pub async fn sources(State(st): State<AppState>) -> Json<Value> {
    Json(json!(st.ds.sources))
}

pub async fn ownership(State(st): State<AppState>) -> Json<Value> {
    Json(json!(st.ds.curated.assets))
}

/// Blocs (curated/blocs.toml): id, name, members, citation.
pub async fn blocs(State(st): State<AppState>) -> Json<Value> {
    Json(json!(st.ds.curated.blocs))
}

/// Financiers (curated/financiers.toml): names, homes, budgets and mandates.
pub async fn financiers(State(st): State<AppState>) -> Json<Value> {
    Json(json!(st.ds.curated.financiers))
}

/// The planner's candidates: curated projects and lithium deposits, in one shape.
pub async fn candidates(State(st): State<AppState>) -> Json<Value> {
    Json(json!(st.ds.candidates()))
}

/// Trade flows filtered by year, exporter, importer and HS6 code, a page at a time.
pub async fn flows(State(st): State<AppState>, q: Params) -> Result<Json<Value>, ApiError> {
    let ds = st.ds;
    let limit = num(&q, "limit", 100usize, 1, limits::MAX_FLOWS)?;
    let offset = num(&q, "offset", 0usize, 0, usize::MAX)?;
    let year = q
        .get("year")
        .map(|_| num(&q, "year", 0u16, 1900, 2100))
        .transpose()?;
    let hs6 = q
        .get("hs6")
        .map(|_| num(&q, "hs6", 0u32, 0, 999_999))
        .transpose()?;
    let exporter = q
        .get("exporter")
        .map(|v| country_arg(ds, "exporter", v))
        .transpose()?;
    let importer = q
        .get("importer")
        .map(|v| country_arg(ds, "importer", v))
        .transpose()?;
    let t = &ds.trade;
    let keep = |i: &usize| {
        year.is_none_or(|y| t.year[*i] == y)
            && hs6.is_none_or(|h| t.hs6[*i] == h)
            && exporter.is_none_or(|c| t.exporter[*i] == c)
            && importer.is_none_or(|c| t.importer[*i] == c)
    };
    let rows: Vec<Value> = (0..t.len())
        .filter(keep)
        .skip(offset)
        .take(limit)
        .map(|i| {
            json!({
                "year": t.year[i], "exporter": ds.country_id(t.exporter[i]),
                "importer": ds.country_id(t.importer[i]), "hs6": t.hs6[i],
                "value_kusd": t.value_kusd[i],
                "qty_t": if t.qty_t[i].is_nan() { None } else { Some(t.qty_t[i]) },
                "source": source_id(ds, t.source[i]),
            })
        })
        .collect();
    Ok(Json(
        json!({ "offset": offset, "limit": limit, "flows": rows }),
    ))
}

/// The brief's request from the query: bloc, adversary, year, material (comma-separated), top.
fn brief_query(
    ds: &Dataset,
    q: &HashMap<String, String>,
) -> Result<(String, CountryIx, u16, Vec<MaterialIx>, usize), ApiError> {
    let bloc = bloc_arg(ds, "bloc", q.get("bloc").map_or("QUAD", String::as_str))?;
    let adversary = country_arg(
        ds,
        "adversary",
        q.get("adversary").map_or("CHN", String::as_str),
    )?;
    let year = num(q, "year", 2024u16, 1990, 2100)?;
    let top = num(q, "top", 5usize, 1, 50)?;
    let materials = match q.get("material").filter(|m| !m.is_empty()) {
        None => (0..ds.materials.len() as MaterialIx).collect(),
        Some(list) => list
            .split(',')
            .map(|m| material_arg(ds, "material", m.trim()))
            .collect::<Result<Vec<_>, _>>()?,
    };
    Ok((bloc, adversary, year, materials, top))
}

/// How a brief is rendered, as `quadrant brief --format …`.
#[derive(Debug, Clone, Copy)]
enum Render {
    /// `--format json`.
    Json,
    /// The flat figures (`--format csv`'s rows), as JSON.
    Figures,
    /// `--format html`: the printable briefing.
    Html,
}

/// The brief as `quadrant brief` renders it (cached per request).
async fn brief_text(
    st: &AppState,
    q: &HashMap<String, String>,
    render: Render,
) -> Result<Arc<String>, ApiError> {
    let (bloc, adversary, year, materials, top) = brief_query(st.ds, q)?;
    let key = format!("{render:?}|{bloc}|{adversary}|{year}|{materials:?}|{top}");
    if let Some(hit) = st
        .briefs
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&key)
    {
        return Ok(hit.clone());
    }
    let st2 = st.clone();
    let text = tokio::task::spawn_blocking(move || -> Result<String, ApiError> {
        let req = BriefRequest {
            bloc: &bloc,
            adversary,
            year,
            materials,
            top_n: top,
        };
        let b = make_brief(&st2.ctx, &req).map_err(|e| ApiError::invalid("bloc", e.to_string()))?;
        if b.materials.is_empty() {
            return Err(ApiError::invalid(
                "material",
                format!("no production data for the requested material(s) up to {year}"),
            ));
        }
        Ok(match render {
            Render::Figures => {
                serde_json::to_string_pretty(&quadrant_report::figures(&b))
                    .expect("figures serialise")
                    + "\n"
            }
            Render::Json => quadrant_report::brief_json(&b) + "\n",
            Render::Html => quadrant_report::brief_html(&b),
        })
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))??;
    let text = Arc::new(text);
    let mut cache = st.briefs.lock().unwrap_or_else(|p| p.into_inner());
    // Bounded: a crawler of every combination cannot grow it without end.
    if cache.len() >= 64 {
        cache.clear();
    }
    cache.insert(key, text.clone());
    Ok(text)
}

fn json_text(text: Arc<String>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        text.as_str().to_owned(),
    )
        .into_response()
}

/// Every indicator of the brief as flat figures, each with its year and source.
pub async fn indicators(
    State(st): State<AppState>,
    _c: Extension<Caller>,
    q: Params,
) -> Result<Response, ApiError> {
    Ok(json_text(brief_text(&st, &q, Render::Figures).await?))
}

/// The dependency brief.
pub async fn brief(State(st): State<AppState>, q: Params) -> Result<Response, ApiError> {
    Ok(json_text(brief_text(&st, &q, Render::Json).await?))
}

/// The brief as `quadrant brief --format html` prints it: the page the dashboard's "Print
/// briefing" opens.
pub async fn brief_html(State(st): State<AppState>, q: Params) -> Result<Response, ApiError> {
    let text = brief_text(&st, &q, Render::Html).await?;
    Ok(html_text(text.as_str()))
}

/// An HTML page as a response.
pub fn html_text(text: &str) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        text.to_owned(),
    )
        .into_response()
}
