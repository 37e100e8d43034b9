"""Activations as modules (``nn.ReLU``, ``nn.GELU``, ``nn.Softmax``...), each calling its
``functional`` form."""

from __future__ import annotations

from typing import Any

from .._rusttorch import Tensor
from . import functional as F
from .modules import Module


class _Activation(Module):
    """An activation without settings; ``inplace`` is accepted and ignored (tensors are
    values)."""

    _fn: Any = None

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._fn(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU(_Activation):
    """``max(x, 0)``."""

    _fn = staticmethod(F.relu)


class ReLU6(_Activation):
    """``min(max(x, 0), 6)``."""

    _fn = staticmethod(F.relu6)


class SiLU(_Activation):
    """``x * sigmoid(x)``."""

    _fn = staticmethod(F.silu)


class Mish(_Activation):
    """``x * tanh(softplus(x))``."""

    _fn = staticmethod(F.mish)


class Hardswish(_Activation):
    """``x * relu6(x + 3) / 6``."""

    _fn = staticmethod(F.hardswish)


class Hardsigmoid(_Activation):
    """``relu6(x + 3) / 6``."""

    _fn = staticmethod(F.hardsigmoid)


class SELU(_Activation):
    """``scale * elu(x, alpha)`` with the self-normalising constants."""

    _fn = staticmethod(F.selu)


class _NoArgs(Module):
    _fn: Any = None

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._fn(input)


class Tanh(_NoArgs):
    """``tanh(x)``."""

    _fn = staticmethod(F.tanh)


class Sigmoid(_NoArgs):
    """``1 / (1 + exp(-x))``."""

    _fn = staticmethod(F.sigmoid)


class LogSigmoid(_NoArgs):
    """``log(sigmoid(x))``."""

    _fn = staticmethod(F.logsigmoid)


class Softsign(_NoArgs):
    """``x / (1 + |x|)``."""

    _fn = staticmethod(F.softsign)


class GELU(Module):
    """GELU: exact (``approximate='none'``) or the tanh approximation (``'tanh'``)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class LeakyReLU(Module):
    """``x`` where ``x >= 0``, else ``negative_slope * x``."""

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(ELU):
    """``x`` where ``x > 0``, else ``alpha * (exp(x / alpha) - 1)``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(input, self.alpha)


class Hardtanh(Module):
    """``x`` clamped to ``[min_val, max_val]``."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class Softplus(Module):
    """``log(1 + exp(beta x)) / beta``, ``x`` where ``beta x > threshold``."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softmax(Module):
    """``exp(x) / sum(exp(x))`` along ``dim``."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._fn(input, _dim(self.dim, input))

    _fn = staticmethod(F.softmax)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """``log(softmax(x))`` along ``dim``, computed stably."""

    _fn = staticmethod(F.log_softmax)


def _dim(dim: int | None, input: Tensor) -> int:
    """PyTorch's legacy choice when no ``dim`` is given: 0 for 0-, 1- and 3-d inputs, else 1."""
    if dim is not None:
        return dim
    return 0 if input.ndim in (0, 1, 3) else 1
