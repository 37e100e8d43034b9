"""Composite ops (silu, softplus, var/std, logsumexp, layer_norm, rms_norm, mse_loss) against
NumPy in float64.

Tolerances: elementwise composites use the transcendental tolerances of helpers.py. Reductions
over n terms are compared with ``rtol`` plus an ``atol`` scaled by the magnitude of what was
summed (float32: 1e-5, as F32_REDUCTION; float64: 1e-12), since cancellation in ``x - mean`` makes
a pure relative bound meaningless near zero.
"""

from __future__ import annotations

import numpy as np
import pytest
import rusttorch as rt
from helpers import assert_close

RED_TOL = {"float32": 1e-5, "float64": 1e-12}


def data(shape: tuple[int, ...], dtype: str, seed: int = 0, scale: float = 2.0) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(shape) * scale + 0.5).astype(dtype)


def assert_reduced_close(got: object, expected: np.ndarray, scale: float, dtype: str) -> None:
    out = np.asarray(got)
    assert out.shape == np.shape(expected), (out.shape, np.shape(expected))
    assert out.dtype == np.dtype(dtype)
    tol = RED_TOL[dtype]
    np.testing.assert_allclose(out.astype(np.float64), expected, rtol=tol, atol=tol * scale)


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, x)


@pytest.mark.parametrize("shape", [(0,), (7,), (3, 5), (2, 3, 129)], ids=str)
def test_silu_softplus(shape: tuple[int, ...], dtype: str) -> None:
    x = data(shape, dtype, 1)
    x64 = x.astype(np.float64)
    silu = x64 / (1.0 + np.exp(-x64))
    for got in (rt.tensor(x).silu(), rt.silu(rt.tensor(x)), rt.silu(x)):
        assert_close(got, silu, dtype, transcendental=True)
    for got in (rt.tensor(x).softplus(), rt.softplus(rt.tensor(x))):
        assert_close(got, _softplus(x64), dtype, transcendental=True)


def test_softplus_never_overflows(dtype: str) -> None:
    x = np.array([-1000.0, -100.0, -20.0, 0.0, 20.0, 100.0, 1000.0], dtype=dtype)
    assert_close(rt.softplus(rt.tensor(x)), _softplus(x.astype(np.float64)), dtype, True)


VAR_CASES = [
    (None, 1, False),
    (None, 0, False),
    (0, 1, False),
    (1, 0, True),
    (-1, 1, False),
    ((0, 2), 1, True),
    ((2, 0), 2, False),
    (None, 1, True),
]


@pytest.mark.parametrize(("dim", "correction", "keepdim"), VAR_CASES, ids=str)
def test_var_std(dim: object, correction: int, keepdim: bool, dtype: str) -> None:
    x = data((4, 5, 33), dtype, 2)
    x64 = x.astype(np.float64)
    axis = tuple(dim) if isinstance(dim, tuple) else dim
    var = x64.var(axis=axis, ddof=correction, keepdims=keepdim)
    scale = float(np.square(x64 - x64.mean()).max())
    t = rt.tensor(x)
    for got in (
        t.var(dim, correction=correction, keepdim=keepdim),
        rt.var(t, dim, correction=correction, keepdim=keepdim),
    ):
        assert_reduced_close(got, var, scale, dtype)
    std = x64.std(axis=axis, ddof=correction, keepdims=keepdim)
    for got in (
        t.std(dim, correction=correction, keepdim=keepdim),
        rt.std(t, dim=dim, correction=correction, keepdim=keepdim),
    ):
        assert_reduced_close(got, std, float(np.sqrt(scale)), dtype)


def test_var_defaults_are_unbiased(dtype: str) -> None:
    x = data((6, 7), dtype, 3)
    x64 = x.astype(np.float64)
    assert_reduced_close(rt.tensor(x).var(), np.asarray(x64.var(ddof=1)), 10.0, dtype)
    assert_reduced_close(rt.tensor(x).std(1), x64.std(1, ddof=1), 10.0, dtype)


def test_var_of_one_element_unbiased_is_nan() -> None:
    # N - correction = 0: NaN (NumPy warns and returns NaN/inf; PyTorch returns NaN here too).
    assert np.isnan(rt.tensor([3.0]).var().item())


@pytest.mark.parametrize(("dim", "keepdim"), [(0, False), (1, True), (-1, False), (-2, True)])
def test_logsumexp(dim: int, keepdim: bool, dtype: str) -> None:
    x = data((5, 67), dtype, 4)
    x64 = x.astype(np.float64)
    m = x64.max(axis=dim, keepdims=True)
    ref = np.log(np.exp(x64 - m).sum(axis=dim, keepdims=True)) + m
    if not keepdim:
        ref = ref.squeeze(dim)
    for got in (rt.tensor(x).logsumexp(dim, keepdim), rt.logsumexp(rt.tensor(x), dim, keepdim)):
        assert_reduced_close(got, ref, float(np.abs(ref).max()), dtype)


def test_logsumexp_large_values_do_not_overflow(dtype: str) -> None:
    x = np.array([[1000.0, 1000.0, -1000.0], [-1e4, 0.0, 1.0]], dtype=dtype)
    ref = np.array([1000.0 + np.log(2.0), 1.0 + np.log1p(np.exp(-1.0))])
    assert_reduced_close(rt.tensor(x).logsumexp(1), ref, 1000.0, dtype)


def _layer_norm(x: np.ndarray, n: int, w: object, b: object, eps: float) -> np.ndarray:
    axes = tuple(range(x.ndim - n, x.ndim))
    mu, var = x.mean(axes, keepdims=True), x.var(axes, keepdims=True)
    y = (x - mu) / np.sqrt(var + eps)
    if w is not None:
        y = y * w
    return y + b if b is not None else y


@pytest.mark.parametrize("affine", ["none", "weight", "both"])
@pytest.mark.parametrize("normalized_shape", [7, (7,), (5, 7)], ids=str)
def test_layer_norm(normalized_shape: object, affine: str, dtype: str) -> None:
    x = data((3, 5, 7), dtype, 5)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
    w = data(shape, dtype, 6) if affine != "none" else None
    b = data(shape, dtype, 7) if affine == "both" else None
    x64 = x.astype(np.float64)
    w64 = None if w is None else w.astype(np.float64)
    b64 = None if b is None else b.astype(np.float64)
    ref = _layer_norm(x64, len(shape), w64, b64, 1e-5)
    got = rt.layer_norm(rt.tensor(x), normalized_shape, w, b)
    assert_reduced_close(got, ref, float(np.abs(ref).max()), dtype)


def test_layer_norm_eps(dtype: str) -> None:
    x = data((4, 16), dtype, 8, scale=0.01)
    ref = _layer_norm(x.astype(np.float64), 1, None, None, 0.1)
    assert_reduced_close(rt.layer_norm(rt.tensor(x), 16, eps=0.1), ref, 1.0, dtype)


@pytest.mark.parametrize("with_weight", [False, True])
@pytest.mark.parametrize("normalized_shape", [9, (9,), (4, 9)], ids=str)
def test_rms_norm(normalized_shape: object, with_weight: bool, dtype: str) -> None:
    x = data((2, 4, 9), dtype, 9)
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
    w = data(shape, dtype, 10) if with_weight else None
    x64 = x.astype(np.float64)
    axes = tuple(range(3 - len(shape), 3))
    ref = x64 / np.sqrt(np.square(x64).mean(axes, keepdims=True) + 1e-6)
    if w is not None:
        ref = ref * w.astype(np.float64)
    got = rt.rms_norm(rt.tensor(x), normalized_shape, None if w is None else rt.tensor(w))
    assert_reduced_close(got, ref, float(np.abs(ref).max()), dtype)
    eps_ref = x64 / np.sqrt(np.square(x64).mean(axes, keepdims=True) + 0.5)
    got = rt.rms_norm(rt.tensor(x), normalized_shape, eps=0.5)
    assert_reduced_close(got, eps_ref, float(np.abs(eps_ref).max()), dtype)


@pytest.mark.parametrize(
    ("shape_a", "shape_b"), [((7,), (7,)), ((3, 40), (3, 40)), ((3, 40), (40,))], ids=str
)
def test_mse_loss(shape_a: tuple[int, ...], shape_b: tuple[int, ...], dtype: str) -> None:
    a, b = data(shape_a, dtype, 11), data(shape_b, dtype, 12)
    d = a.astype(np.float64) - b.astype(np.float64)
    ref = np.asarray(np.square(d).mean())
    got = rt.mse_loss(rt.tensor(a), b)
    assert got.shape == ()
    assert_reduced_close(got, ref, float(np.square(d).max()), dtype)


def test_layer_norm_and_softmax_style_plans_stay_small(dtype: str) -> None:
    # Each composite is lowered to primitives that fuse: at most two kernels (two passes).
    x = rt.tensor(data((8, 64), dtype, 13))
    for y in (
        rt.layer_norm(x, 64),
        rt.rms_norm(x, 64),
        x.logsumexp(1),
        x.var(1),
        x.silu(),
        x.softplus(),
    ):
        plan = y.explain()
        assert "kernel 2" not in plan, plan


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda x: rt.layer_norm(x, (5,)), ValueError, "normalized_shape"),
        (lambda x: rt.layer_norm(x, (2, 3, 4, 6)), ValueError, "normalized_shape"),
        (lambda x: rt.layer_norm(x, 6, rt.ones(5)), ValueError, "weight"),
        (lambda x: rt.layer_norm(x, 6, None, rt.ones((1, 6))), ValueError, "bias"),
        (lambda x: rt.layer_norm(x, ()), ValueError, "layer_norm"),
        (lambda x: rt.rms_norm(x, (4, 5)), ValueError, "normalized_shape"),
        (lambda x: rt.rms_norm(x, 6, rt.ones(3)), ValueError, "weight"),
        (lambda x: x.var(correction=-1), ValueError, "correction"),
        (lambda x: x.std(3), IndexError, "out of range"),
        (lambda x: x.logsumexp(5), IndexError, "out of range"),
        (lambda x: rt.mse_loss(x, rt.ones(5)), ValueError, "broadcast"),
    ],
)
def test_errors(call: object, exc: type[Exception], match: str) -> None:
    x = rt.tensor(np.ones((3, 4, 6)))
    with pytest.raises(exc, match=match):
        call(x)  # type: ignore[operator]


@pytest.mark.parametrize("bounds", [(-0.5, 0.5), (None, 0.25), (-0.1, None), (None, None)])
def test_clamp_matches_numpy(bounds):
    lo, hi = bounds
    x = np.array([-2.0, -0.3, 0.0, 0.3, 2.0, np.nan, np.inf, -np.inf], dtype=np.float32)
    got = rt.clamp(rt.tensor(x), lo, hi).numpy()
    want = x.astype(np.float64)
    if lo is not None:
        want = np.maximum(want, lo)
    if hi is not None:
        want = np.minimum(want, hi)
    np.testing.assert_array_equal(got, want.astype(np.float32))
    np.testing.assert_array_equal(rt.tensor(x).clamp(min=lo, max=hi).numpy(), got)
