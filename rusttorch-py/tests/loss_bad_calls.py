"""Bad calls of the losses of ``rusttorch.nn.functional`` (cross_entropy, nll_loss, mse_loss...),
for ``test_errors.py``'s registry: each must raise the exception shown, with a message naming the
op and the argument."""

# One call and its expected message per line.
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Callable

import rusttorch as rt
import rusttorch.nn.functional as F

# fmt: off
LOSS_BAD_CALLS: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    ("cross_entropy", lambda: F.cross_entropy(rt.zeros((2, 3)), [0, 1], reduction="avg"), ValueError, r"^cross_entropy: \"avg\" is not a valid value for reduction"),
    ("cross_entropy", lambda: F.cross_entropy(rt.zeros((2, 3)), [0, 1], label_smoothing=1.5), ValueError, r"^cross_entropy: label_smoothing must be between 0.0 and 1.0, got 1.5"),
    ("cross_entropy", lambda: F.cross_entropy(rt.zeros((2, 3)), [0, 1], rt.ones(2)), ValueError, r"^cross_entropy: weight must have shape \[3\] \(one per class\), got \[2\]"),
    ("cross_entropy", lambda: F.cross_entropy(rt.zeros((2, 3)), [0, 1], rt.ones(3, dtype=rt.float64)), TypeError, r"^cross_entropy: dtype mismatch, float32 vs float64"),
    ("cross_entropy", lambda: F.cross_entropy(rt.zeros((2, 3), dtype=rt.int64), [0, 1]), TypeError, r"^cross_entropy is not supported for dtype int64"),
    ("cross_entropy", lambda: F.cross_entropy(rt.zeros((2, 3)), rt.zeros(2)), TypeError, r"^cross_entropy: target must hold integer class indices .* got float32 of shape \[2\]"),
    ("cross_entropy", lambda: F.cross_entropy(rt.zeros((2, 3, 4)), rt.zeros((2, 3), dtype=rt.int64)), ValueError, r"^cross_entropy: target shape \[2, 3\] does not match input shape \[2, 3, 4\] without its class dim, \[2, 4\]"),
    ("cross_entropy", lambda: F.cross_entropy(rt.tensor(1.0), [0]), ValueError, r"^cross_entropy: input must have a class dim, got a 0-d tensor"),
    ("cross_entropy", lambda: F.cross_entropy(rt.zeros((2, 3)), ["a", "b"]), TypeError, r"^cross_entropy\(\): argument 'target'"),
    ("cross_entropy", lambda: rt.cross_entropy(rt.zeros((2, 3)), [0, 1], reduction="avg"), ValueError, r"^cross_entropy: \"avg\" is not a valid value for reduction"),
    ("nll_loss", lambda: F.nll_loss(rt.zeros((2, 3)), [0, 3]), IndexError, r"^nll_loss: target\[1\] = 3 is out of range for logits of shape \[2, 3\]"),
    ("nll_loss", lambda: F.nll_loss(rt.zeros((2, 3)), [0, 1], reduction="batchmean"), ValueError, r"^nll_loss: \"batchmean\" is not a valid value for reduction"),
    ("mse_loss", lambda: F.mse_loss(rt.zeros(3), rt.zeros(4)), ValueError, r"^mse_loss: shapes \[3\] and \[4\] do not broadcast"),
    ("mse_loss", lambda: rt.mse_loss(rt.zeros(3), rt.zeros(3), reduction="mena"), ValueError, r"^mse_loss: \"mena\" is not a valid value"),
    ("l1_loss", lambda: F.l1_loss(rt.zeros(3, dtype=rt.int64), rt.zeros(3)), TypeError, r"^l1_loss is not supported for dtype int64"),
    ("smooth_l1_loss", lambda: F.smooth_l1_loss(rt.zeros(3), rt.zeros(3), beta=-1.0), ValueError, r"^smooth_l1_loss: beta must be non-negative, got -1"),
    ("huber_loss", lambda: F.huber_loss(rt.zeros(3), rt.zeros(3), delta=0.0), ValueError, r"^huber_loss: delta must be positive, got 0"),
    ("binary_cross_entropy", lambda: F.binary_cross_entropy(rt.zeros(3), rt.zeros((2, 3))), ValueError, r"^binary_cross_entropy: target shape \[2, 3\] must be the same as input shape \[3\]"),
    ("binary_cross_entropy_with_logits", lambda: F.binary_cross_entropy_with_logits(rt.zeros(3), rt.zeros(3, dtype=rt.int64)), TypeError, r"^binary_cross_entropy_with_logits is not supported for dtype int64"),
    ("kl_div", lambda: F.kl_div(rt.zeros(3), rt.zeros(3), reduction="avg"), ValueError, r"^kl_div: \"avg\" is not a valid value for reduction \('none', 'batchmean'"),
    ("dropout", lambda: F.dropout(rt.zeros(3), 1.5), ValueError, r"^dropout: probability has to be between 0 and 1, but got 1.5"),
    ("linear", lambda: F.linear(rt.zeros((2, 3)), rt.zeros((2, 2, 3))), ValueError, r"^linear: weight must be 1-D or 2-D, got shape \[2, 2, 3\]"),
    ("one_hot", lambda: F.one_hot(rt.tensor([0.0])), TypeError, r"^one_hot: tensor must be int64 class indices, got float32"),
    ("embedding", lambda: F.embedding(rt.tensor([0]), rt.zeros(3)), ValueError, r"^embedding: weight must be 2-D, got shape \[3\]"),
]
# fmt: on
