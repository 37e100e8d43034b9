"""The Python array API standard's data-type functions and inspection namespace for ``rusttorch``:
``isdtype``, ``result_type``, ``can_cast``, ``finfo``, ``iinfo``, ``__array_namespace_info__``,
and the ``device`` object.

Every function here works over the dtypes ``rusttorch`` exposes (``_dtypes()`` reads them from
the package), so a dtype added to the core appears in ``dtypes()``, ``isdtype`` and ``finfo``
/``iinfo`` once it is importable as ``rusttorch.<name>``. Promotion is the core's
(``result_type`` asks the Rust promotion rule through a binary op on empty tensors), so the two
never disagree; docs/array-api.md lists where it differs from the standard's lattice.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import _rusttorch as _rt

__all__ = [
    "Device",
    "can_cast",
    "finfo",
    "iinfo",
    "isdtype",
    "result_type",
]

# Every dtype name the standard knows, by kind, in the order `dtypes()` lists them. A name is
# reported only when `rusttorch` has it, so new core dtypes join without a change here.
_KIND_NAMES: dict[str, tuple[str, ...]] = {
    "bool": ("bool",),
    "signed integer": ("int8", "int16", "int32", "int64"),
    "unsigned integer": ("uint8", "uint16", "uint32", "uint64"),
    "real floating": ("float32", "float64"),
    "complex floating": ("complex64", "complex128"),
}
# Dtypes outside the standard: `isdtype` knows their kind (as NumPy's knows float16's), while
# `dtypes()` lists the standard's alone (as NumPy's and array-api-strict's do).
_EXTRA_NAMES: dict[str, tuple[str, ...]] = {"real floating": ("float16", "bfloat16")}
_KIND_UNIONS: dict[str, tuple[str, ...]] = {
    "integral": ("signed integer", "unsigned integer"),
    "numeric": ("signed integer", "unsigned integer", "real floating", "complex floating"),
}


def _dtypes(kind: str) -> list[Any]:
    """The ``rusttorch`` dtype objects of one kind (a name of ``_KIND_NAMES``)."""
    import rusttorch

    return [getattr(rusttorch, n) for n in _KIND_NAMES[kind] if hasattr(rusttorch, n)]


@contextmanager
def renamed(op: str, core: str) -> Iterator[None]:
    """Errors the core raises under its own name (``cat: ...``) name the standard's spelling
    the caller used (``concat: ...``), with the same exception type."""
    try:
        yield
    except (ValueError, TypeError, IndexError) as e:
        msg = str(e)
        if msg.startswith(core) and not msg[len(core) : len(core) + 1].isalnum():
            raise type(e)(op + msg[len(core) :]) from None
        raise


def tensor_arg(op: str, x: Any) -> Any:
    """``x`` when it is a Tensor; a TypeError naming ``op`` otherwise."""
    if not isinstance(x, _rt.Tensor):
        raise TypeError(f"{op}(): expected a Tensor, got {type(x).__name__}")
    return x


def _as_dtype(op: str, x: Any) -> Any:
    """A dtype object from a dtype or an array (what ``finfo``/``iinfo`` accept)."""
    if isinstance(x, _rt.Tensor):
        return x.dtype
    if isinstance(x, _rt.dtype):
        return x
    raise TypeError(f"{op}(): expected a rusttorch dtype or Tensor, got {type(x).__name__}")


def isdtype(dtype: Any, kind: Any) -> builtins.bool:
    """Whether ``dtype`` is of ``kind``: a dtype, a kind name (``"bool"``, ``"signed integer"``,
    ``"unsigned integer"``, ``"integral"``, ``"real floating"``, ``"complex floating"``,
    ``"numeric"``) or a tuple of those."""
    if not isinstance(dtype, _rt.dtype):
        raise TypeError(f"isdtype(): 'dtype' must be a rusttorch dtype, got {type(dtype).__name__}")
    if isinstance(kind, tuple):
        return builtins.any(isdtype(dtype, k) for k in kind)
    if isinstance(kind, _rt.dtype):
        return dtype == kind
    if isinstance(kind, str):
        if kind in _KIND_UNIONS:
            return builtins.any(isdtype(dtype, k) for k in _KIND_UNIONS[kind])
        if kind in _KIND_NAMES:
            return dtype.name in _KIND_NAMES[kind] + _EXTRA_NAMES.get(kind, ())
        raise ValueError(f"isdtype(): unknown kind {kind!r}")
    raise TypeError(
        f"isdtype(): 'kind' must be a dtype, a kind name or a tuple, got {type(kind).__name__}"
    )


def _probe(x: Any) -> Any:
    """An operand that promotes as ``x`` does: an empty tensor for a dtype or an array, the
    Python scalar itself otherwise."""
    if isinstance(x, _rt.dtype):
        return _rt.empty(0, dtype=x)
    if isinstance(x, _rt.Tensor):
        return _rt.empty(0, dtype=x.dtype)
    if isinstance(x, (builtins.bool, builtins.int, builtins.float)):
        return x
    if isinstance(x, complex):
        raise TypeError("result_type(): complex dtypes are not supported by rusttorch")
    raise TypeError(
        f"result_type(): expected arrays, dtypes or Python scalars, got {type(x).__name__}"
    )


def result_type(*arrays_and_dtypes: Any) -> Any:
    """The dtype the core's promotion gives the arguments (arrays, dtypes or Python scalars),
    as a binary op would; at least one array or dtype is required."""
    probes = [_probe(x) for x in arrays_and_dtypes]
    tensors = [p for p in probes if isinstance(p, _rt.Tensor)]
    if not tensors:
        raise TypeError("result_type(): at least one array or dtype is required")
    # Arrays and dtypes first, then the scalars, which promote only with the array result.
    acc = tensors[0]
    for p in tensors[1:]:
        acc = _rt.where(_rt.empty(0, dtype=_rt.bool), acc, p)
    for p in probes:
        if not isinstance(p, _rt.Tensor):
            acc = _rt.where(_rt.empty(0, dtype=_rt.bool), acc, p)
    return acc.dtype


def _kind_of(dtype: Any) -> str:
    """The kind the lattice casts within: signed and unsigned integers are one."""
    return next(k for k in ("bool", "integral", "real floating") if isdtype(dtype, k))


def can_cast(from_: Any, to: Any, /) -> builtins.bool:
    """Whether the standard's promotion lattice casts ``from_`` to ``to``: the same kind and no
    narrower (``int32`` to ``int64`` yes, ``int64`` to ``int32`` no; no cross-kind casts).
    ``from_`` may be an array."""
    from_ = _as_dtype("can_cast", from_)
    if not isinstance(to, _rt.dtype):
        raise TypeError(f"can_cast(): 'to' must be a rusttorch dtype, got {type(to).__name__}")
    if from_ == to:
        return True
    if _kind_of(from_) != _kind_of(to):
        return False
    return result_type(from_, to) == to


@dataclass(frozen=True)
class finfo_object:
    """Machine limits of a floating-point dtype (the standard's ``finfo`` result)."""

    bits: builtins.int
    eps: builtins.float
    max: builtins.float
    min: builtins.float
    smallest_normal: builtins.float
    dtype: Any


@dataclass(frozen=True)
class iinfo_object:
    """Machine limits of an integer dtype (the standard's ``iinfo`` result)."""

    bits: builtins.int
    max: builtins.int
    min: builtins.int
    dtype: Any


def _numpy_dtype(dtype: Any) -> np.dtype:
    if dtype.name == "bfloat16":
        raise TypeError("finfo(): bfloat16 has no NumPy dtype to read its limits from")
    return np.dtype(dtype.name)


def finfo(type: Any, /) -> finfo_object:
    """Limits of a floating-point dtype, or of an array's dtype."""
    dtype = _as_dtype("finfo", type)
    if not isdtype(dtype, "real floating"):
        raise TypeError(f"finfo(): {dtype.name} is not a floating-point dtype")
    f = np.finfo(_numpy_dtype(dtype))
    return finfo_object(
        bits=f.bits,
        eps=builtins.float(f.eps),
        max=builtins.float(f.max),
        min=builtins.float(f.min),
        smallest_normal=builtins.float(f.smallest_normal),
        dtype=dtype,
    )


def iinfo(type: Any, /) -> iinfo_object:
    """Limits of an integer dtype, or of an array's dtype."""
    dtype = _as_dtype("iinfo", type)
    if not isdtype(dtype, "integral"):
        raise TypeError(f"iinfo(): {dtype.name} is not an integer dtype")
    i = np.iinfo(_numpy_dtype(dtype))
    return iinfo_object(bits=i.bits, max=builtins.int(i.max), min=builtins.int(i.min), dtype=dtype)


class Device:
    """The one device RustTorch computes on, ``"cpu"``. Equal to another ``Device`` of the same
    type and to the string ``"cpu"`` (as ``torch.device("cpu") == "cpu"``)."""

    __slots__ = ("type",)

    def __init__(self, type: str = "cpu") -> None:
        if isinstance(type, Device):
            type = type.type
        if type != "cpu":
            raise ValueError(f"device(): unsupported device {type!r}; rusttorch runs on 'cpu' only")
        self.type = type

    def __eq__(self, other: object) -> builtins.bool:
        if isinstance(other, Device):
            return other.type == self.type
        if isinstance(other, str):
            return other == self.type
        return NotImplemented

    def __hash__(self) -> builtins.int:
        return hash(self.type)

    def __repr__(self) -> str:
        return f"device(type={self.type!r})"

    def __str__(self) -> str:
        return self.type


CPU = Device("cpu")


def check_device(op: str, device: Any) -> None:
    """Accepts ``None``, ``"cpu"`` and a ``Device``; anything else raises ValueError (naming
    ``op``)."""
    if device is None or device == CPU:
        return
    raise ValueError(f"{op}(): unsupported device {device!r}; rusttorch runs on 'cpu' only")


class ArrayNamespaceInfo:
    """What ``rusttorch.__array_namespace_info__()`` returns: capabilities, devices and the dtypes
    of the namespace, as the standard's inspection API describes them."""

    __module__ = "rusttorch"

    def capabilities(self) -> dict[str, Any]:
        """Boolean indexing and data-dependent shapes are supported; any number of dimensions."""
        return {"boolean indexing": True, "data-dependent shapes": True, "max dimensions": None}

    def default_device(self) -> Device:
        """The CPU."""
        return CPU

    def devices(self) -> list[Device]:
        """Only the CPU."""
        return [CPU]

    def default_dtypes(self, *, device: Any = None) -> dict[str, Any]:
        """``float32`` for floats (as PyTorch), ``int64`` for integers and indices."""
        check_device("default_dtypes", device)
        return {
            "real floating": _rt.float32,
            "complex floating": None,
            "integral": _rt.int64,
            "indexing": _rt.int64,
        }

    def dtypes(self, *, device: Any = None, kind: Any = None) -> dict[str, Any]:
        """The dtypes of ``kind`` (a kind name, a tuple of them, or ``None`` for all) by name."""
        check_device("dtypes", device)
        if kind is None:
            kind = ("bool", "numeric")
        kinds = kind if isinstance(kind, tuple) else (kind,)
        out: dict[str, Any] = {}
        for k in kinds:
            if k in _KIND_UNIONS:
                out.update(self.dtypes(kind=_KIND_UNIONS[k]))
            elif k in _KIND_NAMES:
                out.update({d.name: d for d in _dtypes(k)})
            else:
                raise ValueError(f"dtypes(): unknown kind {k!r}")
        return out


def __array_namespace_info__() -> ArrayNamespaceInfo:
    """The standard's inspection namespace for ``rusttorch``."""
    return ArrayNamespaceInfo()
