"""rusttorch.dask: expressions over Dask arrays equal the same expressions in memory, one task
per chunk per region, on every Dask scheduler (docs/scale-out.md)."""

from __future__ import annotations

import itertools
import os

import numpy as np
import pytest
import rusttorch as rt

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
rtd = pytest.importorskip("rusttorch.dask")

RNG = np.random.default_rng(7)


def pair(a: np.ndarray, chunks) -> tuple[rt.Tensor, rt.Tensor]:
    """The same data as a Dask-backed tensor and as an in-memory one."""
    return rtd.from_dask(da.from_array(a, chunks=chunks)), rt.from_numpy(a.copy())


def close(got: rt.Tensor, want: rt.Tensor, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    g, w = got.numpy(), want.numpy()
    assert g.shape == w.shape
    assert g.dtype == w.dtype
    np.testing.assert_allclose(g, w, rtol=rtol, atol=atol, equal_nan=True)


def region_tasks(arr) -> int:
    return sum(
        len(layer) for name, layer in arr.dask.layers.items() if name.startswith("rusttorch-region")
    )


# ---------------------------------------------------------------- elementwise regions


def test_elementwise_chain_is_one_task_per_chunk():
    x = RNG.standard_normal(1600).astype(np.float32)
    (a, am), (b, bm), (c, cm) = (pair(x * k, 100) for k in (1.0, 2.0, -0.5))
    expr = lambda a, b, c: (a * b + c) * 0.5 - a * c  # noqa: E731
    d = rtd.to_dask(expr(a, b, c))
    assert isinstance(d, da.Array)
    assert d.numblocks == (16,)
    assert region_tasks(d) == 16
    close(expr(a, b, c), expr(am, bm, cm))
    assert "16 task(s)" in rtd.explain(expr(a, b, c))
    assert expr(a, b, c).explain() == rtd.explain(expr(a, b, c)) == rt.explain(expr(a, b, c))


def test_values_match_numpy_float64_and_stay_lazy_until_asked():
    x = RNG.standard_normal((30, 20))
    t, _ = pair(x, (7, 6))
    y = (t.exp() * 2.0 - t.sin()).abs().sqrt()
    assert not y.is_evaluated
    np.testing.assert_allclose(y.numpy(), np.sqrt(np.abs(np.exp(x) * 2.0 - np.sin(x))), rtol=1e-12)
    assert y.is_evaluated


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64, np.bool_])
def test_dtypes(dtype):
    x = (RNG.standard_normal((12, 9)) * 10).astype(dtype)
    t, m = pair(x, (5, 4))
    if dtype == np.bool_:
        close(t & ~t | t, m & ~m | m)
    else:
        close(t * 3 + t, m * 3 + m)
        close((t > 0).sum(), (m > 0).sum())


@pytest.mark.parametrize(
    "other",
    [
        np.float32(2.5),
        RNG.standard_normal(9).astype(np.float32),  # small: travels inside the region's graph
        RNG.standard_normal((12, 1)).astype(np.float32),  # spans the chunked dim 0
        RNG.standard_normal((400, 9)).astype(np.float32),  # large: a Dask array chunked alike
    ],
    ids=["scalar", "row", "column", "full"],
)
def test_broadcasting_against_in_memory_tensors(other):
    n = 400 if np.ndim(other) == 2 and other.shape[0] == 400 else 12
    x = RNG.standard_normal((n, 9)).astype(np.float32)
    t, m = pair(x, (5, 4))
    o = rt.tensor(other) if np.ndim(other) else float(other)
    close(t * o + o, m * o + o)
    close(o - t, o - m)


def test_two_dask_operands_with_different_chunks_and_broadcasting():
    x = RNG.standard_normal((12, 8))
    y = RNG.standard_normal((1, 8))
    z = RNG.standard_normal(8)
    (a, am), (b, bm), (c, cm) = pair(x, (4, 3)), pair(y, (1, 5)), pair(z, 2)
    close(a * b + c, am * bm + cm, rtol=1e-12)
    close(a + a.T.T, am + am, rtol=1e-12)


def test_empty_and_zero_d():
    e, em = pair(np.zeros((0, 4), np.float32), (1, 2))
    close((e + 1).sum(0), (em + 1).sum(0))
    s, sm = pair(np.array(3.0), ())
    close(s * 2, sm * 2)


# ---------------------------------------------------------------- reductions

# A chunk-size budget so small that no rechunk fits: normalisations along chunked dims take
# the passes plan; with Dask's default budget the sources are rechunked instead.
PLANS = pytest.mark.parametrize("plan", ["rechunk", "passes"])


def plan_config(plan: str):
    return dask.config.set({"array.chunk-size": "128MiB" if plan == "rechunk" else "64B"})


RAGGED = RNG.standard_normal((11, 7, 5))
AXES = [
    None,
    *itertools.chain.from_iterable(itertools.combinations(range(3), k) for k in (1, 2, 3)),
]


@pytest.mark.parametrize("axes", AXES, ids=str)
@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "prod", "var", "std", "norm"])
def test_reductions_over_every_axis_combination_with_ragged_chunks(name, axes):
    for plan in ("rechunk", "passes"):
        with plan_config(plan):
            check_reduction(name, axes)


def check_reduction(name, axes):
    x = RAGGED.astype(np.float32)
    if name == "prod":
        x = (1 + 0.05 * x).astype(np.float32)
    t, m = pair(x, ((4, 4, 3), (3, 4), (5,)))
    for keepdim in (False, True):
        if name == "norm":
            got, want = (rt.linalg.vector_norm(u, dim=axes, keepdim=keepdim) for u in (t, m))
        else:
            got, want = (getattr(u, name)(dim=axes, keepdim=keepdim) for u in (t, m))
        close(got, want, rtol=2e-5, atol=1e-5)


@pytest.mark.parametrize("axes", [(0,), (1,), (0, 1), None], ids=str)
def test_var_across_chunks_is_one_pass_merged_by_chan(axes):
    # A mean far larger than the spread: sum-of-squares formulas lose every digit here.
    x = 1e4 + RNG.standard_normal((12, 9))
    t, _ = pair(x, ((5, 5, 2), (4, 5)))
    with plan_config("passes"):
        for correction in (0, 1):
            got = t.var(dim=axes, correction=correction)
            want = np.var(x, axis=axes, ddof=correction)
            np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)
        d = rtd.to_dask(t.std(dim=axes))
    aggregates = [n for n in d.dask.layers if n.startswith("rusttorch-aggregate")]
    assert len(aggregates) == 1  # not a mean pass and then a deviation pass
    with plan_config("passes"):
        assert "Chan" in rtd.explain(t.std(dim=axes))


def test_chan_merge_skips_empty_chunks():
    from rusttorch.dask._tasks import chan_merge

    # (count, mean, M2) of [1, 2], [], [4]
    p = np.array([2.0, 1.5, 0.5, 0.0, np.nan, 0.0, 1.0, 4.0, 0.0])
    np.testing.assert_allclose(chan_merge(p, (0,), False), np.var([1, 2, 4]) * 3)


@pytest.mark.parametrize("dim", [0, 1, 2])
@pytest.mark.parametrize("name", ["argmax", "argmin", "logsumexp"])
def test_single_dim_reductions(name, dim):
    x = RAGGED.astype(np.float32)
    x[3, 2, 1] = np.nan if name != "logsumexp" else x[3, 2, 1]
    t, m = pair(x, ((4, 4, 3), (3, 4), (2, 3)))
    for keepdim in (False, True):
        close(
            getattr(t, name)(dim=dim, keepdim=keepdim), getattr(m, name)(dim=dim, keepdim=keepdim)
        )


def test_sum_is_bitwise_the_same_on_every_scheduler():
    x = RNG.standard_normal(10_000).astype(np.float32)
    t, _ = pair(x, 997)
    y = (t * 1.5 + 0.25).sum()
    got = set()
    for sched in ("sync", "threads"):
        with dask.config.set(scheduler=sched):
            got.add(rtd.to_dask(y).compute().tobytes())
    assert len(got) == 1


def test_integer_sum_wraps_as_in_memory():
    x = np.full(64, 2**30, np.int32)
    t, m = pair(x, 8)
    close(t.sum(), m.sum())
    close(t.sum(dtype=rt.int32) if False else t.sum(), m.sum())


# ---------------------------------------------------------------- softmax, layer_norm, matmul


@PLANS
@pytest.mark.parametrize("chunks", [(4, 12), (12, 5)], ids=["rows", "cols"])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_along_a_chunked_or_whole_axis(name, chunks, plan):
    x = (RNG.standard_normal((12, 12)) * 3).astype(np.float32)
    t, m = pair(x, chunks)
    with plan_config(plan):
        close(getattr(t, name)(1), getattr(m, name)(1))
        layers = rtd.explain(getattr(t, name)(1))
    chunked = chunks[1] < 12
    assert ("rechunk" in layers) == (chunked and plan == "rechunk")
    assert ("reduce" in layers) == (chunked and plan == "passes")


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_across_chunks_takes_two_passes(name):
    x = (RNG.standard_normal((12, 12)) * 3).astype(np.float32)
    x[0, :5] = -np.inf  # a whole chunk of -inf in a row
    x[1, 7] = np.inf
    x[2, 3] = np.nan
    x[3, :] = -np.inf
    t, m = pair(x, (4, 5))
    with plan_config("passes"):
        close(getattr(t, name)(1), getattr(m, name)(1))
        d = rtd.to_dask(getattr(t, name)(1))
        layers = rtd.explain(getattr(t, name)(1))
    # One pass for the (max, sum) pairs, one for the result: no separate max pass.
    assert sum(n.startswith("rusttorch-aggregate") for n in d.dask.layers) == 1
    assert [line.split()[1] for line in layers.splitlines()[1:]] == ["region", "reduce", "region"]


@PLANS
@pytest.mark.parametrize("chunks", [(4, 16), (4, 5)], ids=["rows", "both"])
def test_layer_norm(chunks, plan):
    x = RNG.standard_normal((12, 16)).astype(np.float32)
    w, b = (
        rt.tensor(RNG.standard_normal(16).astype(np.float32)),
        rt.tensor(RNG.standard_normal(16).astype(np.float32)),
    )
    t, m = pair(x, chunks)
    f = lambda u: rt.nn.functional.layer_norm(u, (16,), w, b, 1e-5)  # noqa: E731
    with plan_config(plan):
        close(f(t), f(m), rtol=1e-4, atol=1e-5)


def test_rechunked_normalisation_is_one_region_per_row_block():
    x = RNG.standard_normal((40, 16)).astype(np.float32)
    t, m = pair(x, (10, 4))
    d = rtd.to_dask(t.softmax(1))
    assert region_tasks(d) == 4
    close(t.softmax(1), m.softmax(1))


def test_softmax_on_whole_rows_is_one_region():
    x = RNG.standard_normal((40, 16)).astype(np.float32)
    t, _ = pair(x, (10, 16))
    d = rtd.to_dask(t.softmax(1))
    assert region_tasks(d) == 4
    assert not any(name.startswith("rusttorch-aggregate") for name in d.dask.layers)


def test_matmul_row_chunks_with_in_memory_matrix_and_epilogue():
    x = RNG.standard_normal((40, 24)).astype(np.float32)
    w = rt.tensor(RNG.standard_normal((24, 8)).astype(np.float32))
    b = rt.tensor(RNG.standard_normal(8).astype(np.float32))
    t, m = pair(x, (10, 24))
    d = rtd.to_dask((t @ w + b).relu())
    assert region_tasks(d) == 4
    close((t @ w + b).relu(), (m @ w + b).relu(), rtol=1e-4, atol=1e-4)


def test_a_matmul_used_twice_is_computed_once():
    x = RNG.standard_normal((40, 24)).astype(np.float32)
    w = rt.tensor(RNG.standard_normal((24, 8)).astype(np.float32))
    t, m = pair(x, (10, 24))

    def f(u):
        h = u @ w
        return h.relu().sum(0) + h.sigmoid().amax(0)

    close(f(t), f(m), rtol=1e-4, atol=1e-4)
    layers = rtd.explain(f(t)).splitlines()
    assert sum("matmul" in line for line in layers) == 1  # one region computes it


def test_matmul_chunked_by_chunked():
    x, y = RNG.standard_normal((30, 20)), RNG.standard_normal((20, 14))
    (a, am), (b, bm) = pair(x, (7, 6)), pair(y, (6, 5))
    close(a @ b, am @ bm, rtol=1e-10)
    close((a @ b).sum(0), (am @ bm).sum(0), rtol=1e-10)


# ---------------------------------------------------------------- views, errors, API


def test_views_go_through_dask():
    x = RNG.standard_normal((12, 10))
    t, m = pair(x, (5, 4))
    close(t[2:11:3, ::-2] * 2, m[2:11:3, ::-2] * 2)
    close(t.reshape(120) + 1, m.reshape(120) + 1)
    close(rt.cat([t, t * 2], 0).sum(1), rt.cat([m, m * 2], 0).sum(1))
    close(t[:, None, :].expand(12, 3, 10).sum(1), m[:, None, :].expand(12, 3, 10).sum(1))


def test_ops_that_need_a_whole_chunked_dim_name_the_op_and_the_chunking():
    t, _ = pair(RNG.standard_normal((12, 10)), (5, 4))
    with pytest.raises(ValueError, match=r"cumsum.*dim 0.*3 chunks"):
        t.cumsum(0).numpy()
    close(t.cumsum(1).sum(), rt.from_numpy(t.numpy()).cumsum(1).sum())  # whole dim: fine
    with pytest.raises(TypeError, match="from_dask"):
        rtd.from_dask(np.zeros(3))


def test_compute_shares_work_and_evaluates_in_place():
    t, m = pair(RNG.standard_normal((8, 8)), 4)
    u, v = t.exp(), (t.exp() * 2).sum()
    assert rtd.compute(u, v) == (u, v)
    close(u, m.exp())
    close(v, (m.exp() * 2).sum())


def test_to_dask_of_an_in_memory_tensor():
    d = rtd.to_dask(rt.arange(6.0) * 2)
    np.testing.assert_array_equal(d.compute(), np.arange(6.0) * 2)


# ---------------------------------------------------------------- schedulers


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_every_local_scheduler(scheduler):
    x = RNG.standard_normal((64, 32)).astype(np.float32)
    t, m = pair(x, (16, 8))
    w = rt.tensor(RNG.standard_normal(32).astype(np.float32))  # travels inside the graph

    def f(u):
        return ((u * w).exp().sum(1) + u.softmax(0).amax(1)).sqrt() + (u @ w.abs()).sigmoid()

    with dask.config.set(scheduler=scheduler):
        close(f(t), f(m))


@pytest.fixture(scope="module")
def cluster_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_local_cluster(cluster_client):
    x = RNG.standard_normal((64, 32)).astype(np.float32)
    t, m = pair(x, (16, 8))
    cluster_client.register_plugin(rtd.RustTorchThreads())
    w = rt.tensor(RNG.standard_normal(32).astype(np.float32))

    def f(u):
        return (u.tanh() * w + 1).log_softmax(1).mean(0)

    close(f(t), f(m))
    threads = cluster_client.run(rt.get_num_threads)
    assert set(threads.values()) == {1}


def test_a_killed_worker_is_retried(cluster_client, tmp_path):
    x = RNG.standard_normal((64, 32)).astype(np.float32)
    m = rt.from_numpy(x)
    flag = str(tmp_path / "killed")

    def die_once(block, flag=flag):
        # The first task to run kills its worker process; Dask runs it again elsewhere.
        if not os.path.exists(flag):
            open(flag, "w").close()
            os._exit(1)
        return block

    src = da.from_array(x, chunks=(8, 32)).map_blocks(
        die_once, dtype=np.float32, meta=np.empty((0, 0), np.float32)
    )
    got = (rtd.from_dask(src) * 2).sum(1)
    close(got, (m * 2).sum(1))


def test_rusttorch_num_threads_sets_the_default_engine():
    import subprocess
    import sys

    code = "import rusttorch as rt; print(rt.get_num_threads())"
    for env, want in (("1", "1"), ("3", "3"), ("zero", None)):
        out = subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "RUSTTORCH_NUM_THREADS": env},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert out == (want or str(len(os.sched_getaffinity(0)))), (env, out)


def test_dask_arrays_are_forgotten_with_their_tensors():
    import gc

    from rusttorch.dask import _sources

    before = _sources.held()
    t = rtd.from_dask(da.from_array(RNG.standard_normal(1000), chunks=100))
    y = (t * 2).exp()  # a graph built on the placeholder keeps the array too
    del t
    gc.collect()
    assert _sources.held() == before + 1
    close(y.sum(), rt.from_numpy(y.numpy()).sum())
    del y
    gc.collect()
    assert _sources.held() == before


def test_explain_counts_a_shared_subexpression_once():
    t, _ = pair(RNG.standard_normal(40), 10)
    h = t.exp()
    assert "4 ops (exp mul sin add)" in rtd.explain(h * 2 + h.sin())
