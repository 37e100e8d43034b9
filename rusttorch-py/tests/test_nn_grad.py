"""Gradients of the ``nn.functional`` losses and of ``nn`` modules in float64: against central
finite differences (always) and PyTorch's autograd (when installed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import rusttorch as rt
import rusttorch.nn.functional as F
from rusttorch import nn

RNG = np.random.default_rng(0)
X = RNG.standard_normal((5, 4)) * 2
T_IDX = np.array([0, 3, 1, -100, 2])
T_PROB = RNG.random((5, 4))
T_PROB /= T_PROB.sum(1, keepdims=True)
W = np.array([0.5, 1.0, 2.0, 1.5])
Y = RNG.standard_normal((5, 4))
P = RNG.uniform(0.05, 0.95, (5, 4))
B = RNG.integers(0, 2, (5, 4)).astype(np.float64)


def grad_of(fn: Callable[[rt.Tensor], rt.Tensor], x: np.ndarray) -> np.ndarray:
    xt = rt.tensor(x, dtype=rt.float64).requires_grad_()
    fn(xt).sum().backward()
    assert xt.grad is not None
    return np.asarray(xt.grad.numpy())


def finite_difference(
    fn: Callable[[rt.Tensor], rt.Tensor], x: np.ndarray, h: float = 1e-6
) -> np.ndarray:
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        g[i] = (fn(rt.tensor(up)).sum().item() - fn(rt.tensor(down)).sum().item()) / (2 * h)
    return g


# (name, rusttorch loss of x, torch loss of x, input)
CASES: list[tuple[str, Callable[[Any], Any], Callable[[Any, Any], Any], np.ndarray]] = [
    (
        "cross_entropy",
        lambda x: F.cross_entropy(x, T_IDX),
        lambda tf, x: tf.cross_entropy(x, _t(T_IDX)),
        X,
    ),
    (
        "cross_entropy-weight-smoothing-sum",
        lambda x: F.cross_entropy(x, T_IDX, rt.tensor(W), reduction="sum", label_smoothing=0.2),
        lambda tf, x: tf.cross_entropy(x, _t(T_IDX), _t(W), reduction="sum", label_smoothing=0.2),
        X,
    ),
    (
        "cross_entropy-probs",
        lambda x: F.cross_entropy(x, rt.tensor(T_PROB)),
        lambda tf, x: tf.cross_entropy(x, _t(T_PROB)),
        X,
    ),
    (
        "nll_loss",
        lambda x: F.nll_loss(x, T_IDX, rt.tensor(W)),
        lambda tf, x: tf.nll_loss(x, _t(T_IDX), _t(W)),
        X,
    ),
    ("mse_loss", lambda x: F.mse_loss(x, rt.tensor(Y)), lambda tf, x: tf.mse_loss(x, _t(Y)), X),
    (
        "l1_loss",
        lambda x: F.l1_loss(x, rt.tensor(Y), reduction="sum"),
        lambda tf, x: tf.l1_loss(x, _t(Y), reduction="sum"),
        X,
    ),
    (
        "smooth_l1_loss",
        lambda x: F.smooth_l1_loss(x, rt.tensor(Y), beta=0.7),
        lambda tf, x: tf.smooth_l1_loss(x, _t(Y), beta=0.7),
        X,
    ),
    (
        "huber_loss",
        lambda x: F.huber_loss(x, rt.tensor(Y), delta=1.3),
        lambda tf, x: tf.huber_loss(x, _t(Y), delta=1.3),
        X,
    ),
    (
        "binary_cross_entropy",
        lambda x: F.binary_cross_entropy(x, rt.tensor(B)),
        lambda tf, x: tf.binary_cross_entropy(x, _t(B)),
        P,
    ),
    (
        "bce_with_logits",
        lambda x: F.binary_cross_entropy_with_logits(x, rt.tensor(P), pos_weight=rt.tensor(W)),
        lambda tf, x: tf.binary_cross_entropy_with_logits(x, _t(P), pos_weight=_t(W)),
        X,
    ),
    (
        "kl_div",
        lambda x: F.kl_div(x, rt.tensor(T_PROB), reduction="batchmean"),
        lambda tf, x: tf.kl_div(x, _t(T_PROB), reduction="batchmean"),
        X,
    ),
]


def _t(a: np.ndarray) -> Any:
    import torch

    return torch.from_numpy(a)


@pytest.mark.parametrize(("name", "ours", "theirs", "x"), CASES, ids=[c[0] for c in CASES])
def test_loss_gradients_match_finite_differences(
    name: str, ours: Callable[[Any], Any], theirs: Any, x: np.ndarray
) -> None:
    np.testing.assert_allclose(grad_of(ours, x), finite_difference(ours, x), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(("name", "ours", "theirs", "x"), CASES, ids=[c[0] for c in CASES])
def test_loss_gradients_match_torch(
    name: str, ours: Callable[[Any], Any], theirs: Any, x: np.ndarray
) -> None:
    torch = pytest.importorskip("torch")
    xt = torch.from_numpy(x.copy()).requires_grad_()
    theirs(torch.nn.functional, xt).sum().backward()
    np.testing.assert_allclose(grad_of(ours, x), xt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_no_gradient_through_the_stability_shift() -> None:
    x = rt.tensor(X).requires_grad_()
    loss = F.cross_entropy(x, T_IDX, reduction="sum")
    loss.backward()
    soft = np.exp(X - X.max(1, keepdims=True))
    soft /= soft.sum(1, keepdims=True)
    want = soft.copy()
    valid = T_IDX != -100
    want[np.arange(5)[valid], T_IDX[valid]] -= 1
    want[~valid] = 0
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-12, atol=1e-14)


def test_module_gradients_match_torch() -> None:
    torch = pytest.importorskip("torch")
    rt.manual_seed(4)
    ours = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.LayerNorm(6), nn.Linear(6, 3)).double()
    theirs = torch.nn.Sequential(
        torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.LayerNorm(6), torch.nn.Linear(6, 3)
    ).double()
    theirs.load_state_dict(
        {k: torch.from_numpy(v.numpy().copy()) for k, v in ours.state_dict().items()}
    )
    target = np.array([0, 2, 1, 1, 0])
    F.cross_entropy(ours(rt.tensor(X)), target).backward()
    torch.nn.functional.cross_entropy(
        theirs(torch.from_numpy(X)), torch.from_numpy(target)
    ).backward()
    for (name, p), (tname, tp) in zip(
        ours.named_parameters(), theirs.named_parameters(), strict=True
    ):
        assert name == tname
        np.testing.assert_allclose(
            p.grad.numpy(), tp.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name
        )


def test_embedding_and_rmsnorm_gradients() -> None:
    emb = nn.Embedding(6, 3).double()
    idx = rt.tensor([[0, 2], [2, 5]])
    emb(idx).sum().backward()
    want = np.zeros((6, 3))
    for i in (0, 2, 2, 5):
        want[i] += 1
    np.testing.assert_array_equal(emb.weight.grad.numpy(), want)
    norm = nn.RMSNorm(4).double()
    x = rt.tensor(X)
    (norm(x) * rt.tensor(Y)).sum().backward()
    eps = np.finfo(np.float64).eps
    np.testing.assert_allclose(
        norm.weight.grad.numpy(),
        (X / np.sqrt((X * X).mean(1, keepdims=True) + eps) * Y).sum(0),
        rtol=1e-12,
    )


def test_zero_grad_and_dropout_gradient() -> None:
    lin = nn.Linear(4, 2).double()
    lin(rt.tensor(X)).sum().backward()
    assert lin.weight.grad is not None
    lin.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(lin.weight.grad.numpy(), np.zeros((2, 4)))
    lin.zero_grad()
    assert lin.weight.grad is None
    x = rt.tensor(np.ones((50, 40))).requires_grad_()
    rt.manual_seed(3)
    y = F.dropout(x, 0.25)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), y.detach().numpy())  # the mask, scaled
