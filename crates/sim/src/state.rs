//! The state of a run: everything that changes from week to week, the step's work buffers,
//! and the baseline state a run starts from.

use crate::network::Network;
use crate::params::MatParams;
use crate::realize::Realized;

/// Work buffers of the step, kept between weeks so that the step does not allocate. They
/// carry no information from one week to the next.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    /// cf[s][i]: capacity factor of node i at stage s this week (losses × trend).
    pub(crate) cf: Vec<Vec<f64>>,
    /// add[s][i]: capacity added by projects this week, t/week.
    pub(crate) add: Vec<Vec<f64>>,
    /// What each buyer wants from the current stage this week.
    pub(crate) want: Vec<f64>,
    /// orders[b] = [(supplier, tonnes)] placed by buyer b at the current stage.
    pub(crate) orders: Vec<Vec<(usize, f64)>>,
    /// deliverable[i] = [(buyer, slot in `orders[buyer]`, tonnes)] supplier i may ship.
    pub(crate) deliverable: Vec<Vec<(usize, usize, f64)>>,
    /// delivered[b][slot]: tonnes buyer b received on its order `slot`.
    pub(crate) delivered: Vec<Vec<f64>>,
    /// Orders each supplier received at the current stage.
    pub(crate) recv: Vec<f64>,
    /// Capacity this week, t/week.
    pub(crate) cap_now: Vec<f64>,
    /// Capacity this week without projects' additions, K c: what the rerouting cover is
    /// chosen by.
    pub(crate) existing: Vec<f64>,
    /// What each supplier can produce this week given its feed (`step::feed_limited`), t/week.
    pub(crate) offer: Vec<f64>,
    /// Feed-limited output beyond baseline output this week.
    pub(crate) spare: Vec<f64>,
    /// fill[b]: the share of its orders buyer b got at the stage shipped last (this week's
    /// feed of stage s + 1), `None` where it ordered nothing.
    pub(crate) fill: Vec<Option<f64>>,
    /// The share of all orders filled at the stage shipped last (1 where none were placed).
    pub(crate) fill_all: f64,
    /// Suppliers that can produce this week, ascending: where rerouted orders go.
    pub(crate) cands: Vec<usize>,
    /// weight[i]: how much of rerouted orders candidate i draws (before partner friction):
    /// its feed-limited output inside the cover, that output beyond baseline outside it.
    pub(crate) weight: Vec<f64>,
    /// (pact member, premium, index into `deliverable[i]`) for price-based clearing.
    pub(crate) rank: Vec<(bool, f64, usize)>,
}

impl Scratch {
    /// Sizes the buffers for `net` (once; later weeks reuse them).
    pub(crate) fn prepare(&mut self, net: &Network) {
        let (n, ns) = (net.n(), net.stages.len());
        if self.want.len() != n || self.cf.len() != ns {
            *self = Scratch {
                cf: vec![vec![1.0; n]; ns],
                add: vec![vec![0.0; n]; ns],
                want: vec![0.0; n],
                orders: vec![Vec::new(); n],
                deliverable: vec![Vec::new(); n],
                delivered: vec![Vec::new(); n],
                recv: vec![0.0; n],
                cap_now: vec![0.0; n],
                existing: vec![0.0; n],
                offer: vec![0.0; n],
                spare: vec![0.0; n],
                fill: vec![None; n],
                fill_all: 1.0,
                cands: Vec::with_capacity(n),
                weight: vec![0.0; n],
                rank: Vec::with_capacity(n),
            };
        }
    }
}

/// Everything that changes during a run. Flow fields hold the last step's values, for the
/// recorders.
#[derive(Debug, Clone)]
pub struct State {
    /// Weeks stepped so far (the next step is week `week`).
    pub week: usize,
    /// inv_in[s][b]: feed of stage s held by its producer b (s ≥ 1; index 0 unused).
    pub inv_in: Vec<Vec<f64>>,
    /// Final goods held by consumers.
    pub cons_inv: Vec<f64>,
    /// Strategic stockpile held by each node.
    pub stockpile: Vec<f64>,
    /// The pact's joint stockpile.
    pub joint_stockpile: f64,
    /// Price per stage, relative to the baseline (1.0): the world price producers sell at.
    pub price: Vec<f64>,
    /// premium[s][b]: ln of buyer b's price of stage-s goods over the world price, driven by
    /// its own inventory gap against the world's (regional prices; 0 in the baseline).
    pub premium: Vec<Vec<f64>>,
    /// Unfilled orders per stage and buyer, waiting `reroute_lag` weeks to be rerouted.
    /// A ring of `reroute_lag` weeks per buyer: unfilled[s][b · lag + w mod lag] holds what
    /// buyer b left unfilled at stage s in week w, read back in week w + lag.
    pub unfilled: Vec<Vec<f64>>,
    /// Orders each producer received last week, per stage.
    pub orders_recv: Vec<Vec<f64>>,
    /// Output of each producer this week, per stage.
    pub production: Vec<Vec<f64>>,
    /// Tonnes each producer delivered to buyers other than itself, per stage.
    pub exports: Vec<Vec<f64>>,
    /// Final demand this week after the price response.
    pub demand: Vec<f64>,
    /// Final demand this week before the price response (baseline × demand shifts): what
    /// consumers would have used; shortfall is measured against it.
    pub desired: Vec<f64>,
    /// Demand multiplier from other materials' prices (substitution links); 1 when the
    /// material runs alone. Set by the caller before each step.
    pub cross: f64,
    /// Final goods consumed this week.
    pub consumed: Vec<f64>,
    /// Demand (after the price response) that found no goods: rationing.
    pub unmet: Vec<f64>,
    /// Σ of the step's stage-0 output minus final consumption: the mass-balance residual of
    /// the step is `stock_after − stock_before − mined + consumed + converted`.
    pub mined: f64,
    /// Σ consumed this week.
    pub consumed_total: f64,
    /// Mass-balance residual of the last step, tonnes.
    pub balance_error: f64,
    /// Fear index per stage this week (docs/model.md, "Expectations"), 0–1.
    pub fear: Vec<f64>,
    /// Log demand adjustment built up by the long-run price response (docs/model.md,
    /// "Demand"), shared by every consumer.
    pub adapt: f64,
    /// Per stage, the log supply response to price built up so far (docs/model.md, step 6).
    pub supply: Vec<f64>,
    /// Feed used beyond output in processing this week, Σ_s (κ_s − 1) × output (docs/model.md,
    /// "Mass balance").
    pub converted: f64,
    /// The step's work buffers.
    pub scratch: Scratch,
}

impl State {
    /// The price buyer b pays for stage-s goods, relative to the baseline (the world price
    /// itself in the usual case of no premium, without an exponential).
    pub fn paid(&self, s: usize, b: usize) -> f64 {
        let mu = self.premium[s][b];
        if mu == 0.0 {
            self.price[s]
        } else {
            self.price[s] * mu.exp()
        }
    }
    /// Everything held: feed and consumer inventories, stockpiles, the joint stockpile.
    pub fn stock(&self) -> f64 {
        self.inv_in.iter().flatten().sum::<f64>()
            + self.cons_inv.iter().sum::<f64>()
            + self.stockpile.iter().sum::<f64>()
            + self.joint_stockpile
    }
}

/// The baseline: inventories at target, prices 1, stockpiles filled.
pub fn initial(net: &Network, p: &MatParams, r: &Realized) -> State {
    let n = net.n();
    let ns = net.stages.len();
    let mut inv_in = vec![vec![0.0; n]; ns];
    for s in 1..ns {
        for b in 0..n {
            let sn = &net.stages[s];
            inv_in[s][b] = p.input_cover_weeks * sn.feed_per_output * sn.base_output[b];
        }
    }
    let cons_inv: Vec<f64> = net.demand.iter().map(|d| d * p.cover_weeks).collect();
    let mut stockpile = vec![0.0; n];
    for x in &r.stockpiles {
        stockpile[x.node] += x.weeks * net.demand[x.node];
    }
    let joint = r.pact.as_ref().map_or(0.0, |pc| {
        pc.joint_weeks
            * (0..n)
                .filter(|&i| pc.members[i])
                .map(|i| net.demand[i])
                .sum::<f64>()
    });
    let orders_recv = net.stages.iter().map(|s| s.base_output.clone()).collect();
    State {
        week: 0,
        inv_in,
        cons_inv,
        stockpile,
        joint_stockpile: joint,
        price: vec![1.0; ns],
        premium: vec![vec![0.0; n]; ns],
        unfilled: vec![vec![0.0; n * p.reroute_lag]; ns],
        orders_recv,
        production: vec![vec![0.0; n]; ns],
        exports: vec![vec![0.0; n]; ns],
        demand: net.demand.clone(),
        desired: net.demand.clone(),
        cross: 1.0,
        consumed: vec![0.0; n],
        unmet: vec![0.0; n],
        mined: 0.0,
        consumed_total: 0.0,
        converted: 0.0,
        fear: vec![0.0; ns],
        adapt: 0.0,
        supply: vec![0.0; ns],
        balance_error: 0.0,
        scratch: Scratch::default(),
    }
}
