"""Kernel counts of the fusing write and mask cases: masked_fill/where chains feeding a
reduction, a masked write, index_fill; and what does not fuse (a scatter is its own kernel)."""

from __future__ import annotations

import numpy as np
import rusttorch as rt


def kernels(t: rt.Tensor) -> int:
    return sum(line.startswith("kernel ") for line in t.explain().splitlines())


X = np.random.default_rng(0).standard_normal((64, 33)).astype(np.float32)


def test_masked_fill_then_a_reduction_is_one_kernel() -> None:
    x = rt.tensor(X)
    out = x.masked_fill(x < 0, 0.0).sum(1)
    assert kernels(out) == 1, out.explain()
    np.testing.assert_allclose(out.numpy(), np.where(X < 0, 0, X).sum(1), rtol=1e-5, atol=1e-5)


def test_where_chains_and_masked_softmax_fuse() -> None:
    x = rt.tensor(X)
    causal = rt.ones((64, 33), dtype=rt.bool).triu(1)
    s = rt.where(x > 1, x, rt.where(x < -1, -x, x * 0.5))
    assert kernels(s) == 1, s.explain()
    att = x.masked_fill(causal, float("-inf")).softmax(-1)
    assert kernels(att) <= 2, att.explain()
    ref = np.where(np.triu(np.ones((64, 33), bool), 1), -np.inf, X)
    ref = np.exp(ref - ref.max(1, keepdims=True))
    np.testing.assert_allclose(att.numpy(), ref / ref.sum(1, keepdims=True), rtol=1e-5, atol=1e-6)


def test_a_masked_write_and_index_fill_fuse_with_their_consumer() -> None:
    x = rt.tensor(X)
    y = x * 3.0
    y[y > 2.0] = 2.0
    z = (y + 1.0).index_fill(1, rt.tensor([0, 5]), -1.0)
    plan = z.explain()
    # The index_fill mask over dim 1 (a 33-element scatter and its operands), then ONE pass over
    # the tensor doing `x * 3`, the masked write, `+ 1` and the fill.
    assert kernels(z) <= 4, plan
    assert "elementwise over 2112, 1 stage, 5 ops: mul gt where add where" in plan, plan
    want = np.minimum(X * 3, 2) + 1
    want[:, [0, 5]] = -1
    np.testing.assert_allclose(z.numpy(), want, rtol=1e-6)


def test_a_scatter_is_a_kernel_of_its_own() -> None:
    x = rt.tensor(X)
    idx = rt.tensor(np.zeros((1, 33), dtype=np.int64))
    out = (x * 2.0).scatter_add(0, idx, x[:1]) + 1.0
    # `x * 2` (its buffer then donated to the scatter), the scatter, the `+ 1`.
    assert kernels(out) == 3, out.explain()
    assert "donor(input 0)" in out.explain()
