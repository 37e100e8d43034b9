"""Lowering a RustTorch graph over Dask sources to Dask arrays.

The graph is walked operands first. Elementwise ops, broadcasting, casts, transposes, matmuls,
and reductions, scans and sorts along dims that are one chunk, grow a *region*: a sub-graph that
runs chunk by chunk, one ``dask.array.blockwise`` task per output chunk running one fused
RustTorch plan (the region's graph, pickled once into the Dask graph, decoded once per worker).
A region ends where an op needs data from other chunks:

* a reduction (``sum max min prod``, and what is built on them: ``mean var std norm
  logsumexp softmax layer_norm``...) along a chunked dim: its input region ends in a partial
  reduction per chunk (floats accumulated in float64 blocks, integer sums in int64), and one
  task per output chunk combines the partials of all chunks in chunk order (so every scheduler
  gives the same bits); ``var``/``std`` merge (count, mean, M2) per chunk by Chan's formula and
  ``softmax``/``log_softmax`` merge (max, shifted sum) pairs, one pass over their input each;
* ``argmax``/``argmin`` along a chunked dim: Dask's own arg-reduction over the region's output;
* slices, reshapes, expands and concatenations: Dask's own ops on the region's output.

Scans, sorts, gathers, scatters and searches along a chunked dim raise an error naming the op
and the chunking. Tensors in memory join a region inside its graph when they are small and
broadcast along its chunked dims, and as Dask arrays chunked like it otherwise.
"""

from __future__ import annotations

import functools
import hashlib
from typing import Any

import dask.array as da
import numpy as np

import rusttorch as rt

from .._rusttorch import _dumps_graph, _graph_nodes, _substitute
from . import _tasks
from ._across import AcrossChunks
from ._labels import Labels
from ._sources import source_of
from ._values import ChunkError, Input, Local, Region, Step, blocks, np_dtype, token

# In-memory operands up to this many elements travel inside a region's graph (once per task);
# larger ones become Dask arrays chunked like the region.
EMBED_LIMIT = 1 << 16


class Lowering(AcrossChunks):
    """Lowers graphs to Dask arrays; one instance shares its work between several outputs.

    ``rechunk`` maps a source (its Dask name) to the dims it is rechunked to one chunk along
    before anything reads it (see :func:`lower`)."""

    def __init__(self, rechunk: dict[str, set[int]] | None = None) -> None:
        self.labels = Labels()
        self.values: dict[int, Region | Local] = {}
        self.arrays: dict[int, Any] = {}
        self.steps: list[Step] = []
        self.sources = 0
        # Each node's kind, parameters and operands (by id), to recognise var's pattern.
        self.graph: dict[int, tuple[str, dict[str, Any], list[int]]] = {}
        # The Dask layers each cross-chunk reduction made (its partials, its aggregate).
        self._made: dict[int, list[str]] = {}
        self.rechunk = rechunk or {}
        # Source dims that reductions broadcast back (keepdim) ran across chunks of.
        self.wanted: dict[str, tuple[Any, set[int]]] = {}
        self._source_names: dict[Any, Any] = {}

    # ---------------------------------------------------------------- walking the graph
    def lower(self, outputs: list[Any]) -> list[Any]:
        """Dask arrays for ``outputs`` (a RustTorch tensor for an output reading no source)."""
        nodes = _graph_nodes(outputs)
        users: dict[int, int] = {}
        for n in nodes:
            for o in n[4]:
                users[nodes[o][1]] = users.get(nodes[o][1], 0) + 1
        for t, nid, kind, params, ops, note in nodes:
            if nid in self.values:
                continue
            self.graph[nid] = (kind, params, [nodes[o][1] for o in ops])
            vals = [self.values[nodes[o][1]] for o in ops]
            v = self._node(t, nid, kind, params, vals, note)
            if isinstance(v, Region) and v.matmul and users.get(nid, 0) > 1:
                v = self._as_input(v, nid)
            self.values[nid] = v
        by_id = {n[1]: n for n in nodes}
        out = []
        for t in outputs:
            nid = _graph_nodes([t])[-1][1]
            v = self.values[by_id[nid][1]]
            out.append(v.tensor if isinstance(v, Local) else self.materialize(v, nid))
        return out

    def _node(
        self, t: Any, nid: int, kind: str, params: dict[str, Any], vals: list[Any], note: str | None
    ) -> Any:
        if kind == "placeholder":
            arr = source_of(note)
            if arr is None:
                raise ChunkError(f"a placeholder of shape {tuple(t.shape)} is not bound ({note})")
            self.sources += 1
            dims = self.rechunk.get(arr.name)
            self._source_names[nid] = arr
            if dims:
                name = arr.name
                arr = arr.rechunk({d: -1 for d in dims})
                self.steps.append(
                    Step(
                        "rechunk",
                        arr.name,
                        blocks(arr),
                        f"source {name} to one chunk along dims {sorted(dims)}",
                    )
                )
            return self._from_array(arr, t, nid)
        if all(isinstance(v, Local) for v in vals):
            return Local(t, nid)
        name = params["name"]
        if kind in ("unary", "cast"):
            return self._extend(t, name, vals, vals[0].labels)
        if kind in ("binary", "where"):
            return self._elementwise(t, name, vals)
        if kind == "permute":
            (v,) = vals
            return self._extend(t, name, vals, tuple(v.labels[p] for p in params["perm"]))
        if kind == "matmul":
            return self._matmul(t, name, vals)
        if kind in ("reduce", "argreduce", "line"):
            return self._along(t, nid, kind, params, vals[0])
        if kind in ("slice", "reshape", "expand", "concat"):
            return self._dask_view(t, nid, kind, params, vals)
        raise ChunkError(
            f"{name} cannot run chunk by chunk on Dask data (operands of shapes "
            f"{[tuple(v.tensor.shape) for v in vals]} chunked as {self._chunking(vals)}); "
            "compute its operands first (rusttorch.dask.compute) or use Dask for this step"
        )

    def _chunking(self, vals: list[Any]) -> list[Any]:
        return [
            tuple(self.labels.chunks(lab) for lab in v.labels)
            if isinstance(v, Region)
            else "in memory"
            for v in vals
        ]

    # ---------------------------------------------------------------- regions
    def _from_array(self, arr: Any, t: Any, key: Any) -> Region:
        if any(np.isnan(c) for cs in arr.chunks for c in cs):
            raise ChunkError(
                f"a Dask array of unknown chunk sizes {arr.chunks} "
                "(call compute_chunk_sizes() first)"
            )
        labels = tuple(
            self.labels.new(n, tuple(c)) for n, c in zip(arr.shape, arr.chunks, strict=True)
        )
        return Region(t, labels, {key: Input(arr, t, labels)})

    def _extend(
        self, t: Any, name: str, parts: list[Region], labels: tuple[int, ...], **kw: Any
    ) -> Region:
        inputs: dict[Any, Input] = {}
        for p in parts:
            for k, inp in p.inputs.items():
                if k in inputs:
                    for a, b in zip(inputs[k].labels, inp.labels, strict=True):
                        self.labels.union(a, b)
                else:
                    inputs[k] = inp
        # By node (each node's tensor object is one for the whole lowering): a sub-expression
        # reached along two paths is one op of the region, as it is one node of its plan.
        names: dict[int, str] = {}
        for p in parts:
            names.update(p.ops_names)
        names[id(t)] = name
        return Region(
            t,
            labels,
            inputs,
            ops=len(names),
            matmul=any(p.matmul for p in parts) or kw.get("matmul", False),
            ops_names=names,
        )

    def _elementwise(self, t: Any, name: str, vals: list[Any]) -> Region:
        shapes = [tuple(v.tensor.shape) for v in vals]
        regions = [
            (v.labels, s) for v, s in zip(vals, shapes, strict=True) if isinstance(v, Region)
        ]
        base = self.labels.broadcast([lab for lab, _ in regions], [s for _, s in regions])
        parts = [
            v if isinstance(v, Region) else self._local_input(v, s, base)
            for v, s in zip(vals, shapes, strict=True)
        ]
        labels = self.labels.broadcast([p.labels for p in parts], shapes)
        return self._extend(t, name, parts, labels)

    def _local_input(self, v: Local, shape: tuple[int, ...], base: tuple[int, ...]) -> Region:
        """An in-memory operand of a region: inside its graph when small and not spanning a
        chunked dim, else a Dask array chunked like the dims it lines up with."""
        chunks, spans = [], False
        for j, n in enumerate(shape):
            bd = len(base) - len(shape) + j
            if (
                n > 1
                and bd >= 0
                and self.labels.size(base[bd]) == n
                and self.labels.chunked(base[bd])
            ):
                chunks.append(self.labels.chunks(base[bd]))
                spans = True
            else:
                chunks.append((n,))
        if not spans and v.tensor.numel() <= EMBED_LIMIT:
            return Region(v.tensor, tuple(self.labels.new(n) for n in shape), {})
        arr = da.from_array(v.tensor.numpy(), chunks=tuple(chunks))
        return self._from_array(arr, v.tensor, ("local", v.key))

    def _matmul(self, t: Any, name: str, vals: list[Any]) -> Region:
        shapes = [tuple(v.tensor.shape) for v in vals]
        parts = [
            v if isinstance(v, Region) else self._local_input(v, s, ())
            for v, s in zip(vals, shapes, strict=True)
        ]
        (a, b), (sa, sb) = parts, shapes
        la, lb = a.labels, b.labels
        self.labels.union(la[-1], lb[0] if len(lb) == 1 else lb[-2])
        batch = self.labels.broadcast([la[:-2], lb[:-2]], [sa[:-2], sb[:-2]])
        labels = batch + ((la[-2],) if len(la) > 1 else ()) + ((lb[-1],) if len(lb) > 1 else ())
        return self._extend(t, name, parts, labels, matmul=True)

    def _along(self, t: Any, nid: int, kind: str, params: dict[str, Any], v: Any) -> Any:
        if isinstance(v, Local):
            v = self._local_input(v, tuple(v.tensor.shape), ())
        axes = tuple(params["axes"])
        name = params["name"]
        chunked = [a for a in axes if self.labels.chunked(v.labels[a])]
        if not chunked:
            if kind == "line":
                labels = list(v.labels)
                if params["resizes"]:
                    labels[axes[0]] = self.labels.new(t.shape[axes[0]])
                return self._extend(t, name, [v], tuple(labels))
            labels = [lab for d, lab in enumerate(v.labels) if d not in axes or params["keepdim"]]
            if params["keepdim"]:
                labels = [
                    self.labels.new(1) if d in axes else lab for d, lab in enumerate(v.labels)
                ]
            return self._extend(t, name, [v], tuple(labels))
        if kind == "reduce":
            return self._reduce(t, nid, params, v)
        if kind == "argreduce":
            return self._arg_reduce(t, nid, params, v)
        chunks = tuple(self.labels.chunks(lab) for lab in v.labels)
        raise ChunkError(
            f"{name} runs along dim {axes[0]}, which is split into {len(chunks[axes[0]])} chunks "
            f"(chunks {chunks}); rechunk the Dask array to one chunk along it "
            f"(darr.rechunk({{{axes[0]}: -1}})) before rusttorch.dask.from_dask"
        )

    def _dask_view(
        self, t: Any, nid: int, kind: str, params: dict[str, Any], vals: list[Any]
    ) -> Region:
        arrs = [
            self.materialize(v, None) if isinstance(v, Region) else da.from_array(v.tensor.numpy())
            for v in vals
        ]
        shape = tuple(t.shape)
        try:
            if kind == "slice":
                d, start, step, n = (
                    params["dim"],
                    params["start"],
                    params["step"],
                    shape[params["dim"]],
                )
                stop = start + step * n
                sl = [slice(None)] * len(shape)
                sl[d] = slice(start, None if stop < 0 else stop, step)
                out = arrs[0][tuple(sl)]
            elif kind == "reshape":
                out = arrs[0].reshape(shape)
            elif kind == "expand":
                out = da.broadcast_to(arrs[0], shape)
            else:
                out = da.concatenate(arrs, axis=params["axes"][0])
        except (ValueError, NotImplementedError) as e:
            raise ChunkError(
                f"{params['name']} of a Dask array chunked as {[a.chunks for a in arrs]}: {e}"
            ) from e
        self.steps.append(Step(kind, out.name, blocks(out), f"{params['name']} by Dask"))
        return self._from_array(out, t, nid)

    def _as_input(self, v: Region, nid: int) -> Region:
        """A region computed once and read as a Dask array by its users (a matmul used twice)."""
        arr = self.materialize(v, nid)
        return self._from_array(arr, v.tensor, nid)

    # ---------------------------------------------------------------- regions to Dask
    def materialize(self, r: Region, nid: int | None) -> Any:
        """The Dask array of a region: one blockwise task per output chunk."""

        if r.ops == 0 and len(r.inputs) == 1:
            (inp,) = r.inputs.values()
            if inp.tensor is r.tensor:
                return inp.array
        if nid is not None and nid in self.arrays:
            return self.arrays[nid]
        keys = list(r.inputs)
        bounds = [r.inputs[k].tensor for k in keys]
        standins = [rt.zeros(tuple(b.shape), dtype=b.dtype) for b in bounds]
        (tmpl,) = _substitute([r.tensor], bounds, standins)
        blob, bufs = _dumps_graph([tmpl, *standins])
        h = hashlib.sha1(blob)
        for b in bufs:
            h.update(memoryview(b).cast("B"))
        key = h.hexdigest()
        args: list[Any] = []
        in_idx: set[str] = set()
        for k in keys:
            inp = r.inputs[k]
            ix = self.labels.index(inp.labels)
            in_idx.update(ix)
            args += [inp.array, ix]
        out_idx = self.labels.index(r.labels)
        dtype = np_dtype(r.tensor)
        per_chunk = {self.labels.index((lab,))[0]: n for lab, n in r.per_chunk.items()}
        name = f"rusttorch-region-{token(key, *[a.name for a in args[::2]], out_idx, [args[1::2]])}"
        fn = functools.partial(_tasks.run_region, key, blob, tuple(bufs))
        labels = zip(out_idx, r.labels, strict=True)
        new_axes = {i: self.labels.size(lab) for i, lab in labels if i not in in_idx}
        ops = " ".join(r.ops_names.values())
        detail = f"{len(r.ops_names)} ops ({ops}) over {len(keys)} Dask input(s)"
        if r.matmul:
            detail += ", matmul contracted dims joined per task"
        adjust = per_chunk
        arr = self._blockwise("region", name, fn, out_idx, args, dtype, new_axes, adjust, detail)
        if nid is not None:
            self.arrays[nid] = arr
        return arr

    def _blockwise(
        self,
        kind: str,
        name: str,
        fn: Any,
        out_idx: tuple[str, ...],
        args: list[Any],
        dtype: np.dtype,
        new_axes: dict[str, int],
        adjust: dict[str, int],
        detail: str,
    ) -> Any:
        """One ``dask.array.blockwise`` layer (contracted dims joined per task), noted for
        ``explain()``."""
        arr = da.blockwise(
            fn,
            out_idx,
            *args,
            concatenate=True,
            dtype=dtype,
            new_axes=new_axes or None,
            adjust_chunks=adjust or None,
            name=name,
            meta=np.empty((0,) * len(out_idx), dtype),
        )
        self.steps.append(Step(kind, name, blocks(arr), detail))
        return arr


def lower(outputs: list[Any]) -> tuple[Lowering, list[Any]]:
    """Lowers ``outputs``, choosing between two plans for reductions that are broadcast back
    (softmax, layer_norm, var...) along chunked dims: passes over the chunks (a partial per
    chunk, combined, then read back by a second region), or the sources rechunked to one chunk
    along those dims, so the reduction and its users run in one region. Rechunking is chosen
    when a rechunked block stays within Dask's ``array.chunk-size``."""
    from dask import config
    from dask.utils import parse_bytes

    first = Lowering()
    outs = first.lower(outputs)
    budget = parse_bytes(config.get("array.chunk-size"))
    plan: dict[str, set[int]] = {}
    for name, (arr, dims) in first.wanted.items():
        block = [
            arr.shape[d] if d in dims else max(arr.chunks[d], default=0) for d in range(arr.ndim)
        ]
        if int(np.prod(block)) * arr.dtype.itemsize <= budget:
            plan[name] = dims
    if not plan:
        return first, outs
    second = Lowering(plan)
    return second, second.lower(outputs)
