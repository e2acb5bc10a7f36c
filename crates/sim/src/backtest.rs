//! Back-tests: historical disruptions replayed on the network, predicted against observed
//! effects, and the grid search that fits the price response on the cases marked `fitted`.

use crate::network::Network;
use crate::params::Params;
use crate::realize::{Realized, Restriction};
use crate::record::{KpiRecorder, Recorder};
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
    /// Whether the price response was fitted on this case.
    pub fitted: bool,
    /// Simulated peak world price over the run (× baseline).
    pub predicted_price_ratio: f64,
    /// Observed peak price over the pre-event price.
    pub observed_price_ratio: Option<f64>,
    /// ln(predicted / observed).
    pub price_log_error: Option<f64>,
    /// Simulated change of the restricted exporter's exports over the observed window.
    pub predicted_export_change: Option<f64>,
    /// Observed change of the exporter's exports.
    pub observed_export_change: Option<f64>,
    /// Citation of the observations.
    pub source: String,
}

/// Records each week's exports per stage and node.
struct ExportRecorder(Vec<Vec<Vec<f64>>>);

impl Recorder for ExportRecorder {
    fn record(&mut self, _n: &Network, _r: &Realized, st: &State) {
        self.0.push(st.exports.clone());
    }
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
            let mut kpi = KpiRecorder::default();
            let mut exports = ExportRecorder(Vec::new());
            run(
                net,
                params.get(&net.material),
                &r,
                sc.weeks,
                &mut [&mut kpi as &mut dyn Recorder, &mut exports],
            );
            let pred = kpi.peak_price();
            // Export change of the first restricted exporter over the observed window.
            let export_change = r
                .restrictions
                .first()
                .map(|x| export_change(net, x, obs, &exports.0));
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
    /// Fitted λ.
    pub lambda: f64,
    /// Fitted ρ.
    pub rho: f64,
    /// Root-mean-square log error of the peak price over the cases used.
    pub rms_log_error: f64,
    /// Price observations used.
    pub cases: usize,
}

/// Grid search of (λ, ρ), shared by all materials, minimising Σ ln(pred/obs)² over the fitted
/// back-test cases.
pub fn fit(ds: &Dataset, cases: &[(Scenario, Vec<Network>)], base: &Params) -> Fit {
    let lambdas = [0.02, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.5];
    let rhos = [0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.12];
    let grid: Vec<(f64, f64)> = lambdas
        .iter()
        .flat_map(|&l| rhos.iter().map(move |&r| (l, r)))
        .collect();
    let scored: Vec<Fit> = grid
        .par_iter()
        .map(|&(l, r)| {
            let p = base.with_price_response(l, r);
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
            Fit {
                lambda: l,
                rho: r,
                rms_log_error: (err / n.max(1) as f64).sqrt(),
                cases: n,
            }
        })
        .collect();
    scored
        .into_iter()
        .min_by(|a, b| a.rms_log_error.total_cmp(&b.rms_log_error))
        .unwrap_or(Fit {
            lambda: base.default.lambda,
            rho: base.default.rho,
            rms_log_error: f64::NAN,
            cases: 0,
        })
}
