//! One pure weekly step of the disruption model, and the run loop that feeds recorders.
//! docs/model.md ("Simulator") states every equation; the comments here say why.

use crate::network::Network;
use crate::params::MatParams;
use crate::record::Recorder;
use crate::scenario::{resolve, Event, Policy, Rationing, Scenario};
use quadrant_model::{sources, Dataset, Stage};

/// An export restriction with every number fixed and every country resolved to a node.
#[derive(Debug, Clone)]
pub struct Restriction {
    pub exporter: usize,
    /// Supplier nodes the measure binds: the exporter and its facilities, or only the
    /// facilities whose controlling owner is at home in a given country.
    pub from: Vec<bool>,
    pub stage: usize,
    /// Buyers the measure applies to (never the exporter's own nodes).
    pub targets: Vec<bool>,
    pub share: f64,
    /// The targets' baseline weekly purchases from the bound nodes (`from`), which the share
    /// applies to.
    pub base: f64,
    pub start: usize,
    pub end: usize,
}

impl Restriction {
    /// Whether the measure stands between supplier i and buyer b.
    #[inline]
    pub fn binds(&self, i: usize, b: usize) -> bool {
        self.from[i] && self.targets[b]
    }
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
    pub volume_share: f64,
    /// ln(1 − cut × the dumper's share of the stage's baseline output): where the stage's
    /// price reverts to while dumping lasts (fixed at realisation).
    pub anchor: f64,
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

/// Demand and capacity growth along an IEA scenario, week by week (index = week).
#[derive(Debug, Clone, Default)]
pub struct Trend {
    pub scenario: String,
    pub demand: Vec<f64>,
    /// capacity[s][i][w]
    pub capacity: Vec<Vec<Vec<f64>>>,
}

/// The trend of `net` over `weeks` weeks: week 0 is the start of the year after the network's
/// year, and factors are relative to week 0 so that a run starts in its steady state.
pub fn trend(ds: &Dataset, net: &Network, scenario: &str, weeks: usize) -> Option<Trend> {
    let y0 = net.year as f64 + 1.0;
    let year = |w: usize| y0 + w as f64 / 52.0;
    let d0 = ds.demand_growth(net.material_ix, scenario, net.year, y0)?;
    let demand: Vec<f64> = (0..weeks)
        .map(|w| {
            ds.demand_growth(net.material_ix, scenario, net.year, year(w))
                .unwrap_or(d0)
                / d0
        })
        .collect();
    // Capacity along the IEA base case: the node's own path where IEA lists the country, the
    // world path otherwise (docs/model.md, "Trends").
    let path = |stage: Stage, country: Option<quadrant_model::CountryIx>| -> Vec<(f64, f64)> {
        let mut pts: Vec<(f64, f64)> = Vec::new();
        for (dsname, yr) in [
            (sources::IEA_2025, 2024u16),
            (sources::IEA_2025_BASE, 2030),
            (sources::IEA_2025_BASE, 2035),
            (sources::IEA_2025_BASE, 2040),
        ] {
            let v: f64 = ds
                .production_rows(dsname, net.material_ix, stage, yr)
                .filter(|r| country.is_none_or(|c| r.country == c))
                .map(|r| r.value_t)
                .sum();
            if v > 0.0 {
                pts.push((yr as f64, v));
            }
        }
        pts
    };
    let interp = |pts: &[(f64, f64)], y: f64| -> f64 {
        if pts.is_empty() {
            return 1.0;
        }
        if y <= pts[0].0 {
            return pts[0].1;
        }
        if y >= pts[pts.len() - 1].0 {
            return pts[pts.len() - 1].1;
        }
        pts.windows(2)
            .find(|w| y >= w[0].0 && y <= w[1].0)
            .map_or(1.0, |w| {
                w[0].1 + (w[1].1 - w[0].1) * (y - w[0].0) / (w[1].0 - w[0].0)
            })
    };
    let capacity = net
        .stages
        .iter()
        .map(|sn| {
            let world = path(sn.stage, None);
            (0..net.n())
                .map(|i| {
                    let own = ds
                        .country(net.country_of(i))
                        .map(|c| path(sn.stage, Some(c)))
                        .unwrap_or_default();
                    let pts = if own.len() >= 2 { own } else { world.clone() };
                    let base = interp(&pts, y0);
                    (0..weeks)
                        .map(|w| {
                            if pts.len() >= 2 && base > 0.0 {
                                interp(&pts, year(w)) / base
                            } else {
                                1.0
                            }
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    Some(Trend {
        scenario: scenario.to_string(),
        demand,
        capacity,
    })
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
    pub trend: Option<std::sync::Arc<Trend>>,
    /// How a short supplier shares its output among buyers.
    pub rationing: Rationing,
}

impl Realized {
    /// The first week in which any event acts; None without events. Before it a run is
    /// step for step the run of the same policies and trend without the events (every event
    /// term is an exact identity while inactive: ×1.0, +0.0, or filtered out), which lets
    /// Monte Carlo start runs from checkpoints of that run.
    pub fn first_event_week(&self) -> Option<usize> {
        self.restrictions
            .iter()
            .map(|x| x.start)
            .chain(self.losses.iter().map(|x| x.start))
            .chain(self.expansions.iter().map(|x| x.start))
            .chain(self.demand.iter().map(|x| x.start))
            .chain(self.dumping.iter().map(|x| x.start))
            .min()
    }
}

/// Bound of a regional log premium: a buyer pays between 1/20 and 20 times the world price.
const PREMIUM_MAX: f64 = 2.995_732_273_553_991; // ln 20

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
            // Facilities are in a set when their host is.
            for i in 0..net.n() {
                m[i] = m[i] || m[net.parent[i]];
            }
            m
        })
    };
    let stage_ix =
        |s: &str| Stage::parse(s).and_then(|s| net.stages.iter().position(|x| x.stage == s));
    let weeks = |v: f64| v.round().max(0.0) as usize;
    for (k, e) in sc.events.iter().enumerate() {
        if e.material() != net.material || !include(k, e.probability()) {
            continue;
        }
        let mut d = |f: usize| draw(k, f);
        match e {
            Event::ExportRestriction {
                exporter,
                controlled_by,
                stage,
                targets,
                except,
                share,
                start_week,
                duration_weeks,
                ..
            } => {
                let (Some(x), Some(s)) = (net.node(exporter), stage_ix(stage)) else {
                    continue;
                };
                let start = weeks(start_week.at(d(0)));
                // Targets less the exempted and the exporter's own nodes.
                let named = mask(resolve(ds, targets));
                let except = mask(Some(except.clone())).unwrap_or_default();
                let targets: Vec<bool> = (0..net.n())
                    .map(|b| named.as_ref().is_none_or(|t| t[b]) && !except[b] && !net.within(b, x))
                    .collect();
                let from: Vec<bool> = (0..net.n())
                    .map(|i| net.bound(i, x, controlled_by.as_deref()))
                    .collect();
                let flows = &net.stages[s].flows;
                let base: f64 = (0..net.n())
                    .filter(|&b| targets[b])
                    .map(|b| {
                        flows[b]
                            .iter()
                            .filter(|f| from[f.0])
                            .map(|f| f.1)
                            .sum::<f64>()
                    })
                    .sum();
                r.restrictions.push(Restriction {
                    exporter: x,
                    from,
                    stage: s,
                    base,
                    targets,
                    share: share.at(d(1)),
                    start,
                    end: start.saturating_add(weeks(duration_weeks.at(d(2)))),
                });
            }
            Event::CapacityLoss {
                country,
                controlled_by,
                stage,
                share,
                start_week,
                duration_weeks,
                recovery_weeks,
                ..
            } => {
                let (Some(x), Some(s)) = (net.node(country), stage_ix(stage)) else {
                    continue;
                };
                let start = weeks(start_week.at(d(0)));
                let (share, end, recovery) = (
                    share.at(d(1)),
                    start.saturating_add(weeks(duration_weeks.at(d(2)))),
                    weeks(recovery_weeks.at(d(3))),
                );
                // A country's loss strikes its facilities too; `controlled_by` narrows it to
                // the facilities whose controlling owner is at home there.
                for i in (0..net.n()).filter(|&i| net.bound(i, x, controlled_by.as_deref())) {
                    r.losses.push(CapLoss {
                        node: i,
                        stage: s,
                        share,
                        start,
                        end,
                        recovery,
                    });
                }
            }
            Event::CapacityExpansion {
                country,
                stage,
                tonnes_per_year,
                start_week,
                ramp_weeks,
                ..
            } => {
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
                country,
                factor,
                start_week,
                duration_weeks,
                ..
            } => {
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
                stage,
                price_cut,
                volume_share,
                start_week,
                duration_weeks,
                ..
            } => {
                let (Some(x), Some(s)) = (net.node(exporter), stage_ix(stage)) else {
                    continue;
                };
                let start = weeks(start_week.at(d(0)));
                let price_cut = price_cut.at(d(1));
                let out = &net.stages[s].base_output;
                let own: f64 = (0..net.n())
                    .filter(|&i| net.within(i, x))
                    .map(|i| out[i])
                    .sum();
                let anchor = (1.0 - price_cut * own / out.iter().sum::<f64>().max(1e-12))
                    .max(0.05)
                    .ln();
                r.dumping.push(Dumping {
                    exporter: x,
                    stage: s,
                    volume_share: volume_share.at(d(2)),
                    anchor,
                    start,
                    end: start.saturating_add(weeks(duration_weeks.at(d(3)))),
                });
            }
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
    r.rationing = sc.rationing;
    r.trend = sc
        .trend
        .as_ref()
        .and_then(|t| trend(ds, net, t, sc.weeks))
        .map(std::sync::Arc::new);
    r
}

/// Work buffers of the step, kept between weeks so that the step does not allocate. They
/// carry no information from one week to the next.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    cf: Vec<Vec<f64>>,
    add: Vec<Vec<f64>>,
    want: Vec<f64>,
    orders: Vec<Vec<(usize, f64)>>,
    deliverable: Vec<Vec<(usize, usize, f64)>>,
    delivered: Vec<Vec<f64>>,
    recv: Vec<f64>,
    cap_now: Vec<f64>,
    spare: Vec<f64>,
    /// Spare capacity offered to rerouted orders: `spare`, limited at a processing stage by
    /// the feed held beyond the week's baseline needs.
    rspare: Vec<f64>,
    /// Suppliers with spare capacity this week, ascending.
    cands: Vec<usize>,
    /// (pact member, premium, index into `deliverable[i]`) for price-based clearing.
    rank: Vec<(bool, f64, usize)>,
}

impl Scratch {
    fn prepare(&mut self, net: &Network) {
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
                spare: vec![0.0; n],
                rspare: vec![0.0; n],
                cands: Vec::with_capacity(n),
                rank: Vec::with_capacity(n),
            };
        }
    }
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
    pub consumed: Vec<f64>,
    /// Demand (after the price response) that found no goods: rationing.
    pub unmet: Vec<f64>,
    /// Σ of the step's stage-0 output minus final consumption: the mass-balance residual of
    /// the step is `stock_after − stock_before − mined + consumed`.
    pub mined: f64,
    pub consumed_total: f64,
    pub balance_error: f64,
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
        balance_error: 0.0,
        scratch: Scratch::default(),
    }
}

/// The loss share of one capacity-loss event in week w: full while active, then recovering
/// linearly over `recovery` weeks.
fn loss_at(l: &CapLoss, w: usize) -> f64 {
    if active(w, l.start, l.end) {
        l.share
    } else if w >= l.end && w < l.end + l.recovery {
        l.share * (1.0 - (w - l.end + 1) as f64 / (l.recovery + 1) as f64)
    } else {
        0.0
    }
}

/// Weekly capacity a project adds in week w, ramping up linearly.
fn expansion_at(e: &Expansion, w: usize) -> f64 {
    if w >= e.start {
        e.weekly * ((w - e.start + 1) as f64 / (e.ramp + 1) as f64).min(1.0)
    } else {
        0.0
    }
}

/// Advances the state by one week. Pure in the sense that matters: the result depends only on
/// (network, parameters, realized scenario, state).
pub fn step(net: &Network, p: &MatParams, r: &Realized, st: &mut State) {
    let w = st.week;
    let n = net.n();
    let ns = net.stages.len();
    let stock_before = st.stock();
    let last = ns - 1;
    // Buffers live in the state so that a step allocates nothing in the steady case.
    let mut sc = std::mem::take(&mut st.scratch);
    sc.prepare(net);
    // Capacity multipliers and project additions for every stage and node this week.
    for s in 0..ns {
        for i in 0..n {
            sc.cf[s][i] = 1.0;
            sc.add[s][i] = 0.0;
        }
    }
    for l in &r.losses {
        sc.cf[l.stage][l.node] *= 1.0 - loss_at(l, w);
    }
    let tr = r.trend.as_deref();
    if let Some(tr) = tr {
        for s in 0..ns {
            for i in 0..n {
                let v = &tr.capacity[s][i];
                sc.cf[s][i] *= v[w.min(v.len().saturating_sub(1))];
            }
        }
    }
    let trend_demand = tr.map_or(1.0, |t| {
        t.demand.get(w).or(t.demand.last()).copied().unwrap_or(1.0)
    });
    for e in &r.expansions {
        sc.add[e.stage][e.node] += expansion_at(e, w);
    }
    // Final demand this week: baseline × shifts × price response.
    let price_resp = st.price[last].powf(p.eps_demand);
    for k in 0..n {
        let mut f = 1.0;
        for d in r
            .demand
            .iter()
            .filter(|d| active(w, d.start, d.end) && d.node.is_none_or(|x| x == k))
        {
            f *= d.factor;
        }
        st.desired[k] = net.demand[k] * f * trend_demand * st.cross;
        // (p e^μ)^ε = p^ε e^{με}; the exponential is skipped in the usual case μ = 0.
        let mu = st.premium[last][k];
        let resp = if mu == 0.0 {
            price_resp
        } else {
            price_resp * (mu * p.eps_demand).exp()
        };
        st.demand[k] = st.desired[k] * resp;
    }
    let pact = r.pact.as_ref();
    let mut mined = 0.0;
    // A chain has at most three stages (Stage::ALL); a fixed array keeps the step allocation-free.
    let mut anchors = [0.0f64; Stage::ALL.len()];
    for s in 0..ns {
        let sn = &net.stages[s];
        let acts: Vec<&Restriction> = r
            .restrictions
            .iter()
            .filter(|x| x.stage == s && active(w, x.start, x.end))
            .collect();
        // What each buyer wants this week from stage s.
        for b in 0..n {
            sc.want[b] = if s == last {
                (st.demand[b]
                    + (p.cover_weeks * net.demand[b] - st.cons_inv[b]) / p.replenish_weeks)
                    .max(0.0)
            } else {
                // Producers of stage s+1 plan to meet last week's orders, within capacity.
                let nx = &net.stages[s + 1];
                let cap = nx.capacity[b] * sc.cf[s + 1][b] + sc.add[s + 1][b];
                let plan = st.orders_recv[s + 1][b].min(cap);
                // Excess feed is drawn down (negative replenishment), so surpluses clear.
                (plan
                    + (p.input_cover_weeks * nx.base_output[b] - st.inv_in[s + 1][b])
                        / p.replenish_weeks)
                    .max(0.0)
            };
        }
        // Orders by supplier: baseline mix, bent by tariffs and dumping.
        let dump: Vec<&Dumping> = r
            .dumping
            .iter()
            .filter(|d| d.stage == s && active(w, d.start, d.end))
            .collect();
        for b in 0..n {
            let ob = &mut sc.orders[b];
            ob.clear();
            let fl = &sn.flows[b];
            let mix = &sn.mix[b];
            let want = sc.want[b];
            if sn.mix_sum[b] <= 0.0 || want <= 0.0 {
                continue;
            }
            let member = pact.is_some_and(|pc| pc.members[b]);
            if dump.is_empty() && !(member && pact.is_some_and(|pc| pc.tariff_on.is_some())) {
                // The usual case: the baseline mix, unbent.
                let tot = sn.mix_sum[b];
                ob.extend(fl.iter().zip(mix).map(|(&(i, _), &m)| (i, want * m / tot)));
                continue;
            }
            let mut tot = 0.0;
            for (&(i, _), &m) in fl.iter().zip(mix) {
                let mut wgt = m;
                if let Some(pc) = pact.filter(|_| member) {
                    if pc.tariff_on.is_some_and(|t| net.within(i, t)) {
                        wgt *= 1.0 - pc.tariff;
                    }
                }
                for d in &dump {
                    // Buyers protected by a pact price floor do not switch to the dumper.
                    let protected = member && pact.is_some_and(|pc| pc.price_floor.is_some());
                    if net.within(i, d.exporter) && !net.within(b, d.exporter) && !protected {
                        wgt *= 1.0 + d.volume_share;
                    }
                }
                tot += wgt;
                ob.push((i, wgt));
            }
            for x in ob.iter_mut() {
                x.1 = want * x.1 / tot;
            }
        }
        // Rerouting: unfilled orders from `reroute_lag` weeks ago go to suppliers with spare
        // capacity that do not restrict this buyer.
        for i in 0..n {
            sc.cap_now[i] = sn.capacity[i] * sc.cf[s][i] + sc.add[s][i];
            sc.spare[i] = (sc.cap_now[i] - sn.base_output[i]).max(0.0);
            // A refinery's spare capacity attracts rerouted orders only as far as the feed it
            // holds beyond this week's baseline needs can run it. Capacity without baseline
            // output (a new plant) has no feed stock to judge by: it counts in full and orders
            // its feed once the orders arrive.
            sc.rspare[i] = if s > 0 && sn.base_output[i] > 0.0 {
                sc.spare[i].min((st.inv_in[s][i] - sn.base_output[i]).max(0.0))
            } else {
                sc.spare[i]
            };
        }
        sc.cands.clear();
        sc.cands.extend((0..n).filter(|&i| sc.rspare[i] > 0.0));
        let restricts = |i: usize, b: usize| acts.iter().any(|x| x.binds(i, b));
        for b in 0..n {
            let lag = p.reroute_lag;
            let due = if lag > 0 && w >= lag {
                st.unfilled[s][b * lag + w % lag]
            } else {
                0.0
            };
            // A buyer without baseline suppliers (new capacity where the data show none) buys
            // what it wants on the spot market: from suppliers with spare capacity, at once.
            let spot = if sn.mix_sum[b] <= 0.0 {
                sc.want[b]
            } else {
                0.0
            };
            let amount = due * p.reroute_share + spot;
            if amount <= 0.0 {
                continue;
            }
            // Same order of summation as a scan of all nodes, over the candidates only.
            let fr = |i: usize| {
                if net.partner[b][i] {
                    1.0
                } else {
                    p.reroute_friction
                }
            };
            let tot: f64 = sc
                .cands
                .iter()
                .filter(|&&i| !restricts(i, b))
                .map(|&i| sc.rspare[i] * fr(i))
                .sum();
            if tot <= 0.0 {
                continue;
            }
            for &i in &sc.cands {
                if !restricts(i, b) {
                    sc.orders[b].push((i, amount * (sc.rspare[i] * fr(i)) / tot));
                }
            }
        }
        // Each supplier: deliverable orders (export restrictions), production, allocation.
        for i in 0..n {
            sc.recv[i] = 0.0;
            sc.deliverable[i].clear();
        }
        for b in 0..n {
            for (slot, &(i, q)) in sc.orders[b].iter().enumerate() {
                sc.recv[i] += q;
                sc.deliverable[i].push((b, slot, q));
            }
            sc.delivered[b].clear();
            sc.delivered[b].resize(sc.orders[b].len(), 0.0);
        }
        // Quota: restricted buyers together get at most share × their baseline purchases.
        // The quota binds the exporter's country as a whole (its facilities included), or the
        // facilities its owners control.
        for x in &acts {
            let base = x.base;
            let req: f64 = (0..n)
                .filter(|&i| x.from[i])
                .flat_map(|i| sc.deliverable[i].iter())
                .filter(|d| x.targets[d.0])
                .map(|d| d.2)
                .sum();
            if req > x.share * base && req > 0.0 {
                let k = x.share * base / req;
                for i in (0..n).filter(|&i| x.from[i]) {
                    for d in sc.deliverable[i].iter_mut().filter(|d| x.targets[d.0]) {
                        d.2 *= k;
                    }
                }
            }
        }
        let pr = st.price[s].max(1.0);
        // One power per stage and week; only pact members under a price floor need their own.
        let supply_resp = pr.powf(p.eps_supply);
        for i in 0..n {
            let dl = &sc.deliverable[i];
            let total: f64 = dl.iter().map(|d| d.2).sum();
            let floor_boost = pact
                .and_then(|pc| pc.price_floor.filter(|_| pc.members[i]))
                .map_or(1.0, |f| f.max(1.0));
            let supply_cap = (sn.base_output[i]
                * sc.cf[s][i]
                * if floor_boost == 1.0 {
                    supply_resp
                } else {
                    (pr * floor_boost).powf(p.eps_supply)
                }
                + sc.spare[i])
                .min(sc.cap_now[i]);
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
            if r.rationing == Rationing::Price && q < total {
                // Price-based clearing: the highest bidders (largest regional premium) are
                // served first, pact members first when the pact grants priority; equal bids
                // share pro rata.
                let rank = &mut sc.rank;
                rank.clear();
                rank.extend(dl.iter().enumerate().map(|(j, d)| {
                    let member = prio.is_some_and(|pc| pc.members[d.0]);
                    (member, st.premium[s][d.0], j)
                }));
                rank.sort_unstable_by(|a, b| {
                    b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2))
                });
                let mut g = 0;
                while g < rank.len() && left > 0.0 {
                    let h = g + rank[g..]
                        .iter()
                        .take_while(|x| x.0 == rank[g].0 && x.1 == rank[g].1)
                        .count();
                    let req: f64 = rank[g..h].iter().map(|x| dl[x.2].2).sum();
                    if req > 0.0 {
                        let k = (left / req).min(1.0);
                        for x in &rank[g..h] {
                            let (b, slot, qty) = dl[x.2];
                            sc.delivered[b][slot] += qty * k;
                        }
                        left -= req * k;
                    }
                    g = h;
                }
            } else if let Some(pc) = prio {
                for class in [true, false] {
                    let in_class = |b: usize| pc.members[b] == class;
                    let req: f64 = dl.iter().filter(|d| in_class(d.0)).map(|d| d.2).sum();
                    if req <= 0.0 {
                        continue;
                    }
                    let k = (left / req).min(1.0);
                    for &(b, slot, qty) in dl.iter().filter(|d| in_class(d.0)) {
                        sc.delivered[b][slot] += qty * k;
                    }
                    left -= req * k;
                }
            } else {
                // One class, pro rata; exports summed in the same pass (each (buyer, slot)
                // appears once, so its delivery is exactly qty × k).
                let k = (total > 0.0).then(|| (left / total).min(1.0));
                let mut ex = -0.0f64;
                for &(b, slot, qty) in dl {
                    let d = &mut sc.delivered[b][slot];
                    if let Some(k) = k {
                        *d += qty * k;
                    }
                    if b != i {
                        ex += *d;
                    }
                }
                st.exports[s][i] = ex;
                continue;
            }
            st.exports[s][i] = dl
                .iter()
                .filter(|d| d.0 != i)
                .map(|d| sc.delivered[d.0][d.1])
                .sum();
        }
        for b in 0..n {
            let got: f64 = sc.delivered[b].iter().sum();
            let asked: f64 = sc.orders[b].iter().map(|x| x.1).sum();
            if s == last {
                st.cons_inv[b] += got;
            } else {
                st.inv_in[s + 1][b] += got;
            }
            let lag = p.reroute_lag;
            if lag > 0 {
                st.unfilled[s][b * lag + w % lag] = (asked - got).max(0.0);
            }
        }
        anchors[s] = dump.iter().map(|d| d.anchor).sum();
        st.orders_recv[s].copy_from_slice(&sc.recv);
    }
    st.scratch = sc;
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
        // Regional premia: a buyer whose own cover is shorter than the world's bids above the
        // world price (and one with more, below), reverting like the world price. A buyer cut
        // off by a targeted restriction thus pays more than the rest of the world.
        for b in 0..n {
            let (held_b, target_b) = if s == last {
                (st.cons_inv[b], p.cover_weeks * net.demand[b])
            } else {
                (
                    st.inv_in[s + 1][b],
                    p.input_cover_weeks * net.stages[s + 1].base_output[b],
                )
            };
            if target_b <= 0.0 {
                continue;
            }
            let xb = ((target_b - held_b) / target_b).clamp(-1.0, 1.0);
            let mu = st.premium[s][b];
            st.premium[s][b] =
                (mu + p.lambda_regional * (xb - x) - p.rho * mu).clamp(-PREMIUM_MAX, PREMIUM_MAX);
        }
    }
    st.mined = mined;
    st.consumed_total = consumed_total;
    st.balance_error = st.stock() - stock_before - mined + consumed_total;
    st.week += 1;
}

/// Sets each material's cross-price demand multiplier from the others' last-stage prices of
/// the week before: Π over links into m of p_from^elasticity. Reading last week's prices makes
/// the result independent of the order the materials are stepped in.
pub fn set_cross(nets: &[Network], subs: &[crate::scenario::Substitution], states: &mut [State]) {
    let prices: Vec<f64> = states
        .iter()
        .map(|st| st.price[st.price.len() - 1])
        .collect();
    for (m, net) in nets.iter().enumerate() {
        let mut c = 1.0;
        for x in subs.iter().filter(|x| x.to == net.material) {
            if let Some(f) = nets.iter().position(|n| n.material == x.from) {
                c *= prices[f].powf(x.elasticity);
            }
        }
        states[m].cross = c;
    }
}

/// Runs several materials week by week together, linked by substitution; `recorders[m]`
/// observes material m.
pub fn run_coupled(
    nets: &[Network],
    params: &[&MatParams],
    reals: &[Realized],
    subs: &[crate::scenario::Substitution],
    weeks: usize,
    recorders: &mut [Vec<&mut dyn Recorder>],
) -> Vec<State> {
    let mut states: Vec<State> = (0..nets.len())
        .map(|m| initial(&nets[m], params[m], &reals[m]))
        .collect();
    for _ in 0..weeks {
        set_cross(nets, subs, &mut states);
        for m in 0..nets.len() {
            step(&nets[m], params[m], &reals[m], &mut states[m]);
            for rec in recorders[m].iter_mut() {
                rec.record(&nets[m], &reals[m], &states[m]);
            }
        }
    }
    states
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
