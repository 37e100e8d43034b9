"""Type stubs for the native extension module ``rusttorch._rusttorch``."""

import builtins
from collections.abc import Sequence
from types import EllipsisType
from typing import Any, Literal, SupportsFloat, SupportsIndex, TypeAlias, overload

import numpy as np
import numpy.typing as npt

from . import return_types

__version__: str

DTypeLike: TypeAlias = dtype | str | np.dtype[Any] | type
ShapeLike: TypeAlias = SupportsIndex | Sequence[SupportsIndex]
DimLike: TypeAlias = SupportsIndex | Sequence[SupportsIndex] | None
Operand: TypeAlias = (
    Tensor | builtins.float | builtins.int | builtins.bool | np.generic | npt.NDArray[Any]
)
Number: TypeAlias = builtins.float | builtins.int
TensorLike: TypeAlias = Tensor | builtins.float | builtins.int | builtins.bool | npt.ArrayLike
IndexItem: TypeAlias = (
    SupportsIndex | slice | EllipsisType | Tensor | npt.NDArray[Any] | list[Any] | None
)
IndexLike: TypeAlias = IndexItem | tuple[IndexItem, ...]

class dtype:
    """A tensor element type (``rusttorch.float32``, ``float64``, ``int32``, ``int64``,
    ``bool``)."""

    @property
    def name(self) -> str:
        """The NumPy-style name, e.g. ``"float32"``."""
    @property
    def itemsize(self) -> builtins.int:
        """Bytes per element."""
    @property
    def numpy_dtype(self) -> np.dtype[Any]:
        """The matching ``numpy.dtype``; ``numpy.dtype(rusttorch.float32)`` reads it."""
    @property
    def dtype(self) -> np.dtype[Any]:
        """The matching ``numpy.dtype`` under the attribute NumPy looks for, so that a dtype
        object is accepted wherever NumPy takes a dtype (``np.dtype(rt.int64)``,
        ``arr.astype(rt.float32)``)."""
    @property
    def is_floating_point(self) -> builtins.bool:
        """Whether this is a floating-point dtype."""
    def __eq__(self, other: object) -> builtins.bool:
        """Equal to the same dtype in any accepted spelling (dtype object, name, NumPy dtype)."""
    def __ne__(self, other: object) -> builtins.bool: ...
    def __hash__(self) -> builtins.int:
        """``hash(self.name)``: a dtype and its name, which compare equal, are one dict key."""

float32: dtype
"""32-bit IEEE float (the default)."""
float64: dtype
"""64-bit IEEE float."""
int32: dtype
"""32-bit signed integer (wraps on overflow)."""
int64: dtype
"""64-bit signed integer (wraps on overflow)."""
bool: dtype
"""Boolean (one byte)."""
int8: dtype
"""8-bit signed integer (stored; computed in int32 and wrapped after every op)."""
int16: dtype
"""16-bit signed integer (stored; computed in int32 and wrapped after every op)."""
uint8: dtype
"""8-bit unsigned integer (stored; computed in int32 and wrapped after every op)."""
uint16: dtype
"""16-bit unsigned integer (stored; computed in int32 and wrapped after every op)."""
uint32: dtype
"""32-bit unsigned integer (stored; computed in int64 and wrapped after every op)."""
uint64: dtype
"""64-bit unsigned integer (wraps on overflow)."""
float16: dtype
"""IEEE half precision (stored; computed in float32, rounded at the store)."""
bfloat16: dtype
"""bfloat16 (stored; computed in float32, rounded at the store)."""
half: dtype
"""``float16`` (PyTorch's alias)."""
short: dtype
"""``int16`` (PyTorch's alias)."""
float: dtype
"""``float32`` (PyTorch's alias)."""
double: dtype
"""``float64`` (PyTorch's alias)."""
int: dtype
"""``int32`` (PyTorch's alias)."""
long: dtype
"""``int64`` (PyTorch's alias)."""

class Tensor:
    """A lazy tensor: operations build an expression graph; ``eval()``, ``numpy()``, ``item()``
    and friends evaluate it with a fusing CPU backend."""

    def __init__(self, data: TensorLike | None = None) -> None:
        """``Tensor(data)`` names ``data``'s node when it is a tensor (no copy), else copies
        it as ``rusttorch.tensor(data)``; ``Tensor()`` is an empty float32 tensor."""

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """NumPy's ufunc protocol: ``np.exp(t)``, ``ndarray * t`` are lazy tensors
        (``rusttorch._numpy_protocols``, docs/numpy-interop.md)."""
    def __array_function__(
        self, func: Any, types: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        """NumPy's function protocol: ``np.mean(t, axis=0)`` is a lazy tensor; functions without
        a RustTorch implementation run in NumPy on the evaluated arrays."""
    @property
    def shape(self) -> tuple[builtins.int, ...]:
        """The shape, a tuple of ints."""
    @property
    def dtype(self) -> dtype:
        """The element type (``rusttorch.float32``, ``float64``, ``int32``, ``int64`` or
        ``bool``)."""
    @property
    def ndim(self) -> builtins.int:
        """Number of dimensions."""
    @property
    def is_evaluated(self) -> builtins.bool:
        """Whether the tensor holds a computed result (never triggers evaluation)."""
    def numel(self) -> builtins.int:
        """Number of elements."""
    @property
    def requires_grad(self) -> builtins.bool:
        """Whether gradients flow to this tensor (settable on leaves)."""
    @requires_grad.setter
    def requires_grad(self, value: builtins.bool) -> None: ...
    def requires_grad_(self, requires_grad: builtins.bool = True) -> Tensor:
        """Makes this leaf require a gradient (or not); returns ``self``."""
    @property
    def is_leaf(self) -> builtins.bool:
        """Whether no recorded op computed this tensor."""
    @property
    def grad(self) -> Tensor | None:
        """The gradient backward passes accumulated here (``None`` before the first)."""
    @grad.setter
    def grad(self, value: Tensor | None) -> None: ...
    @property
    def grad_fn(self) -> _GradFn | None:
        """The op whose gradient computes this tensor's (``MulBackward0``), ``None`` for a leaf."""
    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: builtins.bool | None = None,
        create_graph: builtins.bool = False,
        inputs: Any = None,
    ) -> None:
        """Accumulates the gradient of this tensor into the ``.grad`` of the leaves it was
        computed from; gradients and this tensor are evaluated together, in one plan."""
    def detach(self) -> Tensor:
        """A tensor with this one's value that no gradient flows through."""
    def detach_(self) -> Tensor:
        """Makes this object name its value without the gradient record."""
    @property
    def data(self) -> Tensor:
        """The value without its gradient record; assigning rebinds the value, keeping a leaf's
        record (``p.data = new``)."""
    @data.setter
    def data(self, value: Tensor) -> None: ...
    def retain_grad(self) -> None:
        """Keeps this non-leaf tensor's gradient in ``.grad`` in backward passes."""
    @property
    def retains_grad(self) -> builtins.bool:
        """Whether backward passes keep this non-leaf tensor's gradient."""
    def register_hook(self, hook: Any) -> _RemovableHandle:
        """Calls ``hook(grad)`` in every backward pass; a tensor it returns replaces the
        gradient."""
    def __len__(self) -> builtins.int: ...
    def eval(self, fuse: builtins.bool = True) -> Tensor:
        """Evaluates the tensor (fused, or op by op with ``fuse=False``) and returns it; later uses
        read the stored result. The GIL is released while it runs (kept for evaluations of a
        few microseconds, as NumPy keeps it for small loops), and Ctrl-C stops it: SIGINT raises
        ``KeyboardInterrupt`` within a kernel or a few milliseconds, the tensor stays lazy and
        can be evaluated again, and every other tensor is unchanged."""
    def numpy(self) -> npt.NDArray[Any]:
        """The values as a read-only ``numpy.ndarray`` over the tensor's memory (no copy), as
        torch's ``.numpy()``: a view (transpose, permute, slice, expand, reshape) of an evaluated
        tensor or of a ``from_numpy`` array is returned as a strided array over that memory
        without evaluating (zero strides for expanded dims, negative for reversed slices);
        anything else is evaluated first. The array keeps the memory alive."""
    def __array__(self, dtype: Any = None, copy: builtins.bool | None = None) -> npt.NDArray[Any]:
        """NumPy's array protocol: ``np.asarray(t)`` is ``t.numpy()``."""
    def __dlpack__(
        self,
        *,
        stream: Any = None,
        max_version: tuple[builtins.int, builtins.int] | None = None,
        dl_device: tuple[builtins.int, builtins.int] | None = None,
        copy: builtins.bool | None = None,
    ) -> Any:
        """The DLPack capsule of the tensor (Python Array API): its evaluated memory, shared without
        a copy and marked read-only (a copy with ``copy=True``, or for a view with negative
        strides). A ``max_version`` of ``(1, 0)`` or later gets a versioned capsule, else a legacy
        one. ``stream`` must be None (a CPU tensor), ``dl_device`` None or ``(1, 0)``."""
    def __dlpack_device__(self) -> tuple[builtins.int, builtins.int]:
        """The DLPack device of the tensor: ``(1, 0)``, the CPU."""
    def data_ptr(self) -> builtins.int:
        """The address of the first element (evaluates the tensor first), as PyTorch's; 0 for an
        empty tensor."""
    def item(self) -> Any:
        """The value of a one-element tensor as a Python float, int or bool (by dtype)."""
    def tolist(self) -> Any:
        """The values as (nested) Python lists of floats; a float for a 0-d tensor."""
    def explain(self) -> str:
        """The optimized, fused plan as text: kernels, ops, inputs, outputs and bytes moved."""
    def to_dot(self) -> str:
        """Graphviz DOT of the optimized graph, before and after fusion (kernels as clusters)."""
    def __float__(self) -> builtins.float: ...
    def __int__(self) -> Any: ...
    def __index__(self) -> builtins.int:
        """An integer or bool one-element tensor used as an index (``range(t)``, ``lst[t]``)."""
    def __bool__(self) -> builtins.bool: ...
    def __hash__(self) -> builtins.int:
        """Hashed by identity, as PyTorch tensors (``==`` is elementwise)."""
    def __floordiv__(self, other: Operand) -> Tensor: ...
    def __rfloordiv__(self, other: Operand) -> Tensor: ...
    def __mod__(self, other: Operand) -> Tensor: ...
    def __rmod__(self, other: Operand) -> Tensor: ...
    def __and__(self, other: Operand) -> Tensor: ...
    def __rand__(self, other: Operand) -> Tensor: ...
    def __or__(self, other: Operand) -> Tensor: ...
    def __ror__(self, other: Operand) -> Tensor: ...
    def __xor__(self, other: Operand) -> Tensor: ...
    def __rxor__(self, other: Operand) -> Tensor: ...
    def __invert__(self) -> Tensor: ...
    # The array API standard's additions, installed by rusttorch/_array_api_elementwise.py.
    def __lshift__(self, other: Operand) -> Tensor: ...
    def __rlshift__(self, other: Operand) -> Tensor: ...
    def __ilshift__(self, other: Operand) -> Tensor: ...
    def __rshift__(self, other: Operand) -> Tensor: ...
    def __rrshift__(self, other: Operand) -> Tensor: ...
    def __irshift__(self, other: Operand) -> Tensor: ...
    def __complex__(self) -> complex: ...
    def __array_namespace__(self, /, *, api_version: str | None = None) -> Any:
        """The array API namespace of this tensor: the ``rusttorch`` module."""
    def to_device(self, device: Any, /, *, stream: Any = None) -> Tensor:
        """This tensor on ``device``: only ``"cpu"`` exists, so the tensor itself."""
    @property
    def device(self) -> Any:
        """The device holding this tensor: ``rusttorch.device("cpu")``, equal to ``"cpu"``."""
    def __lt__(self, other: Operand) -> Tensor: ...
    def __le__(self, other: Operand) -> Tensor: ...
    def __gt__(self, other: Operand) -> Tensor: ...
    def __ge__(self, other: Operand) -> Tensor: ...
    def __eq__(self, other: Operand) -> Tensor: ...  # type: ignore[override]
    def __ne__(self, other: Operand) -> Tensor: ...  # type: ignore[override]
    def lt(self, other: Operand) -> Tensor:
        """``self < other`` elementwise (bool)."""
    def le(self, other: Operand) -> Tensor:
        """``self <= other`` elementwise (bool)."""
    def gt(self, other: Operand) -> Tensor:
        """``self > other`` elementwise (bool)."""
    def ge(self, other: Operand) -> Tensor:
        """``self >= other`` elementwise (bool)."""
    def eq(self, other: Operand) -> Tensor:
        """``self == other`` elementwise (bool)."""
    def ne(self, other: Operand) -> Tensor:
        """``self != other`` elementwise (bool)."""
    def floor_divide(self, other: Operand) -> Tensor:
        """``floor(self / other)`` with Python's signs (integer division by zero gives 0)."""
    def remainder(self, other: Operand) -> Tensor:
        """Python's ``%``: the result takes the divisor's sign."""
    def bitwise_and(self, other: Operand) -> Tensor:
        """``&`` on ints and bools."""
    def bitwise_or(self, other: Operand) -> Tensor:
        """``|`` on ints and bools."""
    def bitwise_xor(self, other: Operand) -> Tensor:
        """``^`` on ints and bools."""
    def bitwise_not(self) -> Tensor:
        """``~`` on ints (bitwise) and bools (logical)."""
    def logical_and(self, other: Operand) -> Tensor:
        """Logical and of truth values (``x != 0``), bool result."""
    def logical_or(self, other: Operand) -> Tensor:
        """Logical or of truth values (``x != 0``), bool result."""
    def logical_xor(self, other: Operand) -> Tensor:
        """Logical xor of truth values (``x != 0``), bool result."""
    def logical_not(self) -> Tensor:
        """Logical not (``x == 0``), bool result."""
    def isnan(self) -> Tensor:
        """Whether each element is NaN."""
    def isinf(self) -> Tensor:
        """Whether each element is +inf or -inf."""
    def isfinite(self) -> Tensor:
        """Whether each element is finite."""
    def floor(self) -> Tensor:
        """Rounds down (identity on ints)."""
    def ceil(self) -> Tensor:
        """Rounds up (identity on ints)."""
    def trunc(self) -> Tensor:
        """Rounds toward zero (identity on ints)."""
    def round(self, decimals: builtins.int = 0) -> Tensor:
        """Rounds half to even (identity on ints), at ``decimals`` decimal digits:
        ``round(x * 10**decimals) / 10**decimals`` as PyTorch."""
    def where(self, condition: TensorLike, other: Operand) -> Tensor:
        """``self`` where ``condition`` holds, else ``other`` (PyTorch's ``Tensor.where``)."""
    def argmax(self, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Tensor:
        """Index of the first maximum along ``dim`` (of the flattened tensor when ``None``),
        int64."""
    def argmin(self, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Tensor:
        """Index of the first minimum along ``dim`` (of the flattened tensor when ``None``),
        int64."""
    def astype(self, dtype: DTypeLike) -> Tensor:
        """The same as ``to(dtype)`` (NumPy's spelling)."""
    def float(self) -> Tensor:
        """``to(float32)``"""
    def double(self) -> Tensor:
        """``to(float64)``"""
    def int(self) -> Tensor:
        """``to(int32)``"""
    def long(self) -> Tensor:
        """``to(int64)``"""
    def bool(self) -> Tensor:
        """``to(bool)``"""
    def half(self) -> Tensor:
        """``to(float16)``"""
    def bfloat16(self) -> Tensor:
        """``to(bfloat16)``"""
    def short(self) -> Tensor:
        """``to(int16)``"""
    def char(self) -> Tensor:
        """``to(int8)``"""
    def byte(self) -> Tensor:
        """``to(uint8)``"""
    def __add__(self, other: Operand) -> Tensor: ...
    def __radd__(self, other: Operand) -> Tensor: ...
    def __sub__(self, other: Operand) -> Tensor: ...
    def __rsub__(self, other: Operand) -> Tensor: ...
    def __mul__(self, other: Operand) -> Tensor: ...
    def __rmul__(self, other: Operand) -> Tensor: ...
    def __truediv__(self, other: Operand) -> Tensor: ...
    def __rtruediv__(self, other: Operand) -> Tensor: ...
    def __pow__(self, other: Operand, modulo: None = None) -> Tensor: ...
    def __rpow__(self, other: Operand, modulo: None = None) -> Tensor: ...
    def __neg__(self) -> Tensor: ...
    def __pos__(self) -> Tensor: ...
    def __abs__(self) -> Tensor: ...
    def neg(self) -> Tensor:
        """``-x``"""
    def abs(self) -> Tensor:
        """``|x|``"""
    def exp(self) -> Tensor:
        """``e**x``"""
    def log(self) -> Tensor:
        """Natural logarithm (NaN below 0, -inf at 0)."""
    def log1p(self) -> Tensor:
        """``log(1 + x)``, accurate for small ``x`` (NaN below -1, -inf at -1)."""
    def expm1(self) -> Tensor:
        """``e**x - 1``, accurate for small ``x``."""
    def sqrt(self) -> Tensor:
        """Square root (NaN below 0)."""
    def rsqrt(self) -> Tensor:
        """``1 / sqrt(x)``"""
    def reciprocal(self) -> Tensor:
        """``1 / x``"""
    def square(self) -> Tensor:
        """``x * x``"""
    def tanh(self) -> Tensor:
        """Hyperbolic tangent."""
    def sigmoid(self) -> Tensor:
        """Logistic sigmoid ``1 / (1 + e**-x)``."""
    def relu(self) -> Tensor:
        """``max(x, 0)``"""
    def sin(self) -> Tensor:
        """Sine."""
    def cos(self) -> Tensor:
        """Cosine."""
    def leaky_relu(self, negative_slope: builtins.float = 0.01) -> Tensor:
        """``x`` where ``x >= 0``, else ``negative_slope * x``."""
    def gelu(self, approximate: str = "none") -> Tensor:
        """GELU: exact (``approximate="none"``, via erf) or the tanh approximation (``"tanh"``)."""
    def pow(self, exponent: Operand) -> Tensor:
        """``self ** exponent`` (a tensor, array or scalar), broadcasting."""
    def maximum(self, other: Operand) -> Tensor:
        """Elementwise maximum with a tensor, array or scalar, broadcasting."""
    def minimum(self, other: Operand) -> Tensor:
        """Elementwise minimum with a tensor, array or scalar, broadcasting."""
    def sum(
        self, dim: DimLike = None, keepdim: builtins.bool = False, *, dtype: DTypeLike | None = None
    ) -> Tensor:
        """Sum over ``dim`` (an int, a tuple of ints, or ``None`` for all), keeping the reduced
        dims as size 1 when ``keepdim``; ``dtype`` casts first (and is the result's dtype)."""
    def mean(
        self, dim: DimLike = None, keepdim: builtins.bool = False, *, dtype: DTypeLike | None = None
    ) -> Tensor:
        """Mean over ``dim`` (an int, a tuple of ints, or ``None`` for all); ``dtype`` casts
        first."""
    def prod(
        self, dim: DimLike = None, keepdim: builtins.bool = False, *, dtype: DTypeLike | None = None
    ) -> Tensor:
        """Product over ``dim`` (``None``: all); 1 for an empty reduction; ints and bools give
        int64 (wrapping); ``dtype`` casts first."""
    def all(self, dim: DimLike = None, keepdim: builtins.bool = False) -> Tensor:
        """Whether all elements over ``dim`` are non-zero (bool; true when empty)."""
    def any(self, dim: DimLike = None, keepdim: builtins.bool = False) -> Tensor:
        """Whether any element over ``dim`` is non-zero (bool; false when empty)."""
    def count_nonzero(self, dim: DimLike = None) -> Tensor:
        """The number of non-zero elements over ``dim`` (int64)."""
    def nansum(
        self, dim: DimLike = None, keepdim: builtins.bool = False, *, dtype: DTypeLike | None = None
    ) -> Tensor:
        """Sum over ``dim`` treating NaN as zero."""
    def nanmean(
        self, dim: DimLike = None, keepdim: builtins.bool = False, *, dtype: DTypeLike | None = None
    ) -> Tensor:
        """Mean over ``dim`` of the non-NaN elements (floats)."""
    def norm(
        self,
        p: str | builtins.float | None = None,
        dim: DimLike = None,
        keepdim: builtins.bool = False,
        dtype: DTypeLike | None = None,
    ) -> Tensor:
        """PyTorch's ``norm``: ``p='fro'`` (default) or a number over ``dim``."""
    def dot(self, other: TensorLike) -> Tensor:
        """The dot product with another 1-d tensor."""
    def vdot(self, other: TensorLike) -> Tensor:
        """The dot product with another 1-d tensor."""
    def inner(self, other: TensorLike) -> Tensor:
        """Sum of products over the last dims."""
    def outer(self, vec2: TensorLike) -> Tensor:
        """The outer product with another 1-d tensor."""
    def ger(self, vec2: TensorLike) -> Tensor:
        """The outer product with another 1-d tensor (``outer``)."""
    def mm(self, mat2: TensorLike) -> Tensor:
        """Matrix product with a matrix."""
    def bmm(self, mat2: TensorLike) -> Tensor:
        """Batched matrix product of 3-d tensors."""
    def mv(self, vec: TensorLike) -> Tensor:
        """Matrix-vector product."""
    def addmm(
        self,
        mat1: TensorLike,
        mat2: TensorLike,
        *,
        beta: builtins.float = 1.0,
        alpha: builtins.float = 1.0,
    ) -> Tensor:
        """``beta * self + alpha * (mat1 @ mat2)``."""
    def addmv(
        self,
        mat: TensorLike,
        vec: TensorLike,
        *,
        beta: builtins.float = 1.0,
        alpha: builtins.float = 1.0,
    ) -> Tensor:
        """``beta * self + alpha * (mat @ vec)``."""
    def baddbmm(
        self,
        batch1: TensorLike,
        batch2: TensorLike,
        *,
        beta: builtins.float = 1.0,
        alpha: builtins.float = 1.0,
    ) -> Tensor:
        """``beta * self + alpha * bmm(batch1, batch2)``."""
    def tensordot(self, other: TensorLike, dims: Any = None) -> Tensor:
        """Sums products with ``other`` over ``dims`` (an int, default 2, or two lists of dims)."""
    def tril(self, diagonal: builtins.int = 0) -> Tensor:
        """The lower triangle of the last two dims (``j - i <= diagonal`` kept)."""
    def triu(self, diagonal: builtins.int = 0) -> Tensor:
        """The upper triangle of the last two dims (``j - i >= diagonal`` kept)."""
    def diagonal(
        self, offset: builtins.int = 0, dim1: builtins.int = 0, dim2: builtins.int = 1
    ) -> Tensor:
        """The ``offset`` diagonal of dims ``dim1`` and ``dim2`` as a new last dim (a view)."""
    def trace(self) -> Tensor:
        """The sum of the main diagonal of a matrix."""
    def diag(self, diagonal: builtins.int = 0) -> Tensor:
        """1-d: a square matrix with this on the ``diagonal``-th diagonal; 2-d: that diagonal."""
    def diag_embed(
        self, offset: builtins.int = 0, dim1: builtins.int = -2, dim2: builtins.int = -1
    ) -> Tensor:
        """The last dim placed on the ``offset`` diagonal of new dims ``dim1``, ``dim2``."""
    @overload
    def max(self) -> Tensor:
        """The maximum of all elements (0-d)."""
    @overload
    def max(self, dim: SupportsIndex, keepdim: builtins.bool = False) -> return_types.max:
        """The named tuple ``(values, indices)``: the maxima along ``dim`` and the index of the
        first of each (int64), as PyTorch's ``torch.return_types.max``."""
    @overload
    def max(self, other: Tensor | npt.NDArray[Any]) -> Tensor:
        """The elementwise maximum (``maximum``)."""
    @overload
    def min(self) -> Tensor:
        """The minimum of all elements (0-d)."""
    @overload
    def min(self, dim: SupportsIndex, keepdim: builtins.bool = False) -> return_types.min:
        """The named tuple ``(values, indices)`` of the minima along ``dim``, as ``max``."""
    @overload
    def min(self, other: Tensor | npt.NDArray[Any]) -> Tensor:
        """The elementwise minimum (``minimum``)."""
    def amax(self, dim: DimLike = None, keepdim: builtins.bool = False) -> Tensor:
        """Maximum over ``dim`` (an int, a tuple of ints, or ``None`` for all), values only."""
    def amin(self, dim: DimLike = None, keepdim: builtins.bool = False) -> Tensor:
        """Minimum over ``dim`` (an int, a tuple of ints, or ``None`` for all), values only."""
    def softmax(self, dim: builtins.int, dtype: DTypeLike | None = None) -> Tensor:
        """Softmax along ``dim``: ``exp(x - max) / sum(exp(x - max))``; ``dtype`` casts first."""
    def log_softmax(self, dim: builtins.int, dtype: DTypeLike | None = None) -> Tensor:
        """Log-softmax along ``dim``: ``x - max - log(sum(exp(x - max)))``; ``dtype`` casts
        first."""
    def reshape(self, *shape: SupportsIndex | Sequence[SupportsIndex]) -> Tensor:
        """The same elements in a new shape (``t.reshape(2, 3)`` or ``t.reshape((2, 3))``); one
        size may be ``-1`` and is inferred. Never copies when created; a fused kernel reads
        through the view where the layout allows and copies only where it cannot."""
    def view(self, *shape: SupportsIndex | Sequence[SupportsIndex]) -> Tensor:
        """The same elements in a new shape, like ``reshape`` (in a lazy engine every reshape is a
        view when created, so ``view`` never fails for layout reasons as PyTorch's can)."""
    def permute(self, *dims: SupportsIndex | Sequence[SupportsIndex]) -> Tensor:
        """The dims reordered (a view): output dim ``i`` is input dim ``dims[i]``;
        ``t.permute(1, 0)`` or ``t.permute((1, 0))``."""
    def transpose(self, dim0: builtins.int, dim1: builtins.int) -> Tensor:
        """``dim0`` and ``dim1`` swapped (a view)."""
    @property
    def T(self) -> Tensor:
        """All dims reversed (a view): the transpose of a matrix; a 0-d or 1-d tensor is returned
        unchanged (as PyTorch's ``.T``, whose use for ndim > 2 is deprecated there)."""
    @property
    def mT(self) -> Tensor:
        """The last two dims swapped (a view): the transpose of each matrix in a batch."""
    def squeeze(self, dim: DimLike = None) -> Tensor:
        """Size-1 dims removed: all of them (``dim=None``), or those among ``dim`` (an int or a
        tuple of ints); a named dim whose size is not 1 is left alone."""
    def unsqueeze(self, dim: builtins.int) -> Tensor:
        """A size-1 dim inserted at ``dim`` (``-1`` appends one at the end)."""
    def flatten(self, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> Tensor:
        """Dims ``start_dim..=end_dim`` merged into one."""
    def expand(self, *sizes: SupportsIndex | Sequence[SupportsIndex]) -> Tensor:
        """Size-1 dims (and new leading dims) broadcast to ``sizes`` (a view, nothing is copied);
        ``-1`` keeps a size. ``t.expand(3, -1)`` or ``t.expand((3, -1))``."""
    def broadcast_to(self, shape: ShapeLike) -> Tensor:
        """The tensor broadcast to ``shape`` (a view); the same as ``expand(shape)``."""
    def contiguous(self) -> Tensor:
        """The tensor written out contiguously when it is a strided view (a copy), else the
        tensor itself (``t.contiguous() is t``)."""
    def __copy__(self) -> Tensor:
        """``copy.copy(t)``: a new tensor object with the same value (a lazy one stays lazy)."""
    def __deepcopy__(self, memo: Any) -> Tensor:
        """``copy.deepcopy(t)``: as ``copy.copy`` (nothing mutable is shared)."""
    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, tuple[Any, ...]]:
        """``pickle``: a lazy tensor as its graph (not evaluated), an evaluated one as its
        values; with protocol 5 the values go out of band (``PickleBuffer``). See
        docs/pickle.md."""
    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """``__reduce_ex__(2)``."""
    def __setitem__(self, index: IndexLike, value: TensorLike) -> None:
        """``t[index] = value``: this object now names ``t`` with the indexed elements replaced
        by ``value`` (broadcast, cast to ``t``'s dtype); other tensors are unchanged."""
    def __getitem__(self, index: IndexLike) -> Tensor:
        """``t[index]``: ints (negative count from the end), slices (any step, negative too),
        ``None`` (a new size-1 dim), ``...``, integer tensors, arrays and lists (a gather),
        bool masks (evaluated), and tuples of these. Without index arrays it is a view."""
    def __matmul__(self, other: Tensor | npt.NDArray[Any]) -> Tensor: ...
    def __rmatmul__(self, other: Tensor | npt.NDArray[Any]) -> Tensor: ...
    def matmul(self, other: TensorLike) -> Tensor:
        """Matrix product with NumPy semantics: 1-d · 1-d is a dot product, a 1-d operand is a row
        (left) or column (right) vector, leading batch dims broadcast."""
    def __iadd__(self, other: Operand) -> Tensor:
        """In place ``self + other`` (see ``add_``)."""
    def __isub__(self, other: Operand) -> Tensor: ...
    def __imul__(self, other: Operand) -> Tensor: ...
    def __itruediv__(self, other: Operand) -> Tensor: ...
    def __ifloordiv__(self, other: Operand) -> Tensor: ...
    def __imod__(self, other: Operand) -> Tensor: ...
    def __ipow__(self, other: Operand) -> Tensor: ...
    def __iand__(self, other: Operand) -> Tensor: ...
    def __ior__(self, other: Operand) -> Tensor: ...
    def __ixor__(self, other: Operand) -> Tensor: ...
    def add_(self, other: Operand) -> Tensor:
        """In place ``self + other``: this object now names the sum (same shape and dtype); values
        read from it earlier (arrays, other tensors) are unchanged. Returns ``self``. A result of
        a higher kind than ``self``'s dtype (``int_tensor.add_(0.5)``: float32) raises
        ``RuntimeError`` ("result type float32 can't be cast to int64"), as in PyTorch."""
    def sub_(self, other: Operand) -> Tensor:
        """In place ``self - other`` (see ``add_``). Returns ``self``."""
    def mul_(self, other: Operand) -> Tensor:
        """In place ``self * other`` (see ``add_``). Returns ``self``."""
    def div_(self, other: Operand) -> Tensor:
        """In place ``self / other`` (see ``add_``). Returns ``self``."""
    def relu_(self) -> Tensor:
        """In place ``relu`` (see ``add_``). Returns ``self``."""
    def copy_(self, src: TensorLike) -> Tensor:
        """In place copy of ``src`` broadcast to this tensor's shape and cast to its dtype.
        Returns ``self``."""
    def silu(self) -> Tensor:
        """SiLU (swish): ``x * sigmoid(x)``."""
    def softsign(self) -> Tensor:
        """``x / (1 + |x|)``"""
    def relu6(self) -> Tensor:
        """``min(max(x, 0), 6)``"""
    def hardsigmoid(self) -> Tensor:
        """``min(max(x + 3, 0), 6) / 6``"""
    def hardswish(self) -> Tensor:
        """``x * min(max(x + 3, 0), 6) / 6``"""
    def logsigmoid(self) -> Tensor:
        """``log(sigmoid(x))``, computed as ``-softplus(-x)``: no overflow, tiny tails kept."""
    def mish(self) -> Tensor:
        """``x * tanh(softplus(x))``"""
    def softplus(self, beta: builtins.float = 1.0, threshold: builtins.float = 20.0) -> Tensor:
        """Softplus ``log(1 + e**(beta*x)) / beta``, and ``x`` where ``beta*x > threshold``
        (PyTorch's); computed so that it never overflows nor loses tiny values."""
    def clamp(self, min: Operand | None = None, max: Operand | None = None) -> Tensor:
        """Limits values to ``[min, max]`` (either bound may be ``None``, a scalar or a tensor);
        NaN stays NaN. A float bound makes an int tensor float32, as in PyTorch."""
    def var(
        self,
        dim: DimLike | builtins.bool = None,
        unbiased: builtins.bool | None = None,
        keepdim: builtins.bool = False,
        *,
        correction: builtins.int | None = None,
    ) -> Tensor:
        """Variance over ``dim`` (an int, a tuple of ints, or ``None`` for all), dividing by
        ``N - correction`` (1: unbiased, 0: population); NaN when that is not positive.
        ``unbiased`` (also as the first argument) is correction 1 or 0."""
    def std(
        self,
        dim: DimLike | builtins.bool = None,
        unbiased: builtins.bool | None = None,
        keepdim: builtins.bool = False,
        *,
        correction: builtins.int | None = None,
    ) -> Tensor:
        """Standard deviation over ``dim``: ``sqrt(var(dim, correction=correction))``."""
    def logsumexp(self, dim: builtins.int, keepdim: builtins.bool = False) -> Tensor:
        """``log(sum(exp(x)))`` along ``dim``, shifted by the max so it never overflows; as in
        PyTorch, a row of ``-inf`` gives ``-inf`` and a row holding ``+inf`` gives ``+inf``."""
    def cumsum(self, dim: builtins.int, *, dtype: DTypeLike | None = None) -> Tensor:
        """Cumulative sum along ``dim`` (see ``rusttorch.cumsum``)."""
    def cumprod(self, dim: builtins.int, *, dtype: DTypeLike | None = None) -> Tensor:
        """Cumulative product along ``dim`` (see ``rusttorch.cumprod``)."""
    def cummax(self, dim: builtins.int) -> return_types.cummax:
        """Running maximum along ``dim`` and its indices."""
    def cummin(self, dim: builtins.int) -> return_types.cummin:
        """Running minimum along ``dim`` and its indices."""
    def logcumsumexp(self, dim: builtins.int) -> Tensor:
        """``log(cumsum(exp(self)))`` along ``dim``."""
    def log2(self) -> Tensor:
        """Base-2 logarithm (exact at powers of two)."""
    def log10(self) -> Tensor:
        """Base-10 logarithm (exact at powers of ten)."""
    def exp2(self) -> Tensor:
        """``2**x`` (exact at integers)."""
    def erf(self) -> Tensor:
        """The error function."""
    def erfc(self) -> Tensor:
        """``1 - erf(x)``, keeping its relative accuracy where ``erf(x)`` is near 1."""
    def erfinv(self) -> Tensor:
        """The inverse of ``erf`` on ``[-1, 1]`` (``±inf`` at ``±1``, NaN outside)."""
    def atan(self) -> Tensor:
        """Arctangent."""
    def asin(self) -> Tensor:
        """Arcsine (NaN outside ``[-1, 1]``)."""
    def acos(self) -> Tensor:
        """Arccosine (NaN outside ``[-1, 1]``)."""
    def tan(self) -> Tensor:
        """Tangent."""
    def sinh(self) -> Tensor:
        """Hyperbolic sine."""
    def cosh(self) -> Tensor:
        """Hyperbolic cosine."""
    def asinh(self) -> Tensor:
        """Inverse hyperbolic sine."""
    def acosh(self) -> Tensor:
        """Inverse hyperbolic cosine (NaN below 1)."""
    def atanh(self) -> Tensor:
        """Inverse hyperbolic tangent (``±inf`` at ``±1``, NaN outside ``[-1, 1]``)."""
    def sign(self) -> Tensor:
        """-1, 0 or 1 by the sign, in the input's dtype; NaN gives 0 (as PyTorch)."""
    def sgn(self) -> Tensor:
        """The sign (``sign`` for real tensors)."""
    def signbit(self) -> Tensor:
        """Whether the sign bit is set (true for ``-0.0``), bool."""
    def frac(self) -> Tensor:
        """The fractional part ``x - trunc(x)`` (float tensors only)."""
    def selu(self) -> Tensor:
        """SELU: ``scale * elu(x, alpha)`` with the self-normalising constants."""
    def atan2(self, other: Operand) -> Tensor:
        """``atan(self / other)`` in the quadrant of the point ``(other, self)``."""
    def arctan2(self, other: Operand) -> Tensor:
        """NumPy's name for ``atan2``."""
    def hypot(self, other: Operand) -> Tensor:
        """``sqrt(self**2 + other**2)`` without intermediate overflow or underflow."""
    def fmod(self, other: Operand) -> Tensor:
        """C's ``fmod``: the remainder of truncated division, with the dividend's sign."""
    def copysign(self, other: Operand) -> Tensor:
        """``|self|`` with the sign bit of ``other`` (``-0.0`` counts as negative)."""
    def nextafter(self, other: Operand) -> Tensor:
        """The next representable value after ``self`` toward ``other`` (floats only)."""
    def logaddexp(self, other: Operand) -> Tensor:
        """``log(exp(self) + exp(other))`` without overflow."""
    def logaddexp2(self, other: Operand) -> Tensor:
        """``log2(2**self + 2**other)`` without overflow."""
    def xlogy(self, other: Operand) -> Tensor:
        """``self * log(other)``, and 0 where ``self == 0`` unless ``other`` is NaN."""
    def lerp(self, end: Operand, weight: Operand) -> Tensor:
        """``self + weight * (end - self)`` (``weight`` a scalar or a tensor), exact at 1."""
    def isclose(
        self,
        other: Operand,
        rtol: builtins.float = 1e-05,
        atol: builtins.float = 1e-08,
        equal_nan: builtins.bool = False,
    ) -> Tensor:
        """Whether ``|self - other| <= atol + rtol * |other|`` elementwise (bool)."""
    def allclose(
        self,
        other: Operand,
        rtol: builtins.float = 1e-05,
        atol: builtins.float = 1e-08,
        equal_nan: builtins.bool = False,
    ) -> builtins.bool:
        """Whether every element is close to ``other`` (``isclose``)."""
    def equal(self, other: TensorLike) -> builtins.bool:
        """Whether ``other`` has this shape and equal elements."""
    def clip(self, min: Operand | None = None, max: Operand | None = None) -> Tensor:
        """NumPy's name for ``clamp``."""
    def hardtanh(self, min_val: builtins.float = -1.0, max_val: builtins.float = 1.0) -> Tensor:
        """``self`` clamped to ``[min_val, max_val]`` (ints stay ints)."""
    def elu(self, alpha: builtins.float = 1.0) -> Tensor:
        """ELU: ``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``."""
    def celu(self, alpha: builtins.float = 1.0) -> Tensor:
        """CELU: ``x`` where ``x > 0``, else ``alpha * (exp(x / alpha) - 1)``."""
    def nan_to_num(
        self,
        nan: builtins.float = 0.0,
        posinf: builtins.float | None = None,
        neginf: builtins.float | None = None,
    ) -> Tensor:
        """NaN, ``+inf`` and ``-inf`` replaced (by default by 0 and the dtype's extremes)."""
    def gather(self, dim: builtins.int, index: TensorLike) -> Tensor:
        """Values along ``dim`` at ``index`` (see ``rusttorch.gather``)."""
    def index_select(self, dim: builtins.int, index: TensorLike) -> Tensor:
        """The entries ``index`` names along ``dim`` (see ``rusttorch.index_select``)."""
    def take(self, index: TensorLike) -> Tensor:
        """The flattened elements at ``index`` (see ``rusttorch.take``)."""
    def take_along_dim(self, indices: TensorLike, dim: builtins.int | None = None) -> Tensor:
        """``gather`` with broadcasting (see ``rusttorch.take_along_dim``)."""
    def scatter(
        self,
        dim: builtins.int,
        index: TensorLike,
        src: TensorLike | None = None,
        *,
        value: Number | None = None,
        reduce: builtins.str | None = None,
    ) -> Tensor:
        """See ``rusttorch.scatter``."""
    def scatter_(
        self,
        dim: builtins.int,
        index: TensorLike,
        src: TensorLike | None = None,
        *,
        value: Number | None = None,
        reduce: builtins.str | None = None,
    ) -> Tensor:
        """In place ``scatter`` (rebinds this object). Returns ``self``."""
    def scatter_add(self, dim: builtins.int, index: TensorLike, src: TensorLike) -> Tensor:
        """See ``rusttorch.scatter_add``."""
    def scatter_add_(self, dim: builtins.int, index: TensorLike, src: TensorLike) -> Tensor:
        """In place ``scatter_add``. Returns ``self``."""
    def scatter_reduce(
        self,
        dim: builtins.int,
        index: TensorLike,
        src: TensorLike,
        reduce: builtins.str,
        *,
        include_self: builtins.bool = True,
    ) -> Tensor:
        """See ``rusttorch.scatter_reduce``."""
    def scatter_reduce_(
        self,
        dim: builtins.int,
        index: TensorLike,
        src: TensorLike,
        reduce: builtins.str,
        *,
        include_self: builtins.bool = True,
    ) -> Tensor:
        """In place ``scatter_reduce``. Returns ``self``."""
    def index_add(
        self,
        dim: builtins.int,
        index: TensorLike,
        source: TensorLike,
        *,
        alpha: Number | None = None,
    ) -> Tensor:
        """See ``rusttorch.index_add``."""
    def index_add_(
        self,
        dim: builtins.int,
        index: TensorLike,
        source: TensorLike,
        *,
        alpha: Number | None = None,
    ) -> Tensor:
        """In place ``index_add``. Returns ``self``."""
    def index_copy(self, dim: builtins.int, index: TensorLike, source: TensorLike) -> Tensor:
        """See ``rusttorch.index_copy``."""
    def index_copy_(self, dim: builtins.int, index: TensorLike, source: TensorLike) -> Tensor:
        """In place ``index_copy``. Returns ``self``."""
    def index_fill(self, dim: builtins.int, index: TensorLike, value: TensorLike) -> Tensor:
        """See ``rusttorch.index_fill``."""
    def index_fill_(self, dim: builtins.int, index: TensorLike, value: TensorLike) -> Tensor:
        """In place ``index_fill``. Returns ``self``."""
    def index_reduce(
        self,
        dim: builtins.int,
        index: TensorLike,
        source: TensorLike,
        reduce: builtins.str,
        *,
        include_self: builtins.bool = True,
    ) -> Tensor:
        """See ``rusttorch.index_reduce``."""
    def index_reduce_(
        self,
        dim: builtins.int,
        index: TensorLike,
        source: TensorLike,
        reduce: builtins.str,
        *,
        include_self: builtins.bool = True,
    ) -> Tensor:
        """In place ``index_reduce``. Returns ``self``."""
    def masked_fill(self, mask: TensorLike, value: TensorLike) -> Tensor:
        """See ``rusttorch.masked_fill``."""
    def masked_fill_(self, mask: TensorLike, value: TensorLike) -> Tensor:
        """In place ``masked_fill``. Returns ``self``."""
    def index_put(
        self, indices: Sequence[Any], values: TensorLike, accumulate: builtins.bool = False
    ) -> Tensor:
        """See ``rusttorch.index_put``."""
    def index_put_(
        self, indices: Sequence[Any], values: TensorLike, accumulate: builtins.bool = False
    ) -> Tensor:
        """In place ``index_put``. Returns ``self``."""
    def put(
        self, index: TensorLike, source: TensorLike, accumulate: builtins.bool = False
    ) -> Tensor:
        """See ``rusttorch.put``."""
    def put_(
        self, index: TensorLike, source: TensorLike, accumulate: builtins.bool = False
    ) -> Tensor:
        """In place ``put``. Returns ``self``."""
    @overload
    def nonzero(self, *, as_tuple: Literal[False] = False) -> Tensor: ...
    @overload
    def nonzero(self, *, as_tuple: Literal[True]) -> tuple[Tensor, ...]: ...
    def argwhere(self) -> Tensor:
        """See ``rusttorch.argwhere``."""
    def masked_select(self, mask: TensorLike) -> Tensor:
        """See ``rusttorch.masked_select``."""
    def unique(
        self,
        sorted: builtins.bool = True,
        return_inverse: builtins.bool = False,
        return_counts: builtins.bool = False,
        dim: builtins.int | None = None,
    ) -> Any:
        """See ``rusttorch.unique``."""
    def unique_consecutive(
        self,
        return_inverse: builtins.bool = False,
        return_counts: builtins.bool = False,
        dim: builtins.int | None = None,
    ) -> Any:
        """See ``rusttorch.unique_consecutive``."""
    def bincount(self, weights: TensorLike | None = None, minlength: builtins.int = 0) -> Tensor:
        """See ``rusttorch.bincount``."""
    def sort(
        self,
        dim: builtins.int = -1,
        descending: builtins.bool = False,
        *,
        stable: builtins.bool | None = False,
    ) -> return_types.sort:
        """Sorted along ``dim`` with indices (see ``rusttorch.sort``)."""
    def argsort(
        self,
        dim: builtins.int = -1,
        descending: builtins.bool = False,
        stable: builtins.bool | None = False,
    ) -> Tensor:
        """The indices that sort along ``dim`` (see ``rusttorch.argsort``)."""
    def msort(self) -> Tensor:
        """Sorted along dim 0 (see ``rusttorch.msort``)."""
    def topk(
        self,
        k: builtins.int,
        dim: builtins.int = -1,
        largest: builtins.bool = True,
        sorted: builtins.bool = True,
    ) -> return_types.topk:
        """The ``k`` largest or smallest along ``dim`` (see ``rusttorch.topk``)."""
    def kthvalue(
        self, k: builtins.int, dim: builtins.int = -1, keepdim: builtins.bool = False
    ) -> return_types.kthvalue:
        """The ``k``-th smallest along ``dim`` (see ``rusttorch.kthvalue``)."""
    @overload
    def median(self) -> Tensor:
        """The lower median of all elements (0-d)."""
    @overload
    def median(self, dim: builtins.int, keepdim: builtins.bool = False) -> return_types.median:
        """The lower median (see ``rusttorch.median``)."""
    @overload
    def nanmedian(self) -> Tensor:
        """The lower median of the non-NaN elements (0-d)."""
    @overload
    def nanmedian(
        self, dim: builtins.int, keepdim: builtins.bool = False
    ) -> return_types.nanmedian:
        """The lower median of the non-NaN elements (see ``rusttorch.nanmedian``)."""
    def mode(self, dim: builtins.int = -1, keepdim: builtins.bool = False) -> return_types.mode:
        """The most frequent value along ``dim`` (see ``rusttorch.mode``)."""
    def to(self, dtype: DTypeLike | Tensor) -> Tensor:
        """The tensor converted to ``dtype`` (the tensor itself when it already has it:
        ``t.to(t.dtype) is t``; so for ``float()``, ``double()``, ...). Float to int
        truncates toward zero and saturates, NaN becomes 0; int to int wraps; to bool is
        ``!= 0``."""

    def clone(self) -> Tensor:
        """A new tensor with the same values (values are immutable, so it shares them)."""
    @overload
    def size(self, dim: None = None) -> tuple[builtins.int, ...]: ...
    @overload
    def size(self, dim: builtins.int) -> builtins.int:
        """The shape as a tuple, or the size of dim ``dim``."""
    def dim(self) -> builtins.int:
        """Number of dims (``ndim``)."""
    def ndimension(self) -> builtins.int:
        """Number of dims (``ndim``)."""
    def element_size(self) -> builtins.int:
        """Bytes per element."""
    @property
    def itemsize(self) -> builtins.int:
        """Bytes per element."""
    @property
    def nbytes(self) -> builtins.int:
        """Bytes of all elements (``numel() * element_size()``)."""
    def type_as(self, other: TensorLike) -> Tensor:
        """The tensor converted to ``other``'s dtype (itself when it already has it)."""
    def flip(self, *dims: SupportsIndex | Sequence[SupportsIndex]) -> Tensor:
        """The elements of ``dims`` in reverse order (a view)."""
    def fliplr(self) -> Tensor:
        """``flip(1)`` (at least 2 dims)."""
    def flipud(self) -> Tensor:
        """``flip(0)`` (at least 1 dim)."""
    def roll(self, shifts: ShapeLike, dims: ShapeLike | None = None) -> Tensor:
        """Elements shifted by ``shifts`` along ``dims``, wrapping around; without ``dims`` the
        flattened tensor is rolled."""
    def rot90(
        self, k: builtins.int = 1, dims: tuple[builtins.int, builtins.int] = (0, 1)
    ) -> Tensor:
        """Rotated by 90 degrees ``k`` times from the first of ``dims`` towards the second."""
    def repeat(self, *sizes: SupportsIndex | Sequence[SupportsIndex]) -> Tensor:
        """The tensor repeated ``sizes[i]`` times along dim ``i`` (more sizes add leading dims)."""
    def tile(self, *dims: SupportsIndex | Sequence[SupportsIndex]) -> Tensor:
        """NumPy's ``tile``: ``repeat`` with ones prepended to ``dims`` as needed."""
    def repeat_interleave(
        self, repeats: builtins.int | TensorLike, dim: builtins.int | None = None
    ) -> Tensor:
        """Each element repeated ``repeats`` times (an int, or one count per element) along
        ``dim`` (the flattened tensor when ``None``)."""
    def split(
        self, split_size_or_sections: builtins.int | Sequence[builtins.int], dim: builtins.int = 0
    ) -> tuple[Tensor, ...]:
        """Views of consecutive pieces of ``dim``: of ``split_size_or_sections`` elements each
        (the last may be shorter) or of the listed sizes."""
    def chunk(self, chunks: builtins.int, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        """At most ``chunks`` views of ``dim`` of ``ceil(size / chunks)`` elements each."""
    def unbind(self, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        """The slices along ``dim``, each without that dim."""
    def narrow(self, dim: builtins.int, start: builtins.int, length: builtins.int) -> Tensor:
        """``length`` elements of ``dim`` from ``start`` (a view)."""
    def movedim(self, source: ShapeLike, destination: ShapeLike) -> Tensor:
        """Dims ``source`` moved to ``destination``, the others in order (a view)."""
    def moveaxis(self, source: ShapeLike, destination: ShapeLike) -> Tensor:
        """``movedim`` (NumPy's name)."""
    def swapaxes(self, axis0: builtins.int, axis1: builtins.int) -> Tensor:
        """``transpose`` (NumPy's name)."""
    def swapdims(self, dim0: builtins.int, dim1: builtins.int) -> Tensor:
        """``transpose``."""
    def unflatten(self, dim: builtins.int, sizes: ShapeLike) -> Tensor:
        """Dim ``dim`` split into ``sizes`` (one may be ``-1``), a view."""
    def view_as(self, other: TensorLike) -> Tensor:
        """The elements in ``other``'s shape (a view)."""
    def expand_as(self, other: TensorLike) -> Tensor:
        """Broadcast to ``other``'s shape (a view)."""
    def bernoulli(self, *, generator: Generator | None = None) -> Tensor:
        """1 with probability ``self`` (elementwise), else 0, in this tensor's float dtype."""
    def multinomial(
        self,
        num_samples: builtins.int,
        replacement: builtins.bool = False,
        *,
        generator: Generator | None = None,
    ) -> Tensor:
        """``num_samples`` category indices per row of the weights ``self`` (1-d or 2-d),
        drawn in proportion to them; the tensor is evaluated to read them."""

def tensor(data: TensorLike, dtype: DTypeLike | None = None) -> Tensor:
    """A tensor holding a copy of ``data`` (a NumPy array, nested lists, a scalar or a tensor).
    Without ``dtype``, NumPy input keeps its dtype; Python floats become float32, ints int64
    and bools bool (as PyTorch). A Python int outside int64 raises ``OverflowError``. Data of
    another dtype is converted with the cast rule of ``.to()`` (NaN to int is 0)."""

def from_dlpack(x: Any, *, device: Any = None, copy: builtins.bool | None = None) -> Tensor:
    """A tensor from ``x`` (Python Array API): anything with ``__dlpack__`` (a Tensor, a NumPy
    array, a torch tensor...) or a DLPack capsule. It shares the memory of ``x`` (kept alive by the
    tensor) when it is C-contiguous, else copies it; ``copy=True`` always copies, ``copy=False``
    raises ``BufferError`` rather than copy. ``device`` may be None or ``"cpu"`` (which asks a
    producer on another device for a CPU copy)."""
def _rebuild_tensor(blob: bytes, buffers: Sequence[Any]) -> Tensor:
    """A pickled tensor from its graph blob and leaf buffers (``Tensor.__reduce_ex__``); a blob
    of another format version or a damaged one raises ``pickle.UnpicklingError``."""

def _graph_nodes(
    tensors: Sequence[Tensor],
) -> list[
    tuple[
        Tensor, builtins.int, builtins.str, dict[builtins.str, Any], list[builtins.int],
        builtins.str | None,
    ]
]:
    """The nodes ``tensors`` are built from, operands first: ``(tensor, id, kind, params,
    operand positions, note)`` (rusttorch.dask's lowering reads them)."""

def _substitute(
    outputs: Sequence[Tensor], old: Sequence[Tensor], new: Sequence[Tensor]
) -> list[Tensor]:
    """``outputs`` rebuilt with each of ``old`` replaced by the tensor at its position in
    ``new``."""

def _placeholder(shape: Sequence[builtins.int], dtype: DTypeLike, note: builtins.str) -> Tensor:
    """A lazy leaf without data, standing for data bound later (a Dask array)."""

class _WeakTensor:
    """A handle that does not keep a tensor's node alive."""
    def alive(self) -> builtins.bool:
        """Whether the node still exists."""

def _weak(t: Tensor) -> _WeakTensor:
    """A weak handle on ``t``'s node."""

def _dumps_graph(tensors: Sequence[Tensor]) -> tuple[bytes, list[Any]]:
    """Several tensors as one pickled graph: ``(blob, buffers)``."""

def _loads_graph(blob: bytes, buffers: Sequence[Any]) -> list[Tensor]:
    """The tensors ``_dumps_graph`` stored."""

def from_numpy(a: npt.NDArray[Any]) -> Tensor:
    """A tensor sharing the memory of a C-contiguous float32/float64/int32/int64/bool array (no
    copy; the array is kept alive, and writing to it changes the tensor). Other layouts and
    other real dtypes are copied."""

def zeros(*size: SupportsIndex | Sequence[SupportsIndex], dtype: DTypeLike | None = None) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``."""

def ones(*size: SupportsIndex | Sequence[SupportsIndex], dtype: DTypeLike | None = None) -> Tensor:
    """A tensor of ones: ``ones(2, 3)`` or ``ones((2, 3))``."""

def empty(*size: SupportsIndex | Sequence[SupportsIndex], dtype: DTypeLike | None = None) -> Tensor:
    """A tensor whose values are not to be relied on: ``empty(2, 3)`` or ``empty((2, 3))``.
    (Zeros here: a constant costs nothing until it is read.)"""

def full(shape: ShapeLike, fill_value: SupportsFloat, dtype: DTypeLike | None = None) -> Tensor:
    """A tensor with every element equal to ``fill_value``; without ``dtype``, a bool gives bool,
    an int int64 and a float float32 (as PyTorch). An int is exact (outside int64:
    ``OverflowError``); the value is converted to ``dtype`` with the cast rule of ``.to()``."""

def arange(
    start: SupportsFloat,
    stop: SupportsFloat | None = None,
    step: SupportsFloat | None = None,
    dtype: DTypeLike | None = None,
) -> Tensor:
    """``start, start + step, ...`` up to but excluding ``stop``; ``arange(n)`` counts from 0.
    Without ``dtype``, all-int arguments give int64, otherwise float32 (as PyTorch). All-int
    arguments are computed exactly in int64 (an int outside int64 raises ``OverflowError``);
    with a float among them, the length is ``ceil((stop - start) / step)`` in float64."""

def rand(
    *size: SupportsIndex | Sequence[SupportsIndex],
    generator: Generator | None = None,
    dtype: DTypeLike | None = None,
    seed: builtins.int | None = None,
) -> Tensor:
    """Uniform random numbers in ``[0, 1)``: ``rand(2, 3)`` or ``rand((2, 3))``. The numbers come
    from ``seed=`` when given, else from ``generator=`` or the default generator (see
    ``manual_seed``); the same seed gives the same numbers."""

def randn(
    *size: SupportsIndex | Sequence[SupportsIndex],
    generator: Generator | None = None,
    dtype: DTypeLike | None = None,
    seed: builtins.int | None = None,
) -> Tensor:
    """Standard normal random numbers: ``randn(2, 3)`` or ``randn((2, 3))``; ``seed=`` and
    ``generator=`` as for ``rand``."""

class Generator:
    """A stream of random seeds (PyTorch's ``torch.Generator``): ``Generator(seed)`` or
    ``Generator().manual_seed(seed)``; pass it as ``generator=`` to ``rand``/``randn``. Two
    generators with the same seed give the same tensors, call after call."""

    def __init__(self, seed: builtins.int | None = None, *, device: str = "cpu") -> None:
        """A generator started from ``seed`` (an int in ``[0, 2**64)``; from the clock when
        ``None``). ``device`` is accepted for PyTorch's signature; only ``"cpu"`` exists."""
    def manual_seed(self, seed: builtins.int) -> Generator:
        """Restarts the stream from ``seed`` and returns the generator itself."""
    def seed(self) -> builtins.int:
        """Restarts the stream from a seed taken from the clock, and returns that seed."""
    def initial_seed(self) -> builtins.int:
        """The seed the stream was last started from."""
    def get_state(self) -> tuple[builtins.int, builtins.int]:
        """The stream's position, ``(initial_seed, draws)`` (PyTorch returns a byte tensor):
        ``set_state`` of it goes back there."""
    def set_state(self, state: tuple[builtins.int, builtins.int]) -> Generator:
        """Puts the stream back where ``get_state`` found it; returns the generator itself."""
    @property
    def device(self) -> str:
        """Always ``"cpu"``."""

default_generator: Generator
"""The generator ``rand``/``randn`` draw from without ``generator=`` or ``seed=``; seeded from
the clock until ``manual_seed``."""

def manual_seed(seed: builtins.int) -> Generator:
    """Seeds the default generator (an int in ``[0, 2**64)``) and returns it, as PyTorch's
    ``manual_seed``: the numbers of ``rand``/``randn`` calls without ``seed=`` are then
    reproducible."""

def initial_seed() -> builtins.int:
    """The seed the default generator was last started from."""

class _GradFn:
    """``t.grad_fn``: the op whose gradient computes a tensor's (``MulBackward0``)."""
    def name(self) -> builtins.str:
        """The op's name, as PyTorch names backward nodes."""

class _RemovableHandle:
    """What ``register_hook`` returns."""
    def remove(self) -> None:
        """Removes the hook."""

def _backward(
    tensors: Sequence[Tensor],
    grad_tensors: Sequence[Tensor | None] | None = None,
    retain_graph: builtins.bool | None = None,
    create_graph: builtins.bool = False,
) -> None:
    """``torch.autograd.backward`` (see ``rusttorch.autograd``)."""

def _grad(
    outputs: Sequence[Tensor],
    inputs: Sequence[Tensor],
    grad_outputs: Sequence[Tensor | None] | None = None,
    retain_graph: builtins.bool | None = None,
    create_graph: builtins.bool = False,
    allow_unused: builtins.bool = False,
    evaluate: builtins.bool = True,
) -> list[Tensor | None]:
    """``torch.autograd.grad`` (see ``rusttorch.autograd``); ``evaluate=False`` leaves the
    gradients lazy."""

def is_grad_enabled() -> builtins.bool:
    """Whether ops record what their gradients need on this thread."""

def _set_grad_enabled(mode: builtins.bool) -> builtins.bool:
    """Turns gradient recording on this thread on or off; returns the previous mode."""

def eval(*tensors: Tensor, fuse: builtins.bool = True) -> None:
    """Evaluates several tensors in one plan, computing shared work once (``fuse=False``: the
    eager op-by-op baseline). The GIL is released while it runs (kept for evaluations of a few
    microseconds, as NumPy keeps it for small loops); Ctrl-C stops it with ``KeyboardInterrupt``,
    leaving the tensors lazy."""

def explain(*tensors: Tensor) -> str:
    """The optimized, fused plan that would evaluate these tensors together, as text; after each
    kernel, which tier ran it last (the block VM or compiled code) and what the compiler did
    with it."""

def set_num_threads(n: builtins.int) -> None:
    """Sets the number of worker threads used for evaluation (a positive int)."""

def get_num_threads() -> builtins.int:
    """The number of worker threads used for evaluation."""

def set_jit(mode: builtins.str | None) -> None:
    """Sets when elementwise kernels are compiled, for the whole process: ``"off"`` (every kernel
    on the block VM; compiled code already made stays cached), ``"background"`` (the default:
    a new kernel runs on the VM while it compiles), ``"sync"`` (compiled before its first
    run), or ``None`` (back to ``RUSTTORCH_JIT``'s setting)."""

def get_jit() -> builtins.str:
    """When kernels are compiled now: ``"off"``, ``"background"`` or ``"sync"`` (``"off"`` where
    rusttorch was built without the compiler)."""

def set_pool_limit(bytes: builtins.int) -> None:
    """Sets the most bytes of freed large buffers (1 MiB and more) kept for reuse.

    Idle buffers beyond the limit are given back to the operating system now, the oldest
    first; ``0`` disables pooling. The default is ``RUSTTORCH_POOL_LIMIT`` (bytes, read once
    at the first large allocation) when set, else a thirty-second of physical memory, at most
    512 MiB. Raises ``ValueError`` for a negative value.
    """

def get_pool_limit() -> builtins.int:
    """The most bytes of freed large buffers kept for reuse (see :func:`set_pool_limit`)."""

def neg(input: TensorLike) -> Tensor:
    """``-x``"""

def abs(input: TensorLike) -> Tensor:
    """``|x|``"""

def exp(input: TensorLike) -> Tensor:
    """``e**x``"""

def log(input: TensorLike) -> Tensor:
    """Natural logarithm."""

def log1p(input: TensorLike) -> Tensor:
    """``log(1 + x)``, accurate for small ``x``."""

def expm1(input: TensorLike) -> Tensor:
    """``e**x - 1``, accurate for small ``x``."""

def sqrt(input: TensorLike) -> Tensor:
    """Square root."""

def rsqrt(input: TensorLike) -> Tensor:
    """``1 / sqrt(x)``"""

def reciprocal(input: TensorLike) -> Tensor:
    """``1 / x``"""

def square(input: TensorLike) -> Tensor:
    """``x * x``"""

def tanh(input: TensorLike) -> Tensor:
    """Hyperbolic tangent."""

def sigmoid(input: TensorLike) -> Tensor:
    """Logistic sigmoid."""

def relu(input: TensorLike) -> Tensor:
    """``max(x, 0)``"""

def sin(input: TensorLike) -> Tensor:
    """Sine."""

def cos(input: TensorLike) -> Tensor:
    """Cosine."""

def leaky_relu(input: TensorLike, negative_slope: builtins.float = 0.01) -> Tensor:
    """``x`` where ``x >= 0``, else ``negative_slope * x``."""

def gelu(input: TensorLike, approximate: str = "none") -> Tensor:
    """GELU: exact (``approximate="none"``) or the tanh approximation (``"tanh"``)."""

def softmax(input: TensorLike, dim: builtins.int, dtype: DTypeLike | None = None) -> Tensor:
    """Softmax along ``dim``; ``dtype`` casts the input first."""

def log_softmax(input: TensorLike, dim: builtins.int, dtype: DTypeLike | None = None) -> Tensor:
    """Log-softmax along ``dim``; ``dtype`` casts the input first."""

def sum(
    input: TensorLike,
    dim: DimLike = None,
    keepdim: builtins.bool = False,
    *,
    dtype: DTypeLike | None = None,
) -> Tensor:
    """Sum over ``dim`` (an int, a tuple of ints, or ``None`` for all); ``dtype`` casts first
    and is the result's dtype."""

def mean(
    input: TensorLike,
    dim: DimLike = None,
    keepdim: builtins.bool = False,
    *,
    dtype: DTypeLike | None = None,
) -> Tensor:
    """Mean over ``dim`` (an int, a tuple of ints, or ``None`` for all); ``dtype`` casts
    first."""

@overload
def max(input: TensorLike) -> Tensor:
    """The maximum of all elements (0-d)."""

@overload
def max(input: TensorLike, dim: SupportsIndex, keepdim: builtins.bool = False) -> return_types.max:
    """The named tuple ``(values, indices)``: the maxima along ``dim`` and the index of the first
    of each (int64), as PyTorch's ``torch.return_types.max``."""

@overload
def max(input: TensorLike, other: Tensor | npt.NDArray[Any]) -> Tensor:
    """The elementwise maximum (``maximum``)."""

def amax(input: TensorLike, dim: DimLike = None, keepdim: builtins.bool = False) -> Tensor:
    """Maximum over ``dim`` (an int, a tuple of ints, or ``None`` for all), values only."""

@overload
def min(input: TensorLike) -> Tensor:
    """The minimum of all elements (0-d)."""

@overload
def min(input: TensorLike, dim: SupportsIndex, keepdim: builtins.bool = False) -> return_types.min:
    """The named tuple ``(values, indices)``: the minima along ``dim`` and the index of the first
    of each (int64), as PyTorch's ``torch.return_types.min``."""

@overload
def min(input: TensorLike, other: Tensor | npt.NDArray[Any]) -> Tensor:
    """The elementwise minimum (``minimum``)."""

def amin(input: TensorLike, dim: DimLike = None, keepdim: builtins.bool = False) -> Tensor:
    """Minimum over ``dim`` (an int, a tuple of ints, or ``None`` for all), values only."""

def maximum(input: Operand, other: Operand) -> Tensor:
    """Elementwise maximum, broadcasting."""

def minimum(input: Operand, other: Operand) -> Tensor:
    """Elementwise minimum, broadcasting."""

def pow(input: Operand, exponent: Operand) -> Tensor:
    """``input ** exponent``, broadcasting."""

def reshape(input: TensorLike, shape: ShapeLike) -> Tensor:
    """The same elements in a new shape (an int or a tuple of ints); one size may be ``-1``."""

def layer_norm(
    input: TensorLike,
    normalized_shape: ShapeLike,
    weight: TensorLike | None = None,
    bias: TensorLike | None = None,
    eps: builtins.float = 1e-5,
) -> Tensor:
    """Layer normalisation over the trailing dims given by ``normalized_shape`` (an int or a tuple
    equal to the input's trailing dims), with optional elementwise ``weight`` and ``bias`` of
    that shape."""

def rms_norm(
    input: TensorLike,
    normalized_shape: ShapeLike,
    weight: TensorLike | None = None,
    eps: builtins.float = 1e-6,
) -> Tensor:
    """RMS normalisation over the trailing dims given by ``normalized_shape``:
    ``x / sqrt(mean(x**2) + eps) * weight``, with an optional ``weight`` of that shape."""

ClassTarget = Tensor | Sequence[Any] | npt.NDArray[Any]

def cross_entropy(
    input: TensorLike,
    target: ClassTarget,
    weight: TensorLike | None = None,
    size_average: builtins.bool | None = None,
    ignore_index: builtins.int = -100,
    reduce: builtins.bool | None = None,
    reduction: str = "mean",
    label_smoothing: builtins.float = 0.0,
) -> Tensor:
    """PyTorch's ``cross_entropy``: ``input`` holds logits with the classes along dim 1
    (``[N, C]``, ``[N, C, d1, ...]`` or unbatched ``[C]``); ``target`` holds class indices
    (integers, the input's shape without the class dim; one outside ``0..C`` other than
    ``ignore_index`` raises ``IndexError`` naming its position and value) or class
    probabilities (floats of the input's shape). ``weight`` scales each class, entries equal
    to ``ignore_index`` count for nothing, ``label_smoothing`` mixes the target with the
    uniform distribution; ``reduction`` is ``'mean'``, ``'sum'`` or ``'none'``."""

def nll_loss(
    input: TensorLike,
    target: ClassTarget,
    weight: TensorLike | None = None,
    size_average: builtins.bool | None = None,
    ignore_index: builtins.int = -100,
    reduce: builtins.bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """PyTorch's ``nll_loss``: ``-weight[t] * input[..., t, ...]`` for each class index ``t``
    of ``target``, ``input`` holding log-probabilities with the classes along dim 1."""

def mse_loss(
    input: TensorLike,
    target: TensorLike,
    size_average: builtins.bool | None = None,
    reduce: builtins.bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Mean squared error ``(input - target)**2``, reduced (``target`` broadcasts)."""

def l1_loss(
    input: TensorLike,
    target: TensorLike,
    size_average: builtins.bool | None = None,
    reduce: builtins.bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Mean absolute error ``|input - target|``, reduced (``target`` broadcasts)."""

def smooth_l1_loss(
    input: TensorLike,
    target: TensorLike,
    size_average: builtins.bool | None = None,
    reduce: builtins.bool | None = None,
    reduction: str = "mean",
    beta: builtins.float = 1.0,
) -> Tensor:
    """Smooth L1: ``0.5 d**2 / beta`` where ``d = |input - target| < beta``, else
    ``d - 0.5 beta``."""

def huber_loss(
    input: TensorLike, target: TensorLike, reduction: str = "mean", delta: builtins.float = 1.0
) -> Tensor:
    """Huber: ``0.5 d**2`` where ``d = |input - target| < delta``, else
    ``delta (d - 0.5 delta)``."""

def binary_cross_entropy(
    input: TensorLike,
    target: TensorLike,
    weight: TensorLike | None = None,
    size_average: builtins.bool | None = None,
    reduce: builtins.bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy of probabilities ``input`` against ``target`` (same shape), each
    log clamped at -100 as PyTorch's; ``weight`` broadcasts."""

def binary_cross_entropy_with_logits(
    input: TensorLike,
    target: TensorLike,
    weight: TensorLike | None = None,
    size_average: builtins.bool | None = None,
    reduce: builtins.bool | None = None,
    reduction: str = "mean",
    pos_weight: TensorLike | None = None,
) -> Tensor:
    """Binary cross-entropy of logits ``input`` (a stable form that never overflows);
    ``pos_weight`` scales the positive term, ``weight`` all."""

def kl_div(
    input: TensorLike,
    target: TensorLike,
    size_average: builtins.bool | None = None,
    reduce: builtins.bool | None = None,
    reduction: str = "mean",
    log_target: builtins.bool = False,
) -> Tensor:
    """Kullback-Leibler divergence of log-probabilities ``input`` from ``target``
    (probabilities, or log-probabilities with ``log_target``); ``'batchmean'`` divides the
    sum by the batch size."""

def matmul(input: TensorLike, other: TensorLike) -> Tensor:
    """Matrix product with NumPy semantics (``input @ other``): 1-d · 1-d is a dot product, a
    1-d operand is a row (left) or column (right) vector, leading batch dims broadcast."""

def silu(input: TensorLike) -> Tensor:
    """SiLU (swish): ``x * sigmoid(x)``."""

def softsign(input: TensorLike) -> Tensor:
    """``x / (1 + |x|)``"""

def relu6(input: TensorLike) -> Tensor:
    """``min(max(x, 0), 6)``"""

def hardsigmoid(input: TensorLike) -> Tensor:
    """``min(max(x + 3, 0), 6) / 6``"""

def hardswish(input: TensorLike) -> Tensor:
    """``x * min(max(x + 3, 0), 6) / 6``"""

def logsigmoid(input: TensorLike) -> Tensor:
    """``log(sigmoid(x))``, computed as ``-softplus(-x)``: no overflow, tiny tails kept."""

def mish(input: TensorLike) -> Tensor:
    """``x * tanh(softplus(x))``"""

def softplus(
    input: TensorLike, beta: builtins.float = 1.0, threshold: builtins.float = 20.0
) -> Tensor:
    """Softplus ``log(1 + e**(beta*x)) / beta``, and ``x`` where ``beta*x > threshold``
    (PyTorch's); computed so that it never overflows nor loses tiny values."""

def clamp(input: TensorLike, min: Operand | None = None, max: Operand | None = None) -> Tensor:
    """Limits values to ``[min, max]`` (either bound may be ``None``); NaN stays NaN."""

@overload
def where(condition: TensorLike, input: Operand, other: Operand) -> Tensor:
    """``input`` where ``condition`` holds, else ``other`` (tensors, arrays or scalars,
    broadcasting; a non-bool condition means ``!= 0``)."""

@overload
def where(condition: TensorLike) -> tuple[Tensor, ...]:
    """``nonzero(condition, as_tuple=True)``."""

def argmax(
    input: TensorLike, dim: builtins.int | None = None, keepdim: builtins.bool = False
) -> Tensor:
    """Index of the first maximum along ``dim`` (of the flattened input when ``None``), int64."""

def argmin(
    input: TensorLike, dim: builtins.int | None = None, keepdim: builtins.bool = False
) -> Tensor:
    """Index of the first minimum along ``dim`` (of the flattened input when ``None``), int64."""

def eq(input: Operand, other: Operand) -> Tensor:
    """``input == other`` elementwise (bool)."""

def ne(input: Operand, other: Operand) -> Tensor:
    """``input != other`` elementwise (bool)."""

def lt(input: Operand, other: Operand) -> Tensor:
    """``input < other`` elementwise (bool)."""

def le(input: Operand, other: Operand) -> Tensor:
    """``input <= other`` elementwise (bool)."""

def gt(input: Operand, other: Operand) -> Tensor:
    """``input > other`` elementwise (bool)."""

def ge(input: Operand, other: Operand) -> Tensor:
    """``input >= other`` elementwise (bool)."""

def floor_divide(input: Operand, other: Operand) -> Tensor:
    """``floor(input / other)`` with Python's signs (integer division by zero gives 0)."""

def remainder(input: Operand, other: Operand) -> Tensor:
    """Python's ``%``: the result takes the divisor's sign."""

def bitwise_and(input: Operand, other: Operand) -> Tensor:
    """``&`` on ints and bools."""

def bitwise_or(input: Operand, other: Operand) -> Tensor:
    """``|`` on ints and bools."""

def bitwise_xor(input: Operand, other: Operand) -> Tensor:
    """``^`` on ints and bools."""

def bitwise_not(input: TensorLike) -> Tensor:
    """``~`` on ints (bitwise) and bools (logical)."""

def logical_and(input: Operand, other: Operand) -> Tensor:
    """Logical and of truth values, bool result."""

def logical_or(input: Operand, other: Operand) -> Tensor:
    """Logical or of truth values, bool result."""

def logical_xor(input: Operand, other: Operand) -> Tensor:
    """Logical xor of truth values, bool result."""

def logical_not(input: TensorLike) -> Tensor:
    """Logical not (``x == 0``), bool result."""

def isnan(input: TensorLike) -> Tensor:
    """Whether each element is NaN."""

def isinf(input: TensorLike) -> Tensor:
    """Whether each element is +inf or -inf."""

def isfinite(input: TensorLike) -> Tensor:
    """Whether each element is finite."""

def floor(input: TensorLike) -> Tensor:
    """Rounds down (identity on ints)."""

def ceil(input: TensorLike) -> Tensor:
    """Rounds up (identity on ints)."""

def trunc(input: TensorLike) -> Tensor:
    """Rounds toward zero (identity on ints)."""

def round(input: TensorLike, decimals: builtins.int = 0) -> Tensor:
    """Rounds half to even (identity on ints), at ``decimals`` decimal digits:
    ``round(x * 10**decimals) / 10**decimals`` as PyTorch."""

def var(
    input: TensorLike,
    dim: DimLike | builtins.bool = None,
    unbiased: builtins.bool | None = None,
    keepdim: builtins.bool = False,
    *,
    correction: builtins.int | None = None,
) -> Tensor:
    """Variance over ``dim`` (``None``: all), dividing by ``N - correction``; ``unbiased``
    (also as the second argument) is correction 1 or 0."""

def std(
    input: TensorLike,
    dim: DimLike | builtins.bool = None,
    unbiased: builtins.bool | None = None,
    keepdim: builtins.bool = False,
    *,
    correction: builtins.int | None = None,
) -> Tensor:
    """Standard deviation over ``dim`` (``None``: all), dividing by ``N - correction``."""

def logsumexp(input: TensorLike, dim: builtins.int, keepdim: builtins.bool = False) -> Tensor:
    """``log(sum(exp(x)))`` along ``dim``, shifted by the max so it never overflows; as in
    PyTorch, a row of ``-inf`` gives ``-inf`` and a row holding ``+inf`` gives ``+inf``."""

def cumsum(input: TensorLike, dim: builtins.int, *, dtype: DTypeLike | None = None) -> Tensor:
    """Cumulative sum along ``dim``; ints and bools give int64 unless ``dtype`` is given (the input
    is cast to it first). float32 accumulates in float64."""

def cumprod(input: TensorLike, dim: builtins.int, *, dtype: DTypeLike | None = None) -> Tensor:
    """Cumulative product along ``dim``; ints and bools give int64 unless ``dtype`` is given."""

def cummax(input: TensorLike, dim: builtins.int) -> return_types.cummax:
    """Running maximum along ``dim`` and where each was found: ``(values, indices)``."""

def cummin(input: TensorLike, dim: builtins.int) -> return_types.cummin:
    """Running minimum along ``dim`` and where each was found: ``(values, indices)``."""

def logcumsumexp(input: TensorLike, dim: builtins.int) -> Tensor:
    """``log(cumsum(exp(input)))`` along ``dim``, without overflow."""

def gather(input: TensorLike, dim: builtins.int, index: TensorLike) -> Tensor:
    """``out[i][j][k] = input[index[i][j][k]][j][k]`` for ``dim=0`` (and so on for other dims):
    ``index`` is an int tensor of ``input``'s rank; negative indices are errors."""

def index_select(input: TensorLike, dim: builtins.int, index: TensorLike) -> Tensor:
    """The entries ``index`` (a 1-d int tensor) names along ``dim``, in its order."""

def take(input: TensorLike, index: TensorLike) -> Tensor:
    """The elements of ``input`` flattened, at ``index`` (any shape; negative entries count
    from the end)."""

def take_along_dim(
    input: TensorLike, indices: TensorLike, dim: builtins.int | None = None
) -> Tensor:
    """``gather`` along ``dim`` with the other dims broadcast; with ``dim=None`` both are
    flattened."""

def scatter(
    input: TensorLike,
    dim: builtins.int,
    index: TensorLike,
    src: TensorLike | None = None,
    *,
    value: Number | None = None,
    reduce: builtins.str | None = None,
) -> Tensor:
    """``input`` with ``src`` (a tensor, or a number) written at ``index`` along ``dim``."""

def scatter_add(input: TensorLike, dim: builtins.int, index: TensorLike, src: TensorLike) -> Tensor:
    """``input`` with ``src`` added at ``index`` along ``dim``."""

def scatter_reduce(
    input: TensorLike,
    dim: builtins.int,
    index: TensorLike,
    src: TensorLike,
    reduce: builtins.str,
    *,
    include_self: builtins.bool = True,
) -> Tensor:
    """``input`` with ``src`` combined at ``index`` along ``dim`` by ``reduce``."""

def index_add(
    input: TensorLike,
    dim: builtins.int,
    index: TensorLike,
    source: TensorLike,
    *,
    alpha: Number | None = None,
) -> Tensor:
    """``input`` with ``alpha * source`` added to the entries ``index`` names along ``dim``."""

def index_copy(
    input: TensorLike, dim: builtins.int, index: TensorLike, source: TensorLike
) -> Tensor:
    """``input`` with ``source`` written to the entries ``index`` names along ``dim``."""

def index_fill(
    input: TensorLike, dim: builtins.int, index: TensorLike, value: TensorLike
) -> Tensor:
    """``input`` with ``value`` in the entries ``index`` names along ``dim``."""

def index_reduce(
    input: TensorLike,
    dim: builtins.int,
    index: TensorLike,
    source: TensorLike,
    reduce: builtins.str,
    *,
    include_self: builtins.bool = True,
) -> Tensor:
    """``input`` with ``source`` combined by ``reduce`` into the entries ``index`` names."""

def masked_fill(input: TensorLike, mask: TensorLike, value: TensorLike) -> Tensor:
    """``input`` with ``value`` where the bool ``mask`` (broadcast to ``input``) is true."""

def index_put(
    input: TensorLike,
    indices: Sequence[Any],
    values: TensorLike,
    accumulate: builtins.bool = False,
) -> Tensor:
    """``input`` with ``values`` written (added, with ``accumulate``) at ``input[indices]``."""

def put(
    input: TensorLike, index: TensorLike, source: TensorLike, accumulate: builtins.bool = False
) -> Tensor:
    """``input`` flattened, with ``source`` written (added) at ``index``, in ``input``'s shape."""

@overload
def nonzero(input: TensorLike, *, as_tuple: Literal[False] = False) -> Tensor: ...
@overload
def nonzero(input: TensorLike, *, as_tuple: Literal[True]) -> tuple[Tensor, ...]: ...
def argwhere(input: TensorLike) -> Tensor:
    """``nonzero(input)``: an ``[n, ndim]`` int64 tensor. Evaluates ``input``."""

def masked_select(input: TensorLike, mask: TensorLike) -> Tensor:
    """The elements of ``input`` where the bool ``mask`` is true (broadcasting), 1-d. Evaluates
    ``mask``; ``input`` stays lazy."""

def unique(
    input: TensorLike,
    sorted: builtins.bool = True,
    return_inverse: builtins.bool = False,
    return_counts: builtins.bool = False,
    dim: builtins.int | None = None,
) -> Any:
    """The distinct values of ``input`` (flattened), ascending, with where each element's value
    is and how many each has on request. Evaluates ``input``."""

def unique_consecutive(
    input: TensorLike,
    return_inverse: builtins.bool = False,
    return_counts: builtins.bool = False,
    dim: builtins.int | None = None,
) -> Any:
    """Each run of equal consecutive elements of ``input`` (flattened) once. Evaluates
    ``input``."""

def bincount(
    input: TensorLike, weights: TensorLike | None = None, minlength: builtins.int = 0
) -> Tensor:
    """How often each value ``0..=max(input)`` occurs in ``input``, or the sum of ``weights`` per
    value. Evaluates ``input``."""

def sort(
    input: TensorLike,
    dim: builtins.int = -1,
    descending: builtins.bool = False,
    *,
    stable: builtins.bool | None = False,
) -> return_types.sort:
    """Sorts ``input`` along ``dim``: ``(values, indices)``. NaN sorts as the largest value; the
    sort is always stable (ties keep their order), whatever ``stable`` says."""

def argsort(
    input: TensorLike,
    dim: builtins.int = -1,
    descending: builtins.bool = False,
    stable: builtins.bool | None = False,
) -> Tensor:
    """The indices that sort ``input`` along ``dim`` (stable, NaN largest)."""

def msort(input: TensorLike) -> Tensor:
    """``input`` sorted along dim 0, ascending."""

def topk(
    input: TensorLike,
    k: builtins.int,
    dim: builtins.int = -1,
    largest: builtins.bool = True,
    sorted: builtins.bool = True,
) -> return_types.topk:
    """The ``k`` largest (``largest=False``: smallest) elements along ``dim`` and their indices,
    always sorted."""

def kthvalue(
    input: TensorLike, k: builtins.int, dim: builtins.int = -1, keepdim: builtins.bool = False
) -> return_types.kthvalue:
    """The ``k``-th smallest element along ``dim`` (1-based) and its index."""

@overload
def median(input: TensorLike) -> Tensor:
    """The lower median of all elements (0-d)."""

@overload
def median(
    input: TensorLike, dim: builtins.int, keepdim: builtins.bool = False
) -> return_types.median:
    """The lower median: of all elements (a 0-d tensor), or along ``dim`` with its index. NaN
    when there is a NaN."""

@overload
def nanmedian(input: TensorLike) -> Tensor:
    """The lower median of the non-NaN elements (0-d)."""

@overload
def nanmedian(
    input: TensorLike, dim: builtins.int, keepdim: builtins.bool = False
) -> return_types.nanmedian:
    """The lower median of the non-NaN elements: of all (a 0-d tensor), or along ``dim``."""

def mode(
    input: TensorLike, dim: builtins.int = -1, keepdim: builtins.bool = False
) -> return_types.mode:
    """The most frequent value along ``dim`` (the smallest of equally frequent ones) and the
    index of its last occurrence."""

def searchsorted(
    sorted_sequence: TensorLike,
    input: TensorLike,
    *,
    out_int32: builtins.bool = False,
    right: builtins.bool = False,
    side: str | None = None,
    sorter: TensorLike | None = None,
) -> Tensor:
    """For each element of ``input``, the index at which it would be inserted into its line of
    ``sorted_sequence`` (1-d, or searched along its last dim with ``input``'s leading dims) to
    keep it sorted: the first such index, or the last with ``right=True`` / ``side='right'``.
    ``sorter`` holds the int64 indices that sort each line. NaN sorts last. Int64 (int32 with
    ``out_int32``)."""

def bucketize(
    input: TensorLike,
    boundaries: TensorLike,
    *,
    out_int32: builtins.bool = False,
    right: builtins.bool = False,
) -> Tensor:
    """The index of the bucket of ``boundaries`` (1-d, sorted) each element of ``input`` falls
    in: ``boundaries[i-1] < x <= boundaries[i]``, or ``boundaries[i-1] <= x < boundaries[i]``
    with ``right=True``."""

def isin(
    elements: TensorLike,
    test_elements: TensorLike,
    *,
    assume_unique: builtins.bool = False,
    invert: builtins.bool = False,
) -> Tensor:
    """A bool tensor of ``elements``' shape: whether each element is in ``test_elements`` (with
    ``invert=True``: is not). Either may be a number; NaN is in nothing."""

def transpose(input: TensorLike, dim0: builtins.int, dim1: builtins.int) -> Tensor:
    """``input`` with ``dim0`` and ``dim1`` swapped (a view)."""

def permute(input: TensorLike, dims: Sequence[SupportsIndex]) -> Tensor:
    """``input`` with its dims reordered (a view): output dim ``i`` is input dim ``dims[i]``."""

def broadcast_to(input: TensorLike, shape: ShapeLike) -> Tensor:
    """``input`` broadcast to ``shape`` (a view); ``-1`` keeps a size."""

def flatten(input: TensorLike, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> Tensor:
    """``input`` with dims ``start_dim..=end_dim`` merged into one."""

def unsqueeze(input: TensorLike, dim: builtins.int) -> Tensor:
    """``input`` with a size-1 dim inserted at ``dim``."""

def squeeze(input: TensorLike, dim: DimLike = None) -> Tensor:
    """``input`` with size-1 dims removed: all of them, or those among ``dim``."""

def cat(tensors: Sequence[TensorLike], dim: builtins.int = 0) -> Tensor:
    """``tensors`` (a list or tuple) joined along the existing dim ``dim``; their other dims must
    match, and their dtypes promote."""

def stack(tensors: Sequence[TensorLike], dim: builtins.int = 0) -> Tensor:
    """``tensors`` (a list or tuple, all of one shape) joined along a new dim ``dim``; their dtypes
    promote."""

Seed: TypeAlias = builtins.int | None

def linspace(
    start: SupportsFloat, end: SupportsFloat, steps: builtins.int, *, dtype: DTypeLike | None = None
) -> Tensor:
    """``steps`` values evenly spaced from ``start`` to ``end`` inclusive (float32 by default)."""

def logspace(
    start: SupportsFloat,
    end: SupportsFloat,
    steps: builtins.int,
    base: builtins.float = 10.0,
    *,
    dtype: DTypeLike | None = None,
) -> Tensor:
    """``base ** linspace(start, end, steps)`` (float32 by default)."""

def eye(
    n: builtins.int, m: builtins.int | None = None, *, dtype: DTypeLike | None = None
) -> Tensor:
    """The ``n x m`` identity (``m = n`` by default), float32 by default."""

def tril_indices(
    row: builtins.int,
    col: builtins.int,
    offset: builtins.int = 0,
    *,
    dtype: DTypeLike | None = None,
) -> Tensor:
    """The ``[2, N]`` coordinates of the lower triangle of a ``row x col`` matrix (int64)."""

def triu_indices(
    row: builtins.int,
    col: builtins.int,
    offset: builtins.int = 0,
    *,
    dtype: DTypeLike | None = None,
) -> Tensor:
    """The ``[2, N]`` coordinates of the upper triangle of a ``row x col`` matrix (int64)."""

def meshgrid(
    *tensors: TensorLike | Sequence[TensorLike], indexing: str = "ij"
) -> tuple[Tensor, ...]:
    """Coordinate grids of 1-d tensors (views), ``indexing='ij'`` or ``'xy'``."""

def zeros_like(input: TensorLike, *, dtype: DTypeLike | None = None) -> Tensor:
    """Zeros of ``input``'s shape (and dtype unless ``dtype`` is given)."""

def ones_like(input: TensorLike, *, dtype: DTypeLike | None = None) -> Tensor:
    """Ones of ``input``'s shape (and dtype unless ``dtype`` is given)."""

def empty_like(input: TensorLike, *, dtype: DTypeLike | None = None) -> Tensor:
    """A tensor of ``input``'s shape whose values are not to be relied on (zeros here)."""

def full_like(
    input: TensorLike, fill_value: SupportsFloat, *, dtype: DTypeLike | None = None
) -> Tensor:
    """``fill_value`` everywhere, in ``input``'s shape (and dtype unless ``dtype`` is given)."""

def rand_like(
    input: TensorLike,
    *,
    generator: Generator | None = None,
    dtype: DTypeLike | None = None,
    seed: Seed = None,
) -> Tensor:
    """Uniform numbers in ``[0, 1)`` of ``input``'s shape (a float dtype)."""

def randn_like(
    input: TensorLike,
    *,
    generator: Generator | None = None,
    dtype: DTypeLike | None = None,
    seed: Seed = None,
) -> Tensor:
    """Standard normal numbers of ``input``'s shape (a float dtype)."""

def randint_like(
    input: TensorLike,
    *bounds_: builtins.int,
    generator: Generator | None = None,
    dtype: DTypeLike | None = None,
    seed: Seed = None,
) -> Tensor:
    """Integers uniform in ``[low, high)`` of ``input``'s shape: ``randint_like(t, high)`` or
    ``randint_like(t, low, high)``."""

def randint(
    *args: builtins.int | ShapeLike,
    size: ShapeLike | None = None,
    generator: Generator | None = None,
    dtype: DTypeLike | None = None,
    seed: Seed = None,
) -> Tensor:
    """Integers uniform in ``[low, high)`` (int64 by default): ``randint(high, size)`` or
    ``randint(low, high, size)``."""

def randperm(
    n: builtins.int,
    *,
    generator: Generator | None = None,
    dtype: DTypeLike | None = None,
    seed: Seed = None,
) -> Tensor:
    """A random permutation of ``0..n`` (int64 by default)."""

def normal(
    mean: TensorLike,
    std: TensorLike | None = None,
    size: ShapeLike | None = None,
    *,
    generator: Generator | None = None,
    dtype: DTypeLike | None = None,
    seed: Seed = None,
) -> Tensor:
    """Normal random numbers: tensor ``mean`` and/or ``std`` (their broadcast shape), or two
    numbers and ``size``."""

def bernoulli(
    input: TensorLike, *, generator: Generator | None = None, seed: Seed = None
) -> Tensor:
    """1 with probability ``input`` (elementwise), else 0, in ``input``'s float dtype."""

def multinomial(
    input: TensorLike,
    num_samples: builtins.int,
    replacement: builtins.bool = False,
    *,
    generator: Generator | None = None,
) -> Tensor:
    """``num_samples`` category indices per row of the weights ``input`` (evaluated to read
    them)."""

def flip(input: TensorLike, dims: ShapeLike) -> Tensor:
    """``input`` with the elements of ``dims`` reversed (a view)."""

def fliplr(input: TensorLike) -> Tensor:
    """``flip(input, 1)``."""

def flipud(input: TensorLike) -> Tensor:
    """``flip(input, 0)``."""

def roll(input: TensorLike, shifts: ShapeLike, dims: ShapeLike | None = None) -> Tensor:
    """Elements shifted by ``shifts`` along ``dims``, wrapping around."""

def rot90(
    input: TensorLike, k: builtins.int = 1, dims: tuple[builtins.int, builtins.int] = (0, 1)
) -> Tensor:
    """Rotated by 90 degrees ``k`` times in the plane of ``dims``."""

def tile(input: TensorLike, dims: ShapeLike) -> Tensor:
    """NumPy's ``tile``."""

def repeat_interleave(
    input: TensorLike, repeats: builtins.int | TensorLike, dim: builtins.int | None = None
) -> Tensor:
    """Each element repeated ``repeats`` times along ``dim``."""

def split(
    tensor: TensorLike,
    split_size_or_sections: builtins.int | Sequence[builtins.int],
    dim: builtins.int = 0,
) -> tuple[Tensor, ...]:
    """Views of consecutive pieces of ``dim`` (see ``Tensor.split``)."""

def chunk(input: TensorLike, chunks: builtins.int, dim: builtins.int = 0) -> tuple[Tensor, ...]:
    """At most ``chunks`` views of ``dim``."""

def unbind(input: TensorLike, dim: builtins.int = 0) -> tuple[Tensor, ...]:
    """The slices along ``dim``, each without that dim."""

def narrow(
    input: TensorLike, dim: builtins.int, start: builtins.int, length: builtins.int
) -> Tensor:
    """``length`` elements of ``dim`` from ``start`` (a view)."""

def movedim(input: TensorLike, source: ShapeLike, destination: ShapeLike) -> Tensor:
    """Dims ``source`` moved to ``destination``."""

def moveaxis(input: TensorLike, source: ShapeLike, destination: ShapeLike) -> Tensor:
    """``movedim`` (NumPy's name)."""

def swapaxes(input: TensorLike, axis0: builtins.int, axis1: builtins.int) -> Tensor:
    """``transpose`` (NumPy's name)."""

def swapdims(input: TensorLike, dim0: builtins.int, dim1: builtins.int) -> Tensor:
    """``transpose``."""

def unflatten(input: TensorLike, dim: builtins.int, sizes: ShapeLike) -> Tensor:
    """Dim ``dim`` split into ``sizes``."""

def clone(input: TensorLike) -> Tensor:
    """A new tensor with ``input``'s values."""

def numel(input: TensorLike) -> builtins.int:
    """Number of elements of ``input``."""

def broadcast_tensors(*tensors: TensorLike) -> tuple[Tensor, ...]:
    """Every tensor broadcast to their common shape (views)."""

def broadcast_shapes(*shapes: ShapeLike) -> tuple[builtins.int, ...]:
    """The shape that all ``shapes`` broadcast to."""

def _pad(
    input: TensorLike,
    pad: Sequence[SupportsIndex],
    mode: str = "constant",
    value: SupportsFloat | None = None,
) -> Tensor:
    """``rusttorch.nn.functional.pad``."""

def set_printoptions(
    precision: builtins.int | None = None,
    threshold: builtins.float | None = None,
    edgeitems: builtins.int | None = None,
    linewidth: builtins.int | None = None,
    profile: str | None = None,
    sci_mode: builtins.bool | None = None,
) -> None:
    """Sets how tensors print, as PyTorch's ``set_printoptions``."""

def get_printoptions() -> dict[str, Any]:
    """The print options as a dict."""

# The elementwise math library (rusttorch-py/src/math.rs and the op table's rows).

def log2(input: TensorLike) -> Tensor:
    """Base-2 logarithm (exact at powers of two)."""

def log10(input: TensorLike) -> Tensor:
    """Base-10 logarithm (exact at powers of ten)."""

def exp2(input: TensorLike) -> Tensor:
    """``2**x`` (exact at integers)."""

def erf(input: TensorLike) -> Tensor:
    """The error function."""

def erfc(input: TensorLike) -> Tensor:
    """``1 - erf(x)``, keeping its relative accuracy where ``erf(x)`` is near 1."""

def erfinv(input: TensorLike) -> Tensor:
    """The inverse of ``erf`` on ``[-1, 1]`` (``±inf`` at ``±1``, NaN outside)."""

def atan(input: TensorLike) -> Tensor:
    """Arctangent."""

def asin(input: TensorLike) -> Tensor:
    """Arcsine (NaN outside ``[-1, 1]``)."""

def acos(input: TensorLike) -> Tensor:
    """Arccosine (NaN outside ``[-1, 1]``)."""

def tan(input: TensorLike) -> Tensor:
    """Tangent."""

def sinh(input: TensorLike) -> Tensor:
    """Hyperbolic sine."""

def cosh(input: TensorLike) -> Tensor:
    """Hyperbolic cosine."""

def asinh(input: TensorLike) -> Tensor:
    """Inverse hyperbolic sine."""

def acosh(input: TensorLike) -> Tensor:
    """Inverse hyperbolic cosine (NaN below 1)."""

def atanh(input: TensorLike) -> Tensor:
    """Inverse hyperbolic tangent (``±inf`` at ``±1``, NaN outside ``[-1, 1]``)."""

def sign(input: TensorLike) -> Tensor:
    """-1, 0 or 1 by the sign, in the input's dtype; NaN gives 0 (as PyTorch)."""

def sgn(input: TensorLike) -> Tensor:
    """The sign (``sign`` for real tensors)."""

def signbit(input: TensorLike) -> Tensor:
    """Whether the sign bit is set (true for ``-0.0``), bool."""

def frac(input: TensorLike) -> Tensor:
    """The fractional part ``x - trunc(x)`` (float tensors only)."""

def selu(input: TensorLike) -> Tensor:
    """SELU: ``scale * elu(x, alpha)`` with the self-normalising constants."""

def atan2(input: Operand, other: Operand) -> Tensor:
    """``atan(input / other)`` in the quadrant of the point ``(other, input)``."""

def arctan2(input: Operand, other: Operand) -> Tensor:
    """NumPy's name for ``atan2``."""

def hypot(input: Operand, other: Operand) -> Tensor:
    """``sqrt(input**2 + other**2)`` without intermediate overflow or underflow."""

def fmod(input: Operand, other: Operand) -> Tensor:
    """C's ``fmod``: the remainder of truncated division, with the dividend's sign."""

def copysign(input: Operand, other: Operand) -> Tensor:
    """``|input|`` with the sign bit of ``other`` (``-0.0`` counts as negative)."""

def nextafter(input: Operand, other: Operand) -> Tensor:
    """The next representable value after ``input`` toward ``other`` (floats only)."""

def logaddexp(input: Operand, other: Operand) -> Tensor:
    """``log(exp(input) + exp(other))`` without overflow."""

def logaddexp2(input: Operand, other: Operand) -> Tensor:
    """``log2(2**input + 2**other)`` without overflow."""

def xlogy(input: Operand, other: Operand) -> Tensor:
    """``input * log(other)``, and 0 where ``input == 0`` unless ``other`` is NaN."""

def lerp(input: TensorLike, end: Operand, weight: Operand) -> Tensor:
    """``input + weight * (end - input)`` (``weight`` a scalar or a tensor), exact at 1."""

def isclose(
    input: TensorLike,
    other: Operand,
    rtol: builtins.float = 1e-05,
    atol: builtins.float = 1e-08,
    equal_nan: builtins.bool = False,
) -> Tensor:
    """Whether ``|input - other| <= atol + rtol * |other|`` elementwise (bool)."""

def allclose(
    input: TensorLike,
    other: Operand,
    rtol: builtins.float = 1e-05,
    atol: builtins.float = 1e-08,
    equal_nan: builtins.bool = False,
) -> builtins.bool:
    """Whether every element of ``input`` is close to ``other`` (``isclose``)."""

def equal(input: TensorLike, other: TensorLike) -> builtins.bool:
    """Whether ``input`` and ``other`` have the same shape and equal elements."""

def clip(input: TensorLike, min: Operand | None = None, max: Operand | None = None) -> Tensor:
    """NumPy's name for ``clamp``."""

def hardtanh(
    input: TensorLike, min_val: builtins.float = -1.0, max_val: builtins.float = 1.0
) -> Tensor:
    """``input`` clamped to ``[min_val, max_val]`` (ints stay ints)."""

def elu(input: TensorLike, alpha: builtins.float = 1.0) -> Tensor:
    """ELU: ``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``."""

def celu(input: TensorLike, alpha: builtins.float = 1.0) -> Tensor:
    """CELU: ``x`` where ``x > 0``, else ``alpha * (exp(x / alpha) - 1)``."""

def nan_to_num(
    input: TensorLike,
    nan: builtins.float = 0.0,
    posinf: builtins.float | None = None,
    neginf: builtins.float | None = None,
) -> Tensor:
    """NaN, ``+inf`` and ``-inf`` replaced (by default by 0 and the dtype's extremes)."""

def _unary_op_names() -> list[str]:
    """Names of the unary ops of the op table (one row each)."""

# ---------------------------------------------------------------- reductions and linear algebra

def prod(
    input: TensorLike,
    dim: DimLike = None,
    keepdim: builtins.bool = False,
    *,
    dtype: DTypeLike | None = None,
) -> Tensor:
    """Product over ``dim`` (``None``: all); 1 for an empty reduction; ints and bools give int64
    (wrapping); ``dtype`` casts first."""

def all(input: TensorLike, dim: DimLike = None, keepdim: builtins.bool = False) -> Tensor:
    """Whether all elements over ``dim`` are non-zero (bool; true when empty)."""

def any(input: TensorLike, dim: DimLike = None, keepdim: builtins.bool = False) -> Tensor:
    """Whether any element over ``dim`` is non-zero (bool; false when empty)."""

def count_nonzero(input: TensorLike, dim: DimLike = None) -> Tensor:
    """The number of non-zero elements over ``dim`` (int64)."""

def nansum(
    input: TensorLike,
    dim: DimLike = None,
    keepdim: builtins.bool = False,
    *,
    dtype: DTypeLike | None = None,
) -> Tensor:
    """Sum over ``dim`` treating NaN as zero."""

def nanmean(
    input: TensorLike,
    dim: DimLike = None,
    keepdim: builtins.bool = False,
    *,
    dtype: DTypeLike | None = None,
) -> Tensor:
    """Mean over ``dim`` of the non-NaN elements (floats)."""

def norm(
    input: TensorLike,
    p: str | builtins.float | None = None,
    dim: DimLike = None,
    keepdim: builtins.bool = False,
    dtype: DTypeLike | None = None,
) -> Tensor:
    """PyTorch's ``norm``: ``p='fro'`` (default) or a number over ``dim``; ``'nuc'`` raises
    ``NotImplementedError``."""

def _linalg_vector_norm(
    x: TensorLike,
    ord: builtins.float | None = None,
    dim: DimLike = None,
    keepdim: builtins.bool = False,
    *,
    dtype: DTypeLike | None = None,
) -> Tensor:
    """``linalg.vector_norm``."""

def _linalg_matrix_norm(
    a: TensorLike,
    ord: str | builtins.float | None = None,
    dim: DimLike = None,
    keepdim: builtins.bool = False,
    *,
    dtype: DTypeLike | None = None,
) -> Tensor:
    """``linalg.matrix_norm``."""

def _linalg_norm(
    a: TensorLike,
    ord: str | builtins.float | None = None,
    dim: DimLike = None,
    keepdim: builtins.bool = False,
    *,
    dtype: DTypeLike | None = None,
) -> Tensor:
    """``linalg.norm``."""

def _linalg_vecdot(x: TensorLike, y: TensorLike, *, dim: builtins.int = -1) -> Tensor:
    """``linalg.vecdot``."""

def _linalg_diagonal(
    a: TensorLike, *, offset: builtins.int = 0, dim1: builtins.int = -2, dim2: builtins.int = -1
) -> Tensor:
    """``linalg.diagonal``."""

def einsum(equation: str, *operands: TensorLike | Sequence[TensorLike]) -> Tensor:
    """Einstein summation: ``einsum("ij,jk->ik", a, b)`` (operands also as one list)."""

def tensordot(a: TensorLike, b: TensorLike, dims: Any = None) -> Tensor:
    """Sums products over ``dims`` (an int, default 2: the last of ``a`` with the first of
    ``b``; or two lists of dims)."""

def dot(input: TensorLike, tensor: TensorLike) -> Tensor:
    """The dot product of two 1-d tensors."""

def vdot(input: TensorLike, other: TensorLike) -> Tensor:
    """The dot product of two 1-d tensors (no conjugation for real tensors)."""

def inner(input: TensorLike, other: TensorLike) -> Tensor:
    """Sum of products over the last dims."""

def outer(input: TensorLike, vec2: TensorLike) -> Tensor:
    """The outer product of two 1-d tensors."""

def ger(input: TensorLike, vec2: TensorLike) -> Tensor:
    """The outer product of two 1-d tensors (``outer``)."""

def mm(input: TensorLike, mat2: TensorLike) -> Tensor:
    """Matrix product of two matrices."""

def bmm(input: TensorLike, mat2: TensorLike) -> Tensor:
    """Batched matrix product of two 3-d tensors."""

def mv(input: TensorLike, vec: TensorLike) -> Tensor:
    """Matrix-vector product."""

def addmm(
    input: TensorLike,
    mat1: TensorLike,
    mat2: TensorLike,
    *,
    beta: builtins.float = 1.0,
    alpha: builtins.float = 1.0,
) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``."""

def addmv(
    input: TensorLike,
    mat: TensorLike,
    vec: TensorLike,
    *,
    beta: builtins.float = 1.0,
    alpha: builtins.float = 1.0,
) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``."""

def baddbmm(
    input: TensorLike,
    batch1: TensorLike,
    batch2: TensorLike,
    *,
    beta: builtins.float = 1.0,
    alpha: builtins.float = 1.0,
) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``."""

def tril(input: TensorLike, diagonal: builtins.int = 0) -> Tensor:
    """The lower triangle of the last two dims (``j - i <= diagonal`` kept)."""

def triu(input: TensorLike, diagonal: builtins.int = 0) -> Tensor:
    """The upper triangle of the last two dims (``j - i >= diagonal`` kept)."""

def diagonal(
    input: TensorLike, offset: builtins.int = 0, dim1: builtins.int = 0, dim2: builtins.int = 1
) -> Tensor:
    """The ``offset`` diagonal of dims ``dim1`` and ``dim2`` as a new last dim (a view)."""

def trace(input: TensorLike) -> Tensor:
    """The sum of a matrix's main diagonal."""

def diag(input: TensorLike, diagonal: builtins.int = 0) -> Tensor:
    """1-d: a square matrix with ``input`` on the ``diagonal``-th diagonal; 2-d: that diagonal."""

def diag_embed(
    input: TensorLike, offset: builtins.int = 0, dim1: builtins.int = -2, dim2: builtins.int = -1
) -> Tensor:
    """The last dim placed on the ``offset`` diagonal of new dims ``dim1``, ``dim2``."""
