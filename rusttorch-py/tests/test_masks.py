"""Ops whose output shape depends on values, against NumPy: bool-mask reads and writes,
nonzero/argwhere/where(cond), masked_select, unique, unique_consecutive, bincount, over dtypes,
broadcasting, empty and 0-d inputs and NaN; what they evaluate is noted in explain()."""

from __future__ import annotations

import numpy as np
import pytest
import rusttorch as rt
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

DTYPES = ["float32", "float64", "int32", "int64", "bool"]


def sample(dtype: str, shape: tuple[int, ...], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype.startswith("int"):
        return rng.integers(-3, 4, shape).astype(dtype)
    x = rng.integers(-3, 4, shape).astype(dtype)
    x[rng.random(shape) < 0.1] = 0.0
    return x


shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)


@settings(max_examples=60, deadline=None)
@given(shape=shapes, dtype=st.sampled_from(DTYPES), seed=st.integers(0, 2**16))
def test_nonzero_argwhere_and_where_match_numpy(shape, dtype, seed) -> None:
    x = sample(dtype, shape, seed)
    t = rt.tensor(x)
    want = np.argwhere(x)
    got = rt.nonzero(t).numpy()
    assert got.dtype == np.int64
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(t.argwhere().numpy(), want)
    cols = t.nonzero(as_tuple=True)
    ref = np.nonzero(np.atleast_1d(x))
    assert len(cols) == len(ref)
    for c, r in zip(cols, ref, strict=True):
        np.testing.assert_array_equal(c.numpy(), r)
    for c, r in zip(rt.where(t), ref, strict=True):
        np.testing.assert_array_equal(c.numpy(), r)


def test_nonzero_counts_nan_and_negative_zero_as_numpy() -> None:
    x = np.array([0.0, -0.0, np.nan, np.inf, 1e-45], dtype=np.float32)
    np.testing.assert_array_equal(rt.nonzero(rt.tensor(x)).numpy(), np.argwhere(x))


@settings(max_examples=60, deadline=None)
@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4),
    dtype=st.sampled_from(DTYPES),
    seed=st.integers(0, 2**16),
    lead=st.integers(1, 3),
)
def test_mask_reads_match_numpy(shape, dtype, seed, lead) -> None:
    x = sample(dtype, shape, seed)
    k = min(lead, len(shape))
    mask = np.random.default_rng(seed + 1).random(shape[:k]) < 0.5
    t = rt.tensor(x)
    np.testing.assert_array_equal(t[rt.tensor(mask)].numpy(), x[mask])
    np.testing.assert_array_equal(t[mask].numpy(), x[mask])
    if len(shape) > k:
        m2 = np.random.default_rng(seed + 2).random(shape[1:]) < 0.5
        np.testing.assert_array_equal(t[:, m2].numpy(), x[:, m2])
        np.testing.assert_array_equal(t[..., m2].numpy(), x[..., m2])


@settings(max_examples=60, deadline=None)
@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4),
    dtype=st.sampled_from(["float32", "int64", "bool"]),
    seed=st.integers(0, 2**16),
)
def test_mask_writes_match_numpy(shape, dtype, seed) -> None:
    x = sample(dtype, shape, seed)
    rng = np.random.default_rng(seed + 3)
    mask = rng.random(shape[:1]) < 0.5
    # One value for every selected position (a fused where) ...
    want = x.copy()
    want[mask] = 1
    t = rt.tensor(x)
    t[rt.tensor(mask)] = 1
    np.testing.assert_array_equal(t.numpy(), want)
    # ... and a value per selected position (the mask is evaluated).
    v = sample(dtype, (int(mask.sum()), *shape[1:]), seed + 4)
    want = x.copy()
    want[mask] = v
    t = rt.tensor(x)
    t[mask] = v
    np.testing.assert_array_equal(t.numpy(), want)
    # A mask over all dims, as `x[x > 0] = 0`.
    full = sample("bool", shape, seed + 5)
    want = x.copy()
    want[full] = 0
    t = rt.tensor(x)
    t[rt.tensor(full)] = 0
    np.testing.assert_array_equal(t.numpy(), want)


def test_mask_of_the_wrong_shape_raises_in_the_users_line() -> None:
    t = rt.ones((3, 4))
    with pytest.raises(
        IndexError,
        match=r"the shape of the mask \[4\] does not match the shape of the indexed tensor "
        r"\[3, 4\] from dim 0",
    ):
        t[rt.ones(4, dtype=rt.bool)]
    with pytest.raises(IndexError, match=r"mask \[3\] does not match"):
        t[:, rt.ones(3, dtype=rt.bool)]


@settings(max_examples=60, deadline=None)
@given(
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
    dtype=st.sampled_from(DTYPES),
    seed=st.integers(0, 2**16),
)
def test_masked_select_broadcasts_as_numpy(shape, dtype, seed) -> None:
    x = sample(dtype, shape, seed)
    mshape = shape[1:] if len(shape) > 1 else shape
    mask = np.random.default_rng(seed).random(mshape) < 0.5
    want = np.broadcast_to(x, np.broadcast_shapes(x.shape, mask.shape))[
        np.broadcast_to(mask, np.broadcast_shapes(x.shape, mask.shape))
    ]
    got = rt.masked_select(rt.tensor(x), rt.tensor(mask))
    assert got.numpy().dtype == x.dtype
    np.testing.assert_array_equal(got.numpy(), want)


def test_masked_select_keeps_its_input_lazy_and_says_what_it_evaluated() -> None:
    x = rt.tensor(np.arange(6.0, dtype=np.float32))
    mask = x > 2.0
    y = rt.masked_select(x * 10.0, mask)
    text = y.explain()
    assert "note: masked_select evaluated its bool [6] mask" in text
    assert "mul" in text  # the input is still computed by the plan
    np.testing.assert_array_equal(y.numpy(), [30.0, 40.0, 50.0])


def _np_unique_nan_distinct(x: np.ndarray):
    """np.unique with each NaN its own value (PyTorch's rule), values ascending, NaN last."""
    flat = x.ravel()
    order = np.argsort(flat, kind="stable")
    s = flat[order]
    new = np.ones(len(s), dtype=bool)
    if len(s):
        new[1:] = s[1:] != s[:-1]
    vals = s[new]
    run = np.cumsum(new) - 1
    inverse = np.empty(len(flat), dtype=np.int64)
    inverse[order] = run
    counts = np.bincount(run, minlength=len(vals)) if len(s) else np.zeros(0, np.int64)
    return vals, inverse.reshape(x.shape), counts


@settings(max_examples=60, deadline=None)
@given(shape=shapes, dtype=st.sampled_from(DTYPES), seed=st.integers(0, 2**16))
def test_unique_matches_numpy(shape, dtype, seed) -> None:
    x = sample(dtype, shape, seed)
    vals, inv, counts = _np_unique_nan_distinct(x)
    got_v, got_i, got_c = rt.unique(rt.tensor(x), return_inverse=True, return_counts=True)
    assert got_v.numpy().dtype == x.dtype
    np.testing.assert_array_equal(got_v.numpy(), vals)
    np.testing.assert_array_equal(got_i.numpy(), inv)
    np.testing.assert_array_equal(got_c.numpy(), counts)
    np.testing.assert_array_equal(rt.tensor(x).unique().numpy(), vals)
    _, c = rt.unique(rt.tensor(x), return_counts=True)
    np.testing.assert_array_equal(c.numpy(), counts)


def test_unique_keeps_each_nan_and_orders_them_last() -> None:
    x = np.array([np.nan, 1.0, -0.0, 0.0, np.nan, -np.inf], dtype=np.float32)
    got = rt.unique(rt.tensor(x)).numpy()
    np.testing.assert_array_equal(got[:3], [-np.inf, 0.0, 1.0])
    assert np.isnan(got[3:]).all()
    assert len(got) == 5


def test_unique_consecutive_matches_a_loop() -> None:
    x = np.array([[1, 1, 2], [2, 2, 3], [1, 1, 1]], dtype=np.int32)
    v, i, c = rt.unique_consecutive(rt.tensor(x), return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(v.numpy(), [1, 2, 3, 1])
    np.testing.assert_array_equal(c.numpy(), [2, 3, 1, 3])
    np.testing.assert_array_equal(i.numpy(), [[0, 0, 1], [1, 1, 2], [3, 3, 3]])
    assert rt.tensor(x).unique_consecutive().numpy().tolist() == [1, 2, 3, 1]


@pytest.mark.parametrize("dtype", ["int32", "int64", "bool"])
@pytest.mark.parametrize("minlength", [0, 3, 12])
def test_bincount_matches_numpy(dtype: str, minlength: int) -> None:
    rng = np.random.default_rng(2)
    x = rng.integers(0, 2 if dtype == "bool" else 9, 50).astype(dtype)
    got = rt.bincount(rt.tensor(x), minlength=minlength).numpy()
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, np.bincount(x.astype(np.int64), minlength=minlength))
    w = rng.standard_normal(50)
    for wd, out in [("float32", np.float32), ("float64", np.float64), ("int64", np.float64)]:
        got = rt.tensor(x).bincount(rt.tensor(w.astype(wd)), minlength).numpy()
        assert got.dtype == out
        want = np.bincount(
            x.astype(np.int64), weights=w.astype(wd).astype(np.float64), minlength=minlength
        )
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_bincount_of_empty_input() -> None:
    got = rt.bincount(rt.tensor(np.zeros(0, dtype=np.int64)), minlength=2).numpy()
    np.testing.assert_array_equal(got, [0, 0])
    assert rt.bincount(rt.tensor(np.zeros(0, dtype=np.int64))).numpy().shape == (0,)
