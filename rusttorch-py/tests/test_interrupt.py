"""Ctrl-C stops a long evaluation: SIGINT during a multi-second ``eval()`` raises
``KeyboardInterrupt`` within half a second, and the engine, the interrupted tensor and every other
tensor stay usable. Each case runs in a fresh interpreter (the signal goes to that process)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT to a child process")

SCRIPT = """
import json, os, signal, threading, time
import numpy as np
import rusttorch as rt

CHECK = ...  # the part of the result compared with reference()
{setup}

sent = []
def interrupt():
    sent.append(time.perf_counter())
    os.kill(os.getpid(), signal.SIGINT)

timer = threading.Timer(0.5, interrupt)
timer.start()
start = time.perf_counter()
outcome = None
try:
    y.eval()
    outcome = "finished"
    # Finished before the signal: let it land here, not in the checks below.
    timer.join()
    time.sleep(0.2)
except KeyboardInterrupt:
    outcome = outcome or "interrupted"
end = time.perf_counter()
result = {{"outcome": outcome, "latency": end - sent[0] if sent else None, "ran": end - start}}
result["lazy_after"] = not y.is_evaluated
# Everything else still works: a new evaluation, and the interrupted tensor again.
other = (rt.from_numpy(np.arange(10.0)) * 2).sum().item()
result["other_ok"] = other == 90.0
t0 = time.perf_counter()
got = y.numpy()
result["again"] = time.perf_counter() - t0
result["values_ok"] = bool(np.allclose(got[CHECK], reference(), rtol=1e-4, atol=1e-6))
print(json.dumps(result))
"""

CASES = {
    # Many kernels: the flag is looked at between them.
    "matmul_chain": """
a = rt.rand((1024, 1024), seed=1)
b = rt.rand((1024, 1024), seed=2) * (2.0 / 1024)
y = a
for _ in range(150):
    y = rt.matmul(y, b)
def reference():
    r, bn = a.numpy().astype(np.float64), b.numpy().astype(np.float64)
    for _ in range(150):
        r = r @ bn
    return r
""",
    # One fused kernel of hundreds of ops over 16M elements (tanh keeps it compute-bound, so
    # it takes seconds on any machine): the flag is looked at per task.
    "long_fused_chain": """
x = rt.rand(1 << 24, seed=3)
y = x
for i in range(400):
    y = (y * 0.999 + 0.001 * (i % 3)).tanh()
CHECK = slice(0, 1 << 16)  # NumPy would take a minute over all of it
def reference():
    r = x.numpy()[CHECK].astype(np.float64)
    for i in range(400):
        r = np.tanh(r * 0.999 + 0.001 * (i % 3))
    return r
""",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_sigint_interrupts_a_long_evaluation(case: str) -> None:
    code = SCRIPT.format(setup=textwrap.dedent(CASES[case]))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert r["outcome"] == "interrupted", f"the evaluation was not interrupted: {r}"
    assert r["latency"] < 0.5, f"KeyboardInterrupt came {r['latency']:.3f} s after SIGINT: {r}"
    assert r["again"] > 1.0, f"the evaluation was too short to test an interrupt: {r}"
    assert r["lazy_after"], r
    assert r["other_ok"], r
    assert r["values_ok"], r
