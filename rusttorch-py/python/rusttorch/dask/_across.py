"""Reductions across chunks, the part of the lowering that ends a region: partials per chunk
fused into the input region, combined in chunk order by one task per output chunk; ``var``'s
and ``softmax``'s patterns merged in one pass (Chan's formula; running max and sum); the
sources a normalisation would rather see in one chunk; ``argmax``/``argmin`` by Dask."""

from __future__ import annotations

import functools
from typing import Any

import dask.array as da
import numpy as np

import rusttorch as rt

from . import _tasks
from ._labels import Labels
from ._values import Region, Step, blocks, np_dtype, partial_input, token


class AcrossChunks:
    """The lowering's reductions across chunks, mixed into ``Lowering``: they use its state
    (below) and its methods ``materialize``, ``_extend``, ``_from_array`` and ``_blockwise``."""

    labels: Labels
    values: dict[int, Any]
    steps: list[Step]
    graph: dict[int, tuple[str, dict[str, Any], list[int]]]
    wanted: dict[str, tuple[Any, set[int]]]
    _made: dict[int, list[str]]
    _source_names: dict[Any, Any]

    def _reduce(self, t: Any, nid: int, params: dict[str, Any], v: Region) -> Region:
        """A reduction along chunked dims: a partial per chunk fused into its input region,
        then one task per output chunk reducing the partials of all chunks in order."""
        op, axes, keepdim = params["op"], tuple(params["axes"]), params["keepdim"]
        if keepdim:
            self._want_whole(v, axes)
        x = self._var_source(nid)
        soft = self._softmax_source(nid, params) if x is None else None
        if soft is not None:
            # softmax's sum(exp(x - max(x))): each chunk's max and its sum shifted by it, merged
            # into the global max and sum in one pass; the max node reads the merged max.
            v = self.values[soft[0]]
            src = partial_input(v.tensor)
            m = src.amax(dim=axes, keepdim=True)
            s = (src - rt.where(m == float("-inf"), 0.0, m)).exp().sum(dim=axes, keepdim=True)
            partial_t, per, op = rt.cat([m, s], axes[0]), 2, "softmax"
        elif x is not None:
            # var's numerator sum((x - mean(x))^2): count, mean and M2 per chunk, merged with
            # Chan's formula (one pass over x, exact however large its mean).
            v = self.values[x]
            src = partial_input(v.tensor)
            n = (src * 0.0 + 1.0).sum(dim=axes, keepdim=True)
            mu = src.sum(dim=axes, keepdim=True) / n
            m2 = (src - mu).square().sum(dim=axes, keepdim=True)
            partial_t, per, op = rt.cat([n, mu, m2], axes[0]), 3, "var"
        else:
            src = v.tensor
            if t.dtype.is_floating_point:
                src = partial_input(src)
            elif op in ("sum", "prod"):
                src = src.to(rt.int64)
            partial_t, per = _tasks.reduce_tensor(src, op, axes, True), 1
        chunked = tuple(v.labels[a] for a in axes if self.labels.chunked(v.labels[a]))
        labels = tuple(
            lab if d not in axes or lab in chunked else self.labels.new(per if d == axes[0] else 1)
            for d, lab in enumerate(v.labels)
        )
        what = {"var": "count/mean/M2", "softmax": "max/sum(exp)"}.get(op, params["name"])
        partial = self._extend(partial_t, f"partial {what}", [v], labels)
        partial.per_chunk = {lab: per if lab == labels[axes[0]] else 1 for lab in chunked}
        parr = self.materialize(partial, None)
        idx = self.labels.index(labels)
        out_idx = tuple(
            (f"k{nid:x}_{d}" if keepdim else None) if d in axes else ix for d, ix in enumerate(idx)
        )
        out_idx = tuple(i for i in out_idx if i is not None)
        dtype = np_dtype(t)
        fn = functools.partial(_tasks.aggregate, op, axes, keepdim, dtype.str)
        new_axes = {i: 1 for i in out_idx if i not in idx}
        if op == "softmax":
            new_axes[out_idx[axes[0]]] = 2
        name = f"rusttorch-aggregate-{token(parr.name, op, axes, keepdim, dtype.str)}"
        how = {
            "var": "count, mean, M2 merged by Chan's formula",
            "softmax": "(max, shifted sum) pairs merged, the max read by the max node too,",
        }.get(op, "partials combined")
        detail = f"{params['name']} across {_nchunks(self, chunked)} chunks: {how} in chunk order"
        arr = self._blockwise("reduce", name, fn, out_idx, [parr, idx], dtype, new_axes, {}, detail)
        self._made[nid] = [parr.name, name]
        if soft is not None:
            pick = [slice(None)] * arr.ndim
            pick[axes[0]] = slice(0, 1)
            self._redirect(soft[1], arr[tuple(pick)])
            pick[axes[0]] = slice(1, 2)
            arr = arr[tuple(pick)]
        return self._from_array(arr, t, nid)

    def _redirect(self, nid: int, arr: Any) -> None:
        """Node ``nid``'s value, a reduction every user reads as a Dask input, becomes ``arr``:
        the layers that computed it before are dropped (nothing reads them any more)."""
        self.values[nid].inputs[nid].array = arr
        dead = set(self._made.pop(nid, []))
        self.steps = [s for s in self.steps if s.name not in dead]

    def _softmax_source(self, nid: int, params: dict[str, Any]) -> tuple[int, int] | None:
        """``(x, m)`` when node ``nid`` is ``sum(exp(x - m))`` with ``m = max(x)`` over the same
        dims, both with ``keepdim`` (what ``softmax`` and ``log_softmax`` build), and ``m`` was
        lowered as a reduction across chunks; else ``None``."""
        if params.get("op") != "sum" or not params["keepdim"]:
            return None
        _, p, (e,) = self.graph[nid]
        ke, pe, oe = self.graph[e]
        if ke != "unary" or pe["name"] != "exp":
            return None
        kd, pd, od = self.graph[oe[0]]
        if kd != "binary" or pd["name"] != "sub":
            return None
        x, m = od
        km, pm, om = self.graph[m]
        ok = km == "reduce" and pm["op"] == "max" and pm["keepdim"] and pm["axes"] == p["axes"]
        value = self.values.get(m)
        if ok and om == [x] and isinstance(value, Region) and m in value.inputs and m in self._made:
            return x, m
        return None

    def _var_source(self, nid: int) -> int | None:
        """``x`` when node ``nid`` is ``sum((x - sum(x) * c)^2)`` over the same dims with
        ``keepdim`` inside (the numerator ``var`` builds), else ``None``."""

        def node(i: int, kind: str, name: str) -> list[int] | None:
            k, p, ops = self.graph[i]
            ok = k == kind and (p.get("op") == name if kind == "reduce" else p["name"] == name)
            return ops if ok else None

        _, params, ops = self.graph[nid]
        if params.get("op") != "sum":
            return None
        sq = node(ops[0], "unary", "square")
        diff = sq and node(sq[0], "binary", "sub")
        scaled = diff and node(diff[1], "binary", "mul")
        if not scaled:
            return None
        x = diff[0]
        for s in scaled:
            k, p, inner = self.graph[s]
            if k == "reduce" and p["op"] == "sum" and p["keepdim"] and p["axes"] == params["axes"]:
                return x if inner == [x] and isinstance(self.values.get(x), Region) else None
        return None

    def _want_whole(self, v: Region, axes: tuple[int, ...]) -> None:
        """Notes the source dims a reduction broadcast back ran across chunks of: with them in
        one chunk, the reduction and its users would run in one region."""
        classes = {self.labels.find(v.labels[a]) for a in axes if self.labels.chunked(v.labels[a])}
        for key, inp in v.inputs.items():
            arr = self._source_names.get(key)
            if arr is None:
                continue
            dims = {d for d, lab in enumerate(inp.labels) if self.labels.find(lab) in classes}
            if dims:
                self.wanted.setdefault(arr.name, (arr, set()))[1].update(dims)

    def _arg_reduce(self, t: Any, nid: int, params: dict[str, Any], v: Region) -> Region:
        arr = self.materialize(v, None)
        (axis,) = params["axes"]
        f = da.argmax if params["op"] == "argmax" else da.argmin
        out = f(arr, axis=axis, keepdims=params["keepdim"]).astype(np.int64)
        self.steps.append(
            Step("argreduce", out.name, blocks(out), f"{params['name']} by Dask's arg-reduction")
        )
        return self._from_array(out, t, nid)


def _nchunks(low: AcrossChunks, labels: tuple[int, ...]) -> int:
    return int(np.prod([len(low.labels.chunks(lab)) for lab in labels]))
