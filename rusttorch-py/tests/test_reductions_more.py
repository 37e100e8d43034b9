"""prod, all, any, count_nonzero, nansum, nanmean, var/std forms, amax/amin over tuples, norms
and ``dtype=`` against NumPy float64; empty and 0-d reductions as PyTorch defines them."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
import rusttorch as rt
from hypothesis import given, settings
from hypothesis import strategies as st

DTYPES = ["float32", "float64", "int32", "int64", "bool"]
FLOATS = ["float32", "float64"]


def tol(dtype: str, n: int = 1) -> dict[str, float]:
    if dtype == "float32":
        return {"rtol": 2e-5 * max(1, math.log2(max(n, 2))), "atol": 1e-6}
    return {"rtol": 1e-10, "atol": 1e-12}


def make(
    shape: tuple[int, ...], dtype: str, seed: int, lo: float = -2.0, hi: float = 2.0
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) > 0.3
    if dtype.startswith("int"):
        return rng.integers(-3, 4, size=shape).astype(dtype)
    return rng.uniform(lo, hi, size=shape).astype(dtype)


@st.composite
def shapes_and_dims(draw: Any, max_dims: int = 4) -> tuple[tuple[int, ...], Any]:
    """A shape (empty dims and 0-d included) and a ``dim``: None, an int (maybe negative) or a
    tuple of distinct dims."""
    shape = tuple(draw(st.lists(st.integers(0, 5), min_size=0, max_size=max_dims)))
    nd = len(shape)
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if nd == 0 or kind == "none":
        return shape, None
    if kind == "int":
        return shape, draw(st.integers(-nd, nd - 1))
    axes = draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True))
    return shape, tuple(a - nd if draw(st.booleans()) else a for a in axes)


def reduced_size(shape: tuple[int, ...], dim: Any) -> int:
    if dim is None:
        return int(np.prod(shape))
    dims = dim if isinstance(dim, tuple) else (dim,)
    return int(np.prod([shape[d] for d in dims]))


@settings(max_examples=60, deadline=None)
@given(
    sd=shapes_and_dims(),
    dtype=st.sampled_from(DTYPES),
    keepdim=st.booleans(),
    seed=st.integers(0, 99),
)
def test_prod_matches_numpy(sd: Any, dtype: str, keepdim: bool, seed: int) -> None:
    shape, dim = sd
    a = make(shape, dtype, seed, 0.5, 1.5)
    got = (
        rt.tensor(a).prod(dim, keepdim=keepdim)
        if not isinstance(dim, tuple)
        else rt.prod(rt.tensor(a), dim, keepdim)
    )
    ref_dtype = np.float64 if dtype in FLOATS else np.int64
    want = np.prod(a.astype(ref_dtype), axis=dim, keepdims=keepdim)
    assert got.dtype == (rt.int64 if dtype not in FLOATS else getattr(rt, dtype))
    np.testing.assert_allclose(
        np.asarray(got).astype(np.float64), want, **tol(dtype, reduced_size(shape, dim))
    )


def test_int_prod_wraps_as_int64() -> None:
    a = np.full(5, 1 << 20, dtype=np.int64)
    want = np.prod(a)  # NumPy's int64 product wraps the same way
    assert rt.tensor(a).prod().item() == int(want)
    assert rt.tensor(np.full(3, 7, dtype=np.int32)).prod(dtype=rt.int32).dtype == rt.int32


@settings(max_examples=60, deadline=None)
@given(
    sd=shapes_and_dims(),
    dtype=st.sampled_from(DTYPES),
    keepdim=st.booleans(),
    seed=st.integers(0, 99),
)
def test_all_any_count_nonzero(sd: Any, dtype: str, keepdim: bool, seed: int) -> None:
    shape, dim = sd
    a = make(shape, dtype, seed)
    if dtype in FLOATS and a.size:
        a.flat[0] = 0.0
        a.flat[-1] = np.nan  # NaN is non-zero
    t = rt.tensor(a)
    for name in ["all", "any"]:
        got = getattr(t, name)(dim, keepdim=keepdim)
        want = getattr(np, name)(a, axis=dim, keepdims=keepdim)
        assert got.dtype == rt.bool
        np.testing.assert_array_equal(np.asarray(got), want)
        np.testing.assert_array_equal(np.asarray(getattr(rt, name)(t, dim, keepdim)), want)
    cnt = rt.count_nonzero(t, dim)
    assert cnt.dtype == rt.int64
    np.testing.assert_array_equal(np.asarray(cnt), np.count_nonzero(a, axis=dim))


def test_all_any_fuse_with_their_prologue() -> None:
    x = rt.tensor(make((40, 30), "float32", 1))
    y = (x * 2 > 1).all(1)
    assert "total: 1 kernel," in y.explain(), y.explain()


@settings(max_examples=50, deadline=None)
@given(
    sd=shapes_and_dims(),
    dtype=st.sampled_from(FLOATS),
    keepdim=st.booleans(),
    seed=st.integers(0, 99),
)
def test_nansum_nanmean(sd: Any, dtype: str, keepdim: bool, seed: int) -> None:
    shape, dim = sd
    a = make(shape, dtype, seed)
    if a.size:
        a[a > 1.0] = np.nan
    t = rt.tensor(a)
    n = reduced_size(shape, dim)
    a64 = a.astype(np.float64)
    np.testing.assert_allclose(
        np.asarray(t.nansum(dim, keepdim=keepdim)),
        np.nansum(a64, axis=dim, keepdims=keepdim),
        **tol(dtype, n),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy warns of all-NaN slices
        want = np.nanmean(a64, axis=dim, keepdims=keepdim)
    np.testing.assert_allclose(
        np.asarray(rt.nanmean(t, dim, keepdim)), want, equal_nan=True, **tol(dtype, n)
    )


def test_nansum_of_ints_is_sum() -> None:
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    got = rt.nansum(rt.tensor(a), 1)
    assert got.dtype == rt.int64
    np.testing.assert_array_equal(np.asarray(got), a.sum(1))


@settings(max_examples=50, deadline=None)
@given(
    sd=shapes_and_dims(),
    dtype=st.sampled_from(FLOATS),
    seed=st.integers(0, 99),
    ddof=st.integers(0, 2),
)
def test_var_std_correction_and_unbiased(sd: Any, dtype: str, seed: int, ddof: int) -> None:
    shape, dim = sd
    a = make(shape, dtype, seed)
    n = reduced_size(shape, dim)
    if n == 0:
        return
    t = rt.tensor(a)
    with np.errstate(all="ignore"):
        want = np.var(a.astype(np.float64), axis=dim, ddof=ddof) if n - ddof > 0 else None
    if want is None:
        assert np.all(np.isnan(np.asarray(t.var(dim, correction=ddof))))
        return
    np.testing.assert_allclose(np.asarray(t.var(dim, correction=ddof)), want, **tol(dtype, n))
    np.testing.assert_allclose(
        np.asarray(rt.std(t, dim, correction=ddof)), np.sqrt(want), **tol(dtype, n)
    )
    if ddof <= 1:
        np.testing.assert_allclose(np.asarray(t.var(dim, bool(ddof))), want, **tol(dtype, n))
        np.testing.assert_allclose(
            np.asarray(rt.std(t, dim, bool(ddof))), np.sqrt(want), **tol(dtype, n)
        )


def test_var_unbiased_as_first_argument() -> None:
    a = make((4, 5), "float64", 3)
    t = rt.tensor(a)
    np.testing.assert_allclose(np.asarray(t.var(False)), np.var(a), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(t.std(True)), np.std(a, ddof=1), rtol=1e-12)
    with pytest.raises(TypeError, match="not both"):
        t.var(0, True, correction=1)


@settings(max_examples=50, deadline=None)
@given(
    sd=shapes_and_dims(),
    dtype=st.sampled_from(["float32", "float64", "int32", "int64"]),
    seed=st.integers(0, 99),
)
def test_amax_amin_over_tuples(sd: Any, dtype: str, seed: int) -> None:
    shape, dim = sd
    a = make(shape, dtype, seed)
    t = rt.tensor(a)
    if reduced_size(shape, dim) == 0 and (a.size == 0):
        with pytest.raises(ValueError, match="amax: cannot reduce an empty dimension"):
            t.amax(dim)
        return
    np.testing.assert_array_equal(np.asarray(t.amax(dim)), np.amax(a, axis=dim))
    np.testing.assert_array_equal(
        np.asarray(rt.amin(t, dim, True)), np.amin(a, axis=dim, keepdims=True)
    )


def test_empty_and_0d_reductions() -> None:
    e = rt.tensor(np.zeros((0, 3), np.float32))
    np.testing.assert_array_equal(np.asarray(e.sum(0)), np.zeros(3))
    np.testing.assert_array_equal(np.asarray(e.prod(0)), np.ones(3))
    assert e.prod().item() == 1.0
    assert e.count_nonzero().item() == 0
    assert e.all().item() is True
    assert e.any().item() is False
    assert math.isnan(e.mean().item())
    np.testing.assert_array_equal(np.asarray(e.sum(1)), np.zeros(0))
    with pytest.raises(
        ValueError, match=r"max: cannot reduce an empty dimension \(dim 0 has size 0\)"
    ):
        e.amax(0)
    with pytest.raises(
        ValueError, match=r"argmax: cannot reduce an empty dimension \(dim -2 has size 0\)"
    ):
        e.argmax(-2)
    with pytest.raises(ValueError, match="min: cannot reduce an empty dimension"):
        e.min()
    s = rt.tensor(np.float64(3.0))
    assert s.prod().item() == 3.0
    assert s.prod(0).item() == 3.0
    assert s.all().item() is True
    assert rt.tensor(0.0).any().item() is False
    assert s.count_nonzero().item() == 1


def test_dtype_on_sum_mean_softmax() -> None:
    a = make((3, 4), "int32", 5)
    t = rt.tensor(a)
    s = t.sum(dtype=rt.float64)
    assert s.dtype == rt.float64
    assert s.item() == a.sum()
    s32 = rt.sum(t, 1, dtype=rt.int32)
    assert s32.dtype == rt.int32
    np.testing.assert_array_equal(np.asarray(s32), a.sum(1))
    m = t.mean(0, dtype=rt.float64)
    np.testing.assert_allclose(np.asarray(m), a.mean(0), rtol=1e-12)
    x = make((3, 5), "float32", 6)
    sm = rt.softmax(rt.tensor(x), 1, dtype=rt.float64)
    assert sm.dtype == rt.float64
    x64 = x.astype(np.float64)
    e = np.exp(x64 - x64.max(1, keepdims=True))
    np.testing.assert_allclose(np.asarray(sm), e / e.sum(1, keepdims=True), rtol=1e-12)
    ls = rt.tensor(x).log_softmax(1, dtype=rt.float64)
    assert ls.dtype == rt.float64
    np.testing.assert_allclose(
        np.asarray(ls), np.log(e / e.sum(1, keepdims=True)), rtol=1e-12, atol=1e-12
    )


ORDS = [0, 1, 2, 3, 0.5, -1, math.inf, -math.inf]


def np_vector_norm(a: np.ndarray, ord: float, dim: Any, keepdim: bool) -> np.ndarray:
    x = np.abs(a.astype(np.float64))
    with np.errstate(all="ignore"):
        if ord == math.inf:
            return np.amax(x, axis=dim, keepdims=keepdim)
        if ord == -math.inf:
            return np.amin(x, axis=dim, keepdims=keepdim)
        if ord == 0:
            return np.sum(x != 0, axis=dim, keepdims=keepdim).astype(np.float64)
        return np.sum(x**ord, axis=dim, keepdims=keepdim) ** (1.0 / ord)


@settings(max_examples=80, deadline=None)
@given(
    sd=shapes_and_dims(),
    dtype=st.sampled_from(FLOATS),
    ord=st.sampled_from(ORDS),
    keepdim=st.booleans(),
    seed=st.integers(0, 99),
)
def test_vector_norm_matches_numpy(
    sd: Any, dtype: str, ord: float, keepdim: bool, seed: int
) -> None:
    shape, dim = sd
    a = make(shape, dtype, seed)
    t = rt.tensor(a)
    if math.isinf(ord) and reduced_size(shape, dim) == 0:
        with pytest.raises(ValueError, match=r"linalg\.vector_norm: cannot compute the"):
            rt.linalg.vector_norm(t, ord, dim, keepdim)
        return
    want = np_vector_norm(a, ord, dim, keepdim)
    got = rt.linalg.vector_norm(t, ord, dim, keepdim)
    np.testing.assert_allclose(np.asarray(got), want, **tol(dtype, a.size))
    if not math.isinf(ord):
        np.testing.assert_allclose(
            np.asarray(t.norm(ord, dim, keepdim)), want, **tol(dtype, a.size)
        )


def test_norm_edge_values_and_fro() -> None:
    a = np.array([[3.0, -4.0], [np.inf, 0.0]])
    assert rt.linalg.vector_norm(rt.tensor(a)).item() == math.inf
    assert (
        rt.tensor(np.array([np.nan, 1.0])).norm().item()
        != rt.tensor(np.array([np.nan, 1.0])).norm().item()
    )
    b = make((3, 4, 5), "float64", 2)
    np.testing.assert_allclose(rt.tensor(b).norm().item(), np.linalg.norm(b.ravel()), rtol=1e-12)
    np.testing.assert_allclose(
        np.asarray(rt.norm(rt.tensor(b), "fro", (1, 2))),
        np.linalg.norm(b, "fro", axis=(1, 2)),
        rtol=1e-12,
    )
    with pytest.raises(NotImplementedError, match="nuc"):
        rt.tensor(b[0]).norm("nuc")
    with pytest.raises(TypeError, match=r"linalg\.vector_norm is not supported for dtype int64"):
        rt.linalg.vector_norm(rt.tensor(np.arange(3)))


@pytest.mark.parametrize("ord", ["fro", 1, -1, math.inf, -math.inf])
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("keepdim", [False, True])
def test_matrix_norm_matches_numpy(ord: Any, dtype: str, keepdim: bool) -> None:
    a = make((2, 4, 3), dtype, 7)
    got = rt.linalg.matrix_norm(rt.tensor(a), ord, keepdim=keepdim)
    want = np.linalg.norm(a.astype(np.float64), ord, axis=(-2, -1), keepdims=keepdim)
    np.testing.assert_allclose(np.asarray(got), want, **tol(dtype, 12))
    # The transposed view and other dims.
    t = rt.tensor(a).transpose(0, 2)
    got_t = rt.linalg.matrix_norm(t, ord, dim=(0, 1))
    want_t = np.linalg.norm(np.transpose(a, (2, 1, 0)).astype(np.float64), ord, axis=(0, 1))
    np.testing.assert_allclose(np.asarray(got_t), want_t, **tol(dtype, 12))
    np.testing.assert_allclose(
        np.asarray(rt.linalg.norm(rt.tensor(a[0]), ord)),
        np.linalg.norm(a[0].astype(np.float64), ord),
        **tol(dtype, 12),
    )


@pytest.mark.parametrize("ord", ["nuc", 2, -2])
def test_matrix_norm_needing_singular_values_raises(ord: Any) -> None:
    with pytest.raises(
        NotImplementedError, match=r"linalg\.matrix_norm: ord=.* is not implemented"
    ):
        rt.linalg.matrix_norm(rt.tensor(np.eye(3)), ord)


def test_prod_of_views_and_edge_values() -> None:
    a = make((6, 5), "float64", 8, 0.5, 1.5)
    t = rt.tensor(a)
    np.testing.assert_allclose(np.asarray(t.T.prod(1)), a.T.prod(1), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(t[1::2, ::-1].prod(0)), a[1::2, ::-1].prod(0), rtol=1e-12)
    e = np.array([[np.inf, 0.0], [np.nan, 2.0], [-np.inf, -3.0]])
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(np.asarray(rt.tensor(e).prod(1)), e.prod(1))
        np.testing.assert_array_equal(np.asarray(rt.tensor(e).prod(0)), e.prod(0))


def test_prod_float32_does_not_overflow_midway() -> None:
    # Accumulated in float64: 1e30 * 1e30 * 1e-30 * 1e-30 stays finite.
    a = np.array([1e30, 1e30, 1e-30, 1e-30] * 4, dtype=np.float32)
    np.testing.assert_allclose(rt.tensor(a).prod().item(), np.prod(a.astype(np.float64)), rtol=1e-5)
    np.testing.assert_allclose(
        np.asarray(rt.tensor(a.reshape(16, 1).repeat(3, 1)).prod(0)),
        np.prod(a.astype(np.float64)),
        rtol=1e-5,
    )


@pytest.mark.parametrize("jit", ["off", "sync"])
def test_prod_is_deterministic_over_thread_counts(jit: str) -> None:
    # Per tier: with the compiler in the background, which tier ran a row product would depend
    # on timing (the compiled one multiplies in other lanes).
    a = make((2000, 300), "float32", 9, 0.999, 1.001)
    old = rt.get_num_threads()
    rt.set_jit(jit)
    try:
        results = []
        for n in [1, 2, 16]:
            rt.set_num_threads(n)
            t = rt.tensor(a)
            results.append(
                [
                    np.asarray(t.prod()).tobytes(),
                    np.asarray(t.prod(0)).tobytes(),
                    np.asarray(t.prod(1)).tobytes(),
                ]
            )
        assert results[0] == results[1] == results[2]
    finally:
        rt.set_num_threads(old)
        rt.set_jit(None)
