"""``torch.autograd``: gradients as more graph.

Ops on tensors that require a gradient record their operands; ``backward()`` and
:func:`grad` build the gradients as lazy graph from one formula per op and evaluate them with
the outputs in one plan, so the backward pass fuses like the forward one (see docs/autograd.md).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from ._rusttorch import Tensor, _set_grad_enabled, is_grad_enabled
from ._rusttorch import _backward as _backward_impl
from ._rusttorch import _grad as _grad_impl
from ._rusttorch import _GradFn as GradFn
from ._rusttorch import _RemovableHandle as RemovableHandle

__all__ = [
    "GradFn",
    "RemovableHandle",
    "backward",
    "enable_grad",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "inference_mode",
    "is_grad_enabled",
    "no_grad",
    "set_grad_enabled",
]

F = TypeVar("F", bound=Callable[..., Any])


def _as_list(x: Tensor | Sequence[Tensor] | None) -> list[Any] | None:
    if x is None:
        return None
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> None:
    """Accumulates the gradients of ``tensors`` into the ``.grad`` of the leaves."""
    _backward_impl(_as_list(tensors), _as_list(grad_tensors), retain_graph, create_graph)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs`` (``.grad`` is not touched)."""
    ins = _as_list(inputs)
    unused = bool(allow_unused) or materialize_grads
    got = _grad_impl(
        _as_list(outputs), ins, _as_list(grad_outputs), retain_graph, create_graph, unused
    )
    if materialize_grads:
        from . import zeros_like

        got = [zeros_like(x) if g is None else g for g, x in zip(got, ins, strict=True)]
    return tuple(got)


class _GradMode:
    """A context manager and decorator that sets the grad mode of the current thread."""

    def __init__(self, mode: bool) -> None:
        self._mode = mode
        self._prev: list[bool] = []

    def __enter__(self) -> None:
        self._prev.append(_set_grad_enabled(self._mode))

    def __exit__(self, *exc: object) -> None:
        _set_grad_enabled(self._prev.pop())

    def __call__(self, func: F) -> F:
        mode = self._mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _GradMode(mode):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def clone(self) -> _GradMode:
        return type(self)(self._mode)


class no_grad(_GradMode):
    """``with no_grad():`` (or ``@no_grad()``): ops record nothing for gradients."""

    def __init__(self) -> None:
        super().__init__(False)

    def clone(self) -> no_grad:
        return no_grad()


class enable_grad(_GradMode):
    """``with enable_grad():`` (or ``@enable_grad()``): ops record for gradients again."""

    def __init__(self) -> None:
        super().__init__(True)

    def clone(self) -> enable_grad:
        return enable_grad()


class set_grad_enabled(_GradMode):
    """Sets the grad mode now (``set_grad_enabled(False)``), or for a ``with`` block."""

    def __init__(self, mode: bool) -> None:
        super().__init__(bool(mode))
        self._prev.append(_set_grad_enabled(bool(mode)))

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        if self._prev:
            _set_grad_enabled(self._prev.pop())

    def clone(self) -> set_grad_enabled:
        return set_grad_enabled(self._mode)


class inference_mode(_GradMode):
    """``torch.inference_mode``: here the same as :class:`no_grad`."""

    def __init__(self, mode: bool = True) -> None:
        super().__init__(not mode)

    def clone(self) -> inference_mode:
        return inference_mode(not self._mode)


def _outputs(out: Any) -> list[Any]:
    """A function's result as a list of tensors."""
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _weighted_sum(outs: Sequence[Tensor], seed: int) -> Tensor:
    """``sum(o * w)`` over the outputs, in float64, with weights in [0.5, 1.5) drawn from
    ``seed`` (the same weights on every call), so each output element has its own weight."""
    from . import from_numpy

    rng = np.random.default_rng(seed)
    terms = [(o.double() * from_numpy(rng.uniform(0.5, 1.5, tuple(o.shape)))).sum() for o in outs]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def _numeric_jacobian_check(
    func: Callable[..., Any],
    inputs: Sequence[Any],
    eps: float,
    atol: float,
    rtol: float,
    raise_exception: bool,
    create_graph: bool,
) -> bool:
    """Compares the gradients of ``sum(func(*inputs) * w)`` (fixed random ``w``) with central
    differences, one input element at a time."""
    from . import from_numpy

    xs = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    loss = _weighted_sum(_outputs(func(*inputs)), seed=0)
    got = grad(loss, xs, allow_unused=True, create_graph=create_graph, materialize_grads=True)
    for k, x in enumerate(xs):
        base = x.detach().numpy().astype(np.float64)
        analytic = got[k].numpy().astype(np.float64).ravel()
        numeric = np.zeros(base.size)
        for j in range(base.size):
            vals = []
            for delta in (eps, -eps):
                moved = base.copy().ravel()
                moved[j] += delta
                moved_x = (
                    from_numpy(moved.reshape(base.shape)).to(x.dtype).requires_grad_(create_graph)
                )
                args = [moved_x if a is x else a for a in inputs]
                # Second derivatives differentiate ``func`` (first gradients) at moved points.
                with _GradMode(create_graph):
                    vals.append(_weighted_sum(_outputs(func(*args)), seed=0).item())
            numeric[j] = (vals[0] - vals[1]) / (2 * eps)
        if not np.allclose(analytic, numeric, atol=atol, rtol=rtol):
            worst = int(np.argmax(np.abs(analytic - numeric)))
            msg = (
                f"gradcheck: input {k}: element {worst} has gradient {analytic[worst]} by autograd "
                f"and {numeric[worst]} by central differences"
            )
            if raise_exception:
                raise RuntimeError(msg)
            return False
    return True


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    **_ignored: Any,
) -> bool:
    """``torch.autograd.gradcheck``: autograd against central differences (float64 inputs)."""
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    return _numeric_jacobian_check(func, inputs, eps, atol, rtol, raise_exception, False)


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    **_ignored: Any,
) -> bool:
    """``torch.autograd.gradgradcheck``: the gradients of ``func``'s gradients against central
    differences (second derivatives through a backward graph built with ``create_graph``)."""
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    xs = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]

    def first_grads(*args: Any) -> tuple[Tensor, ...]:
        total = _weighted_sum(_outputs(func(*args)), seed=1)
        wrt = [a for a in args if isinstance(a, Tensor) and a.requires_grad]
        if not wrt:
            return ()
        return tuple(
            g
            for g in grad(total, wrt, create_graph=True, allow_unused=True, materialize_grads=True)
        )

    if not xs:
        return True
    return _numeric_jacobian_check(first_grads, inputs, eps, atol, rtol, raise_exception, True)


def _accepting_requires_grad(make: F) -> F:
    """``make`` (a creation function) with PyTorch's ``requires_grad=`` keyword."""

    @functools.wraps(make)
    def wrapper(*args: Any, requires_grad: bool = False, **kwargs: Any) -> Any:
        t = make(*args, **kwargs)
        if requires_grad:
            if not isinstance(t, Tensor):
                raise TypeError(f"{make.__name__}: requires_grad=True needs a tensor result")
            if t.is_leaf and t.requires_grad:
                return t
            t = t.detach() if t.requires_grad else t
            t.requires_grad_(True)
        return t

    return wrapper  # type: ignore[return-value]
