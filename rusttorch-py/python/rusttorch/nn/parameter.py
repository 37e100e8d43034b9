"""``nn.Parameter``: a tensor a module registers as a learnable parameter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._rusttorch import Tensor

if TYPE_CHECKING:
    from .._rusttorch import TensorLike


class Parameter(Tensor):
    """A tensor (``isinstance(p, rusttorch.Tensor)`` holds) that ``Module.__setattr__``
    registers as a parameter; it is a leaf that requires grad by default. It holds ``data``'s
    value without copying it (and without its gradient record: ``data`` itself is
    unchanged); in-place updates rebind it, as for any tensor."""

    def __new__(cls, data: TensorLike | None = None, requires_grad: bool = True) -> Parameter:
        p = super().__new__(cls, data.detach() if isinstance(data, Tensor) else data)
        p.requires_grad_(requires_grad)
        return p

    def __init__(self, data: TensorLike | None = None, requires_grad: bool = True) -> None:
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, protocol: Any) -> Any:  # type: ignore[override]
        return (_rebuild_parameter, (self.detach().__reduce_ex__(protocol), self.requires_grad))

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:  # type: ignore[override]
        p = Parameter(self.detach(), self.requires_grad)
        memo[id(self)] = p
        return p


def _rebuild_parameter(reduced: Any, requires_grad: bool) -> Parameter:
    fn, args = reduced[0], reduced[1]
    return Parameter(fn(*args), requires_grad)
