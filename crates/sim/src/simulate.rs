//! One run of a scenario and its results: each member's and the bloc's shortfall, prices,
//! the bloc's producers' output, per material.

use crate::calendar::{self, EventWindow};
use crate::network::Network;
use crate::params::{MatParams, Params};
use crate::realize::{realize, Draws, Realized};
use crate::record::{KpiRecorder, Recorder, SeriesRecorder};
use crate::run::run_coupled;
use crate::scenario::Scenario;
use crate::trend::{for_scenario, Trend};
use crate::who::Bloc;
use quadrant_metrics::brief::{citation_of, Citation};
use quadrant_metrics::TradeIndex;
use quadrant_model::Dataset;
use serde::Serialize;
use std::sync::Arc;

/// A scenario made ready for any number of runs: its bloc worked out, and each material's
/// trend built once for its network.
pub struct Prepared<'a> {
    /// The dataset the scenario refers to.
    pub ds: &'a Dataset,
    /// The scenario.
    pub sc: &'a Scenario,
    /// One network per simulated material.
    pub nets: &'a [Network],
    /// Each network's trend, shared by every run.
    pub trends: Vec<Option<Arc<Trend>>>,
    /// The scenario's bloc.
    pub bloc: Bloc,
}

impl<'a> Prepared<'a> {
    /// Prepares `sc` on `nets` (from [`networks`]).
    pub fn new(ds: &'a Dataset, sc: &'a Scenario, nets: &'a [Network]) -> Prepared<'a> {
        Prepared {
            ds,
            sc,
            nets,
            trends: nets.iter().map(|n| for_scenario(ds, sc, n)).collect(),
            bloc: Bloc::of_or_empty(ds, &sc.bloc),
        }
    }
    /// The scenario realized for material `m` with one run's draws.
    pub fn realize(&self, m: usize, draws: Draws<'_>) -> Realized {
        realize(
            self.ds,
            self.sc,
            &self.nets[m],
            self.trends[m].clone(),
            draws,
        )
    }
    /// The scenario realized for material `m` as a single run: every event happens, every
    /// range at its middle.
    pub fn realize_mid(&self, m: usize) -> Realized {
        self.realize(
            m,
            Draws {
                draw: &mut |_, _| 0.5,
                include: &mut |_, _| true,
            },
        )
    }
    /// Material `m` with the scenario's policies and trend but no event.
    pub fn realize_without_events(&self, m: usize) -> Realized {
        self.realize(
            m,
            Draws {
                draw: &mut |_, _| 0.5,
                include: &mut |_, _| false,
            },
        )
    }
    /// Each material's parameters.
    pub fn params<'p>(&self, params: &'p Params) -> Vec<&'p MatParams> {
        self.nets.iter().map(|n| params.get(&n.material)).collect()
    }
}

/// The scenario realized on one network as a single run (every event, mid-range values):
/// for tests and benchmarks that step a network by hand.
pub fn realize_mid(ds: &Dataset, sc: &Scenario, net: &Network) -> Realized {
    Prepared::new(ds, sc, std::slice::from_ref(net)).realize_mid(0)
}

/// Shortfall of one country (or the bloc) over a run.
#[derive(Debug, Clone, Serialize)]
pub struct Shortfall {
    /// Country id, bloc id or `world`.
    pub subject: String,
    /// Its name (countries.csv, curated/blocs.toml, or `World`), for reports.
    pub name: String,
    /// Σ desired demand, tonnes.
    pub desired_demand_t: f64,
    /// Desired demand minus consumption: rationing plus demand destroyed by price.
    pub shortfall_t: f64,
    /// Shortfall as a share of desired demand.
    pub shortfall_share: f64,
    /// The rationed part alone.
    pub rationed_t: f64,
    /// Weeks short (the most of any of its nodes).
    pub short_weeks: usize,
    /// Highest weekly price any of its consumers paid at the last stage (× baseline).
    pub peak_price_paid: f64,
    /// Demand-weighted mean price paid at the last stage (× baseline).
    pub mean_price_paid: f64,
}

/// One material's results over a run.
#[derive(Debug, Clone, Serialize)]
pub struct MaterialResult {
    /// Material id.
    pub material: String,
    /// Material name (materials.csv), for reports.
    pub name: String,
    /// The network's structure year.
    pub year: u16,
    /// Datasets the network's stages come from.
    pub datasets: Vec<String>,
    /// How final demand was derived (`trade` or `world-pool`).
    pub demand_method: quadrant_model::DemandMethod,
    /// Weeks simulated.
    pub weeks: usize,
    /// ISO date of the first day of week 0 ([`crate::calendar::week0`]).
    pub start_date: String,
    /// When each of the scenario's events on this material acts in this run, with dates.
    pub events: Vec<EventWindow>,
    /// The bloc as a whole.
    pub bloc: Shortfall,
    /// Each member.
    pub members: Vec<Shortfall>,
    /// Every consumer.
    pub world: Shortfall,
    /// (stage, peak price / baseline, mean price / baseline)
    pub prices: Vec<(String, f64, f64)>,
    /// (stage, change of the bloc's producers' output over the run against baseline): what
    /// dumping or a ban costs the alliance's own producers.
    pub bloc_output_change: Vec<(String, f64)>,
    /// Extra spend at the last stage, in baseline-price tonnes.
    pub cost_index_t: f64,
    /// Largest relative mass-balance residual of a step.
    pub max_balance_error: f64,
    /// Node ids, for reading the series.
    #[serde(skip)]
    pub countries: Vec<String>,
    /// The weekly series, when asked for.
    #[serde(skip)]
    pub series: Option<SeriesRecorder>,
    /// The run's accumulated KPIs per node.
    #[serde(skip)]
    pub kpi: KpiRecorder,
}

/// The results of one run of a scenario.
#[derive(Debug, Clone, Serialize)]
pub struct SimResult {
    /// Scenario name.
    pub scenario: String,
    /// Bloc id.
    pub bloc: String,
    /// The bloc's short name (curated/blocs.toml).
    pub bloc_name: String,
    /// What the scenario describes, and its sources (the scenario file's `description`).
    pub description: String,
    /// Per simulated material.
    pub materials: Vec<MaterialResult>,
    /// The full citation of every dataset the networks were built from, sorted by id.
    pub sources: Vec<Citation>,
}

/// Networks for the scenario's materials, built once and reused across runs.
pub fn networks(ds: &Dataset, trade: &TradeIndex, sc: &Scenario) -> Vec<Network> {
    sc.material_ids()
        .iter()
        .filter_map(|m| ds.material(m))
        .filter_map(|m| crate::network::build(ds, trade, m, sc.base_year))
        .collect()
}

/// Σ of `v` over `idx`; 0 for no node (Rust's empty float sum is -0.0, printed "-0 t").
fn total(idx: &[usize], v: &[f64]) -> f64 {
    idx.iter().fold(0.0, |a, &i| a + v[i])
}

fn shortfall(subject: &str, idx: &[usize], kpi: &KpiRecorder) -> Shortfall {
    let d = total(idx, &kpi.demand);
    let u = total(idx, &kpi.shortfall);
    Shortfall {
        subject: subject.to_string(),
        name: subject.to_string(),
        desired_demand_t: d,
        shortfall_t: u,
        shortfall_share: if d > 0.0 { u / d } else { 0.0 },
        rationed_t: total(idx, &kpi.unmet),
        short_weeks: idx.iter().map(|&i| kpi.short_weeks[i]).max().unwrap_or(0),
        // Over consumers only: producers and facilities buy nothing at the last stage.
        peak_price_paid: idx
            .iter()
            .filter(|&&i| kpi.demand[i] > 0.0)
            .map(|&i| kpi.peak_paid[i])
            .fold(1.0, f64::max),
        mean_price_paid: if d > 0.0 {
            total(idx, &kpi.paid_sum) / d
        } else {
            1.0
        },
    }
}

/// Summarizes one run of one material.
pub fn summarize(
    bloc: &Bloc,
    net: &Network,
    kpi: KpiRecorder,
    series: Option<SeriesRecorder>,
) -> MaterialResult {
    let members = &bloc.members;
    let idx = bloc.demand_nodes(net);
    let all: Vec<usize> = (0..net.n()).collect();
    let w = kpi.weeks.max(1) as f64;
    MaterialResult {
        material: net.material.clone(),
        name: net.material.clone(),
        year: net.year,
        datasets: net.datasets.clone(),
        demand_method: net.demand_method,
        weeks: kpi.weeks,
        start_date: String::new(),
        events: Vec::new(),
        bloc: shortfall(&bloc.id, &idx, &kpi),
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
    let prep = Prepared::new(ds, sc, nets);
    let reals: Vec<Realized> = (0..nets.len()).map(|m| prep.realize_mid(m)).collect();
    let mut kpis = vec![KpiRecorder::default(); nets.len()];
    let mut series: Vec<SeriesRecorder> = nets
        .iter()
        .map(|n| SeriesRecorder::for_bloc(prep.bloc.demand_nodes(n)))
        .collect();
    // Materials run week by week together; without substitution links they do not
    // interact, and each runs exactly as it would alone.
    let ps = prep.params(params);
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
        .map(|(net, (kpi, ser))| {
            let mut m = summarize(&prep.bloc, net, kpi, with_series.then_some(ser));
            dated_and_named(ds, sc, net, &mut m);
            m
        })
        .collect();
    SimResult {
        scenario: sc.name.clone(),
        bloc: sc.bloc.clone(),
        bloc_name: bloc_name(ds, &sc.bloc),
        description: sc.description.clone(),
        sources: network_sources(ds, nets),
        materials,
    }
}

/// The citations of the datasets behind `nets`: each stage's production data, and the trade
/// data that splits demand where it does.
pub(crate) fn network_sources(ds: &Dataset, nets: &[Network]) -> Vec<Citation> {
    let mut ids: Vec<&str> = nets
        .iter()
        .flat_map(|n| n.datasets.iter().map(String::as_str))
        .collect();
    if nets
        .iter()
        .any(|n| n.demand_method == quadrant_model::DemandMethod::Trade)
    {
        ids.push(quadrant_model::sources::BACI);
    }
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .filter_map(|id| citation_of(ds, id))
        .collect()
}

/// The bloc's short name, or its id when the dataset does not know it.
pub(crate) fn bloc_name(ds: &Dataset, id: &str) -> String {
    ds.curated
        .bloc(id)
        .map_or_else(|| id.to_string(), |b| b.short_name().to_string())
}

/// Puts dates (week 0, each event's window) and names (each subject's) on `m`, so that
/// reports print them without looking anything up.
fn dated_and_named(ds: &Dataset, sc: &Scenario, net: &Network, m: &mut MaterialResult) {
    m.name = ds.materials[net.material_ix as usize].name.clone();
    m.start_date = calendar::iso(calendar::week0(sc, net.year));
    m.events = calendar::event_windows(ds, sc, &m.material, m.weeks, &m.start_date);
    let name = |id: &str| match ds.country(id) {
        Some(c) => ds.countries[c as usize].name.clone(),
        None if id == "world" => "World".to_string(),
        None => bloc_name(ds, id),
    };
    for x in std::iter::once(&mut m.bloc)
        .chain(m.members.iter_mut())
        .chain(std::iter::once(&mut m.world))
    {
        x.name = name(&x.subject);
    }
}
