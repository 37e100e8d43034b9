"""`(a * b + c) * 2 - a` over 16M elements in float32, float16, int8 and uint8: RustTorch fused
against NumPy, and PyTorch eager when it is installed (docs/performance.md, "Storage dtypes").

    .venv/bin/python benchmarks/dtype_chain.py [--n 16777216] [--repeat 7]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import rusttorch as rt


def median_ms(f: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return sorted(times)[repeat // 2] * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1 << 24)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    try:
        import torch

        torch.set_num_threads(2)
    except ImportError:
        torch = None
    rng = np.random.default_rng(0)
    print("dtype     rusttorch_ms  numpy_ms  torch_ms")
    for dt in ["float32", "float16", "int8", "uint8"]:
        if dt.startswith("float"):
            a, b, c = (rng.standard_normal(args.n).astype(dt) for _ in range(3))
        else:
            a, b, c = (rng.integers(0, 100, args.n).astype(dt) for _ in range(3))
        row = [
            median_ms(
                chain(*(rt.from_numpy(x) for x in (a, b, c)), lambda t: t.eval()), args.repeat
            ),
            median_ms(chain(a, b, c, lambda t: t, two=a.dtype.type(2)), args.repeat),
        ]
        if torch is not None:
            f = chain(*(torch.from_numpy(x) for x in (a, b, c)), lambda t: t)
            f()  # warm-up: torch's first call allocates its pools
            row.append(median_ms(f, args.repeat))
        print(f"{dt:9s} " + "  ".join(f"{v:10.1f}" for v in row))


def chain(a: object, b: object, c: object, done: Callable, two: object = 2) -> Callable[[], object]:
    """The timed expression over one engine's operands; `done` forces a lazy result."""
    return lambda: done((a * b + c) * two - a)


if __name__ == "__main__":
    main()
