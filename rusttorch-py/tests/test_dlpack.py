"""DLPack exchange: ``Tensor.__dlpack__`` / ``__dlpack_device__`` and ``rusttorch.from_dlpack``,
zero-copy both ways with NumPy and PyTorch (data addresses compared), versioned and legacy
capsules, the read-only flag, strides of views, ``copy=``, keep-alive and bad input."""

from __future__ import annotations

import ctypes
import gc
import weakref
from typing import Any

import numpy as np
import pytest
import rusttorch as rt
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# Every dtype a tensor can have, by NumPy name; the ones this build lacks are left out, so a new
# dtype is tested here as soon as it exists (and fails until it has its DLPack row).
ALL_DTYPES = [
    "float32", "float64", "int32", "int64", "bool",
    "int8", "int16", "uint8", "uint16", "uint32", "uint64", "float16",
]  # fmt: skip
DTYPES = [d for d in ALL_DTYPES if hasattr(rt, d)]


def sample(dtype: str, shape: tuple[int, ...] = (2, 3)) -> np.ndarray:
    values = np.arange(int(np.prod(shape))).reshape(shape)
    if dtype == "bool":
        return np.asarray(values % 3 == 0)
    return np.asarray(values - 2).astype(dtype)


def capsule_name(capsule: object) -> str:
    get_name = ctypes.pythonapi.PyCapsule_GetName
    get_name.restype = ctypes.c_char_p
    get_name.argtypes = [ctypes.py_object]
    return get_name(capsule).decode()


class Producer:
    """A producer handing out a given capsule (and a given device), for protocol corner cases."""

    def __init__(self, make: Any, device: tuple[int, int] = (1, 0)) -> None:
        self.make, self.device, self.calls = make, device, []

    def __dlpack_device__(self) -> tuple[int, int]:
        return self.device

    def __dlpack__(self, **kwargs: Any) -> object:
        self.calls.append(kwargs)
        return self.make(**kwargs)


# ----------------------------------------------------------------------------- NumPy


@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_reads_a_tensor_without_a_copy(dtype: str) -> None:
    t = rt.tensor(sample(dtype))
    a = np.from_dlpack(t)
    assert a.ctypes.data == t.data_ptr()
    assert a.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(a, sample(dtype))
    assert not a.flags.writeable  # the versioned capsule is read-only: buffers are values


@pytest.mark.parametrize("dtype", DTYPES)
def test_a_tensor_reads_a_numpy_array_without_a_copy(dtype: str) -> None:
    a = sample(dtype)
    t = rt.from_dlpack(a)
    assert t.data_ptr() == a.ctypes.data
    assert str(t.dtype).removeprefix("rusttorch.") == dtype
    np.testing.assert_array_equal(t.numpy(), a)
    np.testing.assert_array_equal((t == t).numpy(), np.ones(a.shape, bool))


@pytest.mark.parametrize("shape", [(), (0,), (2, 0, 3), (1,), (5,), (2, 3, 4)])
def test_shapes_round_trip_through_numpy(shape: tuple[int, ...]) -> None:
    a = sample("float64", shape)
    t = rt.from_dlpack(a)
    assert t.shape == shape
    b = np.from_dlpack(t)
    assert b.shape == shape
    np.testing.assert_array_equal(b, a)
    if a.size:
        assert b.ctypes.data == a.ctypes.data == t.data_ptr()
    else:
        assert t.data_ptr() == 0


def test_a_tensor_round_trips_through_itself() -> None:
    t = rt.tensor([[1.0, 2.0], [3.0, 4.0]])
    u = rt.from_dlpack(t)
    assert u.data_ptr() == t.data_ptr()
    np.testing.assert_array_equal(u.numpy(), t.numpy())


def test_a_lazy_tensor_is_evaluated_first() -> None:
    x = rt.tensor([1.0, 2.0, 3.0])
    t = x * 2 + 1
    assert not t.is_evaluated
    a = np.from_dlpack(t)
    assert t.is_evaluated
    np.testing.assert_array_equal(a, [3.0, 5.0, 7.0])
    assert a.ctypes.data == t.data_ptr()


def test_device_is_the_cpu() -> None:
    assert rt.ones(2).__dlpack_device__() == (1, 0)


# ----------------------------------------------------------------------------- views


@pytest.mark.parametrize(
    "view",
    [
        lambda t: t.T,
        lambda t: t[:, ::2],
        lambda t: t[1:],
        lambda t: t[1],
        lambda t: t.unsqueeze(0).expand(4, 3, 4),
        lambda t: t.permute(1, 0)[::2],
    ],
    ids=["transpose", "step", "slice", "row", "expand", "permute-step"],
)
def test_views_of_an_evaluated_tensor_are_exported_with_their_strides(view: Any) -> None:
    base = rt.tensor(np.arange(12.0).reshape(3, 4))
    v = view(base)
    expected = v.numpy()
    a = np.from_dlpack(v)
    np.testing.assert_array_equal(a, expected)
    assert a.strides == expected.strides
    # The same memory: the first element is where the view starts inside the base buffer.
    assert a.ctypes.data == v.data_ptr() == expected.ctypes.data
    assert base.data_ptr() <= a.ctypes.data < base.data_ptr() + 12 * 8


def test_a_reversed_view_is_exported_as_a_contiguous_copy() -> None:
    base = rt.tensor(np.arange(6.0).reshape(2, 3))
    v = base.flip(1)
    a = np.from_dlpack(v)
    np.testing.assert_array_equal(a, np.arange(6.0).reshape(2, 3)[:, ::-1])
    assert a.flags.c_contiguous
    assert a.flags.writeable  # a fresh copy is the consumer's alone (IS_COPIED, not READ_ONLY)
    with pytest.raises(BufferError, match="copy=False"):
        v.__dlpack__(max_version=(1, 0), copy=False)


@pytest.mark.parametrize(
    "make",
    [
        lambda a: a.T,
        lambda a: np.asfortranarray(a),
        lambda a: a[:, ::2],
        lambda a: a[::-1],
        lambda a: np.broadcast_to(a[:1], (3, 4)),
    ],
    ids=["transpose", "fortran", "step", "reversed", "broadcast"],
)
def test_non_contiguous_arrays_are_copied(make: Any) -> None:
    a = make(np.arange(12.0).reshape(3, 4))
    t = rt.from_dlpack(a)
    np.testing.assert_array_equal(t.numpy(), a)
    assert t.numpy().flags.c_contiguous
    with pytest.raises(BufferError, match=r"^from_dlpack: copy=False.*not C-contiguous"):
        rt.from_dlpack(a, copy=False)


@st.composite
def strided_arrays(draw: st.DrawFn) -> np.ndarray:
    """An array of a random dtype and shape, then a random transpose and step slices of it."""
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5))
    a = draw(hnp.arrays(np.dtype(dtype), shape))
    a = a.transpose(draw(st.permutations(range(a.ndim))))
    steps = tuple(slice(None, None, draw(st.sampled_from([1, 2, -1, -2]))) for _ in range(a.ndim))
    return a[steps] if a.ndim else a


@settings(max_examples=60, deadline=None)
@given(strided_arrays())
def test_any_strided_array_round_trips(a: np.ndarray) -> None:
    t = rt.from_dlpack(a)
    assert t.shape == a.shape
    np.testing.assert_array_equal(t.numpy(), a)
    if a.flags.c_contiguous and a.size:
        assert t.data_ptr() == a.ctypes.data
    b = np.from_dlpack(t.T)
    np.testing.assert_array_equal(b, a.T)


def test_size_one_dims_with_any_stride_are_contiguous() -> None:
    a = np.arange(6.0).reshape(6, 1)[:, :1]
    b = np.lib.stride_tricks.as_strided(a, (6, 1), (8, 1000))
    t = rt.from_dlpack(b)
    assert t.data_ptr() == b.ctypes.data


# ----------------------------------------------------------------------------- read-only, copy


def test_a_read_only_array_is_shared_and_never_written() -> None:
    a = np.arange(4.0)
    a.flags.writeable = False
    t = rt.from_dlpack(a)
    assert t.data_ptr() == a.ctypes.data
    t += 1  # rebinds t to a new buffer: values are immutable
    t.eval()
    np.testing.assert_array_equal(a, np.arange(4.0))
    np.testing.assert_array_equal(t.numpy(), np.arange(4.0) + 1)
    assert t.data_ptr() != a.ctypes.data


def test_a_tensor_exported_again_stays_read_only() -> None:
    a = np.arange(4.0)
    b = np.from_dlpack(rt.from_dlpack(a))
    assert b.ctypes.data == a.ctypes.data
    assert not b.flags.writeable


def test_copy_true_copies_both_ways() -> None:
    t = rt.tensor([1.0, 2.0, 3.0])
    a = np.from_dlpack(t, copy=True)
    assert a.ctypes.data != t.data_ptr()
    assert a.flags.writeable
    a[0] = 9.0
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0, 3.0])

    b = np.arange(3.0)
    u = rt.from_dlpack(b, copy=True)
    assert u.data_ptr() != b.ctypes.data
    b[0] = 9.0
    np.testing.assert_array_equal(u.numpy(), [0.0, 1.0, 2.0])


def test_copy_false_shares_both_ways() -> None:
    t = rt.tensor([1.0, 2.0, 3.0])
    assert np.from_dlpack(t, copy=False).ctypes.data == t.data_ptr()
    b = np.arange(3.0)
    assert rt.from_dlpack(b, copy=False).data_ptr() == b.ctypes.data


# ----------------------------------------------------------------------------- capsules


def test_capsule_names_follow_max_version_and_are_renamed_when_consumed() -> None:
    t = rt.tensor([1.0, 2.0])
    assert capsule_name(t.__dlpack__()) == "dltensor"
    assert capsule_name(t.__dlpack__(max_version=(0, 8))) == "dltensor"
    versioned = t.__dlpack__(max_version=(1, 0))
    assert capsule_name(versioned) == "dltensor_versioned"
    assert capsule_name(t.__dlpack__(max_version=(1, 9), dl_device=(1, 0))) == "dltensor_versioned"
    u = rt.from_dlpack(versioned)
    assert capsule_name(versioned) == "used_dltensor_versioned"
    assert u.data_ptr() == t.data_ptr()
    legacy = t.__dlpack__()
    rt.from_dlpack(legacy)
    assert capsule_name(legacy) == "used_dltensor"
    with pytest.raises(ValueError, match="already been consumed"):
        rt.from_dlpack(legacy)


def test_the_producer_is_asked_for_a_versioned_capsule_first() -> None:
    a = np.arange(3.0)
    p = Producer(a.__dlpack__)
    t = rt.from_dlpack(p)
    assert p.calls[0]["max_version"][0] >= 1
    assert t.data_ptr() == a.ctypes.data


def test_a_producer_without_the_keywords_gets_a_plain_call() -> None:
    a = np.arange(3.0)

    class Old:
        def __dlpack__(self) -> object:
            return a.__dlpack__()

    t = rt.from_dlpack(Old())
    assert t.data_ptr() == a.ctypes.data


# ----------------------------------------------------------------------------- keep-alive


def test_the_tensor_keeps_the_producer_alive_and_releases_it() -> None:
    a = np.arange(1000.0)
    ptr, alive = a.ctypes.data, weakref.ref(a)
    t = rt.from_dlpack(a)
    del a
    gc.collect()
    assert alive() is not None
    assert t.data_ptr() == ptr
    np.testing.assert_array_equal((t * 1).numpy(), np.arange(1000.0))
    del t
    gc.collect()
    assert alive() is None


def test_an_array_keeps_the_tensor_memory_alive() -> None:
    t = rt.tensor(np.arange(1000.0)) * 2
    a = np.from_dlpack(t)
    del t
    gc.collect()
    np.testing.assert_array_equal(a, np.arange(1000.0) * 2)


def test_unconsumed_and_consumed_capsules_release_the_memory() -> None:
    a = np.arange(10.0)
    alive = weakref.ref(a)
    t = rt.from_dlpack(a)
    unused, used = t.__dlpack__(max_version=(1, 0)), t.__dlpack__()
    u = rt.from_dlpack(used)
    del a, t
    gc.collect()
    assert alive() is not None
    del unused  # the capsule's destructor calls the deleter: it was never consumed
    gc.collect()
    assert alive() is not None  # `u` holds it
    del used  # consumed: the capsule's destructor leaves it to `u`
    gc.collect()
    np.testing.assert_array_equal(u.numpy(), np.arange(10.0))
    del u
    gc.collect()
    assert alive() is None


# ----------------------------------------------------------------------------- bad input


def test_unsupported_dtypes_name_the_dtype() -> None:
    with pytest.raises(TypeError, match=r"^from_dlpack: unsupported dtype complex128"):
        rt.from_dlpack(np.array([1j, 2j]))
    with pytest.raises(TypeError, match=r"^from_dlpack: unsupported dtype complex64"):
        rt.from_dlpack(np.array([1j], np.complex64))


def test_arrays_off_the_cpu_are_refused_or_copied_when_asked() -> None:
    a = np.arange(3.0)
    gpu = Producer(lambda **kw: a.__dlpack__(max_version=kw.get("max_version")), device=(2, 0))
    with pytest.raises(BufferError, match=r"DLPack device \(2, 0\), not the CPU"):
        rt.from_dlpack(gpu)
    t = rt.from_dlpack(gpu, device="cpu")
    assert gpu.calls[-1]["dl_device"] == (1, 0)
    np.testing.assert_array_equal(t.numpy(), a)
    with pytest.raises(ValueError, match=r"device must be 'cpu'"):
        rt.from_dlpack(a, device="cuda")


def test_export_arguments_are_checked() -> None:
    t = rt.tensor([1.0])
    with pytest.raises(ValueError, match=r"^__dlpack__: stream must be None"):
        t.__dlpack__(stream=1)
    with pytest.raises(BufferError, match=r"^__dlpack__: cannot export to DLPack device \(2, 0\)"):
        t.__dlpack__(dl_device=(2, 0))
    with pytest.raises(TypeError):
        t.__dlpack__(1)


def test_objects_without_dlpack_are_type_errors() -> None:
    with pytest.raises(TypeError, match=r"^from_dlpack: expected an array supporting DLPack"):
        rt.from_dlpack([1.0, 2.0])
    with pytest.raises(TypeError, match="not a DLPack capsule"):
        rt.from_dlpack(Producer(lambda **kw: 3))


# ----------------------------------------------------------------------------- PyTorch

TORCH_DTYPES = {
    "float32": "float32", "float64": "float64", "int32": "int32", "int64": "int64", "bool": "bool",
    "int8": "int8", "int16": "int16", "uint8": "uint8", "uint16": "uint16", "uint32": "uint32",
    "uint64": "uint64", "float16": "float16",
}  # fmt: skip


@pytest.fixture
def torch() -> Any:
    return pytest.importorskip("torch")


@pytest.mark.parametrize("dtype", DTYPES)
def test_torch_reads_a_tensor_without_a_copy(torch: Any, dtype: str) -> None:
    t = rt.tensor(sample(dtype))
    x = torch.from_dlpack(t)
    assert x.data_ptr() == t.data_ptr()
    assert x.dtype == getattr(torch, TORCH_DTYPES[dtype])
    np.testing.assert_array_equal(x.numpy(), sample(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_a_tensor_reads_a_torch_tensor_without_a_copy(torch: Any, dtype: str) -> None:
    x = torch.from_numpy(sample(dtype).copy())
    t = rt.from_dlpack(x)
    assert t.data_ptr() == x.data_ptr()
    np.testing.assert_array_equal(t.numpy(), sample(dtype))


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
def test_half_dtypes_with_torch(torch: Any, dtype: str) -> None:
    x = torch.arange(-3, 3).to(getattr(torch, dtype))
    if not hasattr(rt, dtype):
        with pytest.raises(TypeError, match=rf"^from_dlpack: unsupported dtype {dtype}"):
            rt.from_dlpack(x)
        return
    t = rt.from_dlpack(x)
    assert t.data_ptr() == x.data_ptr()
    y = torch.from_dlpack(t)
    assert y.dtype == x.dtype
    assert y.data_ptr() == x.data_ptr()
    assert torch.equal(y, x)


def test_torch_views_and_shapes(torch: Any) -> None:
    base = rt.tensor(np.arange(12.0).reshape(3, 4))
    x = torch.from_dlpack(base.T)
    assert x.data_ptr() == base.data_ptr()
    assert x.stride() == (1, 4)
    np.testing.assert_array_equal(x.numpy(), np.arange(12.0).reshape(3, 4).T)
    np.testing.assert_array_equal(
        torch.from_dlpack(base.flip(0)).numpy(), np.arange(12.0).reshape(3, 4)[::-1]
    )
    for shape in [(), (0,), (3, 0)]:
        y = torch.zeros(shape, dtype=torch.float64)
        assert rt.from_dlpack(y).shape == shape
        assert tuple(torch.from_dlpack(rt.zeros(shape, dtype=rt.float64)).shape) == shape


def test_torch_non_contiguous_tensors_are_copied(torch: Any) -> None:
    x = torch.arange(12.0).reshape(3, 4).T
    t = rt.from_dlpack(x)
    np.testing.assert_array_equal(t.numpy(), x.numpy())
    assert t.data_ptr() != x.data_ptr()


def test_torch_keep_alive_both_ways(torch: Any) -> None:
    x = torch.arange(1000.0, dtype=torch.float64)
    ptr = x.data_ptr()
    t = rt.from_dlpack(x)
    del x
    gc.collect()
    assert t.data_ptr() == ptr
    np.testing.assert_array_equal(t.numpy(), np.arange(1000.0))
    u = rt.tensor(np.arange(1000.0)) + 1
    y = torch.from_dlpack(u)
    del u
    gc.collect()
    np.testing.assert_array_equal(y.numpy(), np.arange(1000.0) + 1)


def test_torch_copy_and_unsupported_dtypes(torch: Any) -> None:
    t = rt.tensor([1.0, 2.0])
    assert torch.from_dlpack(t, copy=True).data_ptr() != t.data_ptr()
    x = torch.tensor([1.0, 2.0])
    assert rt.from_dlpack(x, copy=True).data_ptr() != x.data_ptr()
    with pytest.raises(TypeError, match=r"^from_dlpack: unsupported dtype complex64"):
        rt.from_dlpack(torch.zeros(2, dtype=torch.complex64))
