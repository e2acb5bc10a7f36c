//! What the workbench's map, country profile and flow diagram show, computed here so that the
//! dashboard only draws: a production layer by location or by control for one (material,
//! stage, year), one country's profile across materials, and the bloc's supply as links from
//! mining country through refining country (origin tracing).

use crate::brief::{upstream_conc, Ctx};
use crate::concentration::{concentration, latest_year};
use crate::control::{control, ControlRule, Coverage};
use crate::origin::{origin_links, origin_trace, OriginTrace};
use crate::Members;
use quadrant_model::{CountryIx, Dataset, MaterialIx, Stage};
use serde::Serialize;

/// Where a layer attributes output: where it happens, or whose firms control it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum By {
    /// The country where the output takes place.
    Location,
    /// The home country of the controlling owner (curated/ownership.toml).
    Control,
}

/// One country's part of a layer.
#[derive(Debug, Clone, Serialize)]
pub struct LayerShare {
    /// Country id.
    pub country: String,
    /// Share of world output, 0–1.
    pub share: f64,
    /// Output, tonnes of the material's basis (by location only).
    pub value_t: Option<f64>,
}

/// World output of (material, stage) in one year by country.
#[derive(Debug, Clone, Serialize)]
pub struct Layer {
    /// Material id.
    pub material: String,
    /// The stage.
    pub stage: Stage,
    /// Year of the data: the latest up to the year asked.
    pub year: u16,
    /// Production dataset (a source id).
    pub source: String,
    /// Location or control.
    pub by: By,
    /// World output, tonnes.
    pub total_t: f64,
    /// Shares, descending.
    pub shares: Vec<LayerShare>,
    /// For control: how much of world output is attributed to identified producers.
    pub coverage: Option<Coverage>,
    /// Every year with data for this material and stage.
    pub years: Vec<u16>,
}

/// The layer of (m, stage) at the latest year up to `year`; None without data, or by control
/// when no curated asset covers the stage.
pub fn layer(ds: &Dataset, m: MaterialIx, stage: Stage, year: u16, by: By) -> Option<Layer> {
    let y = latest_year(ds, m, stage, year)?;
    let conc = concentration(ds, m, stage, y)?;
    let (shares, coverage, source) = match by {
        By::Location => (
            conc.shares
                .iter()
                .map(|s| LayerShare {
                    country: s.country.clone(),
                    share: s.share,
                    value_t: Some(s.value_t),
                })
                .collect(),
            None,
            conc.dataset.clone(),
        ),
        By::Control => {
            let c = control(ds, &conc, ControlRule::Controlling)?;
            let shares = c
                .shares
                .iter()
                .map(|(h, s)| LayerShare {
                    country: h.clone(),
                    share: *s,
                    value_t: None,
                })
                .collect();
            (
                shares,
                Some(c.coverage),
                format!("{}+{}", conc.dataset, crate::brief::OWNERSHIP),
            )
        }
    };
    Some(Layer {
        material: conc.material.clone(),
        stage,
        year: y,
        source,
        by,
        total_t: conc.total_t,
        shares,
        coverage,
        years: ds.production_years(m, stage),
    })
}

/// One (material, stage) line of a country's profile.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileLine {
    /// Material id.
    pub material: String,
    /// The stage.
    pub stage: Stage,
    /// Year of the production data.
    pub year: u16,
    /// Production dataset.
    pub source: String,
    /// The country's output, tonnes (0 when it produces none).
    pub output_t: f64,
    /// Its share of world output.
    pub share: f64,
    /// Its rank among producers (1 = largest); None when it produces none.
    pub rank: Option<usize>,
    /// Year of the trade data, when trade data covers the stage.
    pub trade_year: Option<u16>,
    /// The trade dataset, when trade data covers the stage.
    pub trade_source: Option<String>,
    /// Imports, tonnes of content.
    pub imports_t: f64,
    /// Exports, tonnes of content.
    pub exports_t: f64,
    /// Largest suppliers: (country, tonnes), descending.
    pub suppliers: Vec<(String, f64)>,
    /// Largest buyers: (country, tonnes), descending.
    pub buyers: Vec<(String, f64)>,
}

/// What country `c` mines, refines and makes, what it imports and exports and from and to
/// whom, for every material with data up to `year`; lines where it neither produces nor
/// trades are left out.
pub fn profile(cx: &Ctx, c: CountryIx, year: u16, top: usize) -> Vec<ProfileLine> {
    (0..cx.ds.materials.len() as MaterialIx)
        .flat_map(|m| Stage::ALL.map(|s| (m, s)))
        .filter_map(|(m, s)| profile_line(cx, m, s, c, year, top))
        .collect()
}

fn profile_line(
    cx: &Ctx,
    m: MaterialIx,
    stage: Stage,
    c: CountryIx,
    year: u16,
    top: usize,
) -> Option<ProfileLine> {
    let ds = cx.ds;
    let y = latest_year(ds, m, stage, year)?;
    let conc = concentration(ds, m, stage, y)?;
    let rank = conc
        .shares
        .iter()
        .position(|s| s.ix == c && s.value_t > 0.0)
        .map(|i| i + 1);
    let trade_year = cx
        .trade
        .covers(ds, m, stage)
        .then(|| cx.trade.latest_year(m, stage, y))
        .flatten();
    let (mut sup, mut buy) = (Vec::new(), Vec::new());
    if let Some(ty) = trade_year {
        for &(e, i, q) in cx.trade.flows(m, stage, ty) {
            if i == c && e != c {
                sup.push((e, q));
            } else if e == c && i != c {
                buy.push((i, q));
            }
        }
    }
    let (imports_t, exports_t) = trade_year
        .map(|ty| cx.trade.imports_exports(m, stage, ty, c))
        .unwrap_or((0.0, 0.0));
    if rank.is_none() && imports_t <= 0.0 && exports_t <= 0.0 {
        return None;
    }
    let named = |mut v: Vec<(CountryIx, f64)>| -> Vec<(String, f64)> {
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v.into_iter()
            .take(top)
            .map(|(k, q)| (ds.country_id(k).to_string(), q))
            .collect()
    };
    Some(ProfileLine {
        material: conc.material.clone(),
        stage,
        year: y,
        source: conc.dataset.clone(),
        output_t: conc.value_of(c),
        share: conc.share_of_country(c),
        rank,
        trade_year,
        trade_source: trade_year.map(|_| cx.trade.source().to_string()),
        imports_t,
        exports_t,
        suppliers: named(sup),
        buyers: named(buy),
    })
}

/// The bloc's supply at a stage as links from the upstream origin through the country where
/// the stage took place, with the origin trace they sum to.
#[derive(Debug, Clone, Serialize)]
pub struct SupplyFlow {
    /// The trace: totals, shares and how much passed through the adversary.
    pub trace: OriginTrace,
    /// (origin country, stage country, tonnes), largest first.
    pub links: Vec<(String, String, f64)>,
}

/// The bloc's supply of (m, `stage`) traced one stage upstream, as the brief traces it (same
/// years and datasets); None when the stage has no upstream, data or trade.
pub fn supply_flow(
    cx: &Ctx,
    m: MaterialIx,
    stage: Stage,
    year: u16,
    bloc: &Members,
    adversary: CountryIx,
) -> Option<SupplyFlow> {
    let ds = cx.ds;
    let y = latest_year(ds, m, stage, year)?;
    let down = concentration(ds, m, stage, y)?;
    let up = upstream_conc(ds, m, stage.upstream()?, &down)?;
    let ty = cx.trade.latest_year(m, stage, y)?;
    let trace = origin_trace(ds, &cx.trade, m, &down, &up, ty, bloc, adversary);
    let links = origin_links(ds, &cx.trade, m, &down, &up, ty, bloc)
        .into_iter()
        .map(|(o, r, q)| {
            (
                ds.country_id(o).to_string(),
                ds.country_id(r).to_string(),
                q,
            )
        })
        .collect();
    Some(SupplyFlow { trace, links })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_sum_to_the_trace_and_the_layer_to_one() {
        let ds = quadrant_data::load_embedded().unwrap();
        let cx = Ctx::new(&ds);
        let co = ds.material("cobalt").unwrap();
        let bloc = Members::bloc(&ds, "QUAD").unwrap();
        let chn = ds.country("CHN").unwrap();
        let f = supply_flow(&cx, co, Stage::Refining, 2024, &bloc, chn).unwrap();
        let total: f64 = f.links.iter().map(|l| l.2).sum();
        assert!((total - f.trace.supply_t).abs() < 1e-6 * f.trace.supply_t);
        // By refiner, the links give the trace's shares.
        let via_chn: f64 = f.links.iter().filter(|l| l.1 == "CHN").map(|l| l.2).sum();
        assert!((via_chn / total - f.trace.adversary_at_stage).abs() < 1e-9);
        let l = layer(&ds, co, Stage::Mining, 2024, By::Location).unwrap();
        let s: f64 = l.shares.iter().map(|x| x.share).sum();
        assert!((s - 1.0).abs() < 1e-9 && l.shares[0].country == "COD");
        let c = layer(&ds, co, Stage::Mining, 2024, By::Control).unwrap();
        assert!(c.coverage.is_some() && c.source.contains('+'));
        let cod = ds.country("COD").unwrap();
        let p = profile(&cx, cod, 2024, 5);
        let line = p
            .iter()
            .find(|l| l.material == "cobalt" && l.stage == Stage::Mining)
            .unwrap();
        assert_eq!(line.rank, Some(1));
    }
}
