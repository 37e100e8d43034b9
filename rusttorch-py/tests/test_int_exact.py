"""Integers stay exact and never wrap silently on the way in (docs/dtypes.md): int64 ``arange``
with exact lengths and values, ``OverflowError`` for Python ints outside int64 on every entry
path, exact int scalars beyond 2**53 in every op, one cast rule for NaN/inf to int whatever the
path, and in-place ops that raise instead of truncating to the tensor's dtype."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import rusttorch as rt
from hypothesis import given, settings
from hypothesis import strategies as st

I64_MIN, I64_MAX = -(2**63), 2**63 - 1


def check(got: rt.Tensor, want: np.ndarray) -> None:
    """Same dtype and exactly the same values."""
    arr = got.numpy()
    assert arr.dtype == want.dtype, (arr.dtype, want.dtype)
    np.testing.assert_array_equal(arr, want)


def eager(t: rt.Tensor) -> rt.Tensor:
    return t.eval(fuse=False)


# ---------------------------------------------------------------------- arange


@pytest.mark.parametrize(
    ("start", "stop", "step"),
    [
        (2**53, 2**53 + 5, 1),
        (10**17, 10**17 + 5, 1),
        (10**17 + 5, 10**17, -1),
        (2**62, -(2**62), -(2**61) - 1),
        (I64_MAX - 4, I64_MAX, 1),
        (I64_MIN, I64_MIN + 10, 3),
        (I64_MIN, I64_MAX, 2**62),
        (I64_MAX, I64_MIN, -(2**61) - 3),
        (I64_MAX, I64_MAX, 1),
        (-5, 5, -1),
    ],
)
@pytest.mark.parametrize("fuse", [True, False])
def test_int_arange_is_exact(start: int, stop: int, step: int, fuse: bool) -> None:
    want = np.array(list(range(start, stop, step)), dtype=np.int64)
    t = rt.arange(start, stop, step).eval(fuse=fuse)
    assert t.dtype == rt.int64
    check(t, want)
    # Rounded once from the exact value, as np.array(range) rounds.
    check(rt.arange(start, stop, step, dtype=rt.float64).eval(fuse=fuse), want.astype(np.float64))


def test_int_arange_one_and_two_arguments_and_numpy_ints() -> None:
    check(rt.arange(5), np.arange(5, dtype=np.int64))
    check(
        rt.arange(np.int64(2**62), np.int64(2**62 + 3)), np.arange(2**62, 2**62 + 3, dtype=np.int64)
    )
    check(rt.arange(3, dtype=rt.int32), np.arange(3, dtype=np.int32))
    big = rt.arange(2**62, 2**62 + 4, 1)
    assert big.numpy().tolist() == [2**62, 2**62 + 1, 2**62 + 2, 2**62 + 3]


@settings(max_examples=200, deadline=None)
@given(
    start=st.integers(I64_MIN, I64_MAX),
    stop=st.integers(I64_MIN, I64_MAX),
    parts=st.integers(1, 300),
    down=st.booleans(),
)
def test_int_arange_matches_range(start: int, stop: int, parts: int, down: bool) -> None:
    step = min(max(1, abs(stop - start) // parts), I64_MAX) * (-1 if down else 1)
    want = list(range(start, stop, step))
    t = rt.arange(start, stop, step)
    assert t.shape == (len(want),)
    assert t.numpy().tolist() == want


def test_float_arange_keeps_the_float64_length() -> None:
    # As PyTorch: ceil((stop - start) / step) in double.
    assert rt.arange(0, 1, 0.1).shape == (10,)
    assert rt.arange(1.0, 0.0, -0.25).shape == (4,)
    np.testing.assert_allclose(rt.arange(0.5, 3).numpy(), [0.5, 1.5, 2.5])
    with pytest.raises(ValueError, match="non-zero step"):
        rt.arange(0, 5, 0)


# ---------------------------------------------------------------------- OverflowError

BIG_INTS = [2**63, -(2**63) - 1, 2**64, 10**30]


@pytest.mark.parametrize("v", BIG_INTS)
@pytest.mark.parametrize(
    "make",
    [
        lambda v: rt.tensor([v]),
        lambda v: rt.tensor(v),
        lambda v: rt.tensor([[1, 2], [3, v]]),
        lambda v: rt.tensor((1, v)),
        lambda v: rt.tensor([v, -1]),  # NumPy would make this float64
        lambda v: rt.tensor([v, 1.5]),
        lambda v: rt.tensor([v], dtype=rt.float64),
        lambda v: rt.tensor([v], dtype=rt.int32),
        lambda v: rt.full((2,), v),
        lambda v: rt.full((2,), v, dtype=rt.float32),
        lambda v: rt.arange(v),
        lambda v: rt.arange(0, v),
        lambda v: rt.arange(0, 10, v),
        lambda v: rt.arange(0.5, v),
        lambda v: rt.cat([rt.tensor([1]), [v]]),
    ],
    ids=[
        "tensor",
        "tensor-scalar",
        "tensor-nested",
        "tensor-tuple",
        "tensor-mixed-sign",
        "tensor-with-float",
        "tensor-dtype-float",
        "tensor-dtype-int32",
        "full",
        "full-float",
        "arange-1",
        "arange-stop",
        "arange-step",
        "arange-float-start",
        "cat-list",
    ],
)
def test_creation_refuses_ints_outside_int64(make: Callable[[int], object], v: int) -> None:
    with pytest.raises(OverflowError, match=f"{v} is out of the range of int64"):
        make(v)


SCALAR_OPS: list[tuple[str, Callable[[rt.Tensor, int], object]]] = [
    ("add", lambda t, v: t + v),
    ("radd", lambda t, v: v + t),
    ("sub", lambda t, v: t - v),
    ("rsub", lambda t, v: v - t),
    ("mul", lambda t, v: t * v),
    ("div", lambda t, v: t / v),
    ("rdiv", lambda t, v: v / t),
    ("floordiv", lambda t, v: t // v),
    ("mod", lambda t, v: t % v),
    ("pow", lambda t, v: t**v),
    ("rpow", lambda t, v: v**t),
    ("lt", lambda t, v: t < v),
    ("rgt", lambda t, v: v > t),
    ("eq", lambda t, v: t == v),
    ("ne", lambda t, v: t != v),
    ("and", lambda t, v: t & v),
    ("maximum", lambda t, v: rt.maximum(t, v)),
    ("minimum-method", lambda t, v: t.minimum(v)),
    ("pow-fn", lambda t, v: rt.pow(t, v)),
    ("clamp-min", lambda t, v: t.clamp(v)),
    ("clamp-max", lambda t, v: rt.clamp(t, max=v)),
    ("where-other", lambda t, v: rt.where(t > 0, t, v)),
    ("where-input", lambda t, v: rt.where(t > 0, v, t)),
    ("where-method", lambda t, v: t.where(t > 0, v)),
    ("logical_and", lambda t, v: t.logical_and(v)),
    ("iadd", lambda t, v: operator.iadd(t, v)),
    ("add_", lambda t, v: t.add_(v)),
    ("mul_", lambda t, v: t.mul_(v)),
    ("numpy-uint64", lambda t, v: t + np.uint64(2**64 - 1)),
]


@pytest.mark.parametrize("dtype", ["int64", "int32", "float32", "bool"])
@pytest.mark.parametrize("op", [op for _, op in SCALAR_OPS], ids=[n for n, _ in SCALAR_OPS])
def test_operands_refuse_ints_outside_int64(
    op: Callable[[rt.Tensor, int], object], dtype: str
) -> None:
    t = rt.tensor(np.array([1, 2, 3]), dtype=dtype)
    with pytest.raises(OverflowError, match="out of the range of int64"):
        op(t, 2**64)
    np.testing.assert_array_equal(t.numpy(), np.array([1, 2, 3]).astype(dtype))


def test_the_limits_themselves_are_accepted() -> None:
    check(rt.tensor([I64_MIN, I64_MAX]), np.array([I64_MIN, I64_MAX], dtype=np.int64))
    check(rt.full((1,), I64_MAX), np.array([I64_MAX], dtype=np.int64))
    check(rt.tensor([I64_MAX]) - I64_MAX, np.array([0], dtype=np.int64))
    check(rt.tensor([0]) + I64_MIN, np.array([I64_MIN], dtype=np.int64))


# ---------------------------------------------------------------------- exact int scalars

INT_SCALAR_OPS: list[tuple[str, Callable[[Any, Any], Any]]] = [
    ("add", operator.add),
    ("sub", operator.sub),
    ("mul", operator.mul),
    ("floordiv", operator.floordiv),
    ("mod", operator.mod),
    ("lt", operator.lt),
    ("ge", operator.ge),
    ("eq", operator.eq),
    ("maximum", np.maximum),
    ("minimum", np.minimum),
]
BIG_SCALARS = [2**60 + 1, 2**53 + 1, -(2**62) - 3, I64_MAX, I64_MIN + 1, 2**40 + 5, -7]


def rt_op(name: str, f: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    return {"maximum": rt.maximum, "minimum": rt.minimum}.get(name, f)


@pytest.mark.parametrize("fuse", [True, False])
@pytest.mark.parametrize("c", BIG_SCALARS)
@pytest.mark.parametrize("name", [n for n, _ in INT_SCALAR_OPS])
def test_int64_scalars_are_exact(name: str, c: int, fuse: bool) -> None:
    f = dict(INT_SCALAR_OPS)[name]
    g = rt_op(name, f)
    a = np.array([2**62, -(2**62) + 7, 2**53 + 3, I64_MAX, I64_MIN, 0, -1, 12345], dtype=np.int64)
    cn = np.array(c, dtype=np.int64)
    with np.errstate(all="ignore"):
        check(g(rt.tensor(a), c).eval(fuse=fuse), f(a, cn))
        nz = np.where(a == 0, 1, a)  # the reflected // and %: no zero divisors (NumPy warns)
        check(g(c, rt.tensor(nz)).eval(fuse=fuse), f(cn, nz))


def test_the_issue_example() -> None:
    assert (rt.tensor([2**62]) // (2**60 + 1)).item() == 3
    assert (rt.tensor([2**62]) // np.int64(2**60 + 1)).item() == 3
    assert (rt.tensor([2**53]) + 1).item() == 2**53 + 1
    assert (rt.full((1,), 2**53 + 1) - 2**53).item() == 1
    assert rt.full((1,), 2**62 + 1).item() == 2**62 + 1


@pytest.mark.parametrize("c", [2**40 + 5, -(2**33) - 1, 2**62 + 1, 2**31])
@pytest.mark.parametrize("name", ["add", "sub", "mul", "floordiv", "mod", "lt", "eq"])
def test_int32_tensors_wrap_int_scalars_to_int32_as_torch(name: str, c: int) -> None:
    # PyTorch converts the scalar to the tensor's dtype (int32), so the result is int32 and the
    # scalar wraps; documented in docs/dtypes.md.
    f = dict(INT_SCALAR_OPS)[name]
    a = np.array([7, -9, 2**31 - 1, -(2**31), 0], dtype=np.int32)
    wrapped = np.array(c, dtype=np.int64).astype(np.int32)
    with np.errstate(all="ignore"):
        want = f(a, wrapped)
    got = f(rt.tensor(a), c)
    check(got, want.astype(np.int32) if want.dtype != np.bool_ else want)


def test_constant_only_graphs_are_exact() -> None:
    big = 2**62 + 1
    # Comparisons and casts of constants fold without going through float64.
    assert (rt.full((1,), big) > rt.full((1,), big - 1)).item() is True
    assert (rt.full((1,), big) == rt.full((1,), big - 1)).item() is False
    assert rt.full((2, 2), big + 6).reshape(4).int().numpy().tolist() == [7] * 4
    assert (rt.full((3,), big) + 1).numpy().tolist() == [big + 1] * 3
    w = rt.where(rt.tensor([True, False]), rt.full((), big), rt.full((), big - 1))
    assert w.numpy().tolist() == [big, big - 1]


@settings(max_examples=150, deadline=None)
@given(
    a=st.lists(st.integers(I64_MIN, I64_MAX), min_size=1, max_size=20),
    c=st.integers(I64_MIN, I64_MAX),
    name=st.sampled_from([n for n, _ in INT_SCALAR_OPS]),
    fuse=st.booleans(),
)
def test_int64_scalar_ops_match_numpy(a: list[int], c: int, name: str, fuse: bool) -> None:
    f = dict(INT_SCALAR_OPS)[name]
    x = np.array(a, dtype=np.int64)
    with np.errstate(all="ignore"):
        want = f(x, np.array(c, dtype=np.int64))
    if c == 0 and name in ("floordiv", "mod"):
        want = np.zeros_like(x)  # integer x // 0 and x % 0 are 0 (docs/dtypes.md)
    check(rt_op(name, f)(rt.tensor(x), c).eval(fuse=fuse), want)


# ---------------------------------------------------------------------- one cast rule

SPECIAL = [np.nan, np.inf, -np.inf, 3e10, -3e10, 2.7, -2.7, 1e19, -0.0, 0.5]


def documented_cast(values: np.ndarray, dtype: str) -> np.ndarray:
    """docs/dtypes.md: truncate toward zero, saturate, NaN to 0; to bool, != 0 (NaN is true)."""
    if dtype == "bool":
        return np.array([v != 0 for v in values], dtype=np.bool_)
    info = np.iinfo(dtype)
    out = [0 if np.isnan(v) else int(max(min(v, info.max), info.min)) for v in values]
    return np.array(out, dtype=dtype)


@pytest.mark.parametrize("src", ["float64", "float32"])
@pytest.mark.parametrize("dtype", ["int32", "int64", "bool"])
def test_nan_and_inf_to_int_agree_on_every_path(dtype: str, src: str) -> None:
    values = np.array(SPECIAL, dtype=src)
    want = documented_cast(values.astype(np.float64), dtype)
    paths: dict[str, Callable[[], rt.Tensor]] = {
        "tensor(array, dtype=)": lambda: rt.tensor(values, dtype=dtype),
        "tensor(strided array, dtype=)": lambda: rt.tensor(np.repeat(values, 2)[::2], dtype=dtype),
        "from_numpy().to()": lambda: rt.from_numpy(values).to(dtype),
        "tensor().to() eager": lambda: eager(rt.tensor(values).to(dtype)),
        "astype": lambda: rt.tensor(values).astype(dtype),
        "tensor(tensor, dtype=)": lambda: rt.tensor(rt.tensor(values), dtype=dtype),
        "cast of a constant": lambda: rt.stack(
            [rt.full((), float(v), dtype=src).to(dtype) for v in values]
        ),
        "folded through a view": lambda: rt.stack(
            [rt.full((1,), float(v), dtype=src).reshape(()).to(dtype) for v in values]
        ),
    }
    if src == "float64":
        paths["tensor(list, dtype=)"] = lambda: rt.tensor(values.tolist(), dtype=dtype)
        paths["full(v, dtype=)"] = lambda: rt.cat(
            [rt.full((1,), float(v), dtype=dtype) for v in values]
        )
        paths["tensor(scalar, dtype=)"] = lambda: rt.stack(
            [rt.tensor(float(v), dtype=dtype) for v in values]
        )
        paths["int tensor + float tensor, cast back"] = lambda: (
            rt.tensor(values) + rt.zeros(len(values), dtype=rt.float64)
        ).to(dtype)
    for name, make in paths.items():
        got = make()
        assert got.dtype == dtype, name
        np.testing.assert_array_equal(got.numpy(), want, err_msg=name)


def test_int_data_to_float_and_int32_follow_the_same_rule() -> None:
    a = np.array([2**40 + 5, -1, 2**31, 2**62 + 1], dtype=np.int64)
    check(rt.tensor(a, dtype=rt.int32), a.astype(np.int32))  # wraps
    check(rt.tensor(a.tolist(), dtype=rt.int32), a.astype(np.int32))
    check(rt.tensor(a, dtype=rt.float32), a.astype(np.float32))  # rounds to nearest
    check(rt.tensor([True, False], dtype=rt.float64), np.array([1.0, 0.0]))


# ---------------------------------------------------------------------- in-place dtype rule

INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "add_": lambda t, v: t.add_(v),
    "sub_": lambda t, v: t.sub_(v),
    "mul_": lambda t, v: t.mul_(v),
    "div_": lambda t, v: t.div_(v),
}


def test_the_issue_examples() -> None:
    x = rt.tensor([1, 2])
    with pytest.raises(RuntimeError, match="result type float32 can't be cast to int64"):
        x += 0.5
    np.testing.assert_array_equal(x.numpy(), [1, 2])
    y = rt.tensor([3, 4])
    with pytest.raises(RuntimeError, match="result type float32 can't be cast to int64"):
        y /= 2
    np.testing.assert_array_equal(y.numpy(), [3, 4])


@pytest.mark.parametrize("name", list(INPLACE))
@pytest.mark.parametrize(
    ("dtype", "other", "result"),
    [
        ("int64", 0.5, "float32"),
        ("int32", 1.5, "float32"),
        ("int32", np.float64(2.5), "float32"),
        ("int64", np.array([0.5, 1.5]), "float64"),
        ("int32", rt.tensor([1.0, 2.0]), "float32"),
        ("bool", 2, "int64"),
        ("bool", np.array([1, 2], dtype=np.int32), "int32"),
        ("bool", 1.5, "float32"),
    ],
)
def test_inplace_ops_that_would_change_the_kind_raise(
    name: str, dtype: str, other: Any, result: str
) -> None:
    t = rt.tensor(np.array([3, 4]), dtype=dtype)
    alias = t
    want = np.array([3, 4]).astype(dtype)
    if name == "/=" or name == "div_":
        result = "float64" if result == "float64" else "float32"
    with pytest.raises((RuntimeError, TypeError)) as info:
        INPLACE[name](t, other)
    if info.type is TypeError:
        # `bool ** 2` lowers to `square`, which bools lack: refused before any cast.
        refused = ("bool", "**=", "pow is not supported for dtype bool")
        assert (dtype, name, str(info.value)) == refused
    else:
        assert str(info.value).startswith(f"{name}: result type {result} can't be cast to {dtype}")
    assert alias is t
    np.testing.assert_array_equal(t.numpy(), want)


@pytest.mark.parametrize(
    ("dtype", "op", "other"),
    [
        ("float32", operator.iadd, 3),
        ("float32", operator.imul, np.array([2, 3], dtype=np.int64)),
        ("float32", operator.iadd, np.array([0.5, 0.25], dtype=np.float64)),
        ("float64", operator.itruediv, 4),
        ("int64", operator.iadd, np.array([1, 2], dtype=np.int32)),
        ("int32", operator.iadd, np.array([2**40, 1], dtype=np.int64)),  # wraps, as NumPy
        ("int32", operator.imul, True),
        ("int64", operator.ifloordiv, 2),
        ("int64", operator.imod, 3),
        ("int32", operator.ipow, 2),
        ("int64", operator.iand, 6),
        ("int64", operator.ior, 8),
        ("int64", operator.ixor, np.array([1, 1], dtype=np.int64)),
        ("bool", operator.ior, np.array([False, True])),
        ("bool", operator.iand, True),
        ("bool", operator.iadd, True),
    ],
)
def test_allowed_inplace_ops_keep_dtype_and_match_numpy(
    dtype: str, op: Callable, other: Any
) -> None:
    base = np.array([5, 6]).astype(dtype)
    want = base.copy()
    with np.errstate(all="ignore"):
        want = op(want, other)  # NumPy's in-place "same_kind" casting: the same rule
    t = rt.tensor(base)
    alias = t
    t = op(t, other)
    assert t is alias
    check(t, want)


def test_allowed_integer_updates_still_donate_the_buffer() -> None:
    for dtype in [rt.int64, rt.int32]:
        t = (rt.arange(1 << 16, dtype=dtype) * 2).eval()
        first = int(t.numpy().__array_interface__["data"][0])
        t += 1
        t.eval()
        assert int(t.numpy().__array_interface__["data"][0]) == first
        t //= 1
        t.eval()
        assert int(t.numpy().__array_interface__["data"][0]) == first
        assert t.dtype == dtype
        np.testing.assert_array_equal(t.numpy()[:3], [1, 3, 5])


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("zeros", lambda: rt.zeros(2**63)),
        ("zeros", lambda: rt.zeros((2, 2**63))),
        ("ones", lambda: rt.ones(2, 2**64)),
        ("rand", lambda: rt.rand(-(2**63) - 1)),
        ("shape", lambda: rt.full((2**63,), 1.0)),
        ("reshape", lambda: rt.zeros(2).reshape(2**63)),
        ("permute", lambda: rt.zeros(2, 3).permute(0, 2**64)),
    ],
)
def test_sizes_and_dims_outside_int64_overflow(name: str, call: Callable[[], object]) -> None:
    pattern = rf"^{name}: the int -?\d+ is out of the range of int64"
    with pytest.raises(OverflowError, match=pattern):
        call()
