"""Tensors pickle (values, dtype and shape round-trip; a lazy tensor is evaluated) and copy
(copy.copy/deepcopy give independent objects: a write to one never shows in the other)."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
import rusttorch as rt

CASES = [
    np.array([1.5, -0.0, np.nan, np.inf], dtype=np.float32),
    np.arange(12, dtype=np.float64).reshape(3, 4),
    np.array([[1, -2], [3, 2**40]], dtype=np.int64),
    np.array([7, -9], dtype=np.int32),
    np.array([True, False, True]),
    np.array(3.25),
    np.zeros((0, 3), dtype=np.float32),
]


@pytest.mark.parametrize("x", CASES, ids=range(len(CASES)))
def test_pickle_round_trips_values_dtype_and_shape(x: np.ndarray) -> None:
    for t in (rt.tensor(x), rt.tensor(x) + 0 if x.dtype != bool else rt.tensor(x)):
        back = pickle.loads(pickle.dumps(t))
        assert isinstance(back, rt.Tensor)
        assert back.dtype == t.dtype
        assert back.shape == t.shape
        np.testing.assert_array_equal(back.numpy(), t.numpy())


def test_pickle_of_views_and_lazy_tensors() -> None:
    x = rt.tensor(np.arange(20.0, dtype=np.float32).reshape(4, 5))
    for t in (x.T, x[1:, ::2], x * 2 + 1):
        back = pickle.loads(pickle.dumps(t, protocol=pickle.HIGHEST_PROTOCOL))
        np.testing.assert_array_equal(back.numpy(), t.numpy())


def test_copies_are_independent_values() -> None:
    t = rt.tensor([1.0, 2.0, 3.0])
    c, d = copy.copy(t), copy.deepcopy(t)
    c[0] = 10.0
    d += 1.0
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(c.numpy(), [10.0, 2.0, 3.0])
    np.testing.assert_array_equal(d.numpy(), [2.0, 3.0, 4.0])
    nested = copy.deepcopy({"w": t, "b": [t]})
    assert nested["w"] is not t
    np.testing.assert_array_equal(nested["b"][0].numpy(), t.numpy())
