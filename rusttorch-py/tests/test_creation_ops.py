"""Creation functions of issue 14 (linspace, logspace, eye, tril/triu_indices, meshgrid, the
``*_like`` family, arange's float steps) and the random samplers (randint, randperm, normal,
bernoulli, multinomial): values against NumPy, seeds, thread counts, argument errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import rusttorch as rt
from hypothesis import given, settings
from hypothesis import strategies as st

finite = st.floats(-1e3, 1e3, allow_nan=False)


@settings(max_examples=80, deadline=None)
@given(finite, finite, st.integers(0, 50))
def test_linspace_matches_numpy(start: float, end: float, steps: int) -> None:
    got = rt.linspace(start, end, steps, dtype=rt.float64).numpy()
    want = np.linspace(start, end, steps)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-9)
    if steps >= 1:
        assert got[0] == start
    if steps >= 2:
        assert got[-1] == end  # both ends exact, as PyTorch computes them
    assert rt.linspace(start, end, steps).dtype == rt.float32


def test_linspace_logspace_dtypes() -> None:
    assert rt.linspace(0, 10, 4, dtype=rt.int64).tolist() == [0, 3, 6, 10]
    np.testing.assert_allclose(rt.logspace(0, 3, 4).numpy(), [1, 10, 100, 1000], rtol=1e-6)
    np.testing.assert_allclose(
        rt.logspace(-1, 2, 7, base=2.0, dtype=rt.float64).numpy(),
        np.logspace(-1, 2, 7, base=2.0),
        rtol=1e-14,
    )
    assert rt.linspace(3.0, 5.0, 1).tolist() == [3.0]


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "bool"])
def test_eye(dtype: str) -> None:
    for n, m in [(3, None), (2, 4), (4, 1), (0, 3)]:
        got = rt.eye(n, m, dtype=dtype)
        assert got.dtype == dtype
        np.testing.assert_array_equal(got.numpy(), np.eye(n, m, dtype=dtype))
    assert rt.eye(2).dtype == rt.float32
    x = rt.tensor(np.arange(9.0).reshape(3, 3))
    np.testing.assert_array_equal(
        (rt.eye(3, dtype=rt.float64) * x).numpy(), np.diag(np.diag(np.arange(9.0).reshape(3, 3)))
    )


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 6), st.integers(0, 6), st.integers(-7, 7))
def test_tril_triu_indices(row: int, col: int, offset: int) -> None:
    got = rt.tril_indices(row, col, offset)
    assert got.dtype == rt.int64
    np.testing.assert_array_equal(
        got.numpy(), np.array(np.tril_indices(row, offset, col)).reshape(2, -1)
    )
    got = rt.triu_indices(row, col, offset, dtype=rt.int32)
    assert got.dtype == rt.int32
    np.testing.assert_array_equal(
        got.numpy(), np.array(np.triu_indices(row, offset, col)).reshape(2, -1)
    )


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid(indexing: str) -> None:
    xs = [np.arange(3.0), np.arange(4, dtype=np.int32), np.array([7.0, 8.0])]
    for k in (1, 2, 3):
        got = rt.meshgrid(*[rt.tensor(x) for x in xs[:k]], indexing=indexing)
        want = np.meshgrid(*xs[:k], indexing=indexing)
        assert len(got) == k
        for g, w in zip(got, want, strict=True):
            np.testing.assert_array_equal(g.numpy(), w)
    got = rt.meshgrid([rt.tensor(xs[0]), rt.tensor(xs[1])])
    assert [g.shape for g in got] == [(3, 4), (3, 4)]
    with pytest.raises(ValueError, match=r"^meshgrid: indexing must be 'ij' or 'xy'"):
        rt.meshgrid(rt.tensor(xs[0]), indexing="ji")
    with pytest.raises(ValueError, match=r"^meshgrid: expects 0-d or 1-d tensors"):
        rt.meshgrid(rt.zeros(2, 2))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "bool"])
def test_like_functions(dtype: str) -> None:
    x = rt.tensor(np.ones((2, 3), dtype=dtype)).transpose(0, 1)
    for f, v in [(rt.zeros_like, 0), (rt.ones_like, 1), (rt.empty_like, None)]:
        got = f(x)
        assert got.shape == (3, 2)
        assert got.dtype == dtype
        if v is not None:
            np.testing.assert_array_equal(got.numpy(), np.full((3, 2), v, dtype=dtype))
    got = rt.full_like(x, 7, dtype=rt.float64)
    assert got.dtype == rt.float64
    assert got.tolist() == [[7.0, 7.0]] * 3
    assert rt.zeros_like(x, dtype=rt.int32).dtype == rt.int32
    r = rt.randint_like(x, 5, 9, seed=1)
    assert r.dtype == dtype
    assert r.shape == (3, 2)
    if dtype.startswith("float"):
        assert rt.rand_like(x, seed=1).dtype == dtype
        assert rt.randn_like(x, seed=1).shape == (3, 2)
    else:
        with pytest.raises(TypeError, match=r"^rand_like is not supported for dtype"):
            rt.rand_like(x)


def test_arange_float_steps_follow_pytorch() -> None:
    for start, end, step in [
        (0, 1, 0.1),
        (1, 2.5, 0.5),
        (0, 1, 0.3),
        (-1.0, 1.0, 0.25),
        (0.5, 3, 1),
        (10, 0, -1.5),
    ]:
        got = rt.arange(start, end, step, dtype=rt.float64)
        assert got.shape == (math.ceil((end - start) / step),)
        np.testing.assert_allclose(got.numpy(), start + step * np.arange(got.shape[0]), rtol=1e-15)
        assert rt.arange(start, end, step).dtype == rt.float32
    assert rt.arange(5).dtype == rt.int64
    assert rt.arange(0, 5, 2).tolist() == [0, 2, 4]


def test_randint_randperm() -> None:
    a = rt.randint(3, 10, (1000,), seed=5)
    assert a.dtype == rt.int64
    v = a.numpy()
    assert v.min() >= 3
    assert v.max() <= 9
    assert set(v.tolist()) == set(range(3, 10))
    assert rt.randint(10, (2, 3), seed=1).shape == (2, 3)
    assert rt.randint(-4, 4, size=(5,), dtype=rt.int32, seed=1).dtype == rt.int32
    np.testing.assert_array_equal(
        rt.randint(0, 100, (50,), seed=9).numpy(), rt.randint(0, 100, (50,), seed=9).numpy()
    )
    with pytest.raises(ValueError, match=r"^randint: low \(5\) must be less than high \(5\)"):
        rt.randint(5, 5, (2,))
    p = rt.randperm(100, seed=3)
    assert p.dtype == rt.int64
    assert sorted(p.tolist()) == list(range(100))
    assert p.tolist() != list(range(100))
    assert rt.randperm(0).shape == (0,)
    g1, g2 = rt.Generator(7), rt.Generator(7)
    assert rt.randperm(20, generator=g1).tolist() == rt.randperm(20, generator=g2).tolist()
    assert rt.randperm(20, generator=g1).tolist() == rt.randperm(20, generator=g2).tolist()


def test_normal_forms() -> None:
    z = rt.normal(2.0, 3.0, (20000,), seed=1).numpy()
    assert z.dtype == np.float32
    assert abs(z.mean() - 2.0) < 0.1
    assert abs(z.std() - 3.0) < 0.1
    mean = rt.tensor(np.array([0.0, 100.0, -100.0]))
    got = rt.normal(mean, 0.0, seed=2)
    assert got.dtype == rt.float64
    np.testing.assert_array_equal(got.numpy(), [0.0, 100.0, -100.0])
    std = rt.tensor(np.zeros((2, 1), np.float32))
    assert rt.normal(mean, std, seed=2).shape == (2, 3)
    assert rt.normal(1.0, std, seed=2).tolist() == [[1.0], [1.0]]
    with pytest.raises(ValueError, match=r"^normal: std must be >= 0"):
        rt.normal(0.0, -1.0, (2,))
    with pytest.raises(TypeError, match=r"^normal: with a number mean and std, give size"):
        rt.normal(0.0, 1.0)


def test_bernoulli_and_multinomial() -> None:
    p = rt.tensor(np.array([0.0, 1.0, 0.5] * 2000, dtype=np.float64))
    b = rt.bernoulli(p, seed=4)
    assert b.dtype == rt.float64
    v = b.numpy().reshape(-1, 3)
    assert (v[:, 0] == 0).all()
    assert (v[:, 1] == 1).all()
    assert 0.45 < v[:, 2].mean() < 0.55
    assert p.bernoulli(generator=rt.Generator(1)).shape == (6000,)
    with pytest.raises(TypeError, match=r"^bernoulli is not supported for dtype int64"):
        rt.bernoulli(rt.tensor([1, 0]))
    w = rt.tensor([[0.0, 1.0, 3.0], [1.0, 0.0, 0.0]]) * 2  # lazy: evaluated to read the weights
    s = rt.multinomial(w, 2000, replacement=True, generator=rt.Generator(0)).numpy()
    assert s.shape == (2, 2000)
    assert s.dtype == np.int64
    assert set(s[0].tolist()) == {1, 2}
    assert 0.7 < (s[0] == 2).mean() < 0.8
    assert set(s[1].tolist()) == {0}
    perm = rt.tensor([1.0, 1.0, 1.0, 1.0]).multinomial(4, generator=rt.Generator(3))
    assert sorted(perm.tolist()) == [0, 1, 2, 3]
    with pytest.raises(
        ValueError, match=r"^multinomial: cannot sample n_sample \(5\) > prob_dist size \(4\)"
    ):
        rt.multinomial(rt.tensor([1.0, 1.0, 1.0, 1.0]), 5)
    with pytest.raises(ValueError, match=r"^multinomial: probability tensor contains"):
        rt.multinomial(rt.tensor([1.0, -1.0]), 1)


def test_random_values_do_not_depend_on_threads() -> None:
    before = rt.get_num_threads()
    try:
        runs = []
        for n in (1, 2):
            rt.set_num_threads(n)
            runs.append(
                [
                    rt.randint(0, 1000, (100_000,), seed=11).numpy(),
                    rt.randperm(10_000, seed=11).numpy(),
                    rt.normal(rt.zeros(100_000), 1.0, seed=11).numpy(),
                    rt.bernoulli(rt.full((100_000,), 0.3), seed=11).numpy(),
                ]
            )
        for a, b in zip(*runs, strict=True):
            np.testing.assert_array_equal(a, b)
    finally:
        rt.set_num_threads(before)
