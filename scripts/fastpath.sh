# mera fast path (docs/performance.md). Sourced by ./mera, with `set -euo pipefail` in force, just before
# `exec java "${java_opts[@]}" ...`; it may export environment variables and append to the java_opts array.
#
#   1. MKL dispatch shim: on x86-64 Linux with an AMD processor, LD_PRELOAD a one-function library
#      (scripts/mkl_intel_cpu_shim.c, built here with gcc at first use into target/fastpath/) so that the
#      MKL inside libtorch uses its AVX2/AVX-512 kernels instead of its generic ones.
#   2. Threads: OMP_NUM_THREADS / MKL_NUM_THREADS and DJL's ai.djl.pytorch.num_threads = the physical cores
#      this process may use; ai.djl.pytorch.num_interop_threads=1 (DJL runs ops eagerly from one thread);
#      OMP_WAIT_POLICY=PASSIVE (idle OpenMP threads sleep instead of spinning for milliseconds).
#      Values the user already set (environment or MERA_JAVA_OPTS) are kept.
#   3. Allocator: jemalloc or tcmalloc, only when the distribution's package is installed; jemalloc with page
#      decay off (MALLOC_CONF), glibc with its heap kept (MALLOC_MMAP_THRESHOLD_/TRIM_THRESHOLD_/TOP_PAD_),
#      unless the user set any of those.
#
# Switches: MERA_NO_FAST_PATH=1 or `./mera --no-fast-path` turn all of it off.
#   MERA_MKL_SHIM=auto|force|off  (force: preload on any x86-64 Linux CPU, for measurements)
#   MERA_ALLOCATOR=auto|none|/path/to/lib.so
#   MERA_FAST_PATH_VERBOSE=1      print what was applied
#   MERA_CC, MERA_CPUINFO, MERA_SYSFS_CPU   compiler, cpuinfo file and CPU topology directory (tests)
# It must never break the launcher: any failure prints one warning and nothing of the fast path is applied.
#
# Run directly (not sourced):
#   bash scripts/fastpath.sh --build-shim OUT.so   build the shim into OUT.so (exit 3 when no compiler)
#   bash scripts/fastpath.sh --show                print the settings the launcher would apply

_mera_fp_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

_mera_fp_log() {
    if [ "${MERA_FAST_PATH_VERBOSE:-0}" = 1 ]; then echo "mera: fast path: $*" >&2; fi
    return 0
}

# Compiles the shim source into $1 through a temporary sibling, so a concurrent launcher never preloads a
# half-written file. Returns 3 when there is no compiler, 1 (with a message in _mera_fp_error) on failure.
_mera_fp_build_shim() {
    local out="$1" cc="${MERA_CC:-gcc}" src="$_mera_fp_dir/mkl_intel_cpu_shim.c" tmp log
    command -v "$cc" >/dev/null 2>&1 || { _mera_fp_error="no C compiler '$cc' to build the MKL shim"; return 3; }
    [ -f "$src" ] || { _mera_fp_error="shim source $src is missing"; return 1; }
    mkdir -p "$(dirname "$out")" || { _mera_fp_error="cannot create $(dirname "$out")"; return 1; }
    tmp="$(mktemp "$out.XXXXXX")" || { _mera_fp_error="cannot create a temporary file next to $out"; return 1; }
    if ! log="$("$cc" -O2 -shared -fPIC -Wall -Werror -o "$tmp" "$src" 2>&1)"; then
        rm -f "$tmp"
        _mera_fp_error="building the MKL shim with $cc failed: ${log//$'\n'/ }"
        return 1
    fi
    mv -f "$tmp" "$out" || { rm -f "$tmp"; _mera_fp_error="cannot move the MKL shim to $out"; return 1; }
}

# True when ld.so can preload $1 into a trivial program (it reports, and skips, libraries it cannot load).
_mera_fp_preloads_cleanly() {
    local out
    out="$(LD_PRELOAD="$1" /bin/true 2>&1)" && [ -z "$out" ]
}

# Physical cores this process may run on: CPUs in its affinity mask (nproc), counted once per core
# (SMT siblings share one), and capped by a cgroup v2 CPU quota where one is set.
_mera_fp_physical_cores() {
    local logical cpus cores=0 quota period cap range lo hi cpu key seen=" " topology
    local sysfs="${MERA_SYSFS_CPU:-/sys/devices/system/cpu}"
    logical="$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc 2>/dev/null)" || logical=""
    [[ "$logical" =~ ^[0-9]+$ ]] && [ "$logical" -gt 0 ] || return 1
    cpus="$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status 2>/dev/null)" || cpus=""
    if [[ "$cpus" =~ ^[0-9,-]+$ ]]; then
        for range in ${cpus//,/ }; do
            lo="${range%-*}"; hi="${range#*-}"
            for ((cpu = lo; cpu <= hi; cpu++)); do
                key="$cpu"
                topology="$sysfs/cpu$cpu/topology"
                if [ -r "$topology/core_id" ] && [ -r "$topology/physical_package_id" ]; then
                    key="$(cat "$topology/physical_package_id"):$(cat "$topology/core_id")"
                fi
                if [[ "$seen" != *" $key "* ]]; then seen+="$key "; cores=$((cores + 1)); fi
            done
        done
    fi
    if [ "$cores" -le 0 ] || [ "$cores" -gt "$logical" ]; then cores="$logical"; fi
    if [ -r /sys/fs/cgroup/cpu.max ] && read -r quota period < /sys/fs/cgroup/cpu.max \
        && [[ "$quota" =~ ^[0-9]+$ ]] && [[ "$period" =~ ^[0-9]+$ ]] && [ "$period" -gt 0 ]; then
        cap=$(((quota + period - 1) / period))
        if [ "$cap" -ge 1 ] && [ "$cap" -lt "$cores" ]; then cores="$cap"; fi
    fi
    echo "$cores"
}

_mera_fp_has_java_opt() {
    local opt
    for opt in "${java_opts[@]+"${java_opts[@]}"}"; do [[ "$opt" == "$1"* ]] && return 0; done
    return 1
}

# Decides everything into _mera_fp_* variables first and applies nothing, so that a failure part-way leaves
# the plain path intact. Returns non-zero with _mera_fp_error set on failure.
_mera_fp_plan() {
    _mera_fp_preload=()
    _mera_fp_env=()
    _mera_fp_opts=()
    _mera_fp_summary=()
    local os arch vendor mode so threads alloc candidate dir name status

    # 1. MKL dispatch shim.
    mode="${MERA_MKL_SHIM:-auto}"
    os="$(uname -s)" || { _mera_fp_error="uname failed"; return 1; }
    arch="$(uname -m)" || { _mera_fp_error="uname failed"; return 1; }
    vendor="$(sed -n 's/^vendor_id[[:space:]]*:[[:space:]]*//p' "${MERA_CPUINFO:-/proc/cpuinfo}" 2>/dev/null | head -n 1)" || vendor=""
    case "$mode" in
        off) _mera_fp_summary+=("mkl-shim=off") ;;
        auto | force)
            if [ "$os" != Linux ] || [ "$arch" != x86_64 ]; then
                _mera_fp_summary+=("mkl-shim=no($os/$arch)")
            elif [ "$mode" = auto ] && [ "$vendor" != AuthenticAMD ]; then
                _mera_fp_summary+=("mkl-shim=no(${vendor:-unknown-vendor})")
            else
                so="$_mera_fp_dir/../target/fastpath/libmera_mkl_intel.so"
                if [ ! -f "$so" ] || [ "$_mera_fp_dir/mkl_intel_cpu_shim.c" -nt "$so" ]; then
                    status=0
                    _mera_fp_build_shim "$so" || status=$?
                    if [ "$status" = 3 ]; then
                        # No compiler is an expected setup, not a failure: note it, keep the other settings.
                        echo "mera: fast path: $_mera_fp_error; MKL dispatch left as it is" >&2
                        so=""
                        _mera_fp_summary+=("mkl-shim=no(no-compiler)")
                    elif [ "$status" != 0 ]; then
                        return 1
                    fi
                fi
                if [ -n "$so" ]; then
                    so="$(cd "$(dirname "$so")" && pwd)/$(basename "$so")" || { _mera_fp_error="cannot resolve $so"; return 1; }
                    _mera_fp_preloads_cleanly "$so" || { _mera_fp_error="ld.so cannot preload $so"; return 1; }
                    _mera_fp_preload+=("$so")
                    _mera_fp_summary+=("mkl-shim=on")
                fi
            fi
            ;;
        *) _mera_fp_error="MERA_MKL_SHIM must be auto, force or off, not '$mode'"; return 1 ;;
    esac

    # 2. Threads.
    if [ -n "${OMP_NUM_THREADS:-}" ]; then
        threads="$OMP_NUM_THREADS"
        [[ "$threads" =~ ^[1-9][0-9]*$ ]] || { _mera_fp_error="OMP_NUM_THREADS='$threads' is not a positive integer"; return 1; }
    else
        threads="$(_mera_fp_physical_cores)" || { _mera_fp_error="cannot count the CPU cores (nproc failed)"; return 1; }
        _mera_fp_env+=("OMP_NUM_THREADS=$threads")
    fi
    [ -n "${MKL_NUM_THREADS:-}" ] || _mera_fp_env+=("MKL_NUM_THREADS=$threads")
    _mera_fp_has_java_opt "-Dai.djl.pytorch.num_threads=" || _mera_fp_opts+=("-Dai.djl.pytorch.num_threads=$threads")
    _mera_fp_has_java_opt "-Dai.djl.pytorch.num_interop_threads=" || _mera_fp_opts+=("-Dai.djl.pytorch.num_interop_threads=1")
    _mera_fp_summary+=("threads=$threads")
    # OpenMP waiting. libtorch's libgomp lets a thread that finished its share of an op spin ~300000 times (a few ms)
    # before sleeping, unless it manages more threads than there are CPUs (then 100). On a shared machine the spinners
    # burn the time slices the other team member needs: a minilm training ran 8-10 times slower from the CLI's main
    # thread than with passive waiting, bit for bit the same results (docs/performance.md, 2026-12-02). The user's
    # OMP_WAIT_POLICY or GOMP_SPINCOUNT wins.
    if [ -z "${OMP_WAIT_POLICY:-}" ] && [ -z "${GOMP_SPINCOUNT:-}" ]; then
        _mera_fp_env+=("OMP_WAIT_POLICY=PASSIVE")
        _mera_fp_summary+=("omp-wait=passive")
    else
        _mera_fp_summary+=("omp-wait=user")
    fi

    # 3. Allocator.
    alloc="${MERA_ALLOCATOR:-auto}"
    case "$alloc" in
        none) alloc="" ;;
        auto)
            alloc=""
            for dir in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
                for name in libjemalloc.so.2 libtcmalloc_minimal.so.4 libtcmalloc.so.4; do
                    candidate="$dir/$name"
                    if [ -z "$alloc" ] && [ -f "$candidate" ] && _mera_fp_preloads_cleanly "$candidate"; then alloc="$candidate"; fi
                done
            done
            ;;
        *)
            [ -f "$alloc" ] || { _mera_fp_error="MERA_ALLOCATOR=$alloc is not a file"; return 1; }
            _mera_fp_preloads_cleanly "$alloc" || { _mera_fp_error="ld.so cannot preload MERA_ALLOCATOR=$alloc"; return 1; }
            ;;
    esac
    if [ -n "$alloc" ]; then
        _mera_fp_preload+=("$alloc")
        # gperftools' tcmalloc reports every allocation over 1 GiB on stderr; weight buffers are that large.
        if [[ "$alloc" == *tcmalloc* ]] && [ -z "${TCMALLOC_LARGE_ALLOC_REPORT_THRESHOLD:-}" ]; then
            _mera_fp_env+=("TCMALLOC_LARGE_ALLOC_REPORT_THRESHOLD=1099511627776")
        fi
        # jemalloc: keep freed pages instead of returning them (decay off). Its default hands every block of 8 MiB
        # and more back at once and the next step faults the pages in again: a bert-base AdapterFusion step ran
        # 2.5x faster without that, and peak RSS of adapter and LoRA steps fell, since jemalloc fragments less
        # than glibc (docs/performance.md, "The allocator"). The user's MALLOC_CONF wins.
        if [[ "$alloc" == *jemalloc* ]] && [ -z "${MALLOC_CONF:-}" ]; then
            _mera_fp_env+=("MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1")
            _mera_fp_summary+=("allocator=$(basename "$alloc")(no-decay)")
        else
            _mera_fp_summary+=("allocator=$(basename "$alloc")")
        fi
    elif [ -z "${MALLOC_MMAP_THRESHOLD_:-}${MALLOC_TRIM_THRESHOLD_:-}${MALLOC_TOP_PAD_:-}${GLIBC_TUNABLES:-}" ]; then
        # glibc: serve blocks up to 32 MiB from the heap at once (its ceiling for the sliding mmap threshold) and
        # never trim the heap's top, so a training step reuses the last step's pages instead of mapping and
        # faulting in fresh ones. Setting any one of these turns the sliding threshold off, so all three are set.
        _mera_fp_env+=("MALLOC_MMAP_THRESHOLD_=33554432" "MALLOC_TRIM_THRESHOLD_=17179869184" "MALLOC_TOP_PAD_=67108864")
        _mera_fp_summary+=("allocator=system(heap-kept)")
    else
        _mera_fp_summary+=("allocator=system(user-tuned)")
    fi
}

_mera_fp_apply() {
    local kv joined
    for kv in "${_mera_fp_env[@]+"${_mera_fp_env[@]}"}"; do export "${kv?}"; done
    if [ "${#_mera_fp_preload[@]}" -gt 0 ]; then
        joined="$(IFS=:; echo "${_mera_fp_preload[*]}")"
        export LD_PRELOAD="${LD_PRELOAD:+$LD_PRELOAD:}$joined"
    fi
    java_opts+=("${_mera_fp_opts[@]+"${_mera_fp_opts[@]}"}")
    # Read back by `mera bench` so a report says which path produced its numbers.
    MERA_FAST_PATH="$(IFS=,; echo "${_mera_fp_summary[*]}")"
    export MERA_FAST_PATH
    _mera_fp_log "$MERA_FAST_PATH"
}

_mera_fp_main() {
    _mera_fp_error=""
    if [ "${MERA_NO_FAST_PATH:-0}" = 1 ]; then return 0; fi
    if _mera_fp_plan; then
        _mera_fp_apply
    else
        echo "mera: fast path: ${_mera_fp_error:-unexpected failure}; continuing on the plain path" >&2
    fi
    return 0
}

# `return` is only allowed in a sourced file (or a function), which tells the two uses apart.
if ! (return 0 2>/dev/null); then
    # Executed, not sourced.
    case "${1:-}" in
        --build-shim)
            [ -n "${2:-}" ] || { echo "usage: $0 --build-shim OUT.so" >&2; exit 2; }
            _mera_fp_error=""
            status=0
            _mera_fp_build_shim "$2" || status=$?
            [ "$status" = 0 ] || echo "fastpath: $_mera_fp_error" >&2
            exit "$status"
            ;;
        --show)
            java_opts=()
            _mera_fp_main
            echo "LD_PRELOAD=${LD_PRELOAD:-}"
            echo "OMP_NUM_THREADS=${OMP_NUM_THREADS:-}"
            echo "MKL_NUM_THREADS=${MKL_NUM_THREADS:-}"
            echo "OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-}"
            echo "MALLOC_CONF=${MALLOC_CONF:-}"
            echo "MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-}"
            echo "MERA_FAST_PATH=${MERA_FAST_PATH:-}"
            echo "java_opts=${java_opts[*]+"${java_opts[*]}"}"
            exit 0
            ;;
        *) echo "usage: $0 --build-shim OUT.so | --show   (the launcher sources this file)" >&2; exit 2 ;;
    esac
else
    [ "${java_opts+set}" = set ] || java_opts=()
    _mera_fp_main
    unset -f _mera_fp_log _mera_fp_build_shim _mera_fp_preloads_cleanly _mera_fp_physical_cores \
        _mera_fp_has_java_opt _mera_fp_plan _mera_fp_apply _mera_fp_main
fi
