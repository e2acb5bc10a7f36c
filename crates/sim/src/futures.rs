//! Disruption futures for a planner: the Monte Carlo's own runs (the same draws, by seed),
//! each reported year by year — the bloc's shortfall without any new project, and the output
//! and capacity each source country has open to the bloc at each stage, so that a planner can
//! tell whether new capacity downstream would find feed in that future.
//!
//! Future s is run s of `montecarlo` with the same seed ([`crate::montecarlo::realize_run`]):
//! the same events happen, with the same starts, depths and lengths. Futures run in parallel
//! and are collected in order, so the result is bit-identical on 1 or N threads.

use crate::api::{check_range, Session, SimError};
use crate::montecarlo::{realize_run, sampled};
use crate::network::Network;
use crate::realize::Realized;
use crate::record::Recorder;
use crate::run::run_coupled;
use crate::scenario::Scenario;
use crate::simulate::Prepared;
use crate::state::State;
use crate::who::Bloc;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};

/// Weeks in a simulated year (the step's year is 52 weeks).
pub const WEEKS_PER_YEAR: usize = 52;

/// Longest horizon of a set of futures, years (a scenario's longest run, 1,560 weeks).
pub const MAX_HORIZON_YEARS: usize = 30;

/// A set of disruption futures drawn from a Monte Carlo scenario set.
#[derive(Debug, Clone, Serialize)]
pub struct Futures {
    /// Scenario name.
    pub scenario: String,
    /// The bloc whose shortfall and feed are reported.
    pub bloc: String,
    /// The seed of every draw (the Monte Carlo's).
    pub seed: u64,
    /// Years simulated (each of 52 weeks).
    pub horizon_years: usize,
    /// Calendar year of year index 0: week 0 is the start of the year after the network's
    /// structure year (`base_year + 1`, as the trend counts it).
    pub first_year: u16,
    /// Material ids, in the order of each future's `materials`.
    pub materials: Vec<String>,
    /// The bloc's members, in the order of each year's `member_*` figures.
    pub members: Vec<String>,
    /// The futures, in run order.
    pub futures: Vec<Future>,
}

/// One future: one run of the Monte Carlo.
#[derive(Debug, Clone, Serialize)]
pub struct Future {
    /// Run index of the Monte Carlo (0-based).
    pub run: usize,
    /// Probability weight of the future: 1 / number of futures.
    pub weight: f64,
    /// What the run drew for each event (`montecarlo::sampled`): `e1_happened`, `e1_share` …
    pub sampled: Vec<(String, f64)>,
    /// Per material, in the order of `Futures::materials`.
    pub materials: Vec<FutureMaterial>,
}

/// One material in one future.
#[derive(Debug, Clone, Serialize)]
pub struct FutureMaterial {
    /// Material id.
    pub material: String,
    /// True when final demand is one world pool (no trade data at the last stage): the bloc's
    /// shortfall is then the pool's, i.e. the world's, in tonnes.
    pub world_pool: bool,
    /// Year by year, `horizon_years` entries.
    pub years: Vec<FutureYear>,
}

/// One year of one material in one future.
#[derive(Debug, Clone, Serialize)]
pub struct FutureYear {
    /// Calendar year.
    pub year: u16,
    /// The bloc's desired final demand over the year, t of content (the material's basis).
    pub bloc_demand_t: f64,
    /// The bloc's shortfall over the year without any new project: Σ over weeks and the bloc's
    /// demand nodes of (desired − consumed), t of content (rationing plus demand destroyed by
    /// price, as the simulator's KPIs count it).
    pub bloc_shortfall_t: f64,
    /// Each member's desired final demand over the year, t, in `Futures::members` order (for a
    /// world-pool material every member's figure is the pool's).
    pub member_demand_t: Vec<f64>,
    /// Each member's shortfall over the year, t, counted as `bloc_shortfall_t` is.
    pub member_shortfall_t: Vec<f64>,
    /// Per stage (upstream first), what each source country has open to the bloc.
    pub feed: Vec<StageFeed>,
}

/// What a stage's producers had open to the bloc in one year.
#[derive(Debug, Clone, Serialize)]
pub struct StageFeed {
    /// Stage name (`mining`, `refining` …).
    pub stage: String,
    /// One entry per country with capacity at the stage (its facilities counted with it),
    /// in network order.
    pub sources: Vec<SourceFeed>,
}

/// One source country at one stage in one year. "Open to the bloc" means multiplied, week by
/// week, by the share that the export restrictions in force let through to the bloc's members
/// (0 under a ban aimed at them, the quota share under a quota, 1 without restriction).
#[derive(Debug, Clone, Serialize)]
pub struct SourceFeed {
    /// Country id.
    pub country: String,
    /// Output over the year open to the bloc, t of content. Part of it is already bought by
    /// the country's baseline customers.
    pub output_t: f64,
    /// Capacity over the year open to the bloc, t of content (capacity after losses, trend
    /// and the scenario's own projects); `capacity_t − output_t` is what idle capacity could
    /// add.
    pub capacity_t: f64,
    /// The lowest weekly output open to the bloc in the year, t/week (0 when a ban aimed at
    /// the bloc was in force for at least a week).
    pub min_weekly_t: f64,
}

/// Accumulates one material's yearly figures in one future.
struct YearRecorder {
    bloc_nodes: Vec<usize>,
    /// Each member's demand nodes.
    member_demand: Vec<Vec<usize>>,
    /// Nodes within the bloc's member countries (facilities included).
    member_nodes: Vec<usize>,
    /// Per stage: the source countries' nodes, and each node's position in them.
    sources: Vec<Vec<usize>>,
    slot: Vec<Vec<Option<usize>>>,
    years: Vec<YearAcc>,
    /// Scratch for one week's open output per source.
    week_out: Vec<f64>,
}

#[derive(Clone)]
struct YearAcc {
    demand: f64,
    shortfall: f64,
    /// Per member: (demand, shortfall).
    member: Vec<(f64, f64)>,
    /// [stage][source] (output, capacity, lowest weekly output).
    feed: Vec<Vec<(f64, f64, f64)>>,
}

impl YearRecorder {
    fn new(net: &Network, bloc: &Bloc, years: usize) -> YearRecorder {
        let members: Vec<usize> = bloc.members.iter().filter_map(|m| net.node(m)).collect();
        let member_nodes: Vec<usize> = (0..net.n())
            .filter(|&i| members.iter().any(|&x| net.within(i, x)))
            .collect();
        let mut sources = Vec::new();
        let mut slot = Vec::new();
        for sn in &net.stages {
            let mut has = vec![false; net.n()];
            for i in 0..net.n() {
                has[net.parent[i]] |= sn.capacity[i] > 0.0;
            }
            let src: Vec<usize> = (0..net.n()).filter(|&c| has[c]).collect();
            let sl = (0..net.n())
                .map(|i| src.iter().position(|&c| c == net.parent[i]))
                .collect();
            sources.push(src);
            slot.push(sl);
        }
        let member_demand = bloc.member_demand_nodes(net);
        let acc = YearAcc {
            demand: 0.0,
            shortfall: 0.0,
            member: vec![(0.0, 0.0); member_demand.len()],
            feed: sources
                .iter()
                .map(|s| vec![(0.0, 0.0, f64::INFINITY); s.len()])
                .collect(),
        };
        YearRecorder {
            bloc_nodes: bloc.demand_nodes(net),
            member_demand,
            member_nodes,
            week_out: vec![0.0; net.n()],
            sources,
            slot,
            years: vec![acc; years],
        }
    }
    /// Share of node i's stage-s goods that the restrictions in force in week w let through
    /// to the bloc: the smallest share of those binding i towards any member node.
    fn open(&self, r: &Realized, s: usize, w: usize, i: usize) -> f64 {
        r.restrictions
            .iter()
            .filter(|x| x.stage == s && w >= x.start && w < x.end && x.from[i])
            .filter(|x| self.member_nodes.iter().any(|&b| x.targets[b]))
            .map(|x| x.share)
            .fold(1.0, f64::min)
    }
}

impl Recorder for YearRecorder {
    fn record(&mut self, net: &Network, r: &Realized, st: &State) {
        let w = st.week - 1;
        let Some(y) = self
            .years
            .get(w / WEEKS_PER_YEAR)
            .map(|_| w / WEEKS_PER_YEAR)
        else {
            return;
        };
        let (mut demand, mut short) = (0.0, 0.0);
        for &k in &self.bloc_nodes {
            demand += st.desired[k];
            short += (st.desired[k] - st.consumed[k]).max(0.0);
        }
        self.years[y].demand += demand;
        self.years[y].shortfall += short;
        for (m, nodes) in self.member_demand.iter().enumerate() {
            let acc = &mut self.years[y].member[m];
            for &k in nodes {
                acc.0 += st.desired[k];
                acc.1 += (st.desired[k] - st.consumed[k]).max(0.0);
            }
        }
        let cf = &st.scratch.cf;
        let add = &st.scratch.add;
        for (s, sn) in net.stages.iter().enumerate() {
            let n_src = self.sources[s].len();
            self.week_out[..n_src].fill(0.0);
            for i in 0..net.n() {
                let Some(k) = self.slot[s][i] else { continue };
                let open = self.open(r, s, w, i);
                let cap = sn.capacity[i] * cf[s][i] + add[s][i];
                self.week_out[k] += st.production[s][i] * open;
                self.years[y].feed[s][k].1 += cap * open;
            }
            for k in 0..n_src {
                let f = &mut self.years[y].feed[s][k];
                f.0 += self.week_out[k];
                f.2 = f.2.min(self.week_out[k]);
            }
        }
    }
}

impl YearRecorder {
    fn finish(self, net: &Network, first_year: u16) -> Vec<FutureYear> {
        self.years
            .into_iter()
            .enumerate()
            .map(|(y, acc)| FutureYear {
                year: first_year + y as u16,
                bloc_demand_t: acc.demand,
                bloc_shortfall_t: acc.shortfall,
                member_demand_t: acc.member.iter().map(|m| m.0).collect(),
                member_shortfall_t: acc.member.iter().map(|m| m.1).collect(),
                feed: net
                    .stages
                    .iter()
                    .enumerate()
                    .map(|(s, sn)| StageFeed {
                        stage: sn.stage.as_str().to_string(),
                        sources: self.sources[s]
                            .iter()
                            .zip(&acc.feed[s])
                            .map(|(&c, &(out, cap, min))| SourceFeed {
                                country: net.countries[c].clone(),
                                output_t: out,
                                capacity_t: cap,
                                min_weekly_t: if min.is_finite() { min } else { 0.0 },
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect()
    }
}

impl Session<'_> {
    /// `n_futures` futures of `sc` from `seed` over `horizon_years` years (the scenario's
    /// events and policies; its `weeks` replaced by 52 × `horizon_years`): future s is the
    /// Monte Carlo's run s, reported year by year for the scenario's bloc. Runs on the current
    /// rayon pool; the result does not depend on its size.
    pub fn futures(
        &self,
        sc: &Scenario,
        n_futures: usize,
        seed: u64,
        horizon_years: usize,
    ) -> Result<Futures, SimError> {
        let never = AtomicBool::new(false);
        let f = self.futures_until(sc, n_futures, seed, horizon_years, &never)?;
        Ok(f.expect("never stopped"))
    }

    /// [`Session::futures`], or `None` once `stop` is set (checked before each future).
    pub fn futures_until(
        &self,
        sc: &Scenario,
        n_futures: usize,
        seed: u64,
        horizon_years: usize,
        stop: &AtomicBool,
    ) -> Result<Option<Futures>, SimError> {
        check_range("futures", n_futures, 1, crate::api::MAX_RUNS)?;
        check_range("horizon_years", horizon_years, 1, MAX_HORIZON_YEARS)?;
        let mut sc = sc.clone();
        sc.weeks = horizon_years * WEEKS_PER_YEAR;
        let nets = self.networks(&sc)?;
        let prep = Prepared::new(self.ds, &sc, &nets);
        let ps = prep.params(&self.params);
        let first_year = sc.base_year + 1;
        let weight = 1.0 / n_futures as f64;
        let futures = (0..n_futures)
            .into_par_iter()
            .map(|run| {
                if stop.load(Ordering::Relaxed) {
                    return None;
                }
                let reals: Vec<Realized> = (0..nets.len())
                    .map(|m| realize_run(&prep, m, seed, run))
                    .collect();
                let mut recs: Vec<YearRecorder> = nets
                    .iter()
                    .map(|n| YearRecorder::new(n, &prep.bloc, horizon_years))
                    .collect();
                let mut dyn_recs: Vec<Vec<&mut dyn Recorder>> = recs
                    .iter_mut()
                    .map(|r| vec![r as &mut dyn Recorder])
                    .collect();
                run_coupled(
                    &nets,
                    &ps,
                    &reals,
                    &sc.substitutions,
                    sc.weeks,
                    &mut dyn_recs,
                );
                Some(Future {
                    run,
                    weight,
                    sampled: sampled(&sc, seed, run),
                    materials: nets
                        .iter()
                        .zip(recs)
                        .map(|(net, rec)| FutureMaterial {
                            material: net.material.clone(),
                            world_pool: net.demand_method
                                == quadrant_model::DemandMethod::WorldPool,
                            years: rec.finish(net, first_year),
                        })
                        .collect(),
                })
            })
            .collect::<Option<Vec<Future>>>();
        let Some(futures) = futures else {
            return Ok(None);
        };
        Ok(Some(Futures {
            scenario: sc.name.clone(),
            bloc: sc.bloc.clone(),
            seed,
            horizon_years,
            first_year,
            materials: nets.iter().map(|n| n.material.clone()).collect(),
            members: prep.bloc.members.clone(),
            futures,
        }))
    }
}
