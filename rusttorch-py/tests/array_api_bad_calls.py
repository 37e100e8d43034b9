"""Bad calls of the array API standard's functions (rusttorch/_array_api*.py), for
``test_errors.py``'s registry (one per public function): each must raise the exception shown,
with a message naming the op the caller used (``concat``, not the ``cat`` it runs)."""

# One call and its expected message per line.
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Callable

import rusttorch as rt

S = rt.tensor([1.0, 2.0, 3.0])
M = rt.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
I = rt.tensor([1, 2])  # noqa: E741
B = rt.tensor([True, False])

# fmt: off
ARRAY_API_BAD_CALLS: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    ("__array_namespace_info__", lambda: rt.__array_namespace_info__().dtypes(kind="text"), ValueError, r"^dtypes\(\): unknown kind 'text'"),
    ("asarray", lambda: rt.asarray([1.0], copy=False), ValueError, r"^asarray\(copy=False\): a Python scalar or sequence cannot be used without a copy"),
    ("asarray", lambda: rt.asarray(1 + 2j), TypeError, r"^asarray\(\): complex dtypes are not supported"),
    ("asarray", lambda: rt.asarray(S, device="cuda"), ValueError, r"^asarray\(\): unsupported device 'cuda'"),
    ("astype", lambda: rt.astype(S, "complex64"), TypeError, r"unknown dtype \"complex64\""),
    ("bitwise_invert", lambda: rt.bitwise_invert(S), TypeError, r"^bitwise_invert is not supported for dtype float32"),
    ("bitwise_left_shift", lambda: rt.bitwise_left_shift(S, 1), TypeError, r"^bitwise_left_shift\(\): needs integer operands, got float32"),
    ("bitwise_right_shift", lambda: rt.bitwise_right_shift(I, 1.5), TypeError, r"^bitwise_right_shift\(\): needs integer operands, got float32"),
    ("broadcast_arrays", lambda: rt.broadcast_arrays(S, M.T), ValueError, r"^broadcast_arrays: shapes \[3\] and \[3, 2\] do not broadcast"),
    ("can_cast", lambda: rt.can_cast(S, "float32"), TypeError, r"^can_cast\(\): 'to' must be a rusttorch dtype, got str"),
    ("concat", lambda: rt.concat([M, S], axis=0), ValueError, r"^concat: Tensors must have same number of dimensions"),
    ("conj", lambda: rt.conj([1.0]), TypeError, r"^conj\(\): expected a Tensor, got list"),
    ("cumulative_prod", lambda: rt.cumulative_prod(M), ValueError, r"^cumulative_prod\(\): 'axis' is required for arrays of more than one dimension"),
    ("cumulative_sum", lambda: rt.cumulative_sum(rt.tensor(1.0)), ValueError, r"^cumulative_sum\(\): needs an array of at least one dimension"),
    ("diff", lambda: rt.diff(M, axis=2), IndexError, r"^diff\(\): axis 2 is out of range for 2 dimensions"),
    ("divide", lambda: rt.divide(S, M.T), ValueError, r"^divide: shapes \[3\] and \[3, 2\] do not broadcast"),
    ("expand_dims", lambda: rt.expand_dims(S, axis=3), IndexError, r"^expand_dims\(\): axis 3 is out of range for 2 dimensions"),
    ("finfo", lambda: rt.finfo(rt.int32), TypeError, r"^finfo\(\): int32 is not a floating-point dtype"),
    ("greater", lambda: rt.greater(S, M.T), ValueError, r"^greater: shapes \[3\] and \[3, 2\] do not broadcast"),
    ("greater_equal", lambda: rt.greater_equal(S, M.T), ValueError, r"^greater_equal: shapes \[3\] and \[3, 2\] do not broadcast"),
    ("iinfo", lambda: rt.iinfo(rt.float64), TypeError, r"^iinfo\(\): float64 is not an integer dtype"),
    ("imag", lambda: rt.imag([1.0]), TypeError, r"^imag\(\): expected a Tensor, got list"),
    ("isdtype", lambda: rt.isdtype(rt.float32, "floating"), ValueError, r"^isdtype\(\): unknown kind 'floating'"),
    ("less", lambda: rt.less(S, M.T), ValueError, r"^less: shapes \[3\] and \[3, 2\] do not broadcast"),
    ("less_equal", lambda: rt.less_equal(S, M.T), ValueError, r"^less_equal: shapes \[3\] and \[3, 2\] do not broadcast"),
    ("matrix_transpose", lambda: rt.matrix_transpose(S), ValueError, r"^matrix_transpose\(\): needs at least 2 dimensions, got 1"),
    ("multiply", lambda: rt.multiply(S, M.T), ValueError, r"^multiply: shapes \[3\] and \[3, 2\] do not broadcast"),
    ("negative", lambda: rt.negative(B), TypeError, r"^negative is not supported for dtype bool"),
    ("not_equal", lambda: rt.not_equal(S, M.T), ValueError, r"^not_equal: shapes \[3\] and \[3, 2\] do not broadcast"),
    ("permute_dims", lambda: rt.permute_dims(M, (0, 0)), ValueError, r"^permute_dims: dims \[0, 0\] repeat a dim"),
    ("positive", lambda: rt.positive([1]), TypeError, r"^positive\(\): expected a Tensor, got list"),
    ("real", lambda: rt.real([1]), TypeError, r"^real\(\): expected a Tensor, got list"),
    ("repeat", lambda: rt.repeat(M, rt.tensor([1, 2, 3]), axis=0), ValueError, r"^repeat: repeats must have 2 counts \(the size of dim 0\), got 3"),
    ("result_type", lambda: rt.result_type(1, 2.0), TypeError, r"^result_type\(\): at least one array or dtype is required"),
    ("subtract", lambda: rt.subtract(B, B), TypeError, r"^subtract is not supported for dtype bool"),
    ("take_along_axis", lambda: rt.take_along_axis(M, rt.tensor([0, 1]), axis=1), ValueError, r"^take_along_axis: "),
    ("unique_all", lambda: rt.unique_all([1, 2]), TypeError, r"^unique_all\(\): expected a Tensor, got list"),
    ("unique_counts", lambda: rt.unique_counts([1, 2]), TypeError, r"^unique_counts\(\): expected a Tensor, got list"),
    ("unique_inverse", lambda: rt.unique_inverse([1, 2]), TypeError, r"^unique_inverse\(\): expected a Tensor, got list"),
    ("unique_values", lambda: rt.unique_values([1, 2]), TypeError, r"^unique_values\(\): expected a Tensor, got list"),
    ("unstack", lambda: rt.unstack(S, axis=1), IndexError, r"^unstack: dim 1 is out of range for a tensor with 1 dims"),
    ("vecdot", lambda: rt.vecdot(S, rt.ones(4)), ValueError, r"^vecdot\(\): the contracted axis -1 has sizes 3 and 4"),
    ("sum", lambda: rt.sum(M, 0, axis=0), TypeError, r"^sum\(\): got both 'dim' and 'axis'; pass one"),
    ("zeros", lambda: rt.zeros((2,), device="gpu"), ValueError, r"^zeros\(\): unsupported device 'gpu'; rusttorch runs on 'cpu' only"),
]
# fmt: on
