"""rusttorch as a Python array API standard (2024.12) namespace: the inspection API, asarray's copy
semantics, the standard's names and signatures checked against array-api-strict on arrays that
hypothesis's array API strategies draw from rusttorch itself, and array-api-compat /
array-api-extra running on rusttorch tensors."""

from __future__ import annotations

import operator
import warnings

import array_api_strict as xs
import numpy as np
import pytest
import rusttorch as rt
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.array_api import make_strategies_namespace

xps = make_strategies_namespace(rt, api_version="2024.12")

# The dtypes rusttorch has, as hypothesis draws them (a new core dtype joins through the
# namespace's own `dtypes()`).
DTYPES = list(rt.__array_namespace_info__().dtypes().values())
NUMERIC = [d for d in DTYPES if d != rt.bool]
INTS = [d for d in DTYPES if rt.isdtype(d, "integral")]
FLOATS = [d for d in DTYPES if rt.isdtype(d, "real floating")]
# Sums of unsigned integers are int64 (PyTorch), uint64 in the standard (docs/array-api.md).
SIGNED_NUMERIC = [d for d in NUMERIC if not rt.isdtype(d, "unsigned integer")]

shapes = xps.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)


def arrays(
    dtypes: list[object], shape: object = shapes, elements: object = None
) -> st.SearchStrategy:
    return xps.arrays(dtype=st.sampled_from(dtypes), shape=shape, elements=elements)


def strict(x: rt.Tensor) -> object:
    """The same values as an array-api-strict array."""
    return xs.asarray(np.asarray(x))


def dtype_name(d: object) -> str:
    """``"float32"`` for any library's float32 dtype object."""
    return str(d).rsplit(".", 1)[-1]


def assert_same(got: object, want: object, *, exact: bool = True) -> None:
    """Same shape, dtype name and values (NaN where the reference has NaN)."""
    g, w = np.asarray(got), np.asarray(want)
    assert g.shape == w.shape, (g.shape, w.shape)
    assert str(g.dtype) == str(w.dtype), (g.dtype, w.dtype)
    if exact:
        np.testing.assert_array_equal(g, w)
    else:
        np.testing.assert_allclose(g, w, rtol=2e-5 if g.dtype == np.float32 else 1e-12, atol=1e-6)


# ---------------------------------------------------------------------------------------------
# The namespace and its inspection API


def test_namespace_version_and_info() -> None:
    assert rt.__array_api_version__ == "2024.12"
    info = rt.__array_namespace_info__()
    assert info.capabilities()["boolean indexing"] is True
    assert info.capabilities()["data-dependent shapes"] is True
    assert info.devices() == ["cpu"]
    assert info.default_device() == "cpu"
    d = info.default_dtypes()
    assert (d["real floating"], d["integral"], d["indexing"]) == (rt.float32, rt.int64, rt.int64)
    assert info.dtypes(kind="bool") == {"bool": rt.bool}
    assert set(info.dtypes(kind="real floating")) == {d.name for d in FLOATS}
    assert set(info.dtypes(kind="integral")) == {d.name for d in INTS}
    assert set(info.dtypes(kind=("bool", "integral"))) == {"bool"} | {d.name for d in INTS}
    assert info.dtypes(kind="complex floating") == {}
    with pytest.raises(ValueError, match="unknown kind"):
        info.dtypes(kind="strings")
    with pytest.raises(ValueError, match="'cpu' only"):
        info.dtypes(device="gpu")


def test_tensor_namespace_device_and_to_device() -> None:
    t = rt.asarray([1.0, 2.0])
    assert t.__array_namespace__() is rt
    assert t.__array_namespace__(api_version="2023.12") is rt
    with pytest.raises(ValueError, match="api_version"):
        t.__array_namespace__(api_version="1999.01")
    assert t.device == "cpu"
    assert t.device == rt.device("cpu")
    assert str(t.device) == "cpu"
    assert t.to_device("cpu") is t
    assert t.to_device(t.device) is t
    with pytest.raises(ValueError, match="'cpu' only"):
        t.to_device("cuda")
    assert rt.zeros((2,), device="cpu").device == "cpu"
    with pytest.raises(ValueError, match=r"^ones\(\): unsupported device"):
        rt.ones((2,), device="meta")


def test_array_api_compat_sees_rusttorch() -> None:
    array_api_compat = pytest.importorskip("array_api_compat")
    t = rt.asarray([[1.0, 2.0], [3.0, 4.0]])
    assert array_api_compat.array_namespace(t) is rt
    assert array_api_compat.is_array_api_obj(t)
    assert array_api_compat.device(t) == "cpu"


def test_array_api_extra_runs_on_tensors() -> None:
    xpx = pytest.importorskip("array_api_extra")
    x = rt.asarray([[1.0, 2.0, 4.0], [3.0, 1.0, 0.5]], dtype=rt.float64)
    out = xpx.atleast_nd(rt.asarray(1.5), ndim=3, xp=rt)
    assert isinstance(out, rt.Tensor)
    assert out.shape == (1, 1, 1)
    cov = xpx.cov(x, xp=rt)
    assert isinstance(cov, rt.Tensor)
    np.testing.assert_allclose(np.asarray(cov), np.cov(np.asarray(x)), rtol=1e-12)
    diag = xpx.create_diagonal(rt.asarray([1, 2, 3]), xp=rt)
    np.testing.assert_array_equal(np.asarray(diag), np.diag([1, 2, 3]))
    padded = xpx.pad(rt.asarray([1.0, 2.0]), 2, xp=rt)
    np.testing.assert_array_equal(np.asarray(padded), [0, 0, 1, 2, 0, 0])
    np.testing.assert_array_equal(
        np.asarray(xpx.setdiff1d(rt.asarray([1, 2, 3, 4]), rt.asarray([2, 4]), xp=rt)), [1, 3]
    )


# ---------------------------------------------------------------------------------------------
# asarray: the standard's copy semantics


def test_asarray_copy_semantics_of_tensors() -> None:
    t = rt.asarray([1.0, 2.0, 3.0])
    assert rt.asarray(t) is t
    assert rt.asarray(t, copy=False) is t
    c = rt.asarray(t, copy=True)
    assert c is not t
    c[0] = 10.0
    assert t.tolist() == [1.0, 2.0, 3.0]
    assert c.tolist() == [10.0, 2.0, 3.0]
    assert rt.asarray(t, dtype=rt.float64).dtype == rt.float64
    with pytest.raises(ValueError, match="needs a copy"):
        rt.asarray(t, dtype=rt.float64, copy=False)


def test_asarray_copy_semantics_of_numpy_and_python() -> None:
    a = np.arange(4, dtype=np.float64)
    shared = rt.asarray(a, copy=False)
    a[0] = 7.0
    assert shared.tolist()[0] == 7.0
    copied = rt.asarray(a, copy=True)
    a[1] = 8.0
    assert copied.tolist()[1] == 1.0
    assert rt.asarray(a).tolist()[1] == 8.0
    with pytest.raises(ValueError, match="strided NumPy array needs a copy"):
        rt.asarray(np.ones((3, 4))[:, ::2], copy=False)
    with pytest.raises(ValueError, match="the dtype differs"):
        rt.asarray(a, dtype=rt.float32, copy=False)
    assert rt.asarray(np.float64(2.5)).dtype == rt.float64
    assert rt.asarray(np.ones((3, 4))[:, ::2], dtype=rt.float32).shape == (3, 2)
    with pytest.raises(ValueError, match="without a copy"):
        rt.asarray([1, 2], copy=False)
    assert rt.asarray(1.5).dtype == rt.float32
    assert rt.asarray(2).dtype == rt.int64
    assert rt.asarray(True).dtype == rt.bool
    assert rt.asarray([[1, 2], [3, 4]], dtype=rt.float64).dtype == rt.float64
    assert rt.asarray([rt.asarray(1.0), rt.asarray(2.0)]).tolist() == [1.0, 2.0]
    with pytest.raises(TypeError, match="complex"):
        rt.asarray(1 + 2j)


# ---------------------------------------------------------------------------------------------
# Data-type functions against array-api-strict


@pytest.mark.parametrize("a", DTYPES, ids=str)
@pytest.mark.parametrize("b", DTYPES, ids=str)
def test_result_type_and_can_cast_within_a_kind(a: object, b: object) -> None:
    sa, sb = getattr(xs, a.name), getattr(xs, b.name)
    assert rt.can_cast(a, b) == xs.can_cast(sa, sb)
    try:
        want = xs.result_type(sa, sb)
    except TypeError:
        return  # mixed kinds: the standard leaves them undefined (docs/array-api.md)
    assert rt.result_type(a, b).name == dtype_name(want)
    assert rt.result_type(rt.empty(0, dtype=a), b).name == dtype_name(want)


@pytest.mark.parametrize("d", DTYPES, ids=str)
def test_isdtype_against_strict(d: object) -> None:
    for kind in (
        "bool",
        "signed integer",
        "unsigned integer",
        "integral",
        "real floating",
        "complex floating",
        "numeric",
        ("bool", "real floating"),
    ):
        assert rt.isdtype(d, kind) == xs.isdtype(getattr(xs, d.name), kind), kind


def test_result_type_with_python_scalars() -> None:
    assert rt.result_type(rt.int32, 1) == rt.int32
    assert rt.result_type(rt.float32, 1.0) == rt.float32
    assert rt.result_type(rt.float64, rt.float32, 2.0) == rt.float64
    with pytest.raises(TypeError, match="at least one array or dtype"):
        rt.result_type(1, 2.0)


def test_finfo_and_iinfo_against_strict() -> None:
    for d in FLOATS:
        got, want = rt.finfo(d), xs.finfo(getattr(xs, d.name))
        assert (got.bits, got.eps, got.max, got.min, got.smallest_normal) == (
            want.bits,
            want.eps,
            want.max,
            want.min,
            want.smallest_normal,
        )
        assert rt.finfo(rt.ones(1, dtype=d)).dtype == d
    for d in INTS:
        got, want = rt.iinfo(d), xs.iinfo(getattr(xs, d.name))
        assert (got.bits, got.max, got.min) == (want.bits, want.max, want.min)
    with pytest.raises(TypeError, match="not an integer dtype"):
        rt.iinfo(rt.float32)


@settings(max_examples=25, deadline=None)
@given(x=arrays([*NUMERIC, rt.bool]), dtype=st.sampled_from(DTYPES))
@example(x=rt.tensor(3.40282357e38, dtype=rt.float64), dtype=rt.float32)  # beyond float32
def test_astype_against_strict(x: rt.Tensor, dtype: object) -> None:
    if rt.isdtype(x.dtype, "real floating") and rt.isdtype(dtype, "integral"):
        x = rt.where(rt.isfinite(x), x, 0) % 1000  # float to int is undefined out of range
    got = rt.astype(x, dtype)
    # A float64 beyond float32's range becomes inf in both (NumPy warns while doing so).
    with np.errstate(over="ignore"):
        want = xs.astype(strict(x), getattr(xs, dtype.name))
    assert_same(got, want)
    assert rt.astype(x, x.dtype, copy=False) is x
    assert rt.astype(x, x.dtype) is not x


# ---------------------------------------------------------------------------------------------
# The standard's names for elementwise ops


BINARY = {
    "add": operator.add,
    "subtract": operator.sub,
    "multiply": operator.mul,
    "greater": operator.gt,
    "greater_equal": operator.ge,
    "less": operator.lt,
    "less_equal": operator.le,
    "not_equal": operator.ne,
}


@settings(max_examples=25, deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(BINARY)), dtype=st.sampled_from(NUMERIC))
def test_binary_names_against_strict(data: st.DataObject, name: str, dtype: object) -> None:
    shape = data.draw(shapes)
    x1 = data.draw(xps.arrays(dtype=dtype, shape=shape, elements={"allow_nan": False}))
    x2 = data.draw(xps.arrays(dtype=dtype, shape=shape, elements={"allow_nan": False}))
    with np.errstate(over="ignore"):
        want = getattr(xs, name)(strict(x1), strict(x2))
    assert_same(getattr(rt, name)(x1, x2), want, exact=False)
    assert_same(BINARY[name](x1, x2), want, exact=False)


@settings(max_examples=25, deadline=None)
@given(x1=arrays(FLOATS, elements={"allow_nan": False}), x2=st.floats(-3, 3, allow_nan=False))
def test_divide_with_a_scalar_against_strict(x1: rt.Tensor, x2: float) -> None:
    with np.errstate(all="ignore"):
        want = xs.divide(strict(x1), x2)
    assert_same(rt.divide(x1, x2), want, exact=False)


@settings(max_examples=25, deadline=None)
@given(x=arrays(NUMERIC))
def test_unary_names_against_strict(x: rt.Tensor) -> None:
    assert_same(rt.negative(x), xs.negative(strict(x)))
    assert_same(rt.positive(x), xs.positive(strict(x)))
    assert_same(rt.real(x), xs.real(strict(x)) if rt.isdtype(x.dtype, "real floating") else x)
    assert_same(rt.conj(x), strict(x))


@settings(max_examples=25, deadline=None)
@given(x=arrays([*INTS, rt.bool]))
def test_bitwise_invert_against_strict(x: rt.Tensor) -> None:
    assert_same(rt.bitwise_invert(x), xs.bitwise_invert(strict(x)))
    assert_same(~x, xs.bitwise_invert(strict(x)))


@settings(max_examples=40, deadline=None)
@given(data=st.data(), dtype=st.sampled_from(INTS))
def test_bit_shifts_against_strict(data: st.DataObject, dtype: object) -> None:
    bits = rt.iinfo(dtype).bits
    shape = data.draw(shapes)
    x1 = data.draw(xps.arrays(dtype=dtype, shape=shape))
    x2 = data.draw(
        xps.arrays(dtype=dtype, shape=shape, elements={"min_value": 0, "max_value": bits + 2})
    )
    assert_same(rt.bitwise_left_shift(x1, x2), xs.bitwise_left_shift(strict(x1), strict(x2)))
    assert_same(rt.bitwise_right_shift(x1, x2), xs.bitwise_right_shift(strict(x1), strict(x2)))
    assert_same(x1 << x2, xs.bitwise_left_shift(strict(x1), strict(x2)))
    assert_same(x1 >> 1, xs.bitwise_right_shift(strict(x1), 1))
    y = rt.asarray(x1, copy=True)
    y <<= 1
    assert_same(y, xs.bitwise_left_shift(strict(x1), 1))


def test_zero_d_conversions() -> None:
    assert bool(rt.asarray(True)) is True
    assert int(rt.asarray(7)) == 7
    assert float(rt.asarray(2.5)) == 2.5
    assert complex(rt.asarray(2.5)) == 2.5 + 0j
    assert [10, 20, 30][rt.asarray(1)] == 20
    with pytest.raises(TypeError):
        operator.index(rt.asarray(1.0))


# ---------------------------------------------------------------------------------------------
# Reductions with axis= / keepdims=


def _axis(data: st.DataObject, ndim: int) -> object:
    if ndim == 0:
        return None
    return data.draw(st.none() | st.integers(-ndim, ndim - 1) | xps.valid_tuple_axes(ndim))


@settings(max_examples=30, deadline=None)
@given(
    data=st.data(),
    x=arrays(FLOATS, elements={"allow_nan": False}),
    name=st.sampled_from(["sum", "prod", "mean", "max", "min", "std", "var"]),
)
def test_float_reductions_against_strict(data: st.DataObject, x: rt.Tensor, name: str) -> None:
    axis = _axis(data, x.ndim)
    keepdims = data.draw(st.booleans())
    if name in ("max", "min") and (0 in x.shape):
        return
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy on empty slices
        want = getattr(xs, name)(strict(x), axis=axis, keepdims=keepdims)
    assert_same(getattr(rt, name)(x, axis=axis, keepdims=keepdims), want, exact=False)


@settings(max_examples=30, deadline=None)
@given(data=st.data(), x=arrays(DTYPES))
def test_boolean_and_index_reductions_against_strict(data: st.DataObject, x: rt.Tensor) -> None:
    axis = _axis(data, x.ndim)
    keepdims = data.draw(st.booleans())
    for name in ("all", "any", "count_nonzero"):
        want = getattr(xs, name)(strict(x), axis=axis, keepdims=keepdims)
        assert_same(getattr(rt, name)(x, axis=axis, keepdims=keepdims), want)
    if x.numel() and x.dtype != rt.bool:
        ax = axis if axis is None or isinstance(axis, int) else None
        if ax is None or x.shape[ax]:
            for name in ("argmax", "argmin"):
                want = getattr(xs, name)(strict(x), axis=ax, keepdims=keepdims)
                assert_same(getattr(rt, name)(x, axis=ax, keepdims=keepdims), want)


def test_torch_spellings_still_mean_torch() -> None:
    x = rt.asarray([[1.0, 5.0], [3.0, 2.0]])
    values, indices = rt.max(x, 1)
    assert values.tolist() == [5.0, 3.0]
    assert indices.tolist() == [1, 0]
    assert rt.max(x, axis=1).tolist() == [5.0, 3.0]
    assert rt.std(x).item() == pytest.approx(np.std([1, 5, 3, 2], ddof=1), rel=1e-6)
    assert rt.std(x, axis=None).item() == pytest.approx(np.std([1, 5, 3, 2]), rel=1e-6)
    assert rt.sort(x, 1).indices.tolist() == [[0, 1], [1, 0]]
    assert rt.sort(x, axis=1).tolist() == [[1.0, 5.0], [2.0, 3.0]]
    with pytest.raises(TypeError, match="both 'dim' and 'axis'"):
        rt.sum(x, 0, axis=0)


@settings(max_examples=25, deadline=None)
@given(
    data=st.data(),
    x=arrays(SIGNED_NUMERIC, shape=xps.array_shapes(min_dims=1, max_dims=3, max_side=4)),
)
def test_cumulative_and_diff_against_strict(data: st.DataObject, x: rt.Tensor) -> None:
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    include_initial = data.draw(st.booleans())
    for name in ("cumulative_sum", "cumulative_prod"):
        with np.errstate(all="ignore"):
            want = getattr(xs, name)(strict(x), axis=axis, include_initial=include_initial)
        assert_same(
            getattr(rt, name)(x, axis=axis, include_initial=include_initial), want, exact=False
        )
    n = data.draw(st.integers(1, 2))
    with np.errstate(all="ignore"):
        want = xs.diff(strict(x), axis=axis, n=n)
    assert_same(rt.diff(x, axis=axis, n=n), want, exact=False)


# ---------------------------------------------------------------------------------------------
# Shapes, sorting, sets, products


@settings(max_examples=30, deadline=None)
@given(data=st.data(), x=arrays(DTYPES, shape=xps.array_shapes(min_dims=1, max_dims=3, max_side=4)))
def test_shape_functions_against_strict(data: st.DataObject, x: rt.Tensor) -> None:
    s = strict(x)
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    axes = data.draw(st.permutations(range(x.ndim)))
    assert_same(rt.permute_dims(x, axes), xs.permute_dims(s, tuple(axes)))
    assert_same(rt.expand_dims(x, axis=axis), xs.expand_dims(s, axis=axis))
    assert_same(rt.flip(x, axis=axis), xs.flip(s, axis=axis))
    assert_same(rt.flip(x), xs.flip(s))
    assert_same(rt.roll(x, 2, axis=axis), xs.roll(s, 2, axis=axis))
    assert_same(rt.roll(x, shift=-1), xs.roll(s, -1))
    assert_same(rt.concat([x, x], axis=axis), xs.concat([s, s], axis=axis))
    assert_same(rt.concat([x, x], axis=None), xs.concat([s, s], axis=None))
    assert_same(rt.stack([x, x], axis=axis), xs.stack([s, s], axis=axis))
    for got, want in zip(rt.unstack(x, axis=axis), xs.unstack(s, axis=axis), strict=True):
        assert_same(got, want)
    assert_same(rt.repeat(x, 2, axis=axis), xs.repeat(s, 2, axis=axis))
    assert_same(rt.reshape(x, (-1,), copy=True), xs.reshape(s, (-1,), copy=True))
    if x.ndim >= 2:
        assert_same(rt.matrix_transpose(x), xs.matrix_transpose(s))
        assert_same(x.mT, s.mT)
    ones = tuple(i for i, n in enumerate(x.shape) if n == 1)
    assert_same(rt.squeeze(x, axis=ones), xs.squeeze(s, axis=ones))


@settings(max_examples=30, deadline=None)
@given(
    data=st.data(),
    x=arrays(
        NUMERIC,
        shape=xps.array_shapes(min_dims=1, max_dims=3, max_side=5),
        elements={"allow_nan": False},
    ),
)
def test_sort_argsort_take_against_strict(data: st.DataObject, x: rt.Tensor) -> None:
    s = strict(x)
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    descending = data.draw(st.booleans())
    assert_same(
        rt.sort(x, axis=axis, descending=descending), xs.sort(s, axis=axis, descending=descending)
    )
    assert_same(
        rt.argsort(x, axis=axis, descending=descending),
        xs.argsort(s, axis=axis, descending=descending),
    )
    idx = rt.argsort(x, axis=axis)
    assert_same(
        rt.take_along_axis(x, idx, axis=axis), xs.take_along_axis(s, strict(idx), axis=axis)
    )
    if x.shape[axis]:
        picks = rt.asarray([0, x.shape[axis] - 1])
        assert_same(rt.take(x, picks, axis=axis), xs.take(s, strict(picks), axis=axis))


@settings(max_examples=30, deadline=None)
@given(data=st.data(), dtype=st.sampled_from(NUMERIC))
def test_unique_functions_against_strict(data: st.DataObject, dtype: object) -> None:
    low = 0 if rt.isdtype(dtype, "unsigned integer") else -3
    x = data.draw(
        xps.arrays(
            dtype=dtype,
            shape=shapes,
            elements={"min_value": low, "max_value": 3, "allow_nan": False},
        )
    )
    s = strict(x)
    assert_same(rt.unique_values(x), xs.unique_values(s))
    got, want = rt.unique_counts(x), xs.unique_counts(s)
    assert_same(got.values, want.values)
    assert_same(got.counts, want.counts)
    got, want = rt.unique_inverse(x), xs.unique_inverse(s)
    assert_same(got.inverse_indices, want.inverse_indices)
    got, want = rt.unique_all(x), xs.unique_all(s)
    for field in ("values", "indices", "inverse_indices", "counts"):
        assert_same(getattr(got, field), getattr(want, field))


@settings(max_examples=25, deadline=None)
@given(data=st.data(), dtype=st.sampled_from(FLOATS))
def test_products_against_strict(data: st.DataObject, dtype: object) -> None:
    a = data.draw(
        xps.arrays(dtype=dtype, shape=(2, 3, 4), elements={"min_value": -2, "max_value": 2})
    )
    b = data.draw(xps.arrays(dtype=dtype, shape=(3, 4), elements={"min_value": -2, "max_value": 2}))
    assert_same(rt.tensordot(a, b, axes=2), xs.tensordot(strict(a), strict(b), axes=2), exact=False)
    assert_same(rt.vecdot(a, b, axis=-1), xs.vecdot(strict(a), strict(b), axis=-1), exact=False)
    assert_same(rt.matmul(a, b.mT), xs.matmul(strict(a), strict(b).mT), exact=False)


# ---------------------------------------------------------------------------------------------
# Creation functions with the standard's arguments


def test_creation_functions_against_strict() -> None:
    for d in (rt.int64, rt.float64):
        sd = getattr(xs, d.name)
        for k in (-2, 0, 1, 4, 2**63, -(2**70)):
            assert_same(rt.eye(3, 4, k=k, dtype=d), xs.eye(3, 4, k=k, dtype=sd))
        assert_same(
            rt.tril(rt.ones((3, 3), dtype=d), k=-1), xs.tril(xs.ones((3, 3), dtype=sd), k=-1)
        )
        assert_same(rt.triu(rt.ones((3, 3), dtype=d), k=1), xs.triu(xs.ones((3, 3), dtype=sd), k=1))
        assert_same(rt.full((2, 3), 7, dtype=d, device="cpu"), xs.full((2, 3), 7, dtype=sd))
        assert_same(rt.full_like(rt.zeros(2, dtype=d), 3), xs.full_like(xs.zeros(2, dtype=sd), 3))
    assert_same(rt.arange(1, 7, 2, device="cpu"), xs.arange(1, 7, 2))
    assert_same(
        rt.linspace(0.0, 1.0, num=5, dtype=rt.float64), xs.linspace(0.0, 1.0, 5, dtype=xs.float64)
    )
    assert_same(
        rt.linspace(0.0, 1.0, 4, endpoint=False, dtype=rt.float64),
        xs.linspace(0.0, 1.0, 4, endpoint=False, dtype=xs.float64),
        exact=False,
    )
    assert_same(rt.empty((2, 0)).shape, (2, 0))
