#!/usr/bin/env python3
"""Peer benchmark: the simulator's weekly step (`crates/sim/src/state.rs` fn `initial` and `crates/sim/src/step/mod.rs`
fn `step`) re-implemented with numpy, checked against and timed against the Rust example
`crates/sim/examples/step_bench.rs`, run in the same invocation.

    /work/peervenv/bin/python bench/step_numpy.py [--material M] [--scenario TOML]
                                                  [--weeks N] [--reps N] [--no-build]
                                                  [--theta X] [--precaution X | --shipped-params]

The Rust example exports one material's network and the realized scenario (network.json) and
its per-week series (rust_series.csv); this script reads them, runs the same weeks with numpy,
compares the series, and times its run loop (initial() + `weeks` steps) in-process with
time.perf_counter, median of --reps. The Rust figure is the example's own in-process median of
the same loop over the same number of reps.

Parameters: the shipped data/world/sim_params.toml, except that θ (expectations) and π
(precaution), both 0 there, are overridden for the check by --theta (default 0.3) and
--precaution (default 0.5), which the script passes to the example: with them at 0 the fear
terms of `wants`, `prices` and `premia` would be multiplied away and go unchecked.
--shipped-params runs with the shipped values instead.

Implemented: everything the step does for the features the exported scenarios use:
- shocks: capacity losses with linear recovery; capacity expansions ramping up linearly;
- fear (expectations): per stage, the share of its world output that announced, unfinished
  restrictions and capacity losses withhold, each weighted by min(1, weeks to come / weeks
  of stock held downstream (cover + input cover × stages below)), upstream stages counting
  downstream, at most 1;
- demand with the price response at each consumer's own price (world price × premium), times
  the long-run adjustment e^a, a moving 1/τ_a a week toward (ε_L − ε_d) ln p;
- wants: consumers' demand plus replenishment towards (1 + π·fear) × their cover; producers
  of the next stage κ × last week's orders (within capacity) plus replenishment towards
  (1 + π·fear) × input cover × κ × baseline output, κ = the stage's feed per output;
- orders by baseline mix; rerouting of the orders left unfilled `reroute_lag` weeks ago (and
  spot purchases of buyers without baseline suppliers) to the suppliers that do not restrict
  the buyer: the largest by capacity holding 95% of it, weighted by what each can produce
  given its feed (min(capacity, max(feed held, φ κ capacity) / κ), φ the share of its feed
  orders filled this week), and any other with output to spare beyond its baseline, weighted
  by that spare; × (1 for partners, `reroute_friction` otherwise); export restrictions (quotas
  and bans on a target set);
- production within the lagged supply response e^{q_s} (q_s moving 1/τ_q a week toward
  ε_s ln max(p_s, 1)), capacity and feed held / κ (consuming κ t of feed per t),
  proportional allocation, shipping, consumption from consumer inventory;
- prices: inventory gap against the target × (1 + π·fear), mean reversion towards the
  expected impact θ·fear/(ε_s − ε_d), and the jump by its change; regional premia against the
  same raised targets;
- the mass-balance residual, with the `converted` term Σ (κ − 1) × output.
The example writes the counts of what is not implemented (pact, stockpiles, dumping,
demand shifts, IEA trend, price rationing) to network.json and this script refuses
a file in which any is nonzero; it also checks the scenario TOML before building anything.

Floating-point order: every sum the Rust code does as a sequential fold is done here as a
sequential fold too (np.bincount with weights, or np.cumsum), never np.sum (pairwise); every
product and quotient is written in the Rust code's operand order ((keep × cover) × demand, not
keep × (cover × demand)); logs, exps and powers are scalar and use libm through Python's math
module, as Rust's f64::ln/exp/powf do. With that the series are bit-identical: the default
--tol is 0 (any difference in any column fails), and the report prints the largest absolute and
relative difference and the number of values that differ.

Exit status: 0 if the series agree within --tol (relative), 1 if not, 2 on a setup error.
"""
import argparse
import csv
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def rerouting_candidates(existing, offer, spare):
    """Rust `step::rerouting_candidates`: the cover, the largest suppliers by capacity without
    projects (ties by index) until they hold 95% of the stage's, weighted by their feed-limited
    output `offer`, plus every other supplier with a positive `spare`, weighted by it; only
    positive weights; as (mask, weight)."""
    total = 0.0
    for c in existing:
        total += float(c)
    order = sorted((i for i in range(len(existing)) if existing[i] > 0.0),
                   key=lambda i: (-existing[i], i))
    cover = np.zeros(len(existing), dtype=bool)
    held = 0.0
    for i in order:
        cover[i] = True
        held += float(existing[i])
        if held >= 0.95 * total:
            break
    weight = np.where(cover, offer, spare)
    return weight > 0.0, weight


def feed_limited(cap, kappa, inv, fill, fill_all, first):
    """Rust `step::feed_limited`: what each supplier can produce this week given its feed,
    min(K c + a, max(I, φ κ (K c + a)) / κ) at a processing stage (φ its feed orders' filled
    share this week, or the stage's where it ordered none), K c + a at the first."""
    if first:
        return cap
    phi = np.where(np.isnan(fill), fill_all, fill)
    return np.minimum(cap, np.maximum(phi * kappa * cap, inv) / kappa)


def seqsum(a):
    """Left-to-right sum, as Rust's `Iterator::sum` for f64 (np.sum is pairwise)."""
    return float(np.cumsum(a)[-1]) if len(a) else 0.0


class Net:
    """network.json in flat (CSR-like) arrays: per stage, one entry per (buyer, supplier) flow,
    buyer-major, in the Rust slot order."""

    def __init__(self, j):
        bad = {k: v for k, v in j["unsupported"].items() if v}
        assert not bad, f"network.json has {bad}: not implemented here"
        self.n = len(j["countries"])
        self.demand = np.array(j["demand"], dtype=float)
        self.ns = len(j["stages"])
        self.capacity, self.base_output, self.fb, self.fi, self.fq = [], [], [], [], []
        # κ: tonnes of the previous stage's product per tonne of output (1.0 at stage 0).
        self.kappa = [float(st["feed_per_output"]) for st in j["stages"]]
        for st in j["stages"]:
            self.capacity.append(np.array(st["capacity"], dtype=float))
            self.base_output.append(np.array(st["base_output"], dtype=float))
            assert len(st["flows"]) == self.n
            fb, fi, fq = [], [], []
            for b, fl in enumerate(st["flows"]):
                for i, q in fl:
                    fb.append(b)
                    fi.append(i)
                    fq.append(q)
            self.fb.append(np.array(fb, dtype=np.int64))
            self.fi.append(np.array(fi, dtype=np.int64))
            self.fq.append(np.array(fq, dtype=float))
        self.links = sum(len(x) for x in self.fb)
        # The country node of each node (a facility's host): sales inside a country are not exports.
        self.parent = np.array(j["parent"], dtype=np.int64)
        self.p = j["params"]
        # Rerouting weight of supplier i for buyer b: 1 between partners (shared bloc or
        # agreement, or the same node), `reroute_friction` otherwise.
        self.fric = np.full((self.n, self.n), float(self.p["reroute_friction"]))
        for b, i in j.get("partner", []):
            self.fric[b, i] = 1.0
        np.fill_diagonal(self.fric, 1.0)
        self.weeks = j["weeks"]
        self.restrictions = []
        for x in j["restrictions"]:
            # `targets`: buyers the measure binds (the exporter's own nodes and the exempted
            # already left out); `from`: supplier nodes it binds (the exporter and its
            # facilities, or the facilities its owners control); `base`: the targets' baseline
            # purchases from `from`, as realize.rs folded it.
            t = np.zeros(self.n, dtype=bool)
            t[x["targets"]] = True
            fm = np.zeros(self.n, dtype=bool)
            fm[x["from"]] = True
            self.restrictions.append(dict(x, targets=t, from_mask=fm, from_idx=np.nonzero(fm)[0]))
        self.losses = j["losses"]
        self.expansions = j.get("expansions", [])
        # Sums of baseline demand and baseline output, as the step folds them.
        self.demand_total = seqsum(self.demand)
        self.base_total = [seqsum(b) for b in self.base_output]


PREMIUM_MAX = 2.995_732_273_553_991  # ln 20, as step/mod.rs
MIN_ELASTICITY_SUM = 0.05  # as step/mod.rs


class State:
    pass


def initial(net):
    p, n, ns = net.p, net.n, net.ns
    st = State()
    st.week = 0
    st.inv_in = [np.zeros(n)] + [p["input_cover_weeks"] * net.kappa[s] * net.base_output[s]
                                 for s in range(1, ns)]
    st.cons_inv = net.demand * p["cover_weeks"]
    st.price = [1.0] * ns
    st.premium = [np.zeros(n) for _ in range(ns)]  # ln of each buyer's regional premium
    # unfilled[s][w % lag] holds what each buyer left unfilled at stage s in week w, read back
    # in week w + lag (the Rust ring unfilled[s][b · lag + w mod lag]).
    lag = p["reroute_lag"]
    st.unfilled = [np.zeros((max(lag, 1), n)) for _ in range(ns)]
    st.orders_recv = [b.copy() for b in net.base_output]
    st.production = [np.zeros(n) for _ in range(ns)]
    st.exports = [np.zeros(n) for _ in range(ns)]
    st.demand = net.demand.copy()
    st.desired = net.demand.copy()
    st.consumed = np.zeros(n)
    st.unmet = np.zeros(n)
    st.fear = [0.0] * ns
    st.adapt = 0.0
    st.supply = [0.0] * ns
    # Filled share of each buyer's orders at the stage shipped last (NaN: none placed), and the
    # stage's: the next stage's feed-limited output reads them in the same week.
    st.fill, st.fill_all = np.full(n, np.nan), 1.0
    st.mined = st.consumed_total = st.converted = st.balance_error = 0.0
    return st


def stock(st):
    """Feed and consumer inventories, folded as State::stock (no stockpiles here)."""
    return seqsum(np.concatenate(st.inv_in)) + seqsum(st.cons_inv)


def capacity_factors(net, w):
    """cf[s][node]: Π over that node's losses of (1 − loss), linear recovery after `end`."""
    cf = [np.ones(net.n) for _ in range(net.ns)]
    for l in net.losses:
        if l["start"] <= w < l["end"]:
            loss = l["share"]
        elif l["end"] <= w < l["end"] + l["recovery"]:
            loss = l["share"] * (1.0 - (w - l["end"] + 1) / (l["recovery"] + 1))
        else:
            loss = 0.0
        cf[l["stage"]][l["node"]] *= 1.0 - loss
    return cf


def added(net, w):
    """add[s][node]: capacity projects add in week w (step/mod.rs fn `expansion_at`): weekly ×
    min(1, (w − start + 1) / (ramp + 1)) from `start`, summed in the order of the events."""
    add = [np.zeros(net.n) for _ in range(net.ns)]
    for e in net.expansions:
        if w >= e["start"]:
            add[e["stage"]][e["node"]] += e["weekly"] * min((w - e["start"] + 1) / (e["ramp"] + 1), 1.0)
    return add


def fear(net, w):
    """Fear index per stage in week w (step/mod.rs fn `fear`)."""
    p, ns = net.p, net.ns
    last = ns - 1
    out = [0.0] * ns
    upstream = 0.0
    for s in range(ns):
        world = net.base_total[s]
        cover = p["cover_weeks"] + p["input_cover_weeks"] * float(last - s)

        def bridge(weeks):
            return min(float(weeks) / cover, 1.0) if cover > 0.0 else 1.0
        lost = 0.0
        if world > 0.0:
            for x in net.restrictions:
                if x["stage"] == s and x["announced"] <= w < x["end"]:
                    lost += (1.0 - x["share"]) * x["base"] * bridge(x["end"] - max(w, x["start"]))
            for l in net.losses:
                if l["stage"] == s and l["announced"] <= w < l["end"]:
                    lost += (l["share"] * float(net.base_output[s][l["node"]])
                             * bridge(l["end"] - max(w, l["start"])))
            lost /= world
        upstream = max(upstream, min(lost, 1.0))
        out[s] = upstream
    return out


def step(net, st):
    p, n, ns = net.p, net.n, net.ns
    w = st.week
    last = ns - 1
    lag, rshare, rw = p["reroute_lag"], p["reroute_share"], p["replenish_weeks"]
    stock_before = stock(st)
    cf = capacity_factors(net, w)
    add = added(net, w)
    fear_before = st.fear
    st.fear = fear(net, w)
    # Final demand: baseline (no demand shifts) × price response.
    st.desired = net.demand * 1.0
    price_resp = math.pow(st.price[last], p["eps_demand"]) * math.exp(st.adapt)
    resp = np.full(n, price_resp)
    for k in np.nonzero(st.premium[last] != 0.0)[0]:  # scalar libm exp, as Rust
        resp[k] = price_resp * math.exp(st.premium[last][k] * p["eps_demand"])
    st.demand = st.desired * resp
    active = [x for x in net.restrictions if x["start"] <= w < x["end"]]
    mined = 0.0
    for s in range(ns):
        fb, fi, fq = net.fb[s], net.fi[s], net.fq[s]
        base_out = net.base_output[s]
        # What each buyer wants from stage s, towards targets raised by precaution.
        keep = 1.0 + p["precaution"] * st.fear[s]
        if s == last:
            want = np.maximum(
                st.demand + (keep * p["cover_weeks"] * net.demand - st.cons_inv) / rw, 0.0)
        else:
            k1 = net.kappa[s + 1]
            cap = net.capacity[s + 1] * cf[s + 1] + add[s + 1]
            plan = np.minimum(st.orders_recv[s + 1], cap)
            want = np.maximum(
                plan * k1
                + (keep * p["input_cover_weeks"] * net.base_output[s + 1] * k1 - st.inv_in[s + 1])
                / rw, 0.0)
        # Orders: the baseline mix scaled to `want` (no tariffs, no dumping).
        base = np.bincount(fb, fq, minlength=n)
        wgt = fq / base[fb]
        tot = np.bincount(fb, wgt, minlength=n)
        act = ((base > 0.0) & (want > 0.0))[fb]
        ob, oi = fb[act], fi[act]
        oq = want[ob] * wgt[act] / tot[ob]
        # Rerouting of the orders left unfilled `lag` weeks ago (and spot purchases): to every
        # candidate that does not restrict the buyer, weighted by its feed-limited output
        # (inside the 95% cover by capacity) or that output beyond baseline (outside it) ×
        # friction.
        existing = net.capacity[s] * cf[s]
        cap_now = existing + add[s]
        rs = [x for x in active if x["stage"] == s]
        if lag >= 1 and w >= lag:
            due = st.unfilled[s][w % lag].copy()
        else:
            due = np.zeros(n)
        # Buyers without baseline suppliers buy what they want at once.
        amount = due * rshare + np.where(base > 0.0, 0.0, want)
        rb_idx = np.nonzero(amount > 0.0)[0]
        rb = ri = rq = np.zeros(0)
        if len(rb_idx):
            offer = feed_limited(cap_now, net.kappa[s], st.inv_in[s], st.fill, st.fill_all,
                                 s == 0)
            spare = np.maximum(offer - base_out, 0.0)
            cmask, cweight = rerouting_candidates(existing, offer, spare)
            ok = np.broadcast_to(cmask, (len(rb_idx), n)).copy()  # [buyer row, supplier]
            for x in rs:
                ok[np.ix_(x["targets"][rb_idx], x["from_mask"])] = False
            wsp = cweight[None, :] * net.fric[rb_idx, :]  # weight × friction, as Rust multiplies
            tot_sp = np.cumsum(np.where(ok, wsp, 0.0), axis=1)[:, -1]
            ok &= (tot_sp > 0.0)[:, None]
            r_row, ri = np.nonzero(ok)  # row-major: buyer, then supplier ascending
            rb = rb_idx[r_row]
            rq = amount[rb] * wsp[r_row, ri] / tot_sp[r_row]
        # All orders in the Rust (buyer, slot) order: baseline slots, then rerouted ones.
        B = np.concatenate([ob, rb.astype(np.int64)])
        I = np.concatenate([oi, ri.astype(np.int64)])
        Q = np.concatenate([oq, rq])
        order = np.argsort(B, kind="stable")
        B, I, Q = B[order], I[order], Q[order]
        recv = np.bincount(I, Q, minlength=n)
        # Export restrictions: the targets' orders from the bound suppliers together get at
        # most share × their baseline purchases (`base`).
        D = Q.copy()
        for x in rs:
            hit_b = x["targets"]
            # Supplier-major, then buyer and slot: the order Rust folds the requests in.
            m = np.concatenate([np.nonzero((I == i) & hit_b[B])[0] for i in x["from_idx"]]
                               + [np.zeros(0, dtype=np.int64)])
            req = seqsum(D[m])
            allowed = x["share"] * x["base"]
            if req > allowed and req > 0.0:
                D[m] *= allowed / req
        # Production within the supply response, capacity and feed / κ; pro-rata allocation.
        total = np.bincount(I, D, minlength=n)
        pw = math.exp(st.supply[s])  # the lagged supply response (step 10c)
        # Idle capacity answers only through the lagged response; projects' capacity is there.
        supply_cap = np.minimum(base_out * cf[s] * pw + add[s], cap_now)
        q = np.minimum(total, supply_cap)
        if s == 0:
            mined += seqsum(q)
        else:
            kap = net.kappa[s]
            q = np.minimum(q, st.inv_in[s] / kap)
            st.inv_in[s] = np.maximum(st.inv_in[s] - q * kap, 0.0)
        st.production[s] = q
        with np.errstate(divide="ignore", invalid="ignore"):
            k = np.where(total > 0.0, np.minimum(q / total, 1.0), 0.0)
        delivered = D * k[I]
        ext = net.parent[B] != net.parent[I]
        st.exports[s] = np.bincount(I[ext], delivered[ext], minlength=n)
        got = np.bincount(B, delivered, minlength=n)
        asked = np.bincount(B, Q, minlength=n)
        if s == last:
            st.cons_inv = st.cons_inv + got
        else:
            st.inv_in[s + 1] = st.inv_in[s + 1] + got
            with np.errstate(divide="ignore", invalid="ignore"):
                st.fill = np.where(asked > 0.0, np.minimum(got / asked, 1.0), np.nan)
            ga, aa = seqsum(got), seqsum(asked)
            st.fill_all = min(ga / aa, 1.0) if aa > 0.0 else 1.0
        if lag >= 1:
            st.unfilled[s][w % lag] = np.maximum(asked - got, 0.0)
        st.orders_recv[s] = recv
    # Consumption from consumer inventory (no stockpiles, no pact).
    d = st.demand
    take = np.minimum(d, st.cons_inv)
    st.cons_inv = st.cons_inv - take
    st.consumed = take
    st.unmet = np.maximum(d - take, 0.0)
    consumed_total = seqsum(take)
    # Prices: inventory gap against the target raised by precaution, mean reversion toward the
    # anchor (0: no dumping) raised by θ·fear, and the jump θ·(fear − last week's fear).
    lam, rho, theta = p["lambda"], p["rho"], p["theta"]
    anchor = 0.0
    for s in range(ns):
        keep = 1.0 + p["precaution"] * st.fear[s]
        if s == last:
            held, target = seqsum(st.cons_inv), p["cover_weeks"] * net.demand_total
        else:
            held = seqsum(st.inv_in[s + 1])
            target = p["input_cover_weeks"] * net.kappa[s + 1] * net.base_total[s + 1]
        target = target * keep
        x = min(max((target - held) / target, -1.0), 1.0) if target > 0.0 else 0.0
        impact = theta / max(p["eps_supply"] - p["eps_demand"], MIN_ELASTICITY_SUM)
        f, f0 = impact * st.fear[s], impact * fear_before[s]
        lnp = math.log(st.price[s])
        lp = lnp + lam * x - rho * (lnp - anchor - f) + (f - f0)
        st.price[s] = min(max(math.exp(lp), 0.05), 100.0)
        # Regional premia: each buyer's own gap (against its raised target) against the world's.
        if s == last:
            held_b, target_b = st.cons_inv, p["cover_weeks"] * net.demand
        else:
            held_b = st.inv_in[s + 1]
            target_b = p["input_cover_weeks"] * net.kappa[s + 1] * net.base_output[s + 1]
        target_b = target_b * keep
        has = target_b > 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            xb = np.clip((target_b - held_b) / target_b, -1.0, 1.0)
        mu = st.premium[s]
        new = np.clip(mu + p["lambda_regional"] * (xb - x) - rho * mu, -PREMIUM_MAX, PREMIUM_MAX)
        st.premium[s] = np.where(has, new, mu)
    # Long-run demand: partial adjustment toward (ε_L − ε_d) ln p_S.
    target = (p["eps_demand_long"] - p["eps_demand"]) * math.log(st.price[last])
    st.adapt += (target - st.adapt) / p["adjust_weeks"]
    # Supply: partial adjustment toward ε_s ln max(p, 1), within capacity.
    for s in range(ns):
        target = p["eps_supply"] * math.log(max(st.price[s], 1.0))
        st.supply[s] += (target - st.supply[s]) / p["supply_lag_weeks"]
    st.mined = mined
    st.consumed_total = consumed_total
    # Feed used beyond output in processing: Σ_s (κ_s − 1) × output.
    conv = 0.0
    for s in range(1, ns):
        if net.kappa[s] != 1.0:
            conv += (net.kappa[s] - 1.0) * seqsum(st.production[s])
    st.converted = conv
    st.balance_error = stock(st) - stock_before - mined + consumed_total + conv
    st.week += 1


def run_series(net, weeks):
    st = initial(net)
    rows = []
    for _ in range(weeks):
        step(net, st)
        short = seqsum(np.maximum(st.desired - st.consumed, 0.0))
        rows.append((st.week, st.price[0], st.price[-1], short,
                     seqsum(st.production[0]), seqsum(st.production[-1]), stock(st),
                     st.balance_error, st.fear[-1]))
    return rows


COLS = ["price_stage0", "price_last", "shortfall_total", "production_stage0", "production_last",
        "stock_total", "balance_error", "fear_last"]


def run_loop(net, weeks):
    st = initial(net)
    for _ in range(weeks):
        step(net, st)
    return st


def check_scenario(path, material):
    """The scenario must use, for this material, only the features implemented here."""
    sc = tomllib.loads(path.read_text())
    bad = sorted({e.get("kind") for e in sc.get("event", [])
                  if e.get("material") == material
                  and e.get("kind") not in ("export_restriction", "capacity_loss",
                                            "capacity_expansion")})
    bad += sorted({q.get("kind") for q in sc.get("policy", [])
                   if q.get("material", material) == material})
    if sc.get("rationing", "proportional") != "proportional":
        bad.append(f"rationing = {sc['rationing']!r}")  # only proportional rationing here
    if sc.get("trend"):
        bad.append(f"trend = {sc['trend']!r}")  # IEA demand/capacity trend: not exported
    if bad:
        print(f"scenario {path} uses {bad} for {material}: not implemented here", file=sys.stderr)
        sys.exit(2)
    return sc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--material", default="cobalt")
    ap.add_argument("--scenario", default="data/scenarios/drc-cobalt-2025.toml",
                    help="relative paths are resolved from the repository root")
    ap.add_argument("--weeks", type=int, default=None, help="default: the scenario's")
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--out", default=None, help="keep network.json / rust_series.csv here")
    ap.add_argument("--tol", type=float, default=0.0,
                    help="largest relative difference accepted (default 0: bit-identical)")
    ap.add_argument("--theta", type=float, default=0.3,
                    help="θ for both sides (overrides sim_params.toml's; default 0.3)")
    ap.add_argument("--precaution", type=float, default=0.5,
                    help="π for both sides (overrides sim_params.toml's; default 0.5)")
    ap.add_argument("--shipped-params", action="store_true",
                    help="no override: θ and π as data/world/sim_params.toml has them")
    a = ap.parse_args()

    scen = Path(a.scenario)
    if not scen.is_absolute():
        scen = (REPO / scen) if (REPO / scen).exists() else scen.resolve()
    sc = check_scenario(scen, a.material)
    if not a.no_build:
        r = subprocess.run(["cargo", "build", "--release", "-q", "-p", "quadrant-sim",
                            "--example", "step_bench"], cwd=REPO)
        if r.returncode:
            sys.exit(2)
    tdir = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    if not tdir.is_absolute():
        tdir = REPO / tdir
    exe = tdir / "release" / "examples" / "step_bench"
    if not exe.exists():
        print(f"missing {exe}; run without --no-build", file=sys.stderr)
        sys.exit(2)
    out = Path(a.out) if a.out else Path(tempfile.mkdtemp(prefix="step_numpy_"))
    # Weeks: the scenario's unless given (the example defaults to it as well).
    args = [a.material, str(scen), str(out), str(a.weeks or sc["weeks"]), str(a.reps)]
    if not a.shipped_params:
        args += [repr(a.theta), repr(a.precaution)]
    r = subprocess.run([str(exe), *args], cwd=REPO, capture_output=True, text=True)
    if r.returncode:
        print(r.stderr, file=sys.stderr)
        sys.exit(2)
    rust = json.loads(r.stdout.strip().splitlines()[-1])
    net = Net(json.loads((out / "network.json").read_text()))
    weeks = net.weeks
    assert net.links == rust["links"], (net.links, rust["links"])

    # Agreement, column by column: largest absolute and relative difference, values that differ.
    with open(out / "rust_series.csv") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["week"] + COLS, rows[0]
    ref = [tuple(float(v) for v in row) for row in rows[1:]]
    mine = run_series(net, weeks)
    worst = {c: [0.0, 0.0, 0, 0] for c in COLS}  # max abs, max rel, week of max rel, count
    for rr, mm in zip(ref, mine):
        assert int(rr[0]) == mm[0]
        for c, x, y in zip(COLS, rr[1:], mm[1:]):
            if x == y or (math.isnan(x) and math.isnan(y)):
                continue
            d = abs(x - y)
            rel = d / max(abs(x), abs(y))
            v = worst[c]
            v[0] = max(v[0], d)
            if rel > v[1]:
                v[1], v[2] = rel, mm[0]
            v[3] += 1
    ok = len(ref) == len(mine) == weeks and all(v[1] <= a.tol for v in worst.values())

    # Timing: initial() + weeks steps, as the Rust example.
    times = []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        run_loop(net, weeks)
        times.append(time.perf_counter() - t0)
    times.sort()
    med = times[len(times) // 2]  # upper median for even N, as the Rust example

    lu = net.links * weeks
    p = net.p
    fmax = max(r[-1] for r in mine)
    print(f"# {a.material}, {scen.name}: {net.n} nodes, {net.ns} stages, {net.links} links, "
          f"{weeks} weeks, {a.reps} reps; python {platform.python_version()}, "
          f"numpy {np.__version__}; load {os.getloadavg()[0]:.2f}")
    print(f"# κ per stage {net.kappa}; θ {p['theta']}, π {p['precaution']}; "
          f"{len(net.restrictions)} restrictions, {len(net.losses)} losses, "
          f"announced early: {sum(x['announced'] < x['start'] for x in net.restrictions + net.losses)}; "
          f"peak fear (last stage) {fmax:.4f}")
    print("# agreement with rust_series.csv: max abs difference, max relative difference (week), "
          "values that differ:")
    for c in COLS:
        v = worst[c]
        print(f"#   {c:18s} {v[0]:.3e}  {v[1]:.3e} (week {v[2]})  {v[3]}/{weeks}")
    print(f"# series {'AGREE' if ok else 'DISAGREE'} (tol {a.tol:g}"
          f"{', bit-identical' if all(v[3] == 0 for v in worst.values()) else ''})")
    print(f"{'implementation':14s} {'median_s':>10s} {'link_upd/s':>12s} {'ratio':>7s}")
    print(f"{'rust':14s} {rust['median_s']:10.6f} {rust['link_updates_per_s']:12.4g} {1.0:7.2f}")
    print(f"{'numpy':14s} {med:10.6f} {lu / med:12.4g} {med / rust['median_s']:7.2f}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
