"""The Python array API standard's (2024.12) names and signatures beside PyTorch's: creation with
``device=``, ``asarray``, ``astype``, ``axis=``/``keepdims=`` spellings of ``dim=``/``keepdim=``,
and the functions the standard names differently (``concat``, ``permute_dims``...).

Each function is a thin shim over the core op: it renames arguments and picks the standard's
behaviour where the standard's spelling is used (``max(x, axis=0)`` is an array, as
``amax``; ``max(x, 0)`` stays PyTorch's ``(values, indices)``). docs/array-api.md lists where the
two disagree and which one the namespace follows.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _rusttorch as _rt
from . import return_types
from ._array_api_dtypes import check_device, renamed, tensor_arg

__all__ = [
    "arange",
    "argmax",
    "argmin",
    "argsort",
    "asarray",
    "astype",
    "broadcast_arrays",
    "concat",
    "count_nonzero",
    "cumulative_prod",
    "cumulative_sum",
    "diff",
    "empty",
    "empty_like",
    "expand_dims",
    "eye",
    "flip",
    "full",
    "full_like",
    "linspace",
    "matrix_transpose",
    "max",
    "mean",
    "meshgrid",
    "min",
    "ones",
    "ones_like",
    "permute_dims",
    "prod",
    "repeat",
    "reshape",
    "roll",
    "sort",
    "squeeze",
    "stack",
    "std",
    "sum",
    "take",
    "take_along_axis",
    "tensordot",
    "tril",
    "triu",
    "unique_all",
    "unique_counts",
    "unique_inverse",
    "unique_values",
    "unstack",
    "var",
    "vecdot",
    "zeros",
    "zeros_like",
]

_Tensor = _rt.Tensor
_MISSING: Any = object()


def _pick(
    op: str, torch_name: str, torch_value: Any, std_name: str, std_value: Any, default: Any
) -> Any:
    """One argument spelled two ways (``dim``/``axis``): at most one may be given."""
    if std_value is _MISSING:
        return default if torch_value is _MISSING else torch_value
    if torch_value is not _MISSING:
        raise TypeError(f"{op}(): got both '{torch_name}' and '{std_name}'; pass one")
    return std_value


# ---------------------------------------------------------------------------------------------
# Creation


def _nested_tensors(obj: Any) -> builtins.bool:
    """Whether a nested sequence holds tensors (then each is read as its value)."""
    if isinstance(obj, _Tensor):
        return True
    if isinstance(obj, (list, tuple)):
        return builtins.any(_nested_tensors(o) for o in obj)
    return False


def _to_values(obj: Any) -> Any:
    if isinstance(obj, _Tensor):
        return obj.numpy()
    if isinstance(obj, (list, tuple)):
        return [_to_values(o) for o in obj]
    return obj


def asarray(
    obj: Any, /, *, dtype: Any = None, device: Any = None, copy: builtins.bool | None = None
) -> _Tensor:
    """An array from a tensor, a NumPy array or buffer, a Python scalar or a nested sequence.

    ``copy=True`` always copies; ``copy=False`` never does and raises ValueError where a copy
    would be needed (a Python sequence, a dtype change); ``copy=None`` copies only when needed.
    Without ``dtype``, Python floats become float32, ints int64 and bools bool.
    """
    check_device("asarray", device)
    if isinstance(obj, complex) or (isinstance(obj, np.ndarray) and obj.dtype.kind == "c"):
        raise TypeError("asarray(): complex dtypes are not supported by rusttorch")
    if isinstance(obj, _Tensor):
        if dtype is not None and obj.dtype != dtype:
            if copy is False:
                raise ValueError(
                    f"asarray(copy=False): casting {obj.dtype} to {dtype} needs a copy"
                )
            return obj.to(dtype)
        return obj.clone() if copy else obj
    if isinstance(obj, np.generic):
        obj = np.asarray(obj)
    if isinstance(obj, np.ndarray) or (
        not isinstance(obj, (list, tuple, builtins.bool, builtins.int, builtins.float))
        and hasattr(obj, "__buffer__")
    ):
        arr = np.asarray(obj)
        if copy is False:
            if dtype is not None and _rt.tensor(arr[:0]).dtype != dtype:
                raise ValueError("asarray(copy=False): the dtype differs, a copy is needed")
            return _rt.from_numpy(arr)
        if copy:
            arr = arr.copy()
        return _rt.tensor(arr, dtype=dtype)
    if copy is False:
        raise ValueError(
            "asarray(copy=False): a Python scalar or sequence cannot be used without a copy"
        )
    if _nested_tensors(obj):
        obj = _to_values(obj)
        if dtype is None:
            return _rt.tensor(np.asarray(obj))
    if dtype is None and isinstance(obj, builtins.float):
        return _rt.tensor(obj, dtype=_rt.float32)
    return _rt.tensor(obj, dtype=dtype)


def arange(
    start: Any, /, stop: Any = None, step: Any = 1, *, dtype: Any = None, device: Any = None
) -> _Tensor:
    """Values from ``start`` to ``stop`` (exclusive) by ``step``; one argument is ``stop``."""
    check_device("arange", device)
    return _rt.arange(start, stop, step, dtype=dtype)


def _size(shape: Any, size: tuple[Any, ...]) -> tuple[Any, ...]:
    """``zeros(2, 3)``, ``zeros((2, 3))`` and ``zeros(shape=(2, 3))`` alike; no size at all is
    left to the core's error."""
    return size if shape is _MISSING else (shape, *size)


def empty(shape: Any = _MISSING, *size: Any, dtype: Any = None, device: Any = None) -> _Tensor:
    """An uninitialised array of ``shape`` (``empty(2, 3)`` or ``empty((2, 3))``)."""
    check_device("empty", device)
    return _rt.empty(*_size(shape, size), dtype=dtype)


def zeros(shape: Any = _MISSING, *size: Any, dtype: Any = None, device: Any = None) -> _Tensor:
    """An array of zeros (``zeros(2, 3)`` or ``zeros((2, 3))``)."""
    check_device("zeros", device)
    return _rt.zeros(*_size(shape, size), dtype=dtype)


def ones(shape: Any = _MISSING, *size: Any, dtype: Any = None, device: Any = None) -> _Tensor:
    """An array of ones (``ones(2, 3)`` or ``ones((2, 3))``)."""
    check_device("ones", device)
    return _rt.ones(*_size(shape, size), dtype=dtype)


def full(shape: Any, fill_value: Any, dtype: Any = None, *, device: Any = None) -> _Tensor:
    """An array of ``shape`` filled with ``fill_value``."""
    check_device("full", device)
    if isinstance(fill_value, complex):
        raise TypeError("full(): complex dtypes are not supported by rusttorch")
    return _rt.full(shape, fill_value, dtype=dtype)


def empty_like(x: _Tensor, /, *, dtype: Any = None, device: Any = None) -> _Tensor:
    """An uninitialised array with ``x``'s shape (and dtype unless ``dtype``)."""
    check_device("empty_like", device)
    return _rt.empty_like(x, dtype=dtype)


def zeros_like(x: _Tensor, /, *, dtype: Any = None, device: Any = None) -> _Tensor:
    """Zeros with ``x``'s shape (and dtype unless ``dtype``)."""
    check_device("zeros_like", device)
    return _rt.zeros_like(x, dtype=dtype)


def ones_like(x: _Tensor, /, *, dtype: Any = None, device: Any = None) -> _Tensor:
    """Ones with ``x``'s shape (and dtype unless ``dtype``)."""
    check_device("ones_like", device)
    return _rt.ones_like(x, dtype=dtype)


def full_like(x: _Tensor, /, fill_value: Any, *, dtype: Any = None, device: Any = None) -> _Tensor:
    """``fill_value`` with ``x``'s shape (and dtype unless ``dtype``)."""
    check_device("full_like", device)
    return _rt.full_like(x, fill_value, dtype=dtype)


def eye(
    n_rows: Any,
    n_cols: Any = None,
    /,
    *,
    k: builtins.int = 0,
    dtype: Any = None,
    device: Any = None,
) -> _Tensor:
    """Ones on the ``k``-th diagonal of an ``n_rows x n_cols`` matrix, zeros elsewhere."""
    check_device("eye", device)
    if k == 0:
        return _rt.eye(n_rows, n_cols, dtype=dtype)
    cols = n_rows if n_cols is None else n_cols
    ones_ = _rt.ones((n_rows, cols), dtype=dtype)
    return _rt.triu(_rt.tril(ones_, k), k)


def linspace(
    start: Any,
    end: Any,
    num: Any = None,
    *,
    steps: Any = None,
    dtype: Any = None,
    device: Any = None,
    endpoint: builtins.bool = True,
) -> _Tensor:
    """``num`` (PyTorch: ``steps``) evenly spaced values from ``start`` to ``end``; without
    ``endpoint``, ``end`` itself is left out."""
    check_device("linspace", device)
    num = _pick(
        "linspace",
        "steps",
        _MISSING if steps is None else steps,
        "num",
        _MISSING if num is None else num,
        None,
    )
    if num is None:
        raise TypeError("linspace(): missing the number of values 'num' (PyTorch: 'steps')")
    if isinstance(start, complex) or isinstance(end, complex):
        raise TypeError("linspace(): complex dtypes are not supported by rusttorch")
    if endpoint:
        return _rt.linspace(start, end, num, dtype=dtype)
    out = _rt.linspace(start, end, num + 1, dtype=dtype)
    return out[:num]


def tril(input: _Tensor, diagonal: Any = _MISSING, *, k: Any = _MISSING) -> _Tensor:
    """The lower triangle at and below diagonal ``k`` (PyTorch: ``diagonal``)."""
    return _rt.tril(input, _pick("tril", "diagonal", diagonal, "k", k, 0))


def triu(input: _Tensor, diagonal: Any = _MISSING, *, k: Any = _MISSING) -> _Tensor:
    """The upper triangle at and above diagonal ``k`` (PyTorch: ``diagonal``)."""
    return _rt.triu(input, _pick("triu", "diagonal", diagonal, "k", k, 0))


def astype(x: _Tensor, dtype: Any, /, *, copy: builtins.bool = True, device: Any = None) -> _Tensor:
    """``x`` converted to ``dtype``; with ``copy=False``, ``x`` itself when it already has it."""
    check_device("astype", device)
    if not copy and x.dtype == dtype:
        return x
    if x.dtype == dtype:
        return x.clone()
    return x.to(dtype)


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
