"""``nn.Parameter``: a tensor a module registers as a learnable parameter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._rusttorch import Tensor

if TYPE_CHECKING:
    from .._rusttorch import TensorLike


def _grad_api() -> bool:
    """Whether tensors track gradients (``requires_grad_`` exists)."""
    return hasattr(Tensor, "requires_grad_")


def _set_requires_grad(t: Tensor, requires_grad: bool) -> None:
    if _grad_api():
        t.requires_grad_(requires_grad)  # type: ignore[attr-defined]


class Parameter(Tensor):
    """A tensor (``isinstance(p, rusttorch.Tensor)`` holds) that ``Module.__setattr__``
    registers as a parameter; it requires grad by default. It names ``data``'s node (no
    copy); in-place updates rebind it, as for any tensor."""

    def __new__(cls, data: TensorLike | None = None, requires_grad: bool = True) -> Parameter:
        p = super().__new__(cls, data)
        _set_requires_grad(p, requires_grad)
        return p

    def __init__(self, data: TensorLike | None = None, requires_grad: bool = True) -> None:
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, protocol: Any) -> Any:  # type: ignore[override]
        return (_rebuild_parameter, (Tensor(self).__reduce_ex__(protocol), _requires_grad(self)))

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:  # type: ignore[override]
        p = Parameter(Tensor(self), _requires_grad(self))
        memo[id(self)] = p
        return p


def _requires_grad(t: Tensor) -> bool:
    return bool(getattr(t, "requires_grad", True))


def _rebuild_parameter(reduced: Any, requires_grad: bool) -> Parameter:
    fn, args = reduced[0], reduced[1]
    return Parameter(fn(*args), requires_grad)
