"""Creation functions, dtype objects and `dtype=` parsing, and the NumPy bridge in both
directions (zero-copy and lifetimes)."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
import rusttorch as rt
from helpers import needs_arange, needs_constant_graphs

# ---------------------------------------------------------------------- dtypes


def test_dtype_objects_print_and_compare() -> None:
    assert repr(rt.float32) == "rusttorch.float32"
    assert str(rt.float64) == "float64"
    assert rt.float32 == rt.float32
    assert rt.float32 != rt.float64
    assert rt.float32 == "float32"
    assert rt.float64 == np.float64
    assert rt.float32 == np.dtype("float32")
    assert rt.float32 != "float64"
    assert rt.float32 != object()
    assert hash(rt.float32) == hash(rt.float32)
    assert len({rt.float32, rt.float64, rt.float32}) == 2
    assert rt.float32.itemsize == 4
    assert rt.float64.name == "float64"
    assert isinstance(rt.float32, rt.dtype)


@pytest.mark.parametrize(
    "spec", [rt.float64, "float64", "f8", np.float64, np.dtype("float64"), float]
)
def test_every_dtype_spelling_is_accepted(spec: object) -> None:
    assert rt.tensor([1.0], dtype=spec).dtype is rt.float64
    assert rt.rand(3, seed=0, dtype=spec).dtype is rt.float64


@pytest.mark.parametrize(
    ("spec", "want"),
    [
        ("int32", rt.int32),
        ("int64", rt.int64),
        (np.int64, rt.int64),
        ("bool", rt.bool),
        (np.bool_, rt.bool),
    ],
)
def test_int_and_bool_dtype_spellings(spec: object, want: rt.dtype) -> None:
    assert rt.zeros(3, dtype=spec).dtype is want
    assert rt.tensor([1, 2], dtype=spec).dtype is want
    assert rt.zeros(3, dtype=spec).numpy().dtype == np.dtype(want.name)


def test_random_numbers_are_float_only() -> None:
    with pytest.raises(TypeError, match="float32 or float64"):
        rt.rand(3, dtype="int32")


@pytest.mark.parametrize("spec", ["float17", np.complex64, "U3", 3])
def test_unknown_dtypes_are_type_errors(spec: object) -> None:
    with pytest.raises(TypeError):
        rt.ones(2, dtype=spec)


# ---------------------------------------------------------------------- tensor()


def test_tensor_from_lists_and_scalars_follows_pytorch() -> None:
    t = rt.tensor([[1, 2, 3], [4, 5, 6]])
    assert t.dtype is rt.int64, "Python ints give int64"
    assert rt.tensor([[1.0, 2, 3]]).dtype is rt.float32, "Python floats give float32"
    assert rt.tensor([True, False]).dtype is rt.bool
    assert t.shape == (2, 3)
    np.testing.assert_array_equal(t.numpy(), [[1, 2, 3], [4, 5, 6]])
    s = rt.tensor(2.5)
    assert s.shape == ()
    assert s.dtype is rt.float32
    assert s.item() == 2.5
    assert rt.tensor([]).shape == (0,)
    assert rt.tensor(True).item() is True


def test_tensor_from_numpy_keeps_its_dtype() -> None:
    assert rt.tensor(np.ones(3)).dtype is rt.float64
    assert rt.tensor(np.ones(3, dtype=np.float32)).dtype is rt.float32
    assert rt.tensor(np.float64(1.0)).dtype is rt.float64
    assert rt.tensor(np.arange(3)).dtype is rt.int64
    assert rt.tensor(np.arange(3, dtype=np.int32)).dtype is rt.int32
    assert rt.tensor(np.arange(3, dtype=np.uint8)).dtype is rt.uint8
    assert rt.tensor(np.ones(3, dtype=np.float16)).dtype is rt.float16
    assert rt.tensor(np.ones(3), dtype="float32").dtype is rt.float32


def test_tensor_copies() -> None:
    a = np.arange(4.0)
    t = rt.tensor(a)
    a[0] = 100.0
    assert t.numpy()[0] == 0.0
    assert not np.shares_memory(t.numpy(), a)


def test_tensor_from_tensor_and_from_non_contiguous() -> None:
    a = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(rt.tensor(a.T).numpy(), a.T)
    np.testing.assert_array_equal(rt.tensor(a[:, ::2]).numpy(), a[:, ::2])
    t = rt.tensor(a)
    np.testing.assert_array_equal(rt.tensor(t).numpy(), a)
    big_endian = a.astype(">f8")
    np.testing.assert_array_equal(rt.tensor(big_endian).numpy(), a)


@pytest.mark.parametrize(
    "bad", [np.array(["a", "b"]), np.array([1 + 2j]), np.array([object()]), ["a", "b"], [1j], "abc"]
)
def test_tensor_rejects_non_real_data(bad: object) -> None:
    with pytest.raises(TypeError):
        rt.tensor(bad)


def test_tensor_rejects_ragged_lists() -> None:
    with pytest.raises(ValueError, match=r"inhomogeneous|sequence"):
        rt.tensor([[1.0, 2.0], [3.0]])


# ---------------------------------------------------------------------- from_numpy


@pytest.mark.parametrize("np_dtype", [np.float32, np.float64])
def test_from_numpy_is_zero_copy(np_dtype: type) -> None:
    a = np.arange(12, dtype=np_dtype).reshape(3, 4)
    t = rt.from_numpy(a)
    assert t.dtype == np_dtype
    assert t.shape == (3, 4)
    out = t.numpy()
    assert np.shares_memory(out, a)
    assert out.__array_interface__["data"][0] == a.__array_interface__["data"][0]
    a[0, 0] = 42.0  # shared memory: the tensor sees writes (as torch.from_numpy)
    assert t.numpy()[0, 0] == 42.0


def test_from_numpy_keeps_the_array_alive() -> None:
    a = np.arange(1000, dtype=np.float32)
    ref = weakref.ref(a)
    t = rt.from_numpy(a)
    y = t * 2.0 + 1.0  # lazy
    del a
    gc.collect()
    assert ref() is not None, "the tensor holds the array"
    np.testing.assert_array_equal(y.numpy(), np.arange(1000, dtype=np.float32) * 2 + 1)
    del t, y
    gc.collect()
    assert ref() is None, "the array is released with the last tensor"


def test_from_numpy_copies_non_contiguous_input() -> None:
    a = np.arange(12.0).reshape(3, 4)
    t = rt.from_numpy(a.T)
    np.testing.assert_array_equal(t.numpy(), a.T)
    assert not np.shares_memory(t.numpy(), a)
    np.testing.assert_array_equal(rt.from_numpy(a[:, 1]).numpy(), a[:, 1])


@pytest.mark.parametrize(
    "a", [np.arange(3, dtype=np.int64), np.arange(3, dtype=np.int32), np.array([True, False])]
)
def test_from_numpy_shares_int_and_bool_arrays(a: np.ndarray) -> None:
    t = rt.from_numpy(a)
    assert t.dtype == a.dtype
    assert np.shares_memory(t.numpy(), a)
    np.testing.assert_array_equal(t.numpy(), a)


def test_from_numpy_keeps_every_real_dtype_and_converts_long_double() -> None:
    a = np.arange(3, dtype=np.uint16)
    assert rt.from_numpy(a).dtype is rt.uint16
    assert np.shares_memory(rt.from_numpy(a).numpy(), a)
    ld = np.arange(3, dtype=np.longdouble)
    assert rt.from_numpy(ld).dtype is rt.float64
    np.testing.assert_array_equal(rt.from_numpy(ld).numpy(), [0, 1, 2])


@pytest.mark.parametrize("bad", [np.array([1j]), np.array(["x"]), np.array([object()])])
def test_from_numpy_rejects_other_dtypes(bad: np.ndarray) -> None:
    with pytest.raises(TypeError):
        rt.from_numpy(bad)


def test_from_numpy_rejects_non_arrays() -> None:
    with pytest.raises(TypeError, match=r"numpy\.ndarray"):
        rt.from_numpy([1.0, 2.0])


# ---------------------------------------------------------------------- numpy()


def test_numpy_is_zero_copy_and_read_only() -> None:
    t = (rt.tensor([1.0, 2.0, 3.0]) * 2.0).eval()
    a, b = t.numpy(), t.numpy()
    assert np.shares_memory(a, b), "both arrays view the tensor's one buffer"
    assert not a.flags.writeable
    assert a.flags.c_contiguous
    with pytest.raises(ValueError, match="read-only"):
        a[0] = 5.0
    c = np.asarray(t)
    assert np.shares_memory(a, c)


def test_result_array_outlives_the_tensor() -> None:
    t = rt.tensor(np.arange(10000.0)) + 1.0
    a = t.numpy()
    del t
    gc.collect()
    np.testing.assert_array_equal(a, np.arange(10000.0) + 1.0)
    base = a.base
    assert base is not None
    assert "rusttorch buffer" in repr(base)


def test_array_protocol() -> None:
    t = rt.tensor([1.0, 2.0])
    a = np.asarray(t, dtype=np.float64)
    assert a.dtype == np.float64
    np.testing.assert_array_equal(a, [1.0, 2.0])
    c = np.array(t)  # copy=True by default
    assert c.flags.writeable
    assert not np.shares_memory(c, t.numpy())
    if np.lib.NumpyVersion(np.__version__) >= "2.0.0":
        with pytest.raises(ValueError, match="copy"):
            np.asarray(t, dtype=np.float64, copy=False)


def test_item_tolist_float() -> None:
    assert rt.tensor([[3.5]]).item() == 3.5
    assert float(rt.tensor(2.0)) == 2.0
    assert rt.tensor([[1, 2], [3, 4]]).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert rt.tensor(1.5).tolist() == 1.5
    with pytest.raises(ValueError, match="one element"):
        rt.tensor([1.0, 2.0]).item()


# ---------------------------------------------------------------------- creation


@needs_constant_graphs
def test_zeros_ones_full(dtype: str) -> None:
    np.testing.assert_array_equal(rt.zeros((2, 3), dtype=dtype).numpy(), np.zeros((2, 3)))
    np.testing.assert_array_equal(rt.ones(4, dtype=dtype).numpy(), np.ones(4))
    f = rt.full((2, 2), 7.5, dtype=dtype)
    assert f.dtype == dtype
    np.testing.assert_array_equal(f.numpy(), np.full((2, 2), 7.5))
    assert rt.zeros(()).shape == ()


@needs_constant_graphs
@needs_arange
def test_arange(dtype: str) -> None:
    np.testing.assert_allclose(rt.arange(5, dtype=dtype).numpy(), np.arange(5.0))
    np.testing.assert_allclose(rt.arange(1, 4).numpy(), np.arange(1.0, 4.0))
    np.testing.assert_allclose(rt.arange(0, 1, 0.25).numpy(), np.arange(0, 1, 0.25))
    np.testing.assert_allclose(rt.arange(5, 0, -1.5).numpy(), np.arange(5, 0, -1.5))
    assert rt.arange(3, 3).shape == (0,)


def test_creation_shapes_and_dtypes(dtype: str) -> None:
    assert rt.zeros((2, 3)).shape == (2, 3)
    assert rt.zeros((2, 3)).dtype is rt.float32
    assert rt.ones([4], dtype=dtype).shape == (4,)
    assert rt.full(3, 1.0, dtype=dtype).dtype == dtype
    assert rt.arange(10, dtype=dtype).shape == (10,)
    assert rt.arange(0, 1, 0.1).shape == (10,)
    with pytest.raises(ValueError, match="step"):
        rt.arange(0, 1, 0)


def test_creation_combined_with_data(dtype: str) -> None:
    x = rt.tensor(np.arange(6.0).reshape(2, 3), dtype=dtype)
    np.testing.assert_allclose(
        (x + rt.ones((2, 3), dtype=dtype)).numpy(), np.arange(6.0).reshape(2, 3) + 1
    )
    np.testing.assert_allclose(
        (x * rt.full(3, 2.0, dtype=dtype)).numpy(), np.arange(6.0).reshape(2, 3) * 2
    )


@needs_arange
def test_arange_combined_with_data(dtype: str) -> None:
    x = rt.tensor(np.arange(6.0).reshape(2, 3), dtype=dtype)
    np.testing.assert_allclose(
        (x - rt.arange(3, dtype=dtype)).numpy(), np.arange(6.0).reshape(2, 3) - np.arange(3)
    )


def test_rand_and_randn(dtype: str) -> None:
    u = rt.rand((1000,), seed=1, dtype=dtype).numpy()
    assert u.dtype == dtype
    assert u.min() >= 0.0
    assert u.max() < 1.0
    assert 0.45 < u.mean() < 0.55
    n = rt.randn((100, 100), seed=2, dtype=dtype).numpy()
    assert abs(n.mean()) < 0.05
    assert 0.95 < n.std() < 1.05
    np.testing.assert_array_equal(rt.rand(5, seed=3).numpy(), rt.rand(5, seed=3).numpy())
    assert not np.array_equal(rt.rand(5).numpy(), rt.rand(5).numpy())
    rt.manual_seed(7)
    first = rt.randn(4).numpy()
    rt.manual_seed(7)
    np.testing.assert_array_equal(rt.randn(4).numpy(), first)


def test_shape_arguments() -> None:
    assert rt.zeros(3).shape == (3,)
    assert rt.zeros((3,)).shape == (3,)
    assert rt.zeros([2, 3]).shape == (2, 3)
    assert rt.zeros(()).shape == ()
    assert rt.zeros((0, 5)).shape == (0, 5)
    assert rt.rand(np.int64(3), seed=0).shape == (3,)
    with pytest.raises(TypeError):
        rt.zeros("3")
    with pytest.raises(TypeError):
        rt.zeros((2.5,))
