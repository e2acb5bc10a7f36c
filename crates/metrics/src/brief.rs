//! The dependency brief: every indicator of the catalogue for a bloc against an adversary,
//! per material and stage, each figure with the dataset(s) and year it comes from. The
//! renderers in `quadrant-report` print this value; they compute nothing.

use crate::concentration::{
    concentration, concentration_in, governance_weighted_hhi, latest_year, Concentration, GovBasis,
    Share,
};
use crate::control::{control, host_controlled_by, ControlRule};
use crate::geopolrisk::{geopolrisk, GeoPolRisk, GprIndex};
use crate::origin::{origin_trace, OriginTrace};
use crate::reliance::{bloc_reliance, country_reliance, Reliance};
use crate::trade::TradeIndex;
use crate::Members;
use quadrant_model::sources::BACI;
use quadrant_model::{CountryIx, Dataset, MaterialIx, Stage};
use serde::Serialize;

const OWNERSHIP: &str = "curated/ownership.toml";

#[derive(Debug, Clone, Serialize)]
pub struct Brief {
    pub bloc: String,
    pub members: Vec<String>,
    pub adversary: String,
    pub year: u16,
    pub materials: Vec<MaterialBrief>,
    /// Checks of published claims against the curated ownership data.
    pub claims: Vec<Claim>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MaterialBrief {
    pub material: String,
    pub name: String,
    pub basis: String,
    pub stages: Vec<StageBrief>,
    pub geopolrisk: Vec<GeoPolRisk>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlBrief {
    pub rule: ControlRule,
    pub hhi: f64,
    pub bloc_share: f64,
    pub adversary_share: f64,
    pub coverage: f64,
    pub top: Vec<(String, f64)>,
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RelianceBrief {
    pub country: String,
    #[serde(flatten)]
    pub reliance: Reliance,
}

/// Another dataset's view of the same (material, stage, year), kept when sources disagree.
#[derive(Debug, Clone, Serialize)]
pub struct Alternative {
    pub dataset: String,
    pub total_t: f64,
    pub hhi: f64,
    pub top_country: String,
    pub top_share: f64,
}

/// Who holds the reserves (mining stage only): USGS, latest edition up to the brief's year.
#[derive(Debug, Clone, Serialize)]
pub struct ReservesBrief {
    pub year: u16,
    pub source: String,
    pub total_t: f64,
    pub top: Vec<(String, f64)>,
    pub bloc_share: f64,
    pub adversary_share: f64,
}

fn reserves(
    ds: &Dataset,
    m: MaterialIx,
    year: u16,
    bloc: &Members,
    adv: CountryIx,
    top_n: usize,
) -> Option<ReservesBrief> {
    let rows: Vec<_> = ds
        .reserves
        .iter()
        .filter(|r| r.material == m && r.year <= year)
        .collect();
    let y = rows.iter().map(|r| r.year).max()?;
    let rows: Vec<_> = rows.into_iter().filter(|r| r.year == y).collect();
    let total: f64 = rows.iter().map(|r| r.value_t).sum();
    if total <= 0.0 {
        return None;
    }
    let mut top: Vec<(CountryIx, f64)> = rows
        .iter()
        .map(|r| (r.country, r.value_t / total))
        .collect();
    top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    Some(ReservesBrief {
        year: y,
        source: rows[0].dataset.clone(),
        total_t: total,
        bloc_share: top
            .iter()
            .filter(|(c, _)| bloc.contains(*c))
            .map(|x| x.1)
            .sum(),
        adversary_share: top.iter().filter(|(c, _)| *c == adv).map(|x| x.1).sum(),
        top: top
            .iter()
            .take(top_n)
            .map(|(c, v)| (ds.country_id(*c).to_string(), *v))
            .collect(),
    })
}

#[derive(Debug, Clone, Serialize)]
pub struct StageBrief {
    pub stage: Stage,
    pub year: u16,
    /// Production dataset the figures come from (a source id: `quadrant source ID`).
    pub source: String,
    pub total_t: f64,
    pub top: Vec<Share>,
    pub hhi: f64,
    pub top1: f64,
    pub top3: f64,
    pub residual_share: f64,
    pub bloc_share: f64,
    pub adversary_share: f64,
    pub gw_hhi_pv: f64,
    pub gw_hhi_wgi6: f64,
    pub control: Option<ControlBrief>,
    pub bloc_reliance: Option<RelianceBrief>,
    pub member_reliance: Vec<RelianceBrief>,
    /// Source of the reliance figures: production dataset + trade.
    pub reliance_source: String,
    pub origin: Option<OriginTrace>,
    pub reserves: Option<ReservesBrief>,
    pub alternatives: Vec<Alternative>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Claim {
    pub claim: String,
    pub measured: f64,
    pub coverage: f64,
    pub year: i64,
    pub source: String,
}

/// Precomputed indexes shared by every brief over one dataset.
pub struct Ctx<'a> {
    pub ds: &'a Dataset,
    pub trade: TradeIndex,
    pub gpr: GprIndex,
}

impl<'a> Ctx<'a> {
    pub fn new(ds: &'a Dataset) -> Ctx<'a> {
        Ctx {
            ds,
            trade: TradeIndex::build(ds),
            gpr: GprIndex::build(ds),
        }
    }
}

pub struct BriefRequest<'r> {
    pub bloc: &'r str,
    pub adversary: CountryIx,
    pub year: u16,
    pub materials: Vec<MaterialIx>,
    /// How many top producers to list per stage.
    pub top_n: usize,
}

fn stage_brief(
    cx: &Ctx,
    m: MaterialIx,
    stage: Stage,
    year: u16,
    bloc: &Members,
    members: &[CountryIx],
    adv: CountryIx,
    top_n: usize,
) -> Option<StageBrief> {
    let ds = cx.ds;
    let y = latest_year(ds, m, stage, year)?;
    let conc = concentration(ds, m, stage, y)?;
    let (gw_pv, _) = governance_weighted_hhi(ds, &conc, GovBasis::PoliticalStability);
    let (gw6, _) = governance_weighted_hhi(ds, &conc, GovBasis::AllSix);
    let ctl = control(ds, &conc, ControlRule::Controlling).map(|c| ControlBrief {
        rule: c.rule,
        hhi: c.hhi,
        bloc_share: c.share_of(bloc),
        adversary_share: c.share_of_country(adv),
        coverage: c.coverage,
        top: c.shares.iter().take(top_n).cloned().collect(),
        source: format!("{}+{}", conc.dataset, OWNERSHIP),
    });
    let trade_year = if cx.trade.covers(ds, m, stage) {
        cx.trade.latest_year(m, stage, y)
    } else {
        None
    };
    let (bloc_rel, member_rel) = match trade_year {
        Some(ty) => (
            Some(RelianceBrief {
                country: "bloc".into(),
                reliance: bloc_reliance(&conc, &cx.trade, m, stage, ty, bloc),
            }),
            members
                .iter()
                .map(|&c| RelianceBrief {
                    country: ds.country_id(c).into(),
                    reliance: country_reliance(&conc, &cx.trade, m, stage, ty, c),
                })
                .collect(),
        ),
        None => (None, Vec::new()),
    };
    let origin = stage
        .upstream()
        .and_then(|up| upstream_conc(ds, m, up, &conc))
        .and_then(|up| {
            let ty = cx.trade.latest_year(m, stage, y)?;
            Some(origin_trace(ds, &cx.trade, m, &conc, &up, ty, bloc, adv))
        });
    let alternatives = ds
        .production_datasets(m, stage, y)
        .into_iter()
        .filter(|d| *d != conc.dataset)
        .filter_map(|d| concentration_in(ds, d, m, stage, y))
        .map(|c| Alternative {
            dataset: c.dataset.clone(),
            total_t: c.total_t,
            hhi: c.hhi,
            top_country: c
                .shares
                .first()
                .map(|s| s.country.clone())
                .unwrap_or_default(),
            top_share: c.top1,
        })
        .collect();
    Some(StageBrief {
        stage,
        year: y,
        source: conc.dataset.clone(),
        total_t: conc.total_t,
        top: conc
            .shares
            .iter()
            .filter(|s| s.value_t > 0.0)
            .take(top_n)
            .cloned()
            .collect(),
        hhi: conc.hhi,
        top1: conc.top1,
        top3: conc.top3,
        residual_share: conc.residual_share,
        bloc_share: conc.share_of(bloc),
        adversary_share: conc.share_of_country(adv),
        gw_hhi_pv: gw_pv,
        gw_hhi_wgi6: gw6,
        control: ctl,
        bloc_reliance: bloc_rel,
        member_reliance: member_rel,
        reliance_source: trade_year
            .map(|ty| format!("{}+{BACI} {ty}", conc.dataset))
            .unwrap_or_default(),
        origin,
        reserves: if stage == Stage::Mining {
            reserves(ds, m, year, bloc, adv, top_n)
        } else {
            None
        },
        alternatives,
    })
}

/// The upstream concentration for origin tracing: the same dataset as downstream when it
/// covers the upstream stage in that year (one basis, one vintage), else the selection rule.
fn upstream_conc(
    ds: &Dataset,
    m: MaterialIx,
    up: Stage,
    down: &Concentration,
) -> Option<Concentration> {
    concentration_in(ds, &down.dataset, m, up, down.year)
        .or_else(|| concentration(ds, m, up, down.year))
}

pub fn brief(cx: &Ctx, req: &BriefRequest) -> Option<Brief> {
    let ds = cx.ds;
    let bloc = Members::bloc(ds, req.bloc)?;
    let members: Vec<CountryIx> = bloc.iter().collect();
    let mut materials = Vec::new();
    for &m in &req.materials {
        let stages: Vec<StageBrief> = Stage::ALL
            .iter()
            .filter_map(|&s| {
                stage_brief(
                    cx,
                    m,
                    s,
                    req.year,
                    &bloc,
                    &members,
                    req.adversary,
                    req.top_n,
                )
            })
            .collect();
        if stages.is_empty() {
            continue;
        }
        let gpr_year = cx.gpr.latest_year(ds, m, req.year);
        let geopolrisk = gpr_year
            .map(|y| {
                members
                    .iter()
                    .filter_map(|&c| geopolrisk(ds, &cx.gpr, m, c, y))
                    .collect()
            })
            .unwrap_or_default();
        let mat = &ds.materials[m as usize];
        materials.push(MaterialBrief {
            material: mat.id.clone(),
            name: mat.name.clone(),
            basis: mat.basis.clone(),
            stages,
            geopolrisk,
        });
    }
    let adv = ds.country_id(req.adversary).to_string();
    let claims = ds
        .curated
        .claims
        .iter()
        .filter_map(|c| check_claim(ds, c, &adv))
        .collect();
    Some(Brief {
        bloc: req.bloc.to_string(),
        members: members
            .iter()
            .map(|&c| ds.country_id(c).to_string())
            .collect(),
        adversary: adv,
        year: req.year,
        materials,
        claims,
    })
}

/// Checks one curated claim (`claims.toml`) against the ownership data: the first of its years
/// with assets, controller its `controller_home` or else the brief's adversary `adv`.
fn check_claim(ds: &Dataset, c: &quadrant_model::Claim, adv: &str) -> Option<Claim> {
    let home = c.controller_home.as_deref().unwrap_or(adv);
    c.years.iter().find_map(|&y| {
        let (share, cov) = host_controlled_by(ds, c.material.as_str(), c.stage, &c.host, home, y)?;
        Some(Claim {
            claim: c.text_for(home),
            measured: share,
            coverage: cov,
            year: y,
            source: OWNERSHIP.into(),
        })
    })
}

/// Every year with production data for any of the requested materials, ascending.
pub fn data_years(ds: &Dataset, materials: &[MaterialIx]) -> Vec<u16> {
    let mut y: Vec<u16> = ds
        .production
        .iter()
        .filter(|r| materials.contains(&r.material))
        .map(|r| r.year)
        .collect();
    y.sort_unstable();
    y.dedup();
    y
}

/// The brief for every year with data (projections included): what `quadrant brief
/// --all-years` prints and what the speed benchmark times.
pub fn brief_all_years(cx: &Ctx, req: &BriefRequest) -> Vec<Brief> {
    data_years(cx.ds, &req.materials)
        .into_iter()
        .filter_map(|year| {
            brief(
                cx,
                &BriefRequest {
                    bloc: req.bloc,
                    adversary: req.adversary,
                    year,
                    materials: req.materials.clone(),
                    top_n: req.top_n,
                },
            )
        })
        .collect()
}
