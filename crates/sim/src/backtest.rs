//! Back-tests: historical disruptions replayed on the network, the simulated price path at the
//! observed product's stage set against the observed path; the grid search that fits the
//! shared price response (λ, ρ, θ) on the cases marked `fitted`; leave-one-event-out
//! cross-validation; and bootstrap bands (docs/model.md, "Back-tests").

use crate::network::Network;
use crate::params::{Params, PriceResponse};
use crate::realize::{Realized, Restriction};
use crate::record::Recorder;
use crate::run::run;
use crate::scenario::{Observed, Scenario};
use crate::simulate::Prepared;
use crate::state::State;
use quadrant_model::Dataset;
use rayon::prelude::*;
use serde::Serialize;

/// A back-test case: the predicted and observed effects of a historical disruption.
#[derive(Debug, Clone, Serialize)]
pub struct BacktestCase {
    /// Scenario name.
    pub scenario: String,
    /// Material id.
    pub material: String,
    /// Whether the price response may be fitted on this case.
    pub fitted: bool,
    /// The stage whose simulated price is compared: the observed product's, or the network's
    /// last stage when the network lacks it (then `observed_stage` differs).
    pub stage: String,
    /// The stage of the observed product, as the back-test file states it.
    pub observed_stage: Option<String>,
    /// The observed product and its assessment.
    pub product: String,
    /// Simulated peak price at that stage over the observed window (× baseline).
    pub predicted_price_ratio: f64,
    /// Observed peak price over the baseline point.
    pub observed_price_ratio: Option<f64>,
    /// ln(predicted / observed) at the peak.
    pub price_log_error: Option<f64>,
    /// Root-mean-square ln(predicted / observed) over the observed points after the baseline.
    pub path_rms_log_error: Option<f64>,
    /// Week of the observed peak (scenario weeks).
    pub observed_peak_week: Option<f64>,
    /// Week of the simulated peak within the observed window.
    pub predicted_peak_week: Option<f64>,
    /// The observed path after the baseline: (week, observed ratio, predicted ratio).
    pub path: Vec<(f64, f64, f64)>,
    /// Simulated change of the restricted exporter's exports over the observed window.
    pub predicted_export_change: Option<f64>,
    /// Observed change of the exporter's exports.
    pub observed_export_change: Option<f64>,
    /// Citation of the observations.
    pub source: String,
}

impl BacktestCase {
    /// Weeks between the simulated and the observed peak.
    pub fn peak_week_error(&self) -> Option<f64> {
        Some(self.predicted_peak_week? - self.observed_peak_week?)
    }
    /// The case's contribution to the fit: squared peak error plus the mean squared path
    /// error.
    fn loss(&self) -> Option<f64> {
        let e = self.price_log_error?;
        Some(e * e + self.path_rms_log_error.unwrap_or(e.abs()).powi(2))
    }
}

/// Records each week's exports and the compared prices: per stage the world price, or, with
/// buyer weights, the weighted price those buyers pay.
#[derive(Default)]
struct PathRecorder {
    exports: Vec<Vec<Vec<f64>>>,
    price: Vec<Vec<f64>>,
    /// Per stage, each buyer's weight (Σ = 1), when the observed price is paid by some buyers.
    weights: Option<Vec<Vec<f64>>>,
}

impl Recorder for PathRecorder {
    fn record(&mut self, _n: &Network, _r: &Realized, st: &State) {
        self.exports.push(st.exports.clone());
        let price = match &self.weights {
            None => st.price.clone(),
            Some(w) => (0..st.price.len())
                .map(|s| (0..w[s].len()).map(|b| w[s][b] * st.paid(s, b)).sum())
                .collect(),
        };
        self.price.push(price);
    }
}

/// Per stage, the weights of the buyers outside country `c` (its facilities too) by their
/// baseline purchases: consumers' demand at the last stage, the next stage's feed before it.
/// None when `c` is not a node (every buyer is outside it: the world price).
fn outside_weights(net: &Network, c: &str) -> Option<Vec<Vec<f64>>> {
    let home = net.countries.iter().position(|x| x == c)?;
    let last = net.stages.len() - 1;
    let weights = (0..net.stages.len())
        .map(|s| {
            let mut w: Vec<f64> = (0..net.n())
                .map(|b| {
                    let bought = if s == last {
                        net.demand[b]
                    } else {
                        let nx = &net.stages[s + 1];
                        nx.feed_per_output * nx.base_output[b]
                    };
                    if net.parent[b] == home {
                        0.0
                    } else {
                        bought
                    }
                })
                .collect();
            let total: f64 = w.iter().sum();
            w.iter_mut()
                .for_each(|x| *x = if total > 0.0 { *x / total } else { 0.0 });
            w
        })
        .collect();
    Some(weights)
}

/// The observed path reduced to ratios: the baseline is the last point at or before the
/// announcement week; returns (baseline week, [(week, ratio)] after it).
fn observed_ratios(o: &Observed, announced: usize) -> Option<(f64, Vec<(f64, f64)>)> {
    let path = o.path();
    let base = path.iter().rev().find(|p| p.0 <= announced as f64)?;
    let after: Vec<(f64, f64)> = path
        .iter()
        .filter(|p| p.0 > base.0)
        .map(|p| (p.0, p.1 / base.1))
        .collect();
    (!after.is_empty()).then_some((base.0, after))
}

/// The simulated price at stage s in (fractional) week w, as the weekly value of the week
/// containing it; 1 before the run.
fn price_at(price: &[Vec<f64>], s: usize, w: f64) -> f64 {
    if w < 0.0 || price.is_empty() {
        return 1.0;
    }
    price[(w.floor() as usize).min(price.len() - 1)][s]
}

/// Runs one back-test scenario with the given parameters.
pub fn backtest_case(
    ds: &Dataset,
    nets: &[Network],
    params: &Params,
    sc: &Scenario,
) -> Vec<BacktestCase> {
    let obs = sc.observed.as_ref();
    let prep = Prepared::new(ds, sc, nets);
    nets.iter()
        .enumerate()
        .map(|(m, net)| {
            let r = prep.realize_mid(m);
            let mut rec = PathRecorder {
                weights: obs
                    .and_then(|o| o.buyers_outside.as_deref())
                    .and_then(|c| outside_weights(net, c)),
                ..PathRecorder::default()
            };
            run(
                net,
                params.get(&net.material),
                &r,
                sc.weeks,
                &mut [&mut rec as &mut dyn Recorder],
            );
            let stage_name = obs.and_then(|o| o.stage.clone());
            let s = stage_ix(net, stage_name.as_deref());
            let ratios = obs.and_then(|o| observed_ratios(o, first_announced(&r)));
            let mut case = compare(&rec.price, s, ratios.as_ref(), obs);
            case.scenario = sc.name.clone();
            case.material = net.material.clone();
            case.stage = net.stages[s].stage.as_str().to_string();
            case.observed_stage = stage_name;
            case.fitted = obs.is_some_and(|o| o.fitted);
            case.predicted_export_change = r
                .restrictions
                .first()
                .map(|x| export_change(net, x, obs, &rec.exports));
            case.observed_export_change = obs.and_then(|o| o.export_change);
            case.source = obs.map(|o| o.source.clone()).unwrap_or_default();
            case
        })
        .collect()
}

/// The stage the observation names, else the network's last.
fn stage_ix(net: &Network, name: Option<&str>) -> usize {
    name.and_then(|n| net.stages.iter().position(|x| x.stage.as_str() == n))
        .unwrap_or(net.stages.len() - 1)
}

/// The week the first of the run's measures and losses was announced (0 without any).
fn first_announced(r: &Realized) -> usize {
    r.restrictions
        .iter()
        .map(|x| x.announced)
        .chain(r.losses.iter().map(|l| l.announced))
        .min()
        .unwrap_or(0)
}

/// Simulated against observed prices at stage s: the path, the peaks and their weeks. Without a
/// path, the old single `price_ratio` against the run's peak.
fn compare(
    price: &[Vec<f64>],
    s: usize,
    ratios: Option<&(f64, Vec<(f64, f64)>)>,
    obs: Option<&Observed>,
) -> BacktestCase {
    let mut c = BacktestCase {
        scenario: String::new(),
        material: String::new(),
        fitted: false,
        stage: String::new(),
        observed_stage: None,
        product: obs.map(product).unwrap_or_default(),
        predicted_price_ratio: price.iter().map(|p| p[s]).fold(1.0, f64::max),
        observed_price_ratio: obs.map(|o| o.price_ratio).filter(|v| *v > 0.0),
        price_log_error: None,
        path_rms_log_error: None,
        observed_peak_week: None,
        predicted_peak_week: None,
        path: Vec::new(),
        predicted_export_change: None,
        observed_export_change: None,
        source: String::new(),
    };
    if let Some((base, pts)) = ratios {
        compare_path(&mut c, price, s, *base, pts);
    }
    c.price_log_error = c
        .observed_price_ratio
        .map(|o| (c.predicted_price_ratio / o).ln());
    c
}

/// The observed product as reports name it, with its price assessment.
fn product(o: &Observed) -> String {
    let p = o.product.clone().unwrap_or_default();
    match &o.assessment {
        Some(a) => format!("{p} ({a})"),
        None => p,
    }
}

/// Compares the simulated price path of stage `s` with an observed one (`pts`: week, price
/// ratio to the week-`base` level): the points side by side, both peaks and the RMS log error.
fn compare_path(c: &mut BacktestCase, price: &[Vec<f64>], s: usize, base: f64, pts: &[(f64, f64)]) {
    let end = pts.last().map_or(0.0, |p| p.0);
    c.path = pts
        .iter()
        .map(|&(w, o)| (w, o, price_at(price, s, w)))
        .collect();
    let peak = pts
        .iter()
        .copied()
        .fold((0.0, 0.0), |a, p| if p.1 > a.1 { p } else { a });
    c.observed_price_ratio = Some(peak.1);
    c.observed_peak_week = Some(peak.0);
    let (pw, pv) = simulated_peak(price, s, base, end);
    c.predicted_price_ratio = pv;
    c.predicted_peak_week = Some(pw);
    let se: f64 = c.path.iter().map(|p| (p.2 / p.1).ln().powi(2)).sum();
    c.path_rms_log_error = Some((se / c.path.len() as f64).sqrt());
}

/// The simulated peak (week, price ratio) of stage `s` over the observed window, after week
/// `base` up to week `end` (rounded up); (`base`, 1) when the price never rises.
fn simulated_peak(price: &[Vec<f64>], s: usize, base: f64, end: f64) -> (f64, f64) {
    let (mut pw, mut pv) = (base, 1.0);
    for (w, p) in price.iter().enumerate() {
        let w = w as f64;
        if w > base && w <= end.ceil() && p[s] > pv {
            (pw, pv) = (w, p[s]);
        }
    }
    (pw, pv)
}

/// The change of restriction `x`'s exporter's exports (its facilities included) against its
/// baseline exports, over the observed window from the start of the measure.
fn export_change(
    net: &Network,
    x: &Restriction,
    obs: Option<&Observed>,
    exports: &[Vec<Vec<f64>>],
) -> f64 {
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
}

/// The result of fitting the price response.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fit {
    /// The fitted price response.
    pub response: PriceResponse,
    /// Root-mean-square log error of the peak price over the cases used.
    pub rms_log_error: f64,
    /// Price observations used.
    pub cases: usize,
}

/// The grid searched: λ × ρ × θ.
fn grid() -> Vec<PriceResponse> {
    let mut g = Vec::new();
    for lambda in [0.01, 0.02, 0.05, 0.1, 0.2] {
        for rho in [0.005, 0.01, 0.03, 0.08] {
            for theta in [0.0, 0.1, 0.25, 0.5, 1.0, 2.0] {
                g.push(PriceResponse { lambda, rho, theta });
            }
        }
    }
    g
}

/// A case ready to replay: its scenario and networks.
pub type Case = (Scenario, Vec<Network>);

/// Grid search of the price response shared by all materials, minimising Σ (peak log error² +
/// mean squared path log error) over `cases[i]` for i in `use_`; ties go to the first grid
/// point. Sequential when `parallel` is false (inside an outer parallel loop).
pub fn fit_on(ds: &Dataset, cases: &[Case], use_: &[usize], base: &Params, parallel: bool) -> Fit {
    let score = |r: &PriceResponse| -> (f64, Fit) {
        let p = base.with_price_response(*r);
        let (mut loss, mut peak, mut n) = (0.0, 0.0, 0);
        for &i in use_ {
            let (sc, nets) = &cases[i];
            for c in backtest_case(ds, nets, &p, sc) {
                if let (Some(l), Some(e)) = (c.loss(), c.price_log_error) {
                    loss += l;
                    peak += e * e;
                    n += 1;
                }
            }
        }
        let fit = Fit {
            response: *r,
            rms_log_error: if n > 0 {
                (peak / n as f64).sqrt()
            } else {
                f64::NAN
            },
            cases: n,
        };
        (loss, fit)
    };
    let g = grid();
    let scored: Vec<(f64, Fit)> = if parallel {
        g.par_iter().map(score).collect()
    } else {
        g.iter().map(score).collect()
    };
    scored
        .into_iter()
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|x| x.1)
        .unwrap_or(Fit {
            response: base.price_response(),
            rms_log_error: f64::NAN,
            cases: 0,
        })
}

/// The indices of the cases that may be fitted and carry an observed price.
pub fn fittable(cases: &[Case]) -> Vec<usize> {
    (0..cases.len())
        .filter(|&i| cases[i].0.observed.as_ref().is_some_and(|o| o.fitted))
        .collect()
}

/// Grid search on every case marked fitted.
pub fn fit(ds: &Dataset, cases: &[Case], base: &Params) -> Fit {
    fit_on(ds, cases, &fittable(cases), base, true)
}

/// One left-out event: predicted with parameters fitted on the others, with a bootstrap band.
#[derive(Debug, Clone, Serialize)]
pub struct CvCase {
    /// The prediction with the leave-one-out fit.
    pub case: BacktestCase,
    /// The leave-one-out fit.
    pub fit: Fit,
    /// 10th and 90th percentiles of the predicted peak over the bootstrap fits.
    pub peak_band: (f64, f64),
    /// Per observed point: 10th and 90th percentiles of the predicted ratio.
    pub path_band: Vec<(f64, f64)>,
}

impl CvCase {
    /// Whether the observed peak lies in the 80% band.
    pub fn peak_in_band(&self) -> Option<bool> {
        let o = self.case.observed_price_ratio?;
        Some(o >= self.peak_band.0 && o <= self.peak_band.1)
    }
}

/// Bootstrap resamples per left-out event.
pub const BOOTSTRAP: usize = 8;

/// Leave-one-event-out cross-validation over the fittable cases: for each, fit on the others
/// and predict it; its band comes from `BOOTSTRAP` fits on resamples (with replacement) of the
/// others, drawn from a fixed seed so the table is reproducible.
pub fn cross_validate(ds: &Dataset, cases: &[Case], base: &Params) -> Vec<CvCase> {
    let all = fittable(cases);
    all.par_iter()
        .map(|&k| {
            let rest: Vec<usize> = all.iter().copied().filter(|&i| i != k).collect();
            let f = fit_on(ds, cases, &rest, base, false);
            let (sc, nets) = &cases[k];
            let case = backtest_case(ds, nets, &base.with_price_response(f.response), sc)
                .into_iter()
                .next()
                .expect("a back-test has a material");
            let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ k as u64;
            let boots: Vec<BacktestCase> = (0..BOOTSTRAP)
                .map(|_| {
                    let fb = fit_on(ds, cases, &resample(&rest, &mut seed), base, false);
                    backtest_case(ds, nets, &base.with_price_response(fb.response), sc)
                        .into_iter()
                        .next()
                        .expect("a back-test has a material")
                })
                .collect();
            let peaks: Vec<f64> = boots.iter().map(|b| b.predicted_price_ratio).collect();
            let path_band = (0..case.path.len())
                .map(|j| band(&boots.iter().map(|b| b.path[j].2).collect::<Vec<_>>()))
                .collect();
            CvCase {
                case,
                fit: f,
                peak_band: band(&peaks),
                path_band,
            }
        })
        .collect()
}

/// Parameter uncertainty: `n` fits of the price response, each on a resample (with
/// replacement) of the fittable events, drawn from `seed`. A Monte Carlo that draws its
/// parameters picks one of these per run.
pub fn bootstrap(
    ds: &Dataset,
    cases: &[Case],
    base: &Params,
    n: usize,
    seed: u64,
) -> Vec<PriceResponse> {
    let all = fittable(cases);
    (0..n)
        .into_par_iter()
        .map(|k| {
            let mut s = seed ^ (0xB5AD_4ECE_DA1C_E2A9u64.wrapping_mul(k as u64 + 1));
            fit_on(ds, cases, &resample(&all, &mut s), base, false).response
        })
        .collect()
}

/// 10th and 90th percentiles (nearest rank).
pub fn band(v: &[f64]) -> (f64, f64) {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let at = |q: f64| s[((q * (s.len() - 1) as f64).round() as usize).min(s.len() - 1)];
    (at(0.1), at(0.9))
}

/// A resample with replacement of `pool`, as long as it, drawn from `seed`.
fn resample(pool: &[usize], seed: &mut u64) -> Vec<usize> {
    (0..pool.len())
        .map(|_| pool[(splitmix(seed) % pool.len() as u64) as usize])
        .collect()
}

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
