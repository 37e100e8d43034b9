"""The Python array API standard's names for elementwise operations RustTorch spells otherwise
(``add``, ``greater``, ``negative``, ``bitwise_invert``...), the bit shifts, and the array
attributes and methods the standard adds to ``Tensor`` (``device``, ``to_device``,
``__array_namespace__``, ``<<``/``>>``, ``__complex__``)."""

from __future__ import annotations

import builtins
from typing import Any

from . import _rusttorch as _rt
from ._array_api_dtypes import (
    CPU,
    check_device,
    iinfo,
    isdtype,
    renamed,
    result_type,
    tensor_arg,
)

__all__ = [
    "add",
    "bitwise_invert",
    "bitwise_left_shift",
    "bitwise_right_shift",
    "conj",
    "divide",
    "greater",
    "greater_equal",
    "imag",
    "less",
    "less_equal",
    "multiply",
    "negative",
    "not_equal",
    "positive",
    "real",
    "subtract",
]

_Tensor = _rt.Tensor


def add(x1: Any, x2: Any, /) -> _Tensor:
    """``x1 + x2``."""
    return x1 + x2


def subtract(x1: Any, x2: Any, /) -> _Tensor:
    """``x1 - x2``."""
    with renamed("subtract", "sub"):
        return x1 - x2


def multiply(x1: Any, x2: Any, /) -> _Tensor:
    """``x1 * x2``."""
    with renamed("multiply", "mul"):
        return x1 * x2


def divide(x1: Any, x2: Any, /) -> _Tensor:
    """``x1 / x2`` (true division)."""
    with renamed("divide", "div"):
        return x1 / x2


def greater(x1: Any, x2: Any, /) -> _Tensor:
    """``x1 > x2``."""
    with renamed("greater", "gt"):
        return x1 > x2


def greater_equal(x1: Any, x2: Any, /) -> _Tensor:
    """``x1 >= x2``."""
    with renamed("greater_equal", "ge"):
        return x1 >= x2


def less(x1: Any, x2: Any, /) -> _Tensor:
    """``x1 < x2``."""
    with renamed("less", "lt"):
        return x1 < x2


def less_equal(x1: Any, x2: Any, /) -> _Tensor:
    """``x1 <= x2``."""
    with renamed("less_equal", "le"):
        return x1 <= x2


def not_equal(x1: Any, x2: Any, /) -> _Tensor:
    """``x1 != x2``."""
    with renamed("not_equal", "ne"):
        return x1 != x2


def negative(x: _Tensor, /) -> _Tensor:
    """``-x`` (PyTorch: ``neg``)."""
    with renamed("negative", "neg"):
        return -tensor_arg("negative", x)


def positive(x: _Tensor, /) -> _Tensor:
    """``+x``: the values of ``x``."""
    return +tensor_arg("positive", x)


def bitwise_invert(x: _Tensor, /) -> _Tensor:
    """``~x`` (PyTorch: ``bitwise_not``)."""
    with renamed("bitwise_invert", "bitwise_not"):
        return _rt.bitwise_not(x)


def conj(x: _Tensor, /) -> _Tensor:
    """The complex conjugate: ``x`` itself, as RustTorch has no complex dtypes."""
    return +tensor_arg("conj", x)


def real(x: _Tensor, /) -> _Tensor:
    """The real part: ``x`` itself, as RustTorch has no complex dtypes."""
    return +tensor_arg("real", x)


def imag(x: _Tensor, /) -> _Tensor:
    """The imaginary part: zeros, as RustTorch has no complex dtypes."""
    return _rt.zeros_like(tensor_arg("imag", x))


def _shift_operands(op: str, x1: Any, x2: Any) -> tuple[_Tensor, _Tensor, builtins.int]:
    """Both operands as tensors of their promoted integer dtype, and its width in bits."""
    dtype = result_type(x1, x2)
    if not isdtype(dtype, "integral"):
        raise TypeError(f"{op}(): needs integer operands, got {dtype}")
    like = x1 if isinstance(x1, _Tensor) else x2
    a = x1.to(dtype) if isinstance(x1, _Tensor) else _rt.full_like(like, x1, dtype=dtype)
    b = x2.to(dtype) if isinstance(x2, _Tensor) else _rt.full_like(like, x2, dtype=dtype)
    return a, b, iinfo(dtype).bits


def bitwise_left_shift(x1: Any, x2: Any, /) -> _Tensor:
    """``x1 << x2``: multiplication by ``2**x2`` wrapping in ``x1``'s width; 0 once ``x2``
    reaches the width."""
    a, b, bits = _shift_operands("bitwise_left_shift", x1, x2)
    shifted = a * (_rt.full_like(b, 2) ** _rt.clamp(b, 0, bits - 1))
    return _rt.where(b >= bits, _rt.zeros_like(shifted), shifted)


def bitwise_right_shift(x1: Any, x2: Any, /) -> _Tensor:
    """``x1 >> x2``, arithmetic: floor division by ``2**x2``; the sign (0 or -1) once ``x2``
    reaches the width less one (0 once it reaches the width, unsigned)."""
    a, b, bits = _shift_operands("bitwise_right_shift", x1, x2)
    # The largest power of two the dtype holds: 2**(bits - 2) signed, 2**(bits - 1) unsigned.
    top = bits - 2 if iinfo(a.dtype).min < 0 else bits - 1
    shifted = _rt.floor_divide(a, _rt.full_like(b, 2) ** _rt.clamp(b, 0, top))
    sign = _rt.where(a < 0, _rt.full_like(a, -1), _rt.zeros_like(a))
    return _rt.where(b > top, sign, shifted)


def _array_namespace(self: _Tensor, /, *, api_version: str | None = None) -> Any:
    """The namespace of the array API standard for this tensor: ``rusttorch`` itself."""
    if api_version is not None and api_version not in ("2021.12", "2022.12", "2023.12", "2024.12"):
        raise ValueError(f"__array_namespace__(): unsupported api_version {api_version!r}")
    import rusttorch

    return rusttorch


def _to_device(self: _Tensor, device: Any, /, *, stream: Any = None) -> _Tensor:
    """This tensor on ``device``; only ``"cpu"`` exists, so the tensor itself."""
    check_device("to_device", device)
    if stream is not None:
        raise ValueError("to_device(): streams are not supported on the CPU")
    return self


def _device(self: _Tensor) -> Any:
    """The device holding this tensor: always the CPU."""
    return CPU


def _complex(self: _Tensor) -> complex:
    return complex(self.__float__())


def _reflected(fn: Any) -> Any:
    def method(self: _Tensor, other: Any) -> _Tensor:
        return fn(other, self)

    return method


def _inplace(fn: Any) -> Any:
    def method(self: _Tensor, other: Any) -> _Tensor:
        self.copy_(fn(self, other).to(self.dtype))
        return self

    return method


def install_tensor_methods() -> None:
    """Adds the standard's attributes and methods that ``Tensor`` lacks (the type is open)."""
    _Tensor.__array_namespace__ = _array_namespace
    _Tensor.to_device = _to_device
    _Tensor.device = property(_device)
    _Tensor.__complex__ = _complex
    _Tensor.__lshift__ = bitwise_left_shift
    _Tensor.__rshift__ = bitwise_right_shift
    _Tensor.__rlshift__ = _reflected(bitwise_left_shift)
    _Tensor.__rrshift__ = _reflected(bitwise_right_shift)
    _Tensor.__ilshift__ = _inplace(bitwise_left_shift)
    _Tensor.__irshift__ = _inplace(bitwise_right_shift)


def sub(input: Any, other: Any, *, alpha: Any = 1) -> _Tensor:
    """``torch.sub``: ``input - alpha * other``."""
    with renamed("sub", "sub"):
        return input - (other if alpha == 1 else other * alpha)


def mul(input: Any, other: Any) -> _Tensor:
    """``torch.mul``: ``input * other``."""
    return input * other


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> _Tensor:
    """``torch.div``: true division, or rounded toward zero (``'trunc'``) or down (``'floor'``)."""
    if rounding_mode is None:
        return input / other
    if rounding_mode == "floor":
        return input // other
    if rounding_mode == "trunc":
        q = (input / other).trunc()
        if _is_float(input) or _is_float(other):
            return q
        # Integer operands keep their (promoted) integer dtype, as in PyTorch.
        return q.to((input * other).dtype)
    raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")


def _is_float(x: Any) -> bool:
    return isinstance(x, float) or (isinstance(x, _rt.Tensor) and x.dtype.is_floating_point)
