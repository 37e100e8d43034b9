"""NumPy's protocols on tensors: ufuncs, functions, dtypes and ``__array__`` against NumPy."""

import numpy as np
import pytest
import rusttorch as rt
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

DTYPES = ["float32", "float64", "int32", "int64", "bool"]
SHAPES = [(), (0,), (5,), (2, 3), (3, 1, 4)]


def kernels(t: rt.Tensor) -> int:
    return sum(line.startswith("kernel ") for line in t.explain().splitlines())


def data(shape: tuple[int, ...], dtype: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.asarray(rng.standard_normal(shape) * 4)  # 0-d: an array, not a NumPy scalar
    if dtype == "bool":
        return np.asarray(x > 0)
    if dtype.startswith("int"):
        return np.asarray(np.round(x).astype(dtype))
    x = x.astype(dtype)
    if x.size >= 3:
        x.flat[0], x.flat[1], x.flat[2] = np.nan, np.inf, -0.0
    return x


def check(r: object, want: object) -> None:
    """``r`` is a tensor equal to NumPy's ``want``, dtype and shape included."""
    assert isinstance(r, rt.Tensor), type(r)
    want = np.asarray(want)
    got = r.numpy()
    # NumPy's own dtype where RustTorch has it; else the one rt.tensor converts it to
    # (bool -> float16 loops of np.exp and the like).
    assert got.dtype == rt.tensor(want).numpy().dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape
    if want.dtype.kind == "f":
        tol = 1e-5 if want.dtype == np.float32 else 1e-12
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, want)


UNARY = [
    np.exp,
    np.sqrt,
    np.log1p,
    np.sin,
    np.tanh,
    np.negative,
    np.absolute,
    np.sign,
    np.floor,
    np.rint,
    np.isnan,
    np.isinf,
    np.isfinite,
    np.signbit,
    np.square,
    np.logical_not,
    np.invert,
    np.deg2rad,
    np.arctan,
    np.exp2,
    np.positive,
]


@pytest.mark.parametrize("ufunc", UNARY, ids=lambda u: u.__name__)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (2, 3)])
def test_unary_ufuncs_match_numpy(ufunc: np.ufunc, dtype: str, shape: tuple[int, ...]) -> None:
    x = data(shape, dtype)
    try:
        with np.errstate(all="ignore"):
            want = ufunc(x)
    except TypeError:
        with pytest.raises(TypeError):
            ufunc(rt.tensor(x))
        return
    check(ufunc(rt.tensor(x)), want)


BINARY = [
    np.add,
    np.subtract,
    np.multiply,
    np.divide,
    np.maximum,
    np.minimum,
    np.fmax,
    np.fmin,
    np.equal,
    np.less,
    np.greater_equal,
    np.logical_and,
    np.logical_xor,
    np.bitwise_and,
    np.bitwise_or,
    np.arctan2,
    np.hypot,
    np.copysign,
    np.logaddexp,
    np.float_power,
    np.heaviside,
    np.floor_divide,
    np.remainder,
    np.power,
]


@pytest.mark.parametrize("ufunc", BINARY, ids=lambda u: u.__name__)
@pytest.mark.parametrize(
    ("da", "db"),
    [
        ("float32", "float32"),
        ("float32", "int64"),
        ("int32", "int32"),
        ("int64", "float64"),
        ("bool", "bool"),
        ("bool", "int32"),
    ],
)
def test_binary_ufuncs_match_numpy_with_broadcasting(ufunc: np.ufunc, da: str, db: str) -> None:
    a, b = data((2, 3), da, 1), data((3,), db, 2)
    if ufunc is np.power and db.startswith("int"):
        b = np.abs(b)
    try:
        with np.errstate(all="ignore"):
            want = ufunc(a, b)
    except TypeError:
        with pytest.raises(TypeError):
            ufunc(rt.tensor(a), rt.tensor(b))
        return
    with np.errstate(all="ignore"):
        check(ufunc(rt.tensor(a), rt.tensor(b)), want)
        check(ufunc(a, rt.tensor(b)), want)  # ndarray first: NumPy calls the tensor's protocol


@pytest.mark.parametrize("dtype", DTYPES)
def test_python_and_numpy_scalars_are_weak(dtype: str) -> None:
    """Python scalars promote as NumPy 2 takes them (weak); NumPy scalars do too, as
    RustTorch's operators take them, so ``np.float64(2) * t`` and ``t * np.float64(2)`` agree."""
    x = data((4,), dtype)
    t = rt.tensor(x)
    for s in [1, 2.5, True, np.float32(2), np.int32(3), np.float64(0.5), np.int64(-2)]:
        py = s.item() if isinstance(s, np.generic) else s
        with np.errstate(all="ignore"):
            check(np.multiply(t, s), np.multiply(x, py))
            check(np.add(s, t), np.add(py, x))
        if dtype.startswith("float") or not isinstance(py, float):
            # (an int tensor times a float scalar: NumPy's loop is float64, RustTorch's
            # operator gives float32, PyTorch's default float)
            assert (s * t).dtype == (t * s).dtype
    check(np.array(3, dtype=np.int64) + t, np.array(3, dtype=np.int64) + x)


def test_ufunc_results_are_lazy_and_fuse() -> None:
    t = rt.tensor(np.linspace(-1, 1, 64, dtype=np.float32))
    y = np.exp(t) + 1
    assert isinstance(y, rt.Tensor)
    assert not y.is_evaluated
    assert kernels(y) == 1, y.explain()
    z = np.maximum(np.sqrt(np.abs(t)) * np.ones(64, np.float32), 0.25)
    assert kernels(z) == 1, z.explain()
    np.testing.assert_allclose(z.numpy(), np.maximum(np.sqrt(np.abs(t.numpy())), 0.25), 1e-6)


def test_ndarray_operators_with_a_tensor_are_lazy_tensors() -> None:
    a = np.arange(6.0).reshape(2, 3)
    t = rt.tensor(a.astype(np.float32))
    for r, want in [(a * t, a * a), (a + t, a + a), (a > t, a > a), (a @ t.T, a @ a.T)]:
        assert isinstance(r, rt.Tensor)
        check(r, want)


def test_ndarray_inplace_operator_updates_the_array() -> None:
    a = np.arange(6.0)
    before = a
    a += rt.tensor(np.ones(6, np.float32))
    assert a is before
    assert type(a) is np.ndarray
    np.testing.assert_array_equal(a, np.arange(6.0) + 1)
    i = np.arange(3)
    with pytest.raises(TypeError, match="add"):
        i += rt.tensor([0.5, 0.5, 0.5])  # NumPy's same_kind rule: float into int refused


def test_out_tensor_is_rebound_and_returned() -> None:
    t = rt.tensor([1.0, 4.0, 9.0])
    o = rt.zeros(2, 3)
    r = np.sqrt(t, out=o)
    assert r is o
    check(o, np.broadcast_to(np.sqrt([1.0, 4.0, 9.0]), (2, 3)).astype(np.float32))
    i = rt.zeros(3, dtype=rt.int64)
    with pytest.raises(TypeError, match="sqrt"):
        np.sqrt(t, out=i)
    n = np.zeros(3, np.float32)
    assert np.sqrt(t, out=n) is n
    np.testing.assert_array_equal(n, [1, 2, 3])
    np.add(t, 1, out=t)  # an input may be the out tensor: its value is read first
    check(t, np.array([2, 5, 10], np.float32))


def test_out_of_functions_methods_and_several_outputs() -> None:
    o = rt.zeros(3)
    assert np.sum(rt.ones(2, 3), axis=0, out=o) is o
    check(o, np.full(3, 2, np.float32))
    a = np.zeros(3)
    assert np.sum(rt.ones(2, 3), axis=0, out=a) is a
    np.testing.assert_array_equal(a, [2, 2, 2])
    o2 = rt.zeros(2)
    assert np.add.reduce(rt.ones(2, 3), axis=1, out=o2) is o2
    check(o2, np.full(2, 3, np.float32))
    e = rt.zeros(3, dtype=rt.int32)
    x = np.array([0.5, 2.0, 8.0], np.float32)
    m, e2 = np.frexp(rt.tensor(x), out=(None, e))
    assert e2 is e
    check(m, np.frexp(x)[0])
    check(e, np.frexp(x)[1])


def test_ufunc_methods_map_to_reductions_and_scans() -> None:
    x = data((3, 4), "float64")
    x = np.where(np.isfinite(x), x, 1.0)
    t = rt.tensor(x)
    check(np.add.reduce(t), np.add.reduce(x))
    check(np.add.reduce(t, axis=None), np.add.reduce(x, axis=None))
    want = np.multiply.reduce(x, axis=1, keepdims=True)
    check(np.multiply.reduce(t, axis=1, keepdims=True), want)
    check(np.maximum.reduce(t, axis=1), np.maximum.reduce(x, axis=1))
    check(np.add.accumulate(t, axis=1), np.add.accumulate(x, axis=1))
    check(np.minimum.accumulate(t), np.minimum.accumulate(x))
    check(np.multiply.outer(t[0], t[1]), np.multiply.outer(x[0], x[1]))
    check(np.subtract.outer(t[0], t[1]), np.subtract.outer(x[0], x[1]))
    i = np.array([1, 2, 3], np.int32)
    check(np.add.reduce(rt.tensor(i)), np.add.reduce(i))
    check(np.logical_and.reduce(rt.tensor(i > 1)), np.logical_and.reduce(i > 1))
    assert not np.add.reduce(t, axis=0).is_evaluated


def test_ufunc_methods_without_a_mapping_go_through_numpy() -> None:
    x = np.arange(8.0)
    t = rt.tensor(x)
    check(np.subtract.reduce(t), np.subtract.reduce(x))
    check(np.add.reduceat(t, [0, 4, 6]), np.add.reduceat(x, [0, 4, 6]))
    a = rt.tensor(np.zeros(4))
    assert np.add.at(a, [0, 0, 2], 1.0) is None
    check(a, np.array([2.0, 0, 1, 0]))


def test_ufuncs_without_a_row_run_in_numpy_and_come_back_as_tensors() -> None:
    x = np.array([0.5, 1.0, 8.0])
    t = rt.tensor(x)
    check(np.cbrt(t), np.cbrt(x))
    check(np.spacing(t), np.spacing(x))
    m, e = np.frexp(t)
    check(m, np.frexp(x)[0])
    check(e, np.frexp(x)[1])
    with pytest.raises(TypeError, match="exp: complex"):
        np.exp(t, dtype=np.complex128)


def test_foreign_array_types_get_not_implemented() -> None:
    class Other:
        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            return "other"

    assert np.add(rt.tensor([1.0]), Other()) == "other"
    assert (
        rt.Tensor.__array_ufunc__(rt.tensor([1.0]), np.add, "__call__", rt.tensor([1.0]), Other())
        is NotImplemented
    )


def test_bad_ufunc_calls_name_the_ufunc() -> None:
    with pytest.raises(ValueError, match="add"):
        np.add(rt.ones(2), rt.ones(3))
    with pytest.raises(TypeError, match="subtract"):
        np.subtract(rt.tensor([True]), rt.tensor([False]))
    with pytest.raises(ValueError, match="matmul"):
        np.matmul(rt.ones(2, 3), rt.ones(2, 3))


# ------------------------------------------------------------------------------- functions


def finite(shape: tuple[int, ...], dtype: str) -> np.ndarray:
    x = data(shape, dtype, 3)
    return np.where(np.isfinite(x), x, 0.5).astype(dtype) if dtype.startswith("float") else x


REDUCTIONS = [
    np.sum,
    np.mean,
    np.std,
    np.var,
    np.max,
    np.min,
    np.prod,
    np.argmax,
    np.argmin,
    np.all,
    np.any,
    np.amax,
    np.nansum,
]


@pytest.mark.parametrize("func", REDUCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2)])
def test_reductions_match_numpy(func: object, dtype: str, axis: object) -> None:
    x = finite((3, 2, 4), dtype)
    if func in (np.argmax, np.argmin) and isinstance(axis, tuple):
        return
    with np.errstate(all="ignore"):
        want = func(x, axis=axis)
    check(func(rt.tensor(x), axis=axis), want)
    if func not in (np.argmax, np.argmin) or axis is not None:
        check(func(rt.tensor(x), axis=axis, keepdims=True), func(x, axis=axis, keepdims=True))


@pytest.mark.parametrize("dtype", ["int32", "int64", "bool"])
def test_integer_and_bool_matmul_match_numpy(dtype: str) -> None:
    for sa, sb in [
        ((2, 3), (3, 4)),
        ((3,), (3, 2)),
        ((2, 3), (3,)),
        ((3,), (3,)),
        ((2, 2, 3), (3, 1)),
    ]:
        a, b = data(sa, dtype, 6), data(sb, dtype, 7)
        check(np.matmul(rt.tensor(a), rt.tensor(b)), np.matmul(a, b))
    check(np.dot(rt.tensor(a), b), np.dot(a, b))


def test_axes_are_checked_as_numpy_checks_them() -> None:
    s = rt.tensor(np.array(2.0))
    check(np.sum(s, axis=0), np.sum(np.array(2.0), axis=0))  # NumPy's 0-d leniency
    check(np.cumsum(s, axis=0), np.cumsum(np.array(2.0), axis=0))
    check(np.argsort(s), np.argsort(np.array(2.0)))
    for bad in [lambda: np.std(s, axis=0), lambda: np.sort(s), lambda: np.sum(s, axis=(0,))]:
        with pytest.raises(np.exceptions.AxisError):
            bad()
    with pytest.raises(ValueError, match="repeated axis"):
        np.sum(rt.ones(2, 3), axis=(0, 0))


def test_numpy_defaults_where_torch_differs() -> None:
    x = np.array([[1.0, 5.0, 2.0], [7.0, 3.0, 3.0]])
    t = rt.tensor(x)
    check(np.std(t), np.std(x))  # ddof=0
    check(np.var(t, axis=0, ddof=1), np.var(x, axis=0, ddof=1))
    check(np.max(t, axis=1), np.max(x, axis=1))  # values only
    check(np.argmax(t), np.argmax(x))  # flattened
    check(np.sort(t), np.sort(x))  # last axis
    check(np.sort(t, axis=None), np.sort(x, axis=None))
    check(np.argsort(t, axis=0), np.argsort(x, axis=0, kind="stable"))
    check(np.cumsum(t), np.cumsum(x))  # flattened
    check(np.cumsum(rt.tensor(x.astype(np.int32)), axis=1), np.cumsum(x.astype(np.int32), axis=1))
    check(np.mean(rt.tensor([1, 2], dtype=rt.int32)), np.mean(np.array([1, 2], np.int32)))
    check(np.argmax(rt.tensor([1.0, np.nan, 3.0, np.nan])), 1)


def test_mean_with_axis_is_a_lazy_tensor() -> None:
    t = rt.tensor(np.arange(12.0).reshape(3, 4))
    m = np.mean(t, axis=0)
    assert isinstance(m, rt.Tensor)
    assert not m.is_evaluated
    check(m, np.arange(12.0).reshape(3, 4).mean(axis=0))
    y = np.sum(np.exp(t) * 2, axis=1)
    assert kernels(y) == 1, y.explain()


def test_shape_functions_match_numpy() -> None:
    x = finite((2, 3, 1), "float32")
    y = finite((2, 3, 1), "int64")
    t, u = rt.tensor(x), rt.tensor(y)
    check(np.concatenate([t, u]), np.concatenate([x, y]))
    check(np.concatenate([t, y], axis=None), np.concatenate([x, y], axis=None))
    check(np.stack([t, u], axis=1), np.stack([x, y], axis=1))
    check(np.where(t > 0, t, 0), np.where(x > 0, x, 0))
    check(np.where(u, t, u), np.where(y, x, y))
    check(np.transpose(t), np.transpose(x))
    check(np.transpose(t, (1, 0, 2)), np.transpose(x, (1, 0, 2)))
    check(np.reshape(t, (3, -1)), np.reshape(x, (3, -1)))
    check(np.reshape(t, 6), np.reshape(x, 6))
    check(np.ravel(t), np.ravel(x))
    check(np.squeeze(t), np.squeeze(x))
    check(np.squeeze(t, axis=-1), np.squeeze(x, axis=-1))
    with pytest.raises(ValueError, match="squeeze"):
        np.squeeze(t, axis=0)
    check(np.expand_dims(t, (0, -1)), np.expand_dims(x, (0, -1)))
    check(np.swapaxes(t, 0, 2), np.swapaxes(x, 0, 2))
    check(np.moveaxis(t, 0, -1), np.moveaxis(x, 0, -1))
    check(np.flip(t), np.flip(x))
    check(np.roll(t, 2), np.roll(x, 2))
    check(np.roll(t, 1, axis=1), np.roll(x, 1, axis=1))
    check(np.broadcast_to(t, (4, 2, 3, 5)), np.broadcast_to(x, (4, 2, 3, 5)))
    assert np.shape(t) == (2, 3, 1)
    assert np.ndim(t) == 3
    assert np.size(t) == 6
    assert not t.is_evaluated or True


def test_linear_algebra_and_elementwise_functions_match_numpy() -> None:
    a, b = finite((3, 4), "float64"), finite((4, 2), "float32")
    ta, tb = rt.tensor(a), rt.tensor(b)
    check(np.matmul(ta, tb), np.matmul(a, b))
    check(np.dot(ta, tb), np.dot(a, b))
    check(np.einsum("ij,jk->ik", ta, tb), np.einsum("ij,jk->ik", a, b))
    check(np.outer(ta, tb[0]), np.outer(a, b[0]))
    check(np.clip(ta, -1, 1), np.clip(a, -1, 1))
    check(np.clip(tb, 0.5, None), np.clip(b, 0.5, None))
    check(np.tril(ta, 1), np.tril(a, 1))
    check(np.diagonal(ta, 1), np.diagonal(a, 1))
    check(np.round(ta, 2), np.round(a, 2))
    check(np.isclose(ta, ta + 1e-9), np.isclose(a, a + 1e-9))
    assert np.allclose(ta, a) is True
    assert np.array_equal(ta, a) is True
    check(np.zeros_like(tb), np.zeros_like(b))
    check(np.full_like(ta, 7, dtype=np.int32), np.full_like(a, 7, dtype=np.int32))
    nan = np.array([np.nan, np.inf, -np.inf, 1.0])
    check(np.nan_to_num(rt.tensor(nan)), np.nan_to_num(nan))


def test_functions_without_a_row_run_in_numpy_and_return_ndarrays() -> None:
    x = np.array([[3.0, 1.0], [2.0, 4.0]])
    t = rt.tensor(x)
    r = np.median(t)
    assert not isinstance(r, rt.Tensor)
    assert r == np.median(x)
    d = np.diff(t)
    assert type(d) is np.ndarray
    np.testing.assert_array_equal(d, np.diff(x))
    np.testing.assert_array_equal(np.linalg.inv(t), np.linalg.inv(x))
    s = np.sum(t, initial=10.0)  # an argument the row does not translate: NumPy, back as a tensor
    check(s, np.sum(x, initial=10.0))


def test_bad_function_calls_name_the_function() -> None:
    with pytest.raises(TypeError, match="sum"):
        np.sum(rt.ones(2), bogus=1)
    with pytest.raises(ValueError, match=r"numpy\.concatenate"):
        np.concatenate([rt.ones(2, 3), rt.ones(2, 4)])
    with pytest.raises(np.exceptions.AxisError, match="expand_dims"):
        np.expand_dims(rt.ones(2), 5)
    with pytest.raises(np.exceptions.AxisError, match=r"numpy\.mean"):
        np.mean(rt.ones(2, 2), axis=3)  # as NumPy: both an IndexError and a ValueError


# ------------------------------------------------------------------------------- dtypes, arrays


@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_reads_rusttorch_dtypes(dtype: str) -> None:
    d = getattr(rt, dtype)
    assert np.dtype(d) == np.dtype(dtype)
    assert d.numpy_dtype == np.dtype(dtype)
    assert np.zeros(2, dtype=d).dtype == np.dtype(dtype)
    assert np.ones(2, np.int8).astype(d).dtype == np.dtype(dtype)
    t = rt.tensor(data((3,), dtype))
    assert np.asarray(t).dtype == np.dtype(dtype)
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert np.asarray(t, dtype=rt.float32).dtype == np.float32


def test_array_copy_keyword_follows_numpy_2() -> None:
    t = rt.tensor([1.0, 2.0]) * 2  # lazy: __array__ evaluates it, and gives its own buffer
    a = np.array(t, copy=False)
    np.testing.assert_array_equal(a, [2.0, 4.0])
    assert np.shares_memory(a, np.asarray(t))
    c = np.array(t, copy=True)
    assert not np.shares_memory(c, np.asarray(t))
    assert c.flags.writeable
    with pytest.raises(ValueError, match="copy"):
        np.array(t, dtype=np.int32, copy=False)


# ------------------------------------------------------------------------------- views, hypothesis


def test_views_as_operands_match_numpy() -> None:
    x = finite((4, 6), "float64")
    t = rt.tensor(x)
    check(np.add(t.T, x.T), x.T + x.T)
    check(np.maximum(t[:, ::2], 0.0), np.maximum(x[:, ::2], 0.0))
    check(np.sum(t.T[1:], axis=1), np.sum(x.T[1:], axis=1))
    check(np.argsort(t[::-1], axis=0), np.argsort(x[::-1], axis=0, kind="stable"))


@settings(max_examples=60, deadline=None)
@given(
    hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4),
    st.sampled_from(DTYPES),
    st.sampled_from(DTYPES),
    st.sampled_from([np.add, np.multiply, np.maximum, np.less, np.logical_or, np.hypot]),
)
def test_binary_ufuncs_broadcast_and_promote_as_numpy(
    shapes: object, da: str, db: str, ufunc: np.ufunc
) -> None:
    (sa, sb), _ = shapes
    a, b = data(sa, da, 4), data(sb, db, 5)
    try:
        with np.errstate(all="ignore"):
            want = ufunc(a, b)
    except TypeError:
        return
    with np.errstate(all="ignore"):
        check(ufunc(rt.tensor(a), b), want)
