"""Memory stays bounded: 100 000 small evaluations (with conversions both ways) do not grow the
process, and large results of varying sizes are held idle only up to the pool's limit."""

from __future__ import annotations

import gc
import json
import os
import subprocess
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


POOL_SCRIPT = """
import gc, json, numpy as np, rusttorch as rt

def status(key):
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) * 1024 for l in f if l.startswith(key + ":"))

rng = np.random.default_rng(0)
(rt.rand(10, seed=0) * 2).eval()
gc.collect()
base = status("VmRSS")
for i in range(300):
    y = (rt.rand(int(rng.integers(10**6, 2 * 10**6)), seed=i) * 2).eval()
    del y
print(json.dumps({"base": base, "peak": status("VmHWM"), "limit": rt.get_pool_limit()}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
@pytest.mark.parametrize("limit", [None, 64 << 20])
def test_varying_sizes_keep_peak_rss_within_live_data_and_the_pool_limit(limit: int | None) -> None:
    env = {k: v for k, v in os.environ.items() if k != "RUSTTORCH_POOL_LIMIT"}
    if limit is not None:
        env["RUSTTORCH_POOL_LIMIT"] = str(limit)
    cmd = [sys.executable, "-c", POOL_SCRIPT]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    if limit is not None:
        assert r["limit"] == limit, "RUSTTORCH_POOL_LIMIT sets the limit"
    assert 0 < r["limit"] <= 512 << 20
    # Live data: one random input and one result of at most 8 MB each.
    live, slack = 16 << 20, 48 << 20
    grown = r["peak"] - r["base"]
    assert grown <= live + r["limit"] + slack, f"peak RSS grew {grown / 2**20:.0f} MiB: {r}"


def test_the_pool_limit_is_settable() -> None:
    old = rt.get_pool_limit()
    try:
        rt.set_pool_limit(12345678)
        assert rt.get_pool_limit() == 12345678
        rt.set_pool_limit(0)
        assert rt.get_pool_limit() == 0
        x = (rt.rand(1 << 20, seed=1) + 1).eval()  # no pooling at all still works
        assert float(x.min().item()) >= 1.0
        assert float(x.max().item()) < 2.0
        with pytest.raises(ValueError, match="set_pool_limit"):
            rt.set_pool_limit(-1)
        with pytest.raises(TypeError):
            rt.set_pool_limit(1.5)  # type: ignore[arg-type]
    finally:
        rt.set_pool_limit(old)
