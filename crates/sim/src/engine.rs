//! One pure weekly step of the disruption model, and the run loop that feeds recorders.
//! docs/model.md ("Simulator") states every equation; the comments here say why.

use crate::network::Network;
use crate::params::MatParams;
use crate::record::Recorder;
use crate::scenario::{resolve, Event, Policy, Scenario};
use quadrant_model::{Dataset, Stage};
use std::collections::VecDeque;

/// An export restriction with every number fixed and every country resolved to a node.
#[derive(Debug, Clone)]
pub struct Restriction {
    pub exporter: usize,
    pub stage: usize,
    /// None: all buyers other than the exporter.
    pub targets: Option<Vec<bool>>,
    pub share: f64,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone)]
pub struct CapLoss {
    pub node: usize,
    pub stage: usize,
    pub share: f64,
    pub start: usize,
    pub end: usize,
    pub recovery: usize,
}

#[derive(Debug, Clone)]
pub struct Expansion {
    pub node: usize,
    pub stage: usize,
    /// Weekly tonnes at full ramp.
    pub weekly: f64,
    pub start: usize,
    pub ramp: usize,
}

#[derive(Debug, Clone)]
pub struct DemandShift {
    pub node: Option<usize>,
    pub factor: f64,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone)]
pub struct Dumping {
    pub exporter: usize,
    pub stage: usize,
    pub price_cut: f64,
    pub volume_share: f64,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone)]
pub struct Pact {
    pub members: Vec<bool>,
    pub priority: bool,
    pub joint_weeks: f64,
    pub price_floor: Option<f64>,
    pub tariff_on: Option<usize>,
    pub tariff: f64,
}

/// A scenario made concrete for one material's network: draws taken, ids resolved. This is
/// the immutable input of a run.
#[derive(Debug, Clone, Default)]
pub struct Realized {
    pub restrictions: Vec<Restriction>,
    pub losses: Vec<CapLoss>,
    pub expansions: Vec<Expansion>,
    pub demand: Vec<DemandShift>,
    pub dumping: Vec<Dumping>,
    /// (node, weeks of baseline demand, release threshold)
    pub stockpiles: Vec<(usize, f64, f64)>,
    pub pact: Option<Pact>,
}

fn active(w: usize, start: usize, end: usize) -> bool {
    w >= start && w < end
}

/// Resolves `sc` for `net`. `draw(event_index, field_index)` returns a quantile in [0, 1);
/// `include(event_index, probability)` decides whether a probabilistic event happens.
pub fn realize(
    ds: &Dataset,
    sc: &Scenario,
    net: &Network,
    draw: &mut dyn FnMut(usize, usize) -> f64,
    include: &mut dyn FnMut(usize, f64) -> bool,
) -> Realized {
    let mut r = Realized::default();
    let mask = |ids: Option<Vec<String>>| -> Option<Vec<bool>> {
        ids.map(|ids| {
            let mut m = vec![false; net.n()];
            for id in ids {
                if let Some(i) = net.node(&id) {
                    m[i] = true;
                }
            }
            m
        })
    };
    let stage_ix =
        |s: &str| Stage::parse(s).and_then(|s| net.stages.iter().position(|x| x.stage == s));
    let weeks = |v: f64| v.round().max(0.0) as usize;
    for (k, e) in sc.events.iter().enumerate() {
        let mut d = |f: usize| draw(k, f);
        match e {
            Event::ExportRestriction {
                exporter,
                material,
                stage,
                targets,
                share,
                start_week,
                duration_weeks,
                probability,
            } if *material == net.material => {
                if !include(k, *probability) {
                    continue;
                }
                let (Some(x), Some(s)) = (net.node(exporter), stage_ix(stage)) else {
                    continue;
                };
                let start = weeks(start_week.at(d(0)));
                r.restrictions.push(Restriction {
                    exporter: x,
                    stage: s,
                    targets: mask(resolve(ds, targets)),
                    share: share.at(d(1)),
                    start,
                    end: start.saturating_add(weeks(duration_weeks.at(d(2)))),
                });
            }
            Event::CapacityLoss {
                country,
                material,
                stage,
                share,
                start_week,
                duration_weeks,
                recovery_weeks,
                probability,
            } if *material == net.material => {
                if !include(k, *probability) {
                    continue;
                }
                let (Some(x), Some(s)) = (net.node(country), stage_ix(stage)) else {
                    continue;
                };
                let start = weeks(start_week.at(d(0)));
                r.losses.push(CapLoss {
                    node: x,
                    stage: s,
                    share: share.at(d(1)),
                    start,
                    end: start.saturating_add(weeks(duration_weeks.at(d(2)))),
                    recovery: weeks(recovery_weeks.at(d(3))),
                });
            }
            Event::CapacityExpansion {
                country,
                material,
                stage,
                tonnes_per_year,
                start_week,
                ramp_weeks,
                probability,
            } if *material == net.material => {
                if !include(k, *probability) {
                    continue;
                }
                let (Some(x), Some(s)) = (net.node(country), stage_ix(stage)) else {
                    continue;
                };
                r.expansions.push(Expansion {
                    node: x,
                    stage: s,
                    weekly: tonnes_per_year.at(d(0)) / 52.0,
                    start: weeks(start_week.at(d(1))),
                    ramp: weeks(ramp_weeks.at(d(2))),
                });
            }
            Event::DemandShift {
                material,
                country,
                factor,
                start_week,
                duration_weeks,
                probability,
            } if *material == net.material => {
                if !include(k, *probability) {
                    continue;
                }
                let node = match country {
                    Some(c) => match net.node(c) {
                        Some(n) => Some(n),
                        None => continue,
                    },
                    None => None,
                };
                let start = weeks(start_week.at(d(0)));
                r.demand.push(DemandShift {
                    node,
                    factor: factor.at(d(1)),
                    start,
                    end: start.saturating_add(weeks(duration_weeks.at(d(2)))),
                });
            }
            Event::Dumping {
                exporter,
                material,
                stage,
                price_cut,
                volume_share,
                start_week,
                duration_weeks,
                probability,
            } if *material == net.material => {
                if !include(k, *probability) {
                    continue;
                }
                let (Some(x), Some(s)) = (net.node(exporter), stage_ix(stage)) else {
                    continue;
                };
                let start = weeks(start_week.at(d(0)));
                r.dumping.push(Dumping {
                    exporter: x,
                    stage: s,
                    price_cut: price_cut.at(d(1)),
                    volume_share: volume_share.at(d(2)),
                    start,
                    end: start.saturating_add(weeks(duration_weeks.at(d(3)))),
                });
            }
            _ => {}
        }
    }
    for p in &sc.policies {
        match p {
            Policy::Stockpile {
                holders,
                material,
                weeks,
                release_below,
            } if *material == net.material => {
                let m = mask(resolve(ds, holders)).unwrap_or_else(|| vec![true; net.n()]);
                for (i, &h) in m.iter().enumerate() {
                    if h {
                        r.stockpiles.push((i, *weeks, *release_below));
                    }
                }
            }
            Policy::Pact {
                members,
                material,
                priority,
                joint_stockpile_weeks,
                price_floor,
                tariff_on,
                tariff,
            } => {
                if material.as_ref().is_some_and(|m| *m != net.material) {
                    continue;
                }
                r.pact = Some(Pact {
                    members: mask(resolve(ds, members)).unwrap_or_else(|| vec![true; net.n()]),
                    priority: *priority,
                    joint_weeks: *joint_stockpile_weeks,
                    price_floor: *price_floor,
                    tariff_on: tariff_on.as_ref().and_then(|t| net.node(t)),
                    tariff: *tariff,
                });
            }
            _ => {}
        }
    }
    r
}

/// Everything that changes during a run. Flow fields hold the last step's values, for the
/// recorders.
#[derive(Debug, Clone)]
pub struct State {
    pub week: usize,
    /// inv_in[s][b]: feed of stage s held by its producer b (s ≥ 1; index 0 unused).
    pub inv_in: Vec<Vec<f64>>,
    /// Final goods held by consumers.
    pub cons_inv: Vec<f64>,
    pub stockpile: Vec<f64>,
    pub joint_stockpile: f64,
    /// Price per stage, relative to the baseline (1.0).
    pub price: Vec<f64>,
    /// Unfilled orders per stage and buyer, waiting `reroute_lag` weeks to be rerouted.
    pub unfilled: Vec<Vec<VecDeque<f64>>>,
    /// Orders each producer received last week, per stage.
    pub orders_recv: Vec<Vec<f64>>,
    pub production: Vec<Vec<f64>>,
    /// Tonnes each producer delivered to buyers other than itself, per stage.
    pub exports: Vec<Vec<f64>>,
    /// Final demand this week after the price response.
    pub demand: Vec<f64>,
    /// Final demand this week before the price response (baseline × demand shifts): what
    /// consumers would have used; shortfall is measured against it.
    pub desired: Vec<f64>,
    pub consumed: Vec<f64>,
    /// Demand (after the price response) that found no goods: rationing.
    pub unmet: Vec<f64>,
    /// Σ of the step's stage-0 output minus final consumption: the mass-balance residual of
    /// the step is `stock_after − stock_before − mined + consumed`.
    pub mined: f64,
    pub consumed_total: f64,
    pub balance_error: f64,
}

impl State {
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
            inv_in[s][b] = p.input_cover_weeks * net.stages[s].base_output[b];
        }
    }
    let cons_inv: Vec<f64> = net.demand.iter().map(|d| d * p.cover_weeks).collect();
    let mut stockpile = vec![0.0; n];
    for &(i, w, _) in &r.stockpiles {
        stockpile[i] += w * net.demand[i];
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
        unfilled: vec![vec![VecDeque::new(); n]; ns],
        orders_recv,
        production: vec![vec![0.0; n]; ns],
        exports: vec![vec![0.0; n]; ns],
        demand: net.demand.clone(),
        desired: net.demand.clone(),
        consumed: vec![0.0; n],
        unmet: vec![0.0; n],
        mined: 0.0,
        consumed_total: 0.0,
        balance_error: 0.0,
    }
}

/// Capacity multiplier of a node at a stage in week w: 1 − loss, recovering linearly.
fn capacity_factor(r: &Realized, node: usize, stage: usize, w: usize) -> f64 {
    let mut f = 1.0f64;
    for l in r
        .losses
        .iter()
        .filter(|l| l.node == node && l.stage == stage)
    {
        let loss = if active(w, l.start, l.end) {
            l.share
        } else if w >= l.end && w < l.end + l.recovery {
            l.share * (1.0 - (w - l.end + 1) as f64 / (l.recovery + 1) as f64)
        } else {
            0.0
        };
        f *= 1.0 - loss;
    }
    f
}

/// Capacity added by projects at a node and stage in week w, tonnes per week.
fn added_capacity(r: &Realized, node: usize, stage: usize, w: usize) -> f64 {
    r.expansions
        .iter()
        .filter(|e| e.node == node && e.stage == stage && w >= e.start)
        .map(|e| e.weekly * ((w - e.start + 1) as f64 / (e.ramp + 1) as f64).min(1.0))
        .sum()
}

/// Advances the state by one week. Pure in the sense that matters: the result depends only on
/// (network, parameters, realized scenario, state).
pub fn step(net: &Network, p: &MatParams, r: &Realized, st: &mut State) {
    let w = st.week;
    let n = net.n();
    let ns = net.stages.len();
    let stock_before = st.stock();
    let last = ns - 1;
    // Final demand this week: baseline × shifts × price response.
    for k in 0..n {
        let mut f = 1.0;
        for d in r
            .demand
            .iter()
            .filter(|d| active(w, d.start, d.end) && d.node.is_none_or(|x| x == k))
        {
            f *= d.factor;
        }
        st.desired[k] = net.demand[k] * f;
        st.demand[k] = st.desired[k] * st.price[last].powf(p.eps_demand);
    }
    let pact = r.pact.as_ref();
    let mut mined = 0.0;
    let mut anchors = vec![0.0; ns];
    for s in 0..ns {
        let sn = &net.stages[s];
        // What each buyer wants this week from stage s.
        let mut want = vec![0.0; n];
        for b in 0..n {
            want[b] = if s == last {
                (st.demand[b]
                    + (p.cover_weeks * net.demand[b] - st.cons_inv[b]) / p.replenish_weeks)
                    .max(0.0)
            } else {
                // Producers of stage s+1 plan to meet last week's orders, within capacity.
                let nx = &net.stages[s + 1];
                let cap = nx.capacity[b] * capacity_factor(r, b, s + 1, w)
                    + added_capacity(r, b, s + 1, w);
                let plan = st.orders_recv[s + 1][b].min(cap);
                // Excess feed is drawn down (negative replenishment), so surpluses clear.
                (plan
                    + (p.input_cover_weeks * nx.base_output[b] - st.inv_in[s + 1][b])
                        / p.replenish_weeks)
                    .max(0.0)
            };
        }
        // Orders by supplier: baseline mix, bent by tariffs and dumping.
        let mut orders: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        let dump: Vec<&Dumping> = r
            .dumping
            .iter()
            .filter(|d| d.stage == s && active(w, d.start, d.end))
            .collect();
        for b in 0..n {
            let fl = &sn.flows[b];
            let base: f64 = fl.iter().map(|x| x.1).sum();
            if base <= 0.0 || want[b] <= 0.0 {
                continue;
            }
            let member = pact.is_some_and(|pc| pc.members[b]);
            let mut ws: Vec<(usize, f64)> = fl
                .iter()
                .map(|&(i, q)| {
                    let mut wgt = q / base;
                    if let Some(pc) = pact.filter(|_| member) {
                        if pc.tariff_on == Some(i) {
                            wgt *= 1.0 - pc.tariff;
                        }
                    }
                    for d in &dump {
                        // Buyers protected by a pact price floor do not switch to the dumper.
                        let protected = member && pact.is_some_and(|pc| pc.price_floor.is_some());
                        if d.exporter == i && b != i && !protected {
                            wgt *= 1.0 + d.volume_share;
                        }
                    }
                    (i, wgt)
                })
                .collect();
            let tot: f64 = ws.iter().map(|x| x.1).sum();
            for x in &mut ws {
                x.1 = want[b] * x.1 / tot;
            }
            orders[b] = ws;
        }
        // Rerouting: unfilled orders from `reroute_lag` weeks ago go to suppliers with spare
        // capacity that do not restrict this buyer.
        let cap_now: Vec<f64> = (0..n)
            .map(|i| sn.capacity[i] * capacity_factor(r, i, s, w) + added_capacity(r, i, s, w))
            .collect();
        let restricted = |i: usize, b: usize| -> Option<f64> {
            r.restrictions
                .iter()
                .filter(|x| x.stage == s && x.exporter == i && b != i && active(w, x.start, x.end))
                .filter(|x| x.targets.as_ref().is_none_or(|t| t[b]))
                .map(|x| x.share)
                .reduce(f64::min)
        };
        let spare: Vec<f64> = (0..n)
            .map(|i| (cap_now[i] - sn.base_output[i]).max(0.0))
            .collect();
        for b in 0..n {
            let q = &mut st.unfilled[s][b];
            let due = if q.len() >= p.reroute_lag {
                q.pop_front().unwrap_or(0.0)
            } else {
                0.0
            };
            if due <= 0.0 {
                continue;
            }
            let cands: Vec<(usize, f64)> = (0..n)
                .filter(|&i| spare[i] > 0.0 && restricted(i, b).is_none())
                .map(|i| (i, spare[i]))
                .collect();
            let tot: f64 = cands.iter().map(|x| x.1).sum();
            if tot <= 0.0 {
                continue;
            }
            for (i, sp) in cands {
                orders[b].push((i, due * p.reroute_share * sp / tot));
            }
        }
        // Each supplier: deliverable orders (export restrictions), production, allocation.
        let mut recv = vec![0.0; n];
        let mut deliverable: Vec<Vec<(usize, usize, f64)>> = vec![Vec::new(); n]; // supplier → (buyer, slot, qty)
        for (b, ob) in orders.iter().enumerate() {
            for (slot, &(i, q)) in ob.iter().enumerate() {
                recv[i] += q;
                deliverable[i].push((b, slot, q));
            }
        }
        for i in 0..n {
            // Quota: restricted buyers together get at most share × their baseline purchases.
            let mut groups: Vec<(f64, f64)> = Vec::new(); // (allowed, requested)
            let rs: Vec<&Restriction> = r
                .restrictions
                .iter()
                .filter(|x| x.stage == s && x.exporter == i && active(w, x.start, x.end))
                .collect();
            for x in &rs {
                let hit = |b: usize| b != i && x.targets.as_ref().is_none_or(|t| t[b]);
                let base: f64 = (0..n)
                    .filter(|&b| hit(b))
                    .map(|b| {
                        sn.flows[b]
                            .iter()
                            .filter(|f| f.0 == i)
                            .map(|f| f.1)
                            .sum::<f64>()
                    })
                    .sum();
                let req: f64 = deliverable[i]
                    .iter()
                    .filter(|d| hit(d.0))
                    .map(|d| d.2)
                    .sum();
                groups.push((x.share * base, req));
                if req > x.share * base && req > 0.0 {
                    let k = x.share * base / req;
                    for d in deliverable[i].iter_mut().filter(|d| hit(d.0)) {
                        d.2 *= k;
                    }
                }
            }
        }
        let mut delivered: Vec<Vec<f64>> = orders.iter().map(|o| vec![0.0; o.len()]).collect();
        for i in 0..n {
            let total: f64 = deliverable[i].iter().map(|d| d.2).sum();
            let supply_cap = {
                let pr = st.price[s].max(1.0);
                let floor_boost = pact
                    .and_then(|pc| pc.price_floor.filter(|_| pc.members[i]))
                    .map_or(1.0, |f| f.max(1.0));
                (sn.base_output[i]
                    * capacity_factor(r, i, s, w)
                    * (pr * floor_boost).powf(p.eps_supply)
                    + spare[i])
                    .min(cap_now[i])
            };
            let feed = if s == 0 {
                f64::INFINITY
            } else {
                st.inv_in[s][i]
            };
            let q = total.min(supply_cap).min(feed);
            if s == 0 {
                mined += q;
            } else {
                st.inv_in[s][i] -= q;
            }
            st.production[s][i] = q;
            // Allocate: pact members first when the supplier is a member, then pro rata.
            let mut left = q;
            let prio = pact.filter(|pc| pc.priority && pc.members[i]);
            let classes: [bool; 2] = [true, false];
            for class in classes {
                let req: f64 = deliverable[i]
                    .iter()
                    .filter(|d| prio.is_none_or(|pc| pc.members[d.0] == class))
                    .map(|d| d.2)
                    .sum();
                if req <= 0.0 || (prio.is_none() && !class) {
                    continue;
                }
                let k = (left / req).min(1.0);
                for &(b, slot, qty) in deliverable[i]
                    .iter()
                    .filter(|d| prio.is_none_or(|pc| pc.members[d.0] == class))
                {
                    delivered[b][slot] += qty * k;
                }
                left -= req * k;
            }
            st.exports[s][i] = deliverable[i]
                .iter()
                .filter(|d| d.0 != i)
                .map(|d| delivered[d.0][d.1])
                .sum();
        }
        for b in 0..n {
            let got: f64 = delivered[b].iter().sum();
            let asked: f64 = orders[b].iter().map(|x| x.1).sum();
            if s == last {
                st.cons_inv[b] += got;
            } else {
                st.inv_in[s + 1][b] += got;
            }
            let q = &mut st.unfilled[s][b];
            q.push_back((asked - got).max(0.0));
            while q.len() > p.reroute_lag {
                q.pop_front();
            }
        }
        anchors[s] = dump
            .iter()
            .map(|d| {
                (1.0 - d.price_cut * sn.base_output[d.exporter]
                    / sn.base_output.iter().sum::<f64>().max(1e-12))
                .max(0.05)
                .ln()
            })
            .sum();
        for (i, r) in recv.into_iter().enumerate() {
            st.orders_recv[s][i] = r;
        }
    }
    // Consumption: from consumer inventory, then stockpiles, then the pact's joint stockpile.
    let mut consumed_total = 0.0;
    for k in 0..n {
        let d = st.demand[k];
        let mut take = d.min(st.cons_inv[k]);
        st.cons_inv[k] -= take;
        let rel = r.stockpiles.iter().find(|x| x.0 == k).map_or(0.0, |x| x.2);
        if take < d
            && st.stockpile[k] > 0.0
            && st.cons_inv[k] <= rel * p.cover_weeks * net.demand[k]
        {
            let x = (d - take).min(st.stockpile[k]);
            st.stockpile[k] -= x;
            take += x;
        }
        if take < d && st.joint_stockpile > 0.0 && pact.is_some_and(|pc| pc.members[k]) {
            let x = (d - take).min(st.joint_stockpile);
            st.joint_stockpile -= x;
            take += x;
        }
        st.consumed[k] = take;
        st.unmet[k] = (d - take).max(0.0);
        consumed_total += take;
    }
    // Prices, once the week's flows and consumption are done: the buyers' inventory gap raises
    // a stage's price, mean reversion pulls it back toward its anchor (docs/model.md).
    // Inventories are the physical signal of scarcity; unlike unfilled orders they are not
    // inflated by re-ordering. Dumping moves the anchor to (1 − cut × the dumper's share).
    for s in 0..ns {
        let (held, target): (f64, f64) = if s == last {
            (
                st.cons_inv.iter().sum(),
                p.cover_weeks * net.demand.iter().sum::<f64>(),
            )
        } else {
            (
                st.inv_in[s + 1].iter().sum(),
                p.input_cover_weeks * net.stages[s + 1].base_output.iter().sum::<f64>(),
            )
        };
        let x = if target > 0.0 {
            ((target - held) / target).clamp(-1.0, 1.0)
        } else {
            0.0
        };
        let lp = st.price[s].ln() + p.lambda * x - p.rho * (st.price[s].ln() - anchors[s]);
        st.price[s] = lp.exp().clamp(0.05, 100.0);
    }
    st.mined = mined;
    st.consumed_total = consumed_total;
    let stock_after = st.stock();
    st.balance_error = stock_after - stock_before - mined + consumed_total;
    st.week += 1;
}

/// Runs `weeks` steps, handing every state to the recorders.
pub fn run(
    net: &Network,
    p: &MatParams,
    r: &Realized,
    weeks: usize,
    recorders: &mut [&mut dyn Recorder],
) -> State {
    let mut st = initial(net, p, r);
    for _ in 0..weeks {
        step(net, p, r, &mut st);
        for rec in recorders.iter_mut() {
            rec.record(net, r, &st);
        }
    }
    st
}
