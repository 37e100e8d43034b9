"""RustTorch: a lazy tensor engine with a fusing CPU backend."""

from ._rusttorch import __version__

__all__ = ["__version__"]
