"""Bad calls of issue 16's public functions (autograd, the torch arithmetic aliases), for
``test_errors.py``'s registry (one per public function): each must raise the exception shown,
with a message naming the op and the argument."""

# One call and its expected message per line.
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Callable

import rusttorch as rt

# fmt: off
AUTOGRAD_BAD_CALLS: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    ("sub", lambda: rt.sub(rt.ones(2), rt.ones(3)), ValueError, r"^sub: shapes \[2\] and \[3\] do not broadcast"),
    ("mul", lambda: rt.mul(rt.ones(2), rt.ones(3)), ValueError, r"^mul: shapes \[2\] and \[3\] do not broadcast"),
    ("div", lambda: rt.div(rt.ones(2), rt.ones(2), rounding_mode="round"), ValueError, r"^div: rounding_mode must be None, 'trunc' or 'floor', got 'round'"),
    ("div", lambda: rt.div(rt.ones(2), rt.ones(3)), ValueError, r"^div: shapes \[2\] and \[3\] do not broadcast"),
    ("tensor", lambda: rt.tensor([1, 2], requires_grad=True), RuntimeError, r"^requires_grad_: only tensors of floating point dtype can require gradients, got int64"),
    ("zeros", lambda: rt.zeros(2, dtype=rt.int32, requires_grad=True), RuntimeError, r"^requires_grad_: only tensors of floating point dtype can require gradients, got int32"),
]
# fmt: on
AUTOGRAD_NO_BAD_CALL = {"is_grad_enabled"}  # takes no argument
