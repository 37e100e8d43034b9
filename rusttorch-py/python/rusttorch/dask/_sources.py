"""Dask arrays standing behind RustTorch placeholders: ``from_dask`` makes a placeholder whose
note names the array, and the lowering finds the array again by that note."""

from __future__ import annotations

import threading
from typing import Any

_PREFIX = "dask array "
# Dask arrays are descriptions of computations (their graphs, not their data), so keeping the
# ones given to from_dask costs little; by name, which Dask derives from the array's content.
_SOURCES: dict[str, Any] = {}
_LOCK = threading.Lock()


def note_for(arr: Any) -> str:
    """The note of the placeholder standing for ``arr`` (registered as a source)."""
    with _LOCK:
        _SOURCES[arr.name] = arr
    return _PREFIX + arr.name


def source_of(note: str | None) -> Any:
    """The Dask array a placeholder's note names (``None`` if it names none)."""
    if note is None or not note.startswith(_PREFIX):
        return None
    with _LOCK:
        return _SOURCES.get(note[len(_PREFIX) :])
