#!/usr/bin/env python3
"""Peer comparison: the HHI / net-import-reliance table of `crates/metrics/src/table.rs`,
recomputed from the RAW files (World Mining Data + BACI, as kept under data/raw/wmd_baci)
once with pandas and once with polars, timed, and checked against the Rust example
`crates/metrics/examples/peer_table.rs` run in the same invocation.

    /work/peervenv/bin/python bench/peer_table.py [--raw DIR] [--runs N] [--no-build] [--out DIR]

Timing: wall time of (read raw files + compute the table), median over --runs, measured
in-process with time.perf_counter (imports and interpreter start-up excluded). The Rust figure is
the example's own in-process median of (load the whole embedded dataset + compute). See
bench/README.md for what that does and does not compare.

Exit status: 0 if all three tables agree (same keys; values within 1e-9 relative or 1e-12
absolute), 1 if they disagree, 2 on a setup error.
"""
import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import polars as pl

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SOURCE_MAP = REPO / "data" / "world" / "import" / "source_map.csv"

WMD_FILE = "wmd_baci/wmd_production_2018_2024_long.csv"
HSMAP_FILE = "wmd_baci/wmd_hs_code_map.csv"
BACI_FILE = "wmd_baci/baci_hs92_v202401b_minerals_1995_2024.csv.gz"
BACI_CODES = "wmd_baci/baci_country_codes_V202401b.csv"

YEARS = (2018, 2024)  # inclusive, as table.rs
# WMD's iso3 column → Quadrant ids (data/world/import/country_aliases.csv, dataset WMD).
WMD_ISO = {"S19": "TWN", "R20": "XKX"}
# BACI's iso3 → Quadrant ids (crates/data/src/import.rs, fn trade).
BACI_ISO = {"S19": "TWN", "ZA1": "ZAF", "R20": "XEF"}
UNITS = {"metr. t": 1.0, "kg": 1000.0}  # divisor to tonnes; other units are dropped

REL_TOL, ABS_TOL = 1e-9, 1e-12


def hs_codes(*parts):
    """`HS Code` + `HS Code - Complementary`, split on ';', 6-digit numeric codes only."""
    out = []
    for part in parts:
        for h in (part or "").split(";"):
            h = h.strip()
            if len(h) == 6 and h.isascii() and h.isdigit():
                out.append(int(h))
    return out


# --------------------------------------------------------------------------------------------
# pandas
# --------------------------------------------------------------------------------------------
def table_pandas(raw: Path):
    sm = pd.read_csv(SOURCE_MAP, dtype=str, keep_default_na=False)
    wmd_sm = sm[sm["dataset"] == "WMD"]
    commodities = set(wmd_sm["key"])  # gpr_map: any WMD series
    prod_commodities = set(wmd_sm.loc[wmd_sm["qualifier"] == "", "key"])  # importer: qualifier ""

    hsmap = pd.read_csv(raw / HSMAP_FILE, dtype=str, keep_default_na=False,
                        usecols=["Sheet_name", "HS Code", "HS Code - Complementary"])
    hsmap = hsmap[hsmap["Sheet_name"].isin(commodities)]
    pairs = [(name, h) for name, a, b in hsmap.itertuples(index=False) for h in hs_codes(a, b)]
    comm_hs = pd.DataFrame(pairs, columns=["commodity", "k"]).drop_duplicates()
    comm_hs["k"] = comm_hs["k"].astype("int64")
    mapped = set(hsmap["Sheet_name"])

    # Production P (tonnes, raw value as printed; no content factor).
    w = pd.read_csv(raw / WMD_FILE, dtype={"commodity": str, "iso3": str, "unit": str,
                                           "is_world_total": str, "year": "int64", "value": "float64"},
                    usecols=["commodity", "iso3", "year", "value", "unit", "is_world_total"],
                    keep_default_na=False)
    w = w[w["commodity"].isin(prod_commodities & mapped) & (w["is_world_total"] != "1")
          & w["unit"].isin(list(UNITS))]
    w = w.assign(country=w["iso3"].str.strip().replace(WMD_ISO),
                 P=w["value"] / w["unit"].map(UNITS))
    # The importer keeps the first row per (material, stage, country, year).
    w = w.drop_duplicates(["commodity", "country", "year"], keep="first")
    w = w[(w["year"] >= YEARS[0]) & (w["year"] <= YEARS[1])]
    prod = w.groupby(["commodity", "year", "country"], as_index=False)["P"].sum()

    # HHI per (commodity, year), only where ΣP > 0.
    tot = prod.groupby(["commodity", "year"])["P"].transform("sum")
    sh = prod.assign(s2=(prod["P"] / tot) ** 2, tot=tot)
    sh = sh[sh["tot"] > 0]
    hhi = sh.groupby(["commodity", "year"], as_index=False)["s2"].sum()
    hhi = pd.DataFrame({"table": "hhi", "commodity": hhi["commodity"], "year": hhi["year"],
                        "country": "world", "value": hhi["s2"]})

    # Trade M (imports, j) and X (exports, i), tonnes.
    codes = pd.read_csv(raw / BACI_CODES, dtype=str, keep_default_na=False,
                        usecols=["country_code", "country_iso3"])
    num2iso = dict(zip(codes["country_code"].astype("int64"), codes["country_iso3"].replace(BACI_ISO)))
    b = pd.read_csv(raw / BACI_FILE, usecols=["t", "i", "j", "k", "q"],
                    dtype={"t": "int64", "i": "int64", "j": "int64", "k": "int64", "q": "float64"})
    b = b[(b["t"] >= YEARS[0]) & (b["t"] <= YEARS[1]) & b["q"].notna()]
    b = b.merge(comm_hs, on="k")
    b = b.rename(columns={"t": "year"})
    b["imp"] = b["j"].map(num2iso)
    b["exp"] = b["i"].map(num2iso)
    m = b.groupby(["commodity", "year", "imp"], as_index=False)["q"].sum()
    m.columns = ["commodity", "year", "country", "M"]
    x = b.groupby(["commodity", "year", "exp"], as_index=False)["q"].sum()
    x.columns = ["commodity", "year", "country", "X"]

    keys = ["commodity", "year", "country"]
    n = prod.merge(m, on=keys, how="outer").merge(x, on=keys, how="outer").fillna(
        {"P": 0.0, "M": 0.0, "X": 0.0})
    den = n["P"] + n["M"] - n["X"]
    n = n[den > 0]
    nir = pd.DataFrame({"table": "nir", "commodity": n["commodity"], "year": n["year"],
                        "country": n["country"], "value": (n["M"] - n["X"]) / den[den > 0]})
    return pd.concat([hhi, nir], ignore_index=True).sort_values(
        ["table", "commodity", "year", "country"], ignore_index=True)


# --------------------------------------------------------------------------------------------
# polars
# --------------------------------------------------------------------------------------------
def table_polars(raw: Path):
    sm = pl.read_csv(SOURCE_MAP, infer_schema=False, empty_string_is_null=False)
    wmd_sm = sm.filter(pl.col("dataset") == "WMD")
    commodities = set(wmd_sm["key"].to_list())
    prod_commodities = set(wmd_sm.filter(pl.col("qualifier") == "")["key"].to_list())

    hsmap = pl.read_csv(raw / HSMAP_FILE, infer_schema=False, empty_string_is_null=False,
                        columns=["Sheet_name", "HS Code", "HS Code - Complementary"])
    hsmap = hsmap.filter(pl.col("Sheet_name").is_in(list(commodities)))
    pairs = [(name, h) for name, a, b in hsmap.iter_rows() for h in hs_codes(a, b)]
    comm_hs = pl.DataFrame(pairs, schema={"commodity": pl.String, "k": pl.Int64}, orient="row").unique()
    mapped = set(hsmap["Sheet_name"].to_list())

    w = pl.read_csv(raw / WMD_FILE, columns=["commodity", "iso3", "year", "value", "unit", "is_world_total"],
                    schema_overrides={"commodity": pl.String, "iso3": pl.String, "unit": pl.String,
                                      "is_world_total": pl.String, "year": pl.Int64, "value": pl.Float64},
                    empty_string_is_null=False)
    prod = (
        w.lazy()
        .filter(pl.col("commodity").is_in(list(prod_commodities & mapped))
                & (pl.col("is_world_total") != "1") & pl.col("unit").is_in(list(UNITS)))
        .with_columns(country=pl.col("iso3").str.strip_chars().replace(WMD_ISO),
                      P=pl.col("value") / pl.col("unit").replace_strict(UNITS, return_dtype=pl.Float64))
        .unique(["commodity", "country", "year"], keep="first", maintain_order=True)
        .filter(pl.col("year").is_between(*YEARS))
        .group_by(["commodity", "year", "country"])
        .agg(pl.col("P").sum())
    ).collect()

    hhi = (
        prod.lazy()
        .with_columns(tot=pl.col("P").sum().over(["commodity", "year"]))
        .filter(pl.col("tot") > 0)
        .group_by(["commodity", "year"])
        .agg(value=((pl.col("P") / pl.col("tot")) ** 2).sum())
        .select(pl.lit("hhi").alias("table"), "commodity", "year", pl.lit("world").alias("country"), "value")
    )

    codes = pl.read_csv(raw / BACI_CODES, columns=["country_code", "country_iso3"],
                        schema_overrides={"country_code": pl.Int64, "country_iso3": pl.String})
    codes = codes.with_columns(pl.col("country_iso3").replace(BACI_ISO))
    num2iso = dict(zip(codes["country_code"].to_list(), codes["country_iso3"].to_list()))
    b = pl.read_csv(raw / BACI_FILE, columns=["t", "i", "j", "k", "q"],
                    schema_overrides={"t": pl.Int64, "i": pl.Int64, "j": pl.Int64, "k": pl.Int64, "q": pl.Float64})
    trade = (
        b.lazy()
        .filter(pl.col("t").is_between(*YEARS) & pl.col("q").is_not_null() & pl.col("q").is_not_nan())
        .join(comm_hs.lazy(), on="k")
        .select(pl.col("commodity"), pl.col("t").alias("year"), "q",
                pl.col("j").replace_strict(num2iso, return_dtype=pl.String).alias("imp"),
                pl.col("i").replace_strict(num2iso, return_dtype=pl.String).alias("exp"))
    ).collect()
    keys = ["commodity", "year", "country"]
    m = trade.lazy().group_by(["commodity", "year", "imp"]).agg(M=pl.col("q").sum()).rename({"imp": "country"})
    x = trade.lazy().group_by(["commodity", "year", "exp"]).agg(X=pl.col("q").sum()).rename({"exp": "country"})
    nir = (
        prod.lazy()
        .join(m, on=keys, how="full", coalesce=True)
        .join(x, on=keys, how="full", coalesce=True)
        .with_columns(pl.col("P", "M", "X").fill_null(0.0))
        .with_columns(den=pl.col("P") + pl.col("M") - pl.col("X"))
        .filter(pl.col("den") > 0)
        .select(pl.lit("nir").alias("table"), "commodity", "year", "country",
                value=(pl.col("M") - pl.col("X")) / pl.col("den"))
    )
    return pl.concat([hhi, nir]).sort(["table", "commodity", "year", "country"]).collect()


# --------------------------------------------------------------------------------------------
# harness
# --------------------------------------------------------------------------------------------
def timed(fn, raw, runs):
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn(raw)
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2], out  # same median convention as peer_table.rs


def rows_of(records):
    """[(table, commodity, year, country, value)] → {(table, commodity, year, country): value}."""
    d = {}
    for t, c, y, co, v in records:
        k = (t, c, int(y), co)
        if k in d:
            raise SystemExit(f"duplicate key {k}")
        d[k] = float(v)
    return d


def compare(name, got, ref):
    """Returns a list of problem lines (empty if the tables agree)."""
    probs = []
    missing, extra = ref.keys() - got.keys(), got.keys() - ref.keys()
    for k in sorted(missing)[:10]:
        probs.append(f"{name}: missing {k} (rust {ref[k]!r})")
    for k in sorted(extra)[:10]:
        probs.append(f"{name}: extra {k} = {got[k]!r}")
    if missing or extra:
        probs.append(f"{name}: {len(missing)} keys missing, {len(extra)} extra vs rust")
    bad = 0
    worst = (0.0, None)
    for k in ref.keys() & got.keys():
        a, b = got[k], ref[k]
        diff = abs(a - b)
        if diff > ABS_TOL and diff > REL_TOL * max(abs(a), abs(b)):
            bad += 1
            if bad <= 10:
                probs.append(f"{name}: {k} {a!r} vs rust {b!r}")
        rel = diff / max(abs(a), abs(b)) if diff else 0.0
        if rel > worst[0]:
            worst = (rel, k)
    if bad:
        probs.append(f"{name}: {bad} values out of tolerance")
    return probs, worst


def rust_binary():
    target = Path(os.environ.get("CARGO_TARGET_DIR") or (REPO / "target"))
    if not target.is_absolute():
        target = REPO / target
    return target / "release" / "examples" / "peer_table"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--raw", type=Path, default=REPO / "data" / "raw",
                    help="raw data folder holding wmd_baci/ (default: data/raw in the repository)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per implementation (default 5)")
    ap.add_argument("--no-build", action="store_true", help="do not run cargo build first")
    ap.add_argument("--out", type=Path, help="keep the three CSVs (rust/pandas/polars) in this folder")
    a = ap.parse_args()
    if a.runs < 1:
        ap.error("--runs must be ≥ 1")
    raw = a.raw.resolve()
    for f in (WMD_FILE, HSMAP_FILE, BACI_FILE, BACI_CODES):
        if not (raw / f).is_file():
            print(f"missing raw file {raw / f}", file=sys.stderr)
            return 2

    if not a.no_build:
        r = subprocess.run(["cargo", "build", "--release", "-q", "-p", "quadrant-metrics", "--example", "peer_table"],
                           cwd=REPO)
        if r.returncode:
            return 2
    exe = rust_binary()
    if not exe.is_file():
        print(f"no Rust binary at {exe}; build it with cargo build --release -p quadrant-metrics --example peer_table",
              file=sys.stderr)
        return 2

    if a.out:
        a.out.mkdir(parents=True, exist_ok=True)
        return run(a, raw, exe, a.out)
    with tempfile.TemporaryDirectory(prefix="peer_table_") as tmp:
        return run(a, raw, exe, Path(tmp))


def run(a, raw, exe, outdir):
    pd_s, pd_df = timed(table_pandas, raw, a.runs)
    pl_s, pl_df = timed(table_polars, raw, a.runs)
    rust_csv = outdir / "rust.csv"
    r = subprocess.run([str(exe), str(rust_csv), str(a.runs)], capture_output=True, text=True)
    if r.returncode:
        print(r.stdout, r.stderr, file=sys.stderr)
        return 2
    rj = json.loads(r.stdout.strip().splitlines()[-1])

    with open(rust_csv, newline="") as fh:
        rd = csv.reader(fh)
        next(rd)
        ref = rows_of(rd)
    got_pd = rows_of(pd_df.itertuples(index=False, name=None))
    got_pl = rows_of(pl_df.iter_rows())
    for name, got in (("pandas", got_pd), ("polars", got_pl)):
        with open(outdir / f"{name}.csv", "w", newline="") as fh:
            wr = csv.writer(fh, lineterminator="\n")
            wr.writerow(["table", "commodity", "year", "country", "value"])
            wr.writerows([*k, repr(v)] for k, v in got.items())  # shortest round-trip floats

    probs, worst = [], {}
    for name, got in (("pandas", got_pd), ("polars", got_pl)):
        p, worst[name] = compare(name, got, ref)
        probs += p

    rt = rj["median_s"]
    print(f"peer_table: {a.runs} runs each, median wall seconds; raw={raw}")
    print(f"python {platform.python_version()}, pandas {pd.__version__}, polars {pl.__version__}, "
          f"{os.cpu_count()} CPUs, {platform.machine()}")
    print(f"{'implementation':<15}{'median_s':>10}{'vs_rust':>9}{'rows':>8}")
    for name, s, n in (("rust", rt, rj["rows"]), ("pandas", pd_s, len(got_pd)), ("polars", pl_s, len(got_pl))):
        print(f"{name:<15}{s:>10.3f}{s / rt:>8.2f}x{n:>8}")
    if a.out:
        print(f"tables written to {outdir}")
    if probs:
        print("TABLES DISAGREE:")
        for p in probs:
            print("  " + p)
        return 1
    w = ", ".join(f"{k} {v[0]:.1e}" for k, v in worst.items())
    print(f"tables agree: {len(ref)} rows, identical keys; max relative difference vs rust: {w}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
