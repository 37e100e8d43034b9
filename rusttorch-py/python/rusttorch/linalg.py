"""``rusttorch.linalg``: PyTorch's ``torch.linalg`` names for the norms and products RustTorch
computes, which are also the array API standard's ``linalg`` extension where RustTorch has the op
(``vector_norm``, ``matrix_norm``, ``norm``, ``vecdot``, ``matmul``, ``diagonal``, ``cross``,
``outer``, ``tensordot``, ``trace``, ``matrix_transpose``, ``matrix_power``).

These are lazy and fuse. The factorizations and solvers (``cholesky``, ``det``, ``eigh``,
``inv``, ``qr``, ``slogdet``, ``solve``, ``svd``...) and negative matrix powers have no RustTorch
kernels: they evaluate their input and run NumPy's LAPACK (``_linalg_lapack.py``,
docs/array-api.md). The nuclear and spectral matrix norms (``ord="nuc"``, ``2``, ``-2``) raise
``NotImplementedError``.
"""

from __future__ import annotations

from typing import Any

from . import _rusttorch as _rt
from ._array_api_shapes import matrix_transpose, tensordot, vecdot
from ._linalg_lapack import (
    cholesky,
    det,
    eigh,
    eigvalsh,
    inv,
    matrix_rank,
    pinv,
    qr,
    slogdet,
    solve,
    svd,
    svdvals,
)
from ._rusttorch import _linalg_diagonal as diagonal
from ._rusttorch import _linalg_norm as norm
from ._rusttorch import matmul

__all__ = [
    "cholesky",
    "cross",
    "det",
    "diagonal",
    "eigh",
    "eigvalsh",
    "inv",
    "matmul",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "matrix_transpose",
    "norm",
    "outer",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "svd",
    "svdvals",
    "tensordot",
    "trace",
    "vecdot",
    "vector_norm",
]

_MISSING: Any = object()


def _either(op: str, torch_name: str, torch_value: Any, std_name: str, std_value: Any) -> Any:
    if std_value is _MISSING:
        return torch_value
    if torch_value is not _MISSING and torch_value is not None and torch_value is not False:
        raise TypeError(f"linalg.{op}(): got both '{torch_name}' and '{std_name}'; pass one")
    return std_value


def vector_norm(
    x: Any,
    ord: Any = 2,
    dim: Any = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
    axis: Any = _MISSING,
    keepdims: Any = _MISSING,
) -> _rt.Tensor:
    """The ``ord``-norm of ``x`` over ``dim``/``axis`` (all elements when ``None``)."""
    d = _either("vector_norm", "dim", dim, "axis", axis)
    k = _either("vector_norm", "keepdim", keepdim, "keepdims", keepdims)
    return _rt._linalg_vector_norm(x, ord, d, k, dtype=dtype)


def matrix_norm(
    x: Any,
    ord: Any = "fro",
    dim: Any = (-2, -1),
    keepdim: bool = False,
    *,
    dtype: Any = None,
    keepdims: Any = _MISSING,
) -> _rt.Tensor:
    """The ``ord``-norm of the matrices in the last two axes (or ``dim``) of ``x``."""
    k = _either("matrix_norm", "keepdim", keepdim, "keepdims", keepdims)
    return _rt._linalg_matrix_norm(x, ord, dim, k, dtype=dtype)


def cross(x1: _rt.Tensor, x2: _rt.Tensor, /, *, axis: int = -1) -> _rt.Tensor:
    """The cross product of 3-vectors along ``axis`` (broadcast over the other axes)."""
    if x1.ndim == 0 or x2.ndim == 0:
        raise ValueError("linalg.cross(): needs arrays of at least one dimension")
    if x1.shape[axis] != 3 or x2.shape[axis] != 3:
        raise ValueError(f"linalg.cross(): axis {axis} must have size 3 in both arrays")
    if x1.ndim != x2.ndim:
        raise ValueError("linalg.cross(): the arrays must have the same number of dimensions")
    a = [_rt.narrow(x1, axis, i, 1) for i in range(3)]
    b = [_rt.narrow(x2, axis, i, 1) for i in range(3)]
    parts = [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
    return _rt.cat(list(_rt.broadcast_tensors(*parts)), axis)


def outer(x1: _rt.Tensor, x2: _rt.Tensor, /) -> _rt.Tensor:
    """The outer product of two vectors."""
    if x1.ndim != 1 or x2.ndim != 1:
        raise ValueError("linalg.outer(): needs two 1-d arrays")
    return _rt.outer(x1, x2)


def trace(x: _rt.Tensor, /, *, offset: int = 0, dtype: Any = None) -> _rt.Tensor:
    """Sums of the ``offset`` diagonals of the matrices in the last two axes."""
    if x.ndim < 2:
        raise ValueError(f"linalg.trace(): needs at least 2 dimensions, got {x.ndim}")
    return _rt.sum(_rt.diagonal(x, offset, -2, -1), -1, dtype=dtype)


def matrix_power(x: _rt.Tensor, n: int, /) -> _rt.Tensor:
    """The ``n``-th power of the square matrices in the last two axes, by repeated squaring
    (a negative power is a power of the inverse, which NumPy's LAPACK computes)."""
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ValueError(f"linalg.matrix_power(): needs square matrices, got shape {x.shape}")
    if n < 0:
        x, n = inv(x), -n
    result = None
    base = x
    while n:
        if n & 1:
            result = base if result is None else _rt.matmul(result, base)
        n >>= 1
        if n:
            base = _rt.matmul(base, base)
    if result is None:
        eye = _rt.eye(x.shape[-1], dtype=x.dtype)
        return _rt.broadcast_to(eye, x.shape).clone()
    return result
