"""First-call latency of new graphs and time to compiled code (issue 18's tiering targets).

Each round builds a 20-op elementwise graph never seen before (a new structure). The first
rounds time its first evaluation end to end, back to back (graph walk, passes, planning, the VM
run: the first tier); the next ones wait each until ``explain()`` reports the kernel compiled,
and report how long compiling took and how long from the first call until the code was ready
(the quick code, LLVM at -O0), then how long the optimized code (-O1) took once asked for.
Then it times the graph per call on both tiers at 1M elements.

    python benchmarks/jit_latency.py [--rounds 30] [--n 1024] [--threads 2]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time

# OpenBLAS's idle threads (started with NumPy) busy-wait after start-up, taking one of the two
# cores from the first calls and the compiler thread; 2^4 cycles makes them sleep.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

import numpy as np
import rusttorch as rt


def chain(x: rt.Tensor, salt: float, shape: int = 0) -> rt.Tensor:
    """20 elementwise ops: affine steps, a tanh, a sigmoid, a relu (or abs) and a maximum.

    The bits of ``shape`` choose among 64 structures (constants alone would not make a new
    kernel: compiled code takes them as arguments)."""
    y = x
    for j in range(4):
        y = y * (1.0 + salt + 0.01 * j) + 0.1 * j
        y = y - 0.05 * salt if shape >> j & 1 else y + 0.05 * salt
    squash = (rt.tanh, rt.sigmoid) if shape >> 4 & 1 else (rt.sigmoid, rt.tanh)
    y = squash[0](y) * 0.9 + 0.05
    y = squash[1](y) * 2.0 - 1.0
    y = (rt.relu(y) if shape >> 5 & 1 else rt.abs(y)) + rt.maximum(x, y) * 0.5
    return y


def per_call_ms(build, reps: int = 200) -> float:
    build().eval()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        build().eval()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=30)
    p.add_argument("--n", type=int, default=1024, help="elements of the first-call graphs")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    rt.set_num_threads(args.threads)
    if rt.get_jit() == "off":
        print("the JIT is off (RUSTTORCH_JIT=0, or a build without LLVM): VM tier only")
    x = rt.from_numpy(np.linspace(-2, 2, args.n, dtype=np.float32))
    if 2 * args.rounds + 3 > 64:
        p.error("--rounds: at most 30 (64 structures)")

    # Made before any timing: seeding a NumPy generator takes ~50 us, a quarter of the budget.
    salts = [
        1e-3 * (i + 1) + np.random.default_rng(i).uniform(0, 1e-4)
        for i in range(2 * args.rounds + 3)
    ]

    def salt(i: int) -> float:
        return salts[i]

    # First calls back to back, as a program meets new graphs: the rounds do not wait for the
    # compiler (it works through its queue meanwhile). Waiting for it between rounds would
    # measure something else: after a pause of ~10 ms on this KVM machine a first call took
    # ~300-400 us with the JIT on or off alike (cold caches), ~130 us without the pause.
    first = []
    for i in range(args.rounds + 3):
        t0 = time.perf_counter()
        chain(x, salt(i), i).eval()
        if i >= 3:  # the first rounds start the pool and the compiler thread
            first.append((time.perf_counter() - t0) * 1e6)
    # Time to compiled code: new structures, one at a time, each waited for (polling).
    compile_ms, ready_ms, optimize_ms = [], [], []
    for i in range(args.rounds + 3, 2 * args.rounds + 3):
        t0 = time.perf_counter()
        chain(x, salt(i), i).eval()
        text = rt.explain(chain(x, salt(i), i))
        while rt.get_jit() != "off" and "compiling" in text:
            text = rt.explain(chain(x, salt(i), i))
        m = re.search(r"compiled in ([0-9.]+) ms", text)
        if not m:
            continue
        compile_ms.append(float(m.group(1)))
        ready_ms.append((time.perf_counter() - t0) * 1e3)
        # The first code is quick (-O0); its first run asks for the optimized code (-O1).
        chain(x, salt(i), i).eval()
        text = rt.explain(chain(x, salt(i), i))
        while "optimizing" in text:
            text = rt.explain(chain(x, salt(i), i))
        m = re.search(r"optimized in ([0-9.]+) ms", text)
        if m:
            optimize_ms.append(float(m.group(1)))
    print(f"first call of a new 20-op graph ({args.n} elements), median of {args.rounds}:")
    print(f"  end to end (VM tier): {statistics.median(first):.0f} us (min {min(first):.0f})")
    if compile_ms:
        print(f"  compile time (LLVM):  {statistics.median(compile_ms):.2f} ms (first code)")
        print(f"  first call to ready:  {statistics.median(ready_ms):.2f} ms")
    if optimize_ms:
        print(f"  optimized code:       {statistics.median(optimize_ms):.2f} ms more (-O1)")
    big = rt.from_numpy(np.linspace(-2, 2, 1 << 20, dtype=np.float32))
    compiled = per_call_ms(lambda: chain(big, 0.5))
    rt.set_jit("off")
    vm = per_call_ms(lambda: chain(big, 0.5))
    rt.set_jit(None)
    print(f"the same graph at 1M per call: compiled {compiled:.3f} ms, VM {vm:.3f} ms")


if __name__ == "__main__":
    main()
