"""Type stubs for the native extension module ``rusttorch._rusttorch``."""

__version__: str
