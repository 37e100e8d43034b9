"""``torch.optim.SGD``: momentum, dampening, Nesterov, weight decay, maximize."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent (PyTorch's ``torch.optim.SGD``)."""

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"SGD: invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"SGD: invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"SGD: invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def _update(self, p: Any, group: dict[str, Any]) -> tuple[Any, list[Any]]:
        """The new value of ``p`` and of its momentum buffer, lazy (see ``Adam._update``)."""
        g = -p.grad if group["maximize"] else p.grad
        if group["weight_decay"] != 0:
            g = g + p * self._scalar(group["weight_decay"], p)
        momentum, entries = group["momentum"], []
        if momentum != 0:
            slot = self.state.setdefault(p, {})
            buf = slot.get("momentum_buffer")
            if buf is None:
                buf = g
            else:
                damp = self._scalar(1 - group["dampening"], p)
                buf = buf * self._scalar(momentum, p) + g * damp
            entries.append((slot, "momentum_buffer", buf))
            g = g + buf * self._scalar(momentum, p) if group["nesterov"] else buf
        return p - g * self._scalar(group["lr"], p), entries
