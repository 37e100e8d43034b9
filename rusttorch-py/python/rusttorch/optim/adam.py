"""``torch.optim.Adam`` and ``AdamW`` (decoupled weight decay), with ``amsgrad`` and
``maximize``."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from .. import _rusttorch as _rt
from .optimizer import Optimizer


class Adam(Optimizer):
    """Adam (PyTorch's ``torch.optim.Adam``): ``weight_decay`` adds ``wd * p`` to the gradient."""

    _decoupled = False

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        name = type(self).__name__
        if lr < 0.0:
            raise ValueError(f"{name}: invalid learning rate: {lr}")
        if eps < 0.0:
            raise ValueError(f"{name}: invalid epsilon value: {eps}")
        for i, b in enumerate(betas):
            if not 0.0 <= b < 1.0:
                raise ValueError(f"{name}: invalid beta parameter at index {i}: {b}")
        if weight_decay < 0.0:
            raise ValueError(f"{name}: invalid weight_decay value: {weight_decay}")
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _update(self, p: Any, group: dict[str, Any]) -> tuple[Any, list[Any]]:
        """The new value of ``p`` and of its state entries, lazy. (A function of its own: its
        intermediate values must not outlive it, or the evaluation could not tell that nothing
        else reads the old buffers, and would not donate them.)"""
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        g = -p.grad if group["maximize"] else p.grad
        slot = self.state.setdefault(p, {})
        if not slot:
            slot["step"] = 0
            slot["exp_avg"] = _rt.zeros_like(p)
            slot["exp_avg_sq"] = _rt.zeros_like(p)
            if group["amsgrad"]:
                slot["max_exp_avg_sq"] = _rt.zeros_like(p)
        slot["step"] += 1
        t = slot["step"]
        s = self._scalar
        if wd != 0 and not self._decoupled:
            g = g + p * s(wd, p)
        m = slot["exp_avg"] * s(b1, p) + g * s(1 - b1, p)
        v = slot["exp_avg_sq"] * s(b2, p) + g * g * s(1 - b2, p)
        entries = [(slot, "exp_avg", m), (slot, "exp_avg_sq", v)]
        if group["amsgrad"]:
            v = _rt.maximum(slot["max_exp_avg_sq"], v)
            entries.append((slot, "max_exp_avg_sq", v))
        bias1, bias2 = 1 - b1**t, 1 - b2**t
        denom = v.sqrt() * s(1 / math.sqrt(bias2), p) + s(eps, p)
        base = p * s(1 - lr * wd, p) if wd != 0 and self._decoupled else p
        return base - m / denom * s(lr / bias1, p), entries


class AdamW(Adam):
    """AdamW (PyTorch's ``torch.optim.AdamW``): weight decay decoupled from the gradient,
    ``p *= 1 - lr * weight_decay`` (default ``weight_decay=1e-2``)."""

    _decoupled = True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
