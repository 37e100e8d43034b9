"""``.numpy()`` of a view (transpose, permute, slice, expand, reshape...) of a user's array or of an
evaluated buffer is a read-only strided ndarray over the same memory, as torch's ``.numpy()`` is;
anything that needs computing is evaluated into a fresh buffer. NumPy decides which is which: a
RustTorch view shares memory exactly where NumPy's equivalent does, with the same strides.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest
import rusttorch as rt
from test_views import VIEWS, X

DTYPES = ["float32", "float64", "int32", "int64", "bool"]


def source(dtype: str) -> np.ndarray:
    return (X % 7 > 2) if dtype == "bool" else X.astype(dtype)


def strides_of_real_dims(a: np.ndarray) -> tuple[int, ...]:
    """Strides along dims longer than 1 (the others are never stepped along)."""
    return tuple(s for s, d in zip(a.strides, a.shape, strict=True) if d > 1) if a.size else ()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", [v[0] for v in VIEWS])
def test_views_of_user_arrays_share_memory_as_numpy_does(name: str, dtype: str) -> None:
    _, view, np_view = next(v for v in VIEWS if v[0] == name)
    x = source(dtype)
    t = view(rt.from_numpy(x))
    expected = np_view(x)
    lazy = not t.is_evaluated
    got = t.numpy()
    assert got.dtype == expected.dtype
    assert got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)
    # NumPy's full integer index gives a scalar, never a view; a 0-d tensor view stays one.
    through_scalar = name in ("T_0d", "flatten_0d")
    assert np.shares_memory(got, x) == (through_scalar or np.shares_memory(expected, x)), name
    assert strides_of_real_dims(got) == strides_of_real_dims(expected), (got.strides, name)
    assert not got.flags.writeable
    if np.shares_memory(got, x):
        assert t.is_evaluated != lazy, "a view is read in place, not evaluated"


@pytest.mark.parametrize("dtype", DTYPES)
def test_views_of_evaluated_results_share_their_buffer(dtype: str) -> None:
    x = source(dtype)
    y = rt.logical_not(rt.from_numpy(x)) if dtype == "bool" else rt.from_numpy(x) * 3
    y.eval()
    base = y.numpy()
    for view, np_view in [
        (lambda t: t.T, lambda a: a.T),
        (lambda t: t.permute(1, 2, 0)[::-1, 1:4:2], lambda a: a.transpose(1, 2, 0)[::-1, 1:4:2]),
        (lambda t: t[:, :1].expand(4, 3, 6), lambda a: np.broadcast_to(a[:, :1], (4, 3, 6))),
        (lambda t: t[2, :, 3], lambda a: a[2, :, 3]),
        (lambda t: t[1:3].reshape(10, 6).unsqueeze(0), lambda a: a[1:3].reshape(1, 10, 6)),
    ]:
        got, expected = view(y).numpy(), np_view(base)
        np.testing.assert_array_equal(got, expected)
        assert np.shares_memory(got, base)
        assert got.strides == expected.strides


def test_expanded_views_have_zero_strides_and_are_read_only() -> None:
    a = np.arange(3, dtype=np.int64)
    got = rt.from_numpy(a).expand(4, 3).numpy()
    assert got.strides == (0, 8)
    np.testing.assert_array_equal(got, np.broadcast_to(a, (4, 3)))
    with pytest.raises(ValueError, match="read-only"):
        got[0, 0] = 5


def test_the_array_keeps_the_memory_alive() -> None:
    x = np.arange(24.0).reshape(4, 6)
    got = rt.from_numpy(x)[::-1, 1::2].T.numpy()
    expected = x[::-1, 1::2].T.copy()
    del x
    gc.collect()
    np.testing.assert_array_equal(got, expected)
    y = (rt.from_numpy(np.arange(24.0)).reshape(4, 6) + 1).eval()
    v = y.T.numpy()
    del y
    gc.collect()
    np.testing.assert_array_equal(v, np.arange(1.0, 25.0).reshape(4, 6).T)


@pytest.mark.parametrize("dtype", DTYPES)
def test_0d_and_empty_views(dtype: str) -> None:
    x = source(dtype)
    t = rt.from_numpy(x)
    zero_d = t.T[1, 2, 3].numpy()
    assert zero_d.shape == ()
    assert zero_d == x.T[1, 2, 3]
    assert np.shares_memory(zero_d, x)
    for view, np_view in [
        (lambda v: v[:, 3:3].T, lambda a: a[:, 3:3].T),
        (
            lambda v: v[::-1, :0].expand(2, 4, 0, 6),
            lambda a: np.broadcast_to(a[::-1, :0], (2, 4, 0, 6)),
        ),
    ]:
        got = view(t).numpy()
        assert got.shape == np_view(x).shape
        assert got.dtype == x.dtype


def test_a_view_of_something_lazy_is_evaluated_into_a_fresh_buffer() -> None:
    x = X.copy()
    t = rt.from_numpy(x)
    got = (t * 2).T.numpy()
    np.testing.assert_array_equal(got, (x * 2).T)
    assert not np.shares_memory(got, x)
    assert got.flags.c_contiguous


def test_writes_to_the_user_array_show_through_the_view() -> None:
    x = X.copy()
    got = rt.from_numpy(x).T.numpy()
    x[3, 4, 1] = 1000.0
    assert got[1, 4, 3] == 1000.0
