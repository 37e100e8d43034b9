"""Bad calls of the indexing functions of issue 14 (gather and the reads built on it), for
``test_errors.py``'s registry (one per public function): each must raise the exception shown,
with a message naming the op and the argument."""

# One call and its expected message per line.
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Callable

import rusttorch as rt

M = rt.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
IDX = rt.tensor([[0, 1], [2, 0]])

# fmt: off
INDEXING_BAD_CALLS: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    ("gather", lambda: rt.gather(M, 1, M), ValueError, r"^gather: index must be an int32 or int64 tensor, got float32"),
    ("gather", lambda: rt.gather(M, 1, [0, 1]), ValueError, r"^gather: index \[2\] must have as many dims as the input \[2, 3\]"),
    ("gather", lambda: rt.gather(M, 2, IDX), IndexError, r"^gather: dim 2 is out of range"),
    ("gather", lambda: rt.gather(M, 1, [[3, 0]]).numpy(), IndexError, r"^gather: index 3 is out of bounds for dim 1 with size 3"),
    ("gather", lambda: rt.gather(M, 1, [[-1, 0]]).numpy(), IndexError, r"^gather: index -1 is out of bounds for dim 1 with size 3"),
    ("index_select", lambda: rt.index_select(M, 0, IDX), ValueError, r"^index_select: index must be 0-d or 1-d, got \[2, 2\]"),
    ("index_select", lambda: rt.index_select(M, 0, [0.5]), ValueError, r"^index_select: index must be an int32 or int64 tensor, got float32"),
    ("take", lambda: rt.take(M, [1.0]), ValueError, r"^take: index must be an int32 or int64 tensor, got float32"),
    ("take_along_dim", lambda: rt.take_along_dim(M, [0, 1], 1), ValueError, r"^take_along_dim: input \[2, 3\] and indices \[2\] must have the same number of dims"),
    ("take_along_dim", lambda: rt.take_along_dim(M, M, 1), ValueError, r"^take_along_dim: indices must be an int32 or int64 tensor"),
]
# fmt: on
