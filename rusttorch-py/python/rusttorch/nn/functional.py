"""``torch.nn.functional``'s names for the ops RustTorch has: activations, losses,
normalisations and ``pad``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, SupportsFloat, SupportsIndex

from .._rusttorch import (
    _pad,
    cross_entropy,
    gelu,
    hardsigmoid,
    hardswish,
    layer_norm,
    leaky_relu,
    log_softmax,
    logsigmoid,
    mish,
    mse_loss,
    relu,
    relu6,
    rms_norm,
    sigmoid,
    silu,
    softmax,
    softplus,
    softsign,
    tanh,
)

if TYPE_CHECKING:
    from .._rusttorch import Tensor, TensorLike

__all__ = [
    "cross_entropy",
    "gelu",
    "hardsigmoid",
    "hardswish",
    "layer_norm",
    "leaky_relu",
    "log_softmax",
    "logsigmoid",
    "mish",
    "mse_loss",
    "pad",
    "relu",
    "relu6",
    "rms_norm",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "softsign",
    "tanh",
]


def pad(
    input: TensorLike,
    pad: Sequence[SupportsIndex],
    mode: str = "constant",
    value: SupportsFloat | None = None,
) -> Tensor:
    """Pads the last ``len(pad) // 2`` dims of ``input``; ``pad = (left, right, top, bottom,
    ...)`` names the last dim first, as PyTorch's. ``mode``: ``'constant'`` (fill ``value``,
    0 by default; negative amounts crop), ``'reflect'`` (mirrored without repeating the edge,
    amounts below the dim's size), ``'replicate'`` (the edge repeated) or ``'circular'``
    (wrapped around). Leading dims not padded are batch dims whatever the mode."""
    return _pad(input, pad, mode, value)
