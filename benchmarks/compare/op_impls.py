"""The ops suite's implementations per engine: RustTorch (fused and eager), NumPy, PyTorch eager
and ``jax.jit``, each a zero-argument callable that computes a row and returns the result that
is checked (``values`` where the op also returns indices: those are computed too); and the
exceptions an engine raises for a workload it cannot run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .ops import EMB_SCALE, REFS, OpRow


class Unsupported(Exception):
    """The engine has no implementation of this workload."""


class Missing(Unsupported):
    """RustTorch lacks a function the row needs (reported as "missing", not as a failure)."""


def rt_missing(w: OpRow) -> str | None:
    """The first function of ``w.needs`` that the installed ``rusttorch`` lacks, or None."""
    import rusttorch as rt

    for name in w.needs:
        owner, _, attr = name.rpartition(".")
        if not hasattr(rt.Tensor if owner == "Tensor" else rt, attr):
            return f"rusttorch.{name}"
    return None


def rusttorch_op(w: OpRow, arrays: list[np.ndarray], fuse: bool) -> Callable[[], Any]:
    """Every call builds the lazy expression anew (as a user's code does) and forces it."""
    import rusttorch as rt

    gone = rt_missing(w)
    if gone is not None:
        raise Missing(f"{gone} does not exist yet")
    t = [rt.from_numpy(a) for a in arrays]
    p = w.params
    if w.op == "topk":
        (x,) = t

        def topk() -> Any:
            v, i = rt.topk(x, p["k"], p["dim"])
            rt.eval(v, i, fuse=fuse)
            return v

        return topk
    builders: dict[str, Callable[[], Any]] = {
        "sort": lambda: rt.sort(t[0], p["dim"]).values,
        "argsort": lambda: rt.argsort(t[0], p["dim"]),
        "cumsum": lambda: rt.cumsum(t[0], p["dim"]),
        "index_select": lambda: rt.index_select(t[0], 0, t[1]),
        "embedding_affine": lambda: rt.index_select(t[0], 0, t[1]) * EMB_SCALE + t[2],
        "gather": lambda: rt.gather(t[0], p["dim"], t[1]),
        "take_along_dim": lambda: rt.take_along_dim(t[0], t[1], p["dim"]),
        "einsum": lambda: rt.einsum(p["eq"], t[0], t[1]),
        "scatter_add": lambda: rt.scatter_add(t[0], p["dim"], t[1], t[2]),
        "index_add": lambda: t[0].index_add(0, t[1], t[2]),
    }
    if w.op not in builders:
        raise Unsupported(w.op)
    build = builders[w.op]
    return lambda: build().eval(fuse=fuse)


def numpy_op(w: OpRow, arrays: list[np.ndarray]) -> Callable[[], Any]:
    """NumPy's idioms, which are the float64 references run on the float32 inputs: ``sort``
    (introsort / SIMD sort), stable ``argsort``, ``argpartition`` for top-k, ``np.add.at`` for
    the scatters, ``np.einsum`` without ``optimize`` (no BLAS path exists for a batch dim)."""
    if w.op not in REFS:
        raise Unsupported(w.op)
    ref, params = REFS[w.op], w.params
    return lambda: ref(arrays, **params)


def torch_op(w: OpRow, arrays: list[np.ndarray]) -> Callable[[], Any]:
    """PyTorch eager with the same names (inputs converted once, zero-copy)."""
    import torch

    t = [torch.from_numpy(a) for a in arrays]
    p = w.params
    calls: dict[str, Callable[[], Any]] = {
        "sort": lambda: torch.sort(t[0], p["dim"]).values,
        "argsort": lambda: torch.argsort(t[0], dim=p["dim"], stable=True),
        "topk": lambda: torch.topk(t[0], p["k"], p["dim"]).values,
        "cumsum": lambda: torch.cumsum(t[0], p["dim"]),
        "index_select": lambda: torch.index_select(t[0], 0, t[1]),
        "embedding_affine": lambda: torch.index_select(t[0], 0, t[1]) * EMB_SCALE + t[2],
        "gather": lambda: torch.gather(t[0], p["dim"], t[1]),
        "take_along_dim": lambda: torch.take_along_dim(t[0], t[1], p["dim"]),
        "einsum": lambda: torch.einsum(p["eq"], t[0], t[1]),
        "scatter_add": lambda: torch.scatter_add(t[0], p["dim"], t[1], t[2]),
        "index_add": lambda: t[0].index_add(0, t[1], t[2]),
    }
    if w.op not in calls:
        raise Unsupported(w.op)
    return calls[w.op]


def jax_op(w: OpRow, arrays: list[np.ndarray]) -> Callable[[], Any]:
    """``jax.jit`` of the ``jax.numpy`` spelling (``lax.top_k``, ``.at[].add`` for scatters);
    int64 indices become int32 (JAX's default without x64)."""
    import jax
    import jax.numpy as jnp

    t = [jax.device_put(a) for a in arrays]
    p = w.params
    last = p.get("dim") in (-1, arrays[0].ndim - 1)
    fns: dict[str, Callable[..., Any]] = {
        "sort": lambda x: jnp.sort(x, axis=p["dim"]),
        "argsort": lambda x: jnp.argsort(x, axis=p["dim"], stable=True),
        "cumsum": lambda x: jnp.cumsum(x, axis=p["dim"]),
        "index_select": lambda e, i: jnp.take(e, i, axis=0),
        "embedding_affine": lambda e, i, b: jnp.take(e, i, axis=0) * EMB_SCALE + b,
        "gather": lambda x, i: jnp.take_along_axis(x, i, axis=p["dim"]),
        "take_along_dim": lambda x, i: jnp.take_along_axis(x, i, axis=p["dim"]),
        "einsum": lambda a, b: jnp.einsum(p["eq"], a, b),
        "index_add": lambda x, i, s: x.at[i].add(s),
    }
    # lax.top_k works along the last dim; the scatter's row index is spelled for 2-d, dim 1.
    if w.op == "topk" and last:
        fns["topk"] = lambda x: jax.lax.top_k(x, p["k"])
    if w.op == "scatter_add" and last and arrays[0].ndim == 2:
        fns["scatter_add"] = lambda x, i, s: x.at[jnp.arange(x.shape[0])[:, None], i].add(s)
    if w.op not in fns:
        raise Unsupported(w.op)
    jf = jax.jit(fns[w.op])

    def call() -> Any:
        out = jax.block_until_ready(jf(*t))
        return out[0] if isinstance(out, (tuple, list)) else out

    return call
