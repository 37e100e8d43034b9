"""The PyTorch program `examples/attention_step.py` (embedding, causal attention, top-k
sampling, index_add, an indexed write, unique) runs on RustTorch unchanged but for the import,
and its numbers match a NumPy float64 version of the same step."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import rusttorch as rt

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "attention_step.py"


def load():
    spec = importlib.util.spec_from_file_location("attention_step", EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def numpy_step(tokens, emb, wq, wk, wv, wo, k=4):
    x = emb[tokens]
    q, kk, v = x @ wq, x @ wk, x @ wv
    t = len(tokens)
    s = (q @ kk.T) / np.sqrt(q.shape[-1])
    s = np.where(np.triu(np.ones((t, t), bool), 1), -np.inf, s)
    att = np.exp(s - s.max(-1, keepdims=True))
    att /= att.sum(-1, keepdims=True)
    h = att @ v @ wo + x
    logits = h[-1] @ emb.T
    idx = np.argsort(-logits, kind="stable")[:k]
    top = logits[idx]
    p = np.exp(top - top.max())
    return idx[np.argmax(p)], p / p.sum()


def test_the_pytorch_program_runs_and_matches_numpy() -> None:
    mod = load()
    rng = np.random.default_rng(0)
    vocab, dim = 40, 8
    emb = rng.standard_normal((vocab, dim)) * 0.5
    ws = [rng.standard_normal((dim, dim)) / np.sqrt(dim) for _ in range(4)]
    tokens = np.array([3, 17, 17, 25, 8])
    counts = rt.zeros(vocab, dtype=rt.int64)
    pick, probs, counts, seen = mod.decode_step(
        rt.tensor(tokens), rt.tensor(emb), *(rt.tensor(w) for w in ws), counts
    )
    want_pick, want_probs = numpy_step(tokens, emb, *ws)
    assert int(pick) == want_pick
    np.testing.assert_allclose(probs.numpy(), want_probs, rtol=1e-10)
    want_counts = np.zeros(vocab, dtype=np.int64)
    want_counts[want_pick] = 1
    np.testing.assert_array_equal(counts.numpy(), want_counts)
    np.testing.assert_array_equal(seen.numpy(), np.unique(tokens))


def test_the_example_runs_as_a_script() -> None:
    mod = load()
    mod.main()
