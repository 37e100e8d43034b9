"""Out of core: reductions of an expression over a random float32 Dask array larger than memory
(32 GB by default, generated chunk by chunk and never held whole), computed by RustTorch one
fused plan per chunk, with Dask's progress bar and the peak memory of the process.

    .venv/bin/python examples/out_of_core.py [--gb 32] [--chunk-mb 128]

For uniform x in [0, 1): mean((x - 0.5)^2) = 1/12 and max(x) is just below 1.
"""

from __future__ import annotations

import argparse
import resource
import time

import dask
import dask.array as da
import numpy as np
import rusttorch.dask as rtd
from dask.diagnostics import ProgressBar


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gb", type=float, default=32.0, help="size of the array in GB (1e9 bytes)")
    ap.add_argument("--chunk-mb", type=float, default=128.0, help="size of one chunk in MB")
    args = ap.parse_args()
    n = int(args.gb * 1e9) // 4
    chunk = int(args.chunk_mb * 1e6) // 4
    x = da.random.default_rng(0).random(n, chunks=chunk, dtype=np.float32)
    print(
        f"x: {n:,} float32 elements ({n * 4 / 1e9:.1f} GB) in {x.numblocks[0]} chunks "
        f"of {chunk * 4 / 1e6:.0f} MB"
    )

    t = rtd.from_dask(x)
    spread = ((t - 0.5) ** 2).mean()
    top = t.amax()
    print(rtd.explain(spread, top))
    start = time.perf_counter()
    with dask.config.set(scheduler="threads"), ProgressBar():
        rtd.compute(spread, top)  # one Dask graph: every chunk is generated once, read by both
    took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    print(
        f"mean((x - 0.5)^2) = {spread.item():.6f} (expected {1 / 12:.6f}), "
        f"max(x) = {top.item():.8f}"
    )
    print(
        f"{took:.1f} s, {n * 4 / took / 1e9:.2f} GB/s; peak RSS {peak / 1e9:.2f} GB = "
        f"{peak / (n * 4):.1%} of the array"
    )


if __name__ == "__main__":
    main()
