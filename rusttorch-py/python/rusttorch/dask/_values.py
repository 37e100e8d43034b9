"""The values a lowering works with: regions (computed chunk by chunk), their Dask inputs,
in-memory values, the lines of ``explain()``, and small helpers the lowering's files share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

import rusttorch as rt

from .._numpy_convert import NUMPY


@dataclass
class Input:
    """A Dask array a region reads, the node it stands for, and the labels of its dims."""

    array: Any
    tensor: Any
    labels: tuple[int, ...]


@dataclass
class Region:
    """A value computed chunk by chunk: ``tensor`` (a node of the user's graph, or a partial
    reduction built on one) over ``inputs`` (nodes whose values are Dask arrays)."""

    tensor: Any
    labels: tuple[int, ...]
    inputs: dict[Any, Input]
    ops: int = 0
    matmul: bool = False
    ops_names: dict[int, str] = field(default_factory=dict)
    # Labels whose chunks hold a fixed number of values each in the output (partial
    # reductions: one, or three for var's count, mean and M2).
    per_chunk: dict[int, int] = field(default_factory=dict)


@dataclass
class Local:
    """A value that reads no Dask source: a lazy RustTorch tensor computed in memory."""

    tensor: Any
    key: Any


@dataclass
class Step:
    """One line of ``explain()``: what became which Dask layer."""

    kind: str
    name: str
    tasks: int
    detail: str


class ChunkError(ValueError):
    """An op that cannot run chunk by chunk on the chunking it was given."""


def np_dtype(t: Any) -> np.dtype:
    """A tensor's NumPy dtype."""
    return np.dtype(NUMPY[t.dtype])


def token(*parts: Any) -> str:
    """A deterministic Dask name part for ``parts``."""
    from dask.base import tokenize

    return tokenize(*parts)


def blocks(arr: Any) -> int:
    """How many chunks (tasks) a Dask array has."""
    return int(np.prod(arr.numblocks)) if arr.ndim else 1


def partial_input(t: Any) -> Any:
    """What a chunk's float partial reduction reads: float32 and float64 as they are (their
    sums accumulate in float64 blocks inside the kernel, and the float32 kernels are the fast
    ones), 16-bit floats as float32 (a partial rounded to 16 bits would lose the sum)."""
    return t if t.dtype in (rt.float32, rt.float64) else t.to(rt.float32)
