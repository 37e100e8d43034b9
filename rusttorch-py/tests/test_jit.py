"""Compiled kernels from Python: ``set_jit``/``get_jit``, ``RUSTTORCH_JIT``, ``explain()``'s tier
lines, and compiled results equal to the block VM's bit for bit on random elementwise graphs.

Where rusttorch was built without the compiler (no LLVM 14), ``set_jit("sync")`` raises and the
tests of compiled results are skipped; the rest check that everything reports the VM."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest
import rusttorch as rt
from hypothesis import example, given, settings
from hypothesis import strategies as st


def _has_jit() -> bool:
    try:
        rt.set_jit("sync")
    except RuntimeError:
        return False
    finally:
        rt.set_jit(None)
    return True


HAS_JIT = _has_jit()
needs_jit = pytest.mark.skipif(not HAS_JIT, reason="built without the kernel compiler")


@pytest.fixture
def restore_jit():
    yield
    rt.set_jit(None)


def test_set_jit_rejects_unknown_modes(restore_jit):
    with pytest.raises(
        ValueError, match=r"set_jit: mode must be 'off', 'background', 'sync' or None, got 'fast'"
    ):
        rt.set_jit("fast")
    rt.set_jit("off")
    assert rt.get_jit() == "off"
    rt.set_jit(None)
    assert rt.get_jit() in ("background", "sync", "off")


@pytest.mark.skipif(HAS_JIT, reason="only where the build has no compiler")
def test_without_the_compiler_everything_runs_on_the_vm():
    with pytest.raises(RuntimeError, match="no kernel compiler"):
        rt.set_jit("sync")
    x = rt.from_numpy(np.linspace(-1, 1, 1000, dtype=np.float32))
    y = (x * 2.0 + 1.0).tanh()
    y.eval()
    assert "tier: ran vm; jit off" in rt.explain((x * 2.0 + 1.0).tanh())


# The ops of a random graph: unary (float32 and float64 alike) and binary.
UNARY = ["neg", "abs", "relu", "square", "floor", "round", "exp", "tanh", "sigmoid", "log1p"]
BINARY = ["add", "sub", "mul", "div", "maximum", "minimum"]


OPERATORS = {"add": "__add__", "sub": "__sub__", "mul": "__mul__", "div": "__truediv__"}


def _graph(ops: list[tuple[str, int]], leaves: list[rt.Tensor]) -> rt.Tensor:
    """A chain over ``leaves``: each step applies a unary op to the running value or combines it
    with a leaf or a constant (``arg`` picks which) by a binary op."""
    y = leaves[0]
    for name, arg in ops:
        if name == "exp":
            y = rt.exp(y.clamp(max=30.0))
        elif name == "log1p":
            y = rt.log1p(rt.abs(y))
        elif name in UNARY:
            y = getattr(rt, name)(y)
        elif arg % 3:
            y = getattr(rt, name)(y, leaves[arg % len(leaves)])
        elif name in OPERATORS:
            y = getattr(y, OPERATORS[name])(0.75)
        else:
            y = y.clamp(min=0.75) if name == "maximum" else y.clamp(max=0.75)
    return y


def _same_bits(a: np.ndarray, b: np.ndarray) -> None:
    """Equal bit for bit, NaN payloads aside."""
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    ok = ~np.isnan(a)
    assert a[ok].tobytes() == b[ok].tobytes(), np.flatnonzero(a[ok] != b[ok])[:5]


def _wait_for_the_compiler(build, state: str) -> None:
    """Polls ``explain()`` until no kernel of ``build()`` is in ``state`` (30 s at most)."""
    t_end = time.monotonic() + 30
    while state in rt.explain(build()):
        assert time.monotonic() < t_end, rt.explain(build())
        time.sleep(0.001)


@needs_jit
@settings(max_examples=40, deadline=None)
@given(
    ops=st.lists(
        st.tuples(st.sampled_from(UNARY + BINARY), st.integers(0, 5)), min_size=1, max_size=12
    ),
    n=st.sampled_from([1, 7, 33, 4099, 70_001]),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**32 - 1),
)
@example(ops=[("neg", 0), ("neg", 0)], n=1, dtype=np.float32, seed=0)  # folds to no kernel
def test_random_elementwise_graphs_are_bitwise_the_vm(ops, n, dtype, seed):
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(-3, 3, n).astype(dtype) for _ in range(3)]
    arrays[1][:: max(1, n // 5)] = np.nan if n > 3 else arrays[1][0]
    leaves = [rt.from_numpy(a) for a in arrays]
    try:
        rt.set_jit("off")
        vm = _graph(ops, leaves).numpy()
        # In the background a new kernel gets quick code (-O0) first, and optimized code (-O1)
        # once the quick code has run: all three tiers compute the same bits.
        rt.set_jit("background")
        _same_bits(vm, _graph(ops, leaves).numpy())
        _wait_for_the_compiler(lambda: _graph(ops, leaves), "compiling")
        _same_bits(vm, _graph(ops, leaves).numpy())
        _wait_for_the_compiler(lambda: _graph(ops, leaves), "optimizing")
        rt.set_jit("sync")
        g = _graph(ops, leaves)
        _same_bits(vm, g.numpy())
        # Every op of the graph compiles for float32 (float64's transcendentals stay on the VM),
        # where a kernel is left (the optimizer folds `neg(neg(x))` to `x`: no kernel).
        text = rt.explain(_graph(ops, leaves))
        if dtype == np.float32 and "total: 0 kernels" not in text:
            assert "tier: ran compiled" in text
    finally:
        rt.set_jit(None)


REDUCTIONS = {
    "none": lambda y: y,
    "sum rows": lambda y: y.sum(1),
    "amax rows": lambda y: y.amax(1),
    "sum": lambda y: y.sum(),
    "mean": lambda y: y.mean(),
    "amin": lambda y: y.amin(),
}


@needs_jit
@settings(max_examples=40, deadline=None)
@given(
    ops=st.lists(
        st.tuples(st.sampled_from(UNARY + BINARY), st.integers(0, 5)), min_size=1, max_size=8
    ),
    shape=st.sampled_from([(17, 33), (64, 100), (3, 20_000), (1, 70_001)]),
    reduction=st.sampled_from(sorted(REDUCTIONS)),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**32 - 1),
)
def test_random_graphs_with_broadcasts_and_reductions_match_the_vm(
    ops, shape, reduction, dtype, seed
):
    """Graphs over a matrix, a bias ``[d]`` and a column ``[n, 1]`` broadcast along its rows
    (compiled as rows: the VM's bits), ending in a reduction (row and full sums compiled in
    float64 lanes: within the VM's float32 rounding; extrema: the VM's bits)."""
    rng = np.random.default_rng(seed)
    rows, cols = shape
    arrays = [rng.uniform(-3, 3, s).astype(dtype) for s in [(rows, cols), (cols,), (rows, 1)]]
    arrays[1][:: max(1, cols // 5)] = np.nan
    leaves = [rt.from_numpy(a) for a in arrays]

    def build() -> rt.Tensor:
        return REDUCTIONS[reduction](_graph(ops, leaves))

    try:
        rt.set_jit("off")
        vm = build().numpy()
        rt.set_jit("sync")
        got = build().numpy()
    finally:
        rt.set_jit(None)
    if reduction in ("none", "amax rows", "amin"):
        _same_bits(np.asarray(vm), np.asarray(got))
        return
    # Sums: the rounding of adding the terms in the VM's float32 lanes (8 per lane before they
    # go into float64), relative to the sum of |terms|.
    terms = np.abs(_graph(ops, leaves).numpy().astype(np.float64))
    n = terms.shape[-1] if reduction == "sum rows" else terms.size
    scale = terms.sum(axis=-1) if reduction == "sum rows" else terms.sum()
    scale = scale / n if reduction == "mean" else scale
    eps = np.finfo(dtype).eps
    assert np.array_equal(np.isnan(got), np.isnan(vm))
    ok = np.isfinite(vm)
    err = np.abs(np.asarray(got, np.float64) - np.asarray(vm, np.float64))
    assert np.all(err[ok] <= 8 * eps * np.asarray(scale)[ok]), (err[ok].max(), reduction)


@needs_jit
def test_explain_says_which_tier_ran(restore_jit):
    x = rt.from_numpy(np.linspace(-2, 2, 10_007, dtype=np.float32))
    rt.set_jit("sync")

    def build():
        return (rt.tanh(x * 1.5 + 0.25) * 3.0).sigmoid()

    build().eval()
    text = rt.explain(build())
    assert "tier: ran compiled; jit compiled in " in text
    rt.set_jit("off")
    build().eval()
    assert "tier: ran vm; jit off" in rt.explain(build())
    # An integer kernel stays on the VM and says why.
    rt.set_jit("sync")
    n = rt.from_numpy(np.arange(10_007))
    (n * 3).eval()
    assert "stays on the vm: int64 kernels are not compiled yet" in rt.explain(n * 3)


@needs_jit
def test_rusttorch_jit_environment_variable():
    code = (
        "import numpy as np, rusttorch as rt\n"
        "x = rt.from_numpy(np.ones(5000, np.float32))\n"
        "b = lambda: (x * 3.0 + 1.0).exp()\n"
        "b().eval()\n"
        "print(rt.get_jit())\n"
        "print(rt.explain(b()))\n"
    )
    for env, mode, tier in [
        ("0", "off", "ran vm; jit off"),
        ("sync", "sync", "ran compiled; jit compiled in"),
    ]:
        out = subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "RUSTTORCH_JIT": env},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert out.splitlines()[0] == mode, out
        assert tier in out, out
