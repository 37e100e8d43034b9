"""The Python array API standard's (2024.12) shape, product and set functions under their
standard names (``concat``, ``permute_dims``, ``unstack``, ``vecdot``, ``unique_all``...), each a
thin shim over the core op whose errors name the function the caller used."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from . import _rusttorch as _rt
from . import return_types
from ._array_api_creation import _MISSING, _pick, asarray
from ._array_api_dtypes import renamed, tensor_arg

__all__ = [
    "broadcast_arrays",
    "concat",
    "expand_dims",
    "flip",
    "matrix_transpose",
    "meshgrid",
    "permute_dims",
    "repeat",
    "reshape",
    "roll",
    "squeeze",
    "stack",
    "take",
    "take_along_axis",
    "tensordot",
    "unique_all",
    "unique_counts",
    "unique_inverse",
    "unique_values",
    "unstack",
    "vecdot",
]

_Tensor = _rt.Tensor


# ---------------------------------------------------------------------------------------------
# Shapes


def concat(arrays: Sequence[Any], /, *, axis: builtins.int | None = 0) -> _Tensor:
    """Arrays joined along ``axis`` (``None``: flattened first)."""
    if axis is None:
        arrays = [_rt.reshape(a, (-1,)) for a in arrays]
        axis = 0
    with renamed("concat", "cat"):
        return _rt.cat(arrays, axis)


def stack(tensors: Sequence[Any], dim: Any = _MISSING, *, axis: Any = _MISSING) -> _Tensor:
    """Arrays of one shape stacked along a new ``dim``/``axis``."""
    return _rt.stack(tensors, _pick("stack", "dim", dim, "axis", axis, 0))


def unstack(x: _Tensor, /, *, axis: builtins.int = 0) -> tuple[_Tensor, ...]:
    """The slices of ``x`` along ``axis``."""
    with renamed("unstack", "unbind"):
        return _rt.unbind(x, axis)


def permute_dims(x: _Tensor, /, axes: Sequence[builtins.int]) -> _Tensor:
    """``x`` with its axes reordered (PyTorch: ``permute``)."""
    with renamed("permute_dims", "permute"):
        return _rt.permute(x, tuple(axes))


def matrix_transpose(x: _Tensor, /) -> _Tensor:
    """The last two axes swapped (``x.mT``)."""
    if x.ndim < 2:
        raise ValueError(f"matrix_transpose(): needs at least 2 dimensions, got {x.ndim}")
    return x.mT


def expand_dims(x: _Tensor, /, axis: builtins.int = 0) -> _Tensor:
    """``x`` with a new axis of size 1 at ``axis`` (PyTorch: ``unsqueeze``)."""
    if not -x.ndim - 1 <= axis <= x.ndim:
        raise IndexError(f"expand_dims(): axis {axis} is out of range for {x.ndim + 1} dimensions")
    return _rt.unsqueeze(x, axis)


def squeeze(input: Any, axis: Any = _MISSING, *, dim: Any = _MISSING) -> _Tensor:
    """``input`` without its size-1 axes ``axis``/``dim`` (all size-1 axes when ``None``); an
    axis whose size is not 1 is left as it is (PyTorch; the standard raises ValueError)."""
    return _rt.squeeze(input, _pick("squeeze", "dim", dim, "axis", axis, None))


def flip(input: Any, dims: Any = _MISSING, *, axis: Any = _MISSING) -> _Tensor:
    """``input`` reversed along ``dims``/``axis`` (all axes when ``None``)."""
    d = _pick("flip", "dims", dims, "axis", axis, None)
    if d is None:
        d = tuple(range(input.ndim))
    return _rt.flip(input, (d,) if isinstance(d, builtins.int) else tuple(d))


def roll(
    input: Any,
    shift: Any = _MISSING,
    dims: Any = _MISSING,
    *,
    shifts: Any = _MISSING,
    axis: Any = _MISSING,
) -> _Tensor:
    """``input`` rotated by ``shift`` (PyTorch: ``shifts``) along ``dims``/``axis`` (flattened
    when ``None``)."""
    s = _pick("roll", "shifts", shifts, "shift", shift, _MISSING)
    if s is _MISSING:
        raise TypeError("roll(): missing the argument 'shift' (PyTorch: 'shifts')")
    return _rt.roll(input, s, _pick("roll", "dims", dims, "axis", axis, None))


def reshape(input: Any, shape: Any, *, copy: builtins.bool | None = None) -> _Tensor:
    """``input`` with a new shape (a view where possible; ``copy=True`` always copies)."""
    out = _rt.reshape(input, shape)
    return out.clone() if copy else out


def repeat(x: _Tensor, repeats: Any, /, *, axis: builtins.int | None = None) -> _Tensor:
    """Each element repeated ``repeats`` times along ``axis`` (flattened when ``None``)
    (PyTorch: ``repeat_interleave``)."""
    with renamed("repeat", "repeat_interleave"):
        return _rt.repeat_interleave(x, repeats, axis)


def take(input: Any, index: Any, /, *, axis: builtins.int | None = None) -> _Tensor:
    """Elements at ``index``: of the flattened input (PyTorch), or along ``axis``."""
    if axis is None:
        return _rt.take(input, index)
    return _rt.index_select(input, axis, _wrap_negative(index, input.shape[axis]))


def _wrap_negative(index: Any, size: builtins.int) -> Any:
    """Negative indices counted from the end, as the standard allows."""
    if not isinstance(index, _Tensor):
        index = asarray(index, dtype=_rt.int64)
    return _rt.where(index < 0, index + size, index)


def take_along_axis(x: _Tensor, indices: _Tensor, /, *, axis: builtins.int = -1) -> _Tensor:
    """Values at ``indices`` along ``axis`` (PyTorch: ``take_along_dim``)."""
    with renamed("take_along_axis", "take_along_dim"):
        return _rt.take_along_dim(x, _wrap_negative(indices, x.shape[axis]), axis)


# ---------------------------------------------------------------------------------------------
# Products


def tensordot(a: Any, b: Any, dims: Any = _MISSING, *, axes: Any = _MISSING) -> _Tensor:
    """Contraction over ``dims``/``axes`` (a count of trailing/leading axes, or two lists)."""
    return _rt.tensordot(a, b, _pick("tensordot", "dims", dims, "axes", axes, 2))


def vecdot(x1: _Tensor, x2: _Tensor, /, *, axis: Any = _MISSING, dim: Any = _MISSING) -> _Tensor:
    """Dot products of vectors along ``axis`` (PyTorch: ``dim``; default -1), broadcast over the
    other axes; the two vectors must have the same length."""
    axis = _pick("vecdot", "dim", dim, "axis", axis, -1)
    n1 = x1.shape[axis] if x1.ndim else None
    n2 = x2.shape[axis] if x2.ndim else None
    if n1 != n2:
        raise ValueError(f"vecdot(): the contracted axis {axis} has sizes {n1} and {n2}")
    return _rt._linalg_vecdot(x1, x2, dim=axis)


def broadcast_arrays(*arrays: _Tensor) -> list[_Tensor]:
    """The arrays broadcast against each other (PyTorch: ``broadcast_tensors``)."""
    with renamed("broadcast_arrays", "broadcast_tensors"):
        return list(_rt.broadcast_tensors(*arrays))


def meshgrid(*tensors: Any, indexing: str = "ij") -> list[_Tensor]:
    """Coordinate grids of 1-d arrays, as a list; ``indexing`` is PyTorch's default ``"ij"``
    (the standard's default is ``"xy"``: pass it explicitly to be portable)."""
    return list(_rt.meshgrid(*tensors, indexing=indexing))


# ---------------------------------------------------------------------------------------------
# Sets: the standard's four `unique_*` functions over PyTorch's `unique`


def unique_values(x: _Tensor, /) -> _Tensor:
    """The distinct values of ``x``, sorted, as a 1-d array."""
    return _rt.unique(tensor_arg("unique_values", x).reshape(-1))


def unique_counts(x: _Tensor, /) -> Any:
    """The distinct values of ``x`` and how often each occurs: ``(values, counts)``."""
    values, counts = _rt.unique(tensor_arg("unique_counts", x).reshape(-1), return_counts=True)
    return return_types.UniqueCountsResult(values, counts)


def unique_inverse(x: _Tensor, /) -> Any:
    """The distinct values of ``x`` and, per element of ``x``, the index of its value:
    ``(values, inverse_indices)`` with ``inverse_indices`` of ``x``'s shape."""
    flat = tensor_arg("unique_inverse", x).reshape(-1)
    values, inverse = _rt.unique(flat, return_inverse=True)
    return return_types.UniqueInverseResult(values, inverse.reshape(x.shape))


def unique_all(x: _Tensor, /) -> Any:
    """``(values, indices, inverse_indices, counts)``: the distinct values, the flat index of
    each one's first occurrence, per element the index of its value, and the counts."""
    flat = tensor_arg("unique_all", x).reshape(-1)
    values, inverse, counts = _rt.unique(flat, return_inverse=True, return_counts=True)
    n = flat.shape[0]
    first = _rt.full((values.shape[0],), n, dtype=_rt.int64).scatter_reduce(
        0, inverse, _rt.arange(n, dtype=_rt.int64), "amin"
    )
    return return_types.UniqueAllResult(values, first, inverse.reshape(x.shape), counts)
