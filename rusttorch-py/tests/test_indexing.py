"""Gathers and advanced indexing reads against NumPy: gather = np.take_along_axis,
index_select/take = np.take, t[idx] = NumPy's fancy indexing (broadcast index arrays, placement
of adjacent and separated ones), over dtypes, index dtypes, empty and 0-d shapes, views, and
out-of-range errors."""

from __future__ import annotations

import numpy as np
import pytest
import rusttorch as rt
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

DTYPES = ["float32", "float64", "int32", "int64", "bool"]
shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=5)


def values(dtype: str, shape: tuple[int, ...], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    return (rng.standard_normal(shape) * 10).astype(dtype)


def indices(
    shape: tuple[int, ...], size: int, seed: int, dtype: str, negative: bool = False
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lo = -size if negative else 0
    if size == 0:
        return np.zeros(shape, dtype=dtype)
    return rng.integers(lo, size, shape).astype(dtype)


@settings(max_examples=60, deadline=None)
@given(
    shape=shapes,
    data=st.data(),
    dtype=st.sampled_from(DTYPES),
    idt=st.sampled_from(["int32", "int64"]),
    seed=st.integers(0, 2**16),
)
def test_gather_matches_take_along_axis(shape, data, dtype, idt, seed) -> None:
    x = values(dtype, shape, seed)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    ishape = list(shape)
    ishape[dim] = data.draw(st.integers(0, 4)) if shape[dim] > 0 else 0
    # Other dims of the index may be smaller than the input's (PyTorch reads the leading part).
    small = [data.draw(st.integers(0, s)) for s in shape]
    for d in range(len(shape)):
        if d != dim % len(shape):
            ishape[d] = small[d]
    idx = indices(tuple(ishape), shape[dim], seed + 1, idt)
    got = rt.gather(rt.tensor(x), dim, rt.tensor(idx)).numpy()
    sub = x[
        tuple(slice(0, n) if d != dim % len(shape) else slice(None) for d, n in enumerate(ishape))
    ]
    want = np.take_along_axis(sub, idx.astype(np.int64), axis=dim)
    assert got.dtype == x.dtype
    np.testing.assert_array_equal(got, want)
    # The method, on a transposed view and a lazy operand.
    xt = rt.tensor(np.ascontiguousarray(x.T)).T
    np.testing.assert_array_equal(xt.gather(dim, idx).numpy(), want)
    if dtype in ("float32", "float64"):
        np.testing.assert_allclose((rt.tensor(x) * 2).gather(dim, idx).numpy(), want * 2)


def test_gather_of_0d_and_empty() -> None:
    s = rt.tensor(2.5)
    assert rt.gather(s, 0, rt.tensor(0)).numpy().tolist() == 2.5
    e = rt.gather(rt.zeros(2, 3), 1, rt.tensor(np.zeros((2, 0), dtype=np.int64)))
    assert e.shape == (2, 0)


@settings(max_examples=40, deadline=None)
@given(
    shape=shapes,
    data=st.data(),
    dtype=st.sampled_from(DTYPES),
    idt=st.sampled_from(["int32", "int64"]),
)
def test_index_select_take_take_along_dim(shape, data, dtype, idt) -> None:
    x = values(dtype, shape, 3)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    n = data.draw(st.integers(0, 6))
    idx = indices((n,), shape[dim], 4, idt) if shape[dim] > 0 else np.zeros(0, dtype=idt)
    np.testing.assert_array_equal(
        rt.index_select(rt.tensor(x), dim, rt.tensor(idx)).numpy(), np.take(x, idx, axis=dim)
    )
    if x.size:
        flat = indices((2, 3), x.size, 5, idt, negative=True)
        np.testing.assert_array_equal(rt.tensor(x).take(rt.tensor(flat)).numpy(), np.take(x, flat))
        along = indices(x.shape, x.size, 6, idt)
        np.testing.assert_array_equal(
            rt.take_along_dim(rt.tensor(x), rt.tensor(along)).numpy(),
            np.take_along_axis(x.ravel(), along.ravel(), 0),
        )
    ishape = list(x.shape)
    ishape[dim] = 3
    along = (
        indices(tuple(ishape), shape[dim], 7, idt) if shape[dim] else np.zeros(ishape, dtype=idt)
    )
    if shape[dim]:
        np.testing.assert_array_equal(
            rt.tensor(x).take_along_dim(rt.tensor(along), dim).numpy(),
            np.take_along_axis(x, along.astype(np.int64), dim),
        )


def test_take_along_dim_broadcasts() -> None:
    x = np.arange(12.0).reshape(3, 4)
    idx = np.array([[0, 3]])
    got = rt.take_along_dim(rt.tensor(x), rt.tensor(idx), 1).numpy()
    np.testing.assert_array_equal(got, np.take_along_axis(x, np.broadcast_to(idx, (3, 2)), 1))


X = np.arange(2 * 3 * 4 * 5, dtype=np.float64).reshape(2, 3, 4, 5)

# NumPy's fancy indexing: adjacent index arrays replace their dims in place, separated ones
# (ints count as index arrays next to them) go first.
FANCY = [
    np.array([1, 0, 1]),
    [1, -1],
    [[0, 1], [1, 1]],
    (slice(None), [2, 0, 1]),
    (slice(None), [2, 0], [3, 3]),
    (slice(None), [[2], [0]], [3, 1, -4]),
    ([1, 0], slice(None), [3, 2]),
    (0, slice(None), [1, 2]),
    (Ellipsis, [4, 0]),
    (None, [1], slice(1, None), None, [0, 3]),
    ([0], Ellipsis, np.array(2)),
    (slice(None, None, -1), np.array([[0, 2]]), 1),
    (1, [2, 0], slice(None), 3),
    [],
    (slice(None), np.zeros((0, 2), dtype=np.int64)),
]


@pytest.mark.parametrize("index", FANCY, ids=[str(i) for i in range(len(FANCY))])
@pytest.mark.parametrize("idt", ["int32", "int64"])
def test_advanced_indexing_matches_numpy(index, idt) -> None:
    def conv(i):
        if isinstance(i, list):
            return np.array(i, dtype=idt)
        return i.astype(idt) if isinstance(i, np.ndarray) else i

    index = tuple(conv(i) for i in index) if isinstance(index, tuple) else conv(index)
    want = X[index]
    got = rt.tensor(X)[index].numpy()
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)
    # Index tensors, lazy ones included, and a view as the indexed tensor.
    as_t = (
        tuple(rt.tensor(i) + 0 if isinstance(i, np.ndarray) else i for i in index)
        if isinstance(index, tuple)
        else index
    )
    np.testing.assert_array_equal(rt.tensor(X)[as_t].numpy(), want)
    xt = rt.tensor(np.ascontiguousarray(X.transpose(3, 2, 1, 0))).permute(3, 2, 1, 0)
    np.testing.assert_array_equal(xt[index].numpy(), want)


@settings(max_examples=40, deadline=None)
@given(shape=shapes, data=st.data(), dtype=st.sampled_from(DTYPES))
def test_one_index_array_matches_numpy(shape, data, dtype) -> None:
    x = values(dtype, shape, 9)
    d = data.draw(st.integers(0, len(shape) - 1))
    n = data.draw(st.integers(0, 4))
    idx = (
        indices((n,), shape[d], 10, "int64", negative=True)
        if shape[d]
        else np.zeros(0, dtype=np.int64)
    )
    index = (slice(None),) * d + (idx,)
    np.testing.assert_array_equal(rt.tensor(x)[index].numpy(), x[index])
    # A 0-d index tensor is an int.
    if shape[d]:
        np.testing.assert_array_equal(
            rt.tensor(x)[(slice(None),) * d + (rt.tensor(idx[:1].sum() % shape[d]),)].numpy(),
            x[(slice(None),) * d + (int(idx[:1].sum() % shape[d]),)],
        )


def test_out_of_range_indices_raise() -> None:
    t = rt.tensor(X)
    with pytest.raises(IndexError, match=r"^index: index 3 is out of bounds for dim 1 with size 3"):
        t[:, [0, 3]]
    with pytest.raises(
        IndexError, match=r"^index: index -3 is out of bounds for dim 0 with size 2"
    ):
        t[[-3]]
    with pytest.raises(
        IndexError, match=r"^gather: index 4 is out of bounds for dim 0 with size 4"
    ):
        rt.index_select(rt.arange(4), 0, [1, 4]).numpy()
    with pytest.raises(IndexError, match=r"must be integers or bools, got float32"):
        t[rt.tensor([0.0])]
    with pytest.raises(IndexError, match=r"the shape of the mask \[3\] does not match"):
        t[np.array([True, False, True])]


def test_gather_reads_inside_its_consumers_kernel() -> None:
    x = rt.rand(8, 16)
    # A stored gather (an output) is a kernel of its own.
    alone = (x * 2).gather(1, rt.randint(0, 16, (8, 4)))
    assert "strategy gather" in alone.explain()
    # With elementwise consumers it is read inside their kernel: `x * 2` stored, then the
    # gather with `* 3 + 1` (three kernels before gathers fused; test_gather_fused.py).
    out = (x * 2).gather(1, rt.randint(0, 16, (8, 4))) * 3 + 1
    plan = out.explain()
    assert "strategy gather" not in plan, plan
    assert "read in the kernel" in plan, plan
    assert plan.count("kernel ") == 2, plan
