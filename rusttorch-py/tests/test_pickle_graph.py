"""Pickle of lazy tensors as their graphs (not evaluated; DAG sharing kept; explain() and values
equal after loading, here and in a fresh process), evaluated tensors as their values, protocol 5
out-of-band buffers (zero copy), every dtype, and the errors for another format version or a
damaged blob (docs/pickle.md)."""

from __future__ import annotations

import copy
import operator
import pickle
import random
import subprocess
import sys
import textwrap
from collections.abc import Callable

import numpy as np
import pytest
import rusttorch as rt

DTYPES = sorted(
    {v for v in vars(rt).values() if isinstance(v, type(rt.float32))}, key=lambda d: d.name
)


def f64(t: rt.Tensor) -> np.ndarray:
    """Values as float64 (every dtype converts; NaNs compare equal with assert_array_equal)."""
    return np.asarray(t.to(rt.float64).numpy())


def data(shape: tuple[int, ...], dtype: rt.dtype = rt.float32, seed: int = 0) -> rt.Tensor:
    rng = np.random.default_rng(seed)
    return rt.tensor(rng.standard_normal(shape)).to(dtype).eval()


def same(a: rt.Tensor, b: rt.Tensor) -> None:
    assert (a.dtype, a.shape) == (b.dtype, b.shape)
    np.testing.assert_array_equal(f64(a), f64(b))


X = data((4, 5))
IDX = rt.tensor([[0, 2, 1, 4, 3], [1, 1, 0, 0, 2], [3, 2, 1, 0, 4], [4, 4, 4, 0, 1]])
GEN = rt.Generator(1234)

GRAPHS: dict[str, Callable[[], rt.Tensor]] = {
    "elementwise": lambda: (X * 2 + 1).exp().sigmoid() - X.abs().sqrt(),
    "parameters": lambda: (
        rt.nn.functional.leaky_relu(X, 0.3) + rt.nn.functional.gelu(X, approximate="tanh")
    ),
    "matmul": lambda: (X @ X.T).tanh() @ X,
    "reductions": lambda: (
        X.sum(1, keepdim=True) + X.amax(0) - X.std(1, keepdim=True) * X.argmax(1, keepdim=True)
    ),
    "softmax": lambda: X.softmax(1).log(),
    "gather": lambda: X.gather(1, IDX) + rt.index_select(X, 0, rt.tensor([3, 0, 0])).sum(0),
    "scatter": lambda: rt.scatter_add(X * 1, 1, IDX, X.exp()),
    "indexing": lambda: X[rt.tensor([0, 2]), 1:] * X[::-2, ::2].sum(),
    "scans_sorts": lambda: (
        X.cumsum(1) + X.sort(1, descending=True).values + X.topk(2, 1).values.sum(1, keepdim=True)
    ),
    "where_cat": lambda: rt.cat([rt.where(X > 0, X, -X), X.T.reshape(4, 5)], 0),
    "views": lambda: X.T[1:, ::2].unsqueeze(0).expand(3, 4, 2),
    "casts": lambda: (X * 10).to(rt.int32) // 3 + (X > 0).to(rt.int64),
    "constants": lambda: rt.full((2, 3), 2.5) + rt.arange(3) * rt.zeros(2, 1),
    "random": lambda: rt.rand(4, 5, generator=GEN) * X + rt.randn(5, generator=GEN),
    "bernoulli": lambda: (X.sigmoid()).bernoulli(generator=GEN) * X,
    "zero_d": lambda: X.sum() * 2,
    "empty": lambda: (rt.zeros(0, 3) + 1).exp(),
}


def random_graph(seed: int) -> rt.Tensor:
    """A random DAG of elementwise ops, reductions, views and matmuls over two inputs, each new
    node reading earlier ones (so nodes are shared)."""
    rng = random.Random(seed)
    nodes = [data((3, 3), seed=seed), data((3, 3), seed=seed + 1)]
    unary = [
        rt.exp,
        rt.tanh,
        rt.sin,
        lambda t: t.abs().sqrt(),
        lambda t: t.T,
        lambda t: t.sum(0, keepdim=True),
    ]
    binary = [operator.add, operator.mul, rt.maximum, rt.matmul, lambda a, b: rt.where(a > b, a, b)]
    for _ in range(rng.randint(3, 12)):
        if rng.random() < 0.5:
            nodes.append(rng.choice(unary)(rng.choice(nodes)))
        else:
            nodes.append(rng.choice(binary)(rng.choice(nodes), rng.choice(nodes)))
    return nodes[-1] + nodes[-2]


@pytest.mark.parametrize("name", GRAPHS)
def test_a_lazy_tensor_pickles_as_its_graph(name: str) -> None:
    y = GRAPHS[name]()
    for protocol in (2, 4, 5):
        back = pickle.loads(pickle.dumps(y, protocol=protocol))
        assert not y.is_evaluated, "pickling evaluated the tensor"
        assert back.is_evaluated == y.is_evaluated
        assert back.explain() == y.explain()
    expected = f64(y)
    back = pickle.loads(pickle.dumps(y))
    np.testing.assert_array_equal(f64(back), expected)


def test_loaded_graphs_are_lazy_and_evaluate_to_the_same_values() -> None:
    y = (X * 3).exp().sum(1)
    back = pickle.loads(pickle.dumps(y))
    assert not back.is_evaluated
    assert back.eval().is_evaluated
    same(back, y)
    assert not y.is_evaluated


def test_an_evaluated_tensor_pickles_as_its_values() -> None:
    y = (X * 3).exp().eval()
    s = pickle.dumps(y, protocol=4)
    assert y.numpy().tobytes() in s
    back = pickle.loads(s)
    assert back.is_evaluated
    same(back, y)


@pytest.mark.parametrize("seed", range(20))
def test_random_graphs_round_trip(seed: int) -> None:
    y = random_graph(seed)
    back = pickle.loads(pickle.dumps(y))
    assert back.explain() == y.explain()
    np.testing.assert_allclose(f64(back), f64(y), rtol=0, atol=0)


def test_shared_subexpressions_stay_shared() -> None:
    a = X
    for _ in range(40):
        a = a + a  # a tree of 2**40 leaves, a DAG of 41 nodes
    data_ = pickle.dumps(a, protocol=5, buffer_callback=lambda b: None)
    assert len(data_) < 2000
    back = pickle.loads(data_, buffers=[pickle.PickleBuffer(X.numpy())])
    same(back, a)
    e = X.exp()
    y = e * e + e
    back = pickle.loads(pickle.dumps(y))
    assert back.explain() == y.explain()
    assert back.explain().count("exp") == y.explain().count("exp")


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.name)
def test_every_dtype_round_trips_lazy_and_evaluated(dtype: rt.dtype) -> None:
    base = rt.tensor([[-3, -1, 0], [1, 2, 5]]).to(dtype).eval()
    for t in (
        base,
        base.T,
        base[1:],
        rt.full((2, 2), 1, dtype=dtype),
        base.reshape(3, 2).flip(0),
        base[0, 0],
    ):
        for protocol in (2, 5):
            back = pickle.loads(pickle.dumps(t, protocol=protocol))
            same(back, t)
    empty = base[:0]
    same(pickle.loads(pickle.dumps(empty)), empty)


def test_protocol_5_buffers_go_out_of_band_without_copies() -> None:
    t = data((64, 32), rt.float64)  # evaluated: 16 KiB of values
    raw = t.numpy().tobytes()
    bufs: list[pickle.PickleBuffer] = []
    s = pickle.dumps(t, protocol=5, buffer_callback=bufs.append)
    assert len(bufs) == 1
    assert raw not in s
    assert len(s) < 500
    assert bytes(bufs[0].raw()) == raw
    back = pickle.loads(s, buffers=bufs)
    same(back, t)
    # The loaded tensor reads the buffers' memory: the original tensor's, here.
    assert np.shares_memory(back.numpy(), t.numpy())
    # A lazy graph over it: the graph in the stream, the leaf out of band.
    y = t.T @ t + 1
    bufs = []
    s = pickle.dumps(y, protocol=5, buffer_callback=bufs.append)
    assert len(bufs) == 1
    assert raw not in s
    back = pickle.loads(s, buffers=bufs)
    assert not back.is_evaluated
    same(back, y)
    # Buffers received as plain bytes (from a socket, say) work too.
    back = pickle.loads(s, buffers=[bytes(b.raw()) for b in bufs])
    same(back, y)


def test_protocol_5_without_a_callback_and_older_protocols_are_in_band() -> None:
    t = data((8, 8))
    raw = t.numpy().tobytes()
    for protocol in range(0, pickle.HIGHEST_PROTOCOL + 1):
        s = pickle.dumps(t + 1, protocol=protocol)
        if protocol >= 3:  # protocols 0 to 2 write bytes through latin-1 strings
            assert raw in s
        same(pickle.loads(s), t + 1)


def test_seeded_random_ops_keep_their_values() -> None:
    g = rt.Generator(7)
    y = rt.rand(3, 4, generator=g) * 2 + rt.randn(4, generator=g)
    s = pickle.dumps(y)
    first, second = pickle.loads(s), pickle.loads(s)
    same(first, y)
    same(second, y)
    expected = rt.Generator(7)
    same(y, rt.rand(3, 4, generator=expected) * 2 + rt.randn(4, generator=expected))


def reduced_blob(t: rt.Tensor) -> tuple[bytes, list[bytes]]:
    fn, (blob, bufs) = t.__reduce_ex__(4)
    assert fn is rt._rebuild_tensor
    return blob, bufs


def test_another_format_version_is_refused_naming_the_versions() -> None:
    y = X * 2
    blob, _ = reduced_blob(y)
    assert blob[:8] == b"RTGRAPH\0"
    assert int.from_bytes(blob[8:12], "little") == 1
    newer = blob[:8] + (99).to_bytes(4, "little") + blob[12:]
    s = pickle.dumps(y, protocol=4).replace(blob, newer)
    with pytest.raises(
        pickle.UnpicklingError, match="format version 99: this rusttorch reads format version 1"
    ):
        pickle.loads(s)


def test_damaged_blobs_and_buffers_are_refused() -> None:
    y = (X * 2).sum(0)
    blob, bufs = reduced_blob(y)
    rebuild = rt._rebuild_tensor
    with pytest.raises(pickle.UnpicklingError, match="corrupted rusttorch graph"):
        rebuild(b"\x80\x04not a graph", bufs)
    with pytest.raises(pickle.UnpicklingError, match="corrupted"):
        rebuild(blob[:-3], bufs)
    flipped = bytearray(blob)
    flipped[-2] ^= 1
    with pytest.raises(pickle.UnpicklingError, match="checksum"):
        rebuild(bytes(flipped), bufs)
    with pytest.raises(pickle.UnpicklingError, match="buffers"):
        rebuild(blob, [])
    with pytest.raises(pickle.UnpicklingError, match="bytes"):
        rebuild(blob, [bufs[0][:-4]])
    s = pickle.dumps(y, protocol=4).replace(blob, bytes(flipped))
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(s)
    m = rt.tensor([True, False])
    blob, _ = reduced_blob(m)
    with pytest.raises(pickle.UnpicklingError, match="bool"):
        rebuild(blob, [b"\x01\x07"])


def test_unaligned_buffers_are_copied() -> None:
    t = data((5,), rt.float64)
    blob, bufs = reduced_blob(t)
    shifted = memoryview(b"\0" + bufs[0])[1:]
    same(rt._rebuild_tensor(blob, [shifted]), t)


def test_copies_do_not_evaluate_lazy_tensors() -> None:
    y = (X * 2).exp()
    c, d = copy.copy(y), copy.deepcopy(y)
    assert not y.is_evaluated
    assert not c.is_evaluated
    assert not d.is_evaluated
    assert c.explain() == y.explain()
    same(d, y)
    c += 1
    assert not y.is_evaluated
    np.testing.assert_array_equal(f64(c), f64(y + 1))


CHILD = textwrap.dedent(
    """
    import pickle, sys
    import rusttorch as rt

    cases = pickle.loads(sys.stdin.buffer.read())
    out = {}
    for name, (payload, buffers) in cases.items():
        t = pickle.loads(payload, buffers=buffers)
        lazy = not t.is_evaluated
        explain = t.explain()  # before evaluating: a float64 tensor's .to(float64) is itself
        values = t.to(rt.float64).numpy().copy()
        out[name] = (lazy, explain, values, str(t.dtype), tuple(t.shape))
    sys.stdout.buffer.write(pickle.dumps(out))
    """
)


def test_round_trips_across_processes() -> None:
    tensors = {name: make() for name, make in GRAPHS.items()}
    tensors |= {f"random{s}": random_graph(s) for s in range(5)}
    for d in DTYPES:
        base = rt.tensor([[-3, -1, 0], [1, 2, 5]]).to(d).eval()
        tensors[f"{d.name}_evaluated"] = base
        tensors[f"{d.name}_view"] = base.T[1:]
        tensors[f"{d.name}_lazy"] = rt.cat([base, rt.full((1, 3), 1, dtype=d)]).flip(0)
    cases = {}
    for name, t in tensors.items():
        bufs: list[pickle.PickleBuffer] = []
        s = pickle.dumps(t, protocol=5, buffer_callback=bufs.append)
        cases[name] = (s, [bytes(b.raw()) for b in bufs])  # what a socket would carry
    lazy = {name: not t.is_evaluated for name, t in tensors.items()}
    explains = {name: t.explain() for name, t in tensors.items()}
    child = subprocess.run(
        [sys.executable, "-c", CHILD],
        input=pickle.dumps(cases),
        capture_output=True,
        check=False,
        timeout=300,
    )
    assert child.returncode == 0, child.stderr.decode()
    out = pickle.loads(child.stdout)
    assert out.keys() == tensors.keys()
    for name, t in tensors.items():
        was_lazy, explain, values, dtype, shape = out[name]
        assert was_lazy == lazy[name], name
        assert explain == explains[name], name
        assert (dtype, shape) == (str(t.dtype), tuple(t.shape)), name
        np.testing.assert_array_equal(values, f64(t), err_msg=name)
