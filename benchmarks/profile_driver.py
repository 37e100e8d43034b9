#!/usr/bin/env python3
"""Runs one W-suite workload on RustTorch in a loop, for a profiler to watch.

    python benchmarks/profile_driver.py W1 --seconds 5          # under perf record
    python benchmarks/profile_driver.py W1 --iters 3 --quick     # under valgrind --tool=callgrind

The inputs are made and the plan is compiled (first call) before the loop, so that a profile is
dominated by the steady-state evaluation. ``run_benchmarks.sh --profile`` and ``--callgrind`` drive
this script.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The compare package (beside this file) sets the thread environment from --threads as it is
# imported, before NumPy is.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import argparse
import time

from compare.engines import RustTorch, Unsupported
from compare.env import THREADS
from compare.workloads import suite


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("workload", help="W1 .. W8")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--eager", action="store_true", help="profile eval(fuse=False)")
    p.add_argument("--quick", action="store_true", help="the 16x smaller quick-mode sizes")
    p.add_argument("--seconds", type=float, default=5.0, help="loop for this long")
    p.add_argument("--iters", type=int, default=0, help="loop this many times instead")
    args = p.parse_args()

    key = args.workload.upper()
    wl = {w.key: w for w in suite(args.quick)}
    if key not in wl:
        print(f"unknown workload {args.workload}; one of {', '.join(wl)}", file=sys.stderr)
        return 2
    w = wl[key]
    engine = RustTorch(fuse=not args.eager)
    engine.setup(THREADS)
    try:
        call = engine.make(w, w.inputs(seed=int(key[1:])))
    except Unsupported as e:
        print(f"{key}: {e}", file=sys.stderr)
        return 2
    call()  # planning and buffer pool warm-up happen here, before the measured loop
    n = 0
    t0 = time.perf_counter()
    if args.iters > 0:
        for _ in range(args.iters):
            call()
        n = args.iters
    else:
        while time.perf_counter() - t0 < args.seconds:
            call()
            n += 1
    dt = time.perf_counter() - t0
    print(
        f"{key} {w.name} ({engine.label}, {THREADS} threads): {n} calls, "
        f"{dt / n * 1e3:.3f} ms per call"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
