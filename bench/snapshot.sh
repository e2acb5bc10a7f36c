#!/usr/bin/env bash
# Writes every shipped output of a `quadrant` binary into one folder, so that two builds can
# be compared byte for byte (`diff -r`): the brief in every format and year, every shipped
# scenario simulated in every format with its weekly series, Monte Carlo on 1 and 2 threads,
# chokepoints of every material, back-tests (with and without the fit), GeoPolRisk, sources.
#
#   bash bench/snapshot.sh BIN OUT_DIR
#   diff -r /tmp/before /tmp/after && echo byte-identical
set -euo pipefail
export RUST_BACKTRACE=0
bin="$1"
out="$2"
rm -rf "$out"
mkdir -p "$out"
q() { "$bin" "$@"; }

for f in table json csv md html; do
  q brief --format "$f" >"$out/brief.$f"
  case "$f" in table | json | csv) q brief --all-years --format "$f" >"$out/brief-all-years.$f" ;; esac
  q brief --bloc MSP --adversary RUS --year 2022 --format "$f" >"$out/brief-msp-2022.$f"
done

for sc in $(cd "$(dirname "$0")/../data/scenarios" && ls *.toml backtest/*.toml | sed 's/\.toml$//'); do
  name="${sc//\//_}"
  for f in table json csv html; do
    q simulate "$sc" --format "$f" >"$out/sim-$name.$f"
  done
  q simulate "$sc" --format parquet -o "$out/sim-$name.parquet"
  q simulate "$sc" --series "$out/sim-$name.series.csv" >/dev/null
done

for f in table json csv; do
  q montecarlo montecarlo-quad --runs 300 --seed 7 --threads 2 --format "$f" >"$out/mc.$f"
done
q montecarlo montecarlo-quad --runs 300 --seed 7 --threads 1 --format json >"$out/mc-1thread.json"
q montecarlo montecarlo-quad --runs 300 --seed 7 --format parquet -o "$out/mc.parquet"

for m in $(q data check >/dev/null && cut -d, -f1 "$(dirname "$0")/../data/world/materials.csv" | tail -n +2); do
  q chokepoints --material "$m" --format json >"$out/choke-$m.json" 2>"$out/choke-$m.err" || echo "exit $?" >>"$out/choke-$m.err"
done
q chokepoints --material cobalt >"$out/choke-cobalt.table"

for f in table json csv; do
  q backtest --format "$f" >"$out/backtest.$f"
done
q backtest --fit >"$out/backtest-fit.table"

for m in cobalt lithium nickel; do
  for f in table json csv; do
    q risk geopolrisk --importer USA --year 2022 --material "$m" --format "$f" >"$out/gpr-$m.$f"
  done
done
q source >"$out/sources.txt"
q data check >"$out/check.txt"
echo "wrote $(ls "$out" | wc -l) files to $out"
