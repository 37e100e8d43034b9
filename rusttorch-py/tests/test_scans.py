"""Scans (cumsum, cumprod, cummax, cummin, logcumsumexp) against NumPy float64 references and
PyTorch's documented semantics: dtypes, dims, views, empty and 0-d inputs, NaN and ties."""

from __future__ import annotations

import numpy as np
import pytest
import rusttorch as rt
from helpers import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


def torch_cum_extreme(x: np.ndarray, dim: int, largest: bool) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's cummax/cummin: the running value and index move to x[i] when it is NaN, or
    when the running value is not NaN and x[i] >= (<=) it."""
    x = np.moveaxis(np.asarray(x, dtype=np.float64), dim, -1)
    vals, idx = np.empty_like(x), np.zeros(x.shape, dtype=np.int64)
    for pos in np.ndindex(x.shape[:-1]):
        line = x[pos]
        acc, at = (line[0], 0) if line.size else (0.0, 0)
        for i, v in enumerate(line):
            take = np.isnan(v) or (not np.isnan(acc) and (v >= acc if largest else v <= acc))
            if i == 0 or take:
                acc, at = v, i
            vals[(*pos, i)], idx[(*pos, i)] = acc, at
    return np.moveaxis(vals, -1, dim), np.moveaxis(idx, -1, dim)


def logcumsumexp_ref(x: np.ndarray, dim: int) -> np.ndarray:
    return np.logaddexp.accumulate(np.asarray(x, dtype=np.float64), axis=dim)


shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=7)


@settings(max_examples=60, deadline=None)
@given(shape=shapes, data=st.data(), dtype=st.sampled_from(["float32", "float64"]))
def test_cumsum_cumprod_match_numpy(
    shape: tuple[int, ...], data: st.DataObject, dtype: str
) -> None:
    x = data.draw(hnp.arrays(dtype, shape, elements=st.floats(-2, 2, width=32)))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    t = rt.tensor(x)
    assert_close(t.cumsum(dim), np.cumsum(x.astype(np.float64), axis=dim), dtype)
    assert_close(rt.cumprod(t, dim), np.cumprod(x.astype(np.float64), axis=dim), dtype)
    assert rt.cumsum(t, dim).dtype == t.dtype


@settings(max_examples=60, deadline=None)
@given(shape=shapes, data=st.data())
def test_cummax_cummin_follow_pytorch(shape: tuple[int, ...], data: st.DataObject) -> None:
    # Few distinct values, so ties are common; NaN and infinities mixed in.
    elems = st.sampled_from([0.0, 1.0, -1.0, 2.0, np.nan, np.inf, -np.inf, -0.0])
    x = data.draw(hnp.arrays("float64", shape, elements=elems))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    for fn, largest in ((rt.cummax, True), (rt.cummin, False)):
        got = fn(rt.tensor(x), dim)
        values, indices = got
        ref_v, ref_i = torch_cum_extreme(x, dim % len(shape), largest)
        np.testing.assert_array_equal(values.numpy(), ref_v)
        np.testing.assert_array_equal(indices.numpy(), ref_i)
        assert indices.dtype == rt.int64
        assert got.values is values


def test_cumsum_of_ints_and_bools_is_int64_and_wraps() -> None:
    x = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32)
    got = rt.tensor(x).cumsum(1)
    assert got.dtype == rt.int64
    np.testing.assert_array_equal(got.numpy(), np.cumsum(x, axis=1))
    b = rt.tensor(np.array([True, False, True, True]))
    np.testing.assert_array_equal(b.cumsum(0).numpy(), [1, 1, 2, 3])
    big = rt.tensor(np.array([2**62, 2**62, 2**62], dtype=np.int64))
    np.testing.assert_array_equal(
        big.cumsum(0).numpy(), np.cumsum(np.array([2**62] * 3, dtype=np.int64))
    )
    np.testing.assert_array_equal(
        rt.tensor(x).cumprod(0, dtype=rt.float64).numpy(), np.cumprod(x, 0)
    )
    assert rt.tensor(x).cumsum(0, dtype=rt.float32).dtype == rt.float32


def test_bool_cummax_is_any_so_far() -> None:
    b = np.array([False, True, False, True])
    v, i = rt.tensor(b).cummax(0)
    assert v.dtype == rt.bool
    np.testing.assert_array_equal(v.numpy(), [False, True, True, True])
    np.testing.assert_array_equal(i.numpy(), [0, 1, 1, 3])


def test_float32_cumsum_accumulates_in_float64() -> None:
    # 2**24 + 1 is not a float32: a float32 running sum of ones stalls at 2**24.
    n = 2**24 + 8
    got = rt.ones(n).cumsum(0).numpy()
    assert got[-1] == np.float32(n)
    assert got[2**24] == np.float32(2**24 + 1) or got[2**24] == np.float32(2**24 + 2)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_logcumsumexp_is_stable(dtype: str) -> None:
    x = np.array([[1000.0, 1000.0, -np.inf, 3.0], [-np.inf, -np.inf, 0.0, 1e-5]], dtype=dtype)
    got = rt.logcumsumexp(rt.tensor(x), 1)
    assert_close(got, logcumsumexp_ref(x, 1), dtype, transcendental=True)
    ints = rt.tensor(np.array([0, 1, 2], dtype=np.int64)).logcumsumexp(0)
    assert ints.dtype == rt.float32
    assert_close(
        ints, logcumsumexp_ref(np.array([0.0, 1.0, 2.0]), 0), "float32", transcendental=True
    )


def test_views_empty_and_zero_d() -> None:
    x = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    t = rt.tensor(x)
    for dim in range(3):
        assert_close(
            t.transpose(0, 2).cumsum(dim), np.cumsum(x.transpose(2, 1, 0), axis=dim), "float64"
        )
        assert_close(t[:, ::-1, 1:].cumprod(dim), np.cumprod(x[:, ::-1, 1:], axis=dim), "float64")
    assert rt.zeros((0, 3)).cumsum(0).shape == (0, 3)
    assert rt.zeros((2, 0)).cummax(1).indices.shape == (2, 0)
    s = rt.tensor(np.float64(2.5))
    assert s.cumsum(0).shape == ()
    assert s.cumsum(-1).item() == 2.5
    v, i = s.cummin(0)
    assert v.item() == 2.5
    assert i.item() == 0
    assert i.shape == ()


def test_long_lines_and_many_lines_are_thread_count_independent() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 50_000)).astype(np.float32)
    before = rt.get_num_threads()
    try:
        results = []
        for n in (1, 2):
            rt.set_num_threads(n)
            results.append(rt.tensor(x).cumsum(1).numpy())
            results.append(rt.tensor(x.T.copy()).cumsum(0).numpy())
    finally:
        rt.set_num_threads(before)
    np.testing.assert_array_equal(results[0], results[2])
    np.testing.assert_array_equal(results[1], results[3])
    assert_close(results[0], np.cumsum(x.astype(np.float64), axis=1), "float32")


def test_scans_read_fused_work_and_feed_it() -> None:
    x = rt.tensor(np.linspace(-1, 1, 12).reshape(3, 4))
    y = ((x * 2 + 1).cumsum(1) * 3).sum()
    ref = (np.cumsum(np.linspace(-1, 1, 12).reshape(3, 4) * 2 + 1, axis=1) * 3).sum()
    # prologue, the scan, the epilogue with its reduction: three kernels.
    plan = y.explain()
    assert "kernel 2" in plan, plan
    assert "kernel 3" not in plan, plan
    assert "cumsum" in plan, plan
    assert_close(y, np.asarray(ref), "float64")


@pytest.mark.parametrize(
    ("call", "exc", "match"),
    [
        (lambda t: t.cumsum(2), IndexError, "cumsum"),
        (lambda t: rt.cummax(t, -3), IndexError, "cummax"),
        (lambda t: t.cumsum(0, dtype="nope"), TypeError, "nope"),
        (lambda t: rt.logcumsumexp(t > 0, 0), TypeError, "logcumsumexp"),
    ],
)
def test_bad_arguments_name_the_op(call, exc: type[Exception], match: str) -> None:
    with pytest.raises(exc, match=match):
        call(rt.ones((2, 3)))
