"""``rusttorch.linalg``: PyTorch's ``torch.linalg`` names for the norms and products RustTorch
computes (``vector_norm``, ``matrix_norm``, ``norm``, ``vecdot``, ``matmul``, ``diagonal``).

The nuclear norm and the spectral norms (``ord=2``, ``-2``) need singular values, which
RustTorch does not compute: they raise ``NotImplementedError``.
"""

from ._rusttorch import _linalg_diagonal as diagonal
from ._rusttorch import _linalg_matrix_norm as matrix_norm
from ._rusttorch import _linalg_norm as norm
from ._rusttorch import _linalg_vecdot as vecdot
from ._rusttorch import _linalg_vector_norm as vector_norm
from ._rusttorch import matmul

__all__ = ["diagonal", "matmul", "matrix_norm", "norm", "vecdot", "vector_norm"]
