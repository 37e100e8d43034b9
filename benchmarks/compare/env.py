"""The process environment of a run: thread counts and engine settings, set before NumPy,
PyTorch or JAX are imported (the package imports this module first)."""

from __future__ import annotations

import os
import sys


def _early_threads(argv: list[str]) -> int:
    """``--threads N`` (or ``--threads=N``) from argv, before argparse and any heavy import."""
    for i, arg in enumerate(argv):
        value = None
        if arg == "--threads" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--threads="):
            value = arg.split("=", 1)[1]
        if value is not None:
            try:
                return max(1, int(value))
            except ValueError:
                return 2
    return 2


THREADS = _early_threads(sys.argv[1:])
for _var in (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "NUMEXPR_MAX_THREADS",
    "VECLIB_MAXIMUM_THREADS",
):
    os.environ[_var] = str(THREADS)
os.environ.setdefault("JAX_PLATFORMS", "cpu")
# OpenBLAS's idle worker threads (NumPy's W7 matmul, the STREAM read probe) busy-wait for ~2^28
# cycles after each call, taking a core from whichever engine runs next; 2^4 makes them sleep.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
# torch.compile's first call is reported as its compile time: a fresh Inductor cache directory
# per run makes it a cold compile (what a user's first run pays), not a cache hit from the last
# benchmark run. Set TORCHINDUCTOR_CACHE_DIR to measure with a warm cache instead.
if "TORCHINDUCTOR_CACHE_DIR" not in os.environ:
    import atexit
    import shutil as _shutil
    import tempfile

    os.environ["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp(prefix="rusttorch-bench-inductor-")
    atexit.register(_shutil.rmtree, os.environ["TORCHINDUCTOR_CACHE_DIR"], ignore_errors=True)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# XLA's CPU client sizes its pools from the CPUs this process may run on (the affinity below);
# one thread needs the Eigen pool switched off explicitly.
if THREADS == 1:
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "")
        + " --xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    ).strip()
# Fewer threads than CPUs: pin the process to THREADS CPUs, so that engines without a thread
# setting (XLA) cannot use more.
if hasattr(os, "sched_setaffinity") and THREADS < len(os.sched_getaffinity(0)):
    os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:THREADS])
