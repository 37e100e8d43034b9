"""Autograd: PyTorch's API (requires_grad, backward, grad, no_grad, hooks, retain_grad, detach)
and its errors, gradients against central differences in float64 (``rt.autograd.gradcheck``)
and against PyTorch's autograd where it is installed, second derivatives, and the fused
backward's kernel counts."""

from __future__ import annotations

import re

import numpy as np
import pytest
import rusttorch as rt
from hypothesis import given, settings
from hypothesis import strategies as st


def leaf(*shape: int, seed: int = 0, lo: float = -1.0, hi: float = 1.0) -> rt.Tensor:
    rng = np.random.default_rng(seed)
    return rt.tensor(rng.uniform(lo, hi, shape), requires_grad=True)


# ------------------------------------------------------------------------------ the API


def test_creation_functions_take_requires_grad() -> None:
    for t in [
        rt.zeros(3, requires_grad=True),
        rt.ones((2, 2), requires_grad=True),
        rt.randn(4, requires_grad=True),
        rt.tensor([1.0, 2.0], requires_grad=True),
        rt.full((2,), 3.0, requires_grad=True),
        rt.from_numpy(np.ones(3), requires_grad=True),
        rt.zeros_like(rt.ones(2), requires_grad=True),
    ]:
        assert t.requires_grad
        assert t.is_leaf
        assert t.grad is None
        assert t.grad_fn is None
    assert not rt.ones(3).requires_grad


def test_backward_fills_grad_of_leaves_and_accumulates() -> None:
    x = rt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    assert not y.is_leaf
    assert y.requires_grad
    assert re.fullmatch(r"<\w+Backward0>", repr(y.grad_fn))
    y.backward(retain_graph=True)
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0, 6.0])
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0, 12.0])
    assert y.is_evaluated
    assert x.grad.is_evaluated  # one plan evaluated both
    x.grad = None
    assert x.grad is None


def test_grad_of_non_scalar_needs_a_gradient() -> None:
    x = leaf(3)
    y = x * 2.0
    with pytest.raises(
        RuntimeError, match="grad can be implicitly created only for scalar outputs"
    ):
        y.backward()
    y.backward(rt.tensor([1.0, 0.0, 2.0], dtype=rt.float64))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 0.0, 4.0])
    with pytest.raises(RuntimeError, match="mismatch in shape"):
        (x * 2.0).backward(rt.ones(2, dtype=rt.float64))


def test_backward_twice_without_retain_graph_raises() -> None:
    x = leaf(3)
    y = x.exp().sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_integer_tensors_cannot_require_grad() -> None:
    with pytest.raises(
        RuntimeError, match="only tensors of floating point dtype can require gradients"
    ):
        rt.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match="floating point"):
        rt.arange(3, requires_grad=True)


def test_tensor_without_grad_cannot_backward() -> None:
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        rt.ones(1).sum().backward()


def test_in_place_update_of_a_leaf_needs_no_grad() -> None:
    w = leaf(3)
    with pytest.raises(
        RuntimeError,
        match="a leaf tensor that requires grad is being used in an in-place operation",
    ):
        w.add_(1.0)
    with rt.no_grad():
        w.add_(1.0)
        w *= 2.0
    assert w.is_leaf
    assert w.requires_grad
    (w.sum() * 3.0).backward()
    np.testing.assert_allclose(w.grad.numpy(), [3.0, 3.0, 3.0])
    g = w.grad
    with rt.no_grad():
        w.sub_(w.grad * 0.1)  # an SGD step keeps the leaf and its .grad
    assert w.is_leaf
    assert w.requires_grad
    np.testing.assert_allclose(w.grad.numpy(), g.numpy())


def test_modifying_a_value_the_backward_needs_raises() -> None:
    x = leaf(3)
    a = x.sigmoid()
    a.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        a.sum().backward()
    # Linear consumers read no value: PyTorch allows this one too.
    y = x * 2.0
    y.add_(1.0)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0, 2.0])


def test_no_grad_enable_grad_and_set_grad_enabled() -> None:
    x = leaf(2)
    with rt.no_grad():
        assert not rt.is_grad_enabled()
        y = x * 2.0
        with rt.enable_grad():
            z = x * 2.0
    assert rt.is_grad_enabled()
    assert not y.requires_grad
    assert z.requires_grad

    @rt.no_grad()
    def f(t: rt.Tensor) -> rt.Tensor:
        return t * 3.0

    assert not f(x).requires_grad
    rt.set_grad_enabled(False)
    try:
        assert not (x + 1.0).requires_grad
    finally:
        rt.set_grad_enabled(True)
    with rt.set_grad_enabled(False):
        assert not (x + 1.0).requires_grad
    assert (x + 1.0).requires_grad


def test_detach_and_data() -> None:
    x = leaf(3)
    d = x.detach()
    assert not d.requires_grad
    assert d.is_leaf
    np.testing.assert_array_equal(d.numpy(), x.numpy())
    y = (x * d).sum()  # no gradient through d
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), d.numpy())
    x.data = rt.zeros(3, dtype=rt.float64)
    assert x.requires_grad
    assert x.is_leaf
    np.testing.assert_array_equal(x.numpy(), [0, 0, 0])
    z = x * 2.0
    z.detach_()
    assert not z.requires_grad


def test_retain_grad_and_hooks() -> None:
    x = leaf(3)
    h = x * 2.0
    h.retain_grad()
    assert h.retains_grad
    seen = []
    handle = h.register_hook(lambda g: seen.append(g.numpy().copy()))
    doubled = x.register_hook(lambda g: g * 2.0)
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), 2 * h.numpy())
    np.testing.assert_allclose(seen[0], 2 * h.numpy())
    np.testing.assert_allclose(x.grad.numpy(), 2 * (4 * 2 * x.numpy()))
    handle.remove()
    doubled.remove()
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.numpy())
    assert len(seen) == 1
    with pytest.raises(
        RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"
    ):
        rt.ones(2).register_hook(lambda g: g)


def test_a_hook_that_raises_raises_its_own_exception() -> None:
    x = leaf(2)

    def bad(g: rt.Tensor) -> None:
        raise KeyError("from the hook")

    x.register_hook(bad)
    with pytest.raises(KeyError, match="from the hook"):
        (x * 1.0).sum().backward()


def test_autograd_grad_leaves_grad_alone_and_checks_unused() -> None:
    x, y = leaf(3, seed=1), leaf(3, seed=2)
    (gx,) = rt.autograd.grad((x * x).sum(), x)
    np.testing.assert_allclose(gx.numpy(), 2 * x.numpy())
    assert x.grad is None
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        rt.autograd.grad((x * 2.0).sum(), [x, y])
    gx, gy = rt.autograd.grad((x * 2.0).sum(), [x, y], allow_unused=True)
    assert gy is None
    gx, gy = rt.autograd.grad((x * 2.0).sum(), [x, y], materialize_grads=True)
    np.testing.assert_array_equal(gy.numpy(), [0, 0, 0])
    rt.autograd.backward([(x * 3.0).sum()])
    np.testing.assert_allclose(x.grad.numpy(), [3, 3, 3])


def test_grad_of_grad() -> None:
    x = leaf(5, seed=3)
    (g,) = rt.autograd.grad(x.tanh().sum(), x, create_graph=True)
    assert g.requires_grad
    (gg,) = rt.autograd.grad(g.sum(), x)
    t = np.tanh(x.numpy())
    np.testing.assert_allclose(gg.numpy(), -2 * t * (1 - t * t), rtol=1e-12)
    assert rt.autograd.gradgradcheck(lambda a: (a * a.sin()).sum(), [leaf(4, seed=4)])


def test_clone_is_differentiable_and_not_a_leaf() -> None:
    x = leaf(2)
    c = x.clone()
    assert c.requires_grad
    assert not c.is_leaf
    (c * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])


# ------------------------------------------------------------------ against finite differences

GRADCHECKED = {
    "softmax": lambda x: rt.softmax(x, 1),
    "log_softmax": lambda x: rt.log_softmax(x, 0),
    "logsumexp": lambda x: x.logsumexp(1),
    "layer_norm": lambda x: rt.nn.functional.layer_norm(x, (4,)),
    "rms_norm": lambda x: rt.nn.functional.rms_norm(x, (4,)),
    "gelu": lambda x: rt.nn.functional.gelu(x),
    "gelu_tanh": lambda x: rt.nn.functional.gelu(x, approximate="tanh"),
    "silu": rt.nn.functional.silu,
    "mish": rt.nn.functional.mish,
    "softplus": rt.nn.functional.softplus,
    "elu": lambda x: rt.nn.functional.elu(x) if hasattr(rt.nn.functional, "elu") else x.exp(),
    "var": lambda x: x.var(1),
    "std": lambda x: x.std(),
    "norm": lambda x: rt.linalg.vector_norm(x, dim=1),
    "max_dim": lambda x: x.max(dim=1).values,
    "amax": lambda x: x.amax(0),
    "min": lambda x: x.min(),
    "prod": lambda x: x.prod(1),
    "cumsum": lambda x: x.cumsum(1),
    "cumprod": lambda x: x.cumprod(0),
    "sort": lambda x: x.sort(1).values,
    "topk": lambda x: x.topk(2, 1).values,
    "index": lambda x: x[rt.tensor([2, 0, 2])],
    "slice": lambda x: x[1:, ::2],
    "transpose": lambda x: x.T @ x,
    "gather": lambda x: x.gather(1, rt.tensor([[0, 0], [1, 3], [2, 2]])),
    "where": lambda x: rt.where(x > 0, x, x * x),
    "clamp": lambda x: x.clamp(-0.5, 0.5),
    "cat": lambda x: rt.cat([x, x * 2.0], 1),
    "stack": lambda x: rt.stack([x, x.exp()]),
    "pow": lambda x: (x * x + 1.0) ** 1.5,
    "div": lambda x: x / (x * x + 1.0),
    "atan2": lambda x: rt.atan2(x, x.flip(0) + 2.0),
    "masked_fill": lambda x: x.masked_fill(x > 0.5, 0.0),
    "expand": lambda x: x[:, :1].expand(3, 4) * x,
    "reshape": lambda x: x.reshape(2, 6).sum(0),
    "matmul": lambda x: x @ x.T,
    "einsum": lambda x: rt.einsum("ij,kj->ik", x, x),
    "cross_entropy": lambda x: rt.nn.functional.cross_entropy(x, [1, 0, 3]),
    "mse_loss": lambda x: rt.nn.functional.mse_loss(x, rt.full((3, 4), 0.25, dtype=rt.float64)),
}


@pytest.mark.parametrize("name", sorted(GRADCHECKED))
def test_gradients_match_central_differences(name: str) -> None:
    x = leaf(3, 4, seed=5)
    assert rt.autograd.gradcheck(GRADCHECKED[name], [x])


# ----------------------------------------------------------------------- against PyTorch

UNARY = ["exp", "tanh", "sigmoid", "sin", "cos", "relu", "abs", "neg", "square", "atan", "erf"]
BINARY = ["add", "subtract", "mul", "div", "maximum", "minimum", "hypot", "atan2"]


@settings(max_examples=40, deadline=None)
@given(
    ops=st.lists(
        st.tuples(st.sampled_from(UNARY + BINARY), st.integers(0, 3)), min_size=1, max_size=6
    ),
    broadcast=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_random_graphs_match_torch(ops: list[tuple[str, int]], broadcast: bool, seed: int) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    shapes = [(3, 4), (4,) if broadcast else (3, 4), (3, 1), (1, 4)]
    data = [rng.uniform(-1.5, 1.5, s) for s in shapes]
    rts = [rt.tensor(d, requires_grad=True) for d in data]
    ths = [torch.tensor(d, requires_grad=True) for d in data]

    def run(lib: object, xs: list[object]) -> object:
        y = xs[0]
        for name, k in ops:
            if name in UNARY:
                y = getattr(lib, name)(y)
            else:
                y = getattr(lib, name)(y, xs[k])
        return (y * y).sum()

    run(rt, rts).backward()
    run(torch, ths).backward()
    for a, b in zip(rts, ths, strict=True):
        if b.grad is None:
            assert a.grad is None or np.all(a.grad.numpy() == 0)
            continue
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_mlp_gradients_match_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x, w1, b1, w2 = (
        rng.normal(size=(8, 5)),
        rng.normal(size=(6, 5)),
        rng.normal(size=6),
        rng.normal(size=(3, 6)),
    )
    target = [0, 2, 1, 1, 0, 2, 2, 1]
    rw = [rt.tensor(a, requires_grad=True) for a in (w1, b1, w2)]
    tw = [torch.tensor(a, requires_grad=True) for a in (w1, b1, w2)]
    F = rt.nn.functional
    h = F.layer_norm(F.gelu(rt.tensor(x) @ rw[0].T + rw[1]), (6,))
    F.cross_entropy(h @ rw[2].T, target).backward()
    tf = torch.nn.functional
    h = tf.layer_norm(tf.gelu(torch.tensor(x) @ tw[0].T + tw[1]), (6,))
    tf.cross_entropy(h @ tw[2].T, torch.tensor(target)).backward()
    for a, b in zip(rw, tw, strict=True):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_ties_follow_torch() -> None:
    torch = pytest.importorskip("torch")
    data = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    cases = [
        lambda m, t: t.amax(1),
        lambda m, t: t.max(),
        lambda m, t: m.maximum(t, t.flip(1)),
        lambda m, t: t.clamp(0.0, 2.0),
        lambda m, t: m.relu(t - 2.0),
        lambda m, t: t.abs(),
    ]
    for case in cases:
        a = rt.tensor(data, requires_grad=True)
        b = torch.tensor(data, requires_grad=True)
        case(rt, a).sum().backward()
        case(torch, b).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy())
