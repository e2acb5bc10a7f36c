//! What the dashboard reads beyond the dataset and the brief: the map's production layer, a
//! country's profile, the bloc's supply as origin → refiner links, scenario validation as
//! you type, and the shipped plans (their summaries and files, and a plan file checked as
//! you type). The figures come from `quadrant_metrics::atlas`; the
//! handlers only parse the query and attach names.

use crate::api::check_scenario;
use crate::data::{bloc_arg, country_arg, material_arg, num, Params};
use crate::{limits, ApiError, AppState};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use quadrant_metrics::atlas::{self, By};
use quadrant_metrics::Members;
use quadrant_model::{Dataset, Stage};
use quadrant_plan::spec::PlanSpec;
use serde_json::{json, Value};
use std::collections::HashMap;

/// Runs `f` off the async threads (the metrics take milliseconds to seconds).
async fn compute<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?
}

fn stage_arg(q: &HashMap<String, String>, default: Stage) -> Result<Stage, ApiError> {
    match q.get("stage") {
        None => Ok(default),
        Some(v) => Stage::parse(v).ok_or_else(|| {
            ApiError::invalid(
                "stage",
                format!("expected mining, refining or components, found {v:?}"),
            )
        }),
    }
}

/// The country name of id `c` (the id itself for an id the dataset lacks).
fn name(ds: &Dataset, c: &str) -> String {
    ds.country(c)
        .map_or(c, |i| ds.countries[i as usize].name.as_str())
        .to_string()
}

/// `{id: name}` for the ids in `ids`.
fn names<'a>(ds: &Dataset, ids: impl IntoIterator<Item = &'a str>) -> Value {
    let m: serde_json::Map<String, Value> = ids
        .into_iter()
        .map(|c| (c.to_string(), name(ds, c).into()))
        .collect();
    Value::Object(m)
}

/// `GET /api/map`: world output of one (material, stage) by location or by control.
pub async fn map(State(st): State<AppState>, q: Params) -> Result<Json<Value>, ApiError> {
    let ds = st.ds;
    let m = material_arg(
        ds,
        "material",
        q.get("material").map_or("lithium", String::as_str),
    )?;
    let stage = stage_arg(&q, Stage::Mining)?;
    let year = num(&q, "year", 2024u16, 1990, 2100)?;
    let by = match q.get("by").map(String::as_str) {
        None | Some("location") => By::Location,
        Some("control") => By::Control,
        Some(v) => {
            return Err(ApiError::invalid(
                "by",
                format!("expected location or control, found {v:?}"),
            ))
        }
    };
    let layer = compute(move || {
        atlas::layer(ds, m, stage, year, by).ok_or_else(|| {
            let what = match by {
                By::Location => "no production data",
                By::Control => "no ownership data (curated/ownership.toml)",
            };
            ApiError::invalid(
                if by == By::Control { "by" } else { "year" },
                format!(
                    "{what} for {} at the {stage} stage up to {year}",
                    ds.material_id(m)
                ),
            )
        })
    })
    .await?;
    let mut v = json!(layer);
    v["names"] = names(ds, layer.shares.iter().map(|s| s.country.as_str()));
    // The map matches shapes by ISO 3166-1 numeric code, three digits as world-atlas has them.
    v["m49"] = Value::Object(
        layer
            .shares
            .iter()
            .filter_map(|s| {
                let c = &ds.countries[ds.country(&s.country)? as usize];
                let code = c.iso_numeric()?;
                Some((s.country.clone(), format!("{code:03}").into()))
            })
            .collect(),
    );
    Ok(Json(v))
}

/// `GET /api/countries/{id}/profile`: what a country mines, refines and makes, its trade by
/// partner, and the agreements it is party to.
pub async fn profile(
    State(st): State<AppState>,
    Path(id): Path<String>,
    q: Params,
) -> Result<Json<Value>, ApiError> {
    let ds = st.ds;
    let c = country_arg(ds, "id", &id)?;
    let year = num(&q, "year", 2024u16, 1990, 2100)?;
    let top = num(&q, "top", 5usize, 1, 50)?;
    let st2 = st.clone();
    let lines = compute(move || Ok(atlas::profile(&st2.ctx, c, year, top))).await?;
    let cid = ds.country_id(c);
    let agreements: Vec<Value> = ds
        .curated
        .agreements
        .iter()
        .filter(|a| a.parties.iter().any(|p| p == cid))
        .map(|a| json!(a))
        .collect();
    let partners = lines
        .iter()
        .flat_map(|l| l.suppliers.iter().chain(&l.buyers).map(|p| p.0.as_str()));
    let blocs: Vec<&str> = ds
        .curated
        .blocs
        .iter()
        .filter(|b| b.members.iter().any(|m| m == cid))
        .map(|b| b.id.as_str())
        .collect();
    Ok(Json(json!({
        "country": cid,
        "name": name(ds, cid),
        "year": year,
        "blocs": blocs,
        "lines": lines,
        "agreements": agreements,
        "names": names(ds, partners),
    })))
}

/// `GET /api/supply`: the bloc's supply at a stage as (origin, stage country, tonnes) links,
/// with the origin trace they sum to (how much passed through the adversary).
pub async fn supply(State(st): State<AppState>, q: Params) -> Result<Json<Value>, ApiError> {
    let ds = st.ds;
    let bloc = bloc_arg(ds, "bloc", q.get("bloc").map_or("QUAD", String::as_str))?;
    let adv = country_arg(
        ds,
        "adversary",
        q.get("adversary").map_or("CHN", String::as_str),
    )?;
    let m = material_arg(
        ds,
        "material",
        q.get("material").map_or("lithium", String::as_str),
    )?;
    let stage = stage_arg(&q, Stage::Refining)?;
    let year = num(&q, "year", 2024u16, 1990, 2100)?;
    let st2 = st.clone();
    let b2 = bloc.clone();
    let flow = compute(move || {
        let members = Members::bloc(ds, &b2).expect("a checked bloc");
        atlas::supply_flow(&st2.ctx, m, stage, year, &members, adv).ok_or_else(|| {
            ApiError::invalid(
                "stage",
                format!(
                    "no origin trace for {} at the {stage} stage up to {year} (it needs an upstream stage, production data and trade data)",
                    ds.material_id(m)
                ),
            )
        })
    })
    .await?;
    let ids = flow
        .links
        .iter()
        .flat_map(|l| [l.0.as_str(), l.1.as_str()])
        .chain([ds.country_id(adv)]);
    let mut v = json!(flow);
    v["names"] = names(ds, ids);
    v["bloc"] = bloc.into();
    v["adversary"] = ds.country_id(adv).into();
    Ok(Json(v))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Draft {
    #[serde(default)]
    name: Option<String>,
    toml: String,
}

/// `POST /api/scenarios/validate`: checks a scenario as `POST /api/scenarios` would (the CLI's
/// file:line:field messages) without storing it; reading rights suffice.
pub async fn validate(
    State(st): State<AppState>,
    b: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let d: Draft = crate::api::body(b)?;
    if d.toml.len() > limits::MAX_SCENARIO {
        return Err(ApiError::field(
            StatusCode::PAYLOAD_TOO_LARGE,
            "toml",
            format!(
                "{} bytes: a scenario is at most {} bytes",
                d.toml.len(),
                limits::MAX_SCENARIO
            ),
        ));
    }
    let file = d.name.unwrap_or_else(|| "scenario.toml".into());
    let st2 = st.clone();
    let sc = compute(move || check_scenario(&st2, &file, &d.toml)).await?;
    Ok(Json(json!({
        "ok": true,
        "name": sc.name,
        "materials": sc.materials,
        "bloc": sc.bloc,
        "adversary": sc.adversary,
        "base_year": sc.base_year,
        "weeks": sc.weeks,
    })))
}

/// `GET /api/scenarios/shipped/{name}`: a shipped scenario's TOML, for the editor to start
/// from.
pub async fn shipped(Path(name): Path<String>) -> Result<Json<Value>, ApiError> {
    let (path, text) = quadrant_sim::shipped::find(&name).ok_or_else(|| {
        ApiError::field(
            StatusCode::NOT_FOUND,
            "name",
            format!("no shipped scenario {name:?} (GET /api/scenarios lists them)"),
        )
    })?;
    Ok(Json(
        json!({ "name": name, "file": format!("data/scenarios/{path}"), "toml": text }),
    ))
}

/// `GET /api/plans`: the shipped plans, each with its title, summary and what a run of it
/// computes, read from the plan file as `quadrant plan NAME` reads it.
pub async fn plans(State(st): State<AppState>) -> Result<Json<Value>, ApiError> {
    let rows = quadrant_plan::shipped::PLANS
        .iter()
        .map(|(name, text)| {
            let file = format!("data/plans/{name}.toml");
            let c = PlanSpec::parse(&file, text, st.ds).map_err(|issues| {
                let first = issues.first().map(ToString::to_string).unwrap_or_default();
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, first)
            })?;
            let mut row = plan_summary(&c.spec);
            row["name"] = json!(name);
            Ok(row)
        })
        .collect::<Result<Vec<Value>, ApiError>>()?;
    Ok(Json(json!(rows)))
}

/// What a plan file asks for: its title, summary, world and comparisons.
fn plan_summary(s: &PlanSpec) -> Value {
    json!({
        "title": s.name,
        "summary": s.summary,
        "bloc": s.bloc.get_ref(),
        "materials": s.candidates.materials.get_ref(),
        "horizon_years": s.horizon_years.get_ref(),
        "futures": s.futures.count.get_ref(),
        "scenario": s.futures.scenario.get_ref(),
        "without_ethics": s.compare.without_ethics,
        "coordination": s.compare.coordination,
        "frontier_points": s.compare.frontier_points.get_ref(),
    })
}

/// `GET /api/plans/{name}`: a shipped plan's TOML, for the plan view to start from.
pub async fn plan_file(Path(name): Path<String>) -> Result<Json<Value>, ApiError> {
    let text = quadrant_plan::shipped::find(&name).ok_or_else(|| {
        ApiError::field(
            StatusCode::NOT_FOUND,
            "name",
            format!("no shipped plan {name:?} (GET /api/plans lists them)"),
        )
    })?;
    Ok(Json(
        json!({ "name": name, "file": format!("data/plans/{name}.toml"), "toml": text }),
    ))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanDraft {
    plan_toml: String,
}

/// `POST /api/plans/validate`: checks a plan file as `POST /api/runs` does for `plan_toml`
/// (issues named `submitted.toml:LINE`) without running it; reading rights suffice.
pub async fn validate_plan(
    State(st): State<AppState>,
    b: Result<Bytes, BytesRejection>,
) -> Result<Json<Value>, ApiError> {
    let d: PlanDraft = crate::api::body(b)?;
    let c = compute(move || crate::jobs::submitted_plan(&st, &d.plan_toml)).await?;
    let mut v = plan_summary(&c.spec);
    v["ok"] = json!(true);
    Ok(Json(v))
}
