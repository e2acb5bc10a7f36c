#!/usr/bin/env python3
"""Generate golden GeoPolRisk reference values from the real geopolrisk-py 2.0.1 package.

Run with the venv that has the package installed:

    /work/venv/bin/python bench/geopolrisk/generate_golden.py

Writes <repo>/tests/golden/geopolrisk_py_2.0.1.csv (repo = two levels above this file),
and can be run from any directory. The package creates ~/Documents/geopolrisk/{logs,output,
databases} at import time and gprs_calc writes results.xlsx / Datarecords.db there; we point
HOME at a throw-away temp dir before importing so nothing lands in the user's home or the repo.

Method (see FORMULA.md): for every (material, importer, year) we call the package's own
building blocks exactly as its batch driver `gprs_calc` chains them:
    data = utils.mapped_baci()                          (once)
    Numerator, TotalTrade, Price = core.importrisk(material_ref, year, importer, data)
    ProdQty_i, hhi = core.HHI(material_ref, year, member_i)  for each member of the importer
    Score, CF, WTA = core.GeoPolRisk(Numerator, TotalTrade, Price, sum(ProdQty_i), hhi)
and afterwards run `main.gprs_calc` itself once over the successful grid and assert it
returns identical Score/CF/HHI/ImportRisk/Price (so the golden file == package output).
"""
import csv
import itertools
import math
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
OUT = REPO / "tests" / "golden" / "geopolrisk_py_2.0.1.csv"

# Isolate the package's side effects (directories, log file, results.xlsx, Datarecords.db).
TMP_HOME = tempfile.mkdtemp(prefix="gpr_home_")
os.environ["HOME"] = TMP_HOME
os.chdir(TMP_HOME)
warnings.filterwarnings("ignore")

from importlib.metadata import version  # noqa: E402

assert version("geopolrisk-py") == "2.0.1", version("geopolrisk-py")

from geopolrisk.assessment import core, main, utils  # noqa: E402
from geopolrisk.assessment.database import databases  # noqa: E402

# WMD sheet name (our material_wmd key)  ->  package "Reference ID" (the API's raw-material name)
MATERIALS = [
    ("Nickel", "Nickel"),
    ("Cobalt", "Cobalt"),
    ("Lithium (Li2O)", "Lithium"),
    ("Graphite", "Graphite"),
    ("Manganese", "Manganese"),
    ("Rare Earths (REO)", "Rare earth"),
    ("Copper", "Copper"),
    ("Zinc", "Zinc"),
    ("Tungsten (W)", "Tungsten"),
    ("Molybdenum", "Molybdenum"),
    # extras: exercise other code paths (kg unit conversion, 3 HS codes, Processing stage)
    ("Aluminium", "Aluminium"),
    ("Bauxite", "Bauxite"),
    ("Chromium (Cr2O3)", "Chromite"),
    ("Tin", "Tin"),
    ("Vanadium (V)", "Vanadium"),
    ("Platinum", "Platinum"),  # WMD unit kg -> ProdQty / 1000
    ("Gallium", "Gallium"),  # expected to fail: HS code "Not Available" in the package map
]

# importer label -> package country name (Country_ISO table) or region key ("EU")
IMPORTERS = [
    ("USA", "USA"),
    ("JPN", "Japan"),
    ("IND", "India"),
    ("AUS", "Australia"),
    ("DEU", "Germany"),
    ("KOR", "Rep. of Korea"),
    ("CHN", "China"),
    ("FRA", "France"),
    ("GBR", "United Kingdom"),
    ("CAN", "Canada"),
    ("BRA", "Brazil"),
    ("IDN", "Indonesia"),
    ("ZAF", "South Africa"),
    ("S19", "Other Asia, nes"),  # Taiwan (BACI 490 / WMD iso3 S19)
    ("EU27", "EU"),  # the package's built-in EU-27 region
]

YEARS = [2018, 2019, 2020, 2021, 2022, 2023, 2024]

COLUMNS = [
    "material_wmd", "importer_iso3", "year", "hhi", "import_risk", "score",
    "material_ref", "importer_name", "importer_code", "hs_codes",
    "numerator", "total_trade", "prod_qty", "denominator", "price", "cf",
]


def f(x):
    """Full-precision float text (repr), 'nan' for NaN."""
    x = float(x)
    return "nan" if math.isnan(x) else repr(x)


def same(a, b):
    a, b = float(a), float(b)
    return (math.isnan(a) and math.isnan(b)) or a == b


def main_():
    data = utils.mapped_baci()
    hs_map = utils.Mapping()
    rows, skipped, ok_cases = [], [], []
    for (wmd, ref), (iso, name), year in itertools.product(MATERIALS, IMPORTERS, YEARS):
        try:
            members = databases.regionslist[utils.cvtcountry(name, type="Name")]
            num, tot, price = core.importrisk(ref, year, name, data)
            prods = []
            for m in members:
                pq, hhi = core.HHI(ref, int(year), utils.cvtcountry(m, type="Name"))
                prods.append(pq)
            prod = sum(prods)
            score, cf, wta = core.GeoPolRisk(num, tot, price, prod, hhi)
        except Exception as e:  # the package raises on unsupported materials etc.
            skipped.append((wmd, iso, year, f"{type(e).__name__}: {e}"))
            continue
        code = "EU27" if name == "EU" else str(int(utils.cvtcountry(name, type="ISO")))
        rows.append({
            "material_wmd": wmd, "importer_iso3": iso, "year": year,
            "hhi": f(hhi), "import_risk": f(wta), "score": f(score),
            "material_ref": ref, "importer_name": name, "importer_code": code,
            "hs_codes": ";".join(str(c) for c in sorted(hs_map.get(ref, []))),
            "numerator": f(num), "total_trade": f(tot), "prod_qty": f(prod),
            "denominator": f(tot + prod), "price": f(price), "cf": f(cf),
        })
        ok_cases.append((ref, name, year))

    # Cross-check against the package's own batch driver on the successful grid.
    ok_refs = sorted({r for r, _, _ in ok_cases})
    res = main.gprs_calc(YEARS, [n for _, n in IMPORTERS], ok_refs)
    idx = {(r["Raw Material"], r["Country [Economic Entity]"], int(r["Year"])): r
           for _, r in res.iterrows()}
    checked = 0
    for row in rows:
        key = (row["material_ref"], row["importer_name"], int(row["year"]))
        r = idx.get(key)
        if r is None:
            continue
        for ours, theirs in [("score", "GeoPolRisk Score"), ("hhi", "HHI"),
                             ("import_risk", "Import Risk"), ("price", "Price"),
                             ("cf", "GeoPolRisk Characterization Factor [eq. Kg-Cu/Kg]")]:
            assert same(row[ours], r[theirs]), (key, ours, row[ours], r[theirs])
        checked += 1
    print(f"gprs_calc cross-check: {checked}/{len(rows)} rows identical", file=sys.stderr)

    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUT}", file=sys.stderr)
    for s in sorted(set((a, b) for a, _, _, b in skipped)):
        n = sum(1 for a, _, _, b in skipped if (a, b) == s)
        print(f"skipped {n} cases: material={s[0]} error={s[1]}", file=sys.stderr)


if __name__ == "__main__":
    try:
        main_()
    finally:
        os.chdir("/")
        shutil.rmtree(TMP_HOME, ignore_errors=True)
