"""Conversions the NumPy protocols share: operands to tensors of NumPy's dtypes, tensors to
arrays, NumPy results back, ``out=`` tensors rebound, errors named for the NumPy callable."""

from __future__ import annotations

import builtins
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _rusttorch as rt

Tensor = rt.Tensor

# Every RustTorch dtype NumPy also has, keyed by its NumPy dtype: a dtype added to the core is
# found here (one without a NumPy dtype, bfloat16 without ml_dtypes, stays out and its tensors
# go through NumPy's own paths).
DTYPES: dict[np.dtype, Any] = {}
for _obj in vars(rt).values():
    if isinstance(_obj, rt.dtype):
        try:
            DTYPES[np.dtype(_obj.numpy_dtype)] = _obj
        except (TypeError, ValueError, ImportError):
            pass

NUMPY = {d: dt for dt, d in DTYPES.items()}
KNOWN = (Tensor, np.ndarray, np.generic, int, float, builtins.bool)
WEAK = (int, float, builtins.bool)

Impl = Callable[..., Any]


class Fallback(Exception):
    """Raised by an implementation for an argument it does not translate: NumPy computes it."""


def numpy_dtype(t: Tensor) -> np.dtype:
    """A tensor's NumPy dtype (``Fallback`` for a dtype NumPy lacks)."""
    dt = NUMPY.get(t.dtype)
    if dt is None:
        raise Fallback
    return dt


def np_dtype(x: Any) -> Any:
    """What ``resolve_dtypes`` takes for an operand: a dtype, or a Python scalar's type (weak)."""
    if isinstance(x, Tensor):
        return numpy_dtype(x)
    t = type(x)
    if t is int or t is float:
        return t
    if isinstance(x, np.generic) and x.dtype.kind in "iuf":
        # A NumPy scalar is weak, like a Python number, as RustTorch's operators take it, so
        # that `np.float64(2) * t` (NumPy's scalar operator calls this protocol) and
        # `t * np.float64(2)` are one dtype.
        return float if x.dtype.kind == "f" else int
    return np.asarray(x).dtype


def tensor_of(x: Any, dt: np.dtype) -> Tensor:
    """``x`` as a tensor of NumPy dtype ``dt`` (a cast node for a tensor, a copy of an array)."""
    d = DTYPES.get(dt)
    if d is None:
        raise Fallback
    if isinstance(x, Tensor):
        return x.to(d)
    if type(x) in WEAK:
        return rt.full((), x, dtype=d)
    return rt.tensor(np.asarray(x, dtype=dt))


def as_tensor(x: Any) -> Tensor:
    """An operand as a tensor of its NumPy dtype (lists as NumPy would read them)."""
    if isinstance(x, Tensor):
        return x
    return tensor_of(x, np.asarray(x).dtype)


def arrays(x: Any) -> Any:
    """Tensors (also inside lists, tuples and dicts) as the NumPy arrays of their values."""
    if isinstance(x, Tensor):
        return np.asarray(x)
    if isinstance(x, (list, tuple)):
        return type(x)(arrays(v) for v in x)
    if isinstance(x, dict):
        return {k: arrays(v) for k, v in x.items()}
    return x


def back(r: Any) -> Any:
    """A NumPy result as tensors (tuples item by item), converted as ``rusttorch.tensor``
    converts arrays; complex, object and string results stay NumPy's."""
    if isinstance(r, tuple):
        return tuple(back(v) for v in r)
    if isinstance(r, (np.ndarray, np.generic)) and r.dtype.kind in "biuf":
        return rt.tensor(r)
    return r


def foreign(objs: Any) -> bool:
    """Whether an operand is another library's array (it gets its turn: ``NotImplemented``)."""
    for x in objs:
        t = type(x)
        if t not in KNOWN and hasattr(t, "__array_ufunc__") and not issubclass(t, KNOWN):
            return True
    return False


def rebind(out: Tensor, r: Tensor, name: str) -> Tensor:
    """``out=`` a tensor: the object now names ``r`` cast to its dtype with NumPy's ``same_kind``
    rule and broadcast to its shape (tensors are values: nothing is written in place)."""
    src, dst = NUMPY.get(r.dtype), NUMPY.get(out.dtype)
    if src is not None and dst is not None and not np.can_cast(src, dst, "same_kind"):
        raise TypeError(
            f"numpy.{name}: cannot cast the result from {src} to the out= tensor's {dst} "
            "with casting rule 'same_kind'"
        )
    try:
        return out.copy_(r)
    except (ValueError, RuntimeError) as e:
        raise ValueError(f"numpy.{name}: out= tensor of shape {out.shape}: {e}") from e


def axis_dim(axis: Any) -> Any:
    """NumPy's ``axis=`` as RustTorch's ``dim=`` (``None``: all; a list as a tuple)."""
    return tuple(axis) if isinstance(axis, list) else axis


_PROBES: dict[tuple[Any, ...], np.dtype] = {}


def probe(f: Callable[[np.ndarray], Any], t: Tensor, *key: Any) -> np.dtype:
    """The dtype NumPy's ``f`` gives for ``t``'s dtype, found on a one-element array, cached by
    ``f``'s code and constants."""
    code = f.__code__
    k = (code, tuple(c.cell_contents for c in f.__closure__ or ()), t.dtype.name, *key)
    dt = _PROBES.get(k)
    if dt is None:
        dt = _PROBES[k] = np.asarray(f(np.ones(1, dtype=numpy_dtype(t)))).dtype
    if dt not in DTYPES:
        raise Fallback
    return dt


def result_type(*xs: Any) -> np.dtype:
    """NumPy's promotion of operands, Python and NumPy scalars weak (as ``np_dtype`` has it)."""
    return np.result_type(*(_weak_value(x) for x in xs))


def _weak_value(x: Any) -> Any:
    if isinstance(x, Tensor):
        return numpy_dtype(x)
    if isinstance(x, np.generic) and x.dtype.kind in "iuf":
        return x.item()
    return x


def name_error(e: Exception, name: str) -> Exception:
    """``e`` with the NumPy function's name in front; a dim out of range is NumPy's
    ``AxisError`` (both an ``IndexError`` and a ``ValueError``)."""
    msg = str(e) if str(e).startswith("numpy.") else f"numpy.{name}: {e}"
    if isinstance(e, IndexError) and not isinstance(e, np.exceptions.AxisError):
        return np.exceptions.AxisError(msg)
    return e if msg == str(e) else type(e)(msg)


def normalize_axes(axis: Any, ndim: int, name: str) -> tuple[int, ...]:
    """``axis`` (an int or a sequence) as non-negative dims of an ``ndim``-d operand, checked
    as NumPy checks it (``AxisError``, repeated axes a ``ValueError``)."""
    try:
        axes: tuple[int, ...] = (operator.index(axis),)
    except TypeError:
        axes = tuple(operator.index(i) for i in axis)
    norm = tuple(i + ndim if i < 0 else i for i in axes)
    if builtins.any(not 0 <= i < ndim for i in norm):
        raise np.exceptions.AxisError(f"numpy.{name}: axis {axis} is out of bounds for {ndim} dims")
    if len(set(norm)) != len(norm):
        raise ValueError(f"numpy.{name}: repeated axis in {axis}")
    return norm
