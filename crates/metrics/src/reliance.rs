//! Net import reliance and self-sufficiency, per country and per bloc (intra-bloc trade nets
//! out). Production and trade are both in the material's basis; see docs/model.md.

use crate::concentration::Concentration;
use crate::trade::TradeIndex;
use crate::Members;
use quadrant_model::{CountryIx, MaterialIx, Stage};
use serde::Serialize;

/// Production, trade and reliance of a country or bloc at one stage.
#[derive(Debug, Clone, Serialize)]
pub struct Reliance {
    /// Production P, tonnes.
    pub production_t: f64,
    /// Imports M, tonnes (intra-bloc trade netted out).
    pub imports_t: f64,
    /// Exports X, tonnes (intra-bloc trade netted out).
    pub exports_t: f64,
    /// Apparent consumption P + M − X.
    pub consumption_t: f64,
    /// (M − X) / (P + M − X); negative for a net exporter; None when consumption ≤ 0.
    pub net_import_reliance: Option<f64>,
    /// P / (P + M − X); None when consumption ≤ 0.
    pub self_sufficiency: Option<f64>,
    /// Year of the trade data.
    pub trade_year: u16,
}

fn finish(p: f64, m: f64, x: f64, trade_year: u16) -> Reliance {
    let c = p + m - x;
    let ok = c > 1e-9;
    Reliance {
        production_t: p,
        imports_t: m,
        exports_t: x,
        consumption_t: c,
        net_import_reliance: ok.then(|| (m - x) / c),
        self_sufficiency: ok.then(|| p / c),
        trade_year,
    }
}

/// One country's reliance at a stage: production from `conc`, trade from `trade` in `trade_year`.
pub fn country_reliance(
    conc: &Concentration,
    trade: &TradeIndex,
    m: MaterialIx,
    s: Stage,
    trade_year: u16,
    c: CountryIx,
) -> Reliance {
    let (im, ex) = trade.imports_exports(m, s, trade_year, c);
    finish(conc.value_of(c), im, ex, trade_year)
}

/// A bloc's reliance: members' production; imports from and exports to non-members only.
pub fn bloc_reliance(
    conc: &Concentration,
    trade: &TradeIndex,
    m: MaterialIx,
    s: Stage,
    trade_year: u16,
    bloc: &Members,
) -> Reliance {
    let p: f64 = bloc.iter().map(|c| conc.value_of(c)).sum();
    let mut im = 0.0;
    let mut ex = 0.0;
    for &(e, i, q) in trade.flows(m, s, trade_year) {
        match (bloc.contains(e), bloc.contains(i)) {
            (false, true) => im += q,
            (true, false) => ex += q,
            _ => {}
        }
    }
    finish(p, im, ex, trade_year)
}
