"""Random expressions (depth up to 8) evaluated fused, eager, and by NumPy in float64."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import rusttorch as rt
from helpers import REDUCE_BROADCAST_WORKS, REDUCE_OF_BROADCAST_WORKS
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

_erf = np.vectorize(math.erf, otypes=[np.float64])

# Unary ops as (rusttorch, NumPy) pairs, chosen so values stay bounded and no op meets a domain
# edge where approximations may legitimately disagree (exp only of a tanh, log of 1 + x^2 ...).
UNARY: list[tuple[str, Callable[[rt.Tensor], rt.Tensor], Callable[[np.ndarray], np.ndarray]]] = [
    ("neg", lambda t: -t, np.negative),
    ("abs", abs, np.abs),
    ("relu", rt.relu, lambda x: np.maximum(x, 0.0)),
    ("tanh", rt.tanh, np.tanh),
    ("sigmoid", rt.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    ("sin", rt.sin, np.sin),
    ("cos", rt.cos, np.cos),
    ("exp_tanh", lambda t: t.tanh().exp(), lambda x: np.exp(np.tanh(x))),
    ("log1p_sq", lambda t: (t.square() + 1.0).log(), lambda x: np.log(x * x + 1.0)),
    ("sqrt_1p_sq", lambda t: (1.0 + t * t).sqrt(), lambda x: np.sqrt(1.0 + x * x)),
    ("leaky", lambda t: t.leaky_relu(0.1), lambda x: np.where(x >= 0, x, 0.1 * x)),
    ("gelu", rt.gelu, lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2)))),
    ("scale", lambda t: t * 0.5 + 0.25, lambda x: x * 0.5 + 0.25),
    ("rsub", lambda t: 1.0 - t, lambda x: 1.0 - x),
]

BINARY: list[
    tuple[
        str,
        Callable[[rt.Tensor, rt.Tensor], rt.Tensor],
        Callable[[np.ndarray, np.ndarray], np.ndarray],
    ]
] = [
    ("add", lambda a, b: a + b, np.add),
    ("sub", lambda a, b: a - b, np.subtract),
    ("mul", lambda a, b: a * b, np.multiply),
    ("div", lambda a, b: a / (b * b + 1.0), lambda a, b: a / (b * b + 1.0)),
    ("maximum", rt.maximum, np.maximum),
    ("minimum", rt.minimum, np.minimum),
]


@dataclass
class Expr:
    """An expression built in both worlds at once."""

    tensor: rt.Tensor
    array: np.ndarray
    text: str

    def __repr__(self) -> str:
        return f"Expr({self.text}, shape={self.array.shape})"


@st.composite
def expressions(draw: st.DrawFn, dtype: str) -> Expr:
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(1, 6), min_size=ndim, max_size=ndim)))

    def leaf() -> Expr:
        # Leaves broadcast to `shape`: a suffix of it, with some sizes set to 1.
        k = draw(st.integers(0, ndim))
        sub = [1 if draw(st.booleans()) else d for d in shape[ndim - k :]]
        seed = draw(st.integers(0, 2**32 - 1))
        x = np.random.default_rng(seed).uniform(-3, 3, sub).astype(dtype)
        return Expr(rt.from_numpy(x), x.astype(np.float64), f"x{tuple(sub)}")

    def build(depth: int) -> Expr:
        kind = (
            draw(st.sampled_from(["leaf", "unary", "binary", "binary", "reduce"]))
            if depth
            else "leaf"
        )
        if kind == "leaf":
            return leaf()
        if kind == "unary":
            name, f, g = draw(st.sampled_from(UNARY))
            e = build(depth - 1)
            return Expr(f(e.tensor), g(e.array), f"{name}({e.text})")
        if kind == "binary":
            name, f, g = draw(st.sampled_from(BINARY))
            a, b = build(depth - 1), build(depth - 1)
            return Expr(f(a.tensor, b.tensor), g(a.array, b.array), f"{name}({a.text}, {b.text})")
        # A reduction kept as size 1 so it broadcasts back into the expression.
        e = build(depth - 1)
        dim = draw(st.integers(-e.array.ndim, e.array.ndim - 1)) if e.array.ndim else None
        name = draw(st.sampled_from(["sum", "mean", "max", "min", "softmax"]))
        if name == "softmax":
            if dim is None:
                return e
            ex = np.exp(e.array - e.array.max(axis=dim, keepdims=True))
            sm = ex / ex.sum(axis=dim, keepdims=True)
            return Expr(e.tensor.softmax(dim), sm, f"softmax({e.text}, {dim})")
        ref = getattr(np, name)(e.array, axis=dim, keepdims=True)
        r = getattr(e.tensor, name)(dim=dim, keepdim=True)
        if name in ("max", "min") and dim is not None:
            r = r.values  # the named tuple (values, indices)
        return Expr(r, ref, f"{name}({e.text}, {dim})")

    return build(draw(st.integers(1, 8)))


REDUCTIONS = ("sum", "mean", "max", "min", "softmax")
TOL = {"float64": {"rtol": 1e-9, "atol": 1e-9}, "float32": {"rtol": 2e-4, "atol": 2e-4}}


def check(e: Expr, dtype: str) -> None:
    # Eager first, on a fresh node (`* 1.0`), so the fused evaluation below starts from scratch.
    eager = (e.tensor * 1.0).eval(fuse=False).numpy()
    assert eager.shape == e.array.shape
    np.testing.assert_allclose(eager, e.array, **TOL[dtype])
    try:
        fused = e.tensor.eval().numpy()
    except RuntimeError as err:
        # Known planner limitation (see helpers): tolerated only while its probe fails.
        if REDUCE_BROADCAST_WORKS or "cannot be placed" not in str(err):
            raise
        event("skipped fused: known planner limitation (reduction broadcast)")
        return
    assert fused.dtype == dtype
    assert fused.shape == e.array.shape
    try:
        np.testing.assert_allclose(fused, e.array, **TOL[dtype])
    except AssertionError:
        # Known fused-reduction bug (see helpers): tolerated only while its probe fails, and
        # only for expressions with a reduction (eager was checked above).
        if REDUCE_OF_BROADCAST_WORKS or not any(f"{r}(" in e.text for r in REDUCTIONS):
            raise
        event("skipped fused: known fused-reduction bug")
        return
    np.testing.assert_allclose(fused, eager, **TOL[dtype])


# Local runs explore new examples each time; CI (CI=true) runs a fixed, reproducible set.
SETTINGS = settings(
    max_examples=300,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)


@SETTINGS
@given(expressions("float64"))
def test_random_expressions_float64(e: Expr) -> None:
    check(e, "float64")


@SETTINGS
@given(expressions("float32"))
def test_random_expressions_float32(e: Expr) -> None:
    check(e, "float32")
