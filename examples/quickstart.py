"""RustTorch quickstart: build a lazy expression, look at its fused plan, check it against NumPy
and time fused vs eager vs NumPy evaluation.

Run with ``make demo`` (builds the extension in release mode first).
"""

from __future__ import annotations

import os

# NumPy's BLAS thread pool is not used by these elementwise workloads, but its idle threads spin
# and take the cores the measured engines need; keep it to one thread (set before importing).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import statistics
import time
from collections.abc import Callable

import numpy as np
import rusttorch as rt

N = 16 * 1024 * 1024  # 16M float32 elements: 64 MiB per array
REPS = 7
THREADS = 2


def median_ms(f: Callable[[], object], reps: int = REPS) -> float:
    """Median wall time of ``f()`` in milliseconds, after one warm-up call."""
    f()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def w1(a: rt.Tensor, b: rt.Tensor, c: rt.Tensor) -> rt.Tensor:
    """W1: ``(a*b + c)*0.5 - a*c``, built lazily (nothing is computed here)."""
    return (a * b + c) * 0.5 - a * c


def main() -> None:
    rt.set_num_threads(THREADS)
    rng = np.random.default_rng(0)
    an, bn, cn = (rng.standard_normal(N, dtype=np.float32) for _ in range(3))
    a, b, c = rt.from_numpy(an), rt.from_numpy(bn), rt.from_numpy(cn)  # zero-copy

    y = w1(a, b, c)
    print(f"rusttorch {rt.__version__}, {rt.get_num_threads()} threads")
    # explain() before anything evaluates y (its repr shows values, so it runs the plan).
    print(f"y = (a*b + c)*0.5 - a*c over {N:,} float32 elements; optimized plan (y.explain()):")
    print(y.explain())
    print(f"y = {y!r}\n")

    result = y.numpy()  # evaluates (fused) and returns a zero-copy, read-only view
    a64, b64, c64 = (x.astype(np.float64) for x in (an, bn, cn))
    expected = (a64 * b64 + c64) * 0.5 - a64 * c64
    np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-6)
    print(
        "matches NumPy (float64 reference): "
        f"max abs error {np.max(np.abs(result - expected)):.2e}\n"
    )

    fused = median_ms(lambda: w1(a, b, c).eval())
    eager = median_ms(lambda: w1(a, b, c).eval(fuse=False))
    numpy = median_ms(lambda: (an * bn + cn) * 0.5 - an * cn)
    gbs = 4 * N * 4 / 1e9  # three inputs read, one output written
    print(f"W1, {N:,} float32 elements, median of {REPS} runs:")
    print(f"  rusttorch fused  {fused:8.2f} ms  ({gbs / fused * 1e3:5.1f} GB/s)")
    print(f"  rusttorch eager  {eager:8.2f} ms  ({eager / fused:4.1f}x the fused time)")
    print(f"  NumPy            {numpy:8.2f} ms  ({numpy / fused:4.1f}x the fused time)\n")

    # Per-call overhead on a small input: building the expression, evaluating it and getting
    # the NumPy array back, all from Python.
    small = [x[:1024].copy() for x in (an, bn, cn)]
    sa, sb, sc = (rt.from_numpy(x) for x in small)

    # (Each result is dropped before the next call, as in a loop that uses it: keeping a thousand
    # results alive would time the allocator instead.)
    def calls_rt() -> None:
        for _ in range(1000):
            w1(sa, sb, sc).numpy()

    s1, s2, s3 = small

    def calls_np() -> None:
        for _ in range(1000):
            (s1 * s2 + s3) * 0.5 - s1 * s3

    per_rt = median_ms(calls_rt) * 1e3 / 1000
    per_np = median_ms(calls_np) * 1e3 / 1000
    print(
        "W1 on 1,024 elements, per call from Python: "
        f"rusttorch {per_rt:.2f} us, NumPy {per_np:.2f} us "
        f"(ratio {per_rt / per_np:.2f})"
    )


if __name__ == "__main__":
    main()
