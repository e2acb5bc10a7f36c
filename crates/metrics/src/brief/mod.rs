//! The dependency brief: every indicator of the catalogue for a bloc against an adversary,
//! per material and stage, each figure with the dataset(s) and year it comes from. The
//! renderers in `quadrant-report` print this value; they compute nothing.

use crate::concentration::{
    concentration, concentration_in, governance_weighted_hhi, latest_year, Concentration, GovBasis,
    Share,
};
use crate::control::{control, host_controlled_by, ControlRule, Coverage};
use crate::geopolrisk::{geopolrisk, GeoPolRisk, GprIndex};
use crate::origin::{origin_trace, OriginTrace};
use crate::reliance::{bloc_reliance, country_reliance, Reliance};
use crate::trade::TradeIndex;
use crate::Members;
use quadrant_model::{CountryIx, Dataset, MaterialIx, Stage};
use serde::Serialize;

mod findings;
mod refs;

pub use findings::{Finding, FindingKind};
pub use refs::{all_sources, citation_of, Citation, CountryName};

pub(crate) const OWNERSHIP: &str = "curated/ownership.toml";

/// Why a brief could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BriefError {
    /// The requested bloc is not in `curated/blocs.toml`.
    #[error("unknown bloc {bloc:?}; curated/blocs.toml has: {known}")]
    UnknownBloc {
        /// The bloc id asked for.
        bloc: String,
        /// The bloc ids the dataset has, comma-separated.
        known: String,
    },
}

/// A dependency brief: every indicator for a bloc against an adversary in one year.
#[derive(Debug, Clone, Serialize)]
pub struct Brief {
    /// The bloc id.
    pub bloc: String,
    /// Its member country ids.
    pub members: Vec<String>,
    /// The adversary's country id.
    pub adversary: String,
    /// The year asked for (each stage uses its latest data up to it).
    pub year: u16,
    /// One entry per material with data.
    pub materials: Vec<MaterialBrief>,
    /// Checks of published claims against the curated ownership data.
    pub claims: Vec<Claim>,
    /// The bloc's short name for charts and sentences (curated/blocs.toml `short`).
    pub bloc_name: String,
    /// The bloc's full name.
    pub bloc_full_name: String,
    /// Every country the brief mentions, with its name, sorted by id ([`Brief::name`]).
    pub countries: Vec<CountryName>,
    /// The full citation of every source the brief cites, sorted by id
    /// ([`Brief::citation`]).
    pub sources: Vec<Citation>,
    /// The key findings, in the order a reader should see them, each with its source.
    pub findings: Vec<Finding>,
}

/// The brief of one material.
#[derive(Debug, Clone, Serialize)]
pub struct MaterialBrief {
    /// Material id.
    pub material: String,
    /// Material name.
    pub name: String,
    /// What a tonne means (materials.csv `basis`).
    pub basis: String,
    /// One entry per stage with data, upstream first.
    pub stages: Vec<StageBrief>,
    /// GeoPolRisk of each member for this material.
    pub geopolrisk: Vec<GeoPolRisk>,
}

/// Concentration by control (owners' home countries) for one stage.
#[derive(Debug, Clone, Serialize)]
pub struct ControlBrief {
    /// How an asset's output is attributed to owners.
    pub rule: ControlRule,
    /// HHI of control shares, 0–1.
    pub hhi: f64,
    /// Share of world output controlled from the bloc.
    pub bloc_share: f64,
    /// Share of world output controlled from the adversary.
    pub adversary_share: f64,
    /// How much of world output is attributed to identified producers (docs/model.md,
    /// "Coverage"): printed beside every control figure.
    pub coverage: Coverage,
    /// Top controlling homes (country id, share), descending.
    pub top: Vec<(String, f64)>,
    /// Production dataset + ownership file the figures come from.
    pub source: String,
}

/// Net import reliance of the bloc (`country` = `bloc`) or one member.
#[derive(Debug, Clone, Serialize)]
pub struct RelianceBrief {
    /// Country id, or `bloc`.
    pub country: String,
    /// The figures.
    #[serde(flatten)]
    pub reliance: Reliance,
}

/// Another dataset's view of the same (material, stage, year), kept when sources disagree.
#[derive(Debug, Clone, Serialize)]
pub struct Alternative {
    /// The other dataset's id.
    pub dataset: String,
    /// Its world total, tonnes.
    pub total_t: f64,
    /// Its HHI, 0–1.
    pub hhi: f64,
    /// Its top producer.
    pub top_country: String,
    /// The top producer's share.
    pub top_share: f64,
}

/// Who holds the reserves (mining stage only): USGS, latest edition up to the brief's year.
#[derive(Debug, Clone, Serialize)]
pub struct ReservesBrief {
    /// Year of the reserves estimate.
    pub year: u16,
    /// Dataset the estimate comes from.
    pub source: String,
    /// World reserves, tonnes.
    pub total_t: f64,
    /// Top holders (country id, share), descending.
    pub top: Vec<(String, f64)>,
    /// Share held by the bloc.
    pub bloc_share: f64,
    /// Share held by the adversary.
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

/// Every indicator of one material at one stage.
#[derive(Debug, Clone, Serialize)]
pub struct StageBrief {
    /// The stage.
    pub stage: Stage,
    /// Year of the production data (latest up to the brief's year).
    pub year: u16,
    /// Production dataset the figures come from (a source id: `quadrant source ID`).
    pub source: String,
    /// Whether that dataset is a projection (`sources::PROJECTIONS`), not a record.
    pub projection: bool,
    /// World output, tonnes of the material's basis.
    pub total_t: f64,
    /// Top producers with output.
    pub top: Vec<Share>,
    /// HHI by location, 0–1 (aggregates excluded).
    pub hhi: f64,
    /// Top producer's share.
    pub top1: f64,
    /// Top three producers' share.
    pub top3: f64,
    /// Share held by aggregate residuals ("Rest of world").
    pub residual_share: f64,
    /// Share produced in the bloc.
    pub bloc_share: f64,
    /// Share produced in the adversary.
    pub adversary_share: f64,
    /// Governance-weighted HHI on WGI Political Stability.
    pub gw_hhi_pv: f64,
    /// Governance-weighted HHI on the mean of the six WGI dimensions.
    pub gw_hhi_wgi6: f64,
    /// Concentration by control, when curated assets cover the stage.
    pub control: Option<ControlBrief>,
    /// The bloc's net import reliance, when trade data covers the stage.
    pub bloc_reliance: Option<RelianceBrief>,
    /// Each member's net import reliance.
    pub member_reliance: Vec<RelianceBrief>,
    /// Source of the reliance figures: production dataset + trade.
    pub reliance_source: String,
    /// Where the bloc's supply came from one stage upstream.
    pub origin: Option<OriginTrace>,
    /// Who holds the reserves (mining only).
    pub reserves: Option<ReservesBrief>,
    /// Other datasets' view of the same stage and year.
    pub alternatives: Vec<Alternative>,
}

/// A published claim (curated/claims.toml) checked against the ownership data.
#[derive(Debug, Clone, Serialize)]
pub struct Claim {
    /// The claim's id in `claims.toml`.
    pub id: String,
    /// The claim as the brief prints it.
    pub claim: String,
    /// Material id.
    pub material: String,
    /// Stage.
    pub stage: Stage,
    /// The host country whose output is split by controller.
    pub host: String,
    /// The controlling home checked.
    pub controller: String,
    /// Share of the host's output controlled from the controller's home.
    pub measured: f64,
    /// How much of the host's output is attributed to identified producers (docs/model.md,
    /// "Coverage").
    pub coverage: Coverage,
    /// The host's output the shares are of, t of the material's basis.
    pub host_output_t: f64,
    /// Output year of the assets used.
    pub year: i64,
    /// Data the figure comes from.
    pub source: String,
}

/// Precomputed indexes shared by every brief over one dataset.
pub struct Ctx<'a> {
    /// The dataset.
    pub ds: &'a Dataset,
    /// Trade flows by (material, stage, year).
    pub trade: TradeIndex,
    /// Trade rows of the GeoPolRisk HS codes.
    pub gpr: GprIndex,
}

impl<'a> Ctx<'a> {
    /// Builds the indexes of `ds`.
    pub fn new(ds: &'a Dataset) -> Ctx<'a> {
        Ctx {
            ds,
            trade: TradeIndex::build(ds),
            gpr: GprIndex::build(ds),
        }
    }
}

/// What brief to compute.
pub struct BriefRequest<'r> {
    /// Bloc id (curated/blocs.toml).
    pub bloc: &'r str,
    /// The adversary.
    pub adversary: CountryIx,
    /// The year (each stage uses its latest data up to it).
    pub year: u16,
    /// Materials to cover.
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
        projection: quadrant_model::sources::PROJECTIONS.contains(&conc.dataset.as_str()),
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
            .map(|ty| format!("{}+{} {ty}", conc.dataset, cx.trade.source()))
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
pub(crate) fn upstream_conc(
    ds: &Dataset,
    m: MaterialIx,
    up: Stage,
    down: &Concentration,
) -> Option<Concentration> {
    concentration_in(ds, &down.dataset, m, up, down.year)
        .or_else(|| concentration(ds, m, up, down.year))
}

/// The brief for `req`; an error when the bloc is unknown.
pub fn brief(cx: &Ctx, req: &BriefRequest) -> Result<Brief, BriefError> {
    let ds = cx.ds;
    let bloc = Members::bloc(ds, req.bloc).ok_or_else(|| BriefError::UnknownBloc {
        bloc: req.bloc.to_string(),
        known: ds
            .curated
            .blocs
            .iter()
            .map(|b| b.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    })?;
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
    let mut b = Brief {
        bloc: req.bloc.to_string(),
        members: members
            .iter()
            .map(|&c| ds.country_id(c).to_string())
            .collect(),
        adversary: adv,
        year: req.year,
        materials,
        claims,
        bloc_name: ds
            .curated
            .bloc(req.bloc)
            .map_or_else(|| req.bloc.to_string(), |x| x.short_name().to_string()),
        bloc_full_name: ds
            .curated
            .bloc(req.bloc)
            .map_or_else(|| req.bloc.to_string(), |x| x.name.clone()),
        countries: Vec::new(),
        sources: Vec::new(),
        findings: Vec::new(),
    };
    b.countries = refs::country_names(ds, &b);
    b.sources = refs::citations(ds, &b);
    b.findings = findings::key_findings(&b);
    Ok(b)
}

/// Checks one curated claim (`claims.toml`) against the ownership data: the first of its years
/// with assets, controller its `controller_home` or else the brief's adversary `adv`.
fn check_claim(ds: &Dataset, c: &quadrant_model::Claim, adv: &str) -> Option<Claim> {
    let home = c.controller_home.as_deref().unwrap_or(adv);
    c.years.iter().find_map(|&y| {
        let h = host_controlled_by(ds, c.material.as_str(), c.stage, &c.host, home, y)?;
        Some(Claim {
            id: c.id.clone(),
            // The printed claim names the controlling home, not its code.
            claim: c.text_for(
                ds.country(home)
                    .map_or(home, |i| ds.countries[i as usize].name.as_str()),
            ),
            material: c.material.as_str().to_string(),
            stage: c.stage,
            host: c.host.clone(),
            controller: home.to_string(),
            measured: h.share,
            coverage: h.coverage,
            host_output_t: h.host_output_t,
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
            .ok()
        })
        .collect()
}
