"""Evaluation releases the GIL; 8 Python threads evaluating different and shared expressions
at once get correct results."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import rusttorch as rt

N_THREADS = 8


def test_eight_threads_different_and_shared_expressions() -> None:
    rng = np.random.default_rng(0)
    an, bn, cn = (rng.standard_normal(50_000).astype(np.float64) for _ in range(3))
    a, b, c = rt.from_numpy(an), rt.from_numpy(bn), rt.from_numpy(cn)
    shared_base = (a * b).tanh()  # a lazy subexpression every thread builds on
    barrier = threading.Barrier(N_THREADS)

    def work(i: int) -> None:
        barrier.wait()  # all threads evaluate at the same time
        for k in range(20):
            s = 0.5 + 0.1 * i + k
            own = ((a * s + b) * c - a).sigmoid().numpy()
            np.testing.assert_allclose(
                own, 1 / (1 + np.exp(-((an * s + bn) * cn - an))), rtol=1e-12
            )
            both = (shared_base * s + c).sum(dim=0).item()
            np.testing.assert_allclose(both, (np.tanh(an * bn) * s + cn).sum(), rtol=1e-10)

    with ThreadPoolExecutor(N_THREADS) as pool:
        for f in [pool.submit(work, i) for i in range(N_THREADS)]:
            f.result()


def test_eight_threads_evaluate_one_lazy_tensor() -> None:
    x = rt.from_numpy(np.linspace(-3, 3, 200_000))
    barrier = threading.Barrier(N_THREADS)
    for _ in range(5):
        y = ((x * 2.0).exp() + x).log_softmax(0)
        results: list[np.ndarray] = []

        def work(y: rt.Tensor = y, results: list[np.ndarray] = results) -> None:
            barrier.wait()
            results.append(y.numpy())

        threads = [threading.Thread(target=work) for _ in range(N_THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(results) == N_THREADS
        x64 = np.linspace(-3, 3, 200_000)
        z = np.exp(x64 * 2.0) + x64
        expected = z - z.max() - np.log(np.exp(z - z.max()).sum())
        for r in results:
            np.testing.assert_allclose(r, expected, rtol=1e-9, atol=1e-9)


def test_evaluation_releases_the_gil() -> None:
    # While one thread evaluates a large expression, another Python thread keeps running.
    x = rt.from_numpy(np.ones(4_000_000))
    ticks = 0
    done = threading.Event()

    def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1

    t = threading.Thread(target=ticker)
    t.start()
    try:
        for _ in range(5):
            y = (((x * 1.5).exp() + x).sqrt().tanh() * 2.0).sum().item()
    finally:
        done.set()
        t.join()
    assert ticks > 0
    assert np.isfinite(y)
