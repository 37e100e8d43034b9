"""Timing: warm-up, adaptive repetitions in batches, and the summary of the samples."""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Budget:
    seconds: float  # measured time per (workload, engine)
    min_reps: int
    max_reps: int
    warmup_s: float
    rounds: int  # engines take turns: each round runs every engine's share of repetitions


def warm_up(call: Callable[[], Any], budget: Budget) -> dict[str, Any]:
    """Warm-up calls; returns the per-call estimate, the batch length (calls under ~1 ms run in
    batches of ~2 ms whose time is divided by their length) and the number of timed batches."""
    pc = time.perf_counter
    warm: list[float] = []
    t_end = pc() + budget.warmup_s
    while len(warm) < 2 or (pc() < t_end and len(warm) < 1000):
        t0 = pc()
        call()
        warm.append(pc() - t0)
    est = statistics.median(warm[-5:])
    batch = 1 if est >= 1e-3 else max(1, math.ceil(2e-3 / max(est, 1e-7)))
    reps = int(budget.seconds / max(est * batch, 1e-9))
    reps = min(budget.max_reps, max(budget.min_reps, reps))
    return {"est_ms": est * 1e3, "batch": batch, "reps": reps, "warmup_calls": len(warm)}


def sample(call: Callable[[], Any], batch: int, n: int) -> list[float]:
    """``n`` timed batches of ``batch`` calls; seconds per call."""
    pc = time.perf_counter
    out: list[float] = []
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(n):
            t0 = pc()
            for _ in range(batch):
                call()
            out.append((pc() - t0) / batch)
    finally:
        if gc_was:
            gc.enable()
    return out


def summarize(samples: list[float]) -> dict[str, Any]:
    samples = sorted(samples)
    q = statistics.quantiles(samples, n=4) if len(samples) >= 2 else [samples[0]] * 3
    return {
        "median_ms": statistics.median(samples) * 1e3,
        "min_ms": samples[0] * 1e3,
        "q1_ms": q[0] * 1e3,
        "q3_ms": q[2] * 1e3,
        "samples_ms": [x * 1e3 for x in samples],
    }


def time_call(call: Callable[[], Any], budget: Budget) -> dict[str, Any]:
    """Warm-up, then the median of adaptive repetitions of one callable on its own."""
    plan = warm_up(call, budget)
    return {**plan, **summarize(sample(call, plan["batch"], plan["reps"]))}
