"""Bad input raises the named Python exception, never a PanicException, an abort or a wrong
answer."""

from __future__ import annotations

import numpy as np
import pytest
import rusttorch as rt
from helpers import needs_constant_graphs


def test_shapes_that_do_not_broadcast_name_both_shapes() -> None:
    a, b = rt.ones((2, 3)), rt.ones((4,))
    with pytest.raises(ValueError, match=r"\[2, 3\].*\[4\]"):
        a + b
    with pytest.raises(ValueError, match="broadcast"):
        a * np.ones((5, 1, 2))
    with pytest.raises(ValueError, match="broadcast"):
        rt.maximum(a, b)


def test_negative_sizes_are_value_errors() -> None:
    with pytest.raises(ValueError, match="negative"):
        rt.zeros((2, -1))
    with pytest.raises(ValueError, match="negative"):
        rt.ones(-3)
    with pytest.raises(ValueError, match="negative"):
        rt.rand((-1,), seed=0)
    with pytest.raises(ValueError, match="invalid size"):
        rt.tensor([1.0, 2.0]).reshape(-2)


@pytest.mark.parametrize("dim", [2, -3, (0, 5), [9]])
def test_dim_out_of_range_is_index_error(dim: object) -> None:
    t = rt.ones((2, 3))
    with pytest.raises(IndexError, match="out of range"):
        t.sum(dim=dim)


def test_dim_errors_in_softmax_and_duplicates() -> None:
    t = rt.ones((2, 3))
    with pytest.raises(IndexError):
        t.softmax(2)
    with pytest.raises(IndexError):
        rt.log_softmax(t, -3)
    with pytest.raises(ValueError, match="more than once"):
        t.sum(dim=(1, 1))
    with pytest.raises(TypeError):
        t.sum(dim="0")


@pytest.mark.parametrize("bad", ["a", b"x", 1j, [1.0, 2.0], None, object()])
def test_unsupported_operand_types_are_type_errors(bad: object) -> None:
    t = rt.ones(2)
    with pytest.raises(TypeError):
        t + bad
    with pytest.raises(TypeError):
        bad * t
    with pytest.raises(TypeError):
        t.maximum(bad)


@pytest.mark.parametrize(
    "bad",
    [np.array(["a", "b"]), np.array([object(), object()]), np.array([1j, 2j]), np.complex64(1)],
)
def test_unsupported_array_operands_are_type_errors(bad: object) -> None:
    t = rt.ones(2)
    with pytest.raises(TypeError):
        t + bad
    with pytest.raises(TypeError):
        bad - t


def test_bad_arguments_are_value_errors() -> None:
    t = rt.ones(2)
    with pytest.raises(ValueError, match="approximate"):
        t.gelu(approximate="fast")
    with pytest.raises(ValueError, match="step"):
        rt.arange(0, 10, 0)


def test_allocation_failures_are_memory_errors() -> None:
    x = rt.tensor([1.0])
    with pytest.raises(MemoryError):
        (rt.zeros((10**13,)) + x).eval()
    with pytest.raises(MemoryError):
        rt.rand((10**13,), seed=0)
    with pytest.raises(MemoryError):
        (x * rt.ones((10**6, 10**7))).numpy()
    # The process lives on.
    assert (x + 1.0).item() == 2.0


@needs_constant_graphs
def test_zeros_eval_memory_error() -> None:
    with pytest.raises(MemoryError):
        rt.zeros((10**13,)).eval()


def test_shape_overflow_is_value_error() -> None:
    with pytest.raises((ValueError, MemoryError)):
        rt.zeros((2**40, 2**40)).eval()


def test_panics_become_runtime_errors_not_panic_exceptions() -> None:
    # A PanicException derives from BaseException only; every failure here must be an Exception
    # of the documented class.
    cases = [
        (lambda: rt.ones(2) + rt.ones(3), ValueError),
        (lambda: rt.ones(2).sum(dim=5), IndexError),
        (lambda: rt.ones(2, dtype="int33"), TypeError),
        (lambda: rt.ones(2) & rt.ones(2), TypeError),
    ]
    for bad, expected in cases:
        with pytest.raises(expected) as info:
            bad()
        assert type(info.value).__name__ != "PanicException"
