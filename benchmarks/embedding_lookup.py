#!/usr/bin/env python3
"""Times an embedding lookup with an affine epilogue, ``emb.index_select(0, idx) * scale + b``:
fused (the gather read inside the epilogue's kernel), with the gather stored first (the plan
before gathers fused: a gather kernel, then the epilogue), eagerly (one kernel per op), and in
NumPy. Prints the best of ``--repeat`` runs of each, interleaved."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import rusttorch as rt


def best(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    times = {k: float("inf") for k in fns}
    for _ in range(repeat):
        for k, f in fns.items():
            t0 = time.perf_counter()
            f()
            times[k] = min(times[k], time.perf_counter() - t0)
    return times


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--rows", type=int, default=50_000)
    p.add_argument("--width", type=int, default=256)
    p.add_argument("--indices", type=int, default=65_536)
    p.add_argument("--repeat", type=int, default=15)
    a = p.parse_args()
    rng = np.random.default_rng(0)
    emb_n = rng.standard_normal((a.rows, a.width), dtype=np.float32)
    idx_n = rng.integers(0, a.rows, a.indices)
    scale_n = rng.standard_normal(a.width, dtype=np.float32)
    b_n = rng.standard_normal(a.width, dtype=np.float32)
    emb, idx, scale, b = (rt.from_numpy(v) for v in (emb_n, idx_n, scale_n, b_n))

    def fused() -> object:
        return (emb.index_select(0, idx) * scale + b).eval()

    def stored() -> object:
        g = emb.index_select(0, idx).eval()
        return (g * scale + b).eval()

    def eager() -> object:
        return (emb.index_select(0, idx) * scale + b).eval(fuse=False)

    def numpy() -> object:
        return emb_n[idx_n] * scale_n + b_n

    out = (emb.index_select(0, idx) * scale + b).numpy()
    np.testing.assert_allclose(out, numpy(), rtol=1e-6, atol=1e-6)
    times = best({"fused": fused, "stored": stored, "eager": eager, "numpy": numpy}, a.repeat)
    for k, t in times.items():
        print(f"{k:7s} {t * 1e3:8.2f} ms  ({t / times['fused']:.2f}x fused)")


if __name__ == "__main__":
    main()
