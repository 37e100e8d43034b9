"""Evaluation: laziness, eval() / eval(fuse=False) / rusttorch.eval(...), explain, to_dot,
tensor attributes and repr."""

from __future__ import annotations

import numpy as np
import pytest
import rusttorch as rt


def w1(a: rt.Tensor, b: rt.Tensor, c: rt.Tensor) -> rt.Tensor:
    return (a * b + c) * 0.5 - a * c


def inputs(n: int = 1000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return tuple(rng.standard_normal(n).astype(np.float32) for _ in range(3))  # type: ignore[return-value]


def test_tensors_are_lazy_until_asked() -> None:
    a, b, c = (rt.from_numpy(x) for x in inputs())
    y = w1(a, b, c)
    assert not y.is_evaluated
    assert y.shape == (1000,)  # shape inference needs no evaluation
    assert not y.is_evaluated
    assert y.eval() is y
    assert y.is_evaluated


def test_eval_fused_and_eager_agree_with_numpy() -> None:
    an, bn, cn = inputs()
    expected = (an.astype(np.float64) * bn + cn) * 0.5 - an.astype(np.float64) * cn
    a, b, c = (rt.from_numpy(x) for x in (an, bn, cn))
    fused = w1(a, b, c).eval()
    eager = w1(a, b, c).eval(fuse=False)
    np.testing.assert_allclose(fused.numpy(), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(eager.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_later_uses_read_the_stored_result() -> None:
    a = rt.tensor([1.0, 2.0])
    y = (a * 3.0).eval()
    first = y.numpy()
    z = y + 1.0
    np.testing.assert_array_equal(z.numpy(), [4.0, 7.0])
    assert np.shares_memory(first, y.numpy())


def test_module_eval_shares_work() -> None:
    an, bn, cn = inputs()
    a, b, c = (rt.from_numpy(x) for x in (an, bn, cn))
    shared = (a * b).exp()
    y1, y2 = shared + c, shared - c
    assert rt.eval(y1, y2) is None
    assert y1.is_evaluated
    assert y2.is_evaluated
    e = np.exp(an.astype(np.float64) * bn)
    np.testing.assert_allclose(y1.numpy(), e + cn, rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(y2.numpy(), e - cn, rtol=2e-5, atol=2e-6)
    z1, z2 = shared * 2.0, shared * 3.0
    rt.eval(z1, z2, fuse=False)
    np.testing.assert_allclose(z1.numpy(), 2 * e, rtol=2e-5)
    rt.eval()  # nothing to do
    with pytest.raises(TypeError):
        rt.eval(y1, np.ones(3))


def test_explain_and_to_dot() -> None:
    a, b, c = (rt.from_numpy(x) for x in inputs())
    y = w1(a, b, c)
    text = y.explain()
    assert "kernel" in text
    assert "1 kernel" in text, text  # W1 fuses into a single kernel
    assert not y.is_evaluated, "explain() does not evaluate"
    dot = y.to_dot()
    assert "digraph" in dot
    assert "kernel" in rt.explain(y, a * b)


def test_attributes() -> None:
    t = rt.tensor(np.zeros((2, 3, 4)))
    assert t.shape == (2, 3, 4)
    assert isinstance(t.shape, tuple)
    assert t.ndim == 3
    assert t.numel() == 24
    assert len(t) == 2
    assert t.dtype is rt.float64
    s = rt.tensor(1.0)
    assert s.shape == ()
    assert s.ndim == 0
    assert s.numel() == 1
    with pytest.raises(TypeError):
        len(s)


def test_repr_prints_values_as_pytorch() -> None:
    # Printing evaluates (as PyTorch shows values); `is_evaluated` and `explain()` say where a
    # tensor stands without evaluating it.
    y = rt.tensor(np.ones((2, 3))) * 2.0
    assert not y.is_evaluated
    assert repr(y) == "tensor([[2., 2., 2.],\n        [2., 2., 2.]], dtype=rusttorch.float64)"
    assert str(y) == repr(y)
    assert repr(rt.tensor([1.0])) == "tensor([1.])"
    assert repr(rt.tensor(1.0)) == "tensor(1.)"


def test_threads_setting() -> None:
    before = rt.get_num_threads()
    try:
        rt.set_num_threads(1)
        assert rt.get_num_threads() == 1
        a, b, c = (rt.from_numpy(x) for x in inputs(100_000))
        one = w1(a, b, c).numpy()
        rt.set_num_threads(3)
        assert rt.get_num_threads() == 3
        np.testing.assert_array_equal(w1(a, b, c).numpy(), one)
        with pytest.raises(ValueError, match="positive"):
            rt.set_num_threads(0)
    finally:
        rt.set_num_threads(before)


def test_bool_of_one_element_tensor() -> None:
    assert bool(rt.tensor([2.0]))
    assert not bool(rt.tensor(0.0))
    with pytest.raises(ValueError, match="one element"):
        bool(rt.tensor([1.0, 2.0]))
