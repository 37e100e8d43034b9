"""Numerics at the edges (docs/numerics.md): every float unary op over edge values and a strided
pass through the float32 bit patterns against NumPy in float64, and the row composites
(logsumexp, softmax, log_softmax, cross_entropy, layer_norm, var) on rows holding inf, -inf and
NaN against a NumPy float64 implementation of PyTorch's formulas, fused and eager alike.

Unary results are compared in units in the last place of the float64 reference rounded to the
tensor's dtype (the ulp of a subnormal is the smallest subnormal): NaN must be NaN, an infinite
input's result exact, and a zero result must carry the reference's sign.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
import rusttorch as rt

_erfc = np.vectorize(math.erfc, otypes=[np.float64])
C_TANH = math.sqrt(2.0 / math.pi)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * _erfc(-x / math.sqrt(2.0))


def _gelu_tanh(x: np.ndarray) -> np.ndarray:
    # 0.5 x (1 + tanh(u)) = x sigmoid(2u), which does not cancel for negative x.
    return x * _sigmoid(2.0 * C_TANH * (x + 0.044715 * x**3))


def _softplus(beta: float = 1.0, threshold: float = 20.0) -> Callable[[np.ndarray], np.ndarray]:
    def f(x: np.ndarray) -> np.ndarray:
        z = beta * x
        return np.where(z > threshold, x, np.logaddexp(0.0, z) / beta)

    return f


# name: (rusttorch op, float64 reference, max ulp float32, max ulp float64, abs bound float32)
UNARY: dict[
    str,
    tuple[
        Callable[[rt.Tensor], rt.Tensor], Callable[[np.ndarray], np.ndarray], float, float, float
    ],
] = {
    "exp": (rt.exp, np.exp, 2, 1, 0),
    "expm1": (rt.expm1, np.expm1, 1, 1, 0),
    "log": (rt.log, np.log, 1, 1, 0),
    "log1p": (rt.log1p, np.log1p, 3, 1, 0),
    "sqrt": (rt.sqrt, np.sqrt, 0.5, 0.5, 0),
    "rsqrt": (rt.rsqrt, lambda x: 1.0 / np.sqrt(x), 1.5, 1.5, 0),
    "reciprocal": (rt.reciprocal, lambda x: 1.0 / x, 0.5, 0.5, 0),
    "sin": (rt.sin, np.sin, 1, 1, 0),
    "cos": (rt.cos, np.cos, 1, 1, 0),
    "tanh": (rt.tanh, np.tanh, 4, 3, 0),
    "sigmoid": (rt.sigmoid, _sigmoid, 4, 2, 0),
    # x * sigmoid(x): a subnormal sigmoid carries few digits into x times it (abs 1e-37).
    "silu": (rt.silu, lambda x: x * _sigmoid(x), 5, 8, 1e-37),
    # GELU for very negative x is ill-conditioned: one ulp of x/sqrt(2) (or of u) moves erfc
    # (exp(-2u), 2u ~ 0.07 x^3) by about x^2 (|2u|) ulp, and NumPy's reference rounds them its
    # own way: the float64 bound is 4 (1 + x^2) ulp, + 0.4 |x|^3 for tanh (see check_unary).
    "gelu": (rt.gelu, _gelu, 8, 4, 1.5e-7),
    "gelu_tanh": (lambda t: rt.gelu(t, approximate="tanh"), _gelu_tanh, 8, 4, 1.5e-7),
    "softplus": (rt.softplus, _softplus(), 4, 2, 0),
    "softplus_beta2": (
        lambda t: rt.softplus(t, beta=2.0, threshold=10.0),
        _softplus(2.0, 10.0),
        4,
        2,
        0,
    ),
    "softplus_no_threshold": (
        lambda t: t.softplus(threshold=math.inf),
        _softplus(1.0, math.inf),
        4,
        2,
        0,
    ),
}

F32_EDGES = [
    0.0,
    1e-45,
    1e-40,
    1.1754942e-38,
    1.1754944e-38,
    1e-30,
    1e-8,
    1e-4,
    0.5,
    0.625,
    1.0,
    3.0,
    9.0,
    9.1,
    10.0,
    15.0,
    17.0,
    20.0,
    30.0,
    87.4,
    88.72,
    88.73,
    100.0,
    103.9,
    104.0,
    1e6,
    1e13,
    1e30,
    3.4028235e38,
    math.inf,
]
F64_EDGES = [
    *F32_EDGES,
    5e-324,
    2.2250738585072014e-308,
    1e-300,
    30.0,
    40.0,
    709.7,
    709.8,
    745.0,
    1e300,
    1.7976931348623157e308,
]


def edges(dtype: str) -> np.ndarray:
    e = np.array(F32_EDGES if dtype == "float32" else F64_EDGES)
    return np.concatenate([e, -e, [np.nan]]).astype(dtype)


def ulp_errors(
    got: np.ndarray, x: np.ndarray, want: np.ndarray, dtype: str
) -> tuple[np.ndarray, np.ndarray]:
    """Per element: the error in ulps of the dtype, and whether a special-value rule failed."""
    info = np.finfo(dtype)
    g = got.astype(np.float64)
    rounded = want.astype(dtype).astype(np.float64)
    nan_bad = np.isnan(g) != np.isnan(want)
    both_zero = (rounded == 0) & (g == 0)
    exact_needed = np.isinf(x) | both_zero
    exact_bad = (
        exact_needed & ~np.isnan(want) & (np.signbit(g) != np.signbit(rounded) | (g != rounded))
    )
    # An infinite result counts as the first power of two past the largest finite value.
    top = 2.0 ** (info.maxexp if dtype == "float32" else 1023)
    gc = np.clip(np.where(np.isinf(g), np.copysign(top, g), g), -top, top)
    wc = np.clip(np.where(np.isinf(want), np.copysign(top, want), want), -top, top)
    mag = np.maximum(np.abs(wc), float(info.smallest_normal))
    ulp = 2.0 ** (np.floor(np.log2(mag)) - info.nmant)
    err = np.where(np.isnan(want) | np.isnan(g) | exact_needed, 0.0, np.abs(gc - wc) / ulp)
    return err, nan_bad | exact_bad


def check_unary(name: str, x: np.ndarray, dtype: str) -> None:
    op, ref, ulp32, ulp64, abs32 = UNARY[name]
    with np.errstate(all="ignore"):
        want = ref(x.astype(np.float64))
        got = op(rt.tensor(x)).numpy()
        err, special = ulp_errors(got, x.astype(np.float64), want, dtype)
        diff = np.abs(np.nan_to_num(got.astype(np.float64) - want))
    bound = ulp32 if dtype == "float32" else ulp64
    if name.startswith("gelu") and dtype == "float64":
        ax = np.minimum(np.abs(x.astype(np.float64)), 1e50)
        bound = bound * (1.0 + ax**2 + (ax**3 / 10 if name == "gelu_tanh" else 0.0))
    absb = abs32 if dtype == "float32" else 0.0
    bad = special | ((err > bound) & (diff > absb))
    assert got.dtype == np.dtype(dtype)
    assert not bad.any(), [(x[i], got[i], want[i], err[i]) for i in np.flatnonzero(bad)[:8]]


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_edges(name: str, dtype: str) -> None:
    check_unary(name, edges(dtype), dtype)


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_f32_strided_bit_patterns(name: str) -> None:
    # Every 4099th float32: all exponents, both signs, subnormals, NaN payloads (~1M values).
    x = np.arange(0, 2**32, 4099, dtype=np.uint64).astype(np.uint32).view(np.float32)
    check_unary(name, x, "float32")


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_f64_log_sweep(name: str) -> None:
    m = np.logspace(-320, 308, 20_001)
    x = np.concatenate([m, -m, np.linspace(-50, 50, 100_001)])
    check_unary(name, x, "float64")


def test_issue_cases() -> None:
    # softplus(-15) was 17% off in float32, softplus(x <= -17) was 0, float64 softplus(-30) 1e-3.
    sp = rt.softplus(rt.tensor([-15.0, -17.0, -30.0, -100.0])).numpy()
    np.testing.assert_allclose(
        sp, np.log1p(np.exp([-15.0, -17.0, -30.0, -100.0])), rtol=2e-7, atol=1.5e-45
    )
    sp64 = rt.softplus(rt.tensor([-30.0], dtype=rt.float64)).numpy()
    np.testing.assert_allclose(sp64, np.log1p(np.exp([-30.0])), rtol=1e-15)
    # tanh saturates at 1.0 (not 0.99999994), keeps -0.0; gelu(tanh) at -1e6 is -0.0.
    t = rt.tanh(rt.tensor([9.1, 20.0, -9.1, -0.0])).numpy()
    assert t.tolist() == [1.0, 1.0, -1.0, 0.0]
    assert np.signbit(t[3])
    g = rt.gelu(rt.tensor([-1e6]), approximate="tanh").numpy()
    assert g[0] == 0.0
    assert np.signbit(g[0])


def test_log1p_expm1_keep_small_values(dtype: str) -> None:
    x = np.array([1e-10, -1e-10, 1e-30, -0.0, 1e-5], dtype=dtype)
    np.testing.assert_array_equal(rt.log1p(x).numpy(), np.log1p(x))
    np.testing.assert_allclose(
        rt.tensor(x).expm1().numpy(), np.expm1(x.astype(np.float64)), rtol=1e-7
    )
    assert np.signbit(rt.log1p(x).numpy()[3])
    assert np.signbit(rt.expm1(x).numpy()[3])
    assert rt.log1p(rt.tensor([1, 3])).dtype == rt.float32  # ints become float32, as log does


def test_softplus_signature(dtype: str) -> None:
    x = np.array([-3.0, 0.5, 4.0, 12.0], dtype=dtype)
    want = _softplus(2.0, 10.0)(x.astype(np.float64))
    for got in (rt.softplus(x, 2.0, 10.0), rt.tensor(x).softplus(beta=2.0, threshold=10.0)):
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-6)
    # Above the threshold the result is x itself, exactly (torch's linear branch).
    assert rt.softplus(rt.tensor(x), beta=2.0, threshold=10.0).numpy()[3] == x[3]


# ------------------------------------------------------------------ rows with inf, -inf, NaN

INF = math.inf
ROWS = [
    [0.0, -INF],
    [-INF, -INF],
    [INF, 1.0],
    [INF, INF],
    [-INF, INF],
    [INF, -INF],
    [np.nan, 1.0],
    [-INF, 5.0],
    [1.0, 2.0],
    [1e18, -1e18],
    [5.0, 5.0],
]


def _lse(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    return np.log(np.exp(x - m).sum(1, keepdims=True))


def torch_logsumexp(x: np.ndarray) -> np.ndarray:
    # torch.logsumexp shifts by the max with +-inf replaced by 0.
    m = x.max(axis=1, keepdims=True)
    m = np.where(np.abs(m) == INF, 0.0, m)
    return (_lse(x, m) + m)[:, 0]


def torch_log_softmax(x: np.ndarray) -> np.ndarray:
    # torch's kernel: x - max - log(sum(exp(x - max))) with the plain max (-inf - -inf is NaN).
    m = x.max(1, keepdims=True)
    return x - m - _lse(x, m)


def torch_softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def torch_layer_norm(x: np.ndarray) -> np.ndarray:
    return (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 1e-5)


TORCH: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "logsumexp": torch_logsumexp,
    "softmax": torch_softmax,
    "log_softmax": torch_log_softmax,
    "layer_norm": torch_layer_norm,
    "var": lambda x: x.var(1, ddof=1),
}
RT: dict[str, Callable[[rt.Tensor], rt.Tensor]] = {
    "logsumexp": lambda t: rt.logsumexp(t, 1),
    "softmax": lambda t: rt.softmax(t, 1),
    "log_softmax": lambda t: rt.log_softmax(t, 1),
    "layer_norm": lambda t: rt.layer_norm(t, [2]),
    "var": lambda t: t.var(1),
}
# float32 sums are rounded to float32 before the mean's 1/n: keep 2x the value finite.
BIG = {"float32": [1e38, 1e38], "float64": [1e300, -1e300]}


def assert_rows_match(got: np.ndarray, want: np.ndarray, dtype: str) -> None:
    assert np.array_equal(np.isnan(got), np.isnan(want)), (got, want)
    rtol = 1e-5 if dtype == "float32" else 1e-12
    want_r = want.astype(dtype).astype(np.float64)
    np.testing.assert_allclose(got.astype(np.float64), want_r, rtol=rtol, equal_nan=True)


@pytest.mark.parametrize("name", list(TORCH))
@pytest.mark.parametrize("fuse", [True, False], ids=["fused", "eager"])
def test_rows_with_infinities(name: str, fuse: bool, dtype: str) -> None:
    x = np.array(ROWS, dtype=dtype)
    x[9] = BIG[dtype]
    with np.errstate(all="ignore"):
        want = TORCH[name](x.astype(np.float64))
    y = RT[name](rt.tensor(x))
    rt.eval(y, fuse=fuse)
    assert_rows_match(y.numpy(), want, dtype)


@pytest.mark.parametrize("fuse", [True, False], ids=["fused", "eager"])
def test_cross_entropy_with_infinities(fuse: bool, dtype: str) -> None:
    # torch: -log_softmax(x)[target]; a -inf logit off the target costs nothing.
    for row, target, want in [
        ([0.0, -INF], 0, 0.0),
        ([0.0, -INF], 1, INF),
        ([-INF, 3.0, -INF], 1, 0.0),
        ([-INF, -INF], 0, np.nan),
        ([INF, 1.0], 1, np.nan),
        ([INF, 1.0], 0, np.nan),
        ([np.nan, 1.0], 1, np.nan),
    ]:
        y = rt.cross_entropy(rt.tensor(np.array([row], dtype=dtype)), [target])
        rt.eval(y, fuse=fuse)
        got = float(y.numpy())
        assert (math.isnan(got) and math.isnan(want)) or got == want, (row, target, got)
    # A batch mixing a masked logit with ordinary rows: the mean of the per-row losses.
    x = np.array([[0.0, -INF, 1.0], [2.0, 0.5, -1.0]], dtype=dtype)
    with np.errstate(all="ignore"):
        ls = torch_log_softmax(x.astype(np.float64))
    y = rt.cross_entropy(rt.tensor(x), [2, 0])
    rt.eval(y, fuse=fuse)
    np.testing.assert_allclose(float(y.numpy()), -(ls[0, 2] + ls[1, 0]) / 2, rtol=1e-6)
