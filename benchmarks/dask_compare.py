"""W1 and W5 over Dask arrays on a 2-worker ``LocalCluster``: dask + NumPy, dask + numexpr
(``map_blocks``) and dask + RustTorch (``rusttorch.dask``), side by side in one run.

    .venv/bin/python benchmarks/dask_compare.py [--elements 256M] [--chunk 16M] [--repeat 3]

The inputs are generated on the workers and persisted there first (1 GiB per float32 array at
256M elements, every chunk on both workers), so the timings are the computation alone: W1
``(a*b + c)*0.5 - a*c`` persists its result on the workers (no transfer to the client), W5
``sum((a-b)**2)`` brings back a scalar. Each worker has one thread, and every engine uses one
thread per task. Every result is checked against a float64 evaluation before timing (RustTorch
must match it to 1e-5; the peers' errors are printed: numexpr sums float32 in float32, one term
at a time).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def _size(s: str) -> int:
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(s[:-1]) * mult[s[-1].upper()]) if s[-1].upper() in mult else int(s)


def _ne_w1(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    import numexpr as ne

    return ne.evaluate("(a*b + c)*0.5 - a*c")


def _ne_w5(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    import numexpr as ne

    return np.asarray(ne.evaluate("sum((a-b)**2)"), dtype=np.float64).reshape(1)


def _held(dask_scheduler: Any, keys: set[Any]) -> int:
    return sum(k in dask_scheduler.tasks for k in keys)


def engines(a: Any, b: Any, c: Any) -> dict[str, dict[str, Callable[[], Any]]]:
    """Per engine, W1 and W5 as Dask collections."""
    import dask.array as da
    import rusttorch.dask as rtd

    ra, rb, rc = (rtd.from_dask(x) for x in (a, b, c))
    return {
        "dask + NumPy": {
            "W1": lambda: (a * b + c) * 0.5 - a * c,
            "W5": lambda: ((a - b) ** 2).sum(),
        },
        "dask + numexpr": {
            "W1": lambda: da.map_blocks(_ne_w1, a, b, c, dtype=np.float32),
            "W5": lambda: da.map_blocks(
                _ne_w5, a, b, chunks=((1,) * a.numblocks[0],), dtype=np.float64
            ).sum(),
        },
        "dask + RustTorch": {
            "W1": lambda: rtd.to_dask((ra * rb + rc) * 0.5 - ra * rc),
            "W5": lambda: rtd.to_dask(((ra - rb) ** 2).sum()),
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--elements", default="256M")
    ap.add_argument("--chunk", default="16M")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    n, chunk = _size(args.elements), _size(args.chunk)

    import dask.array as da
    import rusttorch.dask as rtd
    from dask.core import flatten
    from distributed import Client, LocalCluster, wait

    os.environ.setdefault("RUSTTORCH_NUM_THREADS", "1")
    os.environ.setdefault("NUMEXPR_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            memory_limit="10GiB",
        ) as cluster,
        Client(cluster) as client,
    ):
        client.register_plugin(rtd.RustTorchThreads(1))
        rng = da.random.default_rng(3)
        a, b, c = client.persist([rng.random(n, chunks=chunk, dtype=np.float32) for _ in range(3)])
        wait([a, b, c])
        # Every chunk on both workers: no engine's timing includes moving inputs between them.
        client.replicate([a, b, c], n=2)
        runs = engines(a, b, c)
        print(
            f"# {n / 2**20:.0f}M float32 elements in {chunk / 2**20:.0f}M chunks "
            f"({a.numblocks[0]} chunks), 2 workers x 1 thread; median of {args.repeat}"
        )
        step = max(1, n // 4096)
        a64, b64, c64 = (x.astype(np.float64) for x in (a, b, c))
        ref = {  # float64, computed by Dask + NumPy
            "W1": ((a64 * b64 + c64) * 0.5 - a64 * c64)[::step].compute(),
            "W5": float(((a64 - b64) ** 2).sum().compute()),
        }
        results: dict[str, dict[str, float]] = {}
        errors: dict[str, dict[str, float]] = {e: {} for e in runs}
        for engine, work in runs.items():
            results[engine] = {}
            for w, build in work.items():

                def run(build=build, w=w, check: bool = False) -> tuple[float, Any]:
                    t0 = time.perf_counter()
                    if w == "W5":
                        got = float(build().compute())
                        return time.perf_counter() - t0, got
                    out = client.persist(build())
                    wait(out)
                    took = time.perf_counter() - t0
                    got = out[::step].compute() if check else None
                    # Equal graphs have equal keys: a result the scheduler still holds would be
                    # reused by the next run, so wait until it forgets them.
                    keys = set(flatten(out.__dask_keys__()))
                    del out
                    while client.run_on_scheduler(_held, keys=keys):
                        time.sleep(0.05)
                    return took, got

                got = np.asarray(run(check=True)[1], np.float64)
                errors[engine][w] = float(
                    np.max(np.abs(got - ref[w]) / np.maximum(np.abs(ref[w]), 1))
                )
                if engine == "dask + RustTorch":
                    np.testing.assert_allclose(got, ref[w], rtol=1e-5, atol=1e-6)
                times = [run()[0] for _ in range(args.repeat)]
                results[engine][w] = statistics.median(times)
        print("| workload | " + " | ".join(runs) + " | RustTorch / NumPy | RustTorch / numexpr |")
        print("|---|" + "---|" * (len(runs) + 2))
        for w in ("W1", "W5"):
            t = {e: results[e][w] for e in runs}
            cells = " | ".join(f"{t[e] * 1e3:.0f} ms" for e in runs)
            rust = t["dask + RustTorch"]
            print(
                f"| {w} | {cells} | {rust / t['dask + NumPy']:.2f}x "
                f"| {rust / t['dask + numexpr']:.2f}x |"
            )
        print(
            "\nmax relative error against float64: "
            + "; ".join(
                f"{e}: " + ", ".join(f"{w} {errors[e][w]:.1e}" for w in ("W1", "W5")) for e in runs
            )
        )


if __name__ == "__main__":
    main()
