"""The W-suite of the benchmarks issue, and the per-op rows of issue 14 (``--suite ops``),
RustTorch against its peers, in one process.

Engines: RustTorch fused and eager (``t.eval(fuse=False)``), NumPy, and when importable numexpr,
PyTorch eager (composed formula and builtin fused op), ``torch.compile`` and ``jax.jit``. A missing
engine is skipped with a line saying so.

Per workload and engine:

1. the inputs are converted once (zero-copy where the engine allows it, not timed);
2. the first call is timed on its own (it includes planning / tracing / compilation);
3. the result is checked against NumPy in float64 (``|got-ref| <= atol + rtol*|ref|``); a wrong
   result is reported with its error and not timed;
4. warm-up, then the median of an adaptive number of repetitions (calls under a millisecond are
   timed in batches and divided).

A STREAM-style copy and triad measured in the same process give the bandwidth ceiling that the
memory-bound workloads are compared with (effective bandwidth = compulsory bytes: every input
read once plus the output written once, over the median time).

Thread counts are equal for every engine (``--threads``, default 2). The thread environment
variables are set as this package is imported (``env``, imported first below), before NumPy,
PyTorch or JAX are.

Outputs: a markdown report (stdout and ``<out>.md``), the raw figures as JSON (``--out``,
default ``bench-results/compare.json``) and a PNG bar chart (``<out>.png``, with matplotlib).

The per-op rows (O1..O14: sort, argsort, topk, cumsum, index_select, gather, take_along_dim,
einsum, scatter_add, index_add) run on RustTorch, NumPy, torch eager and ``jax.jit``; a row that
needs a RustTorch function the installed package lacks says "missing" in RustTorch's cells.

Run it as ``python benchmarks/compare.py`` or ``python -m benchmarks.compare``. Modules: ``env``
(thread environment), ``workloads`` (the W-suite), ``ops`` (the per-op rows), ``engines``,
``op_impls`` (the per-op rows per engine), ``timing``, ``stream`` (bandwidth probes), ``runner``
(one workload's rounds), ``machine``, ``report``, ``chart``, ``cli``.

The training suite (``--suite train``: T1, an MLP training step; T2, the forward and backward of
``layer_norm(gelu(x @ W + b))``) runs each engine (RustTorch, torch eager, ``torch.compile``,
``jax.jit``) in a worker process of its own: ``train`` (workloads, float64 references, checks),
``train_engines``, ``train_worker``, ``train_runner``, ``train_report``.
"""

# Imported before any submodule, whichever one a caller imports: it sets the thread environment
# that NumPy, PyTorch and JAX read when they are first imported.
from . import env  # noqa: F401
