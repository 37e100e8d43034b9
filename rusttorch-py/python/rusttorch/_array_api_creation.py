"""The Python array API standard's (2024.12) creation functions beside PyTorch's: ``device=``
everywhere, ``asarray`` with the standard's copy semantics, ``astype``, ``k=``/``num=``/
``endpoint=`` spellings; and ``_pick``, how every shim takes an argument spelled two ways."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from . import _rusttorch as _rt
from ._array_api_dtypes import check_device

__all__ = [
    "arange",
    "asarray",
    "astype",
    "empty",
    "empty_like",
    "eye",
    "full",
    "full_like",
    "linspace",
    "ones",
    "ones_like",
    "tril",
    "triu",
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
        same_dtype = dtype is None or dtype == arr.dtype
        if copy is False:
            if not same_dtype:
                raise ValueError("asarray(copy=False): the dtype differs, a copy is needed")
            if not arr.flags.c_contiguous:
                raise ValueError("asarray(copy=False): a strided NumPy array needs a copy")
            return _rt.from_numpy(arr)
        if copy is None and same_dtype and arr.flags.c_contiguous:
            return _rt.from_numpy(arr)  # shares the buffer, as NumPy's asarray does
        return _rt.tensor(arr.copy() if copy else arr, dtype=dtype)
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
    try:
        return _rt.tensor(obj, dtype=dtype)
    except OverflowError:
        # Python ints beyond int64 (uint64's upper half) go through NumPy's conversion.
        if dtype is None or not hasattr(dtype, "name"):
            raise
        return _rt.tensor(np.asarray(obj, dtype=np.dtype(dtype.name)), dtype=dtype)


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
    k = builtins.max(builtins.min(k, cols), -n_rows)  # past the corners: all zeros
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
