"""The command line: arguments, the run over workloads and engines, and the written outputs."""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import sys
from pathlib import Path
from typing import Any

from . import __doc__ as SUITE_DOC
from .chart import chart
from .engines import Engine, all_engines
from .env import THREADS
from .machine import REPO, machine, wait_for_low_load
from .ops import op_suite
from .report import report
from .runner import run_workload
from .stream import STREAM_N, CopyProbe, best_stream, print_stream, stream
from .timing import Budget
from .train_report import train_report
from .train_runner import run_train
from .workloads import Workload, suite

SUITES = ("w", "ops", "all", "train")
# The engines with per-op implementations (op_impls): numexpr has none of these ops, and
# torch eager is torch's builtin op; torch.compile of single ops is not measured.
OPS_ENGINES = ("rt_fused", "rt_eager", "numpy", "torch", "jax_jit")

# The environment variables recorded with the results.
ENV_KEYS = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "OPENBLAS_THREAD_TIMEOUT",
    "NUMEXPR_NUM_THREADS",
    "XLA_FLAGS",
    "JAX_PLATFORMS",
    "TORCHINDUCTOR_CACHE_DIR",
)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=SUITE_DOC.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--threads", type=int, default=2, help="threads of every engine (default 2)")
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: sizes 16x smaller and short measurements (not for reports)",
    )
    p.add_argument(
        "--suite",
        choices=SUITES,
        default="w",
        help="w: the W-suite (W1..W8, default); ops: the per-op rows (O1..O14: sort, argsort, "
        "topk, cumsum, index_select, gather, take_along_dim, einsum, scatter_add, index_add) "
        "on RustTorch, NumPy, torch eager and jax.jit; all: both; train: T1 (MLP training "
        "step) and T2 (backward of layer_norm(gelu(x @ W + b))) on RustTorch, torch eager, "
        "torch.compile and jax.jit, one process per engine (not part of all)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="JSON output (default bench-results/compare.json, with --suite ops "
        "compare-ops.json); the report and chart go beside it as .md and .png",
    )
    p.add_argument("--only", default="", help="comma-separated workloads, e.g. W1,W3 or O1,O5")
    p.add_argument(
        "--engines",
        default="",
        help="comma-separated engine keys: rt_fused, rt_vm, rt_eager, numpy, numexpr, torch, "
        "torch_builtin, torch_compile, jax_jit (--suite ops: the ops engines "
        f"{', '.join(OPS_ENGINES)}; --suite train: rt, torch, torch_compile, jax_jit)",
    )
    p.add_argument(
        "--budget",
        type=float,
        default=None,
        help="seconds of measurement per workload and engine (default 1.5, quick 0.3)",
    )
    p.add_argument(
        "--wait-load",
        type=float,
        default=None,
        metavar="L",
        help="wait (up to 10 min) until the 1-minute load average is below L before measuring",
    )
    p.add_argument("--no-chart", action="store_true", help="skip the PNG chart")
    p.add_argument(
        "--from-json",
        type=Path,
        default=None,
        metavar="JSON",
        help="measure nothing: print the report of an earlier run's JSON and redraw its chart",
    )
    p.add_argument("--chart", type=Path, default=None, help="chart path (default <out>.png)")
    args = p.parse_args(argv)
    if args.out is None:
        name = {"ops": "compare-ops.json", "train": "compare-train.json"}.get(
            args.suite, "compare.json"
        )
        args.out = REPO / "bench-results" / name
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.threads != THREADS:
        print(f"--threads {args.threads} was not seen before import; using {THREADS}")
    if args.from_json is not None:
        return replay(args.from_json, args.chart)
    threads = THREADS
    quick = args.quick
    budget = make_budget(quick, args.budget)
    if args.suite == "train":
        if args.wait_load is not None:
            wait_for_low_load(args.wait_load, 600.0)
        return run_train(args, THREADS, budget)
    workloads, engines = select(args, quick)

    if args.wait_load is not None:
        wait_for_low_load(args.wait_load, 600.0)
    print(
        f"# compare.py: suite {args.suite}, {len(workloads)} workloads, {threads} threads, "
        f"{'quick' if quick else 'full'} mode",
        flush=True,
    )
    engine_info, live = start_engines(engines, threads)
    rt_missing = [i for i in engine_info if i["key"].startswith("rt_") and not i["available"]]
    if rt_missing:
        print(
            f"error: RustTorch is the engine under test and is not usable: "
            f"{rt_missing[0]['reason']} (run 'make develop')",
            file=sys.stderr,
        )
        return 1
    data: dict[str, Any] = {
        "schema": 1,
        "timestamp": datetime.datetime.now().isoformat(timespec="seconds"),
        "argv": sys.argv[1:] if argv is None else argv,
        "threads": threads,
        "mode": "quick" if quick else "full",
        "suite": args.suite,
        "budget_s": budget.seconds,
        "machine": machine(),
        "env": {k: os.environ.get(k) for k in ENV_KEYS},
        "engines": engine_info,
        "workloads": [],
        "results": [],
        "stream": None,
    }
    measure(data, workloads, live, budget, threads)
    chart_path = None if args.no_chart else (args.chart or args.out.with_suffix(".png"))
    write_outputs(data, args.out, chart_path)
    return 0


def replay(path: Path, chart_path: Path | None) -> int:
    """``--from-json``: the report of an earlier run, and its chart redrawn."""
    old = json.loads(path.read_text())
    if old.get("suite") == "train":
        print(train_report(old))
        return 0
    print(report(old))
    chart_path = chart_path or path.with_suffix(".png")
    why = chart(old, chart_path)
    print(why if why else f"chart: {chart_path}")
    return 0


def make_budget(quick: bool, seconds: float | None) -> Budget:
    """The measurement budget of the mode; ``--budget`` overrides the seconds."""
    return Budget(
        seconds=seconds if seconds is not None else (0.3 if quick else 1.5),
        min_reps=3 if quick else 7,
        max_reps=200 if quick else 500,
        warmup_s=0.1 if quick else 0.4,
        rounds=3 if quick else 5,
    )


def select(args: argparse.Namespace, quick: bool) -> tuple[list[Workload], list[Engine]]:
    """The workloads of ``--only`` and the engines of ``--engines`` (all when empty)."""
    workloads: list[Workload] = []
    if args.suite in ("w", "all"):
        workloads += suite(quick)
    if args.suite in ("ops", "all"):
        workloads += op_suite(quick)
    if args.only:
        keep = {k.strip().upper() for k in args.only.split(",") if k.strip()}
        workloads = [w for w in workloads if w.key.upper() in keep]
    engines = all_engines()
    if args.suite == "ops":
        engines = [e for e in engines if e.key in OPS_ENGINES]
    if args.engines:
        keep = {k.strip() for k in args.engines.split(",") if k.strip()}
        engines = [e for e in engines if e.key in keep]
    return workloads, engines


def start_engines(engines: list[Engine], threads: int) -> tuple[list[dict[str, Any]], list[Engine]]:
    """Each engine's availability record, and the engines that imported and took the thread
    count (a missing one is skipped with a line saying why)."""
    engine_info = []
    live: list[Engine] = []
    for e in engines:
        why = e.unavailable()
        if why is None:
            try:
                e.setup(threads)
            except Exception as ex:
                why = f"setup failed: {type(ex).__name__}: {ex}"
        info = {"key": e.key, "label": e.label, "available": why is None}
        if why is None:
            info["version"] = e.version()
            live.append(e)
        else:
            info["reason"] = why
            print(f"skipping engine {e.label}: {why}", flush=True)
        engine_info.append(info)
    return engine_info, live


def measure(
    data: dict[str, Any],
    workloads: list[Workload],
    live: list[Engine],
    budget: Budget,
    threads: int,
) -> None:
    """STREAM, every workload on every live engine, STREAM again: fills ``data``."""
    print("STREAM copy/triad ...", flush=True)
    data["stream"] = stream(STREAM_N, threads, budget)
    print_stream(data["stream"])

    probe = CopyProbe(STREAM_N, threads)
    for w in workloads:
        data["workloads"].append(w.record())
        arrays = w.inputs(seed=w.seed)
        ref = w.reference(arrays)
        print(f"{w.key} {w.name} {' x '.join(str(s) for s in w.shapes)}", flush=True)
        run_workload(w, live, arrays, ref, budget, data["results"], probe)
        del arrays, ref
        gc.collect()

    probe.close()
    # STREAM again at the end: the ceiling is the best of both (the machine's state drifts).
    print("STREAM again ...", flush=True)
    again = stream(STREAM_N, threads, budget)
    print_stream(again)
    data["stream_end"] = again
    data["stream"] = best_stream(data["stream"], again)
    try:
        data["machine"]["loadavg_end"] = os.getloadavg()
    except OSError:
        pass


def write_outputs(data: dict[str, Any], out: Path, chart_path: Path | None) -> None:
    """The JSON record at ``out``, the report beside it (and on stdout), and the chart unless
    ``chart_path`` is None."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=1) + "\n")
    text = report(data)
    out.with_suffix(".md").write_text(text)
    print()
    print(text)
    print(f"raw figures: {out}\nreport: {out.with_suffix('.md')}")
    if chart_path is not None:
        why = chart(data, chart_path)
        print(why if why else f"chart: {chart_path}")
