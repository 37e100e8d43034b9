#!/usr/bin/env python3
"""The W-suite of the benchmarks issue, RustTorch against its peers, in one process.

Engines: RustTorch fused and eager (``t.eval(fuse=False)``), NumPy, and when importable numexpr,
PyTorch eager (composed formula and builtin fused op), ``torch.compile`` and ``jax.jit``. A missing
engine is skipped with a line saying so.

Per workload and engine:

1. the inputs are converted once (zero-copy where the engine allows it, not timed);
2. the first call is timed on its own (it includes planning / tracing / compilation);
3. the result is checked against NumPy in float64 (``|got-ref| <= atol + rtol*|ref|``); a wrong
   result is reported with its error and not timed;
4. warm-up, then the median of an adaptive number of repetitions (calls under a millisecond are
   timed in batches and divided).

A STREAM-style copy and triad measured in the same process give the bandwidth ceiling that the
memory-bound workloads are compared with (effective bandwidth = compulsory bytes: every input
read once plus the output written once, over the median time).

Thread counts are equal for every engine (``--threads``, default 2). The thread environment
variables are set at the very top of this script, before NumPy, PyTorch or JAX are imported.

Outputs: a markdown report (stdout and ``<out>.md``), the raw figures as JSON (``--out``,
default ``bench-results/compare.json``) and a PNG bar chart (``<out>.png``, with matplotlib).
"""

from __future__ import annotations

import os
import sys


def _early_threads(argv: list[str]) -> int:
    """``--threads N`` (or ``--threads=N``) from argv, before argparse and any heavy import."""
    for i, arg in enumerate(argv):
        value = None
        if arg == "--threads" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--threads="):
            value = arg.split("=", 1)[1]
        if value is not None:
            try:
                return max(1, int(value))
            except ValueError:
                return 2
    return 2


THREADS = _early_threads(sys.argv[1:])
for _var in (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "NUMEXPR_MAX_THREADS",
    "VECLIB_MAXIMUM_THREADS",
):
    os.environ[_var] = str(THREADS)
os.environ.setdefault("JAX_PLATFORMS", "cpu")
# OpenBLAS's idle worker threads (NumPy's W7 matmul, the STREAM read probe) busy-wait for ~2^28
# cycles after each call, taking a core from whichever engine runs next; 2^4 makes them sleep.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
# torch.compile's first call is reported as its compile time: a fresh Inductor cache directory
# per run makes it a cold compile (what a user's first run pays), not a cache hit from the last
# benchmark run. Set TORCHINDUCTOR_CACHE_DIR to measure with a warm cache instead.
if "TORCHINDUCTOR_CACHE_DIR" not in os.environ:
    import atexit
    import shutil as _shutil
    import tempfile

    os.environ["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="rusttorch-bench-inductor-")
    atexit.register(_shutil.rmtree, os.environ["TORCHINDUCTOR_CACHE_DIR"], ignore_errors=True)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# XLA's CPU client sizes its pools from the CPUs this process may run on (the affinity below);
# one thread needs the Eigen pool switched off explicitly.
if THREADS == 1:
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "")
        + " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    ).strip()
# Fewer threads than CPUs: pin the process to THREADS CPUs, so that engines without a thread
# setting (XLA) cannot use more.
if hasattr(os, "sched_setaffinity") and THREADS < len(os.sched_getaffinity(0)):
    os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:THREADS])

import argparse  # noqa: E402
import concurrent.futures  # noqa: E402
import datetime  # noqa: E402
import gc  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
F32 = 4  # bytes per float32 element
GELU_C = 0.7978845608
GELU_K = 0.044715
LN_EPS = 1e-5

# ---------------------------------------------------------------- workloads


@dataclass
class Workload:
    """One W-suite workload: f32 input shapes, the float64 reference and the tolerance."""

    key: str
    name: str
    shapes: list[tuple[int, ...]]
    out_shape: tuple[int, ...]
    ref: Callable[[list[np.ndarray]], np.ndarray]
    desc: str
    atol: float = 1e-5
    rtol: float = 1e-4
    # A stricter accuracy target (atol, rtol) that is reported, not enforced.
    target: tuple[float, float] | None = None
    flops: float | None = None  # compute-bound workloads: rate in GFLOP/s instead of GB/s
    per_call: bool = False  # W8: per-call overhead, reported in microseconds

    @property
    def memory_bound(self) -> bool:
        return self.flops is None and not self.per_call

    @property
    def bytes(self) -> int:
        """Compulsory bytes: every input read once plus the output written once."""
        n_in = sum(math.prod(s) for s in self.shapes)
        return (n_in + math.prod(self.out_shape)) * F32

    def inputs(self, seed: int = 0) -> list[np.ndarray]:
        rng = np.random.default_rng(seed)
        return [rng.uniform(-2.0, 2.0, size=s).astype(np.float32) for s in self.shapes]


def _ref_fma(t: list[np.ndarray]) -> np.ndarray:
    a, b, c = t
    return (a * b + c) * 0.5 - a * c


def _ref_gelu(t: list[np.ndarray]) -> np.ndarray:
    x = t[0]
    return 0.5 * x * (1.0 + np.tanh(GELU_C * (x + GELU_K * x**3)))


def _ref_softmax(t: list[np.ndarray]) -> np.ndarray:
    e = np.exp(t[0] - t[0].max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _ref_layernorm(t: list[np.ndarray]) -> np.ndarray:
    x, w, b = t
    m = x.mean(axis=1, keepdims=True)
    v = ((x - m) ** 2).mean(axis=1, keepdims=True)
    return (x - m) / np.sqrt(v + LN_EPS) * w + b


def _ref_mse(t: list[np.ndarray]) -> np.ndarray:
    return np.asarray(np.sum((t[0] - t[1]) ** 2))


def _ref_colsum(t: list[np.ndarray]) -> np.ndarray:
    return t[0].sum(axis=0)


def _ref_mm(t: list[np.ndarray]) -> np.ndarray:
    return np.maximum(t[0] @ t[1] + t[2], 0.0)


def suite(quick: bool) -> list[Workload]:
    """The W-suite; ``quick`` shrinks sizes 16x (1M elements, 1024^2, W7 256^2): smoke tests."""
    n = 1 << 20 if quick else 1 << 24
    side = 1024 if quick else 4096
    mm = 256 if quick else 1024
    return [
        Workload("W1", "fma_chain", [(n,)] * 3, (n,), _ref_fma, "(a*b + c)*0.5 - a*c"),
        Workload(
            "W2",
            "gelu_tanh",
            [(n,)],
            (n,),
            _ref_gelu,
            "0.5*x*(1 + tanh(0.7978845608*(x + 0.044715*x**3)))",
            target=(1e-6, 1e-6),
        ),
        Workload(
            "W3", "softmax_rows", [(side, side)], (side, side), _ref_softmax, "softmax(x, dim=1)"
        ),
        Workload(
            "W4",
            "layernorm_rows",
            [(side, side), (side,), (side,)],
            (side, side),
            _ref_layernorm,
            "layer_norm(x, weight, bias) over dim 1",
        ),
        Workload("W5", "mse_sum", [(n,)] * 2, (), _ref_mse, "sum((a-b)**2)"),
        # A column sum's rounding error scales with sum(|x|) (~side), not with |sum|, which
        # cancels towards 0: atol 1e-3 is ~2.5e-7 of sum(|x|) over 4096 rows.
        Workload("W6", "col_sum", [(side, side)], (side,), _ref_colsum, "sum(x, dim=0)", atol=1e-3),
        # K-term f32 dot products: the absolute error scales with sqrt(K)*|a||b|, hence atol.
        Workload(
            "W7",
            "matmul_bias_relu",
            [(mm, mm), (mm, mm), (mm,)],
            (mm, mm),
            _ref_mm,
            "relu(A@B + bias)",
            atol=1e-3,
            flops=2.0 * mm**3,
        ),
        Workload(
            "W8",
            "small_chain",
            [(1024,)] * 3,
            (1024,),
            _ref_fma,
            "W1 at N=1024 (per call, result as a NumPy array)",
            per_call=True,
        ),
    ]


# ---------------------------------------------------------------- engines


class Unsupported(Exception):
    """The engine has no implementation of this workload."""


class Engine:
    """An engine: converts inputs once, then returns a zero-argument callable per workload whose
    call does the whole computation and returns a forced (fully computed) result."""

    key = ""
    label = ""
    module = ""  # the module whose version is reported

    def unavailable(self) -> str | None:
        """Why the engine cannot run here, or None."""
        try:
            importlib.import_module(self.module)
        except Exception as e:  # ImportError, or a broken install
            return f"{self.module} not importable ({type(e).__name__}: {e})".splitlines()[0]
        return None

    def version(self) -> str:
        return str(getattr(importlib.import_module(self.module), "__version__", "?"))

    def setup(self, threads: int) -> None:
        """Applies the thread count (after import)."""

    def make(self, w: Workload, arrays: list[np.ndarray]) -> Callable[[], Any]:
        raise NotImplementedError

    def to_numpy(self, result: Any) -> np.ndarray:
        return np.asarray(result)


class RustTorch(Engine):
    module = "rusttorch"

    def __init__(self, fuse: bool) -> None:
        self.fuse = fuse
        self.key = "rt_fused" if fuse else "rt_eager"
        self.label = "RustTorch fused" if fuse else "RustTorch eager"

    def setup(self, threads: int) -> None:
        import rusttorch as rt

        rt.set_num_threads(threads)

    @staticmethod
    def matmul_fn() -> Callable[[Any, Any], Any] | None:
        import rusttorch as rt

        if hasattr(rt.Tensor, "__matmul__"):
            return lambda a, b: a @ b
        if hasattr(rt, "matmul"):
            return rt.matmul
        return None

    def make(self, w: Workload, arrays: list[np.ndarray]) -> Callable[[], Any]:
        import rusttorch as rt

        t = [rt.from_numpy(a) for a in arrays]
        fuse = self.fuse
        # Every call builds the lazy expression anew (as a user's code does) and forces it.
        if w.key == "W1":
            a, b, c = t
            return lambda: ((a * b + c) * 0.5 - a * c).eval(fuse=fuse)
        if w.key == "W2":
            (x,) = t
            return lambda: (0.5 * x * (1.0 + rt.tanh(GELU_C * (x + GELU_K * x**3)))).eval(fuse=fuse)
        if w.key == "W3":
            (x,) = t
            return lambda: x.softmax(1).eval(fuse=fuse)
        if w.key == "W4":
            x, wt, bs = t
            n = w.shapes[0][1]
            return lambda: rt.layer_norm(x, n, wt, bs, LN_EPS).eval(fuse=fuse)
        if w.key == "W5":
            a, b = t
            return lambda: ((a - b) ** 2).sum().eval(fuse=fuse)
        if w.key == "W6":
            (x,) = t
            return lambda: x.sum(0).eval(fuse=fuse)
        if w.key == "W7":
            mm = self.matmul_fn()
            if mm is None:
                raise Unsupported("rusttorch has no matmul binding (Tensor.__matmul__/matmul)")
            a, b, bias = t
            return lambda: (mm(a, b) + bias).relu().eval(fuse=fuse)
        if w.key == "W8":
            a, b, c = t
            return lambda: ((a * b + c) * 0.5 - a * c).eval(fuse=fuse).numpy()
        raise Unsupported(w.key)

    def to_numpy(self, result: Any) -> np.ndarray:
        return result if isinstance(result, np.ndarray) else result.numpy()


class NumPy(Engine):
    key = "numpy"
    label = "NumPy"
    module = "numpy"

    def make(self, w: Workload, arrays: list[np.ndarray]) -> Callable[[], Any]:
        t = arrays
        if w.key in ("W1", "W8"):
            a, b, c = t
            return lambda: (a * b + c) * 0.5 - a * c
        if w.key == "W2":
            (x,) = t
            return lambda: 0.5 * x * (1.0 + np.tanh(GELU_C * (x + GELU_K * x**3)))
        if w.key == "W3":
            (x,) = t

            def softmax() -> np.ndarray:
                e = np.exp(x - x.max(axis=1, keepdims=True))
                return e / e.sum(axis=1, keepdims=True)

            return softmax
        if w.key == "W4":
            x, wt, bs = t

            def layernorm() -> np.ndarray:
                m = x.mean(axis=1, keepdims=True)
                d = x - m
                v = (d * d).mean(axis=1, keepdims=True)
                return d / np.sqrt(v + LN_EPS) * wt + bs

            return layernorm
        if w.key == "W5":
            a, b = t
            return lambda: np.sum((a - b) ** 2)
        if w.key == "W6":
            (x,) = t
            return lambda: x.sum(axis=0)
        if w.key == "W7":
            a, b, bias = t
            return lambda: np.maximum(a @ b + bias, 0.0)
        raise Unsupported(w.key)


class Numexpr(Engine):
    key = "numexpr"
    label = "numexpr"
    module = "numexpr"

    def setup(self, threads: int) -> None:
        import numexpr as ne

        ne.set_num_threads(threads)

    def make(self, w: Workload, arrays: list[np.ndarray]) -> Callable[[], Any]:
        import numexpr as ne

        if w.key in ("W1", "W8"):
            d = dict(zip("abc", arrays, strict=True))
            return lambda: ne.evaluate("(a*b + c)*0.5 - a*c", local_dict=d)
        if w.key == "W2":
            d = {"x": arrays[0]}
            expr = f"0.5*x*(1 + tanh({GELU_C}*(x + {GELU_K}*x**3)))"
            return lambda: ne.evaluate(expr, local_dict=d)
        if w.key == "W5":
            d = dict(zip("ab", arrays, strict=True))
            return lambda: ne.evaluate("sum((a-b)**2)", local_dict=d)
        raise Unsupported(w.key)


class TorchBase(Engine):
    module = "torch"

    def setup(self, threads: int) -> None:
        import torch

        torch.set_num_threads(threads)
        torch.set_grad_enabled(False)

    @staticmethod
    def tensors(arrays: list[np.ndarray]) -> list[Any]:
        import torch

        return [torch.from_numpy(a) for a in arrays]

    def to_numpy(self, result: Any) -> np.ndarray:
        return result if isinstance(result, np.ndarray) else result.numpy()

    @staticmethod
    def call(w: Workload, f: Callable[..., Any], t: list[Any]) -> Callable[[], Any]:
        """``f(*t)`` as timed: per-call workloads include the conversion to NumPy."""
        if w.per_call:
            return lambda: f(*t).numpy()
        return lambda: f(*t)


def torch_composed(key: str) -> Callable[..., Any]:
    """The composed formula of a workload in PyTorch ops (eager, and the input of torch.compile).
    A new function object per call, so every torch.compile gets its own code cache entry."""
    import torch

    if key in ("W1", "W8"):

        def fma(a: Any, b: Any, c: Any) -> Any:
            return (a * b + c) * 0.5 - a * c

        return fma
    if key == "W2":

        def gelu(x: Any) -> Any:
            return 0.5 * x * (1.0 + torch.tanh(GELU_C * (x + GELU_K * x**3)))

        return gelu
    if key == "W3":

        def softmax(x: Any) -> Any:
            e = torch.exp(x - x.amax(dim=1, keepdim=True))
            return e / e.sum(dim=1, keepdim=True)

        return softmax
    if key == "W4":

        def layernorm(x: Any, w: Any, b: Any) -> Any:
            m = x.mean(dim=1, keepdim=True)
            d = x - m
            v = (d * d).mean(dim=1, keepdim=True)
            return d * torch.rsqrt(v + LN_EPS) * w + b

        return layernorm
    if key == "W5":

        def mse(a: Any, b: Any) -> Any:
            return ((a - b) ** 2).sum()

        return mse
    if key == "W6":

        def colsum(x: Any) -> Any:
            return x.sum(dim=0)

        return colsum
    if key == "W7":

        def mm(a: Any, b: Any, bias: Any) -> Any:
            return torch.relu(a @ b + bias)

        return mm
    raise Unsupported(key)


class TorchEager(TorchBase):
    key = "torch"
    label = "torch eager (composed)"

    def make(self, w: Workload, arrays: list[np.ndarray]) -> Callable[[], Any]:
        return self.call(w, torch_composed(w.key), self.tensors(arrays))


class TorchBuiltin(TorchBase):
    key = "torch_builtin"
    label = "torch builtin op"

    def make(self, w: Workload, arrays: list[np.ndarray]) -> Callable[[], Any]:
        import torch
        import torch.nn.functional as F

        t = self.tensors(arrays)
        if w.key == "W2":
            (x,) = t
            return lambda: F.gelu(x, approximate="tanh")
        if w.key == "W3":
            (x,) = t
            return lambda: torch.softmax(x, dim=1)
        if w.key == "W4":
            x, wt, bs = t
            shape = (w.shapes[0][1],)
            return lambda: F.layer_norm(x, shape, wt, bs, LN_EPS)
        if w.key == "W5":
            a, b = t
            return lambda: F.mse_loss(a, b, reduction="sum")
        if w.key == "W7":
            a, b, bias = t
            return lambda: torch.relu(torch.addmm(bias, a, b))
        raise Unsupported(w.key)


class TorchCompile(TorchBase):
    key = "torch_compile"
    label = "torch.compile"

    def unavailable(self) -> str | None:
        why = super().unavailable()
        if why:
            return why
        cxx = os.environ.get("CXX", "g++")
        if shutil.which(cxx) is None:
            return f"torch.compile needs a C++ compiler ({cxx} not found)"
        return None

    def make(self, w: Workload, arrays: list[np.ndarray]) -> Callable[[], Any]:
        import torch

        f = torch.compile(torch_composed(w.key), dynamic=False)
        return self.call(w, f, self.tensors(arrays))


class JaxJit(Engine):
    key = "jax_jit"
    label = "jax.jit"
    module = "jax"

    def make(self, w: Workload, arrays: list[np.ndarray]) -> Callable[[], Any]:
        import jax
        import jax.numpy as jnp

        t = [jax.device_put(a) for a in arrays]
        if w.key in ("W1", "W8"):

            def f(a: Any, b: Any, c: Any) -> Any:
                return (a * b + c) * 0.5 - a * c

        elif w.key == "W2":

            def f(x: Any) -> Any:
                return 0.5 * x * (1.0 + jnp.tanh(GELU_C * (x + GELU_K * x**3)))

        elif w.key == "W3":

            def f(x: Any) -> Any:
                e = jnp.exp(x - x.max(axis=1, keepdims=True))
                return e / e.sum(axis=1, keepdims=True)

        elif w.key == "W4":

            def f(x: Any, wt: Any, bs: Any) -> Any:
                m = x.mean(axis=1, keepdims=True)
                d = x - m
                v = (d * d).mean(axis=1, keepdims=True)
                return d * jax.lax.rsqrt(v + LN_EPS) * wt + bs

        elif w.key == "W5":

            def f(a: Any, b: Any) -> Any:
                return jnp.sum((a - b) ** 2)

        elif w.key == "W6":

            def f(x: Any) -> Any:
                return x.sum(axis=0)

        elif w.key == "W7":

            def f(a: Any, b: Any, bias: Any) -> Any:
                return jax.nn.relu(a @ b + bias)

        else:
            raise Unsupported(w.key)
        jf = jax.jit(f)
        if w.per_call:
            return lambda: np.asarray(jf(*t))
        return lambda: jf(*t).block_until_ready()


def all_engines() -> list[Engine]:
    return [
        RustTorch(fuse=True),
        RustTorch(fuse=False),
        NumPy(),
        Numexpr(),
        TorchEager(),
        TorchBuiltin(),
        TorchCompile(),
        JaxJit(),
    ]


# ---------------------------------------------------------------- checking and timing


def check(w: Workload, got: np.ndarray, ref: np.ndarray) -> dict[str, Any]:
    """Errors of ``got`` against the float64 reference ``ref``."""
    got = np.asarray(got)
    out: dict[str, Any] = {"ok": False}
    if got.shape != ref.shape:
        out["error"] = f"shape {got.shape} != reference {ref.shape}"
        return out
    g = got.astype(np.float64)
    if not np.all(np.isfinite(g)):
        out["error"] = "non-finite values"
        return out
    err = np.abs(g - ref)
    aref = np.abs(ref)
    max_ref = float(aref.max()) if aref.size else 0.0
    out["max_abs_err"] = float(err.max())
    out["max_rel_err"] = float(err.max() / max_ref) if max_ref > 0 else float(err.max())
    # Worst ratio of the error to the allowed error: <= 1 passes.
    out["tol_ratio"] = float((err / (w.atol + w.rtol * aref)).max())
    out["ok"] = out["tol_ratio"] <= 1.0
    if w.target is not None:
        ta, tr = w.target
        out["target"] = [ta, tr]
        out["target_ratio"] = float((err / (ta + tr * aref)).max())
        out["target_ok"] = out["target_ratio"] <= 1.0
    if got.dtype != np.float32:
        out["dtype"] = str(got.dtype)
    return out


@dataclass
class Budget:
    seconds: float  # measured time per (workload, engine)
    min_reps: int
    max_reps: int
    warmup_s: float
    rounds: int  # engines take turns: each round runs every engine's share of repetitions


def warm_up(call: Callable[[], Any], budget: Budget) -> dict[str, Any]:
    """Warm-up calls; returns the per-call estimate, the batch length (calls under ~1 ms run in
    batches of ~2 ms whose time is divided by their length) and the number of timed batches."""
    pc = time.perf_counter
    warm: list[float] = []
    t_end = pc() + budget.warmup_s
    while len(warm) < 2 or (pc() < t_end and len(warm) < 1000):
        t0 = pc()
        call()
        warm.append(pc() - t0)
    est = statistics.median(warm[-5:])
    batch = 1 if est >= 1e-3 else max(1, math.ceil(2e-3 / max(est, 1e-7)))
    reps = int(budget.seconds / max(est * batch, 1e-9))
    reps = min(budget.max_reps, max(budget.min_reps, reps))
    return {"est_ms": est * 1e3, "batch": batch, "reps": reps, "warmup_calls": len(warm)}


def sample(call: Callable[[], Any], batch: int, n: int) -> list[float]:
    """``n`` timed batches of ``batch`` calls; seconds per call."""
    pc = time.perf_counter
    out: list[float] = []
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(n):
            t0 = pc()
            for _ in range(batch):
                call()
            out.append((pc() - t0) / batch)
    finally:
        if gc_was:
            gc.enable()
    return out


def summarize(samples: list[float]) -> dict[str, Any]:
    samples = sorted(samples)
    q = statistics.quantiles(samples, n=4) if len(samples) >= 2 else [samples[0]] * 3
    return {
        "median_ms": statistics.median(samples) * 1e3,
        "min_ms": samples[0] * 1e3,
        "q1_ms": q[0] * 1e3,
        "q3_ms": q[2] * 1e3,
        "samples_ms": [x * 1e3 for x in samples],
    }


def time_call(call: Callable[[], Any], budget: Budget) -> dict[str, Any]:
    """Warm-up, then the median of adaptive repetitions of one callable on its own."""
    plan = warm_up(call, budget)
    return {**plan, **summarize(sample(call, plan["batch"], plan["reps"]))}


# ---------------------------------------------------------------- STREAM


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


# ---------------------------------------------------------------- machine description


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus_available": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
    }
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        keep = (
            "Architecture",
            "Model name",
            "CPU(s)",
            "Thread(s) per core",
            "Core(s) per socket",
            "Socket(s)",
            "L1d cache",
            "L2 cache",
            "L3 cache",
            "CPU max MHz",
            "Hypervisor vendor",
        )
        info["lscpu"] = {
            k.strip(): v.strip()
            for k, _, v in (ln.partition(":") for ln in lscpu.splitlines())
            if k.strip() in keep
        }
        flags = next((ln for ln in lscpu.splitlines() if ln.startswith("Flags")), "")
        info["simd"] = [f for f in ("avx2", "fma", "avx512f") if f" {f}" in flags]
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        info["mem_total_gib"] = round(
            os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1
        )
        info["loadavg_start"] = os.getloadavg()
    except (OSError, ValueError):
        pass
    try:
        info["git_rev"] = subprocess.run(
            ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return info


# ---------------------------------------------------------------- report


def fmt_ms(ms: float) -> str:
    if ms >= 100:
        return f"{ms:.0f}"
    if ms >= 10:
        return f"{ms:.1f}"
    if ms >= 1:
        return f"{ms:.2f}"
    if ms >= 0.01:
        return f"{ms:.3f}"
    return f"{ms:.4f}"


def fmt_first(first_ms: float, median_ms: float) -> str:
    """The first call in brackets where it stands out (compilation, planning, page faults)."""
    if first_ms > 2 * median_ms and first_ms - median_ms > 1.0:
        return f" [{first_ms / 1e3:.1f} s]" if first_ms >= 1000 else f" [{fmt_ms(first_ms)}]"
    return ""


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def cell(res: dict[str, Any] | None) -> str:
    if res is None:
        return "n/a"
    st = res["status"]
    if st == "ok":
        return fmt_ms(res["median_ms"]) + fmt_first(res["first_ms"], res["median_ms"])
    if st == "unsupported":
        return "—"
    if st == "wrong":
        e = res["check"]
        return (
            f"WRONG (err {e.get('max_rel_err', float('nan')):.1e})"
            if "max_rel_err" in e
            else f"WRONG ({e.get('error', '?')})"
        )
    return "error"


def report(data: dict[str, Any]) -> str:
    engines = [e for e in data["engines"] if e["available"]]
    res = {(r["workload"], r["engine"]): r for r in data["results"]}
    wls = data["workloads"]
    st = data["stream"]
    ceiling = st["ceiling_gbs"] if st else None
    out: list[str] = []
    m = data["machine"]
    ls = m.get("lscpu", {})
    out.append(f"## W-suite, {data['threads']} threads ({data['mode']} mode)\n")
    out.append(
        f"Machine: {ls.get('Model name', '?')}, {ls.get('CPU(s)', '?')} CPUs "
        f"({', '.join(m.get('simd', []))}), L2 {ls.get('L2 cache', '?')}, "
        f"L3 {ls.get('L3 cache', '?')}, {m.get('mem_total_gib', '?')} GiB; "
        f"load at start {tuple(round(x, 2) for x in m.get('loadavg_start', ()))}; "
        f"{data['timestamp']}; rev {m.get('git_rev', '?')}."
    )
    out.append(
        "Versions: "
        + ", ".join(
            f"{e['label']} {e['version']}"
            for e in engines
            if e["key"] not in ("rt_eager", "torch_builtin", "torch_compile")
        )
        + "."
    )
    load = m.get("loadavg_start", (0.0,))[0]
    if load > 0.5 * data["threads"]:
        out.append(
            f"**Warning:** the 1-minute load average was {load:.2f} at the start: other work "
            "shared the CPUs, and fork-join engines (OpenMP: PyTorch, torch.compile) lose whole "
            "scheduler quanta (~4 ms) when one of their threads is preempted."
        )
    missing = [e for e in data["engines"] if not e["available"]]
    if missing:
        out.append(
            "Skipped engines: " + "; ".join(f"{e['label']}: {e['reason']}" for e in missing) + "."
        )
    if st:
        out.append(
            f"\nSTREAM (float32, {st['n'] / 2**20:.0f}M elements, same process, best rate of the "
            f"runs at start and end): copy "
            f"{st['copy']['gbs']:.1f} GB/s on {st['threads']} threads, "
            f"{st['copy_1t']['gbs']:.1f} GB/s np.copyto on 1 thread, triad "
            f"{st['triad']['gbs']:.1f} GB/s, read-only {st['read']['gbs']:.1f} GB/s. "
            f"Median rates: copy {st['copy']['median_gbs']:.1f}, copy 1 thread "
            f"{st['copy_1t']['median_gbs']:.1f}, triad {st['triad']['median_gbs']:.1f}, read "
            f"{st['read']['median_gbs']:.1f} GB/s. "
            f"Ceiling for '% best copy': {ceiling:.1f} GB/s (STREAM's convention: the fastest "
            "repetition). The bandwidth drifts by up to 2x within minutes on a shared machine, so "
            "memory-bound workloads are also shown against the copy timed alongside them, in the "
            "same rounds and as a median ('% copy alongside'). Reductions (W5, W6) are also shown "
            "against the read-only figure."
        )

    out.append(
        "\n### Median ms per call (first call incl. compile/planning in brackets where it"
        " stands out)\n"
    )
    rows = []
    for w in wls:
        rows.append(
            [f"{w['key']} {w['name']}"] + [cell(res.get((w["key"], e["key"]))) for e in engines]
        )
    out.append(md_table(["workload"] + [e["label"] for e in engines], rows))

    out.append("\n### RustTorch fused: rate, share of STREAM, speedup over each peer\n")
    out.append("Speedup = peer median / RustTorch fused median (> 1: RustTorch is faster).\n")
    peers = [e for e in engines if e["key"] != "rt_fused"]
    rows = []
    for w in wls:
        r = res.get((w["key"], "rt_fused"))
        if r is None or r["status"] != "ok":
            blank = ["" for _ in range(5 + len(peers))]
            rows.append([f"{w['key']} {w['name']}", cell(r), *blank])
            continue
        rate, pct = rate_cells(w, r, ceiling)
        err = r["check"]
        err_s = f"{err['max_rel_err']:.1e}"
        if "target_ratio" in err:
            err_s += f" (target {'met' if err['target_ok'] else 'MISSED'})"
        sp = []
        for p in peers:
            pr = res.get((w["key"], p["key"]))
            sp.append(
                f"{pr['median_ms'] / r['median_ms']:.2f}x" if pr and pr["status"] == "ok" else "—"
            )
        rp = read_pct(w, r, st)
        al = alongside_pct(w, r, res.get((w["key"], CopyProbe.key)))
        row = [f"{w['key']} {w['name']}", fmt_ms(r["median_ms"]), rate, pct, al, rp, err_s, *sp]
        rows.append(row)
    out.append(
        md_table(
            [
                "workload",
                "ms",
                "rate",
                "% best copy",
                "% copy alongside",
                "% STREAM read",
                "max rel err",
            ]
            + [f"vs {p['label']}" for p in peers],
            rows,
        )
    )

    out.append("\n### Effective bandwidth, GB/s (% of STREAM copy); W7 GFLOP/s; W8 us per call\n")
    rows = []
    for w in wls:
        row = [f"{w['key']} {w['name']}"]
        for e in engines:
            r = res.get((w["key"], e["key"]))
            if r is None or r["status"] != "ok":
                row.append("—")
                continue
            rate, pct = rate_cells(w, r, ceiling)
            row.append(rate + (f" ({pct})" if pct else ""))
        rows.append(row)
    out.append(md_table(["workload"] + [e["label"] for e in engines], rows))

    out.append("\n### Accuracy: max|got-ref| / max|ref| against NumPy float64\n")
    tol = "; ".join(
        f"{w['key']} {w['atol']:g}+{w['rtol']:g}|ref|"
        for w in wls
        if (w["atol"], w["rtol"]) != (1e-5, 1e-4)
    )
    out.append(
        f"Pass: |got-ref| <= 1e-05 + 0.0001*|ref| everywhere (unless: {tol}). "
        "W2 also against the issue's target 1e-6 + 1e-6*|ref| (the ratio shown is the "
        "worst err/allowed; <= 1 meets it).\n"
    )
    rows = []
    for w in wls:
        row = [f"{w['key']} {w['name']}"]
        for e in engines:
            r = res.get((w["key"], e["key"]))
            if r is None or r["status"] == "unsupported" or "check" not in r:
                row.append("—")
                continue
            c = r["check"]
            if "max_rel_err" not in c:
                row.append(c.get("error", "?"))
                continue
            s = f"{c['max_rel_err']:.1e}"
            if not c["ok"]:
                s = "FAIL " + s
            if "target_ratio" in c:
                s += f" (target x{c['target_ratio']:.2f})"
            if "dtype" in c:
                s += f" [{c['dtype']}]"
            row.append(s)
        rows.append(row)
    out.append(md_table(["workload"] + [e["label"] for e in engines], rows))
    notes = [
        f"- {r['workload']} {r['engine']}: {r['note']}" for r in data["results"] if r.get("note")
    ]
    if notes:
        out.append("\nNotes:\n" + "\n".join(notes))
    return "\n".join(out) + "\n"


def rate_gbs(w: dict[str, Any], r: dict[str, Any]) -> float:
    """Effective bandwidth: the workload's compulsory bytes over the median time."""
    return w["bytes"] / (r["median_ms"] * 1e-3) / 1e9


def rate_cells(w: dict[str, Any], r: dict[str, Any], ceiling: float | None) -> tuple[str, str]:
    t = r["median_ms"] * 1e-3
    if w["flops"]:
        return f"{w['flops'] / t / 1e9:.0f} GFLOP/s", ""
    if w["per_call"]:
        return f"{r['median_ms'] * 1e3:.1f} us", ""
    gbs = rate_gbs(w, r)
    return f"{gbs:.1f} GB/s", (f"{100 * gbs / ceiling:.0f}%" if ceiling else "")


def alongside_pct(w: dict[str, Any], r: dict[str, Any], copy: dict[str, Any] | None) -> str:
    """Share of the STREAM copy timed in the same rounds (median against median)."""
    if not copy or copy.get("status") != "ok" or not w["memory_bound"]:
        return ""
    gbs = rate_gbs(w, r)
    return f"{100 * gbs / copy['gbs']:.0f}% of {copy['gbs']:.1f}"


def read_pct(w: dict[str, Any], r: dict[str, Any], stream: dict[str, Any] | None) -> str:
    """Share of the read-only STREAM sum, for reductions (an output under 1% of the input)."""
    n_out = math.prod(w["out_shape"])
    n_in = sum(math.prod(s) for s in w["shapes"])
    if not stream or not w["memory_bound"] or n_out * 100 > n_in:
        return ""
    gbs = rate_gbs(w, r)
    return f"{100 * gbs / stream['read']['gbs']:.0f}%"


def chart(data: dict[str, Any], path: Path) -> str | None:
    """Grouped bars: speedup over NumPy per workload and engine (log scale). None when skipped."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception as e:
        return f"matplotlib not importable ({type(e).__name__}): no chart"
    engines = [e for e in data["engines"] if e["available"] and e["key"] != "numpy"]
    res = {(r["workload"], r["engine"]): r for r in data["results"]}
    wls = [w for w in data["workloads"] if res.get((w["key"], "numpy"), {}).get("status") == "ok"]
    fig, ax = plt.subplots(figsize=(max(8.0, 1.3 * len(wls) + 3), 4.8), dpi=110)
    width = 0.8 / max(1, len(engines))
    colors = plt.get_cmap("tab10")
    for i, e in enumerate(engines):
        xs, ys = [], []
        for j, w in enumerate(wls):
            r = res.get((w["key"], e["key"]))
            if r and r["status"] == "ok":
                xs.append(j + (i - (len(engines) - 1) / 2) * width)
                ys.append(res[(w["key"], "numpy")]["median_ms"] / r["median_ms"])
        ax.bar(
            xs,
            ys,
            width=width,
            label=e["label"],
            color=colors(i % 10),
            edgecolor="black" if e["key"] == "rt_fused" else None,
            linewidth=0.8,
        )
    ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
    ax.set_yscale("log")
    ax.set_xticks(range(len(wls)))
    ax.set_xticklabels([f"{w['key']}\n{w['name']}" for w in wls], fontsize=8)
    ax.set_ylabel("speedup over NumPy (median time; higher is better)")
    ls = data["machine"].get("lscpu", {})
    ax.set_title(
        f"RustTorch W-suite, {data['threads']} threads, {data['mode']} mode - "
        f"{ls.get('Model name', '')}",
        fontsize=9,
    )
    ax.legend(fontsize=7, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)
    ax.grid(axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return None


# ---------------------------------------------------------------- main


def run_workload(
    w: Workload,
    engines: list[Engine],
    arrays: list[np.ndarray],
    ref: np.ndarray,
    budget: Budget,
    results: list[dict[str, Any]],
    probe: CopyProbe | None = None,
) -> None:
    """Checks and times every engine on ``w``. After each engine's first call, check and warm-up,
    the engines take turns in ``budget.rounds`` rounds (rotating who goes first), each running its
    share of repetitions: a burst of load from elsewhere on this shared machine then hits all
    engines alike instead of whichever happened to be measured at the time. For a memory-bound
    workload the STREAM copy ``probe`` takes its turns too (its result: engine ``stream_copy``)."""
    ready: list[tuple[Engine, dict[str, Any], Callable[[], Any]]] = []
    samples: dict[str, list[float]] = {}

    def failed(e: Engine, r: dict[str, Any], ex: Exception) -> None:
        r["status"] = "error"
        r["note"] = f"{type(ex).__name__}: {ex}".splitlines()[0][:300]
        print(f"  {e.label:24s} ERROR: {r['note']}", flush=True)
        if os.environ.get("COMPARE_TRACEBACK"):
            traceback.print_exc()

    for e in engines:
        r: dict[str, Any] = {"workload": w.key, "engine": e.key}
        results.append(r)
        try:
            call = e.make(w, arrays)
        except Unsupported as u:
            r["status"] = "unsupported"
            if e.key.startswith("rt_"):
                r["note"] = str(u)
                print(f"  {e.label:24s} skipped: {u}", flush=True)
            continue
        except Exception as ex:
            failed(e, r, ex)
            continue
        try:
            t0 = time.perf_counter()
            got = call()
            r["first_ms"] = (time.perf_counter() - t0) * 1e3
            r["check"] = check(w, e.to_numpy(got), ref)
            del got
            if not r["check"]["ok"]:
                r["status"] = "wrong"
                c = r["check"]
                print(f"  {e.label:24s} WRONG: {c.get('error') or c}", flush=True)
                continue
            r.update(warm_up(call, budget))
            ready.append((e, r, call))
            samples[e.key] = []
        except Exception as ex:
            failed(e, r, ex)
    if probe is not None and w.memory_bound and ready:
        r = {"workload": w.key, "engine": probe.key, "first_ms": 0.0}
        results.append(r)
        r.update(warm_up(probe, budget))
        ready.append((probe, r, probe))  # type: ignore[arg-type]
        samples[probe.key] = []
    rounds = budget.rounds
    for k in range(rounds):
        order = ready[k % len(ready) :] + ready[: k % len(ready)] if ready else []
        for e, r, call in order:
            if r.get("status") == "error":
                continue
            try:
                samples[e.key] += sample(call, r["batch"], math.ceil(r["reps"] / rounds))
            except Exception as ex:
                failed(e, r, ex)
    for e, r, _ in ready:
        if r.get("status") == "error":
            continue
        r.update(summarize(samples[e.key]))
        r["reps"] = len(samples[e.key])
        r["rounds"] = rounds
        r["status"] = "ok"
        if e is probe:
            r["gbs"] = probe.gbs(r["median_ms"])
            print(
                f"  {e.label:24s} {fmt_ms(r['median_ms']):>9s} ms  ({r['gbs']:.1f} GB/s)",
                flush=True,
            )
            continue
        print(
            f"  {e.label:24s} {fmt_ms(r['median_ms']):>9s} ms  "
            f"(first {fmt_ms(r['first_ms'])} ms, {r['reps']}x{r['batch']}, "
            f"err {r['check']['max_rel_err']:.1e})",
            flush=True,
        )
    ready.clear()
    gc.collect()


def wait_for_low_load(limit: float, timeout_s: float) -> None:
    """Sleeps until the 1-minute load average drops below ``limit`` (or ``timeout_s`` passes)."""
    t_end = time.monotonic() + timeout_s
    while True:
        load = os.getloadavg()[0]
        if load < limit:
            print(f"load average {load:.2f} < {limit}: starting", flush=True)
            return
        if time.monotonic() > t_end:
            print(f"load average still {load:.2f} after {timeout_s:.0f} s: starting anyway")
            return
        print(f"load average {load:.2f} >= {limit}: waiting", flush=True)
        time.sleep(15)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--threads", type=int, default=2, help="threads of every engine (default 2)")
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: sizes 16x smaller and short measurements (not for reports)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=REPO / "bench-results" / "compare.json",
        help="JSON output; the report and chart go beside it as .md and .png",
    )
    p.add_argument("--only", default="", help="comma-separated workloads, e.g. W1,W3")
    p.add_argument(
        "--engines",
        default="",
        help="comma-separated engine keys: rt_fused, rt_eager, numpy, numexpr, torch, "
        "torch_builtin, torch_compile, jax_jit",
    )
    p.add_argument(
        "--budget",
        type=float,
        default=None,
        help="seconds of measurement per workload and engine (default 1.5, quick 0.3)",
    )
    p.add_argument(
        "--wait-load",
        type=float,
        default=None,
        metavar="L",
        help="wait (up to 10 min) until the 1-minute load average is below L before measuring",
    )
    p.add_argument("--no-chart", action="store_true", help="skip the PNG chart")
    p.add_argument(
        "--from-json",
        type=Path,
        default=None,
        metavar="JSON",
        help="measure nothing: print the report of an earlier run's JSON and redraw its chart",
    )
    p.add_argument("--chart", type=Path, default=None, help="chart path (default <out>.png)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.threads != THREADS:
        print(f"--threads {args.threads} was not seen before import; using {THREADS}")
    if args.from_json is not None:
        old = json.loads(args.from_json.read_text())
        print(report(old))
        chart_path = args.chart or args.from_json.with_suffix(".png")
        why = chart(old, chart_path)
        print(why if why else f"chart: {chart_path}")
        return 0
    threads = THREADS
    quick = args.quick
    budget = Budget(
        seconds=args.budget if args.budget is not None else (0.3 if quick else 1.5),
        min_reps=3 if quick else 7,
        max_reps=200 if quick else 500,
        warmup_s=0.1 if quick else 0.4,
        rounds=3 if quick else 5,
    )
    workloads = suite(quick)
    if args.only:
        keep = {k.strip().upper() for k in args.only.split(",") if k.strip()}
        workloads = [w for w in workloads if w.key in keep]
    engines = all_engines()
    if args.engines:
        keep = {k.strip() for k in args.engines.split(",") if k.strip()}
        engines = [e for e in engines if e.key in keep]

    if args.wait_load is not None:
        wait_for_low_load(args.wait_load, 600.0)
    print(
        f"# compare.py: {len(workloads)} workloads, {threads} threads, "
        f"{'quick' if quick else 'full'} mode",
        flush=True,
    )
    engine_info = []
    live: list[Engine] = []
    for e in engines:
        why = e.unavailable()
        if why is None:
            try:
                e.setup(threads)
            except Exception as ex:
                why = f"setup failed: {type(ex).__name__}: {ex}"
        info = {"key": e.key, "label": e.label, "available": why is None}
        if why is None:
            info["version"] = e.version()
            live.append(e)
        else:
            info["reason"] = why
            print(f"skipping engine {e.label}: {why}", flush=True)
        engine_info.append(info)

    rt_missing = [i for i in engine_info if i["key"].startswith("rt_") and not i["available"]]
    if rt_missing:
        print(
            f"error: RustTorch is the engine under test and is not usable: "
            f"{rt_missing[0]['reason']} (run 'make develop')",
            file=sys.stderr,
        )
        return 1
    data: dict[str, Any] = {
        "schema": 1,
        "timestamp": datetime.datetime.now().isoformat(timespec="seconds"),
        "argv": sys.argv[1:] if argv is None else argv,
        "threads": threads,
        "mode": "quick" if quick else "full",
        "budget_s": budget.seconds,
        "machine": machine(),
        "env": {
            k: os.environ.get(k)
            for k in (
                "OMP_NUM_THREADS",
                "MKL_NUM_THREADS",
                "OPENBLAS_NUM_THREADS",
                "OPENBLAS_THREAD_TIMEOUT",
                "NUMEXPR_NUM_THREADS",
                "XLA_FLAGS",
                "JAX_PLATFORMS",
                "TORCHINDUCTOR_CACHE_DIR",
            )
        },
        "engines": engine_info,
        "workloads": [],
        "results": [],
        "stream": None,
    }

    print("STREAM copy/triad ...", flush=True)
    data["stream"] = stream(STREAM_N, threads, budget)
    print_stream(data["stream"])

    probe = CopyProbe(STREAM_N, threads)
    for w in workloads:
        wd = {
            "key": w.key,
            "name": w.name,
            "desc": w.desc,
            "shapes": [list(s) for s in w.shapes],
            "out_shape": list(w.out_shape),
            "bytes": w.bytes,
            "flops": w.flops,
            "per_call": w.per_call,
            "memory_bound": w.memory_bound,
            "atol": w.atol,
            "rtol": w.rtol,
            "target": list(w.target) if w.target else None,
        }
        data["workloads"].append(wd)
        arrays = w.inputs(seed=int(w.key[1:]))
        ref = w.ref([a.astype(np.float64) for a in arrays])
        print(f"{w.key} {w.name} {' x '.join(str(s) for s in w.shapes)}", flush=True)
        run_workload(w, live, arrays, ref, budget, data["results"], probe)
        del arrays, ref
        gc.collect()

    probe.close()
    # STREAM again at the end: the ceiling is the best of both (the machine's state drifts).
    print("STREAM again ...", flush=True)
    again = stream(STREAM_N, threads, budget)
    print_stream(again)
    data["stream_end"] = again
    data["stream"] = best_stream(data["stream"], again)
    try:
        data["machine"]["loadavg_end"] = os.getloadavg()
    except OSError:
        pass
    out = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=1) + "\n")
    text = report(data)
    out.with_suffix(".md").write_text(text)
    print()
    print(text)
    print(f"raw figures: {out}\nreport: {out.with_suffix('.md')}")
    if not args.no_chart:
        chart_path = args.chart or out.with_suffix(".png")
        why = chart(data, chart_path)
        print(why if why else f"chart: {chart_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
