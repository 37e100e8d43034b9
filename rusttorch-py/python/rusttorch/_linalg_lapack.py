"""The factorizations and solvers of the array API ``linalg`` extension (``cholesky``, ``det``,
``eigh``, ``inv``, ``qr``, ``slogdet``, ``solve``, ``svd``...), which RustTorch has no kernels
for: each evaluates its input, runs NumPy's LAPACK routine over the stack of matrices in the last
two axes, and returns tensors of the input's dtype. They are eager (no fusion across them) and
say so in docs/array-api.md; everything else in ``rusttorch.linalg`` is lazy."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _rusttorch as _rt
from . import return_types
from ._array_api_dtypes import result_type

__all__ = [
    "cholesky",
    "det",
    "eigh",
    "eigvalsh",
    "inv",
    "matrix_rank",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "svd",
    "svdvals",
]


def _matrices(op: str, x: Any) -> np.ndarray:
    """The values of ``x`` as a NumPy stack of matrices of a float dtype."""
    if not isinstance(x, _rt.Tensor):
        raise TypeError(f"linalg.{op}(): expected a Tensor, got {type(x).__name__}")
    if not x.dtype.is_floating_point:
        raise TypeError(f"linalg.{op}(): expected a floating-point tensor, got {x.dtype}")
    if x.ndim < 2:
        raise ValueError(f"linalg.{op}(): needs at least 2 dimensions, got shape {x.shape}")
    return np.asarray(x)


def _square(op: str, x: Any) -> np.ndarray:
    a = _matrices(op, x)
    if a.shape[-1] != a.shape[-2]:
        raise ValueError(f"linalg.{op}(): needs square matrices, got shape {x.shape}")
    return a


def _out(a: np.ndarray, like: Any) -> _rt.Tensor:
    # np.array keeps a 0-d result 0-d (ascontiguousarray would make it 1-d).
    return _rt.tensor(np.array(a, order="C"), dtype=like.dtype)


def cholesky(x: Any, /, *, upper: bool = False) -> _rt.Tensor:
    """The Cholesky factor of symmetric positive-definite matrices (lower, or upper with
    ``upper=True``)."""
    low = np.linalg.cholesky(_square("cholesky", x))
    return _out(np.swapaxes(low, -1, -2) if upper else low, x)


def det(x: Any, /) -> _rt.Tensor:
    """Determinants of square matrices."""
    return _out(np.linalg.det(_square("det", x)), x)


def slogdet(x: Any, /) -> return_types.SlogdetResult:
    """Signs and natural logs of the absolute determinants: ``(sign, logabsdet)``."""
    sign, logabs = np.linalg.slogdet(_square("slogdet", x))
    return return_types.SlogdetResult(_out(sign, x), _out(logabs, x))


def inv(x: Any, /) -> _rt.Tensor:
    """Inverses of square matrices."""
    return _out(np.linalg.inv(_square("inv", x)), x)


def eigh(x: Any, /, UPLO: str = "L") -> return_types.EighResult:
    """Eigenvalues (ascending) and eigenvectors of symmetric matrices."""
    w, v = np.linalg.eigh(_square("eigh", x), UPLO=UPLO)
    return return_types.EighResult(_out(w, x), _out(v, x))


def eigvalsh(x: Any, /, UPLO: str = "L") -> _rt.Tensor:
    """Eigenvalues (ascending) of symmetric matrices."""
    return _out(np.linalg.eigvalsh(_square("eigvalsh", x), UPLO=UPLO), x)


def qr(x: Any, /, mode: str = "reduced") -> return_types.QRResult:
    """The QR factorization (``mode="reduced"`` or ``"complete"``)."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"linalg.qr(): mode must be 'reduced' or 'complete', got {mode!r}")
    q, r = np.linalg.qr(_matrices("qr", x), mode=mode)
    return return_types.QRResult(_out(q, x), _out(r, x))


def svd(x: Any, /, full_matrices: bool = True) -> return_types.SVDResult:
    """The singular value decomposition ``(U, S, Vh)``."""
    u, s, vh = np.linalg.svd(_matrices("svd", x), full_matrices=full_matrices)
    return return_types.SVDResult(_out(u, x), _out(s, x), _out(vh, x))


def svdvals(x: Any, /) -> _rt.Tensor:
    """Singular values, descending."""
    return _out(np.linalg.svd(_matrices("svdvals", x), compute_uv=False), x)


def _rtol(rtol: Any) -> Any:
    if isinstance(rtol, _rt.Tensor):
        return np.asarray(rtol)[..., None]
    return rtol


def matrix_rank(x: Any, /, *, rtol: Any = None, hermitian: bool = False) -> _rt.Tensor:
    """Ranks: the number of singular values above ``rtol`` times the largest (the default
    ``rtol`` is ``max(m, n) * eps``)."""
    a = _matrices("matrix_rank", x)
    s = np.linalg.svd(a, compute_uv=False, hermitian=hermitian)
    if rtol is None:
        rtol = np.finfo(a.dtype).eps * max(a.shape[-2:])
    tol = np.max(s, axis=-1, keepdims=True, initial=0.0) * _rtol(rtol)
    return _rt.tensor(np.count_nonzero(s > tol, axis=-1).astype(np.int64))


def pinv(x: Any, /, *, rtol: Any = None, hermitian: bool = False) -> _rt.Tensor:
    """Moore-Penrose pseudo-inverses (singular values below ``rtol`` times the largest are
    treated as zero; the default is ``max(m, n) * eps``)."""
    a = _matrices("pinv", x)
    if rtol is None:
        rtol = np.finfo(a.dtype).eps * max(a.shape[-2:])
    if isinstance(rtol, _rt.Tensor):
        rtol = np.asarray(rtol)
    return _out(np.linalg.pinv(a, rtol=rtol, hermitian=hermitian), x)


def solve(x1: Any, x2: Any, /) -> _rt.Tensor:
    """The solution ``y`` of ``x1 @ y = x2`` (``x2`` a vector when 1-d, else a stack of
    matrices broadcast against ``x1``)."""
    a = _square("solve", x1)
    b = np.asarray(x2)
    if b.ndim == 0:
        raise ValueError("linalg.solve(): x2 must have at least one dimension")
    dtype = result_type(x1, x2)
    return _rt.tensor(np.array(np.linalg.solve(a, b), order="C"), dtype=dtype)
