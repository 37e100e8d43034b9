"""Bad calls of the DLPack function of issue 15 (``from_dlpack``), for ``test_errors.py``'s registry
(one per public function): each must raise the exception shown, with a message naming the op and
the argument."""

# One call and its expected message per line.
# ruff: noqa: E501

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import rusttorch as rt

# fmt: off
DLPACK_BAD_CALLS: list[tuple[str, Callable[[], object], type[Exception], str]] = [
    ("from_dlpack", lambda: rt.from_dlpack([1.0, 2.0]), TypeError, r"^from_dlpack: expected an array supporting DLPack \(with __dlpack__: a Tensor, a NumPy array, a torch tensor\.\.\.\) or a DLPack capsule, got list"),
    ("from_dlpack", lambda: rt.from_dlpack(np.array([1j])), TypeError, r"^from_dlpack: unsupported dtype complex128 \(RustTorch has float32, float64, int32, int64, bool"),
    ("from_dlpack", lambda: rt.from_dlpack(np.ones(2), device="cuda:0"), ValueError, r"^from_dlpack: device must be 'cpu' or None \(RustTorch tensors live on the CPU\), got \"cuda:0\""),
    ("from_dlpack", lambda: rt.from_dlpack(np.ones((2, 2)).T, copy=False), BufferError, r"^from_dlpack: copy=False, but the array is not C-contiguous and aligned"),
]
# fmt: on
