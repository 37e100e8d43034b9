"""matmul / ``@`` against NumPy in float64: 1-d, 2-d, batched with broadcast batch dims, views
as operands, fused epilogues, and errors.

Tolerance: a float32 product of inner dimension K is off from the exact one by at most about
K * eps32 * sum_k |a_ik| |b_kj|; the check is |got - ref| <= RTOL * (|a| @ |b|) + 1e-30 with
RTOL = 1e-4 for float32 (eps32 * K up to a few hundred, with margin for blocked summation) and
1e-12 for float64.
"""

from __future__ import annotations

import numpy as np
import pytest
import rusttorch as rt

RTOL = {"float32": 1e-4, "float64": 1e-12}


def data(shape: tuple[int, ...], dtype: str, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def assert_matmul_close(got: object, a: np.ndarray, b: np.ndarray, dtype: str) -> None:
    """``got`` equals ``a @ b`` (computed in float64) within ``RTOL * (|a| @ |b|)``."""
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    ref, scale = a64 @ b64, np.abs(a64) @ np.abs(b64)
    out = np.asarray(got)
    assert out.shape == ref.shape, (out.shape, ref.shape)
    assert out.dtype == np.dtype(dtype)
    err = np.abs(out.astype(np.float64) - ref)
    bound = RTOL[dtype] * scale + 1e-30
    assert np.all(err <= bound), f"max excess {np.max(err - bound)}"


SHAPES = [
    ((7,), (7,)),  # dot product: a 0-d result
    ((5,), (5, 3)),  # row vector @ matrix
    ((4, 5), (5,)),  # matrix @ column vector
    ((1, 1), (1, 1)),
    ((3, 5), (5, 4)),
    ((65, 130), (130, 33)),  # not multiples of any block size
    ((2, 3, 4), (4, 5)),  # batch @ matrix
    ((4, 5), (3, 5, 2)),  # matrix @ batch
    ((2, 1, 3, 4), (5, 4, 2)),  # broadcast batch dims -> (2, 5, 3, 2)
    ((6,), (2, 6, 3)),  # 1-d @ batch -> (2, 3)
    ((2, 3, 4), (4,)),  # batch @ 1-d -> (2, 3)
    ((0, 3), (3, 4)),  # empty rows
    ((2, 0), (0, 3)),  # empty inner dim: zeros
]


@pytest.mark.parametrize(("sa", "sb"), SHAPES, ids=str)
def test_matmul_shapes(sa: tuple[int, ...], sb: tuple[int, ...], dtype: str) -> None:
    a, b = data(sa, dtype, 1), data(sb, dtype, 2)
    assert_matmul_close(rt.from_numpy(a) @ rt.from_numpy(b), a, b, dtype)


def test_matmul_spellings(dtype: str) -> None:
    a, b = data((3, 4), dtype, 3), data((4, 2), dtype, 4)
    ta, tb = rt.tensor(a), rt.tensor(b)
    assert_matmul_close(ta @ tb, a, b, dtype)
    assert_matmul_close(ta @ b, a, b, dtype)  # ndarray on the right
    assert_matmul_close(a @ tb, a, b, dtype)  # __rmatmul__: NumPy defers to the tensor
    assert_matmul_close(ta.matmul(tb), a, b, dtype)
    assert_matmul_close(ta.matmul(b), a, b, dtype)
    assert_matmul_close(rt.matmul(ta, tb), a, b, dtype)
    assert_matmul_close(rt.matmul(a, b), a, b, dtype)
    assert isinstance(a @ tb, rt.Tensor)


def test_mixed_dtypes_promote_to_float64() -> None:
    a, b = data((3, 4), "float32", 5), data((4, 2), "float64", 6)
    y = rt.tensor(a) @ rt.tensor(b)
    assert y.dtype == rt.float64
    assert_matmul_close(y, a.astype(np.float64), b, "float64")


@pytest.mark.parametrize(
    "case",
    ["aT_b", "a_bT", "aT_bT", "sliced", "reversed", "batch_mT", "expanded"],
)
def test_views_as_operands(case: str, dtype: str) -> None:
    x, y = data((6, 8), dtype, 7), data((8, 6), dtype, 8)
    tx, ty = rt.from_numpy(x), rt.from_numpy(y)
    if case == "aT_b":
        got, a, b = tx.T @ rt.from_numpy(x), x.T, x
    elif case == "a_bT":
        got, a, b = tx @ ty.T.T, x, y
    elif case == "aT_bT":
        got, a, b = tx.T @ ty.T, x.T, y.T
    elif case == "sliced":
        got, a, b = tx[1::2, ::3] @ ty[::3, 2:5], x[1::2, ::3], y[::3, 2:5]
    elif case == "reversed":
        got, a, b = tx[::-1] @ ty[:, ::-2], x[::-1], y[:, ::-2]
    elif case == "batch_mT":
        xb = data((3, 4, 5), dtype, 9)
        got, a, b = rt.from_numpy(xb).mT @ rt.from_numpy(xb), np.swapaxes(xb, -1, -2), xb
    else:
        row = data((1, 8), dtype, 10)
        got, a, b = rt.from_numpy(row).expand(5, 8) @ ty, np.broadcast_to(row, (5, 8)), y
    assert_matmul_close(got, a, b, dtype)


def test_fused_epilogue(dtype: str) -> None:
    a, b, bias = data((33, 20), dtype, 11), data((20, 17), dtype, 12), data((17,), dtype, 13)
    y = (rt.tensor(a) @ rt.tensor(b) + rt.tensor(bias)).relu() * 0.5
    plan = y.explain()
    assert "fused epilogue" in plan, plan  # bias add, relu and scale ride on the matmul tiles
    assert "kernel 1" not in plan, plan
    ref = np.maximum(a.astype(np.float64) @ b.astype(np.float64) + bias, 0.0) * 0.5
    scale = (np.abs(a.astype(np.float64)) @ np.abs(b.astype(np.float64)) + np.abs(bias)) * 0.5
    out = y.numpy().astype(np.float64)
    assert np.all(np.abs(out - ref) <= RTOL[dtype] * scale + 1e-30)


def test_matmul_then_reduce_and_chain(dtype: str) -> None:
    a, b, c = data((4, 6), dtype, 14), data((6, 5), dtype, 15), data((5, 3), dtype, 16)
    ta, tb, tc = (rt.tensor(v) for v in (a, b, c))
    abc = (ta @ tb) @ tc
    ref = (a.astype(np.float64) @ b) @ c
    scale = (np.abs(a.astype(np.float64)) @ np.abs(b)) @ np.abs(c)
    assert np.all(np.abs(abc.numpy() - ref) <= RTOL[dtype] * scale * 2 + 1e-30)
    s = (ta @ tb).sum(dim=1)
    ref_s = (a.astype(np.float64) @ b).sum(1)
    scale_s = (np.abs(a.astype(np.float64)) @ np.abs(b)).sum(1)
    assert np.all(np.abs(s.numpy() - ref_s) <= RTOL[dtype] * scale_s * 2 + 1e-30)


@pytest.mark.parametrize(
    ("sa", "sb"),
    [((3, 4), (5, 6)), ((4,), (5,)), ((2, 3, 4), (3, 4, 2)), ((2, 3, 4), (4, 3, 4, 2))],
    ids=str,
)
def test_shape_mismatch_is_value_error(sa: tuple[int, ...], sb: tuple[int, ...]) -> None:
    a, b = rt.zeros(sa), rt.zeros(sb)
    with pytest.raises(ValueError, match="matmul"):
        a @ b
    with pytest.raises(ValueError, match="matmul"):
        rt.matmul(a, b)


def test_scalar_operands_are_errors() -> None:
    t = rt.tensor(np.ones((2, 2)))
    with pytest.raises(ValueError, match="matmul"):
        t @ rt.tensor(2.0)  # 0-d tensor
    with pytest.raises(TypeError):
        t @ 2.0  # type: ignore[operator]
    with pytest.raises(TypeError):
        2.0 @ t  # type: ignore[operator]
    with pytest.raises(TypeError):
        t @ "x"  # type: ignore[operator]
