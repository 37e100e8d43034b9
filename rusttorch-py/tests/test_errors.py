"""Bad input raises the named Python exception, never a PanicException, an abort or a wrong
answer."""

# The table of bad calls below keeps one call and its expected message per line.
# ruff: noqa: E501

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pytest
import rusttorch as rt
from array_api_bad_calls import ARRAY_API_BAD_CALLS
from autograd_bad_calls import AUTOGRAD_BAD_CALLS, AUTOGRAD_NO_BAD_CALL
from dlpack_bad_calls import DLPACK_BAD_CALLS
from helpers import needs_constant_graphs
from indexing_bad_calls import INDEXING_BAD_CALLS
from loss_bad_calls import LOSS_BAD_CALLS
from search_bad_calls import SEARCH_BAD_CALLS
from shape_bad_calls import SHAPE_BAD_CALLS, SHAPE_NO_BAD_CALL
from sorting_bad_calls import SORTING_BAD_CALLS
from writes_bad_calls import WRITES_BAD_CALLS


def test_shapes_that_do_not_broadcast_name_both_shapes() -> None:
    a, b = rt.ones((2, 3)), rt.ones((4,))
    with pytest.raises(ValueError, match=r"\[2, 3\].*\[4\]"):
        a + b
    with pytest.raises(ValueError, match="broadcast"):
        a * np.ones((5, 1, 2))
    with pytest.raises(ValueError, match="broadcast"):
        rt.maximum(a, b)


def test_negative_sizes_are_value_errors() -> None:
    with pytest.raises(ValueError, match="negative"):
        rt.zeros((2, -1))
    with pytest.raises(ValueError, match="negative"):
        rt.ones(-3)
    with pytest.raises(ValueError, match="negative"):
        rt.rand((-1,), seed=0)
    with pytest.raises(ValueError, match="invalid size"):
        rt.tensor([1.0, 2.0]).reshape(-2)


@pytest.mark.parametrize("dim", [2, -3, (0, 5), [9]])
def test_dim_out_of_range_is_index_error(dim: object) -> None:
    t = rt.ones((2, 3))
    with pytest.raises(IndexError, match="out of range"):
        t.sum(dim=dim)


def test_dim_errors_in_softmax_and_duplicates() -> None:
    t = rt.ones((2, 3))
    with pytest.raises(IndexError):
        t.softmax(2)
    with pytest.raises(IndexError):
        rt.log_softmax(t, -3)
    with pytest.raises(ValueError, match="more than once"):
        t.sum(dim=(1, 1))
    with pytest.raises(TypeError):
        t.sum(dim="0")


@pytest.mark.parametrize("bad", ["a", b"x", 1j, [1.0, 2.0], None, object()])
def test_unsupported_operand_types_are_type_errors(bad: object) -> None:
    t = rt.ones(2)
    with pytest.raises(TypeError):
        t + bad
    with pytest.raises(TypeError):
        bad * t
    with pytest.raises(TypeError):
        t.maximum(bad)


@pytest.mark.parametrize(
    "bad",
    [np.array(["a", "b"]), np.array([object(), object()]), np.array([1j, 2j]), np.complex64(1)],
)
def test_unsupported_array_operands_are_type_errors(bad: object) -> None:
    t = rt.ones(2)
    with pytest.raises(TypeError):
        t + bad
    with pytest.raises(TypeError):
        bad - t


def test_bad_arguments_are_value_errors() -> None:
    t = rt.ones(2)
    with pytest.raises(ValueError, match="approximate"):
        t.gelu(approximate="fast")
    with pytest.raises(ValueError, match="step"):
        rt.arange(0, 10, 0)


def test_allocation_failures_are_memory_errors() -> None:
    x = rt.tensor([1.0])
    with pytest.raises(MemoryError):
        (rt.zeros((10**13,)) + x).eval()
    with pytest.raises(MemoryError):
        rt.rand((10**13,), seed=0)
    with pytest.raises(MemoryError):
        (x * rt.ones((10**6, 10**7))).numpy()
    # The process lives on.
    assert (x + 1.0).item() == 2.0


@needs_constant_graphs
def test_zeros_eval_memory_error() -> None:
    with pytest.raises(MemoryError):
        rt.zeros((10**13,)).eval()


def test_shape_overflow_is_value_error() -> None:
    with pytest.raises((ValueError, MemoryError)):
        rt.zeros((2**40, 2**40)).eval()


def test_panics_become_runtime_errors_not_panic_exceptions() -> None:
    # A PanicException derives from BaseException only; every failure here must be an Exception
    # of the documented class.
    cases = [
        (lambda: rt.ones(2) + rt.ones(3), ValueError),
        (lambda: rt.ones(2).sum(dim=5), IndexError),
        (lambda: rt.ones(2, dtype="int33"), TypeError),
        (lambda: rt.ones(2) & rt.ones(2), TypeError),
    ]
    for bad, expected in cases:
        with pytest.raises(expected) as info:
            bad()
        assert type(info.value).__name__ != "PanicException"


# ---------------------------------------------------------------------------------------------
# Every public function with bad arguments: the exception names the function the user called
# (not the primitive a composite is built from) and the user's own arguments.

T1 = rt.tensor([1.0, 2.0, 3.0])
T2 = rt.ones((2, 3))
I2 = rt.tensor([[1, 2, 3], [4, 5, 6]])
B1 = rt.tensor([True, False])
E0 = rt.tensor(np.zeros((0, 3)))

# (name, call, exception, regex searched in the message)
BAD_CALLS: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    # out-of-range dims, named by the op called
    ("softmax", lambda: T1.softmax(1), IndexError, r"^softmax: dim 1 is out of range for a tensor with 1 dims"),
    ("softmax", lambda: rt.softmax(T1, -2), IndexError, r"^softmax: dim -2 is out of range"),
    ("log_softmax", lambda: rt.log_softmax(T2, 2), IndexError, r"^log_softmax: dim 2 is out of range"),
    ("logsumexp", lambda: rt.logsumexp(T2, 3), IndexError, r"^logsumexp: dim 3 is out of range"),
    ("logsumexp", lambda: T2.logsumexp(-3), IndexError, r"^logsumexp: dim -3 is out of range"),
    ("cumsum", lambda: rt.cumsum(T2, 2), IndexError, r"^cumsum: dim 2 is out of range"),
    ("cumprod", lambda: T2.cumprod(-3), IndexError, r"^cumprod: dim -3 is out of range"),
    ("cummax", lambda: rt.cummax(T2, 5), IndexError, r"^cummax: dim 5 is out of range"),
    ("cummin", lambda: rt.cummin(T2, -4), IndexError, r"^cummin: dim -4 is out of range"),
    ("logcumsumexp", lambda: rt.logcumsumexp(T2 > 0, 0), TypeError, r"^logcumsumexp is not supported"),
    ("mean", lambda: T2.mean(dim=5), IndexError, r"^mean: dim 5 is out of range"),
    ("mean", lambda: rt.mean(T2, (0, 4)), IndexError, r"^mean: dim 4 is out of range"),
    ("sum", lambda: rt.sum(T2, 5), IndexError, r"^sum: dim 5 is out of range"),
    ("sum", lambda: T2.sum((1, -1)), ValueError, r"^sum: dim -1 appears more than once"),
    ("var", lambda: T2.var(dim=5), IndexError, r"^var: dim 5 is out of range"),
    ("var", lambda: rt.var(T2, (1, 1)), ValueError, r"^var: dim 1 appears more than once"),
    ("std", lambda: rt.std(T2, 7), IndexError, r"^std: dim 7 is out of range"),
    ("max", lambda: T2.max(5), IndexError, r"^max: dim 5 is out of range"),
    ("max", lambda: rt.max(T2, dim=-3), IndexError, r"^max: dim -3 is out of range"),
    ("min", lambda: rt.min(T2, 2, True), IndexError, r"^min: dim 2 is out of range"),
    ("max", lambda: rt.tensor(1.0).max(1), IndexError, r"^max: dim 1 is out of range .* 0 dims"),
    ("amax", lambda: rt.amax(T2, (0, 5)), IndexError, r"^amax: dim 5 is out of range"),
    ("amin", lambda: T2.amin(9), IndexError, r"^amin: dim 9 is out of range"),
    ("argmax", lambda: rt.argmax(T2, 2), IndexError, r"^argmax: dim 2 is out of range"),
    ("argmin", lambda: T2.argmin(-5), IndexError, r"^argmin: dim -5 is out of range"),
    ("transpose", lambda: rt.transpose(T2, 0, 5), IndexError, r"^transpose: dim 5 is out of range"),
    ("permute", lambda: T2.permute(0, 5), IndexError, r"^permute: dim 5 is out of range"),
    ("permute", lambda: rt.permute(T2, (0,)), ValueError, r"^permute: needs 2 dims .* got \[0\]"),
    ("permute", lambda: T2.permute(1, 1), ValueError, r"^permute: dims \[1, 1\] repeat a dim"),
    ("squeeze", lambda: rt.squeeze(T2, 4), IndexError, r"^squeeze: dim 4 is out of range"),
    ("unsqueeze", lambda: rt.unsqueeze(T2, 4), IndexError, r"^unsqueeze: dim 4 is out of range"),
    ("flatten", lambda: rt.flatten(T2, 0, 5), IndexError, r"^flatten: dim 5 is out of range"),
    ("flatten", lambda: T2.flatten(1, 0), ValueError, r"^flatten: start dim 1 is after end dim 0"),
    ("cat", lambda: rt.cat([T2, T2], 2), IndexError, r"^cat: dim 2 is out of range"),
    ("stack", lambda: rt.stack([T2, T2], 4), IndexError, r"^stack: dim 4 is out of range"),
    # reductions and linear algebra (issue 14)
    ("prod", lambda: T2.prod(4), IndexError, r"^prod: dim 4 is out of range"),
    ("all", lambda: rt.all(T2, 3), IndexError, r"^all: dim 3 is out of range"),
    ("any", lambda: T2.any((0, 0)), ValueError, r"^any: dim 0 appears more than once"),
    ("count_nonzero", lambda: rt.count_nonzero(T2, 2), IndexError, r"^count_nonzero: dim 2 is out"),
    ("nansum", lambda: rt.nansum(T2, -3), IndexError, r"^nansum: dim -3 is out of range"),
    ("nanmean", lambda: rt.nanmean(I2), TypeError, r"^nanmean is not supported for dtype int64$"),
    ("norm", lambda: rt.norm(T2, "abc"), ValueError, r'^norm: unknown norm order "abc"'),
    ("einsum", lambda: rt.einsum("ij,jk", T2, T2), ValueError, r"^einsum: subscript j has size 2"),
    ("tensordot", lambda: rt.tensordot(T2, T2, 1), ValueError, r"^tensordot: contracted dims must"),
    ("dot", lambda: rt.dot(T1, T2), ValueError, r"^dot: tensor must be a 1-d tensor|^dot: other must"),
    ("vdot", lambda: rt.vdot(T1, T1[:2]), ValueError, r"^vdot: shapes \[3\] and \[2\]"),
    ("inner", lambda: rt.inner(T2, T1[:2]), ValueError, r"^inner: shapes \[2, 3\] and \[2\]"),
    ("outer", lambda: rt.outer(T2, T1), ValueError, r"^outer: self must be a 1-d tensor"),
    ("ger", lambda: rt.ger(T1, T2), ValueError, r"^outer: vec2 must be a 1-d tensor"),
    ("mm", lambda: rt.mm(T2, T2), ValueError, r"^mm: shapes \[2, 3\] and \[2, 3\]"),
    ("bmm", lambda: rt.bmm(T2, T2), ValueError, r"^bmm: self must be a 3-d tensor"),
    ("mv", lambda: rt.mv(T2, T1[:2]), ValueError, r"^mv: shapes \[2, 3\] and \[2\]"),
    ("addmm", lambda: rt.addmm(T1, T2, T2), ValueError, r"^addmm: shapes"),
    ("addmv", lambda: rt.addmv(T2, T2, T1), ValueError, r"^addmv: shapes \[2, 3\] and \[2\]"),
    ("baddbmm", lambda: rt.baddbmm(T2, T2, T2), ValueError, r"^baddbmm: self must be a 3-d"),
    ("tril", lambda: rt.tril(T1), ValueError, r"^tril needs a tensor with at least 2 dims"),
    ("triu", lambda: T1.triu(1), ValueError, r"^triu needs a tensor with at least 2 dims"),
    ("diagonal", lambda: rt.diagonal(T2, 0, 0, -2), ValueError, r"^diagonal: dim1 and dim2 cannot"),
    ("trace", lambda: rt.trace(T1), ValueError, r"^trace: expects a matrix, got shape \[3\]"),
    ("diag", lambda: rt.diag(rt.ones((2, 2, 2))), ValueError, r"^diag: expects a 1-d or 2-d tensor"),
    ("diag_embed", lambda: rt.diag_embed(T2, 0, 1, 1), ValueError, r"^diag_embed: dim1 and dim2"),
    # dtypes the op does not take, named by the op called
    ("std", lambda: I2.std(), TypeError, r"^std is not supported for dtype int64$"),
    ("var", lambda: rt.var(I2), TypeError, r"^var is not supported for dtype int64$"),
    ("mean", lambda: I2.mean(), TypeError, r"^mean is not supported for dtype int64$"),
    ("pow", lambda: B1**2, TypeError, r"^pow is not supported for dtype bool$"),
    ("pow", lambda: B1**3, TypeError, r"^pow is not supported for dtype bool$"),
    ("pow", lambda: rt.pow(B1, 2), TypeError, r"^pow is not supported for dtype bool$"),
    ("pow", lambda: B1.pow(B1), TypeError, r"^pow is not supported for dtype bool$"),
    ("square", lambda: rt.square(B1), TypeError, r"^square is not supported for dtype bool$"),
    ("neg", lambda: -B1, TypeError, r"^neg is not supported for dtype bool$"),
    ("neg", lambda: rt.neg(B1), TypeError, r"^neg is not supported for dtype bool$"),
    ("abs", lambda: rt.abs(B1), TypeError, r"^abs is not supported for dtype bool$"),
    ("relu", lambda: rt.relu(B1), TypeError, r"^relu is not supported for dtype bool$"),
    ("softplus", lambda: rt.softplus(B1), TypeError, r"^softplus is not supported for dtype bool$"),
    ("softmax", lambda: rt.softmax(I2, 0), TypeError, r"^softmax is not supported for dtype int64$"),
    ("log_softmax", lambda: I2.log_softmax(0), TypeError, r"^log_softmax is not supported"),
    ("logsumexp", lambda: rt.logsumexp(I2, 0), TypeError, r"^logsumexp is not supported"),
    ("layer_norm", lambda: rt.layer_norm(I2, 3), TypeError, r"^layer_norm is not supported for dtype int64$"),
    ("rms_norm", lambda: rt.rms_norm(I2, 3), TypeError, r"^rms_norm is not supported for dtype int64$"),
    ("mse_loss", lambda: rt.mse_loss(I2, I2), TypeError, r"^mse_loss is not supported for dtype int64$"),
    ("cross_entropy", lambda: rt.cross_entropy(I2, [0, 1]), TypeError, r"^cross_entropy is not supported"),
    ("matmul", lambda: rt.matmul(I2, I2.T), TypeError, r"^matmul is not supported for dtype int64$"),
    ("sub", lambda: B1 - B1, TypeError, r"^sub is not supported for dtype bool$"),
    ("floor_divide", lambda: rt.floor_divide(B1, B1), TypeError, r"^floor_divide is not supported for dtype bool"),
    ("remainder", lambda: B1 % B1, TypeError, r"^remainder is not supported for dtype bool$"),
    ("bitwise_and", lambda: T1 & T1, TypeError, r"^bitwise_and is not supported for dtype float32$"),
    ("bitwise_or", lambda: rt.bitwise_or(T1, 1), TypeError, r"^bitwise_or is not supported for dtype float32$"),
    ("bitwise_xor", lambda: T1.bitwise_xor(T1), TypeError, r"^bitwise_xor is not supported"),
    ("bitwise_not", lambda: rt.bitwise_not(T1), TypeError, r"^bitwise_not is not supported for dtype float32$"),
    ("bitwise_not", lambda: ~T1, TypeError, r"^bitwise_not is not supported for dtype float32$"),
    ("rand", lambda: rt.rand(3, dtype="int32"), TypeError, r"^rand: dtype int32 is not supported here"),
    ("randn", lambda: rt.randn(3, dtype=rt.bool), TypeError, r"^randn: dtype bool is not supported here"),
    # shapes that do not fit, with the user's shapes
    ("add", lambda: T2 + T1[:2], ValueError, r"^add: shapes \[2, 3\] and \[2\] do not broadcast$"),
    ("mul", lambda: T2 * np.ones(4), ValueError, r"^mul: shapes \[2, 3\] and \[4\] do not broadcast$"),
    ("maximum", lambda: rt.maximum(T2, T1[:2]), ValueError, r"^maximum: shapes \[2, 3\] and \[2\]"),
    ("minimum", lambda: T2.minimum(T1[:2]), ValueError, r"^minimum: shapes"),
    ("eq", lambda: rt.eq(T2, T1[:2]), ValueError, r"^eq: shapes"),
    ("ne", lambda: T2 != T1[:2], ValueError, r"^ne: shapes"),
    ("lt", lambda: rt.lt(T2, T1[:2]), ValueError, r"^lt: shapes"),
    ("le", lambda: rt.le(T2, T1[:2]), ValueError, r"^le: shapes"),
    ("gt", lambda: rt.gt(T2, T1[:2]), ValueError, r"^gt: shapes"),
    ("ge", lambda: rt.ge(T2, T1[:2]), ValueError, r"^ge: shapes"),
    ("logical_and", lambda: rt.logical_and(T2, T1[:2]), ValueError, r"^logical_and: shapes"),
    ("logical_or", lambda: T2.logical_or(T1[:2]), ValueError, r"^logical_or: shapes"),
    ("logical_xor", lambda: rt.logical_xor(T2, T1[:2]), ValueError, r"^logical_xor: shapes"),
    ("where", lambda: rt.where(T2 > 0, T2, T1[:2]), ValueError, r"^where: shapes"),
    ("clamp", lambda: T2.clamp(min=T1[:2]), ValueError, r"^clamp: shapes \[2, 3\] and \[2\]"),
    ("clamp", lambda: rt.clamp(T2, max=T1[:2]), ValueError, r"^clamp: shapes \[2, 3\] and \[2\]"),
    # the math library (test_math_ops.py has its semantics)
    ("clip", lambda: rt.clip(T2, max=T1[:2]), ValueError, r"^clip: shapes \[2, 3\] and \[2\]"),
    ("atan2", lambda: rt.atan2(T2, T1[:2]), ValueError, r"^atan2: shapes \[2, 3\] and \[2\]"),
    ("arctan2", lambda: T2.arctan2(T1[:2]), ValueError, r"^arctan2: shapes"),
    ("hypot", lambda: rt.hypot(T2, T1[:2]), ValueError, r"^hypot: shapes"),
    ("copysign", lambda: rt.copysign(T2, T1[:2]), ValueError, r"^copysign: shapes"),
    ("logaddexp", lambda: rt.logaddexp(T2, T1[:2]), ValueError, r"^logaddexp: shapes"),
    ("logaddexp2", lambda: T2.logaddexp2(T1[:2]), ValueError, r"^logaddexp2: shapes"),
    ("xlogy", lambda: rt.xlogy(T2, T1[:2]), ValueError, r"^xlogy: shapes"),
    ("allclose", lambda: rt.allclose(T2, T1[:2]), ValueError, r"^allclose: shapes"),
    ("fmod", lambda: rt.fmod(B1, B1), TypeError, r"^fmod is not supported for dtype bool$"),
    ("nextafter", lambda: rt.nextafter(I2, I2), TypeError, r"^nextafter is not supported for dtype int64$"),
    ("lerp", lambda: rt.lerp(I2, I2, 0.5), TypeError, r"^lerp is not supported for dtype int64$"),
    ("isclose", lambda: rt.isclose(T1, T1, atol=-1.0), ValueError, r"^isclose: atol must be greater than or equal to zero"),
    ("equal", lambda: rt.equal(["a"], T1), TypeError, r"^equal\(\): argument 'input' \(a list\) cannot be a tensor"),
    ("hardtanh", lambda: rt.hardtanh(B1), TypeError, r"^hardtanh is not supported for dtype bool$"),
    ("elu", lambda: rt.elu(B1), TypeError, r"^elu is not supported for dtype bool$"),
    ("celu", lambda: rt.celu(T1, 0.0), ValueError, r"^celu: alpha cannot be 0$"),
    ("nan_to_num", lambda: rt.nan_to_num(["a"]), TypeError, r"^nan_to_num\(\): argument 'input' \(a list\)"),
    ("mse_loss", lambda: rt.mse_loss(T2, T1[:2]), ValueError, r"^mse_loss: shapes \[2, 3\] and \[2\]"),
    ("matmul", lambda: T2 @ T2, ValueError, r"^matmul: shapes \[2, 3\] and \[2, 3\]"),
    ("matmul", lambda: rt.matmul(T2, rt.tensor(1.0)), ValueError, r"^matmul: shapes"),
    ("expand", lambda: T1.expand(2, 4), ValueError, r"^expand: shapes \[3\] and \[2, 4\]"),
    ("broadcast_to", lambda: rt.broadcast_to(T1, (4,)), ValueError, r"^broadcast_to: shapes \[3\] and \[4\]"),
    ("broadcast_to", lambda: T1.broadcast_to((2, 2)), ValueError, r"^broadcast_to: shapes"),
    ("copy_", lambda: T2.copy_(T1[:2]), ValueError, r"^copy_: shapes \[2\] and \[2, 3\]"),
    ("layer_norm", lambda: rt.layer_norm(T2, 4), ValueError, r"^layer_norm: normalized_shape \[4\]"),
    ("rms_norm", lambda: rt.rms_norm(T2, (3,), rt.ones(2)), ValueError, r"^rms_norm: weight has shape \[2\]"),
    (
        "cat",
        lambda: rt.cat([rt.ones((2, 3)), rt.ones((2, 4))]),
        ValueError,
        r"^cat: Sizes of tensors must match except in dimension 0\. Expected size 3 but got size 4 "
        r"for tensor number 1 in the list$",
    ),
    (
        "cat",
        lambda: rt.cat([T2, T2, rt.ones((5, 2))], 1),
        ValueError,
        r"^cat: Sizes .* dimension 1\. Expected size 2 but got size 5 for tensor number 2 in the list$",
    ),
    ("cat", lambda: rt.cat([T2, T1]), ValueError, r"^cat: Tensors must have same number of dimensions: got 2 and 1"),
    ("cat", lambda: rt.cat([]), ValueError, r"^cat: needs at least one tensor"),
    ("cat", lambda: rt.cat(T2), TypeError, r"expected a list or tuple of tensors"),
    (
        "stack",
        lambda: rt.stack([T2, T2, rt.ones((2, 4))]),
        ValueError,
        r"^stack: expects each tensor to be equal size, but got \[2, 3\] at entry 0 and \[2, 4\] at entry 2$",
    ),
    ("stack", lambda: rt.stack(()), ValueError, r"^stack: needs at least one tensor"),
    # reshapes name the shape as the user wrote it
    ("reshape", lambda: T2.reshape(0, -1), ValueError, r"^reshape: shape \[0, -1\] is invalid for input of shape \[2, 3\] \(6 elements\)$"),
    ("reshape", lambda: T2.reshape(4, -1), ValueError, r"^reshape: shape \[4, -1\] is invalid"),
    ("reshape", lambda: T2.reshape((7,)), ValueError, r"^reshape: shape \[7\] is invalid"),
    ("reshape", lambda: rt.reshape(T2, (4, 4)), ValueError, r"^reshape: shape \[4, 4\] is invalid"),
    ("reshape", lambda: T2.reshape(-1, -1), ValueError, r"^reshape: only one dim can be inferred, got \[-1, -1\]"),
    ("reshape", lambda: T2.reshape(2**40, 2**40), ValueError, r"^reshape: shape \[1099511627776, 1099511627776\] is invalid"),
    ("reshape", lambda: T2.reshape(2.0, 3), TypeError, r"reshape takes ints or one tuple of ints"),
    ("view", lambda: T2.view(5, -1), ValueError, r"^view: shape \[5, -1\] is invalid for input of shape \[2, 3\]"),
    # indices out of bounds, as PyTorch words it
    ("index", lambda: rt.ones((2, 3))[5], IndexError, r"^index: index 5 is out of bounds for dim 0 with size 2$"),
    ("index", lambda: T2[-3], IndexError, r"^index: index -3 is out of bounds for dim 0 with size 2$"),
    ("index", lambda: T2[0, 3], IndexError, r"^index: index 3 is out of bounds for dim 1 with size 3$"),
    ("index", lambda: T2[:, 7], IndexError, r"^index: index 7 is out of bounds for dim 1 with size 3$"),
    ("index", lambda: T2[..., -4], IndexError, r"index -4 is out of bounds for dim 1 with size 3$"),
    ("index", lambda: T2[None, 1, 9], IndexError, r"index 9 is out of bounds for dim 1 with size 3$"),
    ("index", lambda: T2[0, 0, 0], IndexError, r"too many indices"),
    ("index", lambda: T2[1.5], TypeError, r"unsupported index type 'float'"),
    ("cross_entropy", lambda: rt.cross_entropy(T2, [0, 3]), IndexError, r"^cross_entropy: target\[1\] = 3 is out of range"),
    ("cross_entropy", lambda: rt.cross_entropy(T2, [0]), ValueError, r"^cross_entropy: 1 targets for 2 rows"),
    # sizes, seeds, thread counts: a ValueError naming the argument
    ("zeros", lambda: rt.zeros(2, -1), ValueError, r"^zeros: trying to create a tensor with negative dimension -1: \[2, -1\]$"),
    ("ones", lambda: rt.ones((-3,)), ValueError, r"^ones: trying to create a tensor with negative dimension -3"),
    ("empty", lambda: rt.empty(-1, 2), ValueError, r"^empty: trying to create a tensor with negative dimension -1"),
    ("rand", lambda: rt.rand(2, -2), ValueError, r"^rand: trying to create a tensor with negative dimension -2"),
    ("randn", lambda: rt.randn([-1]), ValueError, r"^randn: trying to create a tensor with negative dimension -1"),
    ("full", lambda: rt.full((2, -1), 1.0), ValueError, r"negative dimension -1"),
    ("zeros", lambda: rt.zeros(), TypeError, r"^zeros\(\) missing its size"),
    ("rand", lambda: rt.rand(), TypeError, r"^rand\(\) missing its size"),
    ("zeros", lambda: rt.zeros(2, 2.5), TypeError, r"zeros takes ints or one tuple of ints, got \(2, 2\.5\)"),
    ("ones", lambda: rt.ones("3"), TypeError, r"ones takes ints or one tuple of ints"),
    ("rand", lambda: rt.rand(3, seed=-1), ValueError, r"^rand: seed must be an int in \[0, 2\*\*64\), got -1$"),
    ("randn", lambda: rt.randn(3, seed=2**64), ValueError, r"^randn: seed must be an int in \[0, 2\*\*64\), got 18446744073709551616$"),
    ("rand", lambda: rt.rand(3, seed=1.5), TypeError, r"^rand: seed must be an int, got 'float'$"),
    ("rand", lambda: rt.rand(3, seed=1, generator=rt.Generator(1)), ValueError, r"^rand: give seed= or generator=, not both$"),
    ("randn", lambda: rt.randn(3, generator=5), TypeError, r"^randn: generator must be a rusttorch.Generator, got 'int'$"),
    ("rand", lambda: rt.rand(2, 3, 4, 5, seed=None, dtype=None, generator=None, shape=1), TypeError, r"shape"),
    ("manual_seed", lambda: rt.manual_seed(-1), ValueError, r"^manual_seed: seed must be an int in \[0, 2\*\*64\), got -1$"),
    ("manual_seed", lambda: rt.manual_seed("7"), TypeError, r"^manual_seed: seed must be an int, got 'str'$"),
    ("Generator", lambda: rt.Generator(-5), ValueError, r"^Generator: seed must be an int in \[0, 2\*\*64\), got -5$"),
    ("Generator", lambda: rt.Generator(device="cuda"), ValueError, r"^Generator: device must be 'cpu'"),
    ("Generator", lambda: rt.Generator(1).manual_seed(-2), ValueError, r"^manual_seed: seed must be an int"),
    ("set_num_threads", lambda: rt.set_num_threads(-1), ValueError, r"^set_num_threads: the number of threads must be a positive int, got -1$"),
    ("set_num_threads", lambda: rt.set_num_threads(0), ValueError, r"^set_num_threads: .* positive int, got 0$"),
    ("set_pool_limit", lambda: rt.set_pool_limit(-1), ValueError, r"^set_pool_limit: bytes must be a non-negative int, got -1$"),
    ("set_num_threads", lambda: rt.set_num_threads(2.0), TypeError, r"^set_num_threads: the number of threads must be an int, got 'float'$"),
    ("var", lambda: T2.var(correction=-1), ValueError, r"correction must be >= 0, got -1"),
    ("std", lambda: rt.std(T2, correction=-2), ValueError, r"correction must be >= 0, got -2"),
    ("arange", lambda: rt.arange(0, 10, 0), ValueError, r"^arange: needs .* non-zero step"),
    ("gelu", lambda: rt.gelu(T1, approximate="fast"), ValueError, r"^gelu: approximate must be 'none' or 'tanh', got \"fast\"$"),
    ("max", lambda: T2.max(dim=(0, 1)), TypeError, r"^max: dim must be an int, got \(0, 1\); amax takes several dims$"),
    ("min", lambda: rt.min(T2, 0.5), TypeError, r"^min: dim must be an int, got 0\.5"),
    ("max", lambda: rt.max(T2, T2, True), TypeError, r"^max: keepdim has no meaning with other"),
    ("max", lambda: T2.max(0, other=T2), TypeError, r"^max: give dim or other, not both$"),
    ("max", lambda: E0.max(0), ValueError, r"^max: cannot reduce an empty dimension"),
    ("min", lambda: rt.min(E0), ValueError, r"^min: cannot reduce an empty dimension"),
    ("argmax", lambda: E0.argmax(), ValueError, r"^argmax: cannot reduce an empty dimension"),
    # arguments of the wrong type, named by pyo3 after the parameter
    ("tensor", lambda: rt.tensor(["a"]), TypeError, r"cannot make a tensor from an array of dtype <U1"),
    ("tensor", lambda: rt.tensor([1.0], dtype="int33"), TypeError, r"unknown dtype \"int33\""),
    ("from_numpy", lambda: rt.from_numpy([1.0]), TypeError, r"from_numpy expects a numpy.ndarray, got <class 'list'>"),
    ("eval", lambda: rt.eval(T1, 3), TypeError, r"expected rusttorch.Tensor arguments, got <class 'int'>"),
    ("explain", lambda: rt.explain("x"), TypeError, r"expected rusttorch.Tensor arguments, got <class 'str'>"),
    ("leaky_relu", lambda: rt.leaky_relu(T1, "x"), TypeError, r"must be real number, not str"),
    ("to", lambda: T1.to("int33"), TypeError, r"unknown dtype \"int33\""),
    ("item", lambda: T1.item(), ValueError, r"item\(\) needs a tensor with one element, this one has 3 \(shape \(3,\)\)"),
]

# The unary ops of the op table take only a tensor and have no bad value of a valid tensor: a
# wrong argument type is what can go wrong, and the message names the call and the argument.
UNARY_BAD_TYPE = [n for n in rt._rusttorch._unary_op_names() if n not in {"copy", "leaky_relu", "gelu"}]


def _with_strings(f: Callable[[object], object]) -> Callable[[], object]:
    return lambda: f(["a"])


BAD_CALLS += [
    (
        name,
        _with_strings(getattr(rt, name)),
        TypeError,
        rf"^{name}\(\): argument 'input' \(a list\) cannot be a tensor: cannot make a tensor from an array of dtype <U1",
    )
    for name in UNARY_BAD_TYPE
]

# A mode that is not one of set_jit's (the message names the call and lists them).
BAD_CALLS += [
    (
        "set_jit",
        lambda: rt.set_jit("fast"),
        ValueError,
        r"^set_jit: mode must be 'off', 'background', 'sync' or None, got 'fast'$",
    ),
    ("set_jit", lambda: rt.set_jit(3), TypeError, r"^set_jit: mode must be a str or None, got int$"),
]

# These take no argument that can be wrong.
NO_BAD_CALL = {"get_num_threads", "get_pool_limit", "initial_seed", "get_jit"}
BAD_CALLS += SHAPE_BAD_CALLS
BAD_CALLS += INDEXING_BAD_CALLS
BAD_CALLS += SORTING_BAD_CALLS
BAD_CALLS += WRITES_BAD_CALLS
BAD_CALLS += SEARCH_BAD_CALLS
BAD_CALLS += ARRAY_API_BAD_CALLS
BAD_CALLS += DLPACK_BAD_CALLS
BAD_CALLS += LOSS_BAD_CALLS
NO_BAD_CALL |= SHAPE_NO_BAD_CALL
BAD_CALLS += AUTOGRAD_BAD_CALLS
NO_BAD_CALL |= AUTOGRAD_NO_BAD_CALL


@pytest.mark.parametrize(
    ("name", "call", "exc", "pattern"), BAD_CALLS, ids=[f"{c[0]}-{i}" for i, c in enumerate(BAD_CALLS)]
)
def test_bad_call_names_the_op_and_the_arguments(
    name: str, call: Callable[[], object], exc: type[Exception], pattern: str
) -> None:
    with pytest.raises(exc) as info:
        call()
    assert type(info.value) is exc, f"{name}: {type(info.value).__name__}: {info.value}"
    assert re.search(pattern, str(info.value)), f"{name}: {info.value!s}"


def test_every_public_function_has_a_bad_call() -> None:
    public = {
        n for n in rt.__all__ if callable(getattr(rt, n)) and not isinstance(getattr(rt, n), type)
    }
    public -= {"dtype", "Tensor"}
    covered = {c[0] for c in BAD_CALLS}
    assert public - covered - NO_BAD_CALL == set()
