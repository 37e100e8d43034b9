"""searchsorted, bucketize and isin against NumPy (np.searchsorted, np.digitize, np.isin in
float64): dtypes and mixed dtypes, right/side, sorter, batched N-d sequences, numbers, empty and
0-d inputs, NaN/inf/-0.0 values, non-contiguous views."""

from __future__ import annotations

import numpy as np
import pytest
import rusttorch as rt
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

DTYPES = ["float32", "float64", "int32", "int64"]
FLOATS = [0.0, -0.0, 1.0, -1.0, 2.5, -3.0, np.nan, np.inf, -np.inf]


def draw_array(data: st.DataObject, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    elems = st.sampled_from(FLOATS) if dtype.startswith("float") else st.integers(-4, 4)
    return data.draw(hnp.arrays(dtype, shape, elements=elems))


def as_view(data: st.DataObject, x: np.ndarray) -> rt.Tensor:
    """`x` as a tensor, or a transposed or sliced view of one with the same values."""
    how = data.draw(st.sampled_from(["plain", "transposed", "sliced"]))
    if how == "transposed" and x.ndim >= 2:
        return rt.tensor(np.ascontiguousarray(x.swapaxes(0, -1))).transpose(0, -1)
    if how == "sliced" and x.ndim >= 1:
        return rt.tensor(np.concatenate([x, x], axis=-1))[..., : x.shape[-1]]
    return rt.tensor(x)


def want_search(seq: np.ndarray, vals: np.ndarray, side: str) -> np.ndarray:
    """np.searchsorted in float64 line by line (NaN last, as NumPy sorts it)."""
    seq64, vals64 = seq.astype(np.float64), vals.astype(np.float64)
    if seq.ndim == 1:
        return np.searchsorted(seq64, vals64, side=side).astype(np.int64)
    out = np.zeros(vals.shape, dtype=np.int64)
    for pos in np.ndindex(seq.shape[:-1]):
        out[pos] = np.searchsorted(seq64[pos], vals64[pos], side=side)
    return out


@settings(max_examples=120, deadline=None)
@given(
    data=st.data(),
    sdt=st.sampled_from(DTYPES),
    vdt=st.sampled_from(DTYPES),
    batched=st.booleans(),
    how=st.sampled_from(["default", "right", "side_left", "side_right", "both_right"]),
    out_int32=st.booleans(),
)
def test_searchsorted_matches_numpy(
    data: st.DataObject, sdt: str, vdt: str, batched: bool, how: str, out_int32: bool
) -> None:
    if batched:
        lead = data.draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=4))
        k, m = data.draw(st.integers(0, 6)), data.draw(st.integers(0, 5))
        seq_shape, val_shape = (*lead, k), (*lead, m)
    else:
        seq_shape = (data.draw(st.integers(0, 8)),)
        val_shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5))
    seq = np.sort(draw_array(data, sdt, seq_shape), axis=-1)
    vals = draw_array(data, vdt, val_shape)
    kwargs: dict[str, object] = {
        "default": {},
        "right": {"right": True},
        "side_left": {"side": "left"},
        "side_right": {"side": "right"},
        "both_right": {"side": "right", "right": True},
    }[how]
    side = "right" if how in ("right", "side_right", "both_right") else "left"
    got = rt.searchsorted(as_view(data, seq), as_view(data, vals), out_int32=out_int32, **kwargs)
    assert got.dtype == (rt.int32 if out_int32 else rt.int64)
    assert got.shape == vals.shape
    np.testing.assert_array_equal(got.numpy(), want_search(seq, vals, side))


@settings(max_examples=60, deadline=None)
@given(data=st.data(), dtype=st.sampled_from(DTYPES), right=st.booleans())
def test_sorter_reads_the_lines_in_its_order(data: st.DataObject, dtype: str, right: bool) -> None:
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=5))
    raw = draw_array(data, dtype, shape)
    vals = draw_array(data, dtype, (*shape[:-1], 3))
    sorter = np.argsort(raw, axis=-1, kind="stable")
    got = rt.searchsorted(raw, vals, right=right, sorter=rt.tensor(sorter))
    want = want_search(np.sort(raw, axis=-1), vals, "right" if right else "left")
    np.testing.assert_array_equal(got.numpy(), want)


def test_worked_examples_and_numbers() -> None:
    seq = rt.tensor([1, 3, 5, 7, 9])
    vals = rt.tensor([[3, 6, 9], [3, 6, 9]])
    assert rt.searchsorted(seq, vals).numpy().tolist() == [[1, 3, 4], [1, 3, 4]]
    assert rt.searchsorted(seq, vals, right=True).numpy().tolist() == [[2, 3, 5], [2, 3, 5]]
    batched = rt.tensor([[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]])
    assert rt.searchsorted(batched, vals).numpy().tolist() == [[1, 3, 4], [1, 2, 4]]
    # A number gives a 0-d result; an int sequence is searched for a float exactly.
    r = rt.searchsorted(seq, 5)
    assert (r.shape, r.numpy().tolist(), r.dtype) == ((), 2, rt.int64)
    assert rt.searchsorted(seq, 4.5, side="right").numpy().tolist() == 2
    assert rt.searchsorted(rt.tensor([0.1], dtype=rt.float32), 0.1, right=True).numpy() == 1
    assert rt.searchsorted(np.array([1.0, 2.0]), np.float64(1.5)).numpy().tolist() == 1
    # NaN is above every number: a sorted line holds its NaNs last.
    f = rt.tensor([-np.inf, 0.0, np.inf, np.nan])
    nan_vals = rt.tensor([np.nan, -0.0, np.inf])
    assert rt.searchsorted(f, nan_vals).numpy().tolist() == [3, 1, 2]
    assert rt.searchsorted(f, nan_vals, side="right").numpy().tolist() == [4, 2, 3]
    # Empty sequences and values.
    assert rt.searchsorted(rt.tensor([]), rt.tensor([1.0, 2.0])).numpy().tolist() == [0, 0]
    assert rt.searchsorted(seq, rt.tensor(np.zeros((2, 0)))).shape == (2, 0)
    # Lazy: it fuses into nothing but is its own kernel, shown as a search in explain().
    plan = rt.explain(rt.searchsorted(seq, vals * 2))
    assert "strategy search" in plan, plan


def test_broadcast_and_expanded_values() -> None:
    seq = np.array([-1.0, 0.0, 0.5, 2.0], dtype=np.float32)
    row = np.array([[0.25, -2.0, 2.0]], dtype=np.float32)
    v = rt.tensor(row).expand(4, 3)
    np.testing.assert_array_equal(
        rt.searchsorted(seq, v, right=True).numpy(),
        np.searchsorted(seq, np.broadcast_to(row, (4, 3)), side="right"),
    )
    bseq = rt.tensor(seq).expand(3, 4)  # a batched sequence of equal lines
    np.testing.assert_array_equal(
        rt.searchsorted(bseq, rt.tensor(row.T).expand(3, 2)).numpy(),
        np.searchsorted(seq, np.broadcast_to(row.T, (3, 2))),
    )


@settings(max_examples=80, deadline=None)
@given(
    data=st.data(),
    dtype=st.sampled_from(DTYPES),
    bdt=st.sampled_from(DTYPES),
    right=st.booleans(),
)
def test_bucketize_matches_digitize(data: st.DataObject, dtype: str, bdt: str, right: bool) -> None:
    n = data.draw(st.integers(0, 7))
    if bdt.startswith("float"):
        bounds = np.sort(data.draw(hnp.arrays(bdt, n, elements=st.sampled_from(FLOATS[:6]))))
    else:
        bounds = np.sort(draw_array(data, bdt, (n,)))
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5))
    x = draw_array(data, dtype, shape)
    got = rt.bucketize(as_view(data, x), bounds, right=right)
    assert got.dtype == rt.int64
    # torch's right=False is digitize's right=True (x <= boundaries[i]).
    want = np.digitize(x.astype(np.float64), bounds.astype(np.float64), right=not right)
    np.testing.assert_array_equal(got.numpy(), np.asarray(want).reshape(shape))
    assert rt.bucketize(x, bounds, out_int32=True).dtype == rt.int32


def test_bucketize_numbers() -> None:
    b = rt.tensor([1.0, 3.0, 5.0])
    assert rt.bucketize(3, b).numpy().tolist() == 1
    assert rt.bucketize(3.0, b, right=True).numpy().tolist() == 2
    assert rt.bucketize(rt.tensor(7.0), b).shape == ()


@settings(max_examples=100, deadline=None)
@given(
    data=st.data(),
    xdt=st.sampled_from(DTYPES),
    tdt=st.sampled_from(DTYPES),
    invert=st.booleans(),
    assume_unique=st.booleans(),
)
def test_isin_matches_numpy(
    data: st.DataObject, xdt: str, tdt: str, invert: bool, assume_unique: bool
) -> None:
    xs = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5))
    ts = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=5))
    x, t = draw_array(data, xdt, xs), draw_array(data, tdt, ts)
    got = rt.isin(as_view(data, x), as_view(data, t), assume_unique=assume_unique, invert=invert)
    assert got.dtype == rt.bool
    assert got.shape == x.shape
    want = np.isin(x.astype(np.float64), t.astype(np.float64), invert=invert)
    np.testing.assert_array_equal(got.numpy(), want)


def test_isin_numbers_and_lazy() -> None:
    t = rt.tensor([1, 2, 3])
    assert rt.isin(2, t).numpy().tolist() is True
    assert rt.isin(2.5, t).numpy().tolist() is False
    assert rt.isin(t, 2).numpy().tolist() == [False, True, False]
    assert rt.isin(t, 2, invert=True).numpy().tolist() == [True, False, True]
    assert rt.isin(rt.tensor([np.nan, 0.0]), [np.nan, -0.0]).numpy().tolist() == [False, True]
    # Nothing is evaluated while building it.
    x = rt.tensor([1.0, 5.0]) * 2
    y = rt.isin(x, rt.tensor([10.0, 3.0]))
    assert not x.is_evaluated
    assert y.numpy().tolist() == [False, True]


def test_bad_arguments() -> None:
    seq = rt.tensor([1.0, 2.0])
    with pytest.raises(ValueError, match=r"^searchsorted: side can only be 'left' or 'right'"):
        rt.searchsorted(seq, seq, side="middle")
    with pytest.raises(TypeError, match=r"^searchsorted is not supported for dtype bool"):
        rt.searchsorted(rt.tensor([True]), seq)
    with pytest.raises(
        ValueError, match=r"^searchsorted: boundary and sorter must have the same size"
    ):
        rt.searchsorted(seq, seq, sorter=rt.tensor([0]))
    with pytest.raises(TypeError, match=r"^isin is not supported for dtype bool"):
        rt.isin(rt.tensor([True]), seq)
    with pytest.raises(TypeError, match=r"^isin\(\): at least one of elements and test_elements"):
        rt.isin(1, 2)
