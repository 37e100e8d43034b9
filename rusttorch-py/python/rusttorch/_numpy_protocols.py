"""NumPy's protocols on Tensor: ufuncs (``__array_ufunc__``) and functions (``__array_function__``).

Each is one table: a ufunc maps to the RustTorch function computing it, a NumPy function to an
implementation taking NumPy's arguments. Result dtypes are NumPy's (``ufunc.resolve_dtypes``, cached
per dtype combination, chooses the loop; the inputs are cast to it, lazily). What a table lacks runs
in NumPy on evaluated arrays (docs/numpy-interop.md).
"""

from __future__ import annotations

import builtins
import math
import operator
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _rusttorch as rt

Tensor = rt.Tensor

# Every RustTorch dtype NumPy also has, keyed by its NumPy dtype: a dtype added to the core is
# found here by its name (one without a NumPy counterpart, bfloat16, stays out).
_DTYPES: dict[np.dtype, Any] = {}
for _obj in vars(rt).values():
    if isinstance(_obj, rt.dtype):
        try:
            _DTYPES[np.dtype(_obj.name)] = _obj
        except TypeError:
            pass

_NUMPY = {d: dt for dt, d in _DTYPES.items()}
_KNOWN = (Tensor, np.ndarray, np.generic, int, float, builtins.bool)

_Impl = Callable[..., Any]


class _Fallback(Exception):
    """Raised by an implementation for an argument it does not translate: NumPy computes it."""


# ------------------------------------------------------------------------------- conversions


def _np_dtype(x: Any) -> Any:
    """What ``resolve_dtypes`` takes for an operand: a dtype, or a Python scalar's type (weak)."""
    if isinstance(x, Tensor):
        return _NUMPY[x.dtype]
    t = type(x)
    if t is int or t is float:
        return t
    if isinstance(x, np.generic) and x.dtype.kind in "iuf":
        # A NumPy scalar is weak, like a Python number, as RustTorch's operators take it, so
        # that `np.float64(2) * t` (NumPy's scalar operator calls this protocol) and
        # `t * np.float64(2)` are one dtype.
        return float if x.dtype.kind == "f" else int
    return np.asarray(x).dtype


def _tensor(x: Any, dt: np.dtype) -> Tensor:
    """``x`` as a tensor of NumPy dtype ``dt`` (a cast node for a tensor, a copy of an array)."""
    d = _DTYPES.get(dt)
    if d is None:
        raise _Fallback
    if isinstance(x, Tensor):
        return x.to(d)
    if type(x) in _WEAK:
        return rt.full((), x, dtype=d)
    return rt.tensor(np.asarray(x, dtype=dt))


def _as_tensor(x: Any) -> Tensor:
    """An operand as a tensor of its NumPy dtype (lists as NumPy would read them)."""
    if isinstance(x, Tensor):
        return x
    return _tensor(x, np.asarray(x).dtype)


def _arrays(x: Any) -> Any:
    """Tensors (also inside lists, tuples and dicts) as the NumPy arrays of their values."""
    if isinstance(x, Tensor):
        return np.asarray(x)
    if isinstance(x, (list, tuple)):
        return type(x)(_arrays(v) for v in x)
    if isinstance(x, dict):
        return {k: _arrays(v) for k, v in x.items()}
    return x


def _back(r: Any) -> Any:
    """A NumPy result as tensors (tuples item by item), converted as ``rusttorch.tensor``
    converts arrays; complex, object and string results stay NumPy's."""
    if isinstance(r, tuple):
        return tuple(_back(v) for v in r)
    if isinstance(r, (np.ndarray, np.generic)) and r.dtype.kind in "biuf":
        return rt.tensor(r)
    return r


def _foreign(objs: Any) -> bool:
    """Whether an operand is another library's array (it gets its turn: ``NotImplemented``)."""
    for x in objs:
        t = type(x)
        if t not in _KNOWN and hasattr(t, "__array_ufunc__") and not issubclass(t, _KNOWN):
            return True
    return False


def _rebind(out: Tensor, r: Tensor, name: str) -> Tensor:
    """``out=`` a tensor: the object now names ``r`` cast to its dtype with NumPy's ``same_kind``
    rule and broadcast to its shape (tensors are values: nothing is written in place)."""
    src, dst = np.dtype(r.dtype.name), np.dtype(out.dtype.name)
    if not np.can_cast(src, dst, "same_kind"):
        raise TypeError(
            f"numpy.{name}: cannot cast the result from {src} to the out= tensor's {dst} "
            "with casting rule 'same_kind'"
        )
    try:
        return out.copy_(r)
    except (ValueError, RuntimeError) as e:
        raise ValueError(f"numpy.{name}: out= tensor of shape {out.shape}: {e}") from e


# ------------------------------------------------------------------------------- ufunc rows


_BUILTIN = types.BuiltinFunctionType
_WEAK = (int, float, builtins.bool)


def _float_only(f: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """``f`` for float loops; an integer loop is NumPy's (its integer rules differ)."""

    def g(*xs: Tensor) -> Tensor:
        if not xs[0].dtype.is_floating_point:
            raise _Fallback
        return f(*xs)

    return g


def _sign(x: Tensor) -> Tensor:
    return rt.where(rt.isnan(x), x, rt.sign(x)) if x.dtype.is_floating_point else rt.sign(x)


def _abs(x: Tensor) -> Tensor:
    return x if x.dtype == rt.bool else rt.abs(x)


def _fmax(a: Tensor, b: Tensor) -> Tensor:
    return rt.where(rt.isnan(b), a, rt.where(rt.isnan(a), b, rt.maximum(a, b)))


def _fmin(a: Tensor, b: Tensor) -> Tensor:
    return rt.where(rt.isnan(b), a, rt.where(rt.isnan(a), b, rt.minimum(a, b)))


def _heaviside(x: Tensor, h0: Tensor) -> Tensor:
    step = rt.where(x < 0, rt.zeros_like(x), rt.where(x > 0, rt.ones_like(x), h0))
    return rt.where(rt.isnan(x), x, step)


def _scaled(c: float) -> Callable[[Tensor], Tensor]:
    return lambda x: x * c


# One row per ufunc: what computes it on tensors already cast to NumPy's loop dtypes.
UFUNCS: dict[np.ufunc, Callable[..., Tensor]] = {
    np.add: operator.add,
    np.subtract: operator.sub,
    np.multiply: operator.mul,
    np.divide: operator.truediv,
    np.floor_divide: _float_only(rt.floor_divide),
    np.remainder: _float_only(rt.remainder),
    np.fmod: _float_only(rt.fmod),
    np.power: _float_only(rt.pow),
    np.float_power: rt.pow,
    np.maximum: rt.maximum,
    np.minimum: rt.minimum,
    np.fmax: _fmax,
    np.fmin: _fmin,
    np.arctan2: rt.atan2,
    np.hypot: rt.hypot,
    np.copysign: rt.copysign,
    np.nextafter: rt.nextafter,
    np.logaddexp: rt.logaddexp,
    np.logaddexp2: rt.logaddexp2,
    np.heaviside: _heaviside,
    np.matmul: rt.matmul,
    np.equal: rt.eq,
    np.not_equal: rt.ne,
    np.less: rt.lt,
    np.less_equal: rt.le,
    np.greater: rt.gt,
    np.greater_equal: rt.ge,
    np.logical_and: rt.logical_and,
    np.logical_or: rt.logical_or,
    np.logical_xor: rt.logical_xor,
    np.logical_not: rt.logical_not,
    np.bitwise_and: rt.bitwise_and,
    np.bitwise_or: rt.bitwise_or,
    np.bitwise_xor: rt.bitwise_xor,
    np.invert: rt.bitwise_not,
    np.negative: operator.neg,
    np.positive: operator.pos,
    np.absolute: _abs,
    np.fabs: _abs,
    np.sign: _sign,
    np.exp: rt.exp,
    np.exp2: rt.exp2,
    np.expm1: rt.expm1,
    np.log: rt.log,
    np.log2: rt.log2,
    np.log10: rt.log10,
    np.log1p: rt.log1p,
    np.sqrt: rt.sqrt,
    np.square: rt.square,
    np.reciprocal: _float_only(rt.reciprocal),
    np.sin: rt.sin,
    np.cos: rt.cos,
    np.tan: rt.tan,
    np.arcsin: rt.asin,
    np.arccos: rt.acos,
    np.arctan: rt.atan,
    np.sinh: rt.sinh,
    np.cosh: rt.cosh,
    np.tanh: rt.tanh,
    np.arcsinh: rt.asinh,
    np.arccosh: rt.acosh,
    np.arctanh: rt.atanh,
    np.floor: rt.floor,
    np.ceil: rt.ceil,
    np.trunc: rt.trunc,
    np.rint: rt.round,
    np.isnan: rt.isnan,
    np.isinf: rt.isinf,
    np.isfinite: rt.isfinite,
    np.signbit: rt.signbit,
    np.deg2rad: _scaled(math.pi / 180),
    np.rad2deg: _scaled(180 / math.pi),
    np.conjugate: lambda x: x,
}

# ufunc.reduce / ufunc.accumulate as RustTorch reductions and scans (``dim``, ``keepdim``).
REDUCE: dict[np.ufunc, Callable[..., Tensor]] = {
    np.add: rt.sum,
    np.multiply: rt.prod,
    np.maximum: rt.amax,
    np.minimum: rt.amin,
    np.logical_and: rt.all,
    np.logical_or: rt.any,
}
ACCUMULATE: dict[np.ufunc, Callable[[Tensor, int], Tensor]] = {
    np.add: rt.cumsum,
    np.multiply: rt.cumprod,
    np.maximum: lambda x, d: rt.cummax(x, d).values,
    np.minimum: lambda x, d: rt.cummin(x, d).values,
}

# ------------------------------------------------------------------------------- ufunc dispatch

_LOOPS: dict[tuple[Any, ...], tuple[np.dtype, ...]] = {}


def _loop(ufunc: np.ufunc, dtypes: tuple[Any, ...], dtype: Any) -> tuple[np.dtype, ...]:
    """NumPy's loop dtypes (inputs, then outputs) for these operand dtypes, cached."""
    key = (ufunc, dtypes, dtype)
    loop = _LOOPS.get(key)
    if loop is None:
        if dtype is None:
            loop = ufunc.resolve_dtypes((*dtypes, *(None,) * ufunc.nout))
        else:
            sig = (*(None,) * ufunc.nin, np.dtype(dtype))
            loop = ufunc.resolve_dtypes((*dtypes, None), signature=sig)
        _LOOPS[key] = loop
    return loop


def _call(ufunc: np.ufunc, inputs: tuple[Any, ...], dtype: Any = None) -> Tensor:
    """``ufunc(*inputs)`` as a lazy tensor of NumPy's result dtype (``_Fallback`` if it has no
    row, or its loop uses a dtype RustTorch lacks)."""
    f = UFUNCS.get(ufunc)
    if f is None or ufunc.nout != 1:
        raise _Fallback
    loop = _loop(ufunc, tuple(_np_dtype(x) for x in inputs), dtype)
    want = _DTYPES.get(loop[-1])
    if want is None:
        for dt in loop:
            if dt.kind == "c":
                raise TypeError(f"numpy.{ufunc.__name__}: complex dtypes ({dt}) are not supported")
        raise _Fallback
    # A Python scalar beside a tensor goes to a builtin row as is (RustTorch takes it as the
    # tensor's dtype, which the cast made NumPy's loop dtype); composites get 0-d tensors.
    keep = isinstance(f, _BUILTIN) and builtins.any(isinstance(x, Tensor) for x in inputs)
    args = [
        x if keep and type(x) in _WEAK else _tensor(x, dt)
        for x, dt in zip(inputs, loop, strict=False)
    ]
    try:
        r = f(*args)
    except (ValueError, TypeError, IndexError, RuntimeError) as e:
        named = _named(e, ufunc.__name__)
        if named is e:
            raise
        raise named from e
    return r.to(want)


def _axis_dim(axis: Any) -> Any:
    """NumPy's ``axis=`` as RustTorch's ``dim=`` (``None``: all; a list as a tuple)."""
    return tuple(axis) if isinstance(axis, list) else axis


def _reduce(
    ufunc: np.ufunc, x: Any, axis: Any = 0, dtype: Any = None, keepdims: bool = False, **rest: Any
) -> Tensor:
    f = REDUCE.get(ufunc)
    t = _as_tensor(x)
    if f is None or rest or t.numel() == 0:
        raise _Fallback
    want = _probe(lambda a: ufunc.reduce(a, dtype=dtype), t)
    return f(_tensor(t, want), _axis_dim(axis), keepdims).to(_DTYPES[want])


def _accumulate(ufunc: np.ufunc, x: Any, axis: int = 0, dtype: Any = None, **rest: Any) -> Tensor:
    f = ACCUMULATE.get(ufunc)
    t = _as_tensor(x)
    if f is None or rest or t.ndim == 0:
        raise _Fallback
    want = _probe(lambda a: ufunc.accumulate(a, dtype=dtype), t)
    return f(_tensor(t, want), axis).to(_DTYPES[want])


def _outer(ufunc: np.ufunc, a: Any, b: Any, dtype: Any = None, **rest: Any) -> Tensor:
    if rest or ufunc.nin != 2:
        raise _Fallback
    a, b = _as_tensor(a), _as_tensor(b)
    return _call(ufunc, (a.reshape(a.shape + (1,) * b.ndim), b), dtype)


_PROBES: dict[tuple[Any, ...], np.dtype] = {}


def _probe(f: Callable[[np.ndarray], Any], t: Tensor, *key: Any) -> np.dtype:
    """The dtype NumPy's ``f`` gives for ``t``'s dtype, found on a one-element array, cached by
    ``f``'s code and constants."""
    code = f.__code__
    k = (code, tuple(c.cell_contents for c in f.__closure__ or ()), t.dtype.name, *key)
    dt = _PROBES.get(k)
    if dt is None:
        dt = _PROBES[k] = np.asarray(f(np.ones(1, dtype=t.dtype.name))).dtype
    if dt not in _DTYPES:
        raise _Fallback
    return dt


_METHODS: dict[str, Callable[..., Tensor]] = {
    "reduce": _reduce,
    "accumulate": _accumulate,
    "outer": _outer,
}


def array_ufunc(
    ufunc: np.ufunc, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any] | None
) -> Any:
    """``Tensor.__array_ufunc__``: the row's lazy tensor, else NumPy on the evaluated arrays."""
    kwargs = kwargs or {}
    out = kwargs.get("out")
    if _foreign(inputs) or (out is not None and _foreign(out)):
        return NotImplemented
    outs = out if out is not None else ()
    if method == "at":
        return _at(ufunc, inputs, kwargs)
    if not builtins.any(isinstance(o, np.ndarray) for o in outs):
        rest = {k: v for k, v in kwargs.items() if k != "out"} if kwargs else kwargs
        try:
            if method == "__call__":
                dtype = rest.pop("dtype", None)
                if rest:
                    raise _Fallback
                r = _call(ufunc, inputs, dtype)
            else:
                m = _METHODS.get(method)
                if m is None:
                    raise _Fallback
                r = m(ufunc, *inputs, **rest)
        except _Fallback:
            pass
        else:
            if outs and outs[0] is not None:
                return _rebind(outs[0], r, ufunc.__name__)
            return r
    return _numpy_ufunc(ufunc, method, inputs, kwargs)


def _numpy_ufunc(
    ufunc: np.ufunc, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """The ufunc in NumPy on the inputs' values. An ndarray ``out=`` is written as NumPy writes
    it; a tensor ``out=`` gets a writable copy of its values, then names the result."""
    outs = kwargs.get("out") or ()
    kw = {k: _arrays(v) for k, v in kwargs.items() if k != "out"}
    if outs:
        kw["out"] = tuple(np.array(o) if isinstance(o, Tensor) else o for o in outs)
    r = getattr(ufunc, method)(*_arrays(inputs), **kw)
    if not outs:
        return _back(r)
    done = tuple(
        _rebind(o, rt.tensor(a), ufunc.__name__) if isinstance(o, Tensor) else a
        for o, a in zip(outs, kw["out"], strict=True)
    )
    return done[0] if len(done) == 1 else done


def _at(ufunc: np.ufunc, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """``ufunc.at(a, indices, b)``: NumPy updates a copy of a tensor ``a``'s values, which ``a``
    then names."""
    a, *rest = inputs
    target = np.array(a) if isinstance(a, Tensor) else a
    ufunc.at(target, *_arrays(tuple(rest)), **kwargs)
    if isinstance(a, Tensor):
        a.copy_(rt.tensor(target))


# ------------------------------------------------------------------------------- functions


def _keep(r: Tensor, t: Tensor, axis: Any, keepdims: bool) -> Tensor:
    """``keepdims=True`` after a reduction over all dims (``axis=None``): ones of ``t.ndim``."""
    return r.reshape((1,) * t.ndim) if keepdims and axis is None else r


def _out(r: Tensor, out: Any, name: str) -> Any:
    if out is None:
        return r
    if isinstance(out, Tensor):
        return _rebind(out, r, name)
    raise _Fallback


def _reduction(np_f: Callable[..., Any], rt_f: Callable[..., Tensor], name: str) -> _Impl:
    """A NumPy reduction ``(a, axis, dtype, out, keepdims)`` through ``rt_f(t, dim, keepdim)``,
    in NumPy's accumulation dtype and with NumPy's result dtype."""

    def impl(
        a: Any,
        axis: Any = None,
        dtype: Any = None,
        out: Any = None,
        keepdims: bool = False,
        **rest: Any,
    ) -> Any:
        t = _as_tensor(a)
        if rest or t.numel() == 0:
            raise _Fallback
        want = _probe(lambda x: np_f(x, dtype=dtype), t, name)
        r = rt_f(_tensor(t, want), _axis_dim(axis), keepdims)
        return _out(r.to(_DTYPES[want]), out, name)

    return impl


def _moments(np_f: Callable[..., Any], rt_f: Callable[..., Tensor], name: str) -> _Impl:
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
        t = _as_tensor(a)
        if rest or t.numel() == 0:
            raise _Fallback
        want = _probe(lambda x: np_f(x, dtype=dtype), t, name)
        c = ddof if correction is None else correction
        r = rt_f(_tensor(t, want), _axis_dim(axis), keepdim=keepdims, correction=c)
        return _out(r, out, name)

    return impl


def _extremum(rt_f: Callable[..., Tensor], name: str) -> Callable[..., Any]:
    def impl(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False, **rest: Any) -> Any:
        t = _as_tensor(a)
        if rest or t.numel() == 0:
            raise _Fallback
        return _out(rt_f(t, _axis_dim(axis), keepdims), out, name)

    return impl


def _arg(rt_f: Callable[..., Tensor], name: str) -> Callable[..., Any]:
    def impl(a: Any, axis: Any = None, out: Any = None, *, keepdims: bool = False) -> Any:
        t = _as_tensor(a)
        if t.numel() == 0:
            raise _Fallback
        if t.dtype == rt.bool:
            t = t.to(rt.int32)
        r = rt_f(t, axis, keepdims if axis is not None else False)
        return _out(_keep(r, t, axis, keepdims), out, name)

    return impl


def _scan(np_f: Callable[..., Any], rt_f: Callable[..., Tensor], name: str) -> Callable[..., Any]:
    def impl(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> Any:
        t = _as_tensor(a)
        if axis is None:
            t, axis = t.reshape(-1), 0
        want = _probe(lambda x: np_f(x, dtype=dtype), t, name)
        return _out(rt_f(_tensor(t, want), axis).to(_DTYPES[want]), out, name)

    return impl


def _result_type(*xs: Any) -> np.dtype:
    """NumPy's promotion of operands (Python scalars weak, as NumPy 2 takes them)."""
    return np.result_type(*(np.dtype(x.dtype.name) if isinstance(x, Tensor) else x for x in xs))


def _joined(rt_f: Callable[..., Tensor], name: str) -> Callable[..., Any]:
    def impl(
        arrays: Any,
        axis: Any = 0,
        out: Any = None,
        *,
        dtype: Any = None,
        casting: str = "same_kind",
    ) -> Any:
        ts = [_as_tensor(x) for x in arrays]
        dt = np.dtype(dtype) if dtype is not None else _result_type(*ts)
        if axis is None:
            ts, axis = [x.reshape(-1) for x in ts], 0
        return _out(rt_f([_tensor(x, dt) for x in ts], axis), out, name)

    return impl


def _where(condition: Any, *xy: Any) -> Any:
    if len(xy) != 2:
        raise _Fallback
    dt = _result_type(*xy)
    c = _as_tensor(condition).to(rt.bool)
    return rt.where(c, _tensor(xy[0], dt), _tensor(xy[1], dt))


def _transpose(a: Any, axes: Any = None) -> Tensor:
    t = _as_tensor(a)
    return t.permute(tuple(range(t.ndim))[::-1] if axes is None else tuple(axes))


def _reshape(
    a: Any, shape: Any = None, order: str = "C", *, newshape: Any = None, copy: Any = None
) -> Tensor:
    shape = newshape if shape is None else shape
    if order != "C" or shape is None:
        raise _Fallback
    return _as_tensor(a).reshape((shape,) if isinstance(shape, int) else tuple(shape))


def _ravel(a: Any, order: str = "C") -> Tensor:
    if order not in ("C", "K"):
        raise _Fallback
    return _as_tensor(a).reshape(-1)


def _einsum(
    subscripts: Any,
    *operands: Any,
    out: Any = None,
    dtype: Any = None,
    optimize: Any = False,
    **rest: Any,
) -> Any:
    if not isinstance(subscripts, str) or rest:
        raise _Fallback
    ts = [_as_tensor(x) for x in operands]
    dt = np.dtype(dtype) if dtype is not None else _result_type(*ts)
    return _out(rt.einsum(subscripts, *(_tensor(x, dt) for x in ts)), out, "einsum")


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
        raise _Fallback
    t = _as_tensor(a)
    dt = _result_type(t, *(v for v in (lo, hi) if v is not None))
    bounds = (None if v is None else _tensor(v, dt) for v in (lo, hi))
    return _out(rt.clip(_tensor(t, dt), *bounds), out, "clip")


def _sorting(values: bool) -> Callable[..., Tensor]:
    def impl(
        a: Any, axis: Any = -1, kind: Any = None, order: Any = None, *, stable: Any = None
    ) -> Tensor:
        if order is not None:
            raise _Fallback
        t = _as_tensor(a)
        if axis is None:
            t, axis = t.reshape(-1), 0
        if values:
            return rt.sort(t, axis, stable=True).values
        return rt.argsort(t, axis, stable=True)

    return impl


def _squeeze(a: Any, axis: Any = None) -> Tensor:
    t = _as_tensor(a)
    if axis is None:
        return t.reshape(tuple(n for n in t.shape if n != 1))
    axes = _normalize(axis, t.ndim, "squeeze")
    if builtins.any(t.shape[i] != 1 for i in axes):
        raise ValueError(
            "numpy.squeeze: cannot select an axis to squeeze out which has size "
            f"not equal to one (shape {t.shape}, axis {axis})"
        )
    return t.reshape(tuple(n for i, n in enumerate(t.shape) if i not in axes))


def _normalize(axis: Any, ndim: int, name: str) -> tuple[int, ...]:
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    norm = tuple(operator.index(i) + ndim if i < 0 else operator.index(i) for i in axes)
    if builtins.any(not 0 <= i < ndim for i in norm):
        raise np.exceptions.AxisError(f"numpy.{name}: axis {axis} is out of bounds for {ndim} dims")
    if len(set(norm)) != len(norm):
        raise ValueError(f"numpy.{name}: repeated axis in {axis}")
    return norm


def _expand_dims(a: Any, axis: Any) -> Tensor:
    t = _as_tensor(a)
    n = t.ndim + (1 if isinstance(axis, int) else len(axis))
    axes = _normalize(axis, n, "expand_dims")
    dims = iter(t.shape)
    return t.reshape(tuple(1 if i in axes else next(dims) for i in range(n)))


def _flip(m: Any, axis: Any = None) -> Tensor:
    t = _as_tensor(m)
    return rt.flip(t, tuple(range(t.ndim)) if axis is None else _normalize(axis, t.ndim, "flip"))


def _roll(a: Any, shift: Any, axis: Any = None) -> Tensor:
    t = _as_tensor(a)
    if axis is None:
        return rt.roll(t.reshape(-1), shift, 0).reshape(t.shape)
    return rt.roll(t, shift, axis)


def _triangle(rt_f: Callable[..., Tensor]) -> Callable[..., Tensor]:
    def impl(m: Any, k: int = 0) -> Tensor:
        t = _as_tensor(m)
        if t.ndim < 2:
            raise _Fallback
        return rt_f(t, k)

    return impl


def _dot(a: Any, b: Any, out: Any = None) -> Any:
    ta, tb = _as_tensor(a), _as_tensor(b)
    if ta.ndim > 2 or tb.ndim > 2:
        raise _Fallback
    ufunc = np.multiply if ta.ndim == 0 or tb.ndim == 0 else np.matmul
    return _out(_call(ufunc, (ta, tb)), out, "dot")


def _outer_fn(a: Any, b: Any, out: Any = None) -> Any:
    return _out(
        _outer(np.multiply, _as_tensor(a).reshape(-1), _as_tensor(b).reshape(-1)), out, "outer"
    )


def _round(a: Any, decimals: int = 0, out: Any = None) -> Any:
    t = _as_tensor(a)
    if not t.dtype.is_floating_point:
        if decimals < 0:
            raise _Fallback
        return _out(t, out, "round")
    return _out(rt.round(t, decimals=decimals), out, "round")


def _isclose(
    a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    dt = np.result_type(_result_type(a, b), 1.0)
    return rt.isclose(_tensor(a, dt), _tensor(b, dt), rtol=rtol, atol=atol, equal_nan=equal_nan)


def _allclose(
    a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    return builtins.bool(_isclose(a, b, rtol, atol, equal_nan).all())


def _array_equal(a1: Any, a2: Any, equal_nan: bool = False) -> bool:
    ta, tb = _as_tensor(a1), _as_tensor(a2)
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
        t = _as_tensor(a)
        dt = _DTYPES.get(np.dtype(dtype)) if dtype is not None else t.dtype
        if rest or dt is None or len(fill) > 1:
            raise _Fallback
        dims = t.shape if shape is None else ((shape,) if isinstance(shape, int) else tuple(shape))
        return rt_f(dims, *fill, dtype=dt)

    return impl


def _size(a: Any, axis: Any = None) -> int:
    t = _as_tensor(a)
    return t.numel() if axis is None else t.shape[axis]


def _nan_to_num(
    x: Any, copy: bool = True, nan: float = 0.0, posinf: Any = None, neginf: Any = None
) -> Tensor:
    t = _as_tensor(x)
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
    np.swapaxes: lambda a, axis1, axis2: rt.swapaxes(_as_tensor(a), axis1, axis2),
    np.moveaxis: lambda a, source, destination: rt.moveaxis(_as_tensor(a), source, destination),
    np.broadcast_to: lambda array, shape, subok=False: rt.broadcast_to(_as_tensor(array), shape),
    np.flip: _flip,
    np.roll: _roll,
    np.tril: _triangle(rt.tril),
    np.triu: _triangle(rt.triu),
    np.diagonal: lambda a, offset=0, axis1=0, axis2=1: rt.diagonal(
        _as_tensor(a), offset, axis1, axis2
    ),
    np.dot: _dot,
    np.outer: _outer_fn,
    np.round: _round,
    np.around: _round,
    np.fix: lambda x, out=None: _out(rt.trunc(_as_tensor(x)), out, "fix"),
    np.isclose: _isclose,
    np.allclose: _allclose,
    np.array_equal: _array_equal,
    np.nan_to_num: _nan_to_num,
    np.zeros_like: _like(rt.zeros),
    np.ones_like: _like(rt.ones),
    np.full_like: _like(rt.full),
    np.copy: lambda a, order="K", subok=False: _as_tensor(a).clone(),
    np.shape: lambda a: _as_tensor(a).shape,
    np.ndim: lambda a: _as_tensor(a).ndim,
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
        return func(*_arrays(args), **_arrays(kwargs))
    try:
        return impl(*args, **kwargs)
    except _Fallback:
        r = func(*_arrays(args), **_arrays(kwargs))
        return r if isinstance(kwargs.get("out"), np.ndarray) else _back(r)
    except (ValueError, TypeError, IndexError, RuntimeError) as e:
        named = _named(e, func.__name__)
        if named is e:
            raise
        raise named from e


def _named(e: Exception, name: str) -> Exception:
    """``e`` with the NumPy function's name in front; a dim out of range is NumPy's
    ``AxisError`` (both an ``IndexError`` and a ``ValueError``)."""
    msg = str(e) if str(e).startswith("numpy.") else f"numpy.{name}: {e}"
    if isinstance(e, IndexError) and not isinstance(e, np.exceptions.AxisError):
        return np.exceptions.AxisError(msg)
    return e if msg == str(e) else type(e)(msg)
