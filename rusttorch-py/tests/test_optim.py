"""``rusttorch.optim``: SGD, Adam and AdamW against a NumPy float64 reference of PyTorch's update
rules (and against PyTorch itself where it is installed), parameter groups, ``zero_grad``,
``state_dict`` round trips, argument errors, and the in-place update (buffer donation)."""

from __future__ import annotations

import numpy as np
import pytest
import rusttorch as rt

STEPS = 5


def grads_for(step: int, shape: tuple[int, ...]) -> np.ndarray:
    return np.random.default_rng(100 + step).normal(size=shape)


def run_rt(make, p0: np.ndarray) -> list[np.ndarray]:
    p = rt.tensor(p0.copy(), requires_grad=True)
    opt = make([p])
    out = []
    for t in range(STEPS):
        # loss = sum(p * g) has gradient g: the optimizer sees exactly the reference's gradients.
        (p * rt.tensor(grads_for(t, p0.shape))).sum().backward()
        opt.step()
        opt.zero_grad()
        out.append(p.numpy().copy())
    return out


def sgd_ref(
    p: np.ndarray, lr: float, momentum=0.0, dampening=0.0, wd=0.0, nesterov=False, maximize=False
):
    p, buf, out = p.copy(), None, []
    for t in range(STEPS):
        g = grads_for(t, p.shape)
        g = -g if maximize else g
        g = g + wd * p
        if momentum:
            buf = g if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        p = p - lr * g
        out.append(p.copy())
    return out


def adam_ref(
    p: np.ndarray,
    lr: float,
    b1=0.9,
    b2=0.999,
    eps=1e-8,
    wd=0.0,
    decoupled=False,
    amsgrad=False,
    maximize=False,
):
    p, m, v, vmax, out = p.copy(), 0.0, 0.0, 0.0, []
    for t in range(1, STEPS + 1):
        g = grads_for(t - 1, p.shape)
        g = -g if maximize else g
        if decoupled:
            p = p * (1 - lr * wd)
        else:
            g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vhat = np.maximum(vmax, v) if amsgrad else v
        vmax = vhat
        denom = np.sqrt(vhat) / np.sqrt(1 - b2**t) + eps
        p = p - lr / (1 - b1**t) * m / denom
        out.append(p.copy())
    return out


P0 = np.random.default_rng(0).normal(size=(3, 4))

CASES = {
    "sgd": (lambda ps: rt.optim.SGD(ps, lr=0.1), lambda: sgd_ref(P0, 0.1)),
    "sgd_momentum": (
        lambda ps: rt.optim.SGD(ps, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01),
        lambda: sgd_ref(P0, 0.1, 0.9, 0.1, 0.01),
    ),
    "sgd_nesterov": (
        lambda ps: rt.optim.SGD(ps, lr=0.05, momentum=0.8, nesterov=True, maximize=True),
        lambda: sgd_ref(P0, 0.05, 0.8, nesterov=True, maximize=True),
    ),
    "adam": (lambda ps: rt.optim.Adam(ps, lr=0.01), lambda: adam_ref(P0, 0.01)),
    "adam_l2_amsgrad": (
        lambda ps: rt.optim.Adam(ps, lr=0.01, weight_decay=0.1, amsgrad=True),
        lambda: adam_ref(P0, 0.01, wd=0.1, amsgrad=True),
    ),
    "adamw": (
        lambda ps: rt.optim.AdamW(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-6),
        lambda: adam_ref(P0, 0.02, 0.8, 0.99, 1e-6, wd=1e-2, decoupled=True),
    ),
    "adamw_maximize": (
        lambda ps: rt.optim.AdamW(ps, lr=0.02, weight_decay=0.5, maximize=True),
        lambda: adam_ref(P0, 0.02, wd=0.5, decoupled=True, maximize=True),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_updates_match_the_reference(name: str) -> None:
    make, ref = CASES[name]
    for got, want in zip(run_rt(make, P0), ref(), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["sgd_momentum", "adam", "adamw"])
def test_updates_match_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    makers = {
        "sgd_momentum": lambda ps, lib: lib.optim.SGD(
            ps, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01
        ),
        "adam": lambda ps, lib: lib.optim.Adam(ps, lr=0.01),
        "adamw": lambda ps, lib: lib.optim.AdamW(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-6),
    }
    p = torch.tensor(P0.copy(), requires_grad=True)
    opt = makers[name]([p], torch)
    want = []
    for t in range(STEPS):
        p.grad = torch.tensor(grads_for(t, P0.shape))
        opt.step()
        want.append(p.detach().numpy().copy())
    got = run_rt(lambda ps: makers[name](ps, rt), P0)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_parameters_stay_leaves_and_are_updated_in_place() -> None:
    p = rt.tensor(np.ones((256, 256), dtype=np.float32), requires_grad=True)
    opt = rt.optim.AdamW([p], lr=0.1)
    ptrs = []
    for _ in range(3):
        (p * p).sum().backward()
        opt.step()
        assert p.is_leaf
        assert p.requires_grad
        ptrs.append(p.data_ptr())
        opt.zero_grad()
        assert p.grad is None
    # The first step copies the user's array into engine memory; later ones write in place
    # (the parameter and both moments: one kernel with three donated outputs).
    assert ptrs[1] == ptrs[2], "the update wrote into the parameter's own buffer"


def test_zero_grad_to_zeros_and_param_groups() -> None:
    a = rt.tensor([1.0, 2.0], requires_grad=True)
    b = rt.tensor([3.0], requires_grad=True)
    opt = rt.optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    (a.sum() + b.sum()).backward()
    opt.step()
    np.testing.assert_allclose(a.numpy(), [0.9, 1.9])
    np.testing.assert_allclose(b.numpy(), [2.0])
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(a.grad.numpy(), [0.0, 0.0])
    assert opt.param_groups[1]["lr"] == 1.0
    assert opt.param_groups[0]["lr"] == 0.1


def test_state_dict_round_trip_continues_identically() -> None:
    def make() -> tuple[rt.Tensor, rt.optim.Adam]:
        p = rt.tensor(P0.copy(), requires_grad=True)
        return p, rt.optim.Adam([p], lr=0.01)

    p, opt = make()
    for t in range(2):
        (p * rt.tensor(grads_for(t, P0.shape))).sum().backward()
        opt.step()
        opt.zero_grad()
    saved, values = opt.state_dict(), p.numpy().copy()
    q, opt2 = make()
    with rt.no_grad():
        q.copy_(rt.tensor(values))
    opt2.load_state_dict(saved)
    assert opt2.state_dict()["state"][0]["step"] == 2
    for opt_, x in ((opt, p), (opt2, q)):
        (x * rt.tensor(grads_for(2, P0.shape))).sum().backward()
        opt_.step()
    np.testing.assert_array_equal(p.numpy(), q.numpy())


def test_closure_and_bad_arguments() -> None:
    p = rt.tensor([1.0, -1.0], requires_grad=True)
    opt = rt.optim.SGD([p], lr=0.5)

    def closure() -> rt.Tensor:
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == 2.0
    np.testing.assert_allclose(p.numpy(), [0.0, 0.0])
    with pytest.raises(ValueError, match="SGD: invalid learning rate: -1"):
        rt.optim.SGD([p], lr=-1)
    with pytest.raises(ValueError, match=r"Adam: invalid beta parameter at index 1: 1\.0"):
        rt.optim.Adam([p], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="empty parameter list"):
        rt.optim.AdamW([])
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        rt.optim.SGD([p * 2.0])
    with pytest.raises(ValueError, match="more than one parameter group"):
        rt.optim.SGD([{"params": [p]}, {"params": [p]}])
