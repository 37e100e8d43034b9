"""STREAM-style bandwidth probes (copy, triad, read) measured in the benchmark's process."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from typing import Any

import numpy as np

from .timing import Budget, time_call
from .workloads import F32

# Elements of each STREAM array, also in quick mode: 64M float32, 256 MiB. STREAM's rule is
# arrays of at least 4x the last-level cache. At 16M (64 MiB, twice the 32 MiB L3) part of the
# arrays stayed cached between repetitions: the copy's best repetition read 77-82 GB/s, the rate
# of a 16 MiB copy that fits in L3, while a 256 MiB copy measured 30-37 GB/s in the same minutes.
STREAM_N = 1 << 26


def stream_gbs(arrays: int, n: int, ms: float) -> float:
    """STREAM's bandwidth: ``arrays`` float32 arrays of ``n`` elements moved in ``ms``."""
    return arrays * n * F32 / (ms * 1e-3) / 1e9


class CopyProbe:
    """STREAM's copy on ``threads`` threads (one contiguous part each), as a callable: one of
    :func:`stream`'s probes, and the probe that takes turns with the engines.

    The machine's bandwidth drifts by 2x within minutes, so the ceiling of a memory-bound
    workload is also measured alongside it: in the same rounds, rotating with the engines, and
    summarised the same way (the median). '% of copy alongside' compares two medians taken under
    the same conditions; '% of best copy' compares a median with STREAM's best repetition.
    """

    key = "stream_copy"
    label = "STREAM copy (alongside)"

    def __init__(self, n: int, threads: int) -> None:
        self.n = n
        self.src = np.random.default_rng(7).uniform(-2.0, 2.0, n).astype(np.float32)
        self.dst = np.zeros_like(self.src)
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=threads)
        parts = np.array_split(np.arange(n), threads)
        self.bounds = [(int(p[0]), int(p[-1]) + 1) for p in parts if p.size]

    def _part(self, lo: int, hi: int) -> None:
        np.copyto(self.dst[lo:hi], self.src[lo:hi])

    def __call__(self) -> None:
        for f in [self.pool.submit(self._part, lo, hi) for lo, hi in self.bounds]:
            f.result()

    def gbs(self, ms: float) -> float:
        """STREAM's bytes for a copy (two arrays) over ``ms``."""
        return stream_gbs(2, self.n, ms)

    def close(self) -> None:
        self.pool.shutdown()


def stream(n: int, threads: int, budget: Budget) -> dict[str, Any]:
    """STREAM-style copy and triad on float32 in this process: the bandwidth ceiling.

    - ``copy_1t``: ``np.copyto(dst, src)`` into a reused array (NumPy copies on one thread);
    - ``copy``: the same split into ``threads`` contiguous parts copied by a thread pool
      (``copyto`` releases the GIL);
    - ``triad``: ``a = b + 3*c`` on ``threads`` threads, over L2-sized chunks (two ufunc passes per
      chunk, the second from cache) so that memory sees one pass;
    - ``read``: a read-only sum of squares (BLAS ``sdot`` of a part with itself) of ``threads``
      parts: the ceiling of reductions, whose output is negligible (reads alone run faster than
      copies).
    Bytes are STREAM's: copy 2 arrays, triad 3 (no write-allocate traffic counted).
    """
    copy = CopyProbe(n, threads)
    src, dst, pool, bounds = copy.src, copy.dst, copy.pool, copy.bounds
    c = np.random.default_rng(8).uniform(-2.0, 2.0, n).astype(np.float32)
    chunk = 1 << 16

    def triad_part(lo: int, hi: int) -> None:
        for s in range(lo, hi, chunk):
            e = min(s + chunk, hi)
            np.multiply(c[s:e], np.float32(3.0), out=dst[s:e])
            np.add(dst[s:e], src[s:e], out=dst[s:e])

    def read_part(lo: int, hi: int) -> None:
        part = src[lo:hi]
        np.dot(part, part)  # BLAS sdot of the part with itself: one read stream

    def parallel(fn: Callable[[int, int], None]) -> None:
        for f in [pool.submit(fn, lo, hi) for lo, hi in bounds]:
            f.result()

    out: dict[str, Any] = {"n": n, "threads": threads}
    runs = {
        "copy_1t": (lambda: np.copyto(dst, src), 2),
        "copy": (copy, 2),
        "triad": (lambda: parallel(triad_part), 3),
        "read": (lambda: parallel(read_part), 1),
    }
    for name, (fn, arrays) in runs.items():
        r = time_call(fn, budget)
        r.pop("samples_ms")
        # STREAM's convention: the best rate (fastest repetition) is the ceiling.
        r["gbs"] = stream_gbs(arrays, n, r["min_ms"])
        r["median_gbs"] = stream_gbs(arrays, n, r["median_ms"])
        out[name] = r
    copy.close()
    expected = src + np.float32(3.0) * c
    out["triad_ok"] = bool(np.allclose(dst, expected))
    out["ceiling_gbs"] = max(out["copy"]["gbs"], out["copy_1t"]["gbs"])
    return out


def print_stream(s: dict[str, Any]) -> None:
    print(
        f"  best: copy {s['copy']['gbs']:.1f} GB/s ({s['threads']} threads), copy_1t "
        f"{s['copy_1t']['gbs']:.1f}, triad {s['triad']['gbs']:.1f}, read {s['read']['gbs']:.1f}",
        flush=True,
    )


def best_stream(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Per probe, the run with the better rate."""
    out = dict(a)
    for k in ("copy_1t", "copy", "triad", "read"):
        out[k] = a[k] if a[k]["gbs"] >= b[k]["gbs"] else b[k]
    out["ceiling_gbs"] = max(out["copy"]["gbs"], out["copy_1t"]["gbs"])
    return out
