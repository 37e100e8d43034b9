"""100 000 small evaluations (with conversions both ways) do not grow the process."""

from __future__ import annotations

import gc
import os
import sys

import numpy as np
import pytest
import rusttorch as rt


def rss_bytes() -> int:
    """Resident set size of this process, from /proc (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_many_small_evals_do_not_leak() -> None:
    an, bn, cn = (np.full(16, v, dtype=np.float32) for v in (1.0, 2.0, 3.0))

    def step(i: int) -> float:
        a, b = rt.from_numpy(an), rt.from_numpy(bn)
        c = rt.tensor(cn)
        y = (a * b + c) * 0.5 - a * c
        if i % 2:
            y = y.eval(fuse=False)
        out = y.numpy()
        return float(out[0]) + (y.sum().item() if i % 100 == 0 else 0.0)

    for i in range(5_000):  # warm up: plan cache, allocator pools
        step(i)
    gc.collect()
    before = rss_bytes()
    for i in range(100_000):
        step(i)
    gc.collect()
    growth = rss_bytes() - before
    assert step(1) == -0.5
    assert growth < 8 * 2**20, f"RSS grew by {growth / 2**20:.1f} MiB over 100 000 evaluations"
