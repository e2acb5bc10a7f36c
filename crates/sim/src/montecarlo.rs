//! Monte Carlo over scenario sets, chokepoint ranking and back-tests.
//!
//! Reproducibility: every random number is a hash of (seed, run, event, field), never drawn
//! from a shared generator, and runs are collected in run order. The same seed therefore gives
//! bit-identical results on 1 or N threads, and a run's draws do not depend on which material
//! is simulated first.

use crate::engine::{initial, realize, run, run_coupled, step, CapLoss, Realized, State};
use crate::network::Network;
use crate::params::{MatParams, Params};
use crate::record::{KpiRecorder, Recorder};
use crate::scenario::{resolve, Scenario, Targets};
use quadrant_model::Dataset;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// SplitMix64 finaliser: a fast, well-mixed 64-bit hash.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform number in [0, 1) for (seed, run, event, field).
pub fn uniform(seed: u64, run: u64, event: u64, field: u64) -> f64 {
    let h = mix(mix(mix(mix(seed) ^ run) ^ event) ^ field);
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// One run's outcome: per material, the bloc's and each member's shortfall share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunOutcome {
    pub run: usize,
    /// [material][0 = bloc, 1.. = members] shortfall as a share of desired demand.
    pub shortfall: Vec<Vec<f64>>,
    pub peak_price: Vec<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub mean: f64,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
    /// Mean of the worst 5% of runs.
    pub cvar95: f64,
}

pub fn stats(v: &[f64]) -> Stats {
    let mut s: Vec<f64> = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len().max(1);
    let q = |p: f64| {
        s.get(((p * (n - 1) as f64).round() as usize).min(n - 1))
            .copied()
            .unwrap_or(0.0)
    };
    let tail = ((n as f64) * 0.05).ceil().max(1.0) as usize;
    let worst = &s[s.len().saturating_sub(tail)..];
    Stats {
        mean: s.iter().sum::<f64>() / n as f64,
        p5: q(0.05),
        p50: q(0.5),
        p95: q(0.95),
        cvar95: worst.iter().sum::<f64>() / worst.len().max(1) as f64,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SubjectStats {
    pub material: String,
    pub subject: String,
    pub shortfall: Stats,
}

#[derive(Debug, Clone, Serialize)]
pub struct McResult {
    pub scenario: String,
    pub seed: u64,
    pub runs_requested: usize,
    pub runs_done: usize,
    pub interrupted: bool,
    pub rows: Vec<SubjectStats>,
    pub peak_price: Vec<(String, Stats)>,
    #[serde(skip)]
    pub outcomes: Vec<RunOutcome>,
}

fn members(ds: &Dataset, sc: &Scenario) -> Vec<String> {
    resolve(ds, &Targets::Named(format!("bloc:{}", sc.bloc))).unwrap_or_default()
}

fn share(kpi: &KpiRecorder, idx: &[usize]) -> f64 {
    let d: f64 = idx.iter().map(|&i| kpi.demand[i]).sum();
    let u: f64 = idx.iter().map(|&i| kpi.shortfall[i]).sum();
    if d > 0.0 {
        u / d
    } else {
        0.0
    }
}

/// Runs `runs` futures of a scenario set. `stop` ends the run early (finished runs are kept);
/// `done` counts finished runs for a progress display.
pub fn montecarlo(
    ds: &Dataset,
    nets: &[Network],
    params: &Params,
    sc: &Scenario,
    runs: usize,
    seed: u64,
    stop: &AtomicBool,
    done: &AtomicUsize,
) -> McResult {
    let mem = members(ds, sc);
    // (bloc + member shortfall shares, peak price) of one material's run.
    let summary = |net: &Network, kpi: &KpiRecorder| -> (Vec<f64>, f64) {
        let mut bloc: Vec<usize> = mem.iter().flat_map(|m| net.demand_nodes(m)).collect();
        bloc.dedup();
        let mut row = vec![share(kpi, &bloc)];
        row.extend(mem.iter().map(|m| share(kpi, &net.demand_nodes(m))));
        (row, kpi.peak_price.iter().copied().fold(1.0, f64::max))
    };
    // The run of each material's policies and trend without events, computed once, with
    // checkpoints: a run whose first event acts in week w starts from the last checkpoint
    // at or before w (bit-identical to running from week 0; see
    // `Realized::first_event_week`), and a run without events is this run.
    let coupled = !sc.substitutions.is_empty();
    let tracks: Vec<Track> = nets
        .par_iter()
        .filter(|_| !coupled)
        .map(|net| {
            let base = realize(ds, sc, net, &mut |_, _| 0.5, &mut |_, _| false);
            Track::new(net, params.get(&net.material), &base, sc.weeks)
        })
        .collect();
    let baseline: Vec<(Vec<f64>, f64)> = nets
        .iter()
        .zip(&tracks)
        .map(|(net, t)| summary(net, &t.last))
        .collect();
    let measure = |mi: usize, net: &Network, real: &Realized, from: usize| -> (Vec<f64>, f64) {
        let p = params.get(&net.material);
        let (mut st, mut kpi) = tracks[mi].start(from);
        while st.week < sc.weeks {
            step(net, p, real, &mut st);
            kpi.record(net, real, &st);
        }
        summary(net, &kpi)
    };
    let outcomes: Vec<Option<RunOutcome>> = (0..runs)
        .into_par_iter()
        .map(|r| {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            // Run r's draws for every material: hashes of (seed, r, event, field).
            let reals = nets.iter().map(|net| {
                realize(
                    ds,
                    sc,
                    net,
                    &mut |k, f| uniform(seed, r as u64, k as u64, f as u64),
                    &mut |k, p| uniform(seed, r as u64, k as u64, 1 << 20) < p,
                )
            });
            let (shortfall, peak): (Vec<Vec<f64>>, Vec<f64>) = if coupled {
                // Linked materials run together from week 0 (no checkpoints, no reuse).
                let reals: Vec<Realized> = reals.collect();
                let ps: Vec<&MatParams> = nets.iter().map(|n| params.get(&n.material)).collect();
                let mut kpis = vec![KpiRecorder::default(); nets.len()];
                let mut recs: Vec<Vec<&mut dyn Recorder>> = kpis
                    .iter_mut()
                    .map(|k| vec![k as &mut dyn Recorder])
                    .collect();
                run_coupled(nets, &ps, &reals, &sc.substitutions, sc.weeks, &mut recs);
                nets.iter()
                    .zip(&kpis)
                    .map(|(net, kpi)| summary(net, kpi))
                    .unzip()
            } else {
                reals
                    .enumerate()
                    .map(|(mi, real)| match real.first_event_week() {
                        None => baseline[mi].clone(),
                        Some(w) => measure(mi, &nets[mi], &real, w),
                    })
                    .unzip()
            };
            done.fetch_add(1, Ordering::Relaxed);
            Some(RunOutcome {
                run: r,
                shortfall,
                peak_price: peak,
            })
        })
        .collect();
    let interrupted = outcomes.iter().any(|o| o.is_none());
    let outcomes: Vec<RunOutcome> = outcomes.into_iter().flatten().collect();
    let mut rows = Vec::new();
    let mut peak_price = Vec::new();
    for (mi, net) in nets.iter().enumerate() {
        let subjects = std::iter::once(sc.bloc.clone()).chain(mem.iter().cloned());
        for (si, subject) in subjects.enumerate() {
            let v: Vec<f64> = outcomes.iter().map(|o| o.shortfall[mi][si]).collect();
            rows.push(SubjectStats {
                material: net.material.clone(),
                subject,
                shortfall: stats(&v),
            });
        }
        let v: Vec<f64> = outcomes.iter().map(|o| o.peak_price[mi]).collect();
        peak_price.push((net.material.clone(), stats(&v)));
    }
    McResult {
        scenario: sc.name.clone(),
        seed,
        runs_requested: runs,
        runs_done: outcomes.len(),
        interrupted,
        rows,
        peak_price,
        outcomes,
    }
}

/// Weeks between checkpoints of a material's event-free run.
const CHECKPOINT_WEEKS: usize = 8;

/// The event-free run of one material: its state and KPIs every `CHECKPOINT_WEEKS` weeks, and
/// its final KPIs.
struct Track {
    /// at[c] = (state before week c × CHECKPOINT_WEEKS, KPIs of the weeks before it).
    at: Vec<(State, KpiRecorder)>,
    last: KpiRecorder,
}

impl Track {
    fn new(net: &Network, p: &MatParams, base: &Realized, weeks: usize) -> Track {
        let mut st = initial(net, p, base);
        let mut kpi = KpiRecorder::default();
        let mut at = vec![(st.clone(), kpi.clone())];
        for w in 0..weeks {
            if w % CHECKPOINT_WEEKS == 0 && w > 0 {
                at.push((st.clone(), kpi.clone()));
            }
            step(net, p, base, &mut st);
            kpi.record(net, base, &st);
        }
        Track { at, last: kpi }
    }
    /// The state and KPIs to continue from for a run whose first event acts in week `w`.
    fn start(&self, w: usize) -> (State, KpiRecorder) {
        let c = (w / CHECKPOINT_WEEKS).min(self.at.len() - 1);
        self.at[c].clone()
    }
}

/// One candidate chokepoint: a full outage of one (country, stage), or of one facility.
#[derive(Debug, Clone, Serialize)]
pub struct Chokepoint {
    pub country: String,
    /// The facility's name when the outage is of one facility, not the whole country.
    pub facility: Option<String>,
    pub stage: String,
    /// The node's share of world output at that stage.
    pub world_share: f64,
    /// The bloc's shortfall as a share of its desired demand over the horizon.
    pub bloc_shortfall: f64,
    pub peak_price: f64,
}

/// Ranks single (country, stage) and single-facility outages of `weeks` weeks by the bloc's shortfall over
/// `horizon` weeks. Candidates: nodes with at least `min_share` of a stage's output.
pub fn chokepoints(
    net: &Network,
    p: &MatParams,
    bloc: &[usize],
    weeks: usize,
    horizon: usize,
    min_share: f64,
) -> Vec<Chokepoint> {
    // Countries (with their facilities) and single facilities.
    let mut cands = Vec::new();
    for (s, sn) in net.stages.iter().enumerate() {
        let tot: f64 = sn.base_output.iter().sum();
        for i in 0..net.n() {
            let q: f64 = if net.parent[i] == i {
                (0..net.n())
                    .filter(|&j| net.within(j, i))
                    .map(|j| sn.base_output[j])
                    .sum()
            } else {
                sn.base_output[i]
            };
            if tot > 0.0 && q / tot >= min_share {
                cands.push((s, i, q / tot));
            }
        }
    }
    let mut out: Vec<Chokepoint> = cands
        .par_iter()
        .map(|&(s, i, sh)| {
            let r = Realized {
                losses: (0..net.n())
                    .filter(|&j| j == i || (net.parent[i] == i && net.within(j, i)))
                    .map(|j| CapLoss {
                        node: j,
                        stage: s,
                        share: 1.0,
                        start: 4,
                        end: 4 + weeks,
                        recovery: 0,
                    })
                    .collect(),
                ..Default::default()
            };
            let mut kpi = KpiRecorder::default();
            run(net, p, &r, horizon, &mut [&mut kpi as &mut dyn Recorder]);
            Chokepoint {
                country: net.country_of(i).to_string(),
                facility: net.facility(i).map(|f| f.name.clone()),
                stage: net.stages[s].stage.as_str().to_string(),
                world_share: sh,
                bloc_shortfall: share(&kpi, bloc),
                peak_price: kpi.peak_price.iter().copied().fold(1.0, f64::max),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.bloc_shortfall
            .total_cmp(&a.bloc_shortfall)
            .then(b.world_share.total_cmp(&a.world_share))
    });
    out
}

/// A back-test case: the predicted and observed effects of a historical disruption.
#[derive(Debug, Clone, Serialize)]
pub struct BacktestCase {
    pub scenario: String,
    pub material: String,
    pub fitted: bool,
    pub predicted_price_ratio: f64,
    pub observed_price_ratio: Option<f64>,
    /// ln(predicted / observed).
    pub price_log_error: Option<f64>,
    pub predicted_export_change: Option<f64>,
    pub observed_export_change: Option<f64>,
    pub source: String,
}

/// Runs one back-test scenario with the given parameters.
pub fn backtest_case(
    ds: &Dataset,
    nets: &[Network],
    params: &Params,
    sc: &Scenario,
) -> Vec<BacktestCase> {
    let obs = sc.observed.as_ref();
    nets.iter()
        .map(|net| {
            let r = realize(ds, sc, net, &mut |_, _| 0.5, &mut |_, _| true);
            let mut kpi = KpiRecorder::default();
            let mut exports: Vec<Vec<Vec<f64>>> = Vec::new();
            struct Ex<'a>(&'a mut Vec<Vec<Vec<f64>>>);
            impl Recorder for Ex<'_> {
                fn record(&mut self, _n: &Network, _r: &Realized, st: &crate::engine::State) {
                    self.0.push(st.exports.clone());
                }
            }
            run(
                net,
                params.get(&net.material),
                &r,
                sc.weeks,
                &mut [&mut kpi as &mut dyn Recorder, &mut Ex(&mut exports)],
            );
            let pred = kpi.peak_price.iter().copied().fold(1.0, f64::max);
            // Export change of the first restricted exporter over the observed window.
            let export_change = r.restrictions.first().map(|x| {
                let base: f64 = net.stages[x.stage]
                    .flows
                    .iter()
                    .enumerate()
                    .filter(|(b, _)| !net.within(*b, x.exporter))
                    .flat_map(|(_, f)| f.iter())
                    .filter(|f| net.within(f.0, x.exporter))
                    .map(|f| f.1)
                    .sum();
                let w = obs
                    .and_then(|o| o.export_window_weeks)
                    .unwrap_or(x.end.saturating_sub(x.start))
                    .max(1);
                let end = (x.start + w).min(exports.len());
                let got: f64 = exports[x.start.min(end)..end]
                    .iter()
                    .flat_map(|e| {
                        (0..net.n())
                            .filter(|&i| net.within(i, x.exporter))
                            .map(|i| e[x.stage][i])
                    })
                    .sum();
                if base > 0.0 {
                    got / (base * (end - x.start.min(end)).max(1) as f64) - 1.0
                } else {
                    0.0
                }
            });
            let observed = obs.map(|o| o.price_ratio).filter(|v| *v > 0.0);
            BacktestCase {
                scenario: sc.name.clone(),
                material: net.material.clone(),
                fitted: obs.is_some_and(|o| o.fitted),
                predicted_price_ratio: pred,
                observed_price_ratio: observed,
                price_log_error: observed.map(|o| (pred / o).ln()),
                predicted_export_change: export_change,
                observed_export_change: obs.and_then(|o| o.export_change),
                source: obs.map(|o| o.source.clone()).unwrap_or_default(),
            }
        })
        .collect()
}

/// Grid search of (λ, ρ), shared by all materials, minimising Σ ln(pred/obs)² over the fitted
/// back-test cases. Returns (λ, ρ, root-mean-square log error, cases used).
pub fn fit(
    ds: &Dataset,
    cases: &[(Scenario, Vec<Network>)],
    base: &Params,
) -> (f64, f64, f64, usize) {
    let lambdas = [0.02, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5];
    let rhos = [0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.12];
    let grid: Vec<(f64, f64)> = lambdas
        .iter()
        .flat_map(|&l| rhos.iter().map(move |&r| (l, r)))
        .collect();
    let scored: Vec<(f64, f64, f64, usize)> = grid
        .par_iter()
        .map(|&(l, r)| {
            let mut p = base.clone();
            p.default.lambda = l;
            p.default.rho = r;
            for m in p.by_material.values_mut() {
                m.lambda = l;
                m.rho = r;
            }
            let mut err = 0.0;
            let mut n = 0;
            for (sc, nets) in cases
                .iter()
                .filter(|(sc, _)| sc.observed.as_ref().is_some_and(|o| o.fitted))
            {
                for c in backtest_case(ds, nets, &p, sc) {
                    if let Some(e) = c.price_log_error {
                        err += e * e;
                        n += 1;
                    }
                }
            }
            (l, r, (err / n.max(1) as f64).sqrt(), n)
        })
        .collect();
    scored
        .into_iter()
        .min_by(|a, b| a.2.total_cmp(&b.2))
        .unwrap_or((base.default.lambda, base.default.rho, f64::NAN, 0))
}
