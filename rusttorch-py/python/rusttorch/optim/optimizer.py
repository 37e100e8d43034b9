"""The ``Optimizer`` base class: parameter groups, per-parameter state, ``zero_grad``,
``state_dict``/``load_state_dict``, and the one-plan update every optimizer's step ends with."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from .. import _rusttorch as _rt
from ..autograd import enable_grad, no_grad

Tensor = _rt.Tensor


class Optimizer:
    """Base class of the optimizers (PyTorch's ``torch.optim.Optimizer``)."""

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for g in groups:
            self.add_param_group(g)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(g.items()) if k != "params"]
        return "\n".join(lines) + "\n)"

    def add_param_group(self, group: dict[str, Any]) -> None:
        """Adds a group of parameters with its own hyperparameters (the defaults fill the rest)."""
        name = type(self).__name__
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: can only optimize Tensors, got {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(f"{name}: can't optimize a non-leaf Tensor")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError(f"{name}: some parameters appear in more than one parameter group")
        full = {**self.defaults, **group, "params": params}
        self.param_groups.append(full)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clears the gradients (``None``, or zeros with ``set_to_none=False``)."""
        for g in self.param_groups:
            for p in g["params"]:
                if p.grad is None:
                    continue
                p.grad = None if set_to_none else _rt.zeros_like(p)

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state: per-parameter state by index, and the groups' settings."""
        index: dict[int, int] = {}
        groups = []
        for g in self.param_groups:
            ids = []
            for p in g["params"]:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            groups.append({**{k: v for k, v in g.items() if k != "params"}, "params": ids})
        state = {}
        for g in self.param_groups:
            for p in g["params"]:
                if p in self.state:
                    state[index[id(p)]] = dict(self.state[p])
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restores what ``state_dict()`` gave (the groups must hold as many parameters)."""
        name = type(self).__name__
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError(
                f"{name}: loaded state dict has a different number of parameter groups"
            )
        for mine, theirs in zip(self.param_groups, groups, strict=True):
            if len(mine["params"]) != len(theirs["params"]):
                raise ValueError(
                    f"{name}: loaded state dict contains a parameter group that doesn't "
                    "match the size of optimizer's group"
                )
        by_index: dict[int, Tensor] = {}
        for mine, theirs in zip(self.param_groups, groups, strict=True):
            for p, i in zip(mine["params"], theirs["params"], strict=True):
                by_index[i] = p
            for k, v in theirs.items():
                if k != "params":
                    mine[k] = copy.copy(v)
        self.state = {}
        for i, s in state_dict["state"].items():
            p = by_index[int(i)]
            self.state[p] = {
                k: (v.to(p.dtype) if isinstance(v, Tensor) and v.dtype.is_floating_point else v)
                for k, v in s.items()
            }

    def _closure_loss(self, closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None
        with enable_grad():
            return closure()

    @staticmethod
    def _scalar(value: float, like: Tensor) -> Tensor:
        """A 0-d tensor (data, not graph structure: the cached plan is reused every step)."""
        return _rt.tensor(float(value), dtype=like.dtype)

    @staticmethod
    def _commit(
        updates: list[tuple[Tensor, Tensor]], state: list[tuple[dict[str, Any], str, Tensor]]
    ) -> None:
        """Rebinds every parameter and state entry to its new value and evaluates them all in one
        plan (the old buffers are donated to the new values when nothing else holds them)."""
        with no_grad():
            for p, new in updates:
                p.copy_(new)
            for slot, key, value in state:
                slot[key] = value
            _rt.eval(*[p for p, _ in updates], *[v for _, _, v in state])

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient: one fused kernel per parameter,
        one plan per parameter group (``_update`` gives each parameter's new value)."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            updates, state = [], []
            for p in group["params"]:
                if p.grad is not None:
                    new, entries = self._update(p, group)
                    updates.append((p, new))
                    state += entries
            self._commit(updates, state)
        return loss

    def _update(self, p: Tensor, group: dict[str, Any]) -> tuple[Tensor, list[Any]]:
        """The new value of ``p`` and of its state entries ``(slot, key, value)``, lazy."""
        raise NotImplementedError
