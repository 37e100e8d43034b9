"""Dask arrays standing behind RustTorch placeholders: ``from_dask`` makes a placeholder whose
note names the array, and the lowering finds the array again by that note. An array is kept
while a placeholder standing for it lives (a graph built on it included), and forgotten after."""

from __future__ import annotations

import threading
from typing import Any

from .._rusttorch import _weak

_PREFIX = "dask array "
# By the array's Dask name (derived from its content): the array and weak handles on the
# placeholders standing for it.
_SOURCES: dict[str, tuple[Any, list[Any]]] = {}
_LOCK = threading.Lock()


def register(arr: Any, placeholder: Any) -> None:
    """Keeps ``arr`` for as long as ``placeholder`` lives (and forgets arrays whose placeholders
    are all gone)."""
    with _LOCK:
        for name in [n for n, (_, ws) in _SOURCES.items() if not any(w.alive() for w in ws)]:
            del _SOURCES[name]
        _SOURCES.setdefault(arr.name, (arr, []))[1].append(_weak(placeholder))


def note_for(arr: Any) -> str:
    """The note of the placeholder standing for ``arr``."""
    return _PREFIX + arr.name


def source_of(note: str | None) -> Any:
    """The Dask array a placeholder's note names (``None`` if it names none)."""
    if note is None or not note.startswith(_PREFIX):
        return None
    with _LOCK:
        hit = _SOURCES.get(note[len(_PREFIX) :])
    return None if hit is None else hit[0]


def held() -> int:
    """How many Dask arrays are kept for live placeholders (tests)."""
    with _LOCK:
        return sum(any(w.alive() for w in ws) for _, ws in _SOURCES.values())
