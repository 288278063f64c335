#!/usr/bin/env bash
# Wall time of one small grid (minilm; target: the core's trec6 test task, k=4, seed 13; two source tasks made from its
# similarity task; full, adapter, single x2, mera-average, mera-ot, fusion = 7 cells after 2 source adapters) on the
# local engine and on Spark local[2], each from an empty output folder and cache, RUNS times each, alternating.
# Usage: spark/scripts/measure-overhead.sh [RUNS] (default 3). Prints one line per run and the medians.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(cd "$here/.." && pwd)"
runs="${1:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for s in sim-a sim-b; do
  cp -r "$root/src/test/resources/tasks/similarity" "$work/$s"
  sed -i "s/^name: similarity/name: $s/" "$work/$s/task.yaml"
done
grid=(--model minilm --target "$root/src/test/resources/tasks/trec6" --source "$work/sim-a" --source "$work/sim-b"
      --methods full,adapter,single,mera-average,mera-ot,fusion --hp steps=3 --hp batchSize=4 --hp sourceSteps=4
      --hp sourceBatchSize=4 --hp sourceEvalEvery=2 --no-report)
"$here/mera-spark" --version >/dev/null # build first, outside the timings
declare -a local_s spark_s
for i in $(seq 1 "$runs"); do
  for engine in local spark; do
    out="$work/$engine-$i"
    extra=()
    [ "$engine" = spark ] && extra=(--engine spark --master "local[2]")
    start=$(date +%s.%N)
    "$here/mera-spark" experiment "${grid[@]}" "${extra[@]}" --out "$out" >"$work/$engine-$i.log" 2>&1 \
      || { cat "$work/$engine-$i.log" >&2; exit 1; }
    t=$(echo "$(date +%s.%N) - $start" | bc)
    echo "run $i $engine: ${t}s"
    if [ "$engine" = local ]; then local_s+=("$t"); else spark_s+=("$t"); fi
  done
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
echo "median local: $(median "${local_s[@]}")s; median spark local[2]: $(median "${spark_s[@]}")s ($runs runs each)"
