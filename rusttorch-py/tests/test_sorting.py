"""Sorting and selection (sort, argsort, msort, topk, kthvalue, median, nanmedian, mode) against
NumPy: stable ranking with NaN largest and -0.0 == 0.0, over dtypes, dims, views, empty and 0-d
inputs, many ties, NaN and infinities."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import rusttorch as rt
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

DTYPES = ["float32", "float64", "int32", "int64", "bool"]


def ranks(line: np.ndarray) -> np.ndarray:
    """Dense ranks under torch's order: NaNs equal and largest, -0.0 == 0.0."""
    if line.dtype.kind == "f":
        line = np.where(line == 0, 0.0, line)  # -0.0 and 0.0 are one value
    _, inv = np.unique(line, return_inverse=True)
    return inv.reshape(-1)


def per_line(
    x: np.ndarray, dim: int, out_len: int, pick: Callable[[np.ndarray], np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Values and indices of `pick(line) -> positions` along `dim`, the dim keeping out_len."""
    xm = np.moveaxis(x, dim, -1)
    vals = np.zeros((*xm.shape[:-1], out_len), dtype=x.dtype)
    idx = np.zeros((*xm.shape[:-1], out_len), dtype=np.int64)
    for pos in np.ndindex(xm.shape[:-1]):
        p = np.asarray(pick(xm[pos]), dtype=np.int64)
        vals[pos], idx[pos] = xm[pos][p], p
    return np.moveaxis(vals, -1, dim), np.moveaxis(idx, -1, dim)


def sort_up(line: np.ndarray) -> np.ndarray:
    return (
        np.argsort(line, kind="stable")
        if line.dtype.kind == "f"
        else np.argsort(ranks(line), kind="stable")
    )


def sort_down(line: np.ndarray) -> np.ndarray:
    return np.argsort(-ranks(line), kind="stable")


def median_pos(line: np.ndarray, ignore_nan: bool) -> np.ndarray:
    up = sort_up(line)
    n = line.size
    nans = int(np.isnan(line.astype(np.float64)).sum())
    if not ignore_nan:
        at = (n - 1) // 2 if nans == 0 else n - nans
    else:
        at = 0 if nans == n else (n - nans - 1) // 2
    return up[at : at + 1]


def mode_pos(line: np.ndarray) -> np.ndarray:
    r = ranks(line)
    best = int(np.argmax(np.bincount(r)))  # the first of the most frequent: the smallest
    return np.array([np.nonzero(r == best)[0][-1]])


def draw_input(data: st.DataObject, dtype: str, min_side: int = 0) -> np.ndarray:
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=min_side, max_side=6))
    if dtype.startswith("float"):
        elems = st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.5, np.nan, np.inf, -np.inf])
    elif dtype == "bool":
        elems = st.booleans()
    else:
        elems = st.integers(-3, 3)
    x = data.draw(hnp.arrays(dtype, shape, elements=elems))
    return x


def as_view(data: st.DataObject, x: np.ndarray) -> tuple[rt.Tensor, np.ndarray]:
    """`x` as a tensor, or a transposed or sliced view of one with the same values."""
    how = data.draw(st.sampled_from(["plain", "transposed", "sliced"]))
    if how == "transposed" and x.ndim >= 2:
        return rt.tensor(np.ascontiguousarray(x.swapaxes(0, -1))).transpose(0, -1), x
    if how == "sliced" and x.ndim >= 1:
        wide = np.concatenate([x, x], axis=0)
        return rt.tensor(wide)[: x.shape[0]], x
    return rt.tensor(x), x


def check(
    got: tuple[rt.Tensor, rt.Tensor], want: tuple[np.ndarray, np.ndarray], dtype: str
) -> None:
    values, indices = got
    assert values.dtype == getattr(rt, dtype)
    assert indices.dtype == rt.int64
    np.testing.assert_array_equal(values.numpy(), want[0])
    np.testing.assert_array_equal(indices.numpy(), want[1])
    # -0.0 and 0.0 are the elements at those indices, bit for bit.
    if dtype.startswith("float"):
        assert (np.signbit(values.numpy()) == np.signbit(want[0])).all()


def draw_dim(data: st.DataObject, x: np.ndarray) -> int:
    nd = max(x.ndim, 1)
    return data.draw(st.integers(-nd, nd - 1))


@settings(max_examples=80, deadline=None)
@given(data=st.data(), dtype=st.sampled_from(DTYPES), descending=st.booleans())
def test_sort_and_argsort_are_stable_with_nan_largest(
    data: st.DataObject, dtype: str, descending: bool
) -> None:
    x = draw_input(data, dtype)
    t, x = as_view(data, x)
    dim = draw_dim(data, x)
    xl = x.reshape(1) if x.ndim == 0 else x
    v, i = per_line(xl, dim, xl.shape[dim], sort_down if descending else sort_up)
    want = (v.reshape(x.shape), i.reshape(x.shape))
    check(rt.sort(t, dim, descending), want, dtype)
    check(t.sort(dim=dim, descending=descending, stable=True), want, dtype)
    np.testing.assert_array_equal(rt.argsort(t, dim, descending).numpy(), want[1])
    np.testing.assert_array_equal(t.argsort(dim, descending=descending).numpy(), want[1])
    if not descending and dtype.startswith("float"):
        # NumPy's own stable sort agrees (NaN last).
        np.testing.assert_array_equal(
            rt.sort(t, dim).values.numpy(), np.sort(xl, axis=dim, kind="stable").reshape(x.shape)
        )
    if x.ndim >= 1:
        np.testing.assert_array_equal(rt.msort(t).numpy(), per_line(x, 0, x.shape[0], sort_up)[0])


@settings(max_examples=80, deadline=None)
@given(data=st.data(), dtype=st.sampled_from(DTYPES), largest=st.booleans())
def test_topk_is_the_head_of_the_stable_sort(
    data: st.DataObject, dtype: str, largest: bool
) -> None:
    x = draw_input(data, dtype)
    t, x = as_view(data, x)
    dim = draw_dim(data, x)
    xl = x.reshape(1) if x.ndim == 0 else x
    k = data.draw(st.integers(0, xl.shape[dim]))
    order = sort_down if largest else sort_up
    v, i = per_line(xl, dim, k, lambda line: order(line)[:k])
    if x.ndim == 0:
        v, i = v.reshape(() if k == 1 else (0,)), i.reshape(() if k == 1 else (0,))
    got = rt.topk(t, k, dim, largest=largest)
    check(got, (v, i), dtype)
    check(t.topk(k, dim=dim, largest=largest, sorted=False), (v, i), dtype)
    assert type(got).__name__ == "topk"
    assert got.values is got[0]
    if dtype.startswith("float") and largest and k and x.ndim and not np.isnan(x).any():
        # The k-th largest is NumPy's partition at n - k.
        n = x.shape[dim]
        kth = np.partition(x, n - k, axis=dim).take(n - k, axis=dim)
        np.testing.assert_array_equal(got.values.numpy().take(k - 1, axis=dim), kth)


@settings(max_examples=80, deadline=None)
@given(data=st.data(), dtype=st.sampled_from(DTYPES), keepdim=st.booleans())
def test_kthvalue_median_mode_pick_by_torch_rules(
    data: st.DataObject, dtype: str, keepdim: bool
) -> None:
    x = draw_input(data, dtype, min_side=1)
    t, x = as_view(data, x)
    dim = draw_dim(data, x)
    xl = x.reshape(1) if x.ndim == 0 else x
    n = xl.shape[dim]
    k = data.draw(st.integers(1, n))

    def want(pick: Callable[[np.ndarray], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        v, i = per_line(xl, dim, 1, pick)
        if x.ndim == 0:
            return v.reshape(()), i.reshape(())
        return (v, i) if keepdim else (v.squeeze(dim), i.squeeze(dim))

    got = rt.kthvalue(t, k, dim, keepdim)
    check(got, want(lambda line: sort_up(line)[k - 1 : k]), dtype)
    assert type(got).__name__ == "kthvalue"
    m = t.median(dim, keepdim=keepdim)
    check(m, want(lambda line: median_pos(line, False)), dtype)
    assert type(m).__name__ == "median"
    check(rt.nanmedian(t, dim, keepdim), want(lambda line: median_pos(line, True)), dtype)
    mo = rt.mode(t, dim, keepdim)
    check(mo, want(mode_pos), dtype)
    check(t.mode(dim, keepdim=keepdim), want(mode_pos), dtype)
    # The whole-tensor median: 0-d, NumPy's lower median when there is no NaN.
    whole = rt.median(t)
    assert whole.shape == ()
    flat = np.sort(x.reshape(-1).astype(np.float64), kind="stable")
    if np.isnan(flat).any():
        assert np.isnan(whole.numpy())
    else:
        assert float(whole.numpy()) == flat[(flat.size - 1) // 2]
    if dtype.startswith("float") and not np.isnan(flat).any() and flat.size % 2 == 1:
        assert float(t.nanmedian().numpy()) == np.median(flat)


def test_worked_examples() -> None:
    x = rt.tensor([2.0, float("nan"), -0.0, 1.0, 0.0, 2.0, float("nan")])
    assert rt.argsort(x).numpy().tolist() == [2, 4, 3, 0, 5, 1, 6]
    assert x.argsort(descending=True).numpy().tolist() == [1, 6, 0, 5, 3, 2, 4]
    assert rt.topk(x, 3).indices.numpy().tolist() == [1, 6, 0]
    assert np.isnan(rt.median(x).numpy())
    assert float(rt.nanmedian(x).numpy()) == 1.0
    assert rt.mode(x).indices.numpy().tolist() == 4
    assert rt.tensor([[1, 2, 3, 4]]).median(1).values.numpy().tolist() == [2]
    b = rt.tensor(np.array([True, False, True]))
    s = rt.sort(b, descending=True)
    assert s.values.dtype == rt.bool
    assert s.values.numpy().tolist() == [True, True, False]
    assert s.indices.numpy().tolist() == [0, 2, 1]
    assert "rusttorch.return_types.sort(" in repr(s)


def test_empty_dims_and_bad_k() -> None:
    e = rt.tensor(np.zeros((2, 0), dtype=np.float32))
    assert rt.sort(e, 1).values.shape == (2, 0)
    assert rt.topk(e, 0).values.shape == (2, 0)
    with pytest.raises(
        ValueError, match=r"^topk: selected index k out of range \(k = 1, dim size 0\)"
    ):
        rt.topk(e, 1)
    with pytest.raises(ValueError, match=r"^kthvalue: selected index k out of range"):
        rt.kthvalue(e, 1)
    with pytest.raises(ValueError, match=r"^median: cannot reduce an empty dimension"):
        e.median(1)
    with pytest.raises(ValueError, match=r"^mode: cannot reduce an empty dimension"):
        rt.mode(e)
    assert rt.kthvalue(e.transpose(0, 1), 2).values.shape == (0,)


def test_topk_then_elementwise_is_two_kernels() -> None:
    x = rt.tensor(np.random.default_rng(0).standard_normal((16, 50)).astype(np.float32))
    y = (rt.topk(x, 4).values * 2.0).exp()
    plan = rt.explain(y)
    assert "topk over 16 x 50 x 1" in plan
    assert "total: 2 kernels," in plan, plan
    np.testing.assert_allclose(
        y.numpy(), np.exp(2 * -np.sort(-x.numpy(), axis=1)[:, :4]), rtol=1e-6
    )
