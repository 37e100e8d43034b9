"""einsum, tensordot, the products (dot, mm, bmm, mv, outer, inner, add* forms, vecdot) and
the diagonals (diagonal, trace, diag, diag_embed, tril, triu) against NumPy float64, with
kernel counts for the cases that must fuse."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import rusttorch as rt
from hypothesis import given, settings
from hypothesis import strategies as st

FLOATS = ["float32", "float64"]
NUMERIC = ["float32", "float64", "int32", "int64"]


def tol(dtype: str) -> dict[str, float]:
    return {"rtol": 1e-4, "atol": 1e-5} if dtype == "float32" else {"rtol": 1e-11, "atol": 1e-11}


def make(shape: tuple[int, ...], dtype: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if dtype.startswith("int"):
        return rng.integers(-4, 5, size=shape).astype(dtype)
    return rng.uniform(-1, 1, size=shape).astype(dtype)


def check(got: Any, want: np.ndarray, dtype: str) -> None:
    g = np.asarray(got)
    assert g.shape == np.shape(want), (g.shape, np.shape(want))
    np.testing.assert_allclose(
        g.astype(np.float64), np.asarray(want, dtype=np.float64), **tol(dtype)
    )


def kernels(t: rt.Tensor) -> int:
    return sum(line.startswith("kernel ") for line in t.explain().splitlines())


# (equation, shapes)
EINSUM_CASES = [
    ("ij,ij->i", [(4, 5), (4, 5)]),
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,jk", [(3, 4), (4, 5)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ii->", [(4, 4)]),
    ("ii", [(4, 4)]),
    ("ii->i", [(4, 4)]),
    ("ij->ji", [(3, 4)]),
    ("ij->", [(3, 4)]),
    ("i,i->", [(5,), (5,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij,j->i", [(3, 4), (4,)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]),
    ("...ij,...jk", [(2, 1, 3, 4), (5, 4, 2)]),
    ("i...->...", [(3, 2, 4)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("ijk,jil->kl", [(3, 4, 5), (4, 3, 2)]),
    ("iij,jk->ik", [(3, 3, 4), (4, 2)]),
    ("ab,bc,cd->ad", [(2, 3), (3, 4), (4, 5)]),
    ("abc,cd,de->abe", [(2, 3, 4), (4, 5), (5, 2)]),
    ("i,i,i->i", [(4,), (4,), (4,)]),
    ("ij,ij,ij->", [(3, 4), (3, 4), (3, 4)]),
    ("ji", [(3, 4)]),
    ("", [()]),
    (",->", [(), ()]),
    ("i,->i", [(3,), ()]),
    ("ij,kl->ijkl", [(2, 3), (4, 2)]),
    ("ijj->i", [(3, 4, 4)]),
    ("iji->j", [(3, 4, 3)]),
    ("ij,jk->ik", [(3, 0), (0, 4)]),
    ("ij,jk->ik", [(0, 2), (2, 3)]),
    ("ij,ij->i", [(0, 3), (0, 3)]),
    ("Ab,bC->AC", [(2, 3), (3, 4)]),
]


@pytest.mark.parametrize(("equation", "shapes"), EINSUM_CASES)
@pytest.mark.parametrize("dtype", NUMERIC)
def test_einsum_matches_numpy(equation: str, shapes: list[tuple[int, ...]], dtype: str) -> None:
    arrays = [make(s, dtype, i) for i, s in enumerate(shapes)]
    want = np.einsum(
        equation, *[a.astype(np.float64) if dtype in FLOATS else a.astype(np.int64) for a in arrays]
    )
    got = rt.einsum(equation, *[rt.tensor(a) for a in arrays])
    assert got.dtype == getattr(rt, dtype)
    check(got, want, dtype)


def test_einsum_takes_a_list_and_views() -> None:
    a, b = make((4, 3), "float64", 1), make((5, 4), "float64", 2)
    got = rt.einsum("ji,kj->ik", [rt.tensor(a.T.copy()).T, rt.tensor(b)])
    check(got, np.einsum("ji,kj->ik", a, b), "float64")
    sl = rt.tensor(a)[::2, ::-1]
    check(rt.einsum("ij->j", sl), np.einsum("ij->j", a[::2, ::-1]), "float64")


@pytest.mark.parametrize(
    ("equation", "shapes", "message"),
    [
        ("ij,jk->ik", [(3, 4), (5, 6)], "einsum: subscript j has size 5"),
        ("ij->k", [(3, 4)], "output subscript k does not appear"),
        ("ij->ii", [(3, 4)], "output subscript i appears more than once"),
        ("ijk", [(3, 4)], "einsum: 3 subscripts for an operand of shape"),
        ("ij,jk", [(3, 4)], "the equation has 2 operand"),
        ("i1", [(3, 4)], "invalid subscript"),
        ("ii->i", [(3, 4)], "subscript i is repeated with sizes 3 and 4"),
    ],
)
def test_einsum_errors_name_the_problem(
    equation: str, shapes: list[tuple[int, ...]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        rt.einsum(equation, *[rt.tensor(make(s, "float32", 0)) for s in shapes])


def test_einsum_kernel_counts() -> None:
    x, y = rt.tensor(make((64, 100), "float32", 1)), rt.tensor(make((64, 100), "float32", 2))
    assert kernels(rt.einsum("ij,ij->i", x, y)) == 1
    a, b = rt.tensor(make((3, 8, 9), "float32", 3)), rt.tensor(make((3, 9, 7), "float32", 4))
    plan = rt.einsum("bij,bjk->bik", a, b).explain()
    assert "total: 1 kernel," in plan, plan
    assert "matmul" in plan, plan
    # A matrix-vector contraction is a multiply fused with its sum.
    v = rt.tensor(make((100,), "float32", 5))
    assert kernels(rt.einsum("ij,j->i", x, v)) == 1


@settings(max_examples=60, deadline=None)
@given(
    m=st.integers(0, 4),
    k=st.integers(0, 4),
    n=st.integers(0, 4),
    b=st.integers(1, 3),
    dtype=st.sampled_from(NUMERIC),
    transpose=st.booleans(),
)
def test_products_match_numpy(m: int, k: int, n: int, b: int, dtype: str, transpose: bool) -> None:
    A, B = make((m, k), dtype, 1), make((k, n), dtype, 2)
    tA = rt.tensor(A.T.copy()).T if transpose else rt.tensor(A)
    ref = np.float64 if dtype in FLOATS else np.int64
    check(tA.mm(rt.tensor(B)), A.astype(ref) @ B.astype(ref), dtype)
    v = make((k,), dtype, 3)
    check(rt.mv(tA, rt.tensor(v)), A.astype(ref) @ v.astype(ref), dtype)
    w = make((k,), dtype, 4)
    check(rt.dot(rt.tensor(v), rt.tensor(w)), np.dot(v.astype(ref), w.astype(ref)), dtype)
    check(rt.tensor(v).vdot(rt.tensor(w)), np.vdot(v.astype(ref), w.astype(ref)), dtype)
    check(
        rt.outer(rt.tensor(v), rt.tensor(make((n,), dtype, 5))),
        np.outer(v, make((n,), dtype, 5)),
        dtype,
    )
    check(rt.ger(rt.tensor(v), rt.tensor(w)), np.outer(v, w), dtype)
    BA, BB = make((b, m, k), dtype, 6), make((b, k, n), dtype, 7)
    check(rt.bmm(rt.tensor(BA), rt.tensor(BB)), BA.astype(ref) @ BB.astype(ref), dtype)
    check(rt.inner(rt.tensor(BA), rt.tensor(A)), np.inner(BA.astype(ref), A.astype(ref)), dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_add_products_with_beta_alpha(dtype: str) -> None:
    inp, m1, m2 = make((3, 5), dtype, 1), make((3, 4), dtype, 2), make((4, 5), dtype, 3)
    r = rt.addmm(rt.tensor(inp), rt.tensor(m1), rt.tensor(m2), beta=0.5, alpha=2.0)
    check(r, 0.5 * inp.astype(np.float64) + 2.0 * (m1.astype(np.float64) @ m2), dtype)
    row = make((5,), dtype, 4)  # broadcast over the rows of the product
    check(
        rt.tensor(row).addmm(rt.tensor(m1), rt.tensor(m2)),
        row.astype(np.float64) + m1.astype(np.float64) @ m2,
        dtype,
    )
    # beta = 0 ignores the input (NaN does not propagate).
    nan = np.full((3, 5), np.nan, dtype)
    check(
        rt.addmm(rt.tensor(nan), rt.tensor(m1), rt.tensor(m2), beta=0.0),
        m1.astype(np.float64) @ m2,
        dtype,
    )
    v = make((4,), dtype, 5)
    check(
        rt.addmv(
            rt.tensor(make((3,), dtype, 6)), rt.tensor(m1), rt.tensor(v), beta=2.0, alpha=-1.0
        ),
        2.0 * make((3,), dtype, 6).astype(np.float64) - m1.astype(np.float64) @ v,
        dtype,
    )
    b1, b2, bi = make((2, 3, 4), dtype, 7), make((2, 4, 5), dtype, 8), make((2, 3, 5), dtype, 9)
    check(
        rt.tensor(bi).baddbmm(rt.tensor(b1), rt.tensor(b2), alpha=0.5),
        bi.astype(np.float64) + 0.5 * (b1.astype(np.float64) @ b2),
        dtype,
    )
    with pytest.raises(ValueError, match="addmm: shapes"):
        rt.addmm(rt.tensor(make((4, 4), dtype, 1)), rt.tensor(m1), rt.tensor(m2))


def test_product_shape_errors() -> None:
    a = rt.tensor(make((3, 4), "float32", 1))
    with pytest.raises(ValueError, match="mm: shapes"):
        a.mm(a)
    with pytest.raises(ValueError, match="mm: self must be a 2-d tensor"):
        rt.mm(rt.tensor(make((3,), "float32", 1)), a)
    with pytest.raises(ValueError, match="dot: self must be a 1-d tensor"):
        rt.dot(a, a)
    with pytest.raises(ValueError, match="bmm: mat2 must be a 3-d tensor"):
        rt.bmm(rt.tensor(make((2, 3, 4), "float32", 1)), a)
    with pytest.raises(ValueError, match="tensordot: contracted dims must match"):
        rt.tensordot(a, a, dims=([0], [1]))


@pytest.mark.parametrize(
    ("sa", "sb", "dims"),
    [
        ((3, 4, 5), (4, 5, 6), 2),
        ((3, 4, 5), (5, 6), 1),
        ((3, 4), (5, 6), 0),
        ((3, 4, 5), (5, 3, 2), ([0, 2], [1, 0])),
        ((2, 3), (3, 2), ([1, 0], [0, 1])),
        ((4, 5), (5, 4), ([-1], [0])),
        ((0, 3), (3, 2), 1),
    ],
)
@pytest.mark.parametrize("dtype", NUMERIC)
def test_tensordot_matches_numpy(
    sa: tuple[int, ...], sb: tuple[int, ...], dims: Any, dtype: str
) -> None:
    a, b = make(sa, dtype, 1), make(sb, dtype, 2)
    ref = np.float64 if dtype in FLOATS else np.int64
    want = np.tensordot(a.astype(ref), b.astype(ref), axes=dims)
    check(rt.tensordot(rt.tensor(a), rt.tensor(b), dims=dims), want, dtype)
    check(rt.tensor(a).tensordot(rt.tensor(b), dims), want, dtype)


@settings(max_examples=40, deadline=None)
@given(
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    dtype=st.sampled_from(NUMERIC),
    dim=st.integers(-1, 0),
)
def test_vecdot_broadcasts(shape: list[int], dtype: str, dim: int) -> None:
    x = make(tuple(shape), dtype, 1)
    y = make((shape[-1],) if dim == -1 else tuple(shape), dtype, 2)
    got = rt.linalg.vecdot(rt.tensor(x), rt.tensor(y), dim=dim)
    assert got.dtype == getattr(rt, dtype)
    ref = np.float64 if dtype in FLOATS else np.int64
    check(got, np.sum(x.astype(ref) * y.astype(ref), axis=dim), dtype)


@settings(max_examples=60, deadline=None)
@given(
    batch=st.lists(st.integers(0, 3), max_size=2),
    n=st.integers(0, 5),
    m=st.integers(0, 5),
    k=st.integers(-6, 6),
    dtype=st.sampled_from([*NUMERIC, "bool"]),
    transpose=st.booleans(),
)
def test_tril_triu_match_numpy(
    batch: list[int], n: int, m: int, k: int, dtype: str, transpose: bool
) -> None:
    a = make((*batch, n, m), dtype, 3)
    t = rt.tensor(a)
    if transpose:
        a = np.swapaxes(a, -1, -2)
        t = t.transpose(-1, -2)
    np.testing.assert_array_equal(np.asarray(t.tril(k)), np.tril(a, k))
    np.testing.assert_array_equal(np.asarray(rt.triu(t, k)), np.triu(a, k))


def test_tril_fuses_into_its_consumer() -> None:
    x = rt.tensor(make((50, 40), "float32", 1))
    y = (x.tril() * 2).sum()
    assert kernels(y) == 1, y.explain()
    np.testing.assert_allclose(
        y.item(), (np.tril(np.asarray(x).astype(np.float64)) * 2).sum(), rtol=1e-5
    )
    with pytest.raises(ValueError, match="tril needs a tensor with at least 2 dims"):
        rt.tensor(make((3,), "float32", 1)).tril()


@settings(max_examples=60, deadline=None)
@given(
    shape=st.lists(st.integers(0, 4), min_size=2, max_size=4),
    offset=st.integers(-5, 5),
    d=st.data(),
    dtype=st.sampled_from([*NUMERIC, "bool"]),
)
def test_diagonal_matches_numpy(shape: list[int], offset: int, d: Any, dtype: str) -> None:
    nd = len(shape)
    d1 = d.draw(st.integers(-nd, nd - 1))
    d2 = d.draw(st.integers(-nd, nd - 1).filter(lambda x: x % nd != d1 % nd))
    a = make(tuple(shape), dtype, 4)
    got = rt.tensor(a).diagonal(offset, d1, d2)
    np.testing.assert_array_equal(np.asarray(got), np.diagonal(a, offset, d1, d2))
    np.testing.assert_array_equal(
        np.asarray(rt.diagonal(rt.tensor(a), offset, d1, d2)), np.diagonal(a, offset, d1, d2)
    )


def test_diagonal_of_a_buffer_is_a_view() -> None:
    a = np.arange(20.0).reshape(4, 5)
    t = rt.from_numpy(a)
    dg = t.diagonal(1)
    # Read in place through strides: the NumPy view shares the buffer.
    arr = np.asarray(dg)
    assert np.shares_memory(arr, a)
    np.testing.assert_array_equal(arr, np.diagonal(a, 1))
    np.testing.assert_array_equal(
        np.asarray(rt.linalg.diagonal(rt.tensor(np.ones((2, 3, 3))))), np.ones((2, 3))
    )


@pytest.mark.parametrize("dtype", NUMERIC)
def test_trace(dtype: str) -> None:
    for shape in [(4, 4), (3, 5), (5, 2), (0, 3)]:
        a = make(shape, dtype, 1)
        got = rt.trace(rt.tensor(a))
        assert got.dtype == (getattr(rt, dtype) if dtype in FLOATS else rt.int64)
        check(got, np.trace(a.astype(np.float64)), dtype)
    with pytest.raises(ValueError, match="trace: expects a matrix"):
        rt.tensor(make((3,), dtype, 1)).trace()


@pytest.mark.parametrize("k", [-3, -1, 0, 2])
@pytest.mark.parametrize("dtype", [*NUMERIC, "bool"])
def test_diag_both_ways(k: int, dtype: str) -> None:
    v = make((4,), dtype, 1)
    np.testing.assert_array_equal(np.asarray(rt.diag(rt.tensor(v), k)), np.diag(v, k))
    m = make((4, 5), dtype, 2)
    np.testing.assert_array_equal(np.asarray(rt.tensor(m).diag(k)), np.diag(m, k))
    np.testing.assert_array_equal(np.asarray(rt.diag(rt.tensor(v[:0]))), np.diag(v[:0]))


def np_diag_embed(x: np.ndarray, offset: int, dim1: int, dim2: int) -> np.ndarray:
    n = x.shape[-1] + abs(offset)
    out = np.zeros((*x.shape[:-1], n, n), dtype=x.dtype)
    idx = np.arange(x.shape[-1])
    rows, cols = (idx, idx + offset) if offset >= 0 else (idx - offset, idx)
    out[..., rows, cols] = x
    nd = out.ndim
    d1, d2 = dim1 % nd, dim2 % nd
    rest = iter(range(nd - 2))
    perm = [nd - 2 if d == d1 else nd - 1 if d == d2 else next(rest) for d in range(nd)]
    return np.transpose(out, perm)


@pytest.mark.parametrize("offset", [-2, 0, 1])
@pytest.mark.parametrize("dims", [(-2, -1), (0, 2), (2, 0), (1, 0)])
def test_diag_embed(offset: int, dims: tuple[int, int]) -> None:
    x = make((2, 3), "float64", 5)
    got = rt.diag_embed(rt.tensor(x), offset, *dims)
    want = np_diag_embed(x, offset, *dims)
    # Check the defining property directly: the diagonal of (dim1, dim2) is x.
    g = np.asarray(got)
    assert g.shape == want.shape
    np.testing.assert_array_equal(np.diagonal(g, offset, dims[0], dims[1]), x)
    assert np.count_nonzero(g) == np.count_nonzero(x)
    np.testing.assert_array_equal(
        np.asarray(rt.tensor(x).diag_embed()), np_diag_embed(x, 0, -2, -1)
    )
