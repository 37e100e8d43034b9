"""Named tuples returned by ops with several results, as PyTorch's ``torch.return_types``.

``t.max(dim)`` returns ``rusttorch.return_types.max(values, indices)``: a tuple (unpack it,
index it) whose fields are also attributes (``.values``, ``.indices``). An op that returns
values and their indices (``median``, ``mode``, ``sort``, ``topk``, ...) gets its class here
as a two-line subclass of ``ValuesIndices``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from ._rusttorch import Tensor


class ValuesIndices(NamedTuple):
    """``(values, indices)``; subclasses are named after the op that returns them."""

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        # PyTorch's layout: one field per line.
        return (
            f"rusttorch.return_types.{type(self).__name__}(\n"
            f"values={self.values!r},\nindices={self.indices!r})"
        )


class max(ValuesIndices):
    """What ``max(input, dim)`` returns."""

    __slots__ = ()


class min(ValuesIndices):
    """What ``min(input, dim)`` returns."""

    __slots__ = ()


class cummax(ValuesIndices):
    """What ``cummax(input, dim)`` returns."""

    __slots__ = ()


class cummin(ValuesIndices):
    """What ``cummin(input, dim)`` returns."""

    __slots__ = ()


class kthvalue(ValuesIndices):
    """What ``kthvalue(input, k, dim)`` returns."""

    __slots__ = ()


class median(ValuesIndices):
    """What ``median(input, dim)`` returns."""

    __slots__ = ()


class mode(ValuesIndices):
    """What ``mode(input, dim)`` returns."""

    __slots__ = ()


class nanmedian(ValuesIndices):
    """What ``nanmedian(input, dim)`` returns."""

    __slots__ = ()


class sort(ValuesIndices):
    """What ``sort(input, dim)`` returns."""

    __slots__ = ()


class topk(ValuesIndices):
    """What ``topk(input, k, dim)`` returns."""

    __slots__ = ()


__all__ = [
    "ValuesIndices",
    "cummax",
    "cummin",
    "kthvalue",
    "max",
    "median",
    "min",
    "mode",
    "nanmedian",
    "sort",
    "topk",
]


class UniqueAllResult(NamedTuple):
    """What ``unique_all(x)`` returns (the array API standard's fields)."""

    values: Tensor
    indices: Tensor
    inverse_indices: Tensor
    counts: Tensor


class UniqueCountsResult(NamedTuple):
    """What ``unique_counts(x)`` returns (the array API standard's fields)."""

    values: Tensor
    counts: Tensor


class UniqueInverseResult(NamedTuple):
    """What ``unique_inverse(x)`` returns (the array API standard's fields)."""

    values: Tensor
    inverse_indices: Tensor


class EighResult(NamedTuple):
    """What ``linalg.eigh(x)`` returns."""

    eigenvalues: Tensor
    eigenvectors: Tensor


class QRResult(NamedTuple):
    """What ``linalg.qr(x)`` returns."""

    Q: Tensor
    R: Tensor


class SlogdetResult(NamedTuple):
    """What ``linalg.slogdet(x)`` returns."""

    sign: Tensor
    logabsdet: Tensor


class SVDResult(NamedTuple):
    """What ``linalg.svd(x)`` returns."""

    U: Tensor
    S: Tensor
    Vh: Tensor
