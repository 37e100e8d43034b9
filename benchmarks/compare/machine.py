"""The machine a run measures: hardware, memory, load and the checkout's revision."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from pathlib import Path
from typing import Any

# The repository checkout: benchmarks/compare/ is two levels below it.
REPO = Path(__file__).resolve().parents[2]


def machine() -> dict[str, Any]:
    """Hardware, memory, load average and git revision of this run (the report's header)."""
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus_available": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
    }
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        keep = (
            "Architecture",
            "Model name",
            "CPU(s)",
            "Thread(s) per core",
            "Core(s) per socket",
            "Socket(s)",
            "L1d cache",
            "L2 cache",
            "L3 cache",
            "CPU max MHz",
            "Hypervisor vendor",
        )
        info["lscpu"] = {
            k.strip(): v.strip()
            for k, _, v in (ln.partition(":") for ln in lscpu.splitlines())
            if k.strip() in keep
        }
        flags = next((ln for ln in lscpu.splitlines() if ln.startswith("Flags")), "")
        info["simd"] = [f for f in ("avx2", "fma", "avx512f") if f" {f}" in flags]
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        info["mem_total_gib"] = round(
            os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1
        )
        info["loadavg_start"] = os.getloadavg()
    except (OSError, ValueError):
        pass
    try:
        info["git_rev"] = subprocess.run(
            ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return info


def wait_for_low_load(limit: float, timeout_s: float) -> None:
    """Sleeps until the 1-minute load average drops below ``limit`` (or ``timeout_s`` passes)."""
    t_end = time.monotonic() + timeout_s
    while True:
        load = os.getloadavg()[0]
        if load < limit:
            print(f"load average {load:.2f} < {limit}: starting", flush=True)
            return
        if time.monotonic() > t_end:
            print(f"load average still {load:.2f} after {timeout_s:.0f} s: starting anyway")
            return
        print(f"load average {load:.2f} >= {limit}: waiting", flush=True)
        time.sleep(15)
