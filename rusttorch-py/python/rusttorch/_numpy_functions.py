"""NumPy's functions on tensors (``__array_function__``): one row per function, an implementation
taking NumPy's arguments and giving NumPy's results as lazy tensors; NumPy for the rest."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _rusttorch as rt
from ._numpy_convert import (
    DTYPES,
    Fallback,
    Impl,
    Tensor,
    arrays,
    as_tensor,
    back,
    name_error,
    normalize_axes,
    probe,
    rebind,
    result_type,
    tensor_of,
)
from ._numpy_ufuncs import call, outer


def _keep(r: Tensor, t: Tensor, axis: Any, keepdims: bool) -> Tensor:
    """``keepdims=True`` after a reduction over all dims (``axis=None``): ones of ``t.ndim``."""
    return r.reshape((1,) * t.ndim) if keepdims and axis is None else r


def _dim(axis: Any, t: Tensor, name: str) -> Any:
    """NumPy's ``axis=`` of a reduction, checked as NumPy checks it: ``None`` or a tuple of
    dims. A 0-d operand has axis 0 (and -1) as an int for the reductions NumPy builds on
    ``ufunc.reduce``, and none for ``mean``, ``std`` and ``var``."""
    if axis is None or (type(axis) is int and 0 <= axis < t.ndim):
        return axis
    if t.ndim == 0 and name not in _STRICT_0D and isinstance(axis, int) and axis in (0, -1):
        return axis
    return normalize_axes(axis, t.ndim, name)


_STRICT_0D = frozenset({"mean", "std", "var"})


def _out(r: Tensor, out: Any, name: str) -> Any:
    if out is None:
        return r
    if isinstance(out, Tensor):
        return rebind(out, r, name)
    raise Fallback


def _reduced(
    np_f: Impl,
    rt_f: Impl,
    name: str,
    a: Any,
    axis: Any,
    dtype: Any,
    out: Any,
    keepdims: bool,
    rest: dict[str, Any],
    **extra: Any,
) -> Any:
    """``rt_f(t, dim, keepdim=, **extra)`` in NumPy's accumulation dtype for ``np_f`` (found on
    a one-element array), with NumPy's result dtype."""
    t = as_tensor(a)
    if rest or t.numel() == 0:
        raise Fallback
    want = probe(lambda x: np_f(x, dtype=dtype), t, name)
    r = rt_f(tensor_of(t, want), _dim(axis, t, name), keepdim=keepdims, **extra)
    return _out(r.to(DTYPES[want]), out, name)


def _reduction(np_f: Impl, rt_f: Impl, name: str) -> Impl:
    """A NumPy reduction ``(a, axis, dtype, out, keepdims)`` through ``rt_f``."""

    def impl(
        a: Any,
        axis: Any = None,
        dtype: Any = None,
        out: Any = None,
        keepdims: bool = False,
        **rest: Any,
    ) -> Any:
        return _reduced(np_f, rt_f, name, a, axis, dtype, out, keepdims, rest)

    return impl


def _moments(np_f: Impl, rt_f: Impl, name: str) -> Impl:
    """``np.std``/``np.var``: NumPy's ``ddof=0`` (or ``correction=``) as ``correction``."""

    def impl(
        a: Any,
        axis: Any = None,
        dtype: Any = None,
        out: Any = None,
        ddof: int = 0,
        keepdims: bool = False,
        *,
        correction: Any = None,
        **rest: Any,
    ) -> Any:
        c = ddof if correction is None else correction
        return _reduced(np_f, rt_f, name, a, axis, dtype, out, keepdims, rest, correction=c)

    return impl


def _extremum(rt_f: Callable[..., Tensor], name: str) -> Callable[..., Any]:
    def impl(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False, **rest: Any) -> Any:
        t = as_tensor(a)
        if rest or t.numel() == 0:
            raise Fallback
        return _out(rt_f(t, _dim(axis, t, name), keepdims), out, name)

    return impl


def _arg(rt_f: Callable[..., Tensor], name: str) -> Callable[..., Any]:
    def impl(a: Any, axis: Any = None, out: Any = None, *, keepdims: bool = False) -> Any:
        t = as_tensor(a)
        if t.numel() == 0:
            raise Fallback
        if t.dtype == rt.bool:
            t = t.to(rt.int32)
        r = rt_f(t, axis, keepdims if axis is not None else False)
        return _out(_keep(r, t, axis, keepdims), out, name)

    return impl


def _scan(np_f: Callable[..., Any], rt_f: Callable[..., Tensor], name: str) -> Callable[..., Any]:
    def impl(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
        t = as_tensor(a)
        if axis is None or t.ndim == 0:  # NumPy scans a 0-d array as a 1-d one
            t, axis = t.reshape(-1), 0 if axis is None else axis
        want = probe(lambda x: np_f(x, dtype=dtype), t, name)
        return _out(rt_f(tensor_of(t, want), axis).to(DTYPES[want]), out, name)

    return impl


def _joined(rt_f: Callable[..., Tensor], name: str) -> Callable[..., Any]:
    def impl(
        arrays: Any,
        axis: Any = 0,
        out: Any = None,
        *,
        dtype: Any = None,
        casting: str = "same_kind",
    ) -> Any:
        ts = [as_tensor(x) for x in arrays]
        dt = np.dtype(dtype) if dtype is not None else result_type(*ts)
        if axis is None:
            ts, axis = [x.reshape(-1) for x in ts], 0
        return _out(rt_f([tensor_of(x, dt) for x in ts], axis), out, name)

    return impl


def _where(condition: Any, *xy: Any) -> Any:
    if len(xy) != 2:
        raise Fallback
    dt = result_type(*xy)
    c = as_tensor(condition).to(rt.bool)
    return rt.where(c, tensor_of(xy[0], dt), tensor_of(xy[1], dt))


def _transpose(a: Any, axes: Any = None) -> Tensor:
    t = as_tensor(a)
    return t.permute(tuple(range(t.ndim))[::-1] if axes is None else tuple(axes))


def _reshape(
    a: Any, shape: Any = None, order: str = "C", *, newshape: Any = None, copy: Any = None
) -> Tensor:
    shape = newshape if shape is None else shape
    if order != "C" or shape is None:
        raise Fallback
    return as_tensor(a).reshape((shape,) if isinstance(shape, int) else tuple(shape))


def _ravel(a: Any, order: str = "C") -> Tensor:
    if order not in ("C", "K"):
        raise Fallback
    return as_tensor(a).reshape(-1)


def _einsum(
    subscripts: Any,
    *operands: Any,
    out: Any = None,
    dtype: Any = None,
    optimize: Any = False,
    **rest: Any,
) -> Any:
    if not isinstance(subscripts, str) or rest:
        raise Fallback
    ts = [as_tensor(x) for x in operands]
    dt = np.dtype(dtype) if dtype is not None else result_type(*ts)
    return _out(rt.einsum(subscripts, *(tensor_of(x, dt) for x in ts)), out, "einsum")


def _clip(
    a: Any,
    a_min: Any = np._NoValue,
    a_max: Any = np._NoValue,
    out: Any = None,
    *,
    min: Any = np._NoValue,
    max: Any = np._NoValue,
    **rest: Any,
) -> Any:
    lo = min if a_min is np._NoValue else a_min
    hi = max if a_max is np._NoValue else a_max
    lo, hi = (None if v is np._NoValue else v for v in (lo, hi))
    if rest or (lo is None and hi is None):
        raise Fallback
    t = as_tensor(a)
    dt = result_type(t, *(v for v in (lo, hi) if v is not None))
    bounds = (None if v is None else tensor_of(v, dt) for v in (lo, hi))
    return _out(rt.clip(tensor_of(t, dt), *bounds), out, "clip")


def _sorting(values: bool) -> Callable[..., Tensor]:
    def impl(
        a: Any, axis: Any = -1, kind: Any = None, order: Any = None, *, stable: Any = None
    ) -> Tensor:
        if order is not None:
            raise Fallback
        t = as_tensor(a)
        if axis is None or (t.ndim == 0 and not values):  # np.argsort of a 0-d array is [0]
            t, axis = t.reshape(-1), -1 if axis is None else axis
        (axis,) = normalize_axes(axis, t.ndim, "sort" if values else "argsort")
        if values:
            return rt.sort(t, axis, stable=True).values
        return rt.argsort(t, axis, stable=True)

    return impl


def _squeeze(a: Any, axis: Any = None) -> Tensor:
    t = as_tensor(a)
    if axis is None:
        return t.reshape(tuple(n for n in t.shape if n != 1))
    axes = normalize_axes(axis, t.ndim, "squeeze")
    if builtins.any(t.shape[i] != 1 for i in axes):
        raise ValueError(
            "numpy.squeeze: cannot select an axis to squeeze out which has size "
            f"not equal to one (shape {t.shape}, axis {axis})"
        )
    return t.reshape(tuple(n for i, n in enumerate(t.shape) if i not in axes))


def _expand_dims(a: Any, axis: Any) -> Tensor:
    t = as_tensor(a)
    n = t.ndim + (1 if isinstance(axis, int) else len(axis))
    axes = normalize_axes(axis, n, "expand_dims")
    dims = iter(t.shape)
    return t.reshape(tuple(1 if i in axes else next(dims) for i in range(n)))


def _flip(m: Any, axis: Any = None) -> Tensor:
    t = as_tensor(m)
    return rt.flip(
        t, tuple(range(t.ndim)) if axis is None else normalize_axes(axis, t.ndim, "flip")
    )


def _roll(a: Any, shift: Any, axis: Any = None) -> Tensor:
    t = as_tensor(a)
    if axis is None:
        return rt.roll(t.reshape(-1), shift, 0).reshape(t.shape)
    return rt.roll(t, shift, axis)


def _triangle(rt_f: Callable[..., Tensor]) -> Callable[..., Tensor]:
    def impl(m: Any, k: int = 0) -> Tensor:
        t = as_tensor(m)
        if t.ndim < 2:
            raise Fallback
        return rt_f(t, k)

    return impl


def _dot(a: Any, b: Any, out: Any = None) -> Any:
    ta, tb = as_tensor(a), as_tensor(b)
    if ta.ndim > 2 or tb.ndim > 2:
        raise Fallback
    ufunc = np.multiply if ta.ndim == 0 or tb.ndim == 0 else np.matmul
    return _out(call(ufunc, (ta, tb)), out, "dot")


def _outer_fn(a: Any, b: Any, out: Any = None) -> Any:
    return _out(
        outer(np.multiply, as_tensor(a).reshape(-1), as_tensor(b).reshape(-1)), out, "outer"
    )


def _round(a: Any, decimals: int = 0, out: Any = None) -> Any:
    t = as_tensor(a)
    if not t.dtype.is_floating_point:
        if decimals < 0 or t.dtype == rt.bool:
            raise Fallback
        return _out(t, out, "round")
    return _out(rt.round(t, decimals=decimals), out, "round")


def _isclose(
    a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    dt = np.result_type(result_type(a, b), 1.0)
    return rt.isclose(tensor_of(a, dt), tensor_of(b, dt), rtol=rtol, atol=atol, equal_nan=equal_nan)


def _allclose(
    a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    return builtins.bool(_isclose(a, b, rtol, atol, equal_nan).all())


def _array_equal(a1: Any, a2: Any, equal_nan: bool = False) -> bool:
    ta, tb = as_tensor(a1), as_tensor(a2)
    if ta.shape != tb.shape:
        return False
    same = rt.eq(ta, tb)
    if equal_nan:
        same = same | (rt.isnan(ta.to(rt.float64)) & rt.isnan(tb.to(rt.float64)))
    return builtins.bool(same.all())


def _like(rt_f: Callable[..., Tensor]) -> Callable[..., Tensor]:
    def impl(
        a: Any,
        *fill: Any,
        dtype: Any = None,
        order: str = "K",
        subok: bool = True,
        shape: Any = None,
        **rest: Any,
    ) -> Tensor:
        t = as_tensor(a)
        dt = DTYPES.get(np.dtype(dtype)) if dtype is not None else t.dtype
        if rest or dt is None or len(fill) > 1:
            raise Fallback
        dims = t.shape if shape is None else ((shape,) if isinstance(shape, int) else tuple(shape))
        return rt_f(dims, *fill, dtype=dt)

    return impl


def _size(a: Any, axis: Any = None) -> int:
    t = as_tensor(a)
    return t.numel() if axis is None else t.shape[axis]


def _nan_to_num(
    x: Any, copy: bool = True, nan: float = 0.0, posinf: Any = None, neginf: Any = None
) -> Tensor:
    t = as_tensor(x)
    if not t.dtype.is_floating_point:
        return t
    return rt.nan_to_num(t, nan=nan, posinf=posinf, neginf=neginf)


# One row per NumPy function: an implementation with NumPy's signature, returning tensors.
FUNCTIONS: dict[Callable[..., Any], Callable[..., Any]] = {
    np.sum: _reduction(np.sum, rt.sum, "sum"),
    np.prod: _reduction(np.prod, rt.prod, "prod"),
    np.nansum: _reduction(np.nansum, rt.nansum, "nansum"),
    np.mean: _reduction(np.mean, rt.mean, "mean"),
    np.nanmean: _reduction(np.nanmean, rt.nanmean, "nanmean"),
    np.all: _extremum(rt.all, "all"),
    np.any: _extremum(rt.any, "any"),
    np.max: _extremum(rt.amax, "max"),
    np.amax: _extremum(rt.amax, "amax"),
    np.min: _extremum(rt.amin, "min"),
    np.amin: _extremum(rt.amin, "amin"),
    np.std: _moments(np.std, rt.std, "std"),
    np.var: _moments(np.var, rt.var, "var"),
    np.argmax: _arg(rt.argmax, "argmax"),
    np.argmin: _arg(rt.argmin, "argmin"),
    np.cumsum: _scan(np.cumsum, rt.cumsum, "cumsum"),
    np.cumprod: _scan(np.cumprod, rt.cumprod, "cumprod"),
    np.concatenate: _joined(rt.cat, "concatenate"),
    np.stack: _joined(rt.stack, "stack"),
    np.where: _where,
    np.transpose: _transpose,
    np.reshape: _reshape,
    np.ravel: _ravel,
    np.einsum: _einsum,
    np.clip: _clip,
    np.sort: _sorting(values=True),
    np.argsort: _sorting(values=False),
    np.squeeze: _squeeze,
    np.expand_dims: _expand_dims,
    np.swapaxes: lambda a, axis1, axis2: rt.swapaxes(as_tensor(a), axis1, axis2),
    np.moveaxis: lambda a, source, destination: rt.moveaxis(as_tensor(a), source, destination),
    np.broadcast_to: lambda array, shape, subok=False: rt.broadcast_to(as_tensor(array), shape),
    np.flip: _flip,
    np.roll: _roll,
    np.tril: _triangle(rt.tril),
    np.triu: _triangle(rt.triu),
    np.diagonal: lambda a, offset=0, axis1=0, axis2=1: rt.diagonal(
        as_tensor(a), offset, axis1, axis2
    ),
    np.dot: _dot,
    np.outer: _outer_fn,
    np.round: _round,
    np.around: _round,
    np.fix: lambda x, out=None: _out(rt.trunc(as_tensor(x)), out, "fix"),
    np.isclose: _isclose,
    np.allclose: _allclose,
    np.array_equal: _array_equal,
    np.nan_to_num: _nan_to_num,
    np.zeros_like: _like(rt.zeros),
    np.ones_like: _like(rt.ones),
    np.full_like: _like(rt.full),
    np.copy: lambda a, order="K", subok=False: as_tensor(a).clone(),
    np.shape: lambda a: as_tensor(a).shape,
    np.ndim: lambda a: as_tensor(a).ndim,
    np.size: _size,
}


def array_function(
    func: Callable[..., Any], types: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """``Tensor.__array_function__``: the row's implementation (tensors out); NumPy on the
    evaluated arrays for a function without a row (NumPy's result: ndarrays), or for arguments
    a row does not translate (its result converted back to tensors)."""
    if not builtins.all(issubclass(t, (Tensor, np.ndarray)) for t in types):
        return NotImplemented
    impl = FUNCTIONS.get(func)
    if impl is None:
        return func(*arrays(args), **arrays(kwargs))
    try:
        return impl(*args, **kwargs)
    except Fallback:
        r = func(*arrays(args), **arrays(kwargs))
        return r if isinstance(kwargs.get("out"), np.ndarray) else back(r)
    except (ValueError, TypeError, IndexError, RuntimeError) as e:
        named = name_error(e, func.__name__)
        if named is e:
            raise
        raise named from e
