"""The Python array API standard's (2024.12) reductions and sorts beside PyTorch's: ``axis=``/
``keepdims=`` spellings of ``dim=``/``keepdim=``, and the standard's result where its spelling is
used (``max(x, axis=0)`` is an array, as ``amax``; ``max(x, 0)`` stays PyTorch's
``(values, indices)``). docs/array-api.md lists where the two disagree."""

from __future__ import annotations

import builtins
from typing import Any

from . import _rusttorch as _rt
from ._array_api_creation import _MISSING, _pick, asarray
from ._array_api_dtypes import renamed

__all__ = [
    "all",
    "any",
    "argmax",
    "argmin",
    "argsort",
    "count_nonzero",
    "cumulative_prod",
    "cumulative_sum",
    "diff",
    "max",
    "mean",
    "min",
    "prod",
    "sort",
    "std",
    "sum",
    "var",
]

_Tensor = _rt.Tensor


# ---------------------------------------------------------------------------------------------
# Reductions: `axis=`/`keepdims=` beside `dim=`/`keepdim=`


def _axes(
    op: str, x: Any, dim: Any, keepdim: Any, axis: Any, keepdims: Any
) -> tuple[Any, Any, Any]:
    """``(input, dim, keepdim)`` for a reduction called either way. The standard's
    ``axis=()`` reduces nothing (PyTorch's ``dim=()`` reduces everything): it becomes a
    reduction over a new axis of size 1, so every reduction keeps its own dtype rule."""
    d = _pick(op, "dim", dim, "axis", axis, None)
    k = _pick(op, "keepdim", keepdim, "keepdims", keepdims, False)
    if axis is not _MISSING and isinstance(d, (tuple, list)) and len(d) == 0:
        return _rt.unsqueeze(x, 0), 0, False
    return x, d, k


def sum(
    input: Any,
    dim: Any = _MISSING,
    keepdim: Any = _MISSING,
    *,
    dtype: Any = None,
    axis: Any = _MISSING,
    keepdims: Any = _MISSING,
) -> _Tensor:
    """Sum over ``dim``/``axis`` (an int, a tuple, or ``None`` for all)."""
    x, d, k = _axes("sum", input, dim, keepdim, axis, keepdims)
    return _rt.sum(x, d, k, dtype=dtype)


def prod(
    input: Any,
    dim: Any = _MISSING,
    keepdim: Any = _MISSING,
    *,
    dtype: Any = None,
    axis: Any = _MISSING,
    keepdims: Any = _MISSING,
) -> _Tensor:
    """Product over ``dim``/``axis`` (an int, a tuple, or ``None`` for all)."""
    x, d, k = _axes("prod", input, dim, keepdim, axis, keepdims)
    return _rt.prod(x, d, k, dtype=dtype)


def mean(
    input: Any,
    dim: Any = _MISSING,
    keepdim: Any = _MISSING,
    *,
    dtype: Any = None,
    axis: Any = _MISSING,
    keepdims: Any = _MISSING,
) -> _Tensor:
    """Mean over ``dim``/``axis`` (an int, a tuple, or ``None`` for all)."""
    x, d, k = _axes("mean", input, dim, keepdim, axis, keepdims)
    return _rt.mean(x, d, k, dtype=dtype)


def _moment(
    fn: Any,
    op: str,
    input: Any,
    dim: Any,
    unbiased: Any,
    keepdim: Any,
    correction: Any,
    axis: Any,
    keepdims: Any,
) -> _Tensor:
    x, d, k = _axes(op, input, dim, keepdim, axis, keepdims)
    if axis is not _MISSING or keepdims is not _MISSING:
        # The standard's spelling: its default is the population moment (correction 0).
        if unbiased is None and correction is None:
            correction = 0
    if isinstance(correction, builtins.float) and not correction.is_integer():
        # The core takes whole corrections; a fractional one rescales the population moment.
        n = x.numel() // builtins.max(fn(x, d, None, k, correction=0).numel(), 1)
        scale = n / (n - correction) if n != correction else builtins.float("inf")
        m = _rt.var(x, d, None, k, correction=0) * scale
        return m if fn is _rt.var else _rt.sqrt(m)
    if isinstance(correction, builtins.float):
        correction = builtins.int(correction)
    return fn(x, d, unbiased, k, correction=correction)


def std(
    input: Any,
    dim: Any = _MISSING,
    unbiased: Any = None,
    keepdim: Any = _MISSING,
    *,
    correction: Any = None,
    axis: Any = _MISSING,
    keepdims: Any = _MISSING,
) -> _Tensor:
    """Standard deviation over ``dim``/``axis``; ``correction`` defaults to 1 (PyTorch), or to 0
    when the standard's ``axis=``/``keepdims=`` are used."""
    return _moment(_rt.std, "std", input, dim, unbiased, keepdim, correction, axis, keepdims)


def var(
    input: Any,
    dim: Any = _MISSING,
    unbiased: Any = None,
    keepdim: Any = _MISSING,
    *,
    correction: Any = None,
    axis: Any = _MISSING,
    keepdims: Any = _MISSING,
) -> _Tensor:
    """Variance over ``dim``/``axis``; ``correction`` defaults to 1 (PyTorch), or to 0 when the
    standard's ``axis=``/``keepdims=`` are used."""
    return _moment(_rt.var, "var", input, dim, unbiased, keepdim, correction, axis, keepdims)


def max(
    input: Any,
    dim: Any = _MISSING,
    keepdim: Any = _MISSING,
    *,
    other: Any = None,
    axis: Any = _MISSING,
    keepdims: Any = _MISSING,
) -> Any:
    """PyTorch's ``max`` (all elements; ``(values, indices)`` along ``dim``; elementwise with
    ``other``); with the standard's ``axis=``/``keepdims=``, the maximum as one array (``amax``)."""
    if axis is not _MISSING or keepdims is not _MISSING:
        x, d, k = _axes("max", input, dim, keepdim, axis, keepdims)
        return _rt.amax(x, d, k)
    if dim is _MISSING:
        return _rt.max(input, other=other) if other is not None else _rt.max(input)
    return _rt.max(input, dim, False if keepdim is _MISSING else keepdim)


def min(
    input: Any,
    dim: Any = _MISSING,
    keepdim: Any = _MISSING,
    *,
    other: Any = None,
    axis: Any = _MISSING,
    keepdims: Any = _MISSING,
) -> Any:
    """PyTorch's ``min`` (all elements; ``(values, indices)`` along ``dim``; elementwise with
    ``other``); with the standard's ``axis=``/``keepdims=``, the minimum as one array (``amin``)."""
    if axis is not _MISSING or keepdims is not _MISSING:
        x, d, k = _axes("min", input, dim, keepdim, axis, keepdims)
        return _rt.amin(x, d, k)
    if dim is _MISSING:
        return _rt.min(input, other=other) if other is not None else _rt.min(input)
    return _rt.min(input, dim, False if keepdim is _MISSING else keepdim)


def argmax(
    input: Any,
    dim: Any = _MISSING,
    keepdim: Any = _MISSING,
    *,
    axis: Any = _MISSING,
    keepdims: Any = _MISSING,
) -> _Tensor:
    """Index of the maximum over ``dim``/``axis`` (flattened when ``None``)."""
    return _rt.argmax(
        input,
        _pick("argmax", "dim", dim, "axis", axis, None),
        _pick("argmax", "keepdim", keepdim, "keepdims", keepdims, False),
    )


def argmin(
    input: Any,
    dim: Any = _MISSING,
    keepdim: Any = _MISSING,
    *,
    axis: Any = _MISSING,
    keepdims: Any = _MISSING,
) -> _Tensor:
    """Index of the minimum over ``dim``/``axis`` (flattened when ``None``)."""
    return _rt.argmin(
        input,
        _pick("argmin", "dim", dim, "axis", axis, None),
        _pick("argmin", "keepdim", keepdim, "keepdims", keepdims, False),
    )


def _boolean_reduction(fn: Any, op: str) -> Any:
    def reduce(
        input: Any,
        dim: Any = _MISSING,
        keepdim: Any = _MISSING,
        *,
        axis: Any = _MISSING,
        keepdims: Any = _MISSING,
    ) -> _Tensor:
        if not isinstance(input, _Tensor):
            input = asarray(input)
        return fn(*_axes(op, input, dim, keepdim, axis, keepdims))

    reduce.__name__ = reduce.__qualname__ = op
    reduce.__doc__ = fn.__doc__
    reduce.__module__ = "rusttorch"
    return reduce


all = _boolean_reduction(_rt.all, "all")
any = _boolean_reduction(_rt.any, "any")


def count_nonzero(
    input: Any, dim: Any = _MISSING, *, axis: Any = _MISSING, keepdims: builtins.bool = False
) -> _Tensor:
    """Number of non-zero elements over ``dim``/``axis`` (all when ``None``)."""
    ndim = input.ndim
    input, d, _ = _axes("count_nonzero", input, dim, _MISSING, axis, _MISSING)
    out = _rt.count_nonzero(input, d)
    if keepdims and input.ndim == ndim:
        axes = range(input.ndim) if d is None else ((d,) if isinstance(d, builtins.int) else d)
        for a in sorted(a % input.ndim for a in axes):
            out = out.unsqueeze(a)
    return out


def _cumulative(
    fn: Any,
    op: str,
    x: Any,
    axis: Any,
    dtype: Any,
    include_initial: builtins.bool,
    initial: builtins.int,
) -> _Tensor:
    if axis is None:
        if x.ndim > 1:
            raise ValueError(f"{op}(): 'axis' is required for arrays of more than one dimension")
        axis = 0
    if x.ndim == 0:
        raise ValueError(f"{op}(): needs an array of at least one dimension")
    out = fn(x, axis, dtype=dtype)
    if include_initial:
        shape = list(x.shape)
        shape[axis] = 1
        out = _rt.cat([_rt.full(tuple(shape), initial, dtype=out.dtype), out], axis)
    return out


def cumulative_sum(
    x: _Tensor,
    /,
    *,
    axis: builtins.int | None = None,
    dtype: Any = None,
    include_initial: builtins.bool = False,
) -> _Tensor:
    """Running sums along ``axis`` (optional for 1-d); ``include_initial`` prepends a zero."""
    return _cumulative(_rt.cumsum, "cumulative_sum", x, axis, dtype, include_initial, 0)


def cumulative_prod(
    x: _Tensor,
    /,
    *,
    axis: builtins.int | None = None,
    dtype: Any = None,
    include_initial: builtins.bool = False,
) -> _Tensor:
    """Running products along ``axis`` (optional for 1-d); ``include_initial`` prepends a one."""
    return _cumulative(_rt.cumprod, "cumulative_prod", x, axis, dtype, include_initial, 1)


def diff(
    x: _Tensor,
    /,
    *,
    axis: builtins.int = -1,
    n: builtins.int = 1,
    prepend: Any = None,
    append: Any = None,
) -> _Tensor:
    """The ``n``-th forward difference along ``axis``, after joining ``prepend``/``append``."""
    if not -x.ndim <= axis < x.ndim:
        raise IndexError(f"diff(): axis {axis} is out of range for {x.ndim} dimensions")
    parts = [p for p in (prepend, x, append) if p is not None]
    if len(parts) > 1:
        with renamed("diff", "cat"):
            x = _rt.cat(parts, axis)
    axis %= x.ndim
    head = tuple(slice(None) for _ in range(axis))
    for _ in range(n):
        x = x[(*head, slice(1, None))] - x[(*head, slice(None, -1))]
    return x


# ---------------------------------------------------------------------------------------------
# Sorting: the standard's `axis=`/`stable=` return the sorted values alone


def sort(
    input: Any,
    dim: Any = _MISSING,
    descending: builtins.bool = False,
    *,
    stable: Any = None,
    axis: Any = _MISSING,
) -> Any:
    """PyTorch's ``sort`` (``(values, indices)``); with the standard's ``axis=``, the sorted
    values alone (stable unless ``stable=False``)."""
    if axis is not _MISSING:
        d = _pick("sort", "dim", dim, "axis", axis, -1)
        return _rt.sort(input, d, descending, stable=True if stable is None else stable).values
    return _rt.sort(input, -1 if dim is _MISSING else dim, descending, stable=stable)


def argsort(
    input: Any,
    dim: Any = _MISSING,
    descending: builtins.bool = False,
    stable: Any = None,
    *,
    axis: Any = _MISSING,
) -> _Tensor:
    """Indices that sort along ``dim``/``axis``; stable by default when ``axis=`` is used, as the
    standard requires."""
    if axis is not _MISSING and stable is None:
        stable = True
    return _rt.argsort(input, _pick("argsort", "dim", dim, "axis", axis, -1), descending, stable)
