"""``repr(t)``/``str(t)`` print values as PyTorch does (``torch/_tensor_str.py``), with
``rusttorch.`` where PyTorch prints ``torch.`` in the dtype suffix; and the print options."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import rusttorch as rt


@pytest.fixture(autouse=True)
def default_options() -> Iterator[None]:
    rt.set_printoptions(profile="default")
    yield
    rt.set_printoptions(profile="default")


CASES = [
    (lambda: rt.tensor([1.0, 2.0, 3.0]), "tensor([1., 2., 3.])"),
    (lambda: rt.tensor([1, 2, 3], dtype=rt.int32), "tensor([1, 2, 3], dtype=rusttorch.int32)"),
    (lambda: rt.tensor([1, -2, 3]), "tensor([ 1, -2,  3])"),
    (lambda: rt.tensor([True, False]), "tensor([ True, False])"),
    (
        lambda: rt.tensor([0.1234, 0.5678], dtype=rt.float64),
        "tensor([0.1234, 0.5678], dtype=rusttorch.float64)",
    ),
    (
        lambda: rt.tensor([[0.1234, 0.5678], [1.0, -2.5]]),
        "tensor([[ 0.1234,  0.5678],\n        [ 1.0000, -2.5000]])",
    ),
    (lambda: rt.tensor([1e-5, 1.0]), "tensor([1.0000e-05, 1.0000e+00])"),
    (lambda: rt.tensor([1e10, 1.0]), "tensor([1.0000e+10, 1.0000e+00])"),
    (lambda: rt.tensor([1.0, float("nan"), float("inf")]), "tensor([1., nan, inf])"),
    (lambda: rt.tensor([-0.0, 1.0]), "tensor([-0., 1.])"),
    (lambda: rt.tensor([0.0, 0.0]), "tensor([0., 0.])"),
    (lambda: rt.tensor(3.5), "tensor(3.5000)"),
    (lambda: rt.tensor(2.0), "tensor(2.)"),
    (lambda: rt.tensor(2), "tensor(2)"),
    (lambda: rt.tensor(True), "tensor(True)"),
    (lambda: rt.zeros(0), "tensor([])"),
    (lambda: rt.zeros(2, 0), "tensor([], size=(2, 0))"),
    (lambda: rt.zeros(0, dtype=rt.int64), "tensor([], dtype=rusttorch.int64)"),
    (
        lambda: rt.tensor(np.arange(6).reshape(2, 1, 3)),
        "tensor([[[0, 1, 2]],\n\n        [[3, 4, 5]]])",
    ),
    (
        lambda: rt.arange(2000),
        "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])",
    ),
    (
        lambda: rt.arange(3000).reshape(1000, 3),
        "tensor([[   0,    1,    2],\n"
        "        [   3,    4,    5],\n"
        "        [   6,    7,    8],\n"
        "        ...,\n"
        "        [2991, 2992, 2993],\n"
        "        [2994, 2995, 2996],\n"
        "        [2997, 2998, 2999]])",
    ),
    (
        lambda: rt.arange(30.0),
        "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
        "        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n"
        "        28., 29.])",
    ),
]


@pytest.mark.parametrize(("make", "want"), CASES)
def test_repr_matches_pytorch(make: object, want: str) -> None:
    t = make()  # type: ignore[operator]
    assert repr(t) == want
    assert str(t) == want


def test_printing_evaluates_a_lazy_tensor_and_views_print_their_values() -> None:
    x = rt.tensor(np.arange(6.0).reshape(2, 3))
    y = x * 2
    assert repr(y) == "tensor([[ 0.,  2.,  4.],\n        [ 6.,  8., 10.]], dtype=rusttorch.float64)"
    assert y.is_evaluated
    assert repr(x.T[1:]) == "tensor([[1., 4.],\n        [2., 5.]], dtype=rusttorch.float64)"
    assert repr(x.flip(1)[0]) == "tensor([2., 1., 0.], dtype=rusttorch.float64)"


def test_print_options() -> None:
    assert rt.get_printoptions() == {
        "precision": 4,
        "threshold": 1000,
        "edgeitems": 3,
        "linewidth": 80,
        "sci_mode": None,
    }
    rt.set_printoptions(precision=2)
    assert repr(rt.tensor([0.1234, 2.5])) == "tensor([0.12, 2.50])"
    rt.set_printoptions(sci_mode=True)
    assert repr(rt.tensor([1.0, 2.0])) == "tensor([1.00e+00, 2.00e+00])"
    rt.set_printoptions(sci_mode=False)
    # PyTorch measures the width in the notation it would have chosen (1.00e-05) and pads to it.
    assert repr(rt.tensor([1e-5, 1.0])) == "tensor([    0.00,     1.00])"
    rt.set_printoptions(threshold=5, edgeitems=1)
    assert repr(rt.arange(10)) == "tensor([0,  ..., 9])"
    rt.set_printoptions(threshold=float("inf"))
    assert "..." not in repr(rt.arange(2000))
    assert rt.get_printoptions()["threshold"] == float("inf")
    rt.set_printoptions(profile="default", linewidth=20)
    assert repr(rt.arange(8)) == "tensor([0, 1, 2, 3,\n        4, 5, 6, 7])"
    with pytest.raises(ValueError, match=r"^set_printoptions: profile must be"):
        rt.set_printoptions(profile="long")


def test_named_tuple_prints_values() -> None:
    r = rt.tensor([[1.0, 2.0]]).max(1)
    assert repr(r) == "rusttorch.return_types.max(\nvalues=tensor([2.]),\nindices=tensor([1]))"


def test_printing_a_lazy_tensor_says_so_in_explain_only() -> None:
    x = rt.tensor([1.0, 2.0, 3.0]) * 2.0
    assert "tensor([2., 4., 6.])" == repr(x)
    assert "note: a float32 [3] tensor was evaluated to be printed" in x.explain()
    assert "note: a float32 [3] tensor was evaluated to be printed" in (x + 1.0).explain()
    y = rt.tensor([1.0, 2.0])
    repr(y)
    assert "note:" not in y.explain()
