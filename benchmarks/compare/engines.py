"""The engines: one adapter per peer (RustTorch fused/eager, NumPy, numexpr, PyTorch, JAX)."""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Callable
from typing import Any

import numpy as np

from .op_impls import Unsupported, jax_op, numpy_op, rusttorch_op, torch_op
from .ops import OpRow
from .workloads import GELU_C, GELU_K, LN_EPS, Workload, affine_chain


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

        if isinstance(w, OpRow):
            return rusttorch_op(w, arrays, self.fuse)
        t = [rt.from_numpy(a) for a in arrays]
        fuse = self.fuse
        # Every call builds the lazy expression anew (as a user's code does) and forces it.
        if w.base == "W1":
            a, b, c = t
            return lambda: ((a * b + c) * 0.5 - a * c).eval(fuse=fuse)
        if w.base == "W2":
            (x,) = t
            return lambda: (0.5 * x * (1.0 + rt.tanh(GELU_C * (x + GELU_K * x**3)))).eval(fuse=fuse)
        if w.base == "W3":
            (x,) = t
            return lambda: x.softmax(1).eval(fuse=fuse)
        if w.base == "W4":
            x, wt, bs = t
            n = w.shapes[0][1]
            return lambda: rt.layer_norm(x, n, wt, bs, LN_EPS).eval(fuse=fuse)
        if w.base == "W5":
            a, b = t
            return lambda: ((a - b) ** 2).sum().eval(fuse=fuse)
        if w.base == "W6":
            (x,) = t
            return lambda: x.sum(0).eval(fuse=fuse)
        if w.base == "W7":
            mm = self.matmul_fn()
            if mm is None:
                raise Unsupported("rusttorch has no matmul binding (Tensor.__matmul__/matmul)")
            a, b, bias = t
            return lambda: (mm(a, b) + bias).relu().eval(fuse=fuse)
        if w.base == "W8":
            a, b, c = t
            return lambda: ((a * b + c) * 0.5 - a * c).eval(fuse=fuse).numpy()
        if w.base == "W9":
            (x,) = t
            return lambda: affine_chain(x).eval(fuse=fuse)
        raise Unsupported(w.key)

    def to_numpy(self, result: Any) -> np.ndarray:
        return result if isinstance(result, np.ndarray) else result.numpy()


class RustTorchVM(RustTorch):
    """RustTorch fused with its kernels on the block VM only (compiled kernels switched off
    around each call): what the JIT adds is the difference to the fused row."""

    def __init__(self) -> None:
        super().__init__(fuse=True)
        self.key = "rt_vm"
        self.label = "RustTorch fused, VM"

    def make(self, w: Workload, arrays: list[np.ndarray]) -> Callable[[], Any]:
        import rusttorch as rt

        call = super().make(w, arrays)

        def on_the_vm() -> Any:
            rt.set_jit("off")
            try:
                return call()
            finally:
                rt.set_jit(None)

        return on_the_vm


class NumPy(Engine):
    key = "numpy"
    label = "NumPy"
    module = "numpy"

    def make(self, w: Workload, arrays: list[np.ndarray]) -> Callable[[], Any]:
        if isinstance(w, OpRow):
            return numpy_op(w, arrays)
        t = arrays
        if w.base in ("W1", "W8"):
            a, b, c = t
            return lambda: (a * b + c) * 0.5 - a * c
        if w.base == "W2":
            (x,) = t
            return lambda: 0.5 * x * (1.0 + np.tanh(GELU_C * (x + GELU_K * x**3)))
        if w.base == "W3":
            (x,) = t

            def softmax() -> np.ndarray:
                e = np.exp(x - x.max(axis=1, keepdims=True))
                return e / e.sum(axis=1, keepdims=True)

            return softmax
        if w.base == "W4":
            x, wt, bs = t

            def layernorm() -> np.ndarray:
                m = x.mean(axis=1, keepdims=True)
                d = x - m
                v = (d * d).mean(axis=1, keepdims=True)
                return d / np.sqrt(v + LN_EPS) * wt + bs

            return layernorm
        if w.base == "W5":
            a, b = t
            return lambda: np.sum((a - b) ** 2)
        if w.base == "W6":
            (x,) = t
            return lambda: x.sum(axis=0)
        if w.base == "W7":
            a, b, bias = t
            return lambda: np.maximum(a @ b + bias, 0.0)
        if w.base == "W9":
            (x,) = t
            return lambda: affine_chain(x)
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

        if w.base in ("W1", "W8"):
            d = dict(zip("abc", arrays, strict=True))
            return lambda: ne.evaluate("(a*b + c)*0.5 - a*c", local_dict=d)
        if w.base == "W2":
            d = {"x": arrays[0]}
            expr = f"0.5*x*(1 + tanh({GELU_C}*(x + {GELU_K}*x**3)))"
            return lambda: ne.evaluate(expr, local_dict=d)
        if w.base == "W5":
            d = dict(zip("ab", arrays, strict=True))
            return lambda: ne.evaluate("sum((a-b)**2)", local_dict=d)
        if w.base == "W9":
            d = {"x": arrays[0]}
            return lambda: ne.evaluate("(((x*1.1 + 0.3)*0.9 - 0.2)*1.05) + 0.1", local_dict=d)
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
    if key == "W9":
        return lambda x: affine_chain(x)
    raise Unsupported(key)


class TorchEager(TorchBase):
    key = "torch"
    label = "torch eager (composed)"

    def make(self, w: Workload, arrays: list[np.ndarray]) -> Callable[[], Any]:
        if isinstance(w, OpRow):
            return torch_op(w, arrays)
        return self.call(w, torch_composed(w.base), self.tensors(arrays))


class TorchBuiltin(TorchBase):
    key = "torch_builtin"
    label = "torch builtin op"

    def make(self, w: Workload, arrays: list[np.ndarray]) -> Callable[[], Any]:
        import torch
        import torch.nn.functional as F

        t = self.tensors(arrays)
        if w.base == "W2":
            (x,) = t
            return lambda: F.gelu(x, approximate="tanh")
        if w.base == "W3":
            (x,) = t
            return lambda: torch.softmax(x, dim=1)
        if w.base == "W4":
            x, wt, bs = t
            shape = (w.shapes[0][1],)
            return lambda: F.layer_norm(x, shape, wt, bs, LN_EPS)
        if w.base == "W5":
            a, b = t
            return lambda: F.mse_loss(a, b, reduction="sum")
        if w.base == "W7":
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

        f = torch.compile(torch_composed(w.base), dynamic=False)
        return self.call(w, f, self.tensors(arrays))


class JaxJit(Engine):
    key = "jax_jit"
    label = "jax.jit"
    module = "jax"

    def make(self, w: Workload, arrays: list[np.ndarray]) -> Callable[[], Any]:
        import jax
        import jax.numpy as jnp

        if isinstance(w, OpRow):
            return jax_op(w, arrays)
        t = [jax.device_put(a) for a in arrays]
        if w.base in ("W1", "W8"):

            def f(a: Any, b: Any, c: Any) -> Any:
                return (a * b + c) * 0.5 - a * c

        elif w.base == "W2":

            def f(x: Any) -> Any:
                return 0.5 * x * (1.0 + jnp.tanh(GELU_C * (x + GELU_K * x**3)))

        elif w.base == "W3":

            def f(x: Any) -> Any:
                e = jnp.exp(x - x.max(axis=1, keepdims=True))
                return e / e.sum(axis=1, keepdims=True)

        elif w.base == "W4":

            def f(x: Any, wt: Any, bs: Any) -> Any:
                m = x.mean(axis=1, keepdims=True)
                d = x - m
                v = (d * d).mean(axis=1, keepdims=True)
                return d * jax.lax.rsqrt(v + LN_EPS) * wt + bs

        elif w.base == "W5":

            def f(a: Any, b: Any) -> Any:
                return jnp.sum((a - b) ** 2)

        elif w.base == "W6":

            def f(x: Any) -> Any:
                return x.sum(axis=0)

        elif w.base == "W7":

            def f(a: Any, b: Any, bias: Any) -> Any:
                return jax.nn.relu(a @ b + bias)

        elif w.base == "W9":
            f = affine_chain

        else:
            raise Unsupported(w.key)
        jf = jax.jit(f)
        if w.per_call:
            return lambda: np.asarray(jf(*t))
        return lambda: jf(*t).block_until_ready()


def all_engines() -> list[Engine]:
    return [
        RustTorch(fuse=True),
        RustTorchVM(),
        RustTorch(fuse=False),
        NumPy(),
        Numexpr(),
        TorchEager(),
        TorchBuiltin(),
        TorchCompile(),
        JaxJit(),
    ]
