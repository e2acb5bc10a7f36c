//! One pure weekly step of the disruption model. [`step`] calls one function per step of
//! docs/model.md ("One weekly step"), in its order: [`shocks`], [`demand`], then per stage
//! [`wants`] and [`orders`], [`reroute`], [`quotas`], [`produce`] (production and allocation),
//! [`ship`]; then [`consume`] and [`prices`]. The comments here say why; the doc states every
//! equation.

use crate::network::Network;
use crate::params::MatParams;
use crate::realize::{CapLoss, Dumping, Expansion, Pact, Realized, Restriction};
use crate::scenario::Rationing;
use crate::state::{Scratch, State};
use quadrant_model::Stage;

mod allocate;
mod expect;
mod reroute;
use allocate::{allocate_by_price, allocate_members_first, allocate_pro_rata, exports_of};
pub use expect::fear;
use expect::{adapt, supply};
pub use reroute::{feed_limited, reroute, REROUTE_COVER};

/// Bound of a regional log premium: a buyer pays between 1/20 and 20 times the world price.
const PREMIUM_MAX: f64 = 2.995_732_273_553_991; // ln 20

/// Floor of ε_s − ε_d in the expected price impact of a feared loss: with perfectly
/// inelastic supply and demand the impact would be unbounded; 0.05 caps it at 20 × the share.
pub const MIN_ELASTICITY_SUM: f64 = 0.05;

fn active(w: usize, start: usize, end: usize) -> bool {
    w >= start && w < end
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
    let stock_before = st.stock();
    // Buffers live in the state so that a step allocates nothing in the steady case.
    let mut sc = std::mem::take(&mut st.scratch);
    sc.prepare(net);
    shocks(net, r, w, &mut sc);
    // A chain has at most three stages: a fixed array keeps the step allocation-free.
    let mut fear_before = [0.0f64; Stage::ALL.len()];
    fear_before[..st.fear.len()].copy_from_slice(&st.fear);
    fear(net, p, r, w, &mut st.fear);
    demand(net, p, r, st, w);
    let mut mined = 0.0;
    // A chain has at most three stages (Stage::ALL); a fixed array keeps the step allocation-free.
    let mut anchors = [0.0f64; Stage::ALL.len()];
    for s in 0..net.stages.len() {
        let acts: Vec<&Restriction> = r
            .restrictions
            .iter()
            .filter(|x| x.stage == s && active(w, x.start, x.end))
            .collect();
        let dump: Vec<&Dumping> = r
            .dumping
            .iter()
            .filter(|d| d.stage == s && active(w, d.start, d.end))
            .collect();
        wants(net, p, st, &mut sc, s);
        orders(net, r.pact.as_ref(), &dump, &mut sc, s);
        reroute(net, p, st, &mut sc, s, &acts);
        quotas(net, &acts, &mut sc);
        mined += produce(net, p, r, st, &mut sc, s);
        ship(net, p, st, &mut sc, s);
        anchors[s] = dump.iter().map(|d| d.anchor).sum();
        st.orders_recv[s].copy_from_slice(&sc.recv);
    }
    st.scratch = sc;
    let consumed_total = consume(net, p, r, st);
    prices(net, p, st, &anchors, &fear_before);
    st.mined = mined;
    st.consumed_total = consumed_total;
    st.converted = converted(net, st);
    st.balance_error = st.stock() - stock_before - mined + consumed_total + st.converted;
    st.week += 1;
}

/// Feed used beyond output in processing this week: Σ_s (κ_s − 1) × output (negative where
/// recorded processing exceeds the feed the data show, e.g. copper refined from scrap).
fn converted(net: &Network, st: &State) -> f64 {
    let mut c = 0.0;
    for (s, sn) in net.stages.iter().enumerate().skip(1) {
        if sn.feed_per_output != 1.0 {
            c += (sn.feed_per_output - 1.0) * st.production[s].iter().sum::<f64>();
        }
    }
    c
}

/// Step 1, shocks: this week's capacity factor of every node (losses × trend) and the
/// capacity projects add.
pub fn shocks(net: &Network, r: &Realized, w: usize, sc: &mut Scratch) {
    let (n, ns) = (net.n(), net.stages.len());
    for s in 0..ns {
        for i in 0..n {
            sc.cf[s][i] = 1.0;
            sc.add[s][i] = 0.0;
        }
    }
    for l in &r.losses {
        sc.cf[l.stage][l.node] *= 1.0 - loss_at(l, w);
    }
    if let Some(tr) = r.trend.as_deref() {
        for s in 0..ns {
            for i in 0..n {
                let v = &tr.capacity[s][i];
                sc.cf[s][i] *= v[w.min(v.len().saturating_sub(1))];
            }
        }
    }
    for e in &r.expansions {
        sc.add[e.stage][e.node] += expansion_at(e, w);
    }
}

/// Step 2, demand: desired final demand (baseline × shifts × trend × substitution) and demand
/// after the price response, at the price each consumer pays.
pub fn demand(net: &Network, p: &MatParams, r: &Realized, st: &mut State, w: usize) {
    let last = net.stages.len() - 1;
    let trend_demand = r.trend.as_deref().map_or(1.0, |t| {
        t.demand.get(w).or(t.demand.last()).copied().unwrap_or(1.0)
    });
    // The long-run adjustment (0 unless a price has stayed away from baseline) scales every
    // consumer alike; exp(0) = 1 keeps the baseline exact.
    let price_resp = st.price[last].powf(p.eps_demand) * st.adapt.exp();
    for k in 0..net.n() {
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
}

/// Step 3a, what each buyer wants from stage s this week: consumers their demand plus
/// inventory replenishment; producers of stage s+1 feed for last week's orders.
pub fn wants(net: &Network, p: &MatParams, st: &State, sc: &mut Scratch, s: usize) {
    let last = net.stages.len() - 1;
    for b in 0..net.n() {
        let keep = 1.0 + p.precaution * st.fear[s];
        sc.want[b] = if s == last {
            (st.demand[b]
                + (keep * p.cover_weeks * net.demand[b] - st.cons_inv[b]) / p.replenish_weeks)
                .max(0.0)
        } else {
            // Producers of stage s+1 plan to meet last week's orders, within capacity.
            let nx = &net.stages[s + 1];
            let cap = nx.capacity[b] * sc.cf[s + 1][b] + sc.add[s + 1][b];
            let plan = st.orders_recv[s + 1][b].min(cap);
            let k = nx.feed_per_output;
            // Excess feed is drawn down (negative replenishment), so surpluses clear.
            (plan * k
                + (keep * p.input_cover_weeks * nx.base_output[b] * k - st.inv_in[s + 1][b])
                    / p.replenish_weeks)
                .max(0.0)
        };
    }
}

/// Step 3b, orders by supplier: each buyer's want split by its baseline mix, bent by a pact's
/// tariff and by dumping.
pub fn orders(net: &Network, pact: Option<&Pact>, dump: &[&Dumping], sc: &mut Scratch, s: usize) {
    let sn = &net.stages[s];
    for b in 0..net.n() {
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
            for d in dump {
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
}

/// Step 5, export restrictions: every supplier's deliverable orders, the restricted buyers'
/// scaled down together to at most share × their baseline purchases. The quota binds the
/// exporter's country as a whole (its facilities included), or the facilities its owners
/// control.
pub fn quotas(net: &Network, acts: &[&Restriction], sc: &mut Scratch) {
    let n = net.n();
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
    for x in acts {
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
}

/// Steps 6 and 7, production and allocation: each supplier produces what it can deliver
/// within its lagged supply response (idle capacity comes back only through it; new plants'
/// capacity is there as they ramp up), capacity and feed, and shares it among its buyers by the
/// scenario's rationing rule. Returns the stage's output when s is the first stage (what
/// entered the chain this week), else 0.
pub fn produce(
    net: &Network,
    p: &MatParams,
    r: &Realized,
    st: &mut State,
    sc: &mut Scratch,
    s: usize,
) -> f64 {
    let sn = &net.stages[s];
    let pact = r.pact.as_ref();
    let mut mined = 0.0;
    let pr = st.price[s].max(1.0);
    // The lagged response of step 10c; only pact members under a price floor (a price they
    // are guaranteed, so answer at once) need their own power.
    let supply_resp = st.supply[s].exp();
    for i in 0..net.n() {
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
            + sc.add[s][i])
            .min(sc.cap_now[i]);
        let feed = if s == 0 {
            f64::INFINITY
        } else {
            st.inv_in[s][i] / sn.feed_per_output
        };
        let q = total.min(supply_cap).min(feed);
        if s == 0 {
            mined += q;
        } else {
            // Never below zero by rounding: q ≤ inv/κ.
            st.inv_in[s][i] = (st.inv_in[s][i] - q * sn.feed_per_output).max(0.0);
        }
        st.production[s][i] = q;
        // Allocate: pact members first when the supplier is a member, then pro rata.
        let prio = pact.filter(|pc| pc.priority && pc.members[i]);
        let delivered = &mut sc.delivered;
        st.exports[s][i] = if r.rationing == Rationing::Price && q < total {
            allocate_by_price(dl, &st.premium[s], prio, q, &mut sc.rank, delivered);
            exports_of(dl, delivered, &net.parent, i)
        } else if let Some(pc) = prio {
            allocate_members_first(dl, pc, q, delivered);
            exports_of(dl, delivered, &net.parent, i)
        } else {
            allocate_pro_rata(dl, q, total, delivered, &net.parent, i)
        };
    }
    mined
}

/// Step 8, shipping: deliveries join the buyers' feed (or, at the last stage, consumer)
/// inventories; what was not delivered joins the reroute queue. Below the last stage, the
/// share of its orders each buyer got is kept for the next stage's [`feed_limited`].
pub fn ship(net: &Network, p: &MatParams, st: &mut State, sc: &mut Scratch, s: usize) {
    let (w, last) = (st.week, net.stages.len() - 1);
    let (mut got_all, mut asked_all) = (0.0, 0.0);
    for b in 0..net.n() {
        let got: f64 = sc.delivered[b].iter().sum();
        let asked: f64 = sc.orders[b].iter().map(|x| x.1).sum();
        if s == last {
            st.cons_inv[b] += got;
        } else {
            st.inv_in[s + 1][b] += got;
            sc.fill[b] = (asked > 0.0).then(|| (got / asked).min(1.0));
            got_all += got;
            asked_all += asked;
        }
        let lag = p.reroute_lag;
        if lag > 0 {
            st.unfilled[s][b * lag + w % lag] = (asked - got).max(0.0);
        }
    }
    sc.fill_all = if asked_all > 0.0 {
        (got_all / asked_all).min(1.0)
    } else {
        1.0
    };
}

/// Step 9, consumption: from consumer inventory, then the consumer's stockpile (below its
/// release threshold), then the pact's joint stockpile. Returns Σ consumed.
pub fn consume(net: &Network, p: &MatParams, r: &Realized, st: &mut State) -> f64 {
    let pact = r.pact.as_ref();
    let mut consumed_total = 0.0;
    for k in 0..net.n() {
        let d = st.demand[k];
        let mut take = d.min(st.cons_inv[k]);
        st.cons_inv[k] -= take;
        let rel = r
            .stockpiles
            .iter()
            .find(|x| x.node == k)
            .map_or(0.0, |x| x.release_below);
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
    consumed_total
}

/// Step 10, prices, once the week's flows and consumption are done: the buyers' inventory gap
/// (against their target, raised by precaution) raises a stage's price, mean reversion pulls it
/// back toward its anchor (moved by dumping to 1 − cut × the dumper's share, and raised by θ ×
/// fear), and a change of fear moves the price at once (expectations). Inventories are the
/// physical signal of scarcity; unlike unfilled orders they are not inflated by re-ordering.
/// Each buyer's premium follows its own gap against the world's.
pub fn prices(net: &Network, p: &MatParams, st: &mut State, anchors: &[f64], fear_before: &[f64]) {
    let last = net.stages.len() - 1;
    for s in 0..net.stages.len() {
        let keep = 1.0 + p.precaution * st.fear[s];
        let (held, target): (f64, f64) = if s == last {
            (
                st.cons_inv.iter().sum(),
                p.cover_weeks * net.demand.iter().sum::<f64>(),
            )
        } else {
            let nx = &net.stages[s + 1];
            (
                st.inv_in[s + 1].iter().sum(),
                p.input_cover_weeks * nx.feed_per_output * nx.base_output.iter().sum::<f64>(),
            )
        };
        let target = target * keep;
        let x = if target > 0.0 {
            ((target - held) / target).clamp(-1.0, 1.0)
        } else {
            0.0
        };
        // Expected log-price impact of the feared loss: share lost over (ε_s − ε_d).
        let impact = p.theta / (p.eps_supply - p.eps_demand).max(MIN_ELASTICITY_SUM);
        let (f, f0) = (impact * st.fear[s], impact * fear_before[s]);
        let lp = st.price[s].ln();
        let lp = lp + p.lambda * x - p.rho * (lp - anchors[s] - f) + (f - f0);
        st.price[s] = lp.exp().clamp(0.05, 100.0);
        premia(net, p, st, s, x, keep);
    }
    adapt(p, st, last);
    supply(p, st);
}

/// Regional premia at stage s: a buyer whose own cover is shorter than the world's (gap `x`)
/// bids above the world price (and one with more, below), reverting like the world price. A
/// buyer cut off by a targeted restriction thus pays more than the rest of the world.
fn premia(net: &Network, p: &MatParams, st: &mut State, s: usize, x: f64, keep: f64) {
    let last = net.stages.len() - 1;
    for b in 0..net.n() {
        let (held_b, target_b) = if s == last {
            (st.cons_inv[b], p.cover_weeks * net.demand[b])
        } else {
            let nx = &net.stages[s + 1];
            (
                st.inv_in[s + 1][b],
                p.input_cover_weeks * nx.feed_per_output * nx.base_output[b],
            )
        };
        let target_b = target_b * keep;
        if target_b <= 0.0 {
            continue;
        }
        let xb = ((target_b - held_b) / target_b).clamp(-1.0, 1.0);
        let mu = st.premium[s][b];
        st.premium[s][b] =
            (mu + p.lambda_regional * (xb - x) - p.rho * mu).clamp(-PREMIUM_MAX, PREMIUM_MAX);
    }
}
