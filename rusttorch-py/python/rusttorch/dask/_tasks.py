"""What runs inside Dask tasks: a region's fused RustTorch plan over one chunk of its inputs,
and the aggregation of partial reductions. These functions are pickled into the Dask graph, so
they are plain module-level functions whose arguments are bytes, names and NumPy blocks."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

import rusttorch as rt

from .._numpy_convert import DTYPES
from .._rusttorch import _loads_graph, _substitute

# Region templates decoded in this process, by their key (the token of the pickled graph): each
# is decoded once per process and its plan compiled once per chunk shape (the engine's plan
# cache keys plans by structure), however many chunks run here.
_TEMPLATES: OrderedDict[str, tuple[list[Any], list[Any]]] = OrderedDict()
_TEMPLATE_LIMIT = 256
_LOCK = threading.Lock()

# The process that lowered the graph (set there, inherited by worker processes it starts).
DRIVER_ENV = "RUSTTORCH_DASK_DRIVER_PID"
os.environ.setdefault(DRIVER_ENV, str(os.getpid()))
_configured = False


def worker_threads() -> int | None:
    """RustTorch threads for a worker process (``None`` in the driver, which keeps its own):
    ``RUSTTORCH_NUM_THREADS``, else the Dask worker's thread count under ``distributed`` (its
    threads share one RustTorch pool), else 1 (a process of the ``processes`` scheduler runs one
    task at a time, and its siblings use the other cores)."""
    env = os.environ.get("RUSTTORCH_NUM_THREADS")
    if env:
        return max(1, int(env))
    if str(os.getpid()) == os.environ.get(DRIVER_ENV):
        return None
    try:
        from distributed import get_worker

        return max(1, int(get_worker().state.nthreads))
    except (ImportError, ValueError, AttributeError):
        return 1


def _configure() -> None:
    """Sets this process's RustTorch thread count once, before its first task computes."""
    global _configured
    if _configured:
        return
    with _LOCK:
        if not _configured:
            n = worker_threads()
            if n is not None and n != rt.get_num_threads():
                rt.set_num_threads(n)
            _configured = True


def _template(
    key: str, blob: bytes, buffers: tuple[Any, ...], n_out: int
) -> tuple[list[Any], list[Any]]:
    with _LOCK:
        hit = _TEMPLATES.get(key)
        if hit is not None:
            _TEMPLATES.move_to_end(key)
            return hit
    ts = _loads_graph(blob, list(buffers))
    got = (ts[:n_out], ts[n_out:])
    with _LOCK:
        _TEMPLATES[key] = got
        while len(_TEMPLATES) > _TEMPLATE_LIMIT:
            _TEMPLATES.popitem(last=False)
    return got


def _tensor(block: Any) -> Any:
    return rt.from_numpy(np.ascontiguousarray(block))


def run_region(key: str, blob: bytes, buffers: tuple[Any, ...], *blocks: Any) -> np.ndarray:
    """One chunk of a region: the template's output rebuilt over ``blocks`` (one per region
    input, in order), evaluated as one fused plan."""
    _configure()
    outs, standins = _template(key, blob, buffers, 1)
    (res,) = _substitute(outs, standins, [_tensor(b) for b in blocks])
    return res.numpy()


def aggregate(
    op: str, axes: tuple[int, ...], keepdim: bool, dtype: Any, partials: Any
) -> np.ndarray:
    """Reduces the partial results of every chunk along ``axes`` (all of them, concatenated by
    Dask in chunk order, so the result does not depend on the scheduler) and casts to the
    reduction's dtype."""
    _configure()
    if op == "var":
        return chan_merge(np.asarray(partials, np.float64), axes, keepdim).astype(dtype)
    if op == "softmax":
        return max_sum_merge(np.asarray(partials, np.float64), axes).astype(dtype)
    r = reduce_tensor(_tensor(partials), op, axes, keepdim)
    return r.to(DTYPES[np.dtype(dtype)]).numpy()


def _per_chunk(p: np.ndarray, axes: tuple[int, ...], k: int) -> np.ndarray:
    """Partials holding ``k`` values per chunk (consecutive along ``axes[0]``) as an array of
    shape (kept dims..., chunks, k), chunks in chunk order."""
    rest = [d for d in range(p.ndim) if d not in axes]
    p = np.transpose(p, rest + list(axes))
    lead, red = p.shape[: len(rest)], p.shape[len(rest) :]
    p = p.reshape((*lead, red[0] // k, k, *red[1:]))
    return np.moveaxis(p, len(rest) + 1, -1).reshape((*lead, -1, k))


def max_sum_merge(p: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """The max M and ``sum(exp(x - M))`` over ``axes`` from per-chunk ``(max m, sum(exp(x - m)))``
    pairs: ``M = max(m)``, ``S = sum(s * exp(m - M))``; returned along ``axes[0]`` as ``[M, S]``
    (other reduced dims kept as size 1)."""
    q = _per_chunk(p, axes, 2)
    m, s = q[..., 0], q[..., 1]
    top = m.max(axis=-1)
    with np.errstate(invalid="ignore", over="ignore"):
        total = (s * np.exp(m - top[..., None])).sum(axis=-1)
    return np.concatenate([np.expand_dims(top, axes), np.expand_dims(total, axes)], axis=axes[0])


def chan_merge(p: np.ndarray, axes: tuple[int, ...], keepdim: bool) -> np.ndarray:
    """The sum of squared deviations from the mean over ``axes``, from per-chunk ``(count,
    mean, M2)`` triples (consecutive along ``axes[0]``), merged in chunk order by Chan et al.'s
    formula: exact however large the mean is next to the spread."""
    p = _per_chunk(p, axes, 3)
    n, mu, m2 = p[..., 0, 0], p[..., 0, 1], p[..., 0, 2]
    for i in range(1, p.shape[-2]):
        nb, mb, m2b = p[..., i, 0], p[..., i, 1], p[..., i, 2]
        tot = n + nb
        with np.errstate(invalid="ignore", divide="ignore"):
            delta = mb - mu
            merged_mu = mu + delta * (nb / tot)
            merged_m2 = m2 + m2b + delta * delta * (n * nb / tot)
        # An empty chunk (count 0, mean NaN) adds nothing; one after only empty ones replaces.
        mu = np.where(nb == 0, mu, np.where(n == 0, mb, merged_mu))
        m2 = np.where(nb == 0, m2, np.where(n == 0, m2b, merged_m2))
        n = tot
    return np.expand_dims(m2, axes) if keepdim else m2


def reduce_tensor(t: Any, op: str, axes: tuple[int, ...], keepdim: bool) -> Any:
    """``op`` (sum, max, min, prod) of ``t`` over ``axes``."""
    if op == "sum":
        return t.sum(dim=axes, keepdim=keepdim)
    if op == "max":
        return t.amax(dim=axes, keepdim=keepdim)
    if op == "min":
        return t.amin(dim=axes, keepdim=keepdim)
    # prod takes one dim at a time: from the last, so the earlier ones keep their positions.
    for a in sorted(axes, reverse=True):
        t = t.prod(dim=a, keepdim=keepdim)
    return t
