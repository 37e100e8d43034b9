"""NumPy's protocols on Tensor, the entry points Rust's ``Tensor.__array_ufunc__`` and
``__array_function__`` call: ufuncs (``_numpy_ufuncs``) and functions (``_numpy_functions``),
one table each (docs/numpy-interop.md)."""

from ._numpy_functions import FUNCTIONS, array_function
from ._numpy_ufuncs import UFUNCS, array_ufunc

__all__ = ["FUNCTIONS", "UFUNCS", "array_function", "array_ufunc"]
