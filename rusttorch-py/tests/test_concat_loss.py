"""cat, stack and cross_entropy against NumPy.

cat and stack only move values, so they must equal ``np.concatenate``/``np.stack`` exactly, in
both dtypes. cross_entropy is compared with a float64 log-sum-exp reference at ``rtol=1e-5`` (a
float32 reduction over a few hundred terms stays well inside it).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pytest
import rusttorch as rt

CE_TOL = {"rtol": 1e-5, "atol": 1e-6}


def data(shape: tuple[int, ...], dtype: str, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def assert_exact(got: rt.Tensor, expected: np.ndarray) -> None:
    out = np.asarray(got)
    assert got.shape == expected.shape
    assert out.dtype == expected.dtype, (out.dtype, expected.dtype)
    np.testing.assert_array_equal(out, expected)


def kernels(t: rt.Tensor) -> int:
    return sum(line.startswith("kernel ") for line in t.explain().splitlines())


# ---------------------------------------------------------------------- cat


@pytest.mark.parametrize(
    ("shapes", "dim"),
    [
        ([(3,), (5,)], 0),
        ([(2, 3), (4, 3), (1, 3)], 0),
        ([(2, 3), (2, 1), (2, 4)], 1),
        ([(2, 3), (2, 5)], -1),
        ([(2, 3, 4), (2, 1, 4)], -2),
        ([(2, 0, 4), (2, 3, 4), (2, 0, 4)], 1),
        ([(4, 130), (4, 7)], 1),
        ([(3, 2)], 0),
    ],
    ids=str,
)
def test_cat_matches_numpy(shapes: list[tuple[int, ...]], dim: int, dtype: str) -> None:
    arrays = [data(s, dtype, i) for i, s in enumerate(shapes)]
    assert_exact(rt.cat([rt.tensor(a) for a in arrays], dim), np.concatenate(arrays, dim))


def test_cat_accepts_tuples_arrays_lists_and_default_dim(dtype: str) -> None:
    a, b = data((2, 3), dtype, 1), data((1, 3), dtype, 2)
    assert_exact(rt.cat((rt.tensor(a), b)), np.concatenate([a, b]))
    assert_exact(rt.cat([a, b], dim=0), np.concatenate([a, b]))
    assert_exact(rt.cat(tensors=[rt.tensor([1.0, 2.0]), [3.0]]), np.arange(1.0, 4.0, dtype="f4"))


def test_cat_of_views(dtype: str) -> None:
    base = data((4, 6), dtype, 3)
    t = rt.from_numpy(base)
    views = [t.T, t[::-1].T, t[1:3, ::-1].T, t[::-2, ::-1].T]
    expected = [base.T, base[::-1].T, base[1:3, ::-1].T, base[::-2, ::-1].T]
    assert_exact(rt.cat(views, 1), np.concatenate(expected, 1))
    assert_exact(rt.cat([t[::-1], t[:, ::-1]], 0), np.concatenate([base[::-1], base[:, ::-1]]))
    # Non-contiguous NumPy operands are copied in order.
    assert_exact(
        rt.cat([base.T, base[::-1, :2].T], 0), np.concatenate([base.T, base[::-1, :2].T], 0)
    )
    # A broadcast view.
    row = rt.tensor(base[0])
    assert_exact(
        rt.cat([rt.broadcast_to(row, (3, 6)), t], 0),
        np.concatenate([np.broadcast_to(base[0], (3, 6)), base]),
    )


def test_cat_inside_a_fused_expression(dtype: str) -> None:
    a, b = data((3, 5), dtype, 4), data((3, 2), dtype, 5)
    y = (rt.cat([rt.tensor(a), rt.tensor(b)], 1) * 2.0 + 1.0).sum(1)
    expected = (np.concatenate([a, b], 1).astype(np.float64) * 2.0 + 1.0).sum(1)
    np.testing.assert_allclose(np.asarray(y).astype(np.float64), expected, rtol=1e-5, atol=1e-5)
    # Both parts of the same tensor, and the result used twice.
    t = rt.tensor(a)
    c = rt.cat([t, t * 2.0], 0)
    assert_exact(c + c, np.concatenate([a, a * 2]) * 2)


def test_cat_promotes_dtypes() -> None:
    a32, b64 = data((2, 3), "float32", 6), data((1, 3), "float64", 7)
    # float32 values are exact in float64, so the promoted result is exact too.
    expected = np.concatenate([a32.astype(np.float64), b64])
    assert_exact(rt.cat([rt.tensor(a32), rt.tensor(b64)]), expected)
    assert_exact(rt.cat([a32, b64]), expected)
    assert_exact(rt.stack([rt.tensor(b64[0]), rt.tensor(a32[0])]), np.stack([b64[0], a32[0]]))
    # Integer arrays and lists become float32, like other operands.
    ints = np.arange(3, dtype=np.int64).reshape(1, 3)
    assert_exact(rt.cat([rt.tensor(a32), ints]), np.concatenate([a32, ints.astype(np.float32)]))
    assert rt.cat([rt.tensor(b64), ints]).dtype == rt.float64


def test_cat_result_is_independent_of_later_inplace_ops(dtype: str) -> None:
    a = data((2, 2), dtype, 8)
    t = rt.tensor(a)
    c = rt.cat([t, t])
    t += 1.0
    assert_exact(c, np.concatenate([a, a]))


# ---------------------------------------------------------------------- stack


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -2, -3])
def test_stack_matches_numpy(dim: int, dtype: str) -> None:
    arrays = [data((3, 4), dtype, i) for i in range(3)]
    assert_exact(rt.stack([rt.tensor(a) for a in arrays], dim), np.stack(arrays, dim))


def test_stack_of_views_and_scalars(dtype: str) -> None:
    base = data((3, 3), dtype, 9)
    t = rt.from_numpy(base)
    assert_exact(
        rt.stack([t.T, t[::-1], t[:, ::-1]], 1), np.stack([base.T, base[::-1], base[:, ::-1]], 1)
    )
    assert_exact(rt.stack([t[0, 0], t[1, 1], t[2, 2]]), np.diagonal(base).copy())
    assert_exact(rt.stack((t,)), base[None])


# ---------------------------------------------------------------------- cat/stack errors


def test_cat_and_stack_errors() -> None:
    a = rt.tensor(np.ones((2, 3)))
    for f in (rt.cat, rt.stack):
        with pytest.raises(ValueError, match="at least one tensor"):
            f([])
        with pytest.raises(ValueError, match="at least one tensor"):
            f(())
        with pytest.raises(TypeError, match="list or tuple"):
            f(a)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="list or tuple"):
            f(np.ones((2, 3)))  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            f([a, "x"])  # type: ignore[list-item]
    both_shapes = re.escape("[2, 3]") + ".*" + re.escape("[3, 3]")
    # PyTorch's words: the dim that differs, both sizes, and which tensor of the list.
    with pytest.raises(ValueError, match=r"Expected size 2 but got size 3 for tensor number 1"):
        rt.cat([a, np.ones((3, 3))], 1)
    with pytest.raises(ValueError, match=r"same number of dimensions: got 2 and 3"):
        rt.cat([a, np.ones((2, 3, 1))])
    with pytest.raises(ValueError, match=both_shapes):
        rt.stack([a, np.ones((3, 3))])
    with pytest.raises(ValueError, match=re.escape("[2, 3]") + ".*" + re.escape("[2, 4]")):
        rt.stack([a, a, np.ones((2, 4))])
    for dim in (2, -3):
        with pytest.raises(IndexError, match="out of range"):
            rt.cat([a, a], dim)
    for dim in (3, -4):
        with pytest.raises(IndexError, match="out of range"):
            rt.stack([a, a], dim)
    with pytest.raises(IndexError, match="out of range"):
        rt.cat([rt.tensor(1.0), rt.tensor(2.0)])


# ---------------------------------------------------------------------- cross_entropy


def cross_entropy_ref(logits: np.ndarray, target: np.ndarray) -> float:
    x = logits.astype(np.float64)
    m = x.max(axis=1, keepdims=True)
    lse = np.log(np.exp(x - m).sum(axis=1)) + m[:, 0]
    return float(np.mean(lse - x[np.arange(len(x)), target]))


@pytest.mark.parametrize(("n", "classes"), [(1, 1), (4, 3), (64, 10), (37, 257)], ids=str)
def test_cross_entropy_matches_numpy(n: int, classes: int, dtype: str) -> None:
    logits = data((n, classes), dtype, n) * 3
    target = np.random.default_rng(classes).integers(0, classes, n)
    loss = rt.cross_entropy(rt.tensor(logits), target)
    assert loss.shape == ()
    assert loss.dtype == dtype
    np.testing.assert_allclose(loss.item(), cross_entropy_ref(logits, target), **CE_TOL)


def test_cross_entropy_is_stable_for_large_logits(dtype: str) -> None:
    logits = data((8, 5), dtype, 11) * 200  # exp would overflow without the max shift
    target = np.arange(8) % 5
    got = rt.cross_entropy(logits, target).item()
    assert np.isfinite(got)
    np.testing.assert_allclose(got, cross_entropy_ref(logits, target), **CE_TOL)


@pytest.mark.parametrize(
    "make_target",
    [
        lambda t: t,
        lambda t: t.astype(np.int32),
        lambda t: t.astype(np.uint8),
        lambda t: t.astype(np.uint64),
        lambda t: t.tolist(),
        lambda t: tuple(t.tolist()),
        lambda t: np.repeat(t, 2)[::2],  # a strided view
        lambda t: t[::-1][::-1],
    ],
    ids=["int64", "int32", "uint8", "uint64", "list", "tuple", "strided", "reversed-twice"],
)
def test_cross_entropy_target_forms(make_target: Callable[[np.ndarray], object]) -> None:
    logits = data((6, 4), "float64", 12)
    target = np.array([0, 3, 1, 2, 3, 0])
    expected = cross_entropy_ref(logits, target)
    np.testing.assert_allclose(
        rt.cross_entropy(logits, make_target(target)).item(), expected, **CE_TOL
    )


def test_cross_entropy_of_a_view_and_in_an_expression(dtype: str) -> None:
    base = data((5, 7), dtype, 13)
    target = np.array([1, 0, 4, 4, 2, 3, 0])
    t = rt.from_numpy(base)
    np.testing.assert_allclose(
        rt.cross_entropy(t.T, target).item(), cross_entropy_ref(base.T, target), **CE_TOL
    )
    np.testing.assert_allclose(
        rt.cross_entropy(t.T[::-1] * 0.5, target).item(),
        cross_entropy_ref(base.T[::-1] * 0.5, target),
        **CE_TOL,
    )


def test_cross_entropy_plan_has_at_most_two_kernels(dtype: str) -> None:
    logits = rt.tensor(data((64, 10), dtype, 14))
    loss = rt.cross_entropy(logits, np.arange(64) % 10)
    assert 1 <= kernels(loss) <= 2, loss.explain()


def test_cross_entropy_errors() -> None:
    logits = rt.tensor(np.zeros((4, 3)))
    with pytest.raises(TypeError, match="integer class indices"):
        rt.cross_entropy(logits, rt.tensor([0.0, 1.0, 2.0, 0.0]))  # type: ignore[arg-type]
    # An int64 tensor of class indices works like the array.
    want = rt.cross_entropy(logits, np.array([0, 1, 2, 0])).item()
    assert rt.cross_entropy(logits, rt.tensor([0, 1, 2, 0])).item() == want  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="integer class indices"):
        rt.cross_entropy(logits, np.array([0.0, 1.0, 2.0, 0.0]))
    with pytest.raises(TypeError, match="integer class indices"):
        rt.cross_entropy(logits, [True, False, True, False])
    with pytest.raises(IndexError, match=re.escape("target[1] = -1")):
        rt.cross_entropy(logits, [0, -1, 2, 0])
    with pytest.raises(IndexError, match=re.escape("target[3] = -100")):
        rt.cross_entropy(logits, np.array([0, 1, 2, -100]), ignore_index=-1)
    with pytest.raises(IndexError, match=re.escape("target[2] = 3")):
        rt.cross_entropy(logits, [0, 1, 3, 0])
    with pytest.raises(IndexError, match=re.escape(f"target[0] = {2**64 - 1}")):
        rt.cross_entropy(logits, np.array([2**64 - 1, 0, 0, 0], dtype=np.uint64))
    with pytest.raises(ValueError, match="1-D"):
        rt.cross_entropy(logits, [[0, 1, 2, 0]])
    with pytest.raises(ValueError, match="1-D"):
        rt.cross_entropy(logits, 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="targets for 4 rows"):
        rt.cross_entropy(logits, [0, 1])
    with pytest.raises(ValueError, match=r"logits \[n, classes\]"):
        rt.cross_entropy(np.zeros(3), [0])
