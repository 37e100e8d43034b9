"""The training suite's run (``--suite train``): per workload, one worker process per engine
(``train_worker``); their first calls and checks one at a time, then timed rounds in which the
engines take turns (rotating who goes first), as the W-suite's engines do within one process."""

from __future__ import annotations

import datetime
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from .machine import REPO, machine
from .timing import Budget, summarize
from .train import (
    FINGERPRINT_STEPS,
    TrainWorkload,
    check_t1,
    check_t2,
    t1_inputs,
    t1_loss_reference,
    t2_grads_reference,
    t2_inputs,
    train_suite,
)
from .train_engines import ENGINES
from .train_report import train_report

PLAN_EXAMPLE = REPO / "target" / "release" / "examples" / "t2_backward_plan"


class Worker:
    """A worker process and its request/answer pipe."""

    def __init__(self, engine: str, w: TrainWorkload, threads: int, quick: bool, log: Path) -> None:
        self.engine = engine
        argv = [sys.executable, "-m", "benchmarks.compare.train_worker", engine, w.key]
        argv += ["--threads", str(threads)] + (["--quick"] if quick else [])
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            argv,
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            bufsize=1,
        )

    def ask(self, req: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            return {"error": f"worker exited (code {self.proc.wait()}); see {self.log.name}"}
        return json.loads(line)  # type: ignore[no-any-return]

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.ask({"cmd": "quit"})
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
        self.log.close()


def _check(w: TrainWorkload, fps: dict[str, Any], ref: Any) -> dict[str, dict[str, Any]]:
    if w.key == "T2":
        return {e: check_t2(fp, ref) for e, fp in fps.items()}
    peer = fps.get("torch")
    return {e: check_t1(fp, ref, peer if e != "torch" else None) for e, fp in fps.items()}


def run_train_workload(
    w: TrainWorkload,
    engines: list[str],
    threads: int,
    quick: bool,
    budget: Budget,
    logs: Path,
) -> list[dict[str, Any]]:
    """Starts, checks and times every engine on ``w``; one result record per engine."""
    ref = t1_loss_reference(t1_inputs(w)) if w.key == "T1" else t2_grads_reference(t2_inputs(w))
    n_first = FINGERPRINT_STEPS if w.key == "T1" else 1
    results: dict[str, dict[str, Any]] = {}
    workers: dict[str, Worker] = {}
    fps: dict[str, Any] = {}
    try:
        for e in engines:
            r: dict[str, Any] = {"workload": w.key, "engine": e}
            results[e] = r
            wk = Worker(e, w, threads, quick, logs / f"{w.key}-{e}.log")
            workers[e] = wk
            ans = wk.ask({"cmd": "start"})
            if "error" in ans:
                r.update(status="error", note=ans["error"])
                print(f"  {ENGINES[e][0]:16s} ERROR: {ans['error']}", flush=True)
                wk.close()
                del workers[e]
                continue
            r.update(first_ms=ans["first_ms"], version=ans["version"], info=ans["info"])
            fps[e] = ans["fingerprint"]
        for e, c in _check(w, fps, ref).items():
            results[e]["check"] = c
            if not c["ok"]:
                results[e]["status"] = "wrong"
                print(f"  {ENGINES[e][0]:16s} WRONG: {c}", flush=True)
                workers.pop(e).close()
        b = {
            k: getattr(budget, k) for k in ("seconds", "min_reps", "max_reps", "warmup_s", "rounds")
        }
        for e, wk in workers.items():
            results[e].update(wk.ask({"cmd": "warm", "budget": b}))
        samples: dict[str, list[float]] = {e: [] for e in workers}
        order = list(workers)
        for k in range(budget.rounds):
            for e in order[k % len(order) :] + order[: k % len(order)]:
                r = results[e]
                if r.get("status") == "error":
                    continue
                ans = workers[e].ask(
                    {
                        "cmd": "sample",
                        "batch": r["batch"],
                        "n": math.ceil(r["reps"] / budget.rounds),
                    }
                )
                if "error" in ans:
                    r.update(status="error", note=ans["error"])
                else:
                    samples[e] += ans["samples"]
        for e in workers:
            r = results[e]
            if r.get("status") == "error":
                continue
            r.update(summarize(samples[e]), reps=len(samples[e]), rounds=budget.rounds, status="ok")
            print(
                f"  {ENGINES[e][0]:16s} {r['median_ms']:9.2f} ms  (first {n_first} call(s) "
                f"{r['first_ms'] / 1e3:.2f} s, {r['reps']} reps, "
                f"err {r['check'].get('max_rel_err', float('nan')):.1e})",
                flush=True,
            )
    finally:
        for wk in workers.values():
            wk.close()
    return list(results.values())


def t2_plan() -> dict[str, Any]:
    """RustTorch's fused forward+backward plan of T2 (kernels, bytes moved), from the Rust
    example ``t2_backward_plan`` when it is built (its last line is a JSON summary)."""
    if not PLAN_EXAMPLE.exists():
        build = "cargo build --release -p rusttorch-benches --example t2_backward_plan"
        return {"note": f"not built ({build})"}
    try:
        out = subprocess.run(
            [str(PLAN_EXAMPLE)], capture_output=True, text=True, timeout=600, check=True
        ).stdout
        return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]
    except (OSError, subprocess.SubprocessError, ValueError, IndexError) as ex:
        return {"note": f"t2_backward_plan failed: {type(ex).__name__}: {ex}"}


def run_train(args: Any, threads: int, budget: Budget) -> int:
    """``--suite train``: every selected workload on every selected engine; writes the JSON
    record and the markdown report beside it."""
    quick = args.quick
    workloads = train_suite(quick)
    if args.only:
        keep = {k.strip().upper() for k in args.only.split(",") if k.strip()}
        workloads = [w for w in workloads if w.key in keep]
    engines = list(ENGINES)
    if args.engines:
        keep = {k.strip() for k in args.engines.split(",") if k.strip()}
        engines = [e for e in engines if e in keep]
    print(
        f"# compare.py: suite train, {len(workloads)} workloads, engines {', '.join(engines)}, "
        f"{threads} threads, one process per engine, {'quick' if quick else 'full'} mode",
        flush=True,
    )
    logs = args.out.parent / "train-logs"
    logs.mkdir(parents=True, exist_ok=True)
    data: dict[str, Any] = {
        "schema": 1,
        "timestamp": datetime.datetime.now().isoformat(timespec="seconds"),
        "argv": sys.argv[1:],
        "threads": threads,
        "mode": "quick" if quick else "full",
        "suite": "train",
        "budget_s": budget.seconds,
        "machine": machine(),
        "env": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "XLA_FLAGS", "JAX_PLATFORMS")},
        "workloads": [],
        "results": [],
        "stream": None,
    }
    for w in workloads:
        print(f"{w.key} {w.name}: {w.desc}", flush=True)
        data["workloads"].append(w.record())
        data["results"] += run_train_workload(w, engines, threads, quick, budget, logs)
    if any(w.key == "T2" for w in workloads):
        data["t2_plan"] = t2_plan()
    versions = {r["engine"]: r.get("version") for r in data["results"] if r.get("version")}
    data["engines"] = [
        {
            "key": e,
            "label": ENGINES[e][0],
            "available": e in versions,
            "version": versions.get(e),
            "reason": "failed to start (see the results' notes)",
        }
        for e in engines
    ]
    try:
        data["machine"]["loadavg_end"] = os.getloadavg()
    except OSError:
        pass
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=1) + "\n")
    text = train_report(data)
    args.out.with_suffix(".md").write_text(text)
    print()
    print(text)
    print(f"raw figures: {args.out}\nreport: {args.out.with_suffix('.md')}\nworker logs: {logs}")
    return 0
