"""RustTorch expressions over Dask arrays: one fused RustTorch plan per chunk, on any Dask
scheduler (docs/scale-out.md).

``from_dask(darr)`` gives a lazy tensor standing for a Dask array; every RustTorch op works on
it. ``t.eval()``, ``t.numpy()`` (and anything else that needs values) compute it with the current
Dask scheduler; ``to_dask(t)`` gives the lazy Dask array instead, ``compute(*ts)`` evaluates
several in one Dask graph and ``explain(t)`` prints how the graph was cut into Dask tasks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import rusttorch as rt

from .._numpy_convert import DTYPES
from .._rusttorch import _placeholder
from ._lower import ChunkError, lower
from ._sources import note_for, register

__all__ = ["ChunkError", "RustTorchThreads", "compute", "explain", "from_dask", "to_dask"]


def from_dask(darr: Any) -> rt.Tensor:
    """A lazy tensor standing for the Dask array ``darr`` (its shape, dtype and chunks); nothing
    is computed until the tensor's values are needed."""
    import dask.array as da

    if not isinstance(darr, da.Array):
        raise TypeError(f"from_dask: expected a dask.array.Array, got {type(darr).__name__}")
    dtype = DTYPES.get(np.dtype(darr.dtype))
    if dtype is None:
        raise TypeError(f"from_dask: RustTorch has no dtype for the Dask array's {darr.dtype}")
    if any(np.isnan(n) for n in darr.shape):
        raise ValueError(
            f"from_dask: the Dask array's shape {darr.shape} is unknown "
            "(call compute_chunk_sizes() first)"
        )
    t = _placeholder(tuple(int(n) for n in darr.shape), dtype, note_for(darr))
    register(darr, t)
    return t


def to_dask(t: rt.Tensor) -> Any:
    """The lazy Dask array computing ``t`` chunk by chunk (a tensor reading no Dask array is
    computed now and wrapped in one chunk)."""
    import dask.array as da

    _, (out,) = lower([t])
    return out if isinstance(out, da.Array) else da.from_array(out.numpy())


def compute(*tensors: rt.Tensor) -> tuple[rt.Tensor, ...]:
    """Evaluates ``tensors`` in one Dask computation (work they share is done once) and returns
    them, evaluated."""
    rt.eval(*tensors)
    return tensors


def explain(*tensors: rt.Tensor) -> str:
    """How ``tensors`` lower to Dask: each region (one fused RustTorch plan per chunk), each
    reduction across chunks and each Dask op, with its task count."""
    low, _ = lower(list(tensors))
    lines = [
        f"{len(low.steps)} Dask layers from RustTorch, {sum(s.tasks for s in low.steps)} tasks:"
    ]
    for i, s in enumerate(low.steps):
        lines.append(f"  {i}: {s.kind:9} {s.tasks:5} task(s)  {s.detail}  [{s.name}]")
    return "\n".join(lines)


def _evaluate(tensors: list[rt.Tensor]) -> list[rt.Tensor] | None:
    """The values of ``tensors`` computed with Dask (``None`` if none reads a Dask array):
    called by the engine when a graph reads a placeholder."""
    import dask

    low, outs = lower(list(tensors))
    if low.sources == 0:
        return None
    lazy = [i for i, o in enumerate(outs) if not isinstance(o, rt.Tensor)]
    got = dask.compute(*[outs[i] for i in lazy])
    res = list(outs)
    for i, arr in zip(lazy, got, strict=True):
        res[i] = rt.from_numpy(np.ascontiguousarray(arr))
    return res


def __getattr__(name: str) -> Any:
    # The worker plugin subclasses distributed's, imported only when asked for.
    if name == "RustTorchThreads":
        from ._plugin import RustTorchThreads

        return RustTorchThreads
    raise AttributeError(f"module 'rusttorch.dask' has no attribute {name!r}")
