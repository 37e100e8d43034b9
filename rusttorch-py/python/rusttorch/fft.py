"""``rusttorch.fft``: the real-valued helpers of the array API ``fft`` extension (``fftfreq``,
``rfftfreq``, ``fftshift``, ``ifftshift``), lazy like every other op. The transforms themselves
(``fft``, ``rfft``...) return complex arrays, and RustTorch has no complex dtypes: they are
absent (docs/array-api.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import _rusttorch as _rt
from ._array_api_dtypes import check_device, isdtype

__all__ = ["fftfreq", "fftshift", "ifftshift", "rfftfreq"]


def _float_dtype(op: str, dtype: Any) -> Any:
    if dtype is None:
        return _rt.float32
    if not isdtype(dtype, "real floating"):
        raise TypeError(f"fft.{op}(): dtype must be a real floating dtype, got {dtype}")
    return dtype


def fftfreq(n: int, /, *, d: float = 1.0, dtype: Any = None, device: Any = None) -> _rt.Tensor:
    """The sample frequencies of an ``n``-point transform with sample spacing ``d``:
    ``[0, 1, ..., n//2 - 1 + n%2, -(n//2), ..., -1] / (d * n)`` (float32 by default)."""
    check_device("fft.fftfreq", device)
    dtype = _float_dtype("fftfreq", dtype)
    k = _rt.arange(n, dtype=_rt.int64)
    k = _rt.where(k < (n + 1) // 2, k, k - n)
    return (k.to(_rt.float64) / (d * n)).to(dtype)


def rfftfreq(n: int, /, *, d: float = 1.0, dtype: Any = None, device: Any = None) -> _rt.Tensor:
    """The non-negative sample frequencies of an ``n``-point real transform:
    ``[0, 1, ..., n//2] / (d * n)`` (float32 by default)."""
    check_device("fft.rfftfreq", device)
    dtype = _float_dtype("rfftfreq", dtype)
    return (_rt.arange(n // 2 + 1, dtype=_rt.float64) / (d * n)).to(dtype)


def _shift(x: _rt.Tensor, axes: int | Sequence[int] | None, sign: int) -> _rt.Tensor:
    if axes is None:
        axes = tuple(range(x.ndim))
    elif isinstance(axes, int):
        axes = (axes,)
    axes = tuple(axes)
    if not axes:
        return x
    shifts = tuple(sign * (x.shape[a] // 2) for a in axes)
    return _rt.roll(x, shifts, axes)


def fftshift(x: _rt.Tensor, /, *, axes: int | Sequence[int] | None = None) -> _rt.Tensor:
    """``x`` with the zero frequency moved to the centre of ``axes`` (all when ``None``)."""
    return _shift(x, axes, 1)


def ifftshift(x: _rt.Tensor, /, *, axes: int | Sequence[int] | None = None) -> _rt.Tensor:
    """The inverse of ``fftshift``."""
    return _shift(x, axes, -1)
