"""Movement ops (flip, roll, rot90, repeat, tile, repeat_interleave, split, chunk, unbind,
narrow, movedim, swapaxes, unflatten, broadcast_*, pad) and the size attributes, against NumPy;
and that flipping an elementwise expression adds no kernel."""

from __future__ import annotations

import numpy as np
import pytest
import rusttorch as rt
import rusttorch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

DTYPES = ["float32", "float64", "int32", "int64", "bool"]


def sample(shape: tuple[int, ...], dtype: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = rng.integers(-50, 50, size=shape)
    if dtype == "bool":
        return a > 0
    return a.astype(dtype)


shapes = st.lists(st.integers(0, 4), min_size=0, max_size=4).map(tuple)
dtypes = st.sampled_from(DTYPES)


def as_view(a: np.ndarray, transposed: bool) -> tuple[rt.Tensor, np.ndarray]:
    """``a`` as a tensor, or as the transpose of a tensor (a strided view) with its NumPy twin."""
    if transposed and a.ndim >= 2:
        t = rt.tensor(np.ascontiguousarray(a.swapaxes(0, 1))).transpose(0, 1)
        return t, a
    return rt.tensor(a), a


@settings(max_examples=60, deadline=None)
@given(shapes, dtypes, st.booleans(), st.data())
def test_flip_roll_match_numpy(
    shape: tuple[int, ...], dtype: str, view: bool, data: st.DataObject
) -> None:
    t, a = as_view(sample(shape, dtype), view)
    if a.ndim == 0:
        np.testing.assert_array_equal(t.roll(3).numpy(), np.roll(a, 3))
        return
    dims = data.draw(
        st.lists(
            st.integers(-a.ndim, a.ndim - 1),
            min_size=1,
            max_size=a.ndim,
            unique_by=lambda d: d % a.ndim,
        )
    )
    np.testing.assert_array_equal(t.flip(dims).numpy(), np.flip(a, dims))
    np.testing.assert_array_equal(rt.flip(t, dims).numpy(), np.flip(a, dims))
    shifts = data.draw(st.lists(st.integers(-7, 7), min_size=len(dims), max_size=len(dims)))
    np.testing.assert_array_equal(t.roll(shifts, dims).numpy(), np.roll(a, shifts, dims))
    np.testing.assert_array_equal(t.roll(shifts[0]).numpy(), np.roll(a, shifts[0]))


@settings(max_examples=40, deadline=None)
@given(shapes.filter(lambda s: len(s) >= 2), dtypes, st.integers(-5, 5), st.booleans())
def test_rot90_fliplr_flipud(shape: tuple[int, ...], dtype: str, k: int, view: bool) -> None:
    t, a = as_view(sample(shape, dtype), view)
    np.testing.assert_array_equal(t.rot90(k).numpy(), np.rot90(a, k))
    np.testing.assert_array_equal(rt.rot90(t, k, (-1, 0)).numpy(), np.rot90(a, k, (a.ndim - 1, 0)))
    np.testing.assert_array_equal(t.fliplr().numpy(), np.fliplr(a))
    np.testing.assert_array_equal(rt.flipud(t).numpy(), np.flipud(a))


@settings(max_examples=60, deadline=None)
@given(shapes, dtypes, st.data())
def test_repeat_tile_repeat_interleave(
    shape: tuple[int, ...], dtype: str, data: st.DataObject
) -> None:
    a = sample(shape, dtype)
    t = rt.tensor(a)
    reps = data.draw(st.lists(st.integers(0, 3), min_size=a.ndim, max_size=a.ndim + 2))
    if reps:
        np.testing.assert_array_equal(t.repeat(*reps).numpy(), np.tile(a, reps))
    tile = data.draw(st.lists(st.integers(0, 3), min_size=0, max_size=a.ndim + 1))
    np.testing.assert_array_equal(t.tile(tile).numpy(), np.tile(a, tile))
    r = data.draw(st.integers(0, 3))
    np.testing.assert_array_equal(t.repeat_interleave(r).numpy(), np.repeat(a, r))
    if a.ndim:
        d = data.draw(st.integers(-a.ndim, a.ndim - 1))
        np.testing.assert_array_equal(
            t.repeat_interleave(r, dim=d).numpy(), np.repeat(a, r, axis=d)
        )
        counts = data.draw(st.lists(st.integers(0, 3), min_size=a.shape[d], max_size=a.shape[d]))
        want = np.repeat(a, counts, axis=d)
        np.testing.assert_array_equal(
            t.repeat_interleave(rt.tensor(counts, dtype=rt.int64), d).numpy(), want
        )
        np.testing.assert_array_equal(rt.repeat_interleave(t, counts, d).numpy(), want)


def torch_split_sizes(n: int, size: int) -> list[int]:
    return [min(size, n - i) for i in range(0, n, size)] or [0]


@settings(max_examples=60, deadline=None)
@given(shapes.filter(lambda s: len(s) >= 1), dtypes, st.data())
def test_split_chunk_unbind_narrow(shape: tuple[int, ...], dtype: str, data: st.DataObject) -> None:
    a = sample(shape, dtype)
    t = rt.tensor(a)
    d = data.draw(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[d]
    size = data.draw(st.integers(1, 5))
    parts = t.split(size, d)
    want = torch_split_sizes(n, size)
    assert [p.shape[d] for p in parts] == want
    np.testing.assert_array_equal(np.concatenate([p.numpy() for p in parts], axis=d), a)
    cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=3)))
    sections = np.diff([0, *cuts, n]).tolist()
    got = rt.split(t, sections, d)
    bounds = np.cumsum(sections)[:-1]
    for g, w in zip(got, np.split(a, bounds, axis=d), strict=True):
        np.testing.assert_array_equal(g.numpy(), w)
    chunks = data.draw(st.integers(1, 6))
    c = t.chunk(chunks, d)
    per = -(-n // chunks) if n else 0
    assert [p.shape[d] for p in c] == torch_split_sizes(n, max(per, 1))
    un = t.unbind(d)
    assert len(un) == n
    for i, u in enumerate(un):
        np.testing.assert_array_equal(u.numpy(), np.take(a, i, axis=d))
    start = data.draw(st.integers(-n, n)) if n else 0
    s0 = start + n if start < 0 else start
    length = data.draw(st.integers(0, n - s0))
    np.testing.assert_array_equal(
        t.narrow(d, start, length).numpy(), np.take(a, range(s0, s0 + length), axis=d)
    )


@settings(max_examples=40, deadline=None)
@given(shapes.filter(lambda s: len(s) >= 1), st.data())
def test_movedim_swapaxes_unflatten(shape: tuple[int, ...], data: st.DataObject) -> None:
    a = sample(shape, "float64")
    t = rt.tensor(a)
    k = data.draw(st.integers(1, a.ndim))
    src = data.draw(st.permutations(range(a.ndim)))[:k]
    dst = data.draw(st.permutations(range(a.ndim)))[:k]
    np.testing.assert_array_equal(t.movedim(src, dst).numpy(), np.moveaxis(a, src, dst))
    np.testing.assert_array_equal(rt.moveaxis(t, src, dst).numpy(), np.moveaxis(a, src, dst))
    i, j = data.draw(st.integers(0, a.ndim - 1)), data.draw(st.integers(0, a.ndim - 1))
    np.testing.assert_array_equal(t.swapaxes(i, j).numpy(), np.swapaxes(a, i, j))
    np.testing.assert_array_equal(rt.swapdims(t, i, j).numpy(), np.swapaxes(a, i, j))
    d = data.draw(st.integers(0, a.ndim - 1))
    sizes = (1, a.shape[d], 1) if a.shape[d] else (0, 1)
    want = a.reshape(a.shape[:d] + sizes + a.shape[d + 1 :])
    np.testing.assert_array_equal(t.unflatten(d, sizes).numpy(), want)
    if a.shape[d]:
        np.testing.assert_array_equal(
            t.unflatten(d, (-1, 1)).shape, (*a.shape[:d], a.shape[d], 1, *a.shape[d + 1 :])
        )


def test_movedim_torch_examples() -> None:
    t = rt.tensor(np.arange(6.0).reshape(3, 2, 1))
    assert t.movedim(1, 0).shape == (2, 3, 1)
    assert t.movedim((1, 2), (0, 1)).shape == (2, 1, 3)
    with pytest.raises(ValueError, match=r"^movedim: dim 1 appears more than once"):
        t.movedim((1, 1), (0, 2))


def test_broadcast_views_and_attributes() -> None:
    a, b = rt.tensor(np.arange(3.0)), rt.tensor(np.ones((2, 1), dtype=np.float32))
    x, y = rt.broadcast_tensors(a, b)
    want_x, want_y = np.broadcast_arrays(np.arange(3.0), np.ones((2, 1), np.float32))
    np.testing.assert_array_equal(x.numpy(), want_x)
    np.testing.assert_array_equal(y.numpy(), want_y)
    assert rt.broadcast_shapes((2, 1), (3,), ()) == (2, 3)
    assert rt.broadcast_shapes(5, (1,)) == (5,)
    with pytest.raises(
        ValueError, match=r"^broadcast_shapes: shapes \[2\] and \[3\] do not broadcast"
    ):
        rt.broadcast_shapes((2,), (3,))
    assert a.expand_as(x).shape == (2, 3)
    assert rt.tensor(np.arange(6)).view_as(x).shape == (2, 3)
    t = rt.tensor(np.zeros((2, 3, 4)))
    assert t.size() == (2, 3, 4)
    assert t.size(1) == 3
    assert t.size(-1) == 4
    assert t.dim() == 3
    assert t.ndimension() == 3
    assert rt.numel(t) == 24
    assert t.element_size() == 8
    assert t.itemsize == 8
    assert t.nbytes == 192
    with pytest.raises(IndexError, match=r"^size: dim 3 is out of range"):
        t.size(3)
    i = rt.tensor([1, 2], dtype=rt.int32)
    assert i.type_as(t).dtype == rt.float64
    assert i.type_as(i) is i
    assert t.to(rt.float64) is t
    assert t.to("cpu") is t
    assert t.to(i).dtype == rt.int32
    c = t.clone()
    assert c is not t
    assert rt.clone(t).shape == t.shape
    t += 1
    assert float(c.sum()) == 0.0  # an in-place op on one name leaves the clone alone


PAD_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 5), min_size=1, max_size=3).map(tuple),
    st.sampled_from(list(PAD_MODES)),
    st.data(),
)
def test_pad_matches_numpy(shape: tuple[int, ...], mode: str, data: st.DataObject) -> None:
    a = sample(shape, "float64")
    k = data.draw(st.integers(1, a.ndim))
    pad: list[int] = []
    widths = [(0, 0)] * a.ndim
    for i in range(k):
        d = a.ndim - 1 - i
        hi = a.shape[d] - 1 if mode == "reflect" else a.shape[d] if mode == "circular" else 4
        left, right = data.draw(st.integers(0, hi)), data.draw(st.integers(0, hi))
        pad += [left, right]
        widths[d] = (left, right)
    kw = {"constant_values": 2.5} if mode == "constant" else {}
    want = np.pad(a, widths, mode=PAD_MODES[mode], **kw)  # type: ignore[call-overload]
    got = F.pad(rt.tensor(a), pad, mode=mode, value=2.5 if mode == "constant" else None)
    np.testing.assert_array_equal(got.numpy(), want)


def test_pad_crops_and_rejects() -> None:
    a = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(
        F.pad(rt.tensor(a), (-1, 2)).numpy(), np.pad(a[:, 1:], ((0, 0), (0, 2)))
    )
    with pytest.raises(
        ValueError, match=r"^pad: padding \(4, 0\) of dim 1 of size 4 must be less than"
    ):
        F.pad(rt.tensor(a), (4, 0), mode="reflect")
    with pytest.raises(ValueError, match=r"^pad: mode must be"):
        F.pad(rt.tensor(a), (1, 1), mode="wrap")
    with pytest.raises(ValueError, match=r"^pad: pad must hold a \(left, right\) pair"):
        F.pad(rt.tensor(a), (1, 1, 1))


def test_bad_arguments_name_the_op_and_argument() -> None:
    t = rt.tensor(np.zeros((2, 3)))
    with pytest.raises(IndexError, match=r"^flip: dim 2 is out of range"):
        t.flip(2)
    with pytest.raises(ValueError, match=r"^flip: dim 0 appears more than once"):
        t.flip(0, 0)
    with pytest.raises(ValueError, match=r"^roll: shifts and dims must have the same length"):
        t.roll((1, 2), 0)
    with pytest.raises(ValueError, match=r"^repeat: number of repeats \(1\) can not be smaller"):
        t.repeat(2)
    with pytest.raises(ValueError, match=r"^repeat: sizes must not be negative"):
        t.repeat(2, -1)
    with pytest.raises(ValueError, match=r"^narrow: start \(2\) \+ length \(2\) exceeds"):
        t.narrow(1, 2, 2)
    with pytest.raises(
        ValueError, match=r"^split: split sizes \[1, 1\] add up to 2, but dim 1 has size 3"
    ):
        t.split([1, 1], 1)
    with pytest.raises(ValueError, match=r"^chunk: chunks must be greater than 0"):
        t.chunk(0)
    with pytest.raises(ValueError, match=r"^rot90: dims must be two different dims"):
        t.rot90(1, (0, 0))
    with pytest.raises(ValueError, match=r"^fliplr needs a tensor with at least 2 dims"):
        rt.tensor([1.0]).fliplr()
    with pytest.raises(ValueError, match=r"^repeat_interleave: repeats must have 3 counts"):
        t.repeat_interleave([1, 2], dim=1)
    with pytest.raises(ValueError, match=r"^unflatten: shape \[4, -1\] is invalid"):
        t.unflatten(1, (4, -1))
    with pytest.raises(ValueError, match=r"^expand_as: shapes"):
        t.expand_as(rt.zeros(3, 3))


def test_flip_of_elementwise_is_one_kernel() -> None:
    x = rt.tensor(np.arange(12.0, dtype=np.float32).reshape(3, 4))
    y = (x.flip(0) * 2 + 1).sum()
    assert rt.explain(y).count("kernel ") == 1, rt.explain(y)
    assert y.item() == pytest.approx(float((np.arange(12.0) * 2 + 1).sum()))
    z = (x * 2).flip(0, 1) + x
    assert rt.explain(z).count("kernel ") == 1, rt.explain(z)
    np.testing.assert_array_equal(z.numpy(), np.flip(x.numpy() * 2) + x.numpy())


def test_nn_functional_reexports() -> None:
    assert F.relu is rt.relu
    assert F.softmax is rt.softmax
    assert set(F.__all__) <= set(dir(F))
    x = rt.tensor(np.arange(4.0).reshape(1, 1, 2, 2))
    want = np.pad(np.arange(4.0).reshape(1, 1, 2, 2), ((0, 0), (0, 0), (1, 1), (1, 1)), mode="edge")
    np.testing.assert_array_equal(F.pad(x, (1, 1, 1, 1), mode="replicate").numpy(), want)
