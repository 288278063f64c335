#!/usr/bin/env bash
# Measures the matmul peak with and without the launcher's fast path, interleaving the configurations round by
# round so that load from other processes on a shared machine spreads over all of them, and prints a markdown
# table of per-configuration medians over the rounds. Usage (from the repository root, after `mvn compile`):
#
#   scripts/compare-fastpath.sh [ROUNDS] [-- extra bench options, e.g. --sizes 1024,2048 --runs 7]
#
# Each configuration starts the JVM exactly as ./mera does (same java options; fastpath.sh sourced or not).
# "forced-slow-dispatch" preloads a shim that answers "not Intel" to MKL: on an Intel host it reproduces the
# generic code path an AMD host gets without the fast path. It is a measurement device, never used by ./mera.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds="${1:-3}"
shift || true
[ "${1:-}" = "--" ] && shift
bench_args=("$@")
[ "${#bench_args[@]}" -gt 0 ] || bench_args=(--sizes 1024,2048 --warmup 2 --runs 7)

mvn -q -B -o compile
mvn -q -B -o dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >/dev/null
classpath="target/classes:$(cat target/classpath.txt)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
gcc -O2 -shared -fPIC -Wall -Werror -DMERA_SHIM_ANSWER=0 -o "$work/libmkl_answer_not_intel.so" scripts/mkl_intel_cpu_shim.c

# $1: configuration name. Prints the bench table on stdout.
run_config() {
    (
        unset OMP_NUM_THREADS MKL_NUM_THREADS LD_PRELOAD MERA_FAST_PATH MERA_MKL_SHIM
        java_opts=(-Dai.djl.offline=true -XX:+UseParallelGC)
        case "$1" in
            plain) ;;
            fast-path) source scripts/fastpath.sh ;;
            fast-path-shim-forced) MERA_MKL_SHIM=force; source scripts/fastpath.sh ;;
            forced-slow-dispatch) export LD_PRELOAD="$work/libmkl_answer_not_intel.so" ;;
            *) echo "unknown configuration $1" >&2; exit 2 ;;
        esac
        exec java "${java_opts[@]}" -cp "$classpath" org.mera.cli.BenchCommand --no-doc "${bench_args[@]}"
    )
}

configs=(plain fast-path fast-path-shim-forced forced-slow-dispatch)
for ((round = 1; round <= rounds; round++)); do
    for config in "${configs[@]}"; do
        echo "round $round/$rounds: $config" >&2
        run_config "$config" > "$work/$config.$round.txt"
        # Rows look like: matmul 2048x2048 fp32   123.45 ms   -   139.2   410
        awk -v c="$config" '$1 == "matmul" { print c, $2, $7 }' "$work/$config.$round.txt" >> "$work/gflops.txt"
        # and: "  GFLOP per CPU-second 2048: 101.3"
        sed -n 's/^  GFLOP per CPU-second \([0-9]*\): \(.*\)$/\1x\1 \2/p' "$work/$config.$round.txt" \
            | awk -v c="$config" '{ print c, $1, $2 }' >> "$work/cpu-gflops.txt"
        grep -E '^  (threads|fast path|checksum)' "$work/$config.$round.txt" | sed "s/^/  [$config] /" >&2
    done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "| configuration | size | GFLOP/s per round (wall) | median GFLOP/s | GFLOP per CPU-second per round | median |"
echo "|---|---|---|---:|---|---:|"
for config in "${configs[@]}"; do
    for size in $(awk -v c="$config" '$1 == c { print $2 }' "$work/gflops.txt" | sort -u -t x -k1,1n); do
        values="$(awk -v c="$config" -v s="$size" '$1 == c && $2 == s { print $3 }' "$work/gflops.txt")"
        cpu_values="$(awk -v c="$config" -v s="$size" '$1 == c && $2 == s { print $3 }' "$work/cpu-gflops.txt")"
        echo "| $config | $size | $(echo "$values" | paste -sd ' ') | $(echo "$values" | median)" \
            "| $(echo "$cpu_values" | paste -sd ' ') | $(echo "$cpu_values" | median) |"
    done
done
