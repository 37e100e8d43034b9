"""Training: a 2-layer MLP learns a synthetic task (two concentric rings, not linearly separable)
to 100 % train accuracy, and every step's loss, gradients and parameters match a hand-derived
NumPy float64 implementation of the same model (same init, same data, manual backprop, the same
optimizer math: ``rusttorch.optim.AdamW`` and ``SGD`` with momentum, as torch's) within 1e-10
relative."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import rusttorch as rt

N_POINTS = 128
HIDDEN = 16
N_CLASSES = 2
# Float64 both sides: the per-step differences are rounding (~1e-16) propagated through the
# steps; a wrong gradient formula or optimizer term is orders of magnitude above this.
RTOL = 1e-10
ATOL = 1e-13

Array = np.ndarray


def rings(seed: int = 0, n: int = N_POINTS) -> tuple[Array, Array]:
    """Two concentric rings in 2-D: radius in [0, 0.8) (class 0) and [1.4, 2.0) (class 1)."""
    rng = np.random.default_rng(seed)
    even = np.arange(n) % 2 == 0
    r = np.where(even, rng.uniform(0.0, 0.8, n), rng.uniform(1.4, 2.0, n))
    a = rng.uniform(0.0, 2.0 * np.pi, n)
    x = np.stack([r * np.cos(a), r * np.sin(a)], axis=1)
    return x, (~even).astype(np.int64)


def init_params(seed: int = 1, d: int = 2, h: int = HIDDEN, c: int = N_CLASSES) -> list[Array]:
    """``W1 (d, h), b1 (h), W2 (h, c), b2 (c)``, uniform in +-1/sqrt(fan_in) (torch's Linear)."""
    rng = np.random.default_rng(seed)

    def u(fan_in: int, shape: tuple[int, ...]) -> Array:
        bound = 1.0 / math.sqrt(fan_in)
        return rng.uniform(-bound, bound, shape)

    return [u(d, (d, h)), u(d, (h,)), u(h, (h, c)), u(h, (c,))]


# ---------------------------------------------------------------- the NumPy float64 reference


def np_loss_and_grads(p: list[Array], x: Array, y: Array) -> tuple[float, list[Array], Array]:
    """Mean cross-entropy of ``tanh(x @ W1 + b1) @ W2 + b2``, its gradients by hand, logits."""
    w1, b1, w2, b2 = p
    n = len(y)
    h = np.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    zmax = z.max(axis=1, keepdims=True)
    e = np.exp(z - zmax)
    s = e.sum(axis=1, keepdims=True)
    loss = float(np.mean(np.log(s[:, 0]) + zmax[:, 0] - z[np.arange(n), y]))
    dz = e / s
    dz[np.arange(n), y] -= 1.0
    dz /= n
    dz1 = (dz @ w2.T) * (1.0 - h * h)
    return loss, [x.T @ dz1, dz1.sum(axis=0), h.T @ dz, dz.sum(axis=0)], z


def np_adamw(
    p: list[Array],
    g: list[Array],
    state: dict[str, Any],
    lr: float,
    betas: tuple[float, float],
    eps: float,
    wd: float,
) -> None:
    """torch.optim.AdamW's update (decoupled weight decay, bias-corrected moments), in place."""
    b1, b2 = betas
    state["t"] = t = state.get("t", 0) + 1
    m = state.setdefault("m", [np.zeros_like(q) for q in p])
    v = state.setdefault("v", [np.zeros_like(q) for q in p])
    for i in range(len(p)):
        p[i] = p[i] * (1.0 - lr * wd)
        m[i] = b1 * m[i] + (1.0 - b1) * g[i]
        v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i]
        denom = np.sqrt(v[i]) / math.sqrt(1.0 - b2**t) + eps
        p[i] = p[i] - (lr / (1.0 - b1**t)) * m[i] / denom


def np_sgd(
    p: list[Array], g: list[Array], state: dict[str, Any], lr: float, momentum: float
) -> None:
    """torch.optim.SGD's update with momentum (dampening 0, no nesterov), in place."""
    buf = state.get("buf")
    if buf is None:
        buf = state["buf"] = [q.copy() for q in g]
    else:
        for i in range(len(p)):
            buf[i] = momentum * buf[i] + g[i]
    for i in range(len(p)):
        p[i] = p[i] - lr * buf[i]


# ---------------------------------------------------------------- RustTorch: autograd + optim


def rt_forward(p: list[rt.Tensor], x: rt.Tensor, y: Array) -> tuple[rt.Tensor, rt.Tensor]:
    w1, b1, w2, b2 = p
    logits = rt.tanh(x @ w1 + b1) @ w2 + b2
    return rt.cross_entropy(logits, y), logits


def train_both(
    make_opt: Callable[[list[rt.Tensor]], Any],
    np_step: Callable[[list[Array], list[Array], dict[str, Any]], None],
    steps: int,
) -> list[tuple[float, float, float]]:
    """Trains RustTorch and the NumPy reference side by side; asserts at every step that the loss,
    the gradients and the parameters agree. Returns (rt loss, reference loss, accuracy) per step."""
    xn, yn = rings()
    p_ref = init_params()
    params = [rt.tensor(q, requires_grad=True) for q in p_ref]
    x = rt.tensor(xn)
    opt = make_opt(params)
    state: dict[str, Any] = {}
    curve = []
    for step in range(steps):
        opt.zero_grad()
        loss, logits = rt_forward(params, x, yn)
        loss.backward()
        ref_loss, ref_grads, ref_logits = np_loss_and_grads(p_ref, xn, yn)
        got = loss.item()
        assert got == pytest.approx(ref_loss, rel=RTOL, abs=ATOL), f"loss at step {step}"
        for k, (p, g) in enumerate(zip(params, ref_grads, strict=True)):
            assert p.grad is not None, f"no gradient for parameter {k} at step {step}"
            np.testing.assert_allclose(
                p.grad.numpy(), g, rtol=RTOL, atol=ATOL, err_msg=f"grad {k}, step {step}"
            )
        acc = float((logits.detach().numpy().argmax(axis=1) == yn).mean())
        assert acc == float((ref_logits.argmax(axis=1) == yn).mean())
        curve.append((got, ref_loss, acc))
        opt.step()
        np_step(p_ref, ref_grads, state)
        for k, (p, q) in enumerate(zip(params, p_ref, strict=True)):
            assert p.is_leaf, f"parameter {k} no longer a leaf after step {step}"
            assert p.requires_grad, f"parameter {k} no longer requires grad after step {step}"
            np.testing.assert_allclose(
                p.detach().numpy(), q, rtol=RTOL, atol=ATOL, err_msg=f"param {k}, step {step}"
            )
    return curve


def test_mlp_adamw_matches_numpy_and_fits() -> None:
    hp = {"lr": 0.05, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 1e-2}
    curve = train_both(
        lambda ps: rt.optim.AdamW(ps, **hp),
        lambda p, g, s: np_adamw(p, g, s, hp["lr"], hp["betas"], hp["eps"], hp["weight_decay"]),
        steps=40,
    )
    losses = [c[0] for c in curve]
    # The reference reaches 100 % at step 17 (0-based 16) and stays there; the loss keeps falling.
    assert curve[-1][2] == 1.0
    assert all(c[2] == 1.0 for c in curve[20:])
    assert losses[-1] < 0.1 * losses[0]


def test_mlp_sgd_momentum_matches_numpy() -> None:
    curve = train_both(
        lambda ps: rt.optim.SGD(ps, lr=0.5, momentum=0.9),
        lambda p, g, s: np_sgd(p, g, s, lr=0.5, momentum=0.9),
        steps=25,
    )
    assert curve[-1][0] < curve[0][0]


def test_reference_gradients_are_right() -> None:
    """The hand-derived backprop itself, against central differences (so that agreeing with it
    means agreeing with the true gradient)."""
    xn, yn = rings(n=16)
    p = init_params(seed=3)
    _, grads, _ = np_loss_and_grads(p, xn, yn)
    h = 1e-6
    for k, q in enumerate(p):
        num = np.zeros_like(q)
        for idx in np.ndindex(q.shape):
            old = q[idx]
            q[idx] = old + h
            up = np_loss_and_grads(p, xn, yn)[0]
            q[idx] = old - h
            down = np_loss_and_grads(p, xn, yn)[0]
            q[idx] = old
            num[idx] = (up - down) / (2 * h)
        np.testing.assert_allclose(grads[k], num, rtol=1e-6, atol=1e-9, err_msg=f"param {k}")
