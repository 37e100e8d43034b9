"""One workload's measurement: every engine's first call and check, then timed rounds in turn."""

from __future__ import annotations

import gc
import math
import os
import time
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np

from .engines import Engine, Unsupported
from .op_impls import Missing
from .report import fmt_ms
from .stream import CopyProbe
from .timing import Budget, sample, summarize, warm_up
from .workloads import Workload, check

# An engine that passed its check, its result record, and the callable that is timed.
Entry = tuple[Engine, dict[str, Any], Callable[[], Any]]


def run_workload(
    w: Workload,
    engines: list[Engine],
    arrays: list[np.ndarray],
    ref: np.ndarray,
    budget: Budget,
    results: list[dict[str, Any]],
    probe: CopyProbe | None = None,
) -> None:
    """Checks and times every engine on ``w``. After each engine's first call, check and warm-up,
    the engines take turns in ``budget.rounds`` rounds (rotating who goes first), each running its
    share of repetitions: a burst of load from elsewhere on this shared machine then hits all
    engines alike instead of whichever happened to be measured at the time. For a memory-bound
    workload the STREAM copy ``probe`` takes its turns too (its result: engine ``stream_copy``)."""
    ready: list[Entry] = []
    for e in engines:
        r: dict[str, Any] = {"workload": w.key, "engine": e.key}
        results.append(r)
        call = _first_call(w, e, arrays, ref, budget, r)
        if call is not None:
            ready.append((e, r, call))
    if probe is not None and w.memory_bound and w.alongside and ready:
        r = {"workload": w.key, "engine": probe.key, "first_ms": 0.0}
        results.append(r)
        r.update(warm_up(probe, budget))
        ready.append((probe, r, probe))  # type: ignore[arg-type]
    samples: dict[str, list[float]] = {e.key: [] for e, _, _ in ready}
    _take_turns(ready, samples, budget.rounds)
    _finish(ready, samples, budget.rounds, probe)
    ready.clear()
    gc.collect()


def _failed(e: Engine, r: dict[str, Any], ex: Exception) -> None:
    r["status"] = "error"
    r["note"] = f"{type(ex).__name__}: {ex}".splitlines()[0][:300]
    print(f"  {e.label:24s} ERROR: {r['note']}", flush=True)
    if os.environ.get("COMPARE_TRACEBACK"):
        traceback.print_exc()


def _first_call(
    w: Workload,
    e: Engine,
    arrays: list[np.ndarray],
    ref: np.ndarray,
    budget: Budget,
    r: dict[str, Any],
) -> Callable[[], Any] | None:
    """Makes ``e``'s callable, times its first call, checks its result and warms it up. Returns
    the callable when it takes part in the timed rounds; otherwise None, and ``r`` says why."""
    try:
        call = e.make(w, arrays)
    except Unsupported as u:
        r["status"] = "missing" if isinstance(u, Missing) else "unsupported"
        if e.key.startswith("rt_"):
            r["note"] = str(u)
            print(f"  {e.label:24s} skipped: {u}", flush=True)
        return None
    except Exception as ex:
        _failed(e, r, ex)
        return None
    try:
        t0 = time.perf_counter()
        got = call()
        r["first_ms"] = (time.perf_counter() - t0) * 1e3
        r["check"] = check(w, e.to_numpy(got), ref)
        del got
        if not r["check"]["ok"]:
            r["status"] = "wrong"
            c = r["check"]
            print(f"  {e.label:24s} WRONG: {c.get('error') or c}", flush=True)
            return None
        r.update(warm_up(call, budget))
        return call
    except Exception as ex:
        _failed(e, r, ex)
        return None


def _take_turns(ready: list[Entry], samples: dict[str, list[float]], rounds: int) -> None:
    """``rounds`` rounds, each running every entry's share of repetitions, rotating the order."""
    for k in range(rounds):
        order = ready[k % len(ready) :] + ready[: k % len(ready)] if ready else []
        for e, r, call in order:
            if r.get("status") == "error":
                continue
            try:
                samples[e.key] += sample(call, r["batch"], math.ceil(r["reps"] / rounds))
            except Exception as ex:
                _failed(e, r, ex)


def _finish(
    ready: list[Entry], samples: dict[str, list[float]], rounds: int, probe: CopyProbe | None
) -> None:
    """Summarises each entry's samples into its result record and prints one line per entry."""
    for e, r, _ in ready:
        if r.get("status") == "error":
            continue
        r.update(summarize(samples[e.key]))
        r["reps"] = len(samples[e.key])
        r["rounds"] = rounds
        r["status"] = "ok"
        if probe is not None and e is probe:
            r["gbs"] = probe.gbs(r["median_ms"])
            print(
                f"  {e.label:24s} {fmt_ms(r['median_ms']):>9s} ms  ({r['gbs']:.1f} GB/s)",
                flush=True,
            )
            continue
        print(
            f"  {e.label:24s} {fmt_ms(r['median_ms']):>9s} ms  "
            f"(first {fmt_ms(r['first_ms'])} ms, {r['reps']}x{r['batch']}, "
            f"err {r['check']['max_rel_err']:.1e})",
            flush=True,
        )
