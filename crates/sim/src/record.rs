//! Recorders observe a run; the step never knows what is recorded (no string switches).

use crate::network::Network;
use crate::realize::Realized;
use crate::state::State;
use serde::Serialize;

/// An observer of a run: receives the state after every step.
pub trait Recorder {
    /// Observes the state after one step.
    fn record(&mut self, net: &Network, r: &Realized, st: &State);
}

/// Shortfall, duration, prices and mass balance, accumulated over a run.
#[derive(Debug, Clone, Default)]
pub struct KpiRecorder {
    /// Weeks recorded.
    pub weeks: usize,
    /// Σ desired demand (before the price response).
    pub demand: Vec<f64>,
    /// Σ (desired − consumed): rationing plus demand destroyed by price.
    pub shortfall: Vec<f64>,
    /// Σ rationed demand alone.
    pub unmet: Vec<f64>,
    /// Weeks with more than 0.1% of the week's baseline demand missing, per node.
    pub short_weeks: Vec<usize>,
    /// Highest world price per stage (× baseline).
    pub peak_price: Vec<f64>,
    /// Σ_t world price per stage, for the mean.
    pub price_sum: Vec<f64>,
    /// Highest weekly price each consumer paid at the last stage (world price × its premium).
    pub peak_paid: Vec<f64>,
    /// Σ_t desired_t × paid_t per consumer, for the demand-weighted mean price paid.
    pub paid_sum: Vec<f64>,
    /// Σ_t Σ_k (p_{t,k} − 1) × consumed_{t,k} at the last stage, p_{t,k} the price consumer k
    /// paid: extra spend in baseline-price tonnes.
    pub cost_index: f64,
    /// Largest mass-balance residual of a step, relative to the stock.
    pub max_balance_error: f64,
    /// Σ_t output per stage and node.
    pub production: Vec<Vec<f64>>,
}

impl KpiRecorder {
    /// Shortfall of the nodes `idx` together as a share of their desired demand (0 without
    /// demand).
    pub fn shortfall_share(&self, idx: &[usize]) -> f64 {
        let d: f64 = idx.iter().map(|&i| self.demand[i]).sum();
        let u: f64 = idx.iter().map(|&i| self.shortfall[i]).sum();
        if d > 0.0 {
            u / d
        } else {
            0.0
        }
    }
    /// Highest world price at any stage over the run (× baseline, at least 1).
    pub fn peak_price(&self) -> f64 {
        self.peak_price.iter().copied().fold(1.0, f64::max)
    }
}

impl Recorder for KpiRecorder {
    fn record(&mut self, net: &Network, _r: &Realized, st: &State) {
        let n = net.n();
        let ns = net.stages.len();
        if self.demand.is_empty() {
            self.demand = vec![0.0; n];
            self.shortfall = vec![0.0; n];
            self.unmet = vec![0.0; n];
            self.short_weeks = vec![0; n];
            self.peak_price = vec![1.0; ns];
            self.price_sum = vec![0.0; ns];
            self.production = vec![vec![0.0; n]; ns];
            self.peak_paid = vec![1.0; n];
            self.paid_sum = vec![0.0; n];
        }
        let last = ns - 1;
        self.weeks += 1;
        for k in 0..n {
            let short = (st.desired[k] - st.consumed[k]).max(0.0);
            self.demand[k] += st.desired[k];
            self.shortfall[k] += short;
            self.unmet[k] += st.unmet[k];
            // A week counts as short when more than 0.1% of the week's desired demand is missing.
            if short > 1e-3 * net.demand[k].max(1e-12) {
                self.short_weeks[k] += 1;
            }
            let paid = st.paid(last, k);
            self.peak_paid[k] = self.peak_paid[k].max(paid);
            self.paid_sum[k] += st.desired[k] * paid;
            self.cost_index += (paid - 1.0) * st.consumed[k];
        }
        for s in 0..ns {
            self.peak_price[s] = self.peak_price[s].max(st.price[s]);
            self.price_sum[s] += st.price[s];
            for i in 0..n {
                self.production[s][i] += st.production[s][i];
            }
        }
        let scale = st.stock().abs().max(1.0);
        self.max_balance_error = self.max_balance_error.max(st.balance_error.abs() / scale);
    }
}

/// Weekly series: world prices per stage, per node the shortfall, the price paid at the last
/// stage and the output at each stage (facilities included), and the bloc's weekly totals.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SeriesRecorder {
    /// The bloc's demand nodes (`who::Bloc::demand_nodes`), summed for its weekly totals.
    #[serde(skip)]
    pub bloc: Vec<usize>,
    /// World price per week and stage, relative to the baseline.
    pub price: Vec<Vec<f64>>,
    /// Desired demand minus consumption, per node.
    pub shortfall: Vec<Vec<f64>>,
    /// Desired demand per node.
    pub desired: Vec<Vec<f64>>,
    /// Price each node paid at the last stage, relative to the baseline.
    pub paid: Vec<Vec<f64>>,
    /// production[week][stage][node], tonnes.
    pub production: Vec<Vec<Vec<f64>>>,
    /// Final goods each node holds at the week's end: its consumer inventory plus its
    /// strategic stockpile, tonnes.
    pub inventory: Vec<Vec<f64>>,
    /// The bloc's shortfall per week, tonnes.
    pub bloc_shortfall: Vec<f64>,
    /// The bloc's demand-weighted price paid per week at the last stage (× baseline); None in
    /// a week without bloc demand.
    pub bloc_paid: Vec<Option<f64>>,
}

impl SeriesRecorder {
    /// A recorder that also sums the bloc's demand nodes `bloc` every week.
    pub fn for_bloc(bloc: Vec<usize>) -> SeriesRecorder {
        SeriesRecorder {
            bloc,
            ..SeriesRecorder::default()
        }
    }
}

impl Recorder for SeriesRecorder {
    fn record(&mut self, _net: &Network, _r: &Realized, st: &State) {
        let last = st.price.len() - 1;
        self.price.push(st.price.clone());
        let shortfall: Vec<f64> = st
            .desired
            .iter()
            .zip(&st.consumed)
            .map(|(d, c)| (d - c).max(0.0))
            .collect();
        let paid: Vec<f64> = (0..st.desired.len()).map(|k| st.paid(last, k)).collect();
        // The bloc as a whole: its members' consumers summed.
        let (mut short, mut desired_paid, mut desired) = (0.0, 0.0, 0.0);
        for &i in &self.bloc {
            short += shortfall[i];
            let d = st.desired[i];
            desired += d;
            desired_paid += d * paid[i];
        }
        self.bloc_shortfall.push(short);
        self.bloc_paid
            .push((desired > 0.0).then(|| desired_paid / desired));
        self.shortfall.push(shortfall);
        self.desired.push(st.desired.clone());
        self.paid.push(paid);
        self.production.push(st.production.clone());
        self.inventory.push(
            st.cons_inv
                .iter()
                .zip(&st.stockpile)
                .map(|(c, s)| c + s)
                .collect(),
        );
    }
}
