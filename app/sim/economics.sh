#!/usr/bin/env bash
# Regenerates docs/economics.md and the charts in docs/economics/ from the shared price history.
# Usage: app/sim/economics.sh [path/to/shared/data]   (default: ../shared/data beside the repo)
set -euo pipefail
# One target dir outside the clone, shared with scripts/test.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/turbo-target}"
cd "$(dirname "$0")/../.."
data="${1:-../shared/data}"
out=docs/economics
sim="cargo run --quiet --locked --profile bench -p turbo-sim --"
budget=15000   # the volatility budget of the "on" runs: 150%/yr
mkdir -p "$out"
run() { # name csv [flags...]
  local name=$1 csv=$2; shift 2
  $sim run "$data/$csv" --name "$name" --out "$out" --vol-budget-bps $budget "$@" > /dev/null
}
run btc-2020-03-12-crash btc_usd_1h_2020_2023.csv --from 2020-03-12 --to 2020-03-12
run btc-2020-03-covid    btc_usd_1h_2020_2023.csv --from 2020-03-01 --to 2020-03-31
run btc-1h-2020-2023     btc_usd_1h_2020_2023.csv
run sol-2022             sol_usd_1d_2021_2024.csv --from 2022-01-01 --to 2022-12-31
run sol-1d-2021-2024     sol_usd_1d_2021_2024.csv
run fet-2023             fet_usd_1d_2021_2024.csv --from 2023-01-01 --to 2023-12-31
run fet-1d-2021-2024     fet_usd_1d_2021_2024.csv
run btc-3m-2024q4        btc_usdt_3m_2024q4.csv
run sol-3m-2024q4        sol_usdt_3m_2024q4.csv
run fet-3m-2024q4        fet_usdt_3m_2024q4.csv
$sim survival "$data/btc_usd_1h_2020_2023.csv" --name btc-1h --out "$out" --vol-budget-bps $budget > /dev/null
$sim survival "$data/sol_usd_1d_2021_2024.csv" --name sol-1d --out "$out" --vol-budget-bps $budget > /dev/null
$sim survival "$data/fet_usd_1d_2021_2024.csv" --name fet-1d --out "$out" --vol-budget-bps $budget > /dev/null
$sim survival "$data/sol_usdt_3m_2024q4.csv" --name sol-3m --out "$out" --windows 30 --vol-budget-bps $budget > /dev/null
$sim lp-study "$data" --out "$out" > /dev/null
$sim hedge-study "$data" --out "$out" > /dev/null
{
  cat app/sim/economics-intro.md
  for n in btc-2020-03-12-crash btc-2020-03-covid btc-1h-2020-2023 sol-2022 sol-1d-2021-2024 fet-2023 fet-1d-2021-2024 btc-3m-2024q4 sol-3m-2024q4 fet-3m-2024q4; do
    echo; cat "$out/$n.md"; echo; echo "![$n](economics/$n.svg)"
  done
  echo; echo "### Survival"; echo
  echo "From every start day in a file, every window of 30, 90 and 365 days that fits, in which the"
  echo "strategy ends at zero, is liquidated (or wiped out with bad debt), or ends more than 90% down."
  for n in btc-1h sol-1d fet-1d sol-3m; do echo; cat "$out/$n-survival.md"; done
  echo; cat app/sim/economics-lp.md
  for n in btc-1h-2020-2023 sol-1d-2021-2024 fet-1d-2021-2024 btc-3m-2024q4 sol-3m-2024q4 fet-3m-2024q4 all-3m-2024q4; do
    echo; cat "$out/lp-$n.md"; echo; echo "![LP value, $n](economics/lp-$n.svg)"
  done
  echo; echo "### The sweep: loss budget × funding, over every file"; echo
  cat "$out/lp-sweep.md"
  echo; echo "### Worst case"; echo
  cat "$out/lp-worst.md"
  echo; cat app/sim/economics-hedge.md
  cat "$out/hedge-goals.md"
  echo; echo "### The sweep: utilization cap × fee slope × gap budget, at 1x demand"; echo
  cat "$out/hedge-sweep.md"
  for n in btc-1h-2020-2023 sol-1d-2021-2024 fet-1d-2021-2024 btc-3m-2024q4 sol-3m-2024q4 fet-3m-2024q4 all-3m-2024q4; do
    echo; cat "$out/hedge-$n.md"; echo; echo "![LP value, hedged, $n](economics/hedge-$n.svg)"
  done
} > docs/economics.md
rm -f "$out"/*.md
echo "docs/economics.md regenerated"
