#!/bin/bash
# mera's encoder rows beside PyTorch from Python (scripts/pytorch_reference_bench.py), ROUNDS times, on the same
# machine, one after the other. Usage: scripts/compare-pytorch.sh [ROUNDS] (default 2). Needs a Python with torch,
# numpy and safetensors: PYTHON=/path/to/python (default /tmp/pyt/bin/python; see docs/performance.md).
# Set PAUSE_PID to a process to stop (SIGSTOP) while measuring and resume afterwards, e.g. a background grid.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-2}"
python="${PYTHON:-/tmp/pyt/bin/python}"
models_dir="${MERA_MODELS_DIR:-$HOME/.cache/mera/models}"
if [ -n "${PAUSE_PID:-}" ]; then
  kill -STOP "$PAUSE_PID"
  trap 'kill -CONT "$PAUSE_PID"' EXIT
fi
for round in $(seq "$rounds"); do
  echo "=== round $round: mera $(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg)"
  ./mera bench --no-doc --sizes 2048 --no-merge --model-runs 3 2>&1 | grep -E "32x128|matmul"
  for m in minilm bert-base-uncased; do
    for attention in eager sdpa; do
      echo "=== round $round: PyTorch $m $attention $(date -u +%H:%M:%S)"
      OMP_NUM_THREADS=2 "$python" scripts/pytorch_reference_bench.py "$models_dir/$m" --threads 2 --attention "$attention" | tail -3
    done
  done
done
