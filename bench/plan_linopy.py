#!/usr/bin/env python3
"""Peer benchmark for the planner (crates/plan): the same MILP as crates/plan/src/model.rs,
built with linopy and solved with HiGHS, on a synthetic problem (SYNTHETIC: random numbers)
written by the Rust example `dump_problem`.

    python bench/plan_linopy.py N S Y [--seed 7] [--reps 3] [--rust-solve]
        [--rust-solver microlp|highs] [--gap G] [--cvar ALPHA]

Runs $CARGO_TARGET_DIR/release/examples/dump_problem (build it first with
`cargo build --release -p quadrant-plan --example dump_problem`), which writes the problem
as JSON and prints the Rust build time (and, with --rust-solve, the Rust solver's objective); then
builds the model here REPS times (median), solves it once with HiGHS and prints both.
Each family below names the function of model.rs it mirrors.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings

import linopy
import numpy as np
import pandas as pd
import xarray as xr

TIE_BREAK = 1e-7  # model.rs TIE_BREAK
# Masked slots count as 0 in sums (linopy's legacy semantics), which is what model.rs does
# by leaving the term out; the warning only announces the future v1 change.
warnings.filterwarnings("ignore", message=".*absent slots.*")


def crf(r, n):
    """model.rs capital_recovery_factor."""
    return 1.0 / n if r <= 0 else r / (1.0 - (1.0 + r) ** (-n))


def eligible(f, c):
    """input.rs Financier::eligible."""
    ok = lambda key, val: f.get(key) is None or val in f[key]  # noqa: E731
    return (ok("eligible_hosts", c["host"]) and ok("eligible_stages", c["stage"])
            and ok("eligible_materials", c["material"])
            and (not f["home_only"] or c["host"] == f["member"]))


def budget(f, y):
    b = f["budget_usd_m"]
    if "Constant" in b:
        return b["Constant"]
    v = b["PerYear"]
    return v[y] if y < len(v) else 0.0


def da(a, *coords):
    return xr.DataArray(np.asarray(a), coords=list(coords))


def build(p):
    """model::build with Scope::pooled, default Tweaks, no relaxed families."""
    C, F, fu, o = p["candidates"], p["financiers"], p["futures"], p["options"]
    ny, nj, nk = o["horizon_years"], len(C), len(F)
    mats, mem, fs = fu["materials"], fu["members"], fu["futures"]
    ns, nm, nmem = len(fs), len(mats), len(mem)
    J, K = pd.RangeIndex(nj, name="j"), pd.RangeIndex(nk, name="k")
    Y0, Y = pd.RangeIndex(ny, name="y0"), pd.RangeIndex(ny, name="y")
    S, M, Q = pd.RangeIndex(ns, name="s"), pd.RangeIndex(nm, name="m"), pd.RangeIndex(nmem, name="q")
    ni = max(len(f["instruments"]) for f in F)
    I = pd.RangeIndex(ni, name="i")
    m = linopy.Model()

    lead = np.array([c["lead_years"] for c in C])
    last = np.maximum(ny - lead, 0)
    cap = np.array([c["capacity_t"] for c in C], dtype=float)
    capex = np.array([c["capex_usd_m"] for c in C], dtype=float)
    mining = np.array([c["stage"] == "mining" for c in C])
    mat = np.array([mats.index(c["material"]) if c["material"] in mats else 0 for c in C])
    has = last > 0
    y0 = np.arange(ny)

    # build_vars: build_{j,y} binary for y < ny − lead_j; Σ_y build ≤ 1.
    bmask = y0[None, :] < last[:, None]
    B = m.add_variables(binary=True, coords=[J, Y0], name="build", mask=da(bmask, J, Y0))
    m.add_constraints(B.sum("y0") <= 1, name="one_start", mask=da(has, J))
    # running(j, y) = cap_j Σ_{y0 + lead_j ≤ y} build_{j,y0}, as coefficients on build.
    run = (cap[:, None, None] * ((y0[None, :, None] + lead[:, None, None]) <= y0[None, None, :])
           * bmask[:, :, None])
    RUN = da(run, J, Y0, Y)

    def running(js):
        return (B.sel(j=js) * RUN.sel(j=js)).sum(["j", "y0"])

    # funding: Σ_k x = capex·build; Σ_i w = Σ_y x; budgets.
    E = np.array([[has[j] and eligible(F[k], C[j]) for k in range(nk)] for j in range(nj)])
    xmask = E[:, :, None] & bmask[:, None, :]
    X = m.add_variables(lower=0, coords=[J, K, Y0], name="x", mask=da(xmask, J, K, Y0))
    nins = np.array([len(f["instruments"]) for f in F])
    wmask = E[:, :, None] & (np.arange(ni)[None, None, :] < nins[None, :, None])
    W = m.add_variables(lower=0, coords=[J, K, I], name="w", mask=da(wmask, J, K, I))
    m.add_constraints(W.sum("i") - X.sum("y0") == 0, name="split", mask=da(E, J, K))
    m.add_constraints(X.sum("k") - da(capex, J) * B == 0, name="per_year",
                      mask=da(bmask, J, Y0))
    bud = np.array([[budget(f, y) for y in range(ny)] for f in F])
    m.add_constraints(X.sum("j") <= da(bud, K, Y0), name="budgets",
                      mask=da(xmask.any(axis=0), K, Y0))

    # ethics
    if o.get("require_no_flagged"):
        fl = np.array([c["flagged"] for c in C]) & has
        m.add_constraints(B.sum("y0") <= 0, name="no_flagged", mask=da(fl, J))
    share = o.get("min_audited_share")
    if share is not None and has.any():
        aud = np.array([1.0 if c["audited"] else 0.0 for c in C])
        m.add_constraints((B * da((aud - share) * cap, J)).sum() >= 0, name="audited")

    # caps
    for i, cp in enumerate(o.get("member_caps", [])):
        ks = [k for k in range(nk) if F[k]["member"] == cp["country"]]
        if ks and xmask[:, ks, :].any():
            m.add_constraints(X.sel(k=ks).sum() <= cp["usd_m"], name=f"member_cap{i}")
    for i, cp in enumerate(o.get("host_caps", [])):
        js = [j for j in range(nj) if C[j]["host"] == cp["country"] and has[j]]
        if js:
            m.add_constraints((B.sel(j=js) * da(capex[js], pd.Index(js, name="j"))).sum()
                              <= cp["usd_m"], name=f"host_cap{i}")

    # feed_balance: groups of processing candidates by (material, feed hosts).
    groups = {}
    for j, c in enumerate(C):
        if not mining[j] and has[j]:
            groups.setdefault((mat[j], tuple(sorted(set(c["feed_hosts"])))), []).append(j)
    gkeys = sorted(groups)
    hosts = sorted({h for _, hs in gkeys for h in hs})
    G, H = pd.RangeIndex(len(gkeys), name="g"), pd.Index(hosts, name="h")
    supply = {}  # material → expression over (s, y) of Σ_g P
    if gkeys:
        P = m.add_variables(lower=0, coords=[S, G, Y], name="P")
        gh = np.array([[h in hs for h in hosts] for _, hs in gkeys])
        Z = m.add_variables(lower=0, coords=[S, G, H, Y], name="z",
                            mask=da(gh, G, H).broadcast_like(xr.DataArray(np.zeros((ns, len(gkeys), len(hosts), ny)), coords=[S, G, H, Y])))
        for g, key in enumerate(gkeys):
            m.add_constraints(P.sel(g=g) - running(groups[key]) <= 0, name=f"proc_cap{g}")
        m.add_constraints(P - Z.sum("h") <= 0, name="fed")
        avail = np.zeros((ns, len(hosts), nm))
        for s, f in enumerate(fs):
            for fd in f["feed"]:
                if fd["country"] in hosts:
                    mi = mats.index(fd["material"]) if fd["material"] in mats else 0
                    avail[s, hosts.index(fd["country"]), mi] += fd["t_per_year"]
        for mi in range(nm):
            gm = [g for g, (gmat, _) in enumerate(gkeys) if gmat == mi]
            if gm:
                supply[mi] = P.sel(g=gm).sum("g")
            for hi, h in enumerate(hosts):
                gl = [g for g in gm if h in gkeys[g][1]]
                if not gl:
                    continue
                lhs = Z.sel(g=gl, h=h).sum("g")
                mines = [j for j in range(nj) if mining[j] and has[j] and C[j]["host"] == h and mat[j] == mi]
                if mines:
                    lhs = lhs - running(mines)
                m.add_constraints(lhs <= da(avail[:, hi, mi], S), name=f"pool_{h}_{mi}")

    # shortfall: short + d ≥ base; Σ_k d ≤ U.
    base = np.array([f["shortfall_t"] for f in fs], dtype=float).reshape(ns, nm, ny, nmem)
    pos = base > 0
    BASE = da(base, S, M, Y, Q)
    D = m.add_variables(lower=0, upper=BASE, name="d", mask=da(pos, S, M, Y, Q))
    SH = m.add_variables(lower=0, coords=[S, M, Y, Q], name="short", mask=da(pos, S, M, Y, Q))
    m.add_constraints(SH + D >= BASE, name="loss", mask=da(pos, S, M, Y, Q))
    for mi in range(nm):
        lhs = D.sel(m=mi).sum("q")
        if mi in supply:
            lhs = lhs - supply[mi]
        m.add_constraints(lhs <= 0, name=f"deliver{mi}", mask=da(pos[:, mi].any(axis=2), S, Y))

    # home_offtake
    if nmem >= 2:
        for h in range(nmem):
            ks = [k for k in range(nk) if F[k]["home_offtake_required"] and F[k]["member"] == mem[h]]
            if not ks or not xmask[:, ks, :].any():
                continue
            others = [q for q in range(nmem) if q != h]
            for mi in range(nm):
                procs = [j for j in range(nj) if mat[j] == mi and not mining[j] and has[j]]
                if not procs:
                    fixed = None
                else:
                    hc = run[procs] / capex[procs][:, None, None]
                    fixed = ((X.sel(j=procs, k=ks) * da(hc, pd.Index(procs, name="j"), Y0, Y)).sum(["j", "k", "y0"])
                             - running(procs))
                lhs = D.sel(m=mi, q=others).sum("q")
                if fixed is not None:
                    lhs = lhs + fixed
                m.add_constraints(lhs <= 0, name=f"home{h}_{mi}",
                                  mask=da(pos[:, mi][:, :, others].any(axis=2), S, Y))

    # cost_terms
    life = o["asset_life_years"]
    crfs = np.array([[crf(F[k]["instruments"][i].get("cost_of_capital") if i < nins[k] and
                          F[k]["instruments"][i].get("cost_of_capital") is not None
                          else F[k]["cost_of_capital"], life) for i in range(ni)] for k in range(nk)])
    opex = np.array([(c.get("opex_usd_per_t") or 0.0) * c["capacity_t"] / 1e6 for c in C])
    cost = (W * da(crfs, K, I)).sum() + (B * da(opex, J)).sum()

    # risk_terms
    inv_y = 1.0 / ny
    prob = np.array([f["probability"] for f in fs])
    scope = o["scope"]
    in_scope = np.array([scope == "Bloc" or mats[mi] == scope.get("Material") for mi in range(nm)], dtype=float)
    if o["risk"] == "ExpectedShortfall":
        risk = (SH * da(inv_y * prob[:, None] * in_scope[None, :], S, M)).sum()
    else:
        alpha = o["risk"]["CVaR"]["alpha"]
        eta = m.add_variables(name="eta")
        U = m.add_variables(lower=0, coords=[S], name="u")
        L = (SH * da(inv_y * in_scope, M)).sum(["m", "y", "q"])
        m.add_constraints(U + eta - L >= 0, name="cvar")
        risk = eta + (U * da(prob / (1.0 - alpha), S)).sum()

    # objective
    obj = o["objective"]
    tie = (SH * da(TIE_BREAK * prob * inv_y, S)).sum()
    if "MinCostPlusRisk" in obj:
        m.add_objective(cost + obj["MinCostPlusRisk"]["weight"] * risk + tie)
    else:
        m.add_constraints(risk <= obj["MinCostSubjectToRisk"]["target"], name="risk_target")
        m.add_objective(cost + tie)
    return m


def run_rust(a, path):
    exe = os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "examples", "dump_problem")
    cmd = [exe, str(a.n), str(a.s), str(a.y), str(a.seed), path, "--reps", str(a.rust_reps)]
    if a.rust_solve:
        cmd += ["--solve", "--solver", a.rust_solver, "--gap", str(a.gap)]
    if a.cvar is not None:
        cmd += ["--cvar", str(a.cvar)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return dict(line.split(None, 1) for line in out.splitlines())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("s", type=int)
    ap.add_argument("y", type=int)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--reps", type=int, default=3, help="linopy builds (median)")
    ap.add_argument("--rust-reps", type=int, default=5)
    ap.add_argument("--rust-solve", action="store_true", help="also solve in Rust")
    ap.add_argument("--rust-solver", default="microlp", choices=["microlp", "highs"],
                    help="the Rust solver (highs: build dump_problem with --features highs)")
    ap.add_argument("--gap", type=float, default=0.0, help="relative MIP gap, both sides")
    ap.add_argument("--no-solve", action="store_true", help="skip the HiGHS solve")
    ap.add_argument("--cvar", type=float, default=None, help="CVaR at ALPHA instead of ES")
    ap.add_argument("--json", default=None, help="problem path (default /tmp/plan-N-S-Y.json)")
    a = ap.parse_args()
    path = a.json or f"/tmp/plan-{a.n}-{a.s}-{a.y}.json"
    rust = run_rust(a, path)
    with open(path) as fh:
        p = json.load(fh)
    times = []
    for _ in range(max(a.reps, 1)):
        t = time.perf_counter()
        model = build(p)
        times.append(time.perf_counter() - t)
    tb = statistics.median(times)
    rb = float(rust["rust_build_s"])
    print(f"instance        {a.n} candidates x {a.s} futures x {a.y} years, seed {a.seed}"
          + (f", CVaR {a.cvar}" if a.cvar is not None else ", ES"))
    print(f"size            rust vars {rust['vars']} rows {rust['rows']} nnz {rust['nonzeros']}; "
          f"linopy vars {model.variables.nvars} rows {model.constraints.ncons} "
          f"nnz {model.matrices.A.nnz}")  # counted after the timed builds
    print(f"build (median)  rust {rb:.6f} s   linopy {tb:.6f} s   ratio linopy/rust {tb / rb:.1f}x")
    if not a.no_solve:
        t = time.perf_counter()
        status, cond = model.solve(solver_name="highs", io_api="direct", output_flag=False,
                                   mip_rel_gap=a.gap)
        ts = time.perf_counter() - t
        obj = model.objective.value
        print(f"linopy total    {tb + ts:.3f} s (build {tb:.3f} + highs {ts:.3f}), {status}/{cond}")
        print(f"objective       highs {obj:.12e}")
        if "rust_objective" in rust:
            ro = float(rust["rust_objective"])
            rel = abs(obj - ro) / max(abs(ro), 1e-12)
            print(f"objective       {rust.get('rust_solver', 'microlp')} {ro:.12e} (rust solve {float(rust['rust_solve_s']):.3f} s, "
                  f"total {rb + float(rust['rust_solve_s']):.3f} s)")
            tol = max(1e-6, a.gap)
            print(f"agreement       rel diff {rel:.2e} -> {'OK' if rel <= tol else 'MISMATCH'} (tolerance {tol:g})")
            if rel > tol:
                sys.exit(1)


if __name__ == "__main__":
    main()
