"""``torch.nn.functional``'s names for the ops RustTorch has: activations, losses,
normalisations, ``linear``, ``embedding``, ``dropout``, ``one_hot`` and ``pad``."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import TYPE_CHECKING, SupportsFloat, SupportsIndex

from .. import _rusttorch as _rt
from .._rusttorch import (
    _pad,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    celu,
    cross_entropy,
    elu,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    huber_loss,
    kl_div,
    l1_loss,
    layer_norm,
    leaky_relu,
    log_softmax,
    logsigmoid,
    mish,
    mse_loss,
    nll_loss,
    relu,
    relu6,
    rms_norm,
    selu,
    sigmoid,
    silu,
    smooth_l1_loss,
    softmax,
    softplus,
    softsign,
    tanh,
)

if TYPE_CHECKING:
    from .._rusttorch import Tensor, TensorLike

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "celu",
    "cross_entropy",
    "dropout",
    "elu",
    "embedding",
    "gelu",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "logsigmoid",
    "mish",
    "mse_loss",
    "nll_loss",
    "one_hot",
    "pad",
    "relu",
    "relu6",
    "rms_norm",
    "selu",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
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


def _tensor(x: TensorLike) -> Tensor:
    return x if isinstance(x, _rt.Tensor) else _rt.tensor(x)


def linear(input: TensorLike, weight: TensorLike, bias: TensorLike | None = None) -> Tensor:
    """``input @ weight.T + bias``: ``weight`` is ``[out_features, in_features]``, ``bias``
    ``[out_features]``; leading dims of ``input`` are batch dims."""
    x, w = _tensor(input), _tensor(weight)
    if w.ndim not in (1, 2):
        raise ValueError(f"linear: weight must be 1-D or 2-D, got shape {list(w.shape)}")
    y = _rt.matmul(x, w.T if w.ndim == 2 else w)
    return y if bias is None else y + bias


def embedding(
    input: TensorLike,
    weight: TensorLike,
    padding_idx: builtins.int | None = None,
    max_norm: builtins.float | None = None,
    norm_type: builtins.float = 2.0,
    scale_grad_by_freq: builtins.bool = False,
    sparse: builtins.bool = False,
) -> Tensor:
    """The rows of ``weight`` (``[num_embeddings, dim]``) at the integer indices ``input``:
    shape ``input.shape + [dim]``. ``padding_idx`` only matters for gradients (PyTorch's);
    ``max_norm``, ``scale_grad_by_freq`` and ``sparse`` are not supported."""
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError(
            "embedding: max_norm, scale_grad_by_freq and sparse are not supported"
        )
    idx, w = _tensor(input), _tensor(weight)
    if w.ndim != 2:
        raise ValueError(f"embedding: weight must be 2-D, got shape {list(w.shape)}")
    if idx.dtype not in (_rt.int64, _rt.int32):
        raise TypeError(f"embedding: input must hold int32 or int64 indices, got {idx.dtype}")
    if padding_idx is not None and not -w.shape[0] <= padding_idx < w.shape[0]:
        raise ValueError(f"embedding: padding_idx {padding_idx} must be within num_embeddings")
    rows = _rt.index_select(w, 0, idx.reshape(-1))
    return rows.reshape((*idx.shape, w.shape[1]))


def one_hot(tensor: TensorLike, num_classes: builtins.int = -1) -> Tensor:
    """int64 one-hot encoding of integer class indices: shape ``tensor.shape + [num_classes]``
    (``-1``: the largest index plus one, which evaluates ``tensor``)."""
    t = _tensor(tensor)
    if t.dtype != _rt.int64:
        raise TypeError(f"one_hot: tensor must be int64 class indices, got {t.dtype}")
    if num_classes == -1:
        num_classes = builtins.int(t.max().item()) + 1 if t.numel() else 0
    if t.numel() and (t.min().item() < 0 or t.max().item() >= num_classes):
        raise ValueError(f"one_hot: class values must be in [0, {num_classes})")
    return (t.unsqueeze(-1) == _rt.arange(num_classes)).to(_rt.int64)


def dropout(
    input: TensorLike,
    p: builtins.float = 0.5,
    training: builtins.bool = True,
    inplace: builtins.bool = False,
) -> Tensor:
    """Zeroes each element with probability ``p`` and scales the rest by ``1 / (1 - p)``
    when ``training``; the identity otherwise. The mask is drawn from the default generator,
    so ``rusttorch.manual_seed`` makes it reproducible."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: probability has to be between 0 and 1, but got {p}")
    x = _tensor(input)
    if not x.dtype.is_floating_point:
        raise TypeError(f"dropout: input must be a float tensor, got {x.dtype}")
    if not training or p == 0.0:
        out = x
    elif p == 1.0:
        out = x * 0.0
    else:
        keep = (_rt.rand(x.shape, dtype=x.dtype) >= p).to(x.dtype)
        out = x * (keep * (1.0 / (1.0 - p)))
    if inplace and isinstance(input, _rt.Tensor) and out is not input:
        input.copy_(out)
        return input
    return out
