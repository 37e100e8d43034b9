"""Gathers read through the index inside fused kernels: an embedding lookup and its affine
epilogue are one kernel (counted in ``explain()``), against NumPy, over dtypes and views; an
out-of-range index still raises IndexError in the fused kernel; results do not depend on the
number of threads."""

from __future__ import annotations

import numpy as np
import pytest
import rusttorch as rt
from hypothesis import given, settings
from hypothesis import strategies as st


def kernels(t: rt.Tensor) -> int:
    return sum(line.startswith("kernel ") for line in t.explain().splitlines())


def table(shape: tuple[int, ...], dtype: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(shape) * 10).astype(dtype)


def test_embedding_lookup_with_affine_is_one_kernel() -> None:
    rng = np.random.default_rng(0)
    emb, scale, b = (
        table((50, 8), "float32", 1),
        table((8,), "float32", 2),
        table((8,), "float32", 3),
    )
    idx = rng.integers(0, 50, 12)
    out = rt.tensor(emb).index_select(0, rt.tensor(idx)) * rt.tensor(scale) + rt.tensor(b)
    plan = out.explain()
    assert kernels(out) == 1, plan
    assert "strategy gather" not in plan, plan
    assert "read in the kernel" in plan, plan
    want = emb.astype(np.float64)[idx] * scale + b
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-6, atol=1e-5)


def test_gather_with_elementwise_consumers_is_one_kernel() -> None:
    x = table((8, 16), "float64", 4)
    i = np.random.default_rng(5).integers(0, 16, (8, 4))
    out = rt.tensor(x).gather(1, rt.tensor(i)) * 3 + 1
    assert kernels(out) == 1, out.explain()
    np.testing.assert_allclose(out.numpy(), np.take_along_axis(x, i, 1) * 3 + 1, rtol=1e-15)


def test_advanced_indexing_lookup_is_the_positions_and_one_fused_kernel() -> None:
    emb = table((40, 6), "float32", 6)
    idx = np.random.default_rng(7).integers(-40, 40, (3, 5))
    out = rt.tensor(emb)[idx] * 2 - 1
    # One small int64 kernel computes the wrapped positions, one reads through them.
    assert kernels(out) == 2, out.explain()
    np.testing.assert_allclose(out.numpy(), emb.astype(np.float64)[idx] * 2 - 1, rtol=1e-6)


@settings(max_examples=40, deadline=None)
@given(
    rows=st.integers(1, 30),
    width=st.integers(1, 9),
    n=st.integers(0, 40),
    dtype=st.sampled_from(["float32", "float64", "int32", "int64"]),
    idt=st.sampled_from(["int32", "int64"]),
    transposed=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_lookup_and_epilogue_match_numpy(rows, width, n, dtype, idt, transposed, seed) -> None:
    emb = table((rows, width), dtype, seed)
    idx = np.random.default_rng(seed + 1).integers(0, rows, n).astype(idt)
    scale = table((width,), dtype, seed + 2)
    t = rt.tensor(np.ascontiguousarray(emb.T)).T if transposed else rt.tensor(emb)
    out = t.index_select(0, rt.tensor(idx)) * rt.tensor(scale) + 2
    want = emb.astype(np.float64)[idx.astype(np.int64)] * scale + 2
    got = out.numpy()
    assert got.dtype == np.dtype(dtype)
    if dtype == "float32":
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)
    else:
        np.testing.assert_array_equal(got, want.astype(dtype))


def test_out_of_range_index_raises_in_the_fused_kernel() -> None:
    x = rt.tensor(table((2, 3), "float32", 8))
    for bad in (3, -1):
        out = x.gather(1, rt.tensor(np.array([[0, 1], [bad, 2]]))) * 2 + 1
        assert kernels(out) == 1, out.explain()
        with pytest.raises(IndexError, match=rf"gather: index {bad} is out of bounds for dim 1"):
            out.numpy()
    # The engine runs on afterwards.
    ok = x.gather(1, rt.tensor(np.array([[2], [0]]))) * 2
    assert ok.numpy().shape == (2, 1)


def test_fused_lookup_is_the_same_for_any_thread_count() -> None:
    emb, scale = table((500, 96), "float32", 9), table((96,), "float32", 10)
    idx = np.random.default_rng(11).integers(0, 500, 3000)
    before = rt.get_num_threads()
    results = []
    try:
        for n in (1, 2):
            rt.set_num_threads(n)
            out = rt.tensor(emb).index_select(0, rt.tensor(idx)) * rt.tensor(scale) + 1
            results.append(out.numpy())
    finally:
        rt.set_num_threads(before)
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_allclose(
        results[0], emb.astype(np.float64)[idx] * scale + 1, rtol=1e-5, atol=1e-4
    )
