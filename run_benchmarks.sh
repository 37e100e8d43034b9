#!/usr/bin/env bash
# RustTorch benchmark runner: the Rust criterion suite (benches/) and the Python comparison with
# NumPy, numexpr, PyTorch and JAX (benchmarks/compare.py). See docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")"

usage() {
    cat <<'EOF'
Usage: ./run_benchmarks.sh [options] [-- compare.py options]

What to run (default: --rust --python):
  --rust                  Rust criterion suite: cargo bench -p rusttorch-benches
                          (workloads, per-op grid, planning latency, vectorisation/block sweep)
  --rust-bench NAME       only this criterion bench target (workloads, per_op, planning, vectorize)
  --python                benchmarks/compare.py: the W-suite against NumPy, numexpr, PyTorch,
                          torch.compile and jax.jit (peers that are not installed are skipped;
                          `make bench-deps` installs them); `-- --suite ops`: the per-op rows
  --quick                 quick mode: RUSTTORCH_BENCH_QUICK=1 for criterion, --quick for compare.py
                          (smaller sizes, short measurements: a smoke test, not figures to report)
  --threads N             threads of every engine (default 2)
  --wait-load L           compare.py waits until the 1-minute load average is below L

Baselines:
  --save-baseline NAME    criterion --save-baseline NAME; Python JSON kept as
                          bench-results/baselines/NAME.json
  --baseline NAME         criterion --baseline NAME (criterion prints the change per bench);
                          Python: a table of changes against bench-results/baselines/NAME.json

Profiling (instead of the suites):
  --profile WORKLOAD      perf record of one workload (W1..W8) run by RustTorch in a loop
                          (benchmarks/profile_driver.py), rendered as a flamegraph with inferno:
                          bench-results/flame-W1.svg (and perf-W1.data)
  --profile-rust          with --profile: record the criterion bench binary instead
                          (workloads bench, group wN_*/fused, criterion --profile-time)
  --profile-eager         with --profile: profile eval(fuse=False)
  --profile-seconds S     how long to record (default 8)
  --callgrind WORKLOAD    valgrind --tool=callgrind on one workload at quick sizes, 1 thread:
                          instructions per steady-state call inside Engine::eval_with, a count
                          that does not drift with machine noise (bench-results/callgrind-W1-*)

Other:
  --check                 which engines and tools are installed, with versions
  -h, --help              this text

Outputs go to bench-results/ (git-ignored): rust-bench.log, compare.json/.md/.png.
Examples:
  ./run_benchmarks.sh --quick                      # everything, quick
  ./run_benchmarks.sh --python -- --only W1,W2     # two workloads, full size
  ./run_benchmarks.sh --python -- --suite ops      # the per-op rows (sort, gather, einsum, ...)
  ./run_benchmarks.sh --save-baseline before ; <change> ; ./run_benchmarks.sh --baseline before
  ./run_benchmarks.sh --profile W3
EOF
}

RUN_RUST=0
RUN_PY=0
QUICK=0
THREADS=2
SAVE_BASELINE=""
BASELINE=""
PROFILE=""
PROFILE_RUST=0
PROFILE_EAGER=0
PROFILE_SECONDS=8
CALLGRIND=""
CHECK=0
RUST_BENCH=""
WAIT_LOAD=""
PY_EXTRA=()

need_arg() {
    if [[ $# -lt 2 || -z "$2" ]]; then
        echo "error: $1 needs an argument (see --help)" >&2
        exit 2
    fi
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --rust) RUN_RUST=1 ;;
        --python) RUN_PY=1 ;;
        --quick) QUICK=1 ;;
        --threads) need_arg "$@"; THREADS="$2"; shift ;;
        --rust-bench) need_arg "$@"; RUST_BENCH="$2"; shift ;;
        --wait-load) need_arg "$@"; WAIT_LOAD="$2"; shift ;;
        --save-baseline) need_arg "$@"; SAVE_BASELINE="$2"; shift ;;
        --baseline) need_arg "$@"; BASELINE="$2"; shift ;;
        --profile) need_arg "$@"; PROFILE="$2"; shift ;;
        --profile-rust) PROFILE_RUST=1 ;;
        --profile-eager) PROFILE_EAGER=1 ;;
        --profile-seconds) need_arg "$@"; PROFILE_SECONDS="$2"; shift ;;
        --callgrind) need_arg "$@"; CALLGRIND="$2"; shift ;;
        --check) CHECK=1 ;;
        -h | --help) usage; exit 0 ;;
        --) shift; PY_EXTRA=("$@"); break ;;
        *) echo "error: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

if ! [[ "$THREADS" =~ ^[1-9][0-9]*$ ]]; then
    echo "error: --threads wants a positive integer, got '$THREADS'" >&2
    exit 2
fi
for name in "$SAVE_BASELINE" "$BASELINE"; do
    if [[ -n "$name" && ! "$name" =~ ^[A-Za-z0-9._-]+$ ]]; then
        echo "error: baseline names use letters, digits, '.', '_' and '-' only: '$name'" >&2
        exit 2
    fi
done

if [[ -n "$SAVE_BASELINE" && -n "$BASELINE" ]]; then
    echo "error: use --save-baseline and --baseline in separate runs (criterion takes one)" >&2
    exit 2
fi

OUT=bench-results
mkdir -p "$OUT/baselines"

if [[ -x .venv/bin/python ]]; then
    PY=.venv/bin/python
else
    PY=$(command -v python3)
fi

# ---------------------------------------------------------------- helpers

# workload key (W1..W8) -> criterion group name
group_of() {
    case "${1^^}" in
        W1) echo w1_fma_chain ;;
        W2) echo w2_gelu_tanh ;;
        W3) echo w3_softmax_rows ;;
        W4) echo w4_layernorm_rows ;;
        W5) echo w5_mse_sum ;;
        W6) echo w6_col_sum ;;
        W7) echo w7_matmul_bias_relu ;;
        W8) echo w8_small_chain ;;
        *) return 1 ;;
    esac
}

need_rusttorch() {
    if ! "$PY" -c "import rusttorch" 2>/dev/null; then
        echo "error: the rusttorch package is not importable by $PY: run 'make develop' first" >&2
        exit 1
    fi
}

perf_record_works() {
    command -v perf >/dev/null 2>&1 || return 1
    local tmp
    tmp=$(mktemp)
    if perf record -q -e cpu-clock -o "$tmp" -- true >/dev/null 2>&1; then
        rm -f "$tmp"
        return 0
    fi
    rm -f "$tmp"
    return 1
}

ensure_inferno() {
    if command -v inferno-flamegraph >/dev/null 2>&1 && command -v inferno-collapse-perf >/dev/null 2>&1; then
        return 0
    fi
    echo "inferno is not installed: cargo install inferno --locked"
    cargo install inferno --locked
}

version_of() { # command, args... -> first line of its version output, or "not found"
    if command -v "$1" >/dev/null 2>&1; then
        "$@" 2>&1 | head -n 1
    else
        echo "not found"
    fi
}

# ---------------------------------------------------------------- --check

do_check() {
    echo "== Python engines ($PY)"
    "$PY" - <<'EOF'
import importlib
import platform
import shutil

print(f"  {'python':12s} {platform.python_version()}")
for mod, dist in [("numpy", "numpy"), ("rusttorch", "rusttorch"), ("numexpr", "numexpr"),
                  ("torch", "torch"), ("jax", "jax"), ("jaxlib", "jaxlib"),
                  ("matplotlib", "matplotlib")]:
    try:
        m = importlib.import_module(mod)
        v = getattr(m, "__version__", "?")
        extra = ""
        if mod == "torch":
            cxx = shutil.which("g++") or shutil.which("c++")
            extra = f"  (torch.compile needs a C++ compiler: {cxx or 'none found'})"
        if mod == "rusttorch":
            extra = f"  (threads {m.get_num_threads()}, matmul binding: " + (
                "yes" if hasattr(m.Tensor, "__matmul__") or hasattr(m, "matmul") else "no") + ")"
        print(f"  {mod:12s} {v}{extra}")
    except Exception as e:
        print(f"  {mod:12s} not installed ({type(e).__name__})")
EOF
    echo "== Tools"
    printf '  %-22s %s\n' cargo "$(version_of cargo --version)"
    printf '  %-22s %s\n' rustc "$(version_of rustc --version)"
    printf '  %-22s %s\n' criterion "$(grep -A1 '^name = "criterion"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p' | head -n1)"
    printf '  %-22s %s\n' perf "$(version_of perf --version)"
    if command -v perf >/dev/null 2>&1; then
        if perf stat -e instructions true 2>&1 | grep -q "not supported"; then
            printf '  %-22s %s\n' "  hardware counters" "not supported here (perf stat -e instructions true)"
        else
            printf '  %-22s %s\n' "  hardware counters" "available"
        fi
        if perf_record_works; then
            printf '  %-22s %s\n' "  perf record" "works (cpu-clock sampling)"
        else
            printf '  %-22s %s\n' "  perf record" "does not work here (permissions? see kernel.perf_event_paranoid)"
        fi
    fi
    if command -v inferno-flamegraph >/dev/null 2>&1; then
        printf '  %-22s %s\n' inferno "$( (cargo install --list 2>/dev/null | grep -m1 '^inferno ') || echo installed)"
    else
        printf '  %-22s %s\n' inferno "not found (cargo install inferno --locked; --profile installs it)"
    fi
    printf '  %-22s %s\n' valgrind "$(version_of valgrind --version)"
    printf '  %-22s %s\n' g++ "$(version_of g++ --version)"
    echo "== Machine"
    lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core|L1d|L2|L3)' | sed 's/^/  /'
    echo "  SIMD: $(grep -o -w -E 'avx2|fma|avx512f' /proc/cpuinfo | sort -u | tr '\n' ' ')"
    echo "  load: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# ---------------------------------------------------------------- --profile

do_profile() {
    local key="${PROFILE^^}" group
    if ! group=$(group_of "$key"); then
        echo "error: --profile wants a workload W1..W8, got '$PROFILE'" >&2
        exit 2
    fi
    if ! command -v perf >/dev/null 2>&1; then
        echo "perf is not installed (Debian: apt-get install linux-perf): no profile."
        echo "Instruction counts without perf: ./run_benchmarks.sh --callgrind $key"
        exit 1
    fi
    if ! perf_record_works; then
        echo "perf is installed but 'perf record' does not work here (in a container or VM without"
        echo "access to perf events; try: sysctl kernel.perf_event_paranoid=1). No profile."
        echo "Instruction counts without perf: ./run_benchmarks.sh --callgrind $key"
        exit 1
    fi
    if perf stat -e instructions true 2>&1 | grep -q "not supported"; then
        echo "note: no hardware counters here; sampling on the cpu-clock software event."
    fi
    ensure_inferno
    local data="$OUT/perf-$key.data" svg="$OUT/flame-$key.svg" mode=fused
    [[ $PROFILE_EAGER == 1 ]] && mode=eager
    # DWARF call graphs: the release profile keeps line tables (debug = 1) but no frame pointers.
    local perf_rec=(perf record -e cpu-clock -F 499 --call-graph dwarf,16384 -o "$data" --)
    if [[ $PROFILE_RUST == 1 ]]; then
        echo "building the criterion workloads bench ..."
        local bin
        bin=$(cargo bench -p rusttorch-benches --bench workloads --no-run --message-format=json 2>/dev/null \
            | "$PY" -c 'import json,sys
for line in sys.stdin:
    try: m = json.loads(line)
    except ValueError: continue
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "workloads":
        print(m["executable"])' | tail -n 1)
        if [[ -z "$bin" ]]; then
            echo "error: could not build or find the workloads bench binary" >&2
            exit 1
        fi
        local filter="^${group}/${mode}\$"
        echo "recording $bin --bench --profile-time $PROFILE_SECONDS '$filter' ..."
        RUSTTORCH_BENCH_THREADS=$THREADS "${perf_rec[@]}" "$bin" --bench --profile-time "$PROFILE_SECONDS" "$filter"
    else
        need_rusttorch
        local args=("$key" --threads "$THREADS" --seconds "$PROFILE_SECONDS")
        [[ $PROFILE_EAGER == 1 ]] && args+=(--eager)
        [[ $QUICK == 1 ]] && args+=(--quick)
        echo "recording benchmarks/profile_driver.py ${args[*]} ..."
        "${perf_rec[@]}" "$PY" benchmarks/profile_driver.py "${args[@]}"
    fi
    echo "rendering $svg ..."
    perf script -i "$data" 2>/dev/null | inferno-collapse-perf >"$OUT/flame-$key.folded"
    inferno-flamegraph --title "RustTorch $key $group ($mode, $THREADS threads)" \
        <"$OUT/flame-$key.folded" >"$svg"
    echo "flamegraph: $svg  (open it in a browser; raw samples: $data)"
    echo "top symbols (self time):"
    perf report -i "$data" --no-children --sort symbol --stdio 2>/dev/null \
        | grep -E '^ +[0-9.]+%' | head -n 15
}

# ---------------------------------------------------------------- --callgrind

do_callgrind() {
    local key="${CALLGRIND^^}"
    if ! group_of "$key" >/dev/null; then
        echo "error: --callgrind wants a workload W1..W8, got '$CALLGRIND'" >&2
        exit 2
    fi
    if ! command -v valgrind >/dev/null 2>&1; then
        echo "valgrind is not installed (Debian: apt-get install valgrind)."
        exit 1
    fi
    need_rusttorch
    # Two runs, 1 and 5 timed calls after the first, give the steady per-call count as their
    # difference / 4: Python start-up, input generation and planning cancel out, and what is left
    # is one call's whole path (building the expression in Python, the walk, the plan cache, the
    # kernels). No --toggle-collect: a large evaluation runs on an engine worker (run_watched),
    # outside any one entry point of the calling thread. One thread: no work-stealing or idle
    # spinning in the count.
    local args=("$key" --threads 1 --quick)
    [[ $PROFILE_EAGER == 1 ]] && args+=(--eager)
    local n total=() out
    for n in 1 5; do
        out="$OUT/callgrind-$key-$n.out"
        echo "valgrind --tool=callgrind: profile_driver.py ${args[*]} --iters $n ..."
        valgrind --tool=callgrind --callgrind-out-file="$out" \
            "$PY" benchmarks/profile_driver.py "${args[@]}" --iters "$n" 2>"$out.log" | sed 's/^/  /'
        total+=("$(sed -n 's/^totals: *//p' "$out" | head -n 1)")
    done
    if [[ -z "${total[0]}" || -z "${total[1]}" || "${total[0]}" == 0 ]]; then
        echo "no instructions counted; see $OUT/callgrind-$key-*.out.log"
        exit 1
    fi
    local per_call=$(( (total[1] - total[0]) / 4 ))
    echo "instructions (quick sizes, 1 thread): first call + 1 = ${total[0]}, first + 5 = ${total[1]}"
    echo "steady state: $per_call instructions per call; first call (planning) ~ $(( total[0] - per_call ))"
    echo "hottest functions of the 5-call run:"
    callgrind_annotate "$OUT/callgrind-$key-5.out" 2>/dev/null >"$OUT/callgrind-$key-5.txt" || true
    grep -E '^ *[0-9,]+ \(' "$OUT/callgrind-$key-5.txt" | sed -n '2,13p' | cut -c1-160 || true
    echo "full data: $OUT/callgrind-$key-5.out (callgrind_annotate, or kcachegrind)"
}

# ---------------------------------------------------------------- suites

run_rust() {
    echo "== Rust criterion suite (threads $THREADS$([[ $QUICK == 1 ]] && echo ', quick'))"
    local cargo_args=(bench -p rusttorch-benches)
    # Compiled kernels where LLVM 14 is installed (as `make` builds them; RUSTTORCH_JIT=0 to
    # measure the VM alone).
    if command -v llvm-config-14 >/dev/null 2>&1; then
        cargo_args+=(--features rusttorch-exec/jit)
        export LLVM_SYS_140_PREFIX="${LLVM_SYS_140_PREFIX:-/usr/lib/llvm-14}"
    fi
    [[ -n "$RUST_BENCH" ]] && cargo_args+=(--bench "$RUST_BENCH")
    local crit_args=()
    [[ -n "$BASELINE" ]] && crit_args+=(--baseline "$BASELINE")
    [[ -n "$SAVE_BASELINE" ]] && crit_args+=(--save-baseline "$SAVE_BASELINE")
    local env=(RUSTTORCH_BENCH_THREADS="$THREADS")
    [[ $QUICK == 1 ]] && env+=(RUSTTORCH_BENCH_QUICK=1)
    if [[ ${#crit_args[@]} -gt 0 ]]; then
        env "${env[@]}" cargo "${cargo_args[@]}" -- "${crit_args[@]}" 2>&1 | tee "$OUT/rust-bench.log"
    else
        env "${env[@]}" cargo "${cargo_args[@]}" 2>&1 | tee "$OUT/rust-bench.log"
    fi
    echo "criterion reports: target/criterion/ ; log: $OUT/rust-bench.log"
}

run_python() {
    need_rusttorch
    echo "== Python comparison (threads $THREADS$([[ $QUICK == 1 ]] && echo ', quick'))"
    local args=(--threads "$THREADS" --out "$OUT/compare.json")
    [[ $QUICK == 1 ]] && args+=(--quick)
    [[ -n "$WAIT_LOAD" ]] && args+=(--wait-load "$WAIT_LOAD")
    "$PY" benchmarks/compare.py "${args[@]}" "${PY_EXTRA[@]}"
    if [[ -n "$BASELINE" ]]; then
        local base="$OUT/baselines/$BASELINE.json"
        if [[ -f "$base" ]]; then
            echo
            echo "== Changes against baseline '$BASELINE' ($base)"
            "$PY" benchmarks/baseline.py "$base" "$OUT/compare.json"
        else
            echo "no Python baseline '$BASELINE' ($base): save one with --save-baseline $BASELINE"
        fi
    fi
    if [[ -n "$SAVE_BASELINE" ]]; then
        cp "$OUT/compare.json" "$OUT/baselines/$SAVE_BASELINE.json"
        echo "saved Python baseline: $OUT/baselines/$SAVE_BASELINE.json"
    fi
}

# ---------------------------------------------------------------- main

if [[ $CHECK == 1 ]]; then
    do_check
    exit 0
fi
if [[ -n "$PROFILE" ]]; then
    do_profile
    exit 0
fi
if [[ -n "$CALLGRIND" ]]; then
    do_callgrind
    exit 0
fi
if [[ $RUN_RUST == 0 && $RUN_PY == 0 ]]; then
    RUN_RUST=1
    RUN_PY=1
fi
[[ $RUN_RUST == 1 ]] && run_rust
[[ $RUN_PY == 1 ]] && run_python
exit 0
