"""Bad calls of the search functions of issue 14 (searchsorted, bucketize, isin), for
``test_errors.py``'s registry (one per public function): each must raise the exception shown,
with a message naming the op and the argument."""

# One call and its expected message per line.
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Callable

import rusttorch as rt

S = rt.tensor([1.0, 2.0, 3.0])
M = rt.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
B = rt.tensor([True, False])

# fmt: off
SEARCH_BAD_CALLS: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    ("searchsorted", lambda: rt.searchsorted(M, rt.ones((3, 2))), ValueError, r"^searchsorted: boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but got boundaries tensor \[2, 3\] and input value tensor \[3, 2\]"),
    ("searchsorted", lambda: rt.searchsorted(rt.tensor(1.0), S), ValueError, r"^searchsorted: boundaries tensor should have positive dimension, but got 0 dimension"),
    ("searchsorted", lambda: rt.searchsorted(M, 2.0), ValueError, r"^searchsorted: input value can be a scalar only when boundaries tensor dimension is 1, but got boundaries tensor dim\(2\)"),
    ("searchsorted", lambda: rt.searchsorted(S, S, right=True, side="left"), ValueError, r"^searchsorted: side and right can't be set to opposites, got side of left while right was True"),
    ("searchsorted", lambda: rt.searchsorted(S, S, side="up"), ValueError, r"^searchsorted: side can only be 'left' or 'right' but got up"),
    ("searchsorted", lambda: rt.searchsorted(S, S, sorter=rt.tensor([0, 1, 2], dtype=rt.int32)), ValueError, r"^searchsorted: sorter must be a tensor of long dtype but got int32"),
    ("searchsorted", lambda: rt.searchsorted(B, B), TypeError, r"^searchsorted is not supported for dtype bool"),
    ("searchsorted", lambda: rt.searchsorted(S, ["x"]), TypeError, r"^searchsorted\(\): argument 'input' \(a list\) cannot be a tensor"),
    ("bucketize", lambda: rt.bucketize(S, M), ValueError, r"^bucketize: boundaries tensor must be 1 dimension, but got dim\(2\)"),
    ("bucketize", lambda: rt.bucketize(1.5, rt.tensor(1.0)), ValueError, r"^bucketize: boundaries tensor must be 1 dimension, but got dim\(0\)"),
    ("bucketize", lambda: rt.bucketize(B, S), TypeError, r"^bucketize is not supported for dtype bool"),
    ("isin", lambda: rt.isin(B, S), TypeError, r"^isin is not supported for dtype bool"),
    ("isin", lambda: rt.isin(1, 2), TypeError, r"^isin\(\): at least one of elements and test_elements must be a tensor"),
    ("isin", lambda: rt.isin(S, ["x"]), TypeError, r"^isin\(\): argument 'test_elements' \(a list\) cannot be a tensor"),
]
# fmt: on
