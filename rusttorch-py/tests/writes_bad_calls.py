"""Bad calls of the writes and data-dependent ops of issue 14 (scatter, index_*, masks, unique,
bincount), for ``test_errors.py``'s registry (one per public function): each must raise the
exception shown, with a message naming the op and the argument."""

# One call and its expected message per line.
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Callable

import rusttorch as rt

M = rt.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
IDX = rt.tensor([[0, 1], [2, 0]])
SRC = rt.ones((2, 2))

# fmt: off
WRITES_BAD_CALLS: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    ("scatter", lambda: rt.scatter(M, 1, M, SRC), ValueError, r"^scatter: index must be an int32 or int64 tensor, got float32"),
    ("scatter", lambda: rt.scatter(M, 1, IDX, rt.ones((2, 2), dtype=rt.float64)), TypeError, r"^scatter: dtype mismatch, float32 vs float64"),
    ("scatter", lambda: rt.scatter(M, 1, [0, 1], SRC), ValueError, r"^scatter: index \[2\] and src \[2, 2\] must have as many dims as the input \[2, 3\]"),
    ("scatter", lambda: rt.scatter(M, 1, IDX, rt.ones((1, 2))), ValueError, r"^scatter: index \[2, 2\] is larger than src \[1, 2\] in dim 0"),
    ("scatter", lambda: rt.scatter(M, 3, IDX, SRC), IndexError, r"^scatter: dim 3 is out of range"),
    ("scatter", lambda: rt.scatter(M, 1, [[3, 0]], 1.0).numpy(), IndexError, r"^scatter: index 3 is out of bounds for dim 1 with size 3"),
    ("scatter", lambda: rt.scatter(M, 1, IDX, SRC, reduce="max"), ValueError, r"^scatter: reduce must be 'add' or 'multiply', got 'max'"),
    ("scatter_add", lambda: rt.scatter_add(M, 1, [[-1, 0]], rt.ones((1, 2))).numpy(), IndexError, r"^scatter: index -1 is out of bounds for dim 1 with size 3"),
    ("scatter_add", lambda: rt.scatter_add(M, 1, rt.zeros((3, 1), dtype=rt.int64), rt.ones((3, 1))), ValueError, r"^scatter_add: index \[3, 1\] is larger than the input \[2, 3\] in dim 0"),
    ("scatter_reduce", lambda: rt.scatter_reduce(M, 1, IDX, SRC, "median"), ValueError, r"^scatter_reduce: reduce must be one of 'sum', 'prod', 'mean', 'amax', 'amin', got 'median'"),
    ("index_add", lambda: rt.index_add(M, 0, [0, 1], rt.ones((2, 2))), ValueError, r"^index_add: source \[2, 2\] must match the input \[2, 3\] in every dim but 0"),
    ("index_add", lambda: rt.index_add(M, 0, [[0]], rt.ones((1, 3))), ValueError, r"^index_add: index must be 0-d or 1-d, got \[1, 1\]"),
    ("index_copy", lambda: rt.index_copy(M, 1, [0], rt.ones((2, 1), dtype=rt.float64)), TypeError, r"^index_copy: dtype mismatch, float32 vs float64"),
    ("index_fill", lambda: rt.index_fill(M, 1, [0], rt.ones(2)), ValueError, r"^index_fill: value must be a scalar or 0-d tensor, got shape \[2\]"),
    ("index_fill", lambda: rt.index_fill(M, 2, [0], 1.0), IndexError, r"^index_fill: dim 2 is out of range"),
    ("index_reduce", lambda: rt.index_reduce(M, 0, [0], rt.ones((1, 3)), "sum"), ValueError, r"^index_reduce: reduce must be one of 'prod', 'mean', 'amax', 'amin', got 'sum'"),
    ("masked_fill", lambda: rt.masked_fill(M, rt.ones((2, 3)), 0.0), ValueError, r"^masked_fill: mask must be a bool tensor, got float32"),
    ("masked_fill", lambda: rt.masked_fill(M, rt.ones((4,), dtype=rt.bool), 0.0), ValueError, r"^masked_fill: shapes \[2, 3\] and \[4\] do not broadcast"),
    ("index_put", lambda: rt.index_put(M, ([0, 1],), rt.ones(4)), ValueError, r"^index_put: shape mismatch: value tensor of shape \[4\] cannot be broadcast to indexing result of shape \[2, 3\]"),
    ("index_put", lambda: rt.index_put(M, ([5],), 1.0), IndexError, r"^index_put: index 5 is out of bounds for dim 0 with size 2"),
    ("put", lambda: rt.put(M, [0, 1], rt.ones(3)), ValueError, r"^put: index \[2\] and source \[3\] must have as many elements"),
    ("nonzero", lambda: rt.nonzero([[1, 0]], as_tuple=3), TypeError, r"'int' object is not an instance of 'bool'"),
    ("argwhere", lambda: rt.argwhere("x"), TypeError, r"cannot make a tensor from an array of dtype <U1"),
    ("masked_select", lambda: rt.masked_select(M, rt.ones((2, 3))), ValueError, r"^masked_select: mask must be a bool tensor, got float32"),
    ("masked_select", lambda: rt.masked_select(M, rt.ones((4,), dtype=rt.bool)), ValueError, r"^masked_select: shapes \[2, 3\] and \[4\] do not broadcast"),
    ("unique", lambda: rt.unique(M, dim=0), NotImplementedError, r"^unique: dim= is not implemented"),
    ("unique_consecutive", lambda: rt.unique_consecutive(M, dim=1), NotImplementedError, r"^unique_consecutive: dim= is not implemented"),
    ("bincount", lambda: rt.bincount([1, -2]), ValueError, r"^bincount: input must be non-negative, got -2"),
    ("bincount", lambda: rt.bincount([[1]]), ValueError, r"^bincount: input must be a 1-d tensor of non-negative ints, got int64 \[1, 1\]"),
    ("bincount", lambda: rt.bincount([1, 2], weights=[1.0]), ValueError, r"^bincount: weights \[1\] must have the shape of input \[2\]"),
]
# fmt: on
