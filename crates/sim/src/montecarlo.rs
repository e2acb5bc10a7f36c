//! Monte Carlo over scenario sets: thousands of futures with random starts, durations and
//! depths, summarised per material and subject (the bloc and each member).
//!
//! Reproducibility: every random number is a hash of (seed, run, event, field), never drawn
//! from a shared generator, and runs are collected in run order. The same seed therefore gives
//! bit-identical results on 1 or N threads, and a run's draws do not depend on which material
//! is simulated first.

use crate::network::Network;
use crate::params::{MatParams, Params};
use crate::realize::{Draws, Realized};
use crate::record::{KpiRecorder, Recorder};
use crate::run::run_coupled;
use crate::scenario::Scenario;
use crate::simulate::Prepared;
use crate::state::{initial, State};
use crate::step::step;
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

/// What run `run` of a Monte Carlo from `seed` drew for each event of `sc`: whether it happened,
/// and its uncertain numbers by name (`e3_start_week`, `e3_share` …; events numbered from 1 in
/// file order). The same hashes `montecarlo` draws from, so the record matches the run.
pub fn sampled(sc: &Scenario, seed: u64, run: usize) -> Vec<(String, f64)> {
    let r = run as u64;
    let mut out = Vec::new();
    for (k, e) in sc.events.iter().enumerate() {
        let happened = uniform(seed, r, k as u64, 1 << 20) < e.probability();
        out.push((
            format!("e{}_happened", k + 1),
            f64::from(u8::from(happened)),
        ));
        for (f, (name, p)) in e.drawn_fields().into_iter().enumerate() {
            let v = p.at(uniform(seed, r, k as u64, f as u64));
            out.push((format!("e{}_{name}", k + 1), v));
        }
    }
    out
}

/// Material `m` of `prep` realized with the draws of run `run` of a Monte Carlo from `seed`:
/// hashes of (seed, run, event, field). Every user of "the same futures" (the Monte Carlo,
/// `futures`, `verify`) realizes a run through this function.
pub fn realize_run(prep: &Prepared, m: usize, seed: u64, run: usize) -> Realized {
    let r = run as u64;
    prep.realize(
        m,
        Draws {
            draw: &mut |k, f| uniform(seed, r, k as u64, f as u64),
            include: &mut |k, p| uniform(seed, r, k as u64, 1 << 20) < p,
        },
    )
}

/// One run's outcome: per material, the bloc's and each member's shortfall share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunOutcome {
    /// Run index (0-based).
    pub run: usize,
    /// [material][0 = bloc, 1.. = members] shortfall as a share of desired demand.
    pub shortfall: Vec<Vec<f64>>,
    /// Highest world price at any stage, per material (× baseline).
    pub peak_price: Vec<f64>,
    /// The bloc's desired demand over the run, per material, t (content basis): the bloc's
    /// shortfall in tonnes is `shortfall[m][0] × bloc_demand_t[m]`.
    pub bloc_demand_t: Vec<f64>,
}

/// Summary statistics of a quantity over runs.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// Mean.
    pub mean: f64,
    /// 5th percentile (nearest rank).
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Mean of the worst 5% of runs.
    pub cvar95: f64,
}

/// Mean, P5, P50, P95 and CVaR95 of `v`.
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

/// One subject's shortfall statistics for one material.
#[derive(Debug, Clone, Serialize)]
pub struct SubjectStats {
    /// Material id.
    pub material: String,
    /// Material name (materials.csv).
    pub material_name: String,
    /// Bloc or member id.
    pub subject: String,
    /// Its name (curated/blocs.toml or countries.csv), for reports.
    pub name: String,
    /// Shortfall share of desired demand over runs.
    pub shortfall: Stats,
    /// How the runs' shortfall shares are distributed.
    pub histogram: Histogram,
}

/// Counts of values in equal bins from 0 to the largest value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histogram {
    /// Upper edge of the last bin (the largest value; 0 when every value is 0).
    pub hi: f64,
    /// Values per bin; bin k covers [k·hi/n, (k+1)·hi/n), the last one closed.
    pub counts: Vec<usize>,
}

/// Bins in a Monte Carlo histogram.
pub const HISTOGRAM_BINS: usize = 20;

/// The histogram of `v` (values ≥ 0) in `bins` bins.
pub fn histogram(v: &[f64], bins: usize) -> Histogram {
    let hi = v.iter().copied().fold(0.0f64, f64::max);
    let mut counts = vec![0; bins.max(1)];
    for &x in v {
        let k = if hi > 0.0 {
            ((x / hi) * bins as f64) as usize
        } else {
            0
        };
        counts[k.min(bins - 1)] += 1;
    }
    Histogram { hi, counts }
}

/// The results of a Monte Carlo.
#[derive(Debug, Clone, Serialize)]
pub struct McResult {
    /// Scenario name.
    pub scenario: String,
    /// Seed of every draw.
    pub seed: u64,
    /// Runs asked for.
    pub runs_requested: usize,
    /// Runs finished.
    pub runs_done: usize,
    /// Whether the Monte Carlo was stopped before every run finished.
    pub interrupted: bool,
    /// Shortfall statistics per material and subject.
    pub rows: Vec<SubjectStats>,
    /// Peak-price statistics per material.
    pub peak_price: Vec<(String, Stats)>,
    /// The full citation of every dataset the networks were built from, sorted by id.
    pub sources: Vec<quadrant_metrics::brief::Citation>,
    /// Each run's outcome, in run order.
    #[serde(skip)]
    pub outcomes: Vec<RunOutcome>,
}

/// Runs `runs` futures of a scenario set. `stop` ends the run early (finished runs are kept);
/// `done` counts finished runs for a progress display.
pub fn montecarlo(
    ds: &Dataset,
    nets: &[Network],
    param_sets: &[Params],
    sc: &Scenario,
    runs: usize,
    seed: u64,
    stop: &AtomicBool,
    done: &AtomicUsize,
) -> McResult {
    let prep = Prepared::new(ds, sc, nets);
    let bloc = &prep.bloc;
    // (bloc + member shortfall shares, (peak price, the bloc's desired demand)) of one
    // material's run.
    let summary = |net: &Network, kpi: &KpiRecorder| -> (Vec<f64>, (f64, f64)) {
        let nodes = bloc.demand_nodes(net);
        let mut row = vec![kpi.shortfall_share(&nodes)];
        row.extend(
            bloc.member_demand_nodes(net)
                .iter()
                .map(|idx| kpi.shortfall_share(idx)),
        );
        let demand: f64 = nodes.iter().map(|&i| kpi.demand[i]).sum();
        (row, (kpi.peak_price(), demand))
    };
    // The run of each material's policies and trend without events, computed once, with
    // checkpoints: a run whose first event acts in week w starts from the last checkpoint
    // at or before w (bit-identical to running from week 0; see
    // `Realized::first_event_week`), and a run without events is this run.
    // With several parameter sets (parameter uncertainty), each run draws one, and each set
    // has its own event-free tracks.
    let coupled = !sc.substitutions.is_empty();
    let tracks: Vec<Vec<Track>> = param_sets
        .iter()
        .map(|params| {
            (0..nets.len())
                .into_par_iter()
                .filter(|_| !coupled)
                .map(|m| {
                    let base = prep.realize_without_events(m);
                    Track::new(&nets[m], params.get(&nets[m].material), &base, sc.weeks)
                })
                .collect()
        })
        .collect();
    let baseline: Vec<Vec<(Vec<f64>, (f64, f64))>> = tracks
        .iter()
        .map(|ts| {
            nets.iter()
                .zip(ts)
                .map(|(net, t)| summary(net, &t.last))
                .collect()
        })
        .collect();
    let pick = |r: usize| -> usize {
        if param_sets.len() < 2 {
            0
        } else {
            let u = uniform(seed, r as u64, u64::MAX, 0);
            ((u * param_sets.len() as f64) as usize).min(param_sets.len() - 1)
        }
    };
    let measure = |b: usize, mi: usize, net: &Network, real: &Realized, from: usize| {
        let p = param_sets[b].get(&net.material);
        let (mut st, mut kpi) = tracks[b][mi].start(from);
        while st.week < sc.weeks {
            step(net, p, real, &mut st);
            kpi.record(net, real, &st);
        }
        summary(net, &kpi)
    };
    // One run's outcome, or None when it was stopped before it began.
    let one = |r: usize| -> Option<RunOutcome> {
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        // Run r's draws for every material: hashes of (seed, r, event, field).
        let reals = (0..nets.len()).map(|m| realize_run(&prep, m, seed, r));
        let b = pick(r);
        let (shortfall, peak): (Vec<Vec<f64>>, Vec<(f64, f64)>) = if coupled {
            // Linked materials run together from week 0 (no checkpoints, no reuse).
            let reals: Vec<Realized> = reals.collect();
            let ps: Vec<&MatParams> = prep.params(&param_sets[b]);
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
                    None => baseline[b][mi].clone(),
                    Some(w) => measure(b, mi, &nets[mi], &real, w),
                })
                .unzip()
        };
        done.fetch_add(1, Ordering::Relaxed);
        let (peak_price, bloc_demand_t) = peak.into_iter().unzip();
        Some(RunOutcome {
            run: r,
            shortfall,
            peak_price,
            bloc_demand_t,
        })
    };
    // Blocks of runs, each in parallel and collected in run order: memory grows with the
    // runs done, not the runs asked for, and a stop ends the Monte Carlo after the block in
    // flight.
    let mut outcomes: Vec<RunOutcome> = Vec::new();
    let mut interrupted = false;
    for block in (0..runs).step_by(MC_BLOCK) {
        let got: Vec<Option<RunOutcome>> = (block..(block + MC_BLOCK).min(runs))
            .into_par_iter()
            .map(one)
            .collect();
        interrupted |= got.iter().any(|o| o.is_none());
        outcomes.extend(got.into_iter().flatten());
        if interrupted || stop.load(Ordering::Relaxed) {
            interrupted |= outcomes.len() < runs;
            break;
        }
    }
    let subjects: Vec<(String, String)> = std::iter::once(sc.bloc.clone())
        .chain(bloc.members.iter().cloned())
        .map(|id| {
            let name = match ds.country(&id) {
                Some(c) => ds.countries[c as usize].name.clone(),
                None => ds
                    .curated
                    .bloc(&id)
                    .map_or_else(|| id.clone(), |b| b.short_name().to_string()),
            };
            (id, name)
        })
        .collect();
    let names: Vec<String> = nets
        .iter()
        .map(|n| ds.materials[n.material_ix as usize].name.clone())
        .collect();
    let (rows, peak_price) = summarise(nets, (&subjects, &names), &outcomes);
    McResult {
        scenario: sc.name.clone(),
        seed,
        runs_requested: runs,
        runs_done: outcomes.len(),
        interrupted,
        rows,
        peak_price,
        sources: crate::simulate::network_sources(ds, nets),
        outcomes,
    }
}

/// Statistics over the runs: each subject's shortfall and the peak price, per material.
fn summarise(
    nets: &[Network],
    (subjects, names): (&[(String, String)], &[String]),
    outcomes: &[RunOutcome],
) -> (Vec<SubjectStats>, Vec<(String, Stats)>) {
    let mut rows = Vec::new();
    let mut peak_price = Vec::new();
    for (mi, net) in nets.iter().enumerate() {
        for (si, (subject, name)) in subjects.iter().enumerate() {
            let v: Vec<f64> = outcomes.iter().map(|o| o.shortfall[mi][si]).collect();
            rows.push(SubjectStats {
                material: net.material.clone(),
                material_name: names[mi].clone(),
                subject: subject.clone(),
                name: name.clone(),
                shortfall: stats(&v),
                histogram: histogram(&v, HISTOGRAM_BINS),
            });
        }
        let v: Vec<f64> = outcomes.iter().map(|o| o.peak_price[mi]).collect();
        peak_price.push((net.material.clone(), stats(&v)));
    }
    (rows, peak_price)
}

/// Runs per block of a Monte Carlo (see `montecarlo`).
const MC_BLOCK: usize = 4096;

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

#[cfg(test)]
mod tests {
    use super::histogram;

    #[test]
    fn histograms_count_every_run_once() {
        let h = histogram(&[0.0, 0.1, 0.25, 0.5, 0.5, 1.0], 4);
        assert_eq!(h.hi, 1.0);
        assert_eq!(
            h.counts,
            vec![2, 1, 2, 1],
            "the largest value in the last bin"
        );
        let zero = histogram(&[0.0; 5], 20);
        assert_eq!((zero.hi, zero.counts[0], zero.counts.len()), (0.0, 5, 20));
    }
}
