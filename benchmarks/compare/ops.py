"""The ops suite: per-op rows (sort, scans, gathers, scatters, einsum), their inputs and float64
references. Each row is a :class:`Workload`, so timing, checks and the report are the W-suite's;
the engines' implementations are in ``op_impls``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .workloads import Workload

EMB_SCALE = 0.5  # the embedding row's ``emb[idx] * scale + bias``


@dataclass(frozen=True)
class Input:
    """One input of a row: float32 uniform in [-2, 2), or int64 indices (``idx``: uniform in
    ``[0, high)``; ``perm``: a permutation of each row's last dim)."""

    shape: tuple[int, ...]
    kind: str = "f32"
    high: int = 0

    @property
    def itemsize(self) -> int:
        return 4 if self.kind == "f32" else 8

    def make(self, rng: np.random.Generator) -> np.ndarray:
        if self.kind == "f32":
            return rng.uniform(-2.0, 2.0, size=self.shape).astype(np.float32)
        if self.kind == "idx":
            return rng.integers(0, self.high, size=self.shape, dtype=np.int64)
        if self.kind == "perm":
            return np.argsort(rng.random(self.shape), axis=-1).astype(np.int64)
        raise ValueError(f"unknown input kind {self.kind!r}")


@dataclass
class OpRow(Workload):
    """A per-op row: ``op`` names the family the engines implement (``op_impls``), ``params``
    its arguments (``dim``, ``k``, ``eq``). Inputs may be int64 index arrays, so the compulsory
    bytes and the float64 reference are computed per input dtype."""

    op: str = ""
    ins: list[Input] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    out_itemsize: int = 4
    # RustTorch functions the row needs (``rt.name`` or ``Tensor.name``): without them the
    # RustTorch cells say "missing" instead of failing.
    needs: tuple[str, ...] = ()
    alongside: bool = False  # the '% best copy' column is enough for these rows

    @property
    def bytes(self) -> int:
        n_in = sum(math.prod(i.shape) * i.itemsize for i in self.ins)
        return n_in + math.prod(self.out_shape) * self.out_itemsize

    def inputs(self, seed: int = 0) -> list[np.ndarray]:
        rng = np.random.default_rng(seed)
        return [i.make(rng) for i in self.ins]

    def reference(self, arrays: list[np.ndarray]) -> np.ndarray:
        return self.ref([a.astype(np.float64) if a.dtype.kind == "f" else a for a in arrays])

    def record(self) -> dict[str, Any]:
        return {
            **super().record(),
            "op": self.op,
            "params": self.params,
            "dtypes": ["float32" if i.kind == "f32" else "int64" for i in self.ins],
        }


def row(
    key: str,
    name: str,
    op: str,
    ins: list[Input],
    out_shape: tuple[int, ...],
    desc: str,
    **kw: Any,
) -> OpRow:
    """An :class:`OpRow` whose reference is ``REFS[op]`` and whose shapes are its inputs'."""
    params = kw.pop("params", {})

    def ref(t: list[np.ndarray]) -> np.ndarray:
        return REFS[op](t, **params)

    return OpRow(
        key, name, [i.shape for i in ins], out_shape, ref, desc, op=op, ins=ins, params=params, **kw
    )


def _topk_np(x: np.ndarray, k: int, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """NumPy's top-k idiom: ``argpartition``, then sort the k (largest first)."""
    p = np.argpartition(x, -k, axis=dim)
    p = np.take(p, np.arange(x.shape[dim] - k, x.shape[dim]), axis=dim)
    v = np.take_along_axis(x, p, axis=dim)
    o = np.flip(np.argsort(v, axis=dim, kind="stable"), axis=dim)
    return np.take_along_axis(v, o, axis=dim), np.take_along_axis(p, o, axis=dim)


def _scatter_add_np(x: np.ndarray, dim: int, idx: np.ndarray, src: np.ndarray) -> np.ndarray:
    """``torch.scatter_add`` of 2-d arrays along ``dim`` with ``np.add.at``."""
    out = x.copy()
    lines = np.arange(x.shape[1 - dim]).reshape((1, -1) if dim == 0 else (-1, 1))
    np.add.at(out, (idx, lines) if dim == 0 else (lines, idx), src)
    return out


def _index_add_np(x: np.ndarray, idx: np.ndarray, src: np.ndarray) -> np.ndarray:
    """``Tensor.index_add(0, idx, src)`` with ``np.add.at``."""
    out = x.copy()
    np.add.at(out, idx, src)
    return out


# The float64 references (also NumPy's implementations, on float32 inputs), by op family.
REFS: dict[str, Any] = {
    "sort": lambda t, dim: np.sort(t[0], axis=dim),
    "argsort": lambda t, dim: np.argsort(t[0], axis=dim, kind="stable"),
    "topk": lambda t, k, dim: _topk_np(t[0], k, dim)[0],
    "cumsum": lambda t, dim: np.cumsum(t[0], axis=dim),
    "index_select": lambda t: np.take(t[0], t[1], axis=0),
    "embedding_affine": lambda t: np.take(t[0], t[1], axis=0) * EMB_SCALE + t[2],
    "gather": lambda t, dim: np.take_along_axis(t[0], t[1], axis=dim),
    "take_along_dim": lambda t, dim: np.take_along_axis(t[0], t[1], axis=dim),
    "einsum": lambda t, eq: np.einsum(eq, t[0], t[1]),
    "scatter_add": lambda t, dim: _scatter_add_np(t[0], dim, t[1], t[2]),
    "index_add": lambda t: _index_add_np(t[0], t[1], t[2]),
}


def op_suite(quick: bool) -> list[OpRow]:
    """The per-op rows; ``quick`` shrinks every size ~16x (smoke tests, not figures)."""
    q = 16 if quick else 1
    n_sort = (1 << 22) // q  # 4M
    rows, cols = 4096 // (4 if quick else 1), 1024 // (4 if quick else 1)
    n_scan = (1 << 24) // q  # 16M
    side = 4096 // (4 if quick else 1)
    vocab, dim_e, n_idx = 50000 // q, 256, 65536 // q
    bat, mm = 128 // q, 128
    k = 16
    f = Input
    x_rows = f((rows, cols))
    i_rows = f((rows, cols), "idx", cols)
    emb, idx = f((vocab, dim_e)), f((n_idx,), "idx", vocab)
    # f32 scans over N terms: the rounding of a float32 accumulator grows with N (atol ~1e-6 N).
    return [
        row(
            "O1", "sort_1d", "sort", [f((n_sort,))], (n_sort,), "sort(x).values", params={"dim": -1}
        ),
        row(
            "O2",
            "sort_rows",
            "sort",
            [x_rows],
            (rows, cols),
            "sort(x, dim=-1).values",
            params={"dim": -1},
        ),
        row(
            "O3",
            "argsort_rows",
            "argsort",
            [x_rows],
            (rows, cols),
            "argsort(x, dim=-1, stable=True) (indices must match exactly)",
            params={"dim": -1},
            atol=0.5,
            rtol=0.0,
            out_itemsize=8,
        ),
        row(
            "O4",
            "topk_rows",
            "topk",
            [x_rows],
            (rows, k),
            f"topk(x, {k}, dim=-1): values and indices (values checked)",
            params={"k": k, "dim": -1},
        ),
        row(
            "O5",
            "cumsum_1d",
            "cumsum",
            [f((n_scan,))],
            (n_scan,),
            "cumsum(x, 0)",
            params={"dim": 0},
            atol=1e-6 * n_scan,
        ),
        row(
            "O6",
            "cumsum_rows",
            "cumsum",
            [f((side, side))],
            (side, side),
            "cumsum(x, dim=1)",
            params={"dim": 1},
            atol=1e-6 * side,
        ),
        row(
            "O7",
            "index_select_emb",
            "index_select",
            [emb, idx],
            (n_idx, dim_e),
            "embedding lookup: index_select(emb, 0, idx)",
        ),
        row(
            "O8",
            "embedding_affine",
            "embedding_affine",
            [emb, idx, f((dim_e,))],
            (n_idx, dim_e),
            f"index_select(emb, 0, idx) * {EMB_SCALE} + bias (fusable gather)",
        ),
        row(
            "O9",
            "gather_rows",
            "gather",
            [x_rows, i_rows],
            (rows, cols),
            "gather(x, 1, idx), random idx",
            params={"dim": 1},
        ),
        row(
            "O10",
            "take_along_dim_perm",
            "take_along_dim",
            [x_rows, f((rows, cols), "perm")],
            (rows, cols),
            "take_along_dim(x, perm, dim=1), a permutation per row",
            params={"dim": 1},
        ),
        row(
            "O11",
            "einsum_bmm",
            "einsum",
            [f((bat, mm, mm)), f((bat, mm, mm))],
            (bat, mm, mm),
            "einsum('bij,bjk->bik', a, b)",
            params={"eq": "bij,bjk->bik"},
            atol=1e-3,
            flops=2.0 * bat * mm**3,
        ),
        row(
            "O12",
            "einsum_rowdot",
            "einsum",
            [f((side, side)), f((side, side))],
            (side,),
            "einsum('ij,ij->i', a, b)",
            params={"eq": "ij,ij->i"},
            atol=1e-3,
        ),
        row(
            "O13",
            "scatter_add_rows",
            "scatter_add",
            [x_rows, i_rows, x_rows],
            (rows, cols),
            "scatter_add(x, 1, idx, src), random idx",
            params={"dim": 1},
            needs=("scatter_add",),
        ),
        row(
            "O14",
            "index_add_emb",
            "index_add",
            [emb, idx, f((n_idx, dim_e))],
            (vocab, dim_e),
            "emb.index_add(0, idx, src) (an embedding's gradient)",
            needs=("Tensor.index_add",),
        ),
    ]
