"""Bad calls of the sorting and selection functions of issue 14, for ``test_errors.py``'s
registry (one per public function): each must raise the exception shown, with a message naming
the op and the argument."""

# One call and its expected message per line.
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Callable

import rusttorch as rt

M = rt.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
E = rt.tensor([[], []])

# fmt: off
SORTING_BAD_CALLS: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    ("sort", lambda: rt.sort(M, 2), IndexError, r"^sort: dim 2 is out of range"),
    ("sort", lambda: M.sort(-3), IndexError, r"^sort: dim -3 is out of range"),
    ("argsort", lambda: rt.argsort(M, 5), IndexError, r"^argsort: dim 5 is out of range"),
    ("msort", lambda: rt.msort(["x"]), TypeError, r"^msort\(\): argument 'input' \(a list\) cannot be a tensor"),
    ("topk", lambda: rt.topk(M, 4), ValueError, r"^topk: selected index k out of range \(k = 4, dim size 3\)"),
    ("topk", lambda: M.topk(-1, 0), ValueError, r"^topk: selected index k out of range \(k = -1, dim size 2\)"),
    ("kthvalue", lambda: rt.kthvalue(M, 0), ValueError, r"^kthvalue: selected index k out of range \(k = 0, dim size 3\)"),
    ("kthvalue", lambda: M.kthvalue(1, 2), IndexError, r"^kthvalue: dim 2 is out of range"),
    ("median", lambda: rt.median(M, 2), IndexError, r"^median: dim 2 is out of range"),
    ("median", lambda: E.median(1), ValueError, r"^median: cannot reduce an empty dimension"),
    ("nanmedian", lambda: rt.nanmedian(M, -3), IndexError, r"^nanmedian: dim -3 is out of range"),
    ("mode", lambda: rt.mode(E), ValueError, r"^mode: cannot reduce an empty dimension"),
    ("mode", lambda: M.mode(3), IndexError, r"^mode: dim 3 is out of range"),
]
# fmt: on
