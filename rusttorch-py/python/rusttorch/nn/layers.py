"""Layers with parameters or settings: ``Linear``, ``Embedding``, ``LayerNorm``, ``RMSNorm``,
``Dropout``, ``Identity``, ``Flatten``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .. import _rusttorch as _rt
from .._rusttorch import Tensor
from ..autograd import no_grad
from . import functional as F
from . import init
from .modules import Module
from .parameter import Parameter


def _float_dtype(dtype: Any) -> Any:
    d = _rt.float32 if dtype is None else dtype
    if not _rt.zeros(0, dtype=d).dtype.is_floating_point:
        raise TypeError(f"expected a floating point dtype for parameters, got {dtype}")
    return d


class Identity(Module):
    """Returns its input (arguments accepted and ignored, as PyTorch's)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """``y = x @ weight.T + bias``; ``weight`` ``[out, in]`` and ``bias`` ``[out]`` start as
    PyTorch's: uniform in ``±1/sqrt(in_features)`` (Kaiming uniform with ``a = sqrt(5)``)."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        d = _float_dtype(dtype)
        self.weight = Parameter(_rt.empty((out_features, in_features), dtype=d))
        if bias:
            self.bias = Parameter(_rt.empty(out_features, dtype=d))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draws the parameters again (from the default generator)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        bias = self.bias is not None
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={bias}"


class Embedding(Module):
    """A lookup table of ``num_embeddings`` vectors of size ``embedding_dim``, from ``N(0, 1)``
    (the ``padding_idx`` row zero)."""

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError("Padding_idx must be within num_embeddings")
            padding_idx %= num_embeddings
        if max_norm is not None or scale_grad_by_freq or sparse:
            raise NotImplementedError(
                "Embedding: max_norm, scale_grad_by_freq and sparse are not supported"
            )
        self.num_embeddings, self.embedding_dim, self.padding_idx = (
            num_embeddings,
            embedding_dim,
            padding_idx,
        )
        if _weight is None:
            self.weight = Parameter(
                _rt.empty((num_embeddings, embedding_dim), dtype=_float_dtype(dtype)), not _freeze
            )
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError("Shape of weight does not match num_embeddings and embedding_dim")
            self.weight = Parameter(_weight, not _freeze)

    def reset_parameters(self) -> None:
        """Draws the table again (from the default generator)."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            row = _rt.arange(self.num_embeddings).unsqueeze(1) == self.padding_idx
            with no_grad():
                self.weight.copy_(_rt.where(row, 0.0, self.weight))

    @classmethod
    def from_pretrained(
        cls, embeddings: Tensor, freeze: bool = True, padding_idx: int | None = None, **kwargs: Any
    ) -> Embedding:
        """An ``Embedding`` holding ``embeddings`` (2-D)."""
        if embeddings.ndim != 2:
            raise ValueError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx, _weight=embeddings, _freeze=freeze, **kwargs)

    def forward(self, input: Tensor) -> Tensor:
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        return s if self.padding_idx is None else s + f", padding_idx={self.padding_idx}"


def _shape(normalized_shape: int | Sequence[int]) -> tuple[int, ...]:
    return (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)


class LayerNorm(Module):
    """Normalises the trailing ``normalized_shape`` dims to mean 0 and variance 1, then scales
    by ``weight`` (ones) and shifts by ``bias`` (zeros)."""

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.normalized_shape, self.eps, self.elementwise_affine = (
            _shape(normalized_shape),
            eps,
            elementwise_affine,
        )
        d = _float_dtype(dtype)
        if elementwise_affine:
            self.weight = Parameter(_rt.ones(self.normalized_shape, dtype=d))
            if bias:
                self.bias = Parameter(_rt.zeros(self.normalized_shape, dtype=d))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


class RMSNorm(Module):
    """Divides by the root mean square of the trailing ``normalized_shape`` dims, then scales
    by ``weight`` (ones). ``eps=None``: the dtype's machine epsilon, as PyTorch."""

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float | None = None,
        elementwise_affine: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.normalized_shape, self.eps, self.elementwise_affine = (
            _shape(normalized_shape),
            eps,
            elementwise_affine,
        )
        if elementwise_affine:
            self.weight = Parameter(_rt.ones(self.normalized_shape, dtype=_float_dtype(dtype)))
        else:
            self.register_parameter("weight", None)

    def forward(self, input: Tensor) -> Tensor:
        eps = self.eps
        if eps is None:
            eps = 2.220446049250313e-16 if input.dtype == _rt.float64 else 1.1920928955078125e-07
        return F.rms_norm(input, self.normalized_shape, self.weight, eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


class Dropout(Module):
    """``functional.dropout`` in training mode, the identity in eval mode."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Flatten(Module):
    """Flattens dims ``start_dim..end_dim`` (the batch dim 0 is kept by default)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: Tensor) -> Tensor:
        return _rt.flatten(input, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
