"""The ``distributed`` worker plugin setting RustTorch's thread count on each worker."""

from __future__ import annotations

import os
from typing import Any

from distributed import WorkerPlugin

import rusttorch as rt


class RustTorchThreads(WorkerPlugin):
    """Sets each worker's RustTorch thread count when it starts:
    ``client.register_plugin(RustTorchThreads())``. ``threads`` defaults to
    ``RUSTTORCH_NUM_THREADS``, else the worker's thread count (its task threads share one
    RustTorch pool, so there is one RustTorch thread per Dask thread). Tasks also set it on
    their first run; the plugin does it up front."""

    name = "rusttorch-threads"

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads

    def setup(self, worker: Any) -> None:
        env = os.environ.get("RUSTTORCH_NUM_THREADS")
        n = self.threads or (int(env) if env else worker.state.nthreads)
        rt.set_num_threads(max(1, int(n)))
