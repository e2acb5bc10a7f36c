//! The disruption simulator: "if this happens, how short does each member of the alliance run,
//! for how long, at what price — and what do our policies change?"
//!
//! * [`network`] builds one material's supply network from the dataset (nodes are countries
//!   at each stage, and facilities where the curated layer lists assets; links the baseline
//!   trade and domestic flows), so that the baseline is an exact steady state.
//! * [`scenario`] reads immutable scenarios (events and policies) from TOML.
//! * [`engine`] holds the state and the one weekly step; [`record`] the recorders that observe
//!   it; [`montecarlo`] runs thousands of futures in parallel, bit-identically on any number of
//!   threads.

// Index loops over nodes and stages mirror the equations of docs/model.md; iterator chains
// over several parallel arrays would hide them.
#![allow(clippy::needless_range_loop)]

pub mod engine;
pub mod montecarlo;
pub mod network;
pub mod params;
pub mod record;
pub mod scenario;
pub mod shipped;

use engine::{realize, run_coupled, Realized};
use network::Network;
use params::Params;
use quadrant_metrics::TradeIndex;
use quadrant_model::Dataset;
use record::{KpiRecorder, Recorder, SeriesRecorder};
use scenario::{resolve, Scenario};
use serde::Serialize;

/// Shortfall of one country (or the bloc) over a run.
#[derive(Debug, Clone, Serialize)]
pub struct Shortfall {
    pub country: String,
    pub demand_t: f64,
    /// Desired demand minus consumption: rationing plus demand destroyed by price.
    pub shortfall_t: f64,
    pub shortfall_pct: f64,
    /// The rationed part alone.
    pub rationed_t: f64,
    pub short_weeks: usize,
    /// Highest weekly price any of its consumers paid at the last stage (× baseline).
    pub peak_price_paid: f64,
    /// Demand-weighted mean price paid at the last stage (× baseline).
    pub mean_price_paid: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct MaterialResult {
    pub material: String,
    pub year: u16,
    pub datasets: Vec<String>,
    pub demand_method: quadrant_model::DemandMethod,
    pub weeks: usize,
    pub bloc: Shortfall,
    pub members: Vec<Shortfall>,
    pub world: Shortfall,
    /// (stage, peak price / baseline, mean price / baseline)
    pub prices: Vec<(String, f64, f64)>,
    /// (stage, change of the bloc's producers' output over the run against baseline): what
    /// dumping or a ban costs the alliance's own producers.
    pub bloc_output_change: Vec<(String, f64)>,
    pub cost_index_t: f64,
    pub max_balance_error: f64,
    /// Node ids, for reading the series.
    #[serde(skip)]
    pub countries: Vec<String>,
    #[serde(skip)]
    pub series: Option<SeriesRecorder>,
    #[serde(skip)]
    pub kpi: KpiRecorder,
}

#[derive(Debug, Clone, Serialize)]
pub struct SimResult {
    pub scenario: String,
    pub bloc: String,
    pub materials: Vec<MaterialResult>,
}

/// Networks for the scenario's materials, built once and reused across runs.
pub fn networks(ds: &Dataset, trade: &TradeIndex, sc: &Scenario) -> Vec<Network> {
    sc.material_ids()
        .iter()
        .filter_map(|m| ds.material(m))
        .filter_map(|m| network::build(ds, trade, m, sc.base_year))
        .collect()
}

fn shortfall(country: &str, idx: &[usize], kpi: &KpiRecorder) -> Shortfall {
    let d: f64 = idx.iter().map(|&i| kpi.demand[i]).sum();
    let u: f64 = idx.iter().map(|&i| kpi.shortfall[i]).sum();
    Shortfall {
        country: country.to_string(),
        demand_t: d,
        shortfall_t: u,
        shortfall_pct: if d > 0.0 { u / d } else { 0.0 },
        rationed_t: idx.iter().map(|&i| kpi.unmet[i]).sum(),
        short_weeks: idx.iter().map(|&i| kpi.short_weeks[i]).max().unwrap_or(0),
        // Over consumers only: producers and facilities buy nothing at the last stage.
        peak_price_paid: idx
            .iter()
            .filter(|&&i| kpi.demand[i] > 0.0)
            .map(|&i| kpi.peak_paid[i])
            .fold(1.0, f64::max),
        mean_price_paid: if d > 0.0 {
            idx.iter().map(|&i| kpi.paid_sum[i]).sum::<f64>() / d
        } else {
            1.0
        },
    }
}

/// Summarises one run of one material.
pub fn summarize(
    ds: &Dataset,
    sc: &Scenario,
    net: &Network,
    kpi: KpiRecorder,
    series: Option<SeriesRecorder>,
) -> MaterialResult {
    let members: Vec<String> =
        resolve(ds, &scenario::Targets::Named(format!("bloc:{}", sc.bloc))).unwrap_or_default();
    let mut idx: Vec<usize> = members.iter().flat_map(|m| net.demand_nodes(m)).collect();
    idx.dedup();
    let all: Vec<usize> = (0..net.n()).collect();
    let w = kpi.weeks.max(1) as f64;
    MaterialResult {
        material: net.material.clone(),
        year: net.year,
        datasets: net.datasets.clone(),
        demand_method: net.demand_method,
        weeks: kpi.weeks,
        bloc: shortfall(&sc.bloc, &idx, &kpi),
        members: members
            .iter()
            .map(|m| shortfall(m, &net.node(m).into_iter().collect::<Vec<_>>(), &kpi))
            .collect(),
        world: shortfall("world", &all, &kpi),
        bloc_output_change: net
            .stages
            .iter()
            .enumerate()
            .map(|(s, sn)| {
                // Members' producers, their facilities included.
                let prod: Vec<usize> = members
                    .iter()
                    .filter_map(|m| net.node(m))
                    .flat_map(|x| (0..net.n()).filter(move |&i| net.within(i, x)))
                    .collect();
                let base: f64 =
                    prod.iter().map(|&i| sn.base_output[i]).sum::<f64>() * kpi.weeks as f64;
                let got: f64 = prod
                    .iter()
                    .map(|&i| kpi.production.get(s).map_or(0.0, |v| v[i]))
                    .sum();
                (
                    sn.stage.as_str().to_string(),
                    if base > 0.0 { got / base - 1.0 } else { 0.0 },
                )
            })
            .collect(),
        prices: net
            .stages
            .iter()
            .enumerate()
            .map(|(s, sn)| {
                (
                    sn.stage.as_str().to_string(),
                    kpi.peak_price[s],
                    kpi.price_sum[s] / w,
                )
            })
            .collect(),
        cost_index_t: kpi.cost_index,
        max_balance_error: kpi.max_balance_error,
        countries: net.countries.clone(),
        series,
        kpi,
    }
}

/// Runs a scenario once, every event at its stated (or mid-range) value.
pub fn simulate(
    ds: &Dataset,
    nets: &[Network],
    params: &Params,
    sc: &Scenario,
    with_series: bool,
) -> SimResult {
    let reals: Vec<Realized> = nets
        .iter()
        .map(|net| realize(ds, sc, net, &mut |_, _| 0.5, &mut |_, _| true))
        .collect();
    let mut kpis = vec![KpiRecorder::default(); nets.len()];
    let mut series = vec![SeriesRecorder::default(); nets.len()];
    // Materials run week by week together; without substitution links they do not
    // interact, and each runs exactly as it would alone.
    let ps: Vec<&params::MatParams> = nets.iter().map(|n| params.get(&n.material)).collect();
    let mut recs: Vec<Vec<&mut dyn Recorder>> = kpis
        .iter_mut()
        .zip(series.iter_mut())
        .map(|(k, s)| {
            let mut v: Vec<&mut dyn Recorder> = vec![k];
            if with_series {
                v.push(s);
            }
            v
        })
        .collect();
    run_coupled(nets, &ps, &reals, &sc.substitutions, sc.weeks, &mut recs);
    let materials = nets
        .iter()
        .zip(kpis.into_iter().zip(series))
        .map(|(net, (kpi, ser))| summarize(ds, sc, net, kpi, with_series.then_some(ser)))
        .collect();
    SimResult {
        scenario: sc.name.clone(),
        bloc: sc.bloc.clone(),
        materials,
    }
}
