"""NumPy's ufuncs on tensors (``__array_ufunc__``): one row per ufunc, the RustTorch function
computing it on operands cast to NumPy's loop dtypes (``ufunc.resolve_dtypes``, cached per dtype
combination); reductions, scans and ``outer`` of the ufuncs that have them; NumPy for the rest."""

from __future__ import annotations

import builtins
import math
import operator
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _rusttorch as rt
from ._numpy_convert import (
    DTYPES,
    WEAK,
    Fallback,
    Tensor,
    arrays,
    as_tensor,
    axis_dim,
    back,
    foreign,
    name_error,
    np_dtype,
    probe,
    rebind,
    tensor_of,
)

# ------------------------------------------------------------------------------- ufunc rows


_BUILTIN = types.BuiltinFunctionType


def _float_only(f: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """``f`` for float loops; an integer loop is NumPy's (its integer rules differ)."""

    def g(*xs: Tensor) -> Tensor:
        if not xs[0].dtype.is_floating_point:
            raise Fallback
        return f(*xs)

    return g


def _sign(x: Tensor) -> Tensor:
    return rt.where(rt.isnan(x), x, rt.sign(x)) if x.dtype.is_floating_point else rt.sign(x)


def _abs(x: Tensor) -> Tensor:
    return x if x.dtype == rt.bool else rt.abs(x)


def _matmul(a: Tensor, b: Tensor) -> Tensor:
    """Floats: RustTorch's matmul; integers and bools (which it refuses): the sum of broadcast
    products, as NumPy's integer loop (wrapping) and bool loop (any of ands) compute it."""
    if a.dtype.is_floating_point:
        return rt.matmul(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise Fallback  # NumPy's error
    x = a.unsqueeze(0) if a.ndim == 1 else a
    y = b.unsqueeze(-1) if b.ndim == 1 else b
    r = (x.unsqueeze(-1) * y.unsqueeze(-3)).sum(-2)
    if b.ndim == 1:
        r = r.squeeze(-1)
    if a.ndim == 1:
        r = r.squeeze(-2 if b.ndim > 1 else -1)
    return r


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
    np.matmul: _matmul,
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


def call(ufunc: np.ufunc, inputs: tuple[Any, ...], dtype: Any = None) -> Tensor:
    """``ufunc(*inputs)`` as a lazy tensor of NumPy's result dtype (``Fallback`` if it has no
    row, or its loop uses a dtype RustTorch lacks)."""
    f = UFUNCS.get(ufunc)
    if f is None or ufunc.nout != 1:
        raise Fallback
    loop = _loop(ufunc, tuple(np_dtype(x) for x in inputs), dtype)
    want = DTYPES.get(loop[-1])
    if want is None:
        for dt in loop:
            if dt.kind == "c":
                raise TypeError(f"numpy.{ufunc.__name__}: complex dtypes ({dt}) are not supported")
        raise Fallback
    # A Python scalar beside a tensor goes to a builtin row as is (RustTorch takes it as the
    # tensor's dtype, which the cast made NumPy's loop dtype); composites get 0-d tensors.
    keep = isinstance(f, _BUILTIN) and builtins.any(isinstance(x, Tensor) for x in inputs)
    args = [
        x if keep and type(x) in WEAK else tensor_of(x, dt)
        for x, dt in zip(inputs, loop, strict=False)
    ]
    try:
        r = f(*args)
    except (ValueError, TypeError, IndexError, RuntimeError) as e:
        named = name_error(e, ufunc.__name__)
        if named is e:
            raise
        raise named from e
    return r.to(want)


def _reduce(
    ufunc: np.ufunc, x: Any, axis: Any = 0, dtype: Any = None, keepdims: bool = False, **rest: Any
) -> Tensor:
    f = REDUCE.get(ufunc)
    t = as_tensor(x)
    if f is None or rest or t.numel() == 0:
        raise Fallback
    want = probe(lambda a: ufunc.reduce(a, dtype=dtype), t)
    return f(tensor_of(t, want), axis_dim(axis), keepdims).to(DTYPES[want])


def _accumulate(ufunc: np.ufunc, x: Any, axis: int = 0, dtype: Any = None, **rest: Any) -> Tensor:
    f = ACCUMULATE.get(ufunc)
    t = as_tensor(x)
    if f is None or rest or t.ndim == 0:
        raise Fallback
    want = probe(lambda a: ufunc.accumulate(a, dtype=dtype), t)
    return f(tensor_of(t, want), axis).to(DTYPES[want])


def outer(ufunc: np.ufunc, a: Any, b: Any, dtype: Any = None, **rest: Any) -> Tensor:
    if rest or ufunc.nin != 2:
        raise Fallback
    a, b = as_tensor(a), as_tensor(b)
    return call(ufunc, (a.reshape(a.shape + (1,) * b.ndim), b), dtype)


_METHODS: dict[str, Callable[..., Tensor]] = {
    "reduce": _reduce,
    "accumulate": _accumulate,
    "outer": outer,
}


def array_ufunc(
    ufunc: np.ufunc, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any] | None
) -> Any:
    """``Tensor.__array_ufunc__``: the row's lazy tensor, else NumPy on the evaluated arrays."""
    kwargs = kwargs or {}
    out = kwargs.get("out")
    if foreign(inputs) or (out is not None and foreign(out)):
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
                    raise Fallback
                r = call(ufunc, inputs, dtype)
            else:
                m = _METHODS.get(method)
                if m is None:
                    raise Fallback
                r = m(ufunc, *inputs, **rest)
        except Fallback:
            pass
        else:
            if outs and outs[0] is not None:
                return rebind(outs[0], r, ufunc.__name__)
            return r
    return _numpy_ufunc(ufunc, method, inputs, kwargs)


def _numpy_ufunc(
    ufunc: np.ufunc, method: str, inputs: tuple[Any, ...], kwargs: dict[str, Any]
) -> Any:
    """The ufunc in NumPy on the inputs' values. An ndarray ``out=`` is written as NumPy writes
    it; a tensor ``out=`` gets a writable copy of its values, then names the result."""
    outs = kwargs.get("out") or ()
    kw = {k: arrays(v) for k, v in kwargs.items() if k != "out"}
    if outs:
        kw["out"] = tuple(np.array(o) if isinstance(o, Tensor) else o for o in outs)
    r = getattr(ufunc, method)(*arrays(inputs), **kw)
    if not outs:
        return back(r)
    results = r if isinstance(r, tuple) else (r,)
    done = tuple(
        rebind(o, rt.tensor(a), ufunc.__name__)
        if isinstance(o, Tensor)
        else back(a)
        if o is None
        else a
        for o, a in zip(outs, results, strict=True)
    )
    return done[0] if len(done) == 1 else done


def _at(ufunc: np.ufunc, inputs: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """``ufunc.at(a, indices, b)``: NumPy updates a copy of a tensor ``a``'s values, which ``a``
    then names."""
    a, *rest = inputs
    target = np.array(a) if isinstance(a, Tensor) else a
    ufunc.at(target, *arrays(tuple(rest)), **kwargs)
    if isinstance(a, Tensor):
        a.copy_(rt.tensor(target))
