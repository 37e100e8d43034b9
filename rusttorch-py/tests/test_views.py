"""Views (permute, transpose, .T/.mT, squeeze/unsqueeze, expand/broadcast_to, flatten,
view/reshape, contiguous) and basic indexing ``t[...]``, against NumPy.

A view moves elements without arithmetic, so results must equal NumPy's exactly; arithmetic on
views uses the usual tolerances from helpers.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import rusttorch as rt
from helpers import assert_close
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

X = np.arange(4 * 5 * 6, dtype=np.float64).reshape(4, 5, 6) * 0.5 - 7.0


def both(dtype: str = "float64") -> tuple[rt.Tensor, np.ndarray]:
    x = X.astype(dtype)
    return rt.from_numpy(x), x


def check(t: rt.Tensor, expected: np.ndarray) -> None:
    """Same shape, dtype and values (exactly: views do no arithmetic)."""
    assert t.shape == expected.shape, (t.shape, expected.shape)
    got = t.numpy()
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


# (name, rusttorch view, NumPy equivalent)
VIEWS: list[tuple[str, Callable[[rt.Tensor], rt.Tensor], Callable[[np.ndarray], np.ndarray]]] = [
    ("permute_args", lambda t: t.permute(2, 0, 1), lambda x: x.transpose(2, 0, 1)),
    ("permute_tuple", lambda t: t.permute((1, 2, 0)), lambda x: x.transpose(1, 2, 0)),
    ("permute_neg", lambda t: t.permute(-1, -3, -2), lambda x: x.transpose(2, 0, 1)),
    ("permute_identity", lambda t: t.permute(0, 1, 2), lambda x: x),
    ("permute_fn", lambda t: rt.permute(t, (2, 1, 0)), lambda x: x.transpose(2, 1, 0)),
    ("transpose", lambda t: t.transpose(0, 2), lambda x: np.swapaxes(x, 0, 2)),
    ("transpose_neg", lambda t: t.transpose(-1, -2), lambda x: np.swapaxes(x, -1, -2)),
    ("transpose_fn", lambda t: rt.transpose(t, 0, 1), lambda x: np.swapaxes(x, 0, 1)),
    ("T_3d", lambda t: t.T, lambda x: x.T),
    ("T_2d", lambda t: t[0].T, lambda x: x[0].T),
    ("T_1d", lambda t: t[0, 0].T, lambda x: x[0, 0]),
    ("T_0d", lambda t: t[0, 0, 0].T, lambda x: x[0, 0, 0]),
    ("mT", lambda t: t.mT, lambda x: np.swapaxes(x, -1, -2)),
    ("unsqueeze_0", lambda t: t.unsqueeze(0), lambda x: x[None]),
    ("unsqueeze_mid", lambda t: t.unsqueeze(2), lambda x: x[:, :, None]),
    ("unsqueeze_end", lambda t: t.unsqueeze(-1), lambda x: x[..., None]),
    ("unsqueeze_fn", lambda t: rt.unsqueeze(t, -2), lambda x: x[:, :, None, :]),
    ("squeeze_all", lambda t: t[:, None, :1].squeeze(), lambda x: x[:, None, :1].squeeze()),
    ("squeeze_dim", lambda t: t[:, None, :1].squeeze(1), lambda x: x[:, None, :1].squeeze(1)),
    ("squeeze_noop", lambda t: t.squeeze(0), lambda x: x),
    (
        "squeeze_tuple",
        lambda t: t[:, None, :1].squeeze((1, -2)),
        lambda x: x[:, None, :1].squeeze((1, 2)),
    ),
    ("squeeze_fn", lambda t: rt.squeeze(t[None], 0), lambda x: x),
    ("flatten", lambda t: t.flatten(), lambda x: x.reshape(-1)),
    ("flatten_tail", lambda t: t.flatten(1), lambda x: x.reshape(4, 30)),
    ("flatten_head", lambda t: t.flatten(0, 1), lambda x: x.reshape(20, 6)),
    ("flatten_fn", lambda t: rt.flatten(t, start_dim=-2), lambda x: x.reshape(4, 30)),
    ("flatten_0d", lambda t: t[0, 0, 0].flatten(), lambda x: x[0, 0, 0].reshape(1)),
    ("expand", lambda t: t[:, :1].expand(4, 3, 6), lambda x: np.broadcast_to(x[:, :1], (4, 3, 6))),
    (
        "expand_lead_neg1",
        lambda t: t[0, :1].expand((2, -1, 6)),
        lambda x: np.broadcast_to(x[0, :1], (2, 1, 6)),
    ),
    (
        "broadcast_to",
        lambda t: t[0].broadcast_to((3, 5, 6)),
        lambda x: np.broadcast_to(x[0], (3, 5, 6)),
    ),
    (
        "broadcast_to_fn",
        lambda t: rt.broadcast_to(t[0, 0], (2, 6)),
        lambda x: np.broadcast_to(x[0, 0], (2, 6)),
    ),
    ("view_args", lambda t: t.view(20, 6), lambda x: x.reshape(20, 6)),
    ("view_tuple", lambda t: t.view((6, -1)), lambda x: x.reshape(6, -1)),
    ("reshape_args", lambda t: t.reshape(2, -1, 3), lambda x: x.reshape(2, -1, 3)),
    ("contiguous", lambda t: t.T.contiguous(), lambda x: np.ascontiguousarray(x.T)),
    ("contiguous_noop", lambda t: t.contiguous(), lambda x: x),
    # views of views
    ("T_then_slice", lambda t: t.T[1:, ::-2], lambda x: x.T[1:, ::-2]),
    ("slice_then_T", lambda t: t[::2, 1:4].T, lambda x: x[::2, 1:4].T),
    (
        "permute_slice_permute",
        lambda t: t.permute(2, 0, 1)[::-3, 1:, :-1].permute(1, 2, 0),
        lambda x: x.transpose(2, 0, 1)[::-3, 1:, :-1].transpose(1, 2, 0),
    ),
    ("slice_of_slice", lambda t: t[1:][::-1][:, 3:0:-1], lambda x: x[1:][::-1][:, 3:0:-1]),
    ("reshape_of_T", lambda t: t.T.reshape(30, 4), lambda x: x.T.reshape(30, 4)),
    ("flatten_of_slice", lambda t: t[:, ::2].flatten(), lambda x: x[:, ::2].reshape(-1)),
    (
        "expand_of_select",
        lambda t: t[:, 2, None].expand(-1, 3, -1).transpose(0, 1),
        lambda x: np.swapaxes(np.broadcast_to(x[:, 2, None], (4, 3, 6)), 0, 1),
    ),
    ("select_of_T", lambda t: t.T[-1][2], lambda x: x.T[-1][2]),
    ("mT_of_mT", lambda t: t.mT.mT, lambda x: x),
]


@pytest.mark.parametrize("name", [v[0] for v in VIEWS])
def test_views(name: str, dtype: str) -> None:
    _, view, ref = next(v for v in VIEWS if v[0] == name)
    t, x = both(dtype)
    check(view(t), ref(x))


# Index expressions, written once and applied to both a tensor and a NumPy array.
class _Idx:
    def __getitem__(self, index: Any) -> Any:
        return index


IX = _Idx()
INDICES = [
    IX[0],
    IX[-1],
    IX[3],
    IX[1, 2],
    IX[1, 2, 3],
    IX[-4, -5, -6],
    IX[:],
    IX[1:3],
    IX[-3:],
    IX[:-1],
    IX[::2],
    IX[1::3],
    IX[::-1],
    IX[::-2],
    IX[3:0:-1],
    IX[-1:-5:-2],
    IX[10:],
    IX[:100],
    IX[-100:2],
    IX[5:1],
    IX[2:2],
    IX[:, 1],
    IX[:, ::-1, 2],
    IX[..., 0],
    IX[..., ::-3],
    IX[1, ...],
    IX[1, ..., 2],
    IX[..., 1, :, 2],
    IX[...],
    IX[None],
    IX[None, 1],
    IX[:, None],
    IX[..., None],
    IX[None, ..., None],
    IX[1, None, ::-2, None, 3],
    IX[None, None, 0],
    IX[np.int64(2), np.int32(-1)],
    IX[slice(np.int64(1), None, np.int64(2))],
    IX[:, 10**20 :],
    IX[-(10**20) :: -1],
    IX[2, :, :, None],
]


@pytest.mark.parametrize("index", INDICES, ids=repr)
def test_indexing(index: Any, dtype: str) -> None:
    t, x = both(dtype)
    expected = x[index]
    check(t[index], np.asarray(expected))


def test_indexing_0d_and_1d() -> None:
    t = rt.tensor(np.array(3.0))
    check(t[...], np.array(3.0))
    check(t[None], np.array([3.0]))
    v = rt.tensor(np.arange(5.0))
    check(v[::-1], np.arange(5.0)[::-1])
    check(v[-2], np.array(3.0))


# A random basic index: ints, slices (any step, out-of-range bounds), None and at most one `...`.
def _slices() -> st.SearchStrategy[slice]:
    bound = st.none() | st.integers(-8, 8)
    step = st.none() | st.integers(-3, 3).filter(lambda s: s != 0)
    return st.builds(slice, bound, bound, step)


@st.composite
def _index(draw: st.DrawFn) -> tuple[Any, ...]:
    ndim = X.ndim
    n_consuming = draw(st.integers(0, ndim))
    items: list[Any] = [
        draw(st.integers(-X.shape[i], X.shape[i] - 1) | _slices()) for i in range(n_consuming)
    ]
    for _ in range(draw(st.integers(0, 2))):
        items.insert(draw(st.integers(0, len(items))), None)
    if n_consuming < ndim and draw(st.booleans()):
        items.insert(draw(st.integers(0, len(items))), Ellipsis)
    return tuple(items)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(index=_index(), twice=st.booleans())
def test_random_indices_match_numpy(index: tuple[Any, ...], twice: bool) -> None:
    t, x = both()
    # Ints are drawn against X's own shape, so they stay in range for every dim they can hit
    # only when no `...`/None shifts them; NumPy decides, and rusttorch must agree on both
    # the result and the error type.
    try:
        expected = x[index]
    except IndexError:
        with pytest.raises(IndexError):
            t[index]
        return
    got = t[index]
    if twice and got.ndim > 0:  # a view of the view
        expected, got = expected[::-1], got[::-1]
    check(got, np.asarray(expected))


def test_ops_on_views_fuse_into_one_kernel(dtype: str) -> None:
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((33, 17)).astype(dtype), rng.standard_normal((17, 33)).astype(dtype)
    y = rt.from_numpy(a).T + b
    plan = y.explain()
    assert "kernel 1" not in plan, plan  # the transposed input is read in place, not copied
    assert_close(y, a.T.astype(np.float64) + b, dtype)


def test_arithmetic_on_views(dtype: str) -> None:
    t, x = both(dtype)
    x64 = x.astype(np.float64)
    y = t[::-1, 1:, ::2] * 2.0 + t.permute(0, 2, 1).mT[:, 1:, ::2] - t[:1, 1:, ::2]
    expected = x64[::-1, 1:, ::2] * 2.0 + x64[:, 1:, ::2] - x64[:1, 1:, ::2]
    assert_close(y, expected, dtype)
    s = t.T[::-2].sum(dim=0)
    assert_close(s, x64.T[::-2].sum(axis=0), dtype)
    e = (t[:, :1].expand(4, 5, 6) * t).mean(dim=(0, 2))
    assert_close(e, (np.broadcast_to(x64[:, :1], (4, 5, 6)) * x64).mean(axis=(0, 2)), dtype)


def test_views_do_not_evaluate_or_copy_the_source() -> None:
    x = X.copy()
    t = rt.from_numpy(x)
    v = t.T[1:, ::-1]
    assert not v.is_evaluated
    x[3, 4, 1] = 1000.0  # from_numpy shares memory, and the view reads through it
    assert v.numpy()[0, 0, 3] == 1000.0


@pytest.mark.parametrize(
    ("op", "exc", "match"),
    [
        (lambda t: t[4], IndexError, "index 4 is out of bounds for dim 0 with size 4"),
        (lambda t: t[0, -6], IndexError, "index -6 is out of bounds for dim 1 with size 5"),
        (lambda t: t[0, 0, 0, 0], IndexError, "too many indices"),
        (lambda t: t[..., ...], IndexError, "single ellipsis"),
        (lambda t: t[10**20], IndexError, "out of range"),
        (lambda t: t[::0], ValueError, "step"),
        (lambda t: t[[0, 9]], IndexError, "index 9 is out of bounds for dim 0 with size 4"),
        (lambda t: t[1.0], TypeError, "float"),
        (lambda t: t[True], TypeError, "bool"),
        (lambda t: t[rt.tensor([0.0])], IndexError, "must be integers or bools, got float32"),
        (lambda t: t[np.array([True])], IndexError, r"the shape of the mask \[1\] does not match"),
        (lambda t: t["a"], TypeError, "str"),
        (lambda t: t[0:1.5], TypeError, "slice indices"),
        (lambda t: t.permute(0, 1), ValueError, "permute"),
        (lambda t: t.permute(0, 1, 1), ValueError, "permute"),
        (lambda t: t.permute(0, 1, 3), IndexError, "out of range"),
        (lambda t: t.permute("a"), TypeError, "permute"),
        (lambda t: t.transpose(0, 3), IndexError, "out of range"),
        (lambda t: t.expand(4, 2, 6), ValueError, "expand"),
        (lambda t: t.expand(5, 6), ValueError, "expand"),
        (lambda t: t.broadcast_to((4, 5, 7)), ValueError, "broadcast_to"),
        (lambda t: t.view(7, -1), ValueError, r"view: shape \[7, -1\]"),
        (lambda t: t.unsqueeze(4), IndexError, "out of range"),
        (lambda t: t.squeeze(3), IndexError, "out of range"),
        (lambda t: t.flatten(2, 1), ValueError, "flatten"),
        (lambda t: t[0, 0].mT, ValueError, "mT"),
    ],
)
def test_view_errors(op: Callable[[rt.Tensor], object], exc: type[Exception], match: str) -> None:
    t, _ = both()
    with pytest.raises(exc, match=match):
        op(t)
