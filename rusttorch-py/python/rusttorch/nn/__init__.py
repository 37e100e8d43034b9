"""Neural-network helpers, as ``torch.nn``: only ``functional`` so far."""

from . import functional

__all__ = ["functional"]
