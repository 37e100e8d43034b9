"""In-place ops in a lazy world: ``t += x``, ``t.add_(x)``... rebind the Python object ``t`` to a
new graph node (every reference to that object sees the result); buffers are immutable, so
arrays and tensors obtained from the old node keep the old values. Shape and dtype never change,
as in PyTorch.
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable

import numpy as np
import pytest
import rusttorch as rt
from helpers import assert_close

OPS: dict[str, tuple[Callable[[object, object], object], str, Callable]] = {
    "add": (operator.iadd, "add_", np.add),
    "sub": (operator.isub, "sub_", np.subtract),
    "mul": (operator.imul, "mul_", np.multiply),
    "div": (operator.itruediv, "div_", np.divide),
}


def base(dtype: str) -> np.ndarray:
    return (np.arange(12, dtype=np.float64).reshape(3, 4) * 0.75 - 4.0).astype(dtype)


def operands(dtype: str) -> list[object]:
    rng = np.random.default_rng(0)
    other = (rng.uniform(0.5, 2.0, (3, 4))).astype(dtype)
    return [
        2.5,  # Python float
        3,  # Python int
        np.float64(1.5),  # NumPy scalar
        other,  # ndarray, same shape
        other[0],  # ndarray, broadcast
        rt.tensor(other),  # tensor
        rt.tensor(other[:, :1]),  # tensor, broadcast
        rt.tensor(other.T).T,  # a view
    ]


@pytest.mark.parametrize("k", range(8))
@pytest.mark.parametrize("name", list(OPS))
def test_operator_and_method(name: str, k: int, dtype: str) -> None:
    iop, method, ref = OPS[name]
    x = base(dtype)
    other = operands(dtype)[k]
    other_np = np.asarray(other, dtype=np.float64)
    expected = ref(x.astype(np.float64), other_np)

    t = rt.tensor(x)
    alias = t
    t = iop(t, other)
    assert t is alias  # the same object, rebound
    assert t.dtype == dtype
    assert t.shape == (3, 4)
    assert_close(alias, expected, dtype)

    u = rt.tensor(x)
    assert getattr(u, method)(other) is u  # returns self, for chaining
    assert_close(u, expected, dtype)


def test_old_values_stay_where_they_were_read(dtype: str) -> None:
    x = base(dtype)
    t = rt.tensor(x)
    before = t.numpy()  # a zero-copy view of the old node's buffer
    derived = t * 1.0  # a lazy expression over the old node
    alias = t
    t += 1
    assert_close(alias, x.astype(np.float64) + 1, dtype)  # every reference to the object
    np.testing.assert_array_equal(before, x)  # the old buffer is immutable
    np.testing.assert_array_equal(derived.numpy(), x)  # evaluated after `+=`: still old values
    # And a NumPy array wrapped with from_numpy is never written to.
    src = x.copy()
    s = rt.from_numpy(src)
    s.mul_(0.0)
    np.testing.assert_array_equal(src, x)
    np.testing.assert_array_equal(s.numpy(), np.zeros_like(x))


def test_chaining_and_relu_(dtype: str) -> None:
    x = base(dtype)
    t = rt.tensor(x)
    assert t.add_(1).mul_(2).sub_(3).div_(4).relu_() is t
    expected = np.maximum(((x.astype(np.float64) + 1) * 2 - 3) / 4, 0.0)
    assert_close(t, expected, dtype)


def test_repeated_updates_in_a_loop(dtype: str) -> None:
    x = base(dtype)
    t = rt.tensor(x)
    expected = x.astype(np.float64)
    for step in range(10):
        t -= t * 0.1
        t += step
        expected = expected - expected * 0.1 + step
        if step % 3 == 0:
            t.eval()
    assert_close(t, expected, dtype)


def test_inplace_keeps_dtype() -> None:
    t = rt.tensor(np.ones(4, dtype=np.float32))
    t += np.full(4, 0.1, dtype=np.float64)  # float64 operand: result cast back to float32
    assert t.dtype == rt.float32
    np.testing.assert_array_equal(t.numpy(), np.full(4, np.float32(1.1)))
    d = rt.tensor(np.ones(2, dtype=np.float64))
    d.mul_(rt.tensor(np.full(2, 3.0, dtype=np.float32)))
    assert d.dtype == rt.float64


def test_inplace_cannot_change_shape() -> None:
    t = rt.tensor(np.ones(4))
    with pytest.raises(ValueError, match="shape"):
        t += np.ones((2, 4))  # would broadcast to (2, 4)
    with pytest.raises(ValueError, match="broadcast"):
        t.add_(np.ones(3))  # does not broadcast at all
    np.testing.assert_array_equal(t.numpy(), np.ones(4))  # unchanged after the errors


def test_unsupported_operands() -> None:
    t = rt.tensor(np.ones(3))
    with pytest.raises(TypeError, match=r"\+="):
        t += "a"  # type: ignore[operator]
    with pytest.raises(TypeError):
        t.mul_("a")  # type: ignore[arg-type]
    np.testing.assert_array_equal(t.numpy(), np.ones(3))


@pytest.mark.parametrize(
    "src",
    [
        lambda: rt.tensor(np.arange(6.0).reshape(2, 3)),
        lambda: np.arange(6.0).reshape(2, 3),
        lambda: np.arange(6.0).reshape(2, 3).tolist(),
    ],
    ids=["tensor", "ndarray", "list"],
)
def test_copy_(src: Callable[[], object], dtype: str) -> None:
    t = rt.zeros((2, 3), dtype=dtype) * 1.0
    assert t.copy_(src()) is t
    assert t.dtype == dtype
    np.testing.assert_array_equal(t.numpy(), np.arange(6.0).reshape(2, 3).astype(dtype))


def test_copy_broadcasts_and_casts() -> None:
    t = rt.tensor(np.zeros((3, 4), dtype=np.float32))
    t.copy_(np.arange(4, dtype=np.float64))
    assert t.dtype == rt.float32
    assert t.shape == (3, 4)
    np.testing.assert_array_equal(t.numpy(), np.broadcast_to(np.arange(4.0), (3, 4)))
    t.copy_(7.0)
    np.testing.assert_array_equal(t.numpy(), np.full((3, 4), 7.0))
    with pytest.raises(ValueError, match=r"cannot expand shape \[2, 3, 4\] to \[3, 4\]"):
        t.copy_(np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match=r"^copy_: shapes \[3\] and \[3, 4\]"):
        t.copy_(np.ones(3))


def test_inplace_on_a_view_rebinds_only_the_view() -> None:
    # A view is its own node: rebinding it does not write through to the base.
    x = np.arange(6.0).reshape(2, 3)
    base_t = rt.tensor(x)
    v = base_t.T
    v += 10
    np.testing.assert_array_equal(v.numpy(), x.T + 10)
    np.testing.assert_array_equal(base_t.numpy(), x)


def test_rebinding_while_another_thread_evaluates() -> None:
    # The node is swapped under a short lock, never held across evaluation (which releases the
    # GIL): readers see either the old or the new node, and nothing fails with "already borrowed".
    t = rt.tensor(np.zeros(200_000))
    stop = threading.Event()
    seen: list[float] = []

    def reader() -> None:
        while not stop.is_set():
            seen.append(float((t * 1.0).sum().item()))

    th = threading.Thread(target=reader)
    th.start()
    try:
        for _ in range(50):
            t += 1.0
            t.eval()
    finally:
        stop.set()
        th.join()
    assert t.numpy()[0] == 50.0
    assert seen
    assert all(s == int(s) and 0 <= s <= 50 * 200_000 and s % 200_000 == 0 for s in seen)


def _address(t: rt.Tensor) -> int:
    """The address of the tensor's result buffer (the array is dropped at once, so it does not
    keep a second handle on the buffer)."""
    return int(t.numpy().__array_interface__["data"][0])


def test_inplace_updates_write_into_the_donated_buffer() -> None:
    x = rt.tensor(np.arange(1 << 16, dtype=np.float32))
    t = (x * 2.0).eval()
    first = _address(t)
    want = np.arange(1 << 16, dtype=np.float32) * 2.0
    for _ in range(5):
        t += x
        t.eval()
        want += np.arange(1 << 16, dtype=np.float32)
        assert _address(t) == first, "the old buffer had no other owner: the result went there"
    np.testing.assert_array_equal(t.numpy(), want)


def test_a_held_array_blocks_donation_and_keeps_its_values() -> None:
    t = (rt.ones(1000) * 3.0).eval()
    held = t.numpy()
    t += 1.0
    t.eval()
    assert not np.shares_memory(held, t.numpy())
    np.testing.assert_array_equal(held, np.full(1000, 3.0, dtype=np.float32))
    np.testing.assert_array_equal(t.numpy(), np.full(1000, 4.0, dtype=np.float32))


def test_threads_evaluating_an_updated_tensor_at_once_agree() -> None:
    # The first evaluation takes the old buffer (donation); the others wait for its result or
    # evaluate it themselves, never reading a half-written buffer.
    for _ in range(50):
        t = (rt.ones(1 << 15) * 2.0).eval()
        t += 1.0
        barrier = threading.Barrier(4)
        seen: list[np.ndarray] = []

        def read(t: rt.Tensor = t, barrier: threading.Barrier = barrier, seen: list = seen) -> None:
            barrier.wait()
            seen.append(t.numpy().copy())

        threads = [threading.Thread(target=read) for _ in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert len(seen) == 4
        for v in seen:
            np.testing.assert_array_equal(v, np.full(1 << 15, 3.0, dtype=np.float32))
