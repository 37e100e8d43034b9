"""Writes at index positions against NumPy float64 references: scatter (and its reductions),
index_add/copy/fill/reduce, masked_fill, put, index_put and ``t[index] = value`` over dtypes,
shapes (empty, 0-d), views, broadcasting values, repeated indices and edge values; tensors are
values (a write changes no other tensor) and a loop of writes runs in the donated buffer."""

from __future__ import annotations

import numpy as np
import pytest
import rusttorch as rt
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

DTYPES = ["float32", "float64", "int32", "int64"]
REDUCES = ["sum", "prod", "mean", "amax", "amin"]


def values(dtype: str, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype.startswith("int"):
        return rng.integers(-5, 6, shape).astype(dtype)
    return (rng.standard_normal(shape) * 3).astype(dtype)


def np_scatter(
    x: np.ndarray,
    dim: int,
    index: np.ndarray,
    src: np.ndarray,
    reduce: str | None = None,
    include_self: bool = True,
) -> np.ndarray:
    """PyTorch's scatter/scatter_reduce, element by element in row-major order of ``index``,
    in float64 (ints exact: the values here stay far from overflow)."""
    out = x.astype(np.float64).copy()
    count = np.ones(x.shape) if include_self else np.zeros(x.shape)
    touched = np.zeros(x.shape, dtype=bool)
    for p in np.ndindex(*index.shape):
        q = list(p)
        q[dim] = int(index[p])
        q = tuple(q)
        v = float(src[p])
        if reduce is None:
            out[q] = v
            continue
        if not include_self and not touched[q]:
            out[q] = v
        elif reduce in ("sum", "mean"):
            out[q] += v
        elif reduce == "prod":
            out[q] *= v
        elif reduce == "amax":
            out[q] = v if np.isnan(v) or v > out[q] else out[q]
        else:
            out[q] = v if np.isnan(v) or v < out[q] else out[q]
        touched[q] = True
        count[q] += 1
    if reduce == "mean":
        c = np.maximum(count, 1)
        out = np.where(touched, np.floor(out / c) if x.dtype.kind == "i" else out / c, out)
    return out


def check(got: rt.Tensor, want: np.ndarray, dtype: str) -> None:
    g = got.numpy()
    assert g.dtype == np.dtype(dtype), (g.dtype, dtype)
    assert g.shape == want.shape, (g.shape, want.shape)
    if dtype.startswith("int") or dtype == "bool":
        np.testing.assert_array_equal(g, want.astype(dtype))
    else:
        tol = 1e-5 if dtype == "float32" else 1e-12
        np.testing.assert_allclose(g.astype(np.float64), want, rtol=tol, atol=tol, equal_nan=True)


def scatter_case(seed: int, dtype: str):
    rng = np.random.default_rng(seed)
    nd = int(rng.integers(1, 4))
    shape = tuple(int(s) for s in rng.integers(1, 5, nd))
    dim = int(rng.integers(0, nd))
    ishape = tuple(
        int(rng.integers(0, s + 1)) if d != dim else int(rng.integers(0, 6))
        for d, s in enumerate(shape)
    )
    index = rng.integers(0, shape[dim], ishape)
    src = values(dtype, tuple(s + int(rng.integers(0, 2)) for s in ishape), rng)
    return values(dtype, shape, rng), dim, index, src


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", range(12))
def test_scatter_and_scatter_add_match_the_reference(dtype: str, seed: int) -> None:
    x, dim, index, src = scatter_case(seed, dtype)
    t, i, s = rt.tensor(x), rt.tensor(index), rt.tensor(src)
    check(rt.scatter(t, dim, i, s), np_scatter(x, dim, index, src), dtype)
    check(t.scatter_add(dim, i, s), np_scatter(x, dim, index, src, "sum"), dtype)
    check(t.scatter(dim, i, 2), np_scatter(x, dim, index, np.full(index.shape, 2)), dtype)
    check(t.scatter(dim, i, s, reduce="add"), np_scatter(x, dim, index, src, "sum"), dtype)
    check(t.scatter(dim, i, s, reduce="multiply"), np_scatter(x, dim, index, src, "prod"), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduce", REDUCES)
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("seed", range(6))
def test_scatter_reduce_matches_the_reference(
    dtype: str, reduce: str, include_self: bool, seed: int
) -> None:
    x, dim, index, src = scatter_case(100 + seed, dtype)
    got = rt.scatter_reduce(
        rt.tensor(x), dim, rt.tensor(index), rt.tensor(src), reduce, include_self=include_self
    )
    check(got, np_scatter(x, dim, index, src, reduce, include_self), dtype)


def test_scatter_amax_propagates_nan_and_keeps_signed_zero() -> None:
    x = np.array([0.0, 1.0, 2.0], dtype=np.float32)
    idx = np.array([0, 0, 2, 1])
    src = np.array([np.nan, 5.0, -0.0, np.inf], dtype=np.float32)
    got = rt.scatter_reduce(rt.tensor(x), 0, rt.tensor(idx), rt.tensor(src), "amax").numpy()
    assert np.isnan(got[0])
    np.testing.assert_array_equal(got[1:], [np.inf, 2.0])
    got = rt.scatter_reduce(
        rt.tensor(x), 0, rt.tensor(idx), rt.tensor(src), "amin", include_self=False
    ).numpy()
    assert np.isnan(got[0])
    np.testing.assert_array_equal(got[1:], [np.inf, 0.0])
    assert np.signbit(got[2])


def test_repeated_indices_last_write_wins_and_sums_in_order() -> None:
    x = rt.zeros(3)
    idx = rt.tensor([1, 1, 1, 0])
    src = rt.tensor([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(x.scatter(0, idx, src).numpy(), [4.0, 3.0, 0.0])
    big = rt.tensor(np.zeros(1, np.float32))
    terms = np.array([1e8, 1.0, -1e8, 1.0] * 1000, dtype=np.float32)
    got = big.scatter_add(0, rt.zeros(terms.size, dtype=rt.int64), rt.tensor(terms)).numpy()
    want = np.float32(0)
    for v in terms:  # float32, in order: the same for any thread count
        want = np.float32(want + v)
    assert got[0] == want


def test_scatter_reads_views_and_broadcast_operands() -> None:
    rng = np.random.default_rng(7)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    src = rng.standard_normal((4, 5)).astype(np.float32)
    index = rng.integers(0, 4, (3, 2))
    t = rt.tensor(x).T  # [4, 5], transposed
    s = rt.tensor(src)[::-1]  # reversed rows
    i = rt.tensor(index)
    check(t.scatter_add(0, i, s), np_scatter(x.T, 0, index, src[::-1], "sum"), "float32")
    ie = rt.tensor(index[:, :1]).expand(3, 2)
    check(
        t.scatter(0, ie, s),
        np_scatter(x.T, 0, np.broadcast_to(index[:, :1], (3, 2)), src[::-1]),
        "float32",
    )


def test_scatter_of_0d_and_empty() -> None:
    x = rt.tensor(3.0)
    np.testing.assert_array_equal(x.scatter(0, rt.tensor(0), rt.tensor(5.0)).numpy(), 5.0)
    e = rt.ones((2, 3))
    out = e.scatter_add(1, rt.zeros((2, 0), dtype=rt.int64), rt.ones((2, 0)))
    np.testing.assert_array_equal(out.numpy(), np.ones((2, 3)))
    z = rt.ones((0, 3)).scatter(0, rt.zeros((0, 3), dtype=rt.int64), rt.ones((0, 3)))
    assert z.numpy().shape == (0, 3)


def test_scatter_of_bool() -> None:
    x = rt.tensor([False, False, True])
    got = x.scatter(0, rt.tensor([0, 2]), rt.tensor([True, False]))
    np.testing.assert_array_equal(got.numpy(), [True, False, False])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_add_copy_fill_reduce(dtype: str, dim: int) -> None:
    rng = np.random.default_rng(3)
    x = values(dtype, (4, 5), rng)
    n = 6
    index = rng.integers(0, x.shape[dim], n)
    sshape = list(x.shape)
    sshape[dim] = n
    src = values(dtype, tuple(sshape), rng)
    d = dim % 2
    idx_full = np.expand_dims(index, 1 - d)
    idx_full = np.broadcast_to(idx_full, src.shape)
    t, i, s = rt.tensor(x), rt.tensor(index), rt.tensor(src)
    check(t.index_add(dim, i, s), np_scatter(x, d, idx_full, src, "sum"), dtype)
    check(t.index_add(dim, i, s, alpha=2), np_scatter(x, d, idx_full, src * 2, "sum"), dtype)
    check(t.index_copy(dim, i, s), np_scatter(x, d, idx_full, src), dtype)
    for r in ["prod", "mean", "amax", "amin"]:
        for inc in [True, False]:
            check(
                t.index_reduce(dim, i, s, r, include_self=inc),
                np_scatter(x, d, idx_full, src, r, inc),
                dtype,
            )
    want = x.astype(np.float64).copy()
    sl = [slice(None)] * 2
    sl[d] = index
    want[tuple(sl)] = 7
    check(t.index_fill(dim, i, 7), want, dtype)


def test_masked_fill_broadcasts_the_mask_and_casts_the_value() -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    m = rng.random(4) < 0.5
    got = rt.tensor(x).masked_fill(rt.tensor(m), -np.inf)
    np.testing.assert_array_equal(got.numpy(), np.where(m, -np.inf, x).astype(np.float32))
    xi = np.arange(12, dtype=np.int32).reshape(3, 4)
    got = rt.masked_fill(rt.tensor(xi), rt.tensor(m), rt.tensor(2.7))
    assert got.numpy().dtype == np.int32
    np.testing.assert_array_equal(got.numpy(), np.where(m, 2, xi))
    t = rt.tensor(x)
    t.masked_fill_(rt.tensor(m), 0.0)
    np.testing.assert_array_equal(t.numpy(), np.where(m, 0, x).astype(np.float32))


def test_put_matches_numpy() -> None:
    x = np.arange(12, dtype=np.float64).reshape(3, 4)
    idx = np.array([[0, -1], [5, 5]])
    src = np.array([[10.0, 20.0], [30.0, 40.0]])
    want = x.copy()
    np.put(want, idx, src)
    np.testing.assert_array_equal(rt.tensor(x).put(rt.tensor(idx), rt.tensor(src)).numpy(), want)
    acc = x.copy().ravel()
    np.add.at(acc, idx.ravel() % 12, src.ravel())
    got = rt.put(rt.tensor(x), rt.tensor(idx), rt.tensor(src), accumulate=True).numpy()
    np.testing.assert_array_equal(got, acc.reshape(3, 4))


# ------------------------------------------------------------------ t[index] = value

INDEXES = [
    (1,),
    (-1, 2),
    (slice(1, None),),
    (slice(None, None, 2), 1),
    (slice(None, None, -1),),
    (Ellipsis, 0),
    (None, 1),
    (slice(1, 3), slice(None), slice(0, 4, 3)),
    ([0, 2],),
    ([[0], [1]], [1, 2]),
    (slice(None), [3, 0, 3]),
    ([0, 1], slice(None), [1, 2]),
    (1, slice(None), [0, 2, 1]),
    (np.array([2, -1]), Ellipsis),
    ([1, 1, 1],),
]


@pytest.mark.parametrize("index", INDEXES, ids=range(len(INDEXES)))
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_setitem_matches_numpy(index: tuple, dtype: str) -> None:
    rng = np.random.default_rng(5)
    x = values(dtype, (3, 4, 5), rng)
    want = x.copy()
    region = want[index].shape
    v = values(dtype, region, rng)
    want[index] = v
    t = rt.tensor(x)
    t[index] = rt.tensor(v)
    np.testing.assert_array_equal(t.numpy(), want)
    # A scalar and a value broadcasting from the last dims.
    want2 = x.copy()
    want2[index] = 1
    t2 = rt.tensor(x)
    t2[index] = 1
    np.testing.assert_array_equal(t2.numpy(), want2)
    if region and region[-1] > 1:
        row = values(dtype, region[-1:], rng)
        want3 = x.copy()
        want3[index] = row
        t3 = rt.tensor(x)
        t3[index] = row
        np.testing.assert_array_equal(t3.numpy(), want3)


@settings(max_examples=80, deadline=None)
@given(
    x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)),
    data=st.data(),
)
def test_setitem_with_index_arrays_matches_numpy(x: np.ndarray, data: st.DataObject) -> None:
    ix = tuple(
        data.draw(hnp.integer_array_indices(x.shape, result_shape=hnp.array_shapes(max_dims=2)))
    )
    want = x.copy()
    want[ix] = -1.5
    t = rt.tensor(x)
    t[ix] = -1.5
    np.testing.assert_array_equal(t.numpy(), want)


def test_index_put_accumulate_matches_add_at() -> None:
    x = np.zeros((4, 3))
    rows = np.array([0, 2, 0, 0])
    v = np.arange(12, dtype=np.float64).reshape(4, 3)
    want = x.copy()
    np.add.at(want, rows, v)
    got = rt.tensor(x).index_put((rt.tensor(rows),), rt.tensor(v), accumulate=True)
    np.testing.assert_array_equal(got.numpy(), want)
    t = rt.tensor(x)
    t.index_put_([rt.tensor(rows)], rt.tensor(v), True)
    np.testing.assert_array_equal(t.numpy(), want)


def test_setitem_casts_the_value_and_refuses_a_bad_shape() -> None:
    t = rt.tensor(np.zeros(4, dtype=np.int32))
    t[1] = 2.9
    assert t.numpy().dtype == np.int32
    assert t.numpy()[1] == 2
    with pytest.raises(ValueError, match="cannot be broadcast to indexing result"):
        t[:2] = rt.ones(3)
    with pytest.raises(IndexError, match="out of bounds"):
        t[[7]] = 1


def test_writes_are_values_other_tensors_keep_theirs() -> None:
    x = rt.tensor(np.arange(6.0).reshape(2, 3))
    y = x
    view = x[0]
    held = x.numpy()
    x[0, 1] = 100.0
    assert x.numpy()[0, 1] == 100.0
    assert y.numpy()[0, 1] == 100.0  # the same object, rebound
    np.testing.assert_array_equal(view.numpy(), [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(held, np.arange(6.0).reshape(2, 3))


def _address(t: rt.Tensor) -> int:
    return int(t.numpy().__array_interface__["data"][0])


def test_a_loop_of_writes_runs_in_the_donated_buffer() -> None:
    t = (rt.zeros((256, 256)) + 1.0).eval()
    first = _address(t)
    for i in range(20):
        t[i] = float(i)
        t.eval()
        assert _address(t) == first, f"write {i} copied the tensor"
    # And lazily: a chain of writes evaluated once, each in the previous one's buffer.
    for i in range(20, 40):
        t[i, ::2] = -1.0
    want = np.ones((256, 256), dtype=np.float32)
    want[:20] = np.arange(20, dtype=np.float32)[:, None]
    want[20:40, ::2] = -1.0
    np.testing.assert_array_equal(t.numpy(), want)
    assert (
        "donor(input 0)"
        in (rt.zeros(8) + 1.0).eval().scatter(0, rt.tensor([1]), rt.tensor([2.0])).explain()
    )


def test_a_masked_write_is_one_fused_where() -> None:
    x = rt.tensor(np.linspace(-1, 1, 11, dtype=np.float32))
    y = x * 2.0
    y[y < 0] = 0.0
    assert sum(line.startswith("kernel ") for line in y.explain().splitlines()) == 1
    np.testing.assert_array_equal(
        y.numpy(), np.maximum(np.linspace(-1, 1, 11, dtype=np.float32) * 2, 0)
    )
