"""One decoding step of a tiny attention model, written for PyTorch: an embedding lookup,
causal self-attention, a top-k sampling step and a scatter into a count table. It runs on
RustTorch unchanged but for the import line.

    python examples/attention_step.py
"""

from __future__ import annotations

import math

import numpy as np
import rusttorch as torch  # the one change from the PyTorch version: `import torch`


def decode_step(tokens, emb, wq, wk, wv, wo, counts, k=4):
    x = emb[tokens]  # [T, D]: an embedding lookup (a gather)
    q, kk, v = x @ wq, x @ wk, x @ wv
    t = tokens.shape[0]
    scores = (q @ kk.T) / math.sqrt(q.shape[-1])
    causal = torch.ones(t, t, dtype=torch.bool).triu(1)
    att = torch.softmax(scores.masked_fill(causal, float("-inf")), dim=-1)
    h = (att @ v) @ wo + x  # [T, D], residual
    logits = h[-1] @ emb.T  # [V]: scores of the next token
    top, idx = torch.topk(logits, k)
    probs = torch.softmax(top, dim=-1)
    pick = idx[torch.argmax(probs)]  # greedy over the top k
    sample = idx[torch.multinomial(probs, 1)]  # or sampled
    counts = counts.index_add(0, pick.reshape(1), torch.ones(1, dtype=counts.dtype))
    counts[sample] += 0  # a write through an index tensor (no change)
    seen = torch.unique(tokens)
    return pick, probs, counts, seen


def main() -> None:
    torch.manual_seed(0)
    vocab, dim = 50, 16
    emb = torch.randn(vocab, dim) * 0.5
    wq, wk, wv, wo = (torch.randn(dim, dim) * (dim**-0.5) for _ in range(4))
    tokens = torch.tensor([3, 17, 17, 42, 8])
    counts = torch.zeros(vocab, dtype=torch.int64)
    for _ in range(3):
        pick, probs, counts, seen = decode_step(tokens, emb, wq, wk, wv, wo, counts)
        tokens = torch.cat([tokens, pick.reshape(1)])
    print("tokens:", tokens.tolist())
    print("top-k probabilities of the last step:", np.round(probs.numpy(), 4).tolist())
    print("picked counts:", torch.nonzero(counts).reshape(-1).tolist())
    print("distinct tokens seen:", seen.tolist())


if __name__ == "__main__":
    main()
