"""int32, int64 and bool tensors against NumPy: arithmetic that wraps, // and % with Python's
signs, comparisons, where, logical and bitwise ops, casts, reductions, argmax/argmin, and the
PyTorch promotion rules (docs/dtypes.md)."""

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import rusttorch as rt
from hypothesis import given, settings
from hypothesis import strategies as st

I32 = np.iinfo(np.int32)
I64 = np.iinfo(np.int64)
INT_DTYPES = [np.int32, np.int64]


def ints(dtype: Any, n: int = 37, seed: int = 0, lo: int = -50, hi: int = 50) -> np.ndarray:
    return np.random.default_rng(seed).integers(lo, hi, n).astype(dtype)


def check(got: rt.Tensor, want: np.ndarray) -> None:
    """Same dtype and exactly the same values (ints and bools have no rounding)."""
    arr = got.numpy()
    assert arr.dtype == want.dtype, (arr.dtype, want.dtype)
    np.testing.assert_array_equal(arr, want)


# ---------------------------------------------------------------------- arithmetic


@pytest.mark.parametrize("dtype", INT_DTYPES)
@pytest.mark.parametrize(
    "op",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a * b,
        lambda a, b: a // b,
        lambda a, b: a % b,
        lambda a, b: a & b,
        lambda a, b: a | b,
        lambda a, b: a ^ b,
    ],
    ids=["add", "sub", "mul", "floordiv", "mod", "and", "or", "xor"],
)
def test_int_binary_ops_match_numpy(dtype: Any, op: Callable[[Any, Any], Any]) -> None:
    a, b = ints(dtype, seed=1), ints(dtype, seed=2)
    b[::5] = 0  # integer // 0 and % 0 are 0, as NumPy
    with np.errstate(all="ignore"):
        want = op(a, b)
        check(op(rt.tensor(a), rt.tensor(b)), want)
        check(op(rt.tensor(a), 7), op(a, dtype(7)))
        check(op(-7, rt.tensor(b)), op(dtype(-7), b))


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_int_overflow_wraps_like_numpy(dtype: Any) -> None:
    info = np.iinfo(dtype)
    a = np.array([info.max, info.min, info.max, -1, info.min], dtype=dtype)
    b = np.array([1, -1, info.max, info.min, -1], dtype=dtype)
    t, u = rt.tensor(a), rt.tensor(b)
    with np.errstate(all="ignore"):
        check(t + u, a + b)
        check(t - u, a - b)
        check(t * u, a * b)
        check(-t, -a)
        check(abs(t), np.abs(a))
        check(t // u, a // b)  # MIN // -1 wraps to MIN
        check(t % u, a % b)
        check(t**2, a**2)


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_int_unary_ops(dtype: Any) -> None:
    a = ints(dtype, seed=3)
    t = rt.tensor(a)
    check(~t, ~a)
    check(t.relu(), np.maximum(a, 0).astype(dtype))
    check(t.square(), a * a)
    check(t.maximum(3), np.maximum(a, dtype(3)))
    check(t.floor(), a)
    check(t.round(), a)
    np.testing.assert_allclose(t.exp().numpy(), np.exp(a.astype(np.float64)), rtol=1e-6)
    assert t.sqrt().dtype is rt.float32, "float-valued math turns ints into float32"


def test_true_division_of_ints_gives_float32() -> None:
    a, b = np.array([1, 7, -7, 0], dtype=np.int64), np.array([2, 2, 2, 0], dtype=np.int64)
    got = rt.tensor(a) / rt.tensor(b)
    assert got.dtype is rt.float32
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(got.numpy(), (a / b).astype(np.float32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_floordiv_and_mod_follow_python(dtype: Any) -> None:
    a = np.array([7.5, -7.5, 7.5, -7.5, 1.0, 5.0, -0.0, 3.0], dtype=dtype)
    b = np.array([2.0, 2.0, -2.0, -2.0, 0.1, 0.0, 3.0, np.inf], dtype=dtype)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal((rt.tensor(a) // rt.tensor(b)).numpy(), a // b)
        np.testing.assert_array_equal((rt.tensor(a) % rt.tensor(b)).numpy(), a % b)


# ---------------------------------------------------------------------- comparisons, where


@pytest.mark.parametrize(
    "op",
    [
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
        lambda a, b: a == b,
        lambda a, b: a != b,
    ],
    ids=["lt", "le", "gt", "ge", "eq", "ne"],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
def test_comparisons_give_bool(op: Callable[[Any, Any], Any], dtype: Any) -> None:
    a, b = ints(dtype, seed=4, lo=-3, hi=3), ints(dtype, seed=5, lo=-3, hi=3)
    if np.dtype(dtype).kind == "f":
        a[::7] = np.nan
    check(op(rt.tensor(a), rt.tensor(b)), op(a, b))
    check(op(rt.tensor(a), 1), op(a, dtype(1)))
    check(op(rt.tensor(a), rt.tensor(b[:1])), op(a, b[:1]))


def test_comparison_of_int_with_float_promotes() -> None:
    a = np.arange(-3, 4, dtype=np.int32)
    check(rt.tensor(a) < 0.5, a < 0.5)
    check(rt.tensor(a) == np.float32(1.0), a == 1.0)


def test_where_fuses_with_its_comparison() -> None:
    x = np.random.default_rng(0).standard_normal(1000).astype(np.float32)
    t = rt.from_numpy(x)
    y = rt.where(t > 0, t, t * 0.1)
    assert "total: 1 kernel," in y.explain(), y.explain()
    np.testing.assert_allclose(y.numpy(), np.where(x > 0, x, x * np.float32(0.1)), rtol=1e-6)
    np.testing.assert_array_equal(t.where(t < 0, 0.0).numpy(), np.where(x < 0, x, 0.0))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (np.arange(6, dtype=np.int64).reshape(2, 3), np.float32(-1.5)),
        (np.arange(3, dtype=np.int32), np.arange(6, dtype=np.int64).reshape(2, 3)),
        (np.ones(3, dtype=np.float64), np.zeros((2, 1), dtype=np.float32)),
    ],
)
def test_where_broadcasts_and_promotes(a: np.ndarray, b: Any) -> None:
    cond = np.array([True, False, True])
    got = rt.where(rt.tensor(cond), rt.tensor(a), b)
    want = np.where(cond, a, b)
    np.testing.assert_array_equal(got.numpy(), want)
    assert got.shape == want.shape


def test_where_with_a_non_bool_condition_means_nonzero() -> None:
    c = np.array([0, 2, -1, 0])
    np.testing.assert_array_equal(rt.where(c, 1.0, 0.0).numpy(), np.where(c, 1.0, 0.0))


# ---------------------------------------------------------------------- logical


def test_logical_and_bitwise_on_bools() -> None:
    p = np.array([True, True, False, False])
    q = np.array([True, False, True, False])
    tp, tq = rt.tensor(p), rt.tensor(q)
    check(tp & tq, p & q)
    check(tp | tq, p | q)
    check(tp ^ tq, p ^ q)
    check(~tp, ~p)
    check(tp & True, p & True)
    check(
        rt.logical_and(np.array([0.0, 2.0, np.nan, 0.0]), q), np.logical_and([0, 2, np.nan, 0], q)
    )
    check(rt.logical_not(rt.tensor([0, 3])), np.array([True, False]))
    check(rt.tensor([1.5, 0.0]).logical_or(0), np.array([True, False]))


def test_bool_arithmetic_follows_pytorch() -> None:
    p = rt.tensor([True, False, True])
    q = rt.tensor([True, True, False])
    check(p + q, np.array([True, True, True]))  # logical or
    check(p * q, np.array([True, False, False]))  # logical and
    with pytest.raises(TypeError):
        p - q
    with pytest.raises(TypeError):
        p.neg()
    check(p + 1, np.array([2, 1, 2]))  # an int scalar makes it int64


def test_bitwise_ops_on_floats_are_type_errors() -> None:
    with pytest.raises(TypeError, match="float32"):
        rt.ones(2) | rt.ones(2)
    with pytest.raises(TypeError):
        ~rt.ones(2)


def test_isnan_isinf_isfinite() -> None:
    x = np.array([1.0, np.nan, np.inf, -np.inf, 0.0], dtype=np.float32)
    t = rt.tensor(x)
    check(t.isnan(), np.isnan(x))
    check(rt.isinf(t), np.isinf(x))
    check(rt.isfinite(t), np.isfinite(x))
    check(rt.isnan(rt.tensor([1, 2])), np.array([False, False]))


# ---------------------------------------------------------------------- casts


def test_casts_between_every_dtype() -> None:
    x = np.array([-2.7, -0.5, 0.0, 0.5, 2.7, 100.0], dtype=np.float32)
    for d in ["float32", "float64", "int32", "int64", "bool"]:
        got = rt.tensor(x).to(d)
        assert got.dtype == d
        np.testing.assert_array_equal(got.numpy(), x.astype(d))
        back = got.astype(np.float64).numpy()
        np.testing.assert_array_equal(back, x.astype(d).astype(np.float64))


def test_float_to_int_casts_of_nan_and_inf_are_defined() -> None:
    x = rt.tensor([np.nan, np.inf, -np.inf, 3e10, -3e10], dtype="float64")
    assert x.int().tolist() == [0, I32.max, I32.min, I32.max, I32.min]
    assert x.long().tolist() == [0, I64.max, I64.min, 30_000_000_000, -30_000_000_000]
    assert x.bool().tolist() == [True, True, True, True, True]


def test_int64_to_int32_wraps() -> None:
    a = np.array([2**40 + 5, -1, 2**31], dtype=np.int64)
    check(rt.tensor(a).int(), a.astype(np.int32))


# ---------------------------------------------------------------------- reductions


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.bool_])
@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1)])
def test_sum_of_ints_and_bools_is_int64(dtype: Any, dim: Any) -> None:
    a = ints(np.int64, 60, seed=6).reshape(6, 10).astype(dtype)
    got = rt.tensor(a).sum(dim=dim)
    assert got.dtype is rt.int64
    want = np.sum(a, axis=dim, dtype=np.int64)
    np.testing.assert_array_equal(got.numpy(), want)


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.bool_])
def test_max_min_keep_the_dtype(dtype: Any) -> None:
    a = ints(np.int64, 60, seed=7).reshape(6, 10).astype(dtype)
    for dim in [None, 0, 1]:
        check(rt.tensor(a).amax(dim=dim), np.max(a, axis=dim))
        check(rt.tensor(a).amin(dim=dim), np.min(a, axis=dim))


def test_sum_is_exact_beyond_float_precision() -> None:
    a = np.array([2**60, 1, 2**60, 1, -3], dtype=np.int64)
    assert rt.tensor(a).sum().item() == int(a.sum())
    big = np.full(1 << 20, 2**40 + 1, dtype=np.int64)
    assert rt.tensor(big).sum().item() == int(big.sum())


def test_mean_of_ints_is_an_error_as_in_pytorch() -> None:
    with pytest.raises(TypeError, match="mean"):
        rt.tensor([1, 2, 3]).mean()
    assert rt.tensor([1, 2, 3]).float().mean().item() == 2.0


def test_counting_with_a_comparison() -> None:
    x = np.random.default_rng(1).standard_normal(100_000).astype(np.float32)
    assert (rt.from_numpy(x) > 0.5).sum().item() == int((x > 0.5).sum())


@pytest.mark.parametrize("fn", ["argmax", "argmin"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64, np.bool_])
def test_argmax_argmin_match_numpy(fn: str, dtype: Any) -> None:
    a = ints(np.int64, 120, seed=8, lo=-4, hi=4).reshape(4, 5, 6).astype(dtype)
    t = rt.tensor(a)
    for dim in [None, 0, 1, 2, -1]:
        got = getattr(t, fn)(dim=dim)
        assert got.dtype is rt.int64
        np.testing.assert_array_equal(got.numpy(), getattr(np, fn)(a, axis=dim))
    kept = getattr(rt, fn)(t, dim=1, keepdim=True)
    np.testing.assert_array_equal(kept.numpy(), getattr(np, fn)(a, axis=1, keepdims=True))


def test_argmax_of_nan_and_of_views() -> None:
    x = np.array([[1.0, np.nan, 3.0, np.nan], [2.0, 5.0, 5.0, 1.0]], dtype=np.float32)
    t = rt.tensor(x)
    np.testing.assert_array_equal(t.argmax(dim=1).numpy(), np.argmax(x, axis=1))
    np.testing.assert_array_equal(t.argmin(dim=1).numpy(), np.argmin(x, axis=1))
    np.testing.assert_array_equal(t.T.argmax(dim=0).numpy(), np.argmax(x.T, axis=0))
    np.testing.assert_array_equal(t[:, ::-1].argmax(dim=1).numpy(), np.argmax(x[:, ::-1], axis=1))
    with pytest.raises(ValueError, match="empty"):
        rt.zeros((0, 3)).argmax(dim=0)
    with pytest.raises(IndexError):
        t.argmax(dim=2)


# ---------------------------------------------------------------------- promotion


@pytest.mark.parametrize(
    ("a", "b", "want"),
    [
        ("int32", "int64", "int64"),
        ("int64", "float32", "float32"),
        ("int32", "float64", "float64"),
        ("bool", "int32", "int32"),
        ("bool", "float32", "float32"),
        ("float32", "float64", "float64"),
    ],
)
def test_tensor_tensor_promotion_follows_pytorch(a: str, b: str, want: str) -> None:
    x, y = rt.ones(2, dtype=a), rt.ones(2, dtype=b)
    assert (x + y).dtype == want
    assert (y * x).dtype == want
    assert rt.maximum(x, y).dtype == want


@pytest.mark.parametrize(
    ("dtype", "scalar", "want"),
    [
        ("int32", 1, "int32"),
        ("int32", 1.5, "float32"),
        ("int64", True, "int64"),
        ("bool", 1, "int64"),
        ("bool", 1.0, "float32"),
        ("float64", 1, "float64"),
        ("float32", np.float64(2.0), "float32"),
        ("int32", np.int64(3), "int32"),
    ],
)
def test_scalars_are_weak(dtype: str, scalar: Any, want: str) -> None:
    t = rt.ones(3, dtype=dtype)
    assert (t + scalar).dtype == want
    assert (scalar + t).dtype == want


def test_clamp_with_float_bounds_makes_ints_float() -> None:
    a = np.arange(-3, 4, dtype=np.int32)
    check(rt.tensor(a).clamp(-1, 2), np.clip(a, -1, 2))
    got = rt.tensor(a).clamp(min=-0.5)
    assert got.dtype is rt.float32
    np.testing.assert_array_equal(got.numpy(), np.maximum(a, -0.5).astype(np.float32))


# ---------------------------------------------------------------------- creation, views, items


def test_creation_infers_int_and_bool_dtypes() -> None:
    assert rt.arange(5).dtype is rt.int64
    assert rt.arange(0, 5, 0.5).dtype is rt.float32
    assert rt.arange(5.0).dtype is rt.float32
    assert rt.full((2,), 7).dtype is rt.int64
    assert rt.full((2,), True).dtype is rt.bool
    assert rt.full((2,), 7.0).dtype is rt.float32
    np.testing.assert_array_equal(rt.arange(2, 11, 3).numpy(), np.arange(2, 11, 3))
    assert rt.int is rt.int32
    assert rt.long is rt.int64
    assert rt.double is rt.float64


def test_items_and_lists_have_python_types() -> None:
    assert rt.tensor([5]).sum().item() == 5
    assert isinstance(rt.tensor([5]).sum().item(), int)
    assert rt.tensor([1.0]).item() == 1.0
    assert (rt.tensor([1]) > 0).item() is True
    assert rt.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert list(range(rt.tensor(3))) == [0, 1, 2]
    assert int(rt.tensor([7])) == 7


def test_views_of_int_tensors() -> None:
    a = np.arange(24, dtype=np.int64).reshape(2, 3, 4)
    t = rt.from_numpy(a)
    check(t.transpose(0, 2) * 2, a.transpose(2, 1, 0) * 2)
    check(t[:, ::-1, 1::2] + 1, a[:, ::-1, 1::2] + 1)
    check(t.permute(1, 0, 2)[..., None].squeeze(-1) % 5, a.transpose(1, 0, 2) % 5)
    check(rt.cat([t, t], dim=1), np.concatenate([a, a], axis=1))
    check(rt.stack([t > 3, t < 10]), np.stack([a > 3, a < 10]))
    check(t.reshape(6, 4).T.sum(dim=1), a.reshape(6, 4).T.sum(axis=1))


def test_int_plus_float_broadcasting() -> None:
    a = np.arange(6, dtype=np.int32).reshape(2, 3)
    b = np.array([0.5, 1.5, 2.5], dtype=np.float32)
    got = rt.tensor(a) + rt.tensor(b)
    assert got.dtype is rt.float32
    np.testing.assert_array_equal(got.numpy(), a + b)


def test_in_place_ops_keep_the_int_dtype() -> None:
    t = rt.tensor([1, 2, 3])
    t += 2
    t *= 3
    assert t.dtype is rt.int64
    assert t.tolist() == [9, 12, 15]


# ---------------------------------------------------------------------- random expressions


def int_expr(depth: int) -> st.SearchStrategy[Any]:
    leaf = st.sampled_from(["a", "b", "c"])
    if depth == 0:
        return leaf
    sub = int_expr(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(
            st.sampled_from(["+", "-", "*", "//", "%", "&", "|", "^", "max", "min"]), sub, sub
        ),
        st.tuples(st.sampled_from(["neg", "abs", "~"]), sub),
        st.tuples(st.just("where"), st.sampled_from(["<", ">=", "=="]), sub, sub, sub, sub),
    )


BIN: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda x, y: x + y,
    "-": lambda x, y: x - y,
    "*": lambda x, y: x * y,
    "//": lambda x, y: x // y,
    "%": lambda x, y: x % y,
    "&": lambda x, y: x & y,
    "|": lambda x, y: x | y,
    "^": lambda x, y: x ^ y,
    "<": lambda x, y: x < y,
    ">=": lambda x, y: x >= y,
    "==": lambda x, y: x == y,
}


def evaluate(e: Any, env: dict[str, Any], lib: Any) -> Any:
    if isinstance(e, str):
        return env[e]
    op = e[0]
    if op == "where":
        _, cmp, p, q, x, y = e
        args = [evaluate(s, env, lib) for s in (p, q, x, y)]
        return lib.where(BIN[cmp](args[0], args[1]), args[2], args[3])
    args = [evaluate(s, env, lib) for s in e[1:]]
    if op == "neg":
        return -args[0]
    if op == "abs":
        return abs(args[0])
    if op == "~":
        return ~args[0]
    if op == "max":
        return lib.maximum(*args)
    if op == "min":
        return lib.minimum(*args)
    return BIN[op](*args)


@settings(max_examples=150, deadline=None)
@given(
    e=int_expr(4),
    dtype=st.sampled_from(INT_DTYPES),
    seed=st.integers(0, 2**16),
    shape=st.sampled_from([(7,), (3, 5), (1,), ()]),
)
def test_random_int_expressions_match_numpy(e: Any, dtype: Any, seed: int, shape: Any) -> None:
    rng = np.random.default_rng(seed)
    env_np = {k: rng.integers(-20, 20, shape).astype(dtype) for k in "abc"}
    env_np["c"] = np.asarray(env_np["c"]).reshape(shape)[..., :1] if shape else env_np["c"]
    with np.errstate(all="ignore"):
        want = np.asarray(evaluate(e, env_np, np))
    env_rt = {k: rt.tensor(v) for k, v in env_np.items()}
    got = evaluate(e, env_rt, rt)
    if not isinstance(got, rt.Tensor):
        got = rt.tensor(np.asarray(got))
    for fuse in (True, False):
        fresh = evaluate(e, {k: rt.tensor(v) for k, v in env_np.items()}, rt)
        if isinstance(fresh, rt.Tensor):
            fresh.eval(fuse=fuse)
            np.testing.assert_array_equal(fresh.numpy(), want)
    arr = got.numpy()
    assert arr.dtype == want.dtype, (arr.dtype, want.dtype, e)
    np.testing.assert_array_equal(arr, want)
