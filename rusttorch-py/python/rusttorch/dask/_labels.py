"""Dim labels of a region: every dim of every value in a region gets a label, dims that must
line up chunk for chunk (broadcast partners, a matmul's contracted dims) share one. The labels
become the indices of the region's ``dask.array.blockwise`` call."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Label:
    """One dim: its size and its chunks along it (one chunk for a dim not from Dask)."""

    size: int
    chunks: tuple[int, ...]
    parent: int


class Labels:
    """Union-find over labels; a label is an int, a root speaks for its class."""

    def __init__(self) -> None:
        self._all: list[Label] = []

    def new(self, size: int, chunks: tuple[int, ...] | None = None) -> int:
        """A fresh label for a dim of ``size`` (one chunk unless ``chunks`` says otherwise)."""
        i = len(self._all)
        self._all.append(Label(size, chunks if chunks is not None else (size,), i))
        return i

    def find(self, i: int) -> int:
        """The root of ``i``'s class."""
        while self._all[i].parent != i:
            self._all[i].parent = self._all[self._all[i].parent].parent
            i = self._all[i].parent
        return i

    def union(self, a: int, b: int) -> int:
        """Joins two classes; the root keeps the finer chunking (Dask rechunks the other input
        to it when the region runs)."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if len(self._all[rb].chunks) > len(self._all[ra].chunks):
            ra, rb = rb, ra
        self._all[rb].parent = ra
        return ra

    def size(self, i: int) -> int:
        return self._all[self.find(i)].size

    def chunks(self, i: int) -> tuple[int, ...]:
        return self._all[self.find(i)].chunks

    def chunked(self, i: int) -> bool:
        """Whether the dim spans several chunks (so a region cannot see all of it at once)."""
        return len(self.chunks(i)) > 1

    def index(self, labels: tuple[int, ...]) -> tuple[str, ...]:
        """Blockwise indices for ``labels``."""
        return tuple(f"d{self.find(i)}" for i in labels)

    def broadcast(
        self, operands: list[tuple[int, ...]], sizes: list[tuple[int, ...]]
    ) -> tuple[int, ...]:
        """The labels of an elementwise result over operands' labels and shapes (NumPy
        broadcasting): per result dim, the operands of size > 1 there share one label, and
        where all have size 1 they share theirs."""
        ndim = max((len(s) for s in sizes), default=0)
        out: list[int] = []
        for d in range(ndim):
            at = [
                (lab[d - ndim + len(lab)], s[d - ndim + len(s)])
                for lab, s in zip(operands, sizes, strict=True)
                if d - ndim + len(s) >= 0
            ]
            big = [lab for lab, n in at if n != 1]
            group = big or [lab for lab, _ in at]
            root = group[0]
            for lab in group[1:]:
                root = self.union(root, lab)
            out.append(root)
        return tuple(out)
