"""Train a small MLP on two interleaved spirals (a synthetic, seeded data set) with RustTorch's
autograd: full-batch AdamW, a progress bar (tqdm, when installed), the loss curve and the final
accuracy.

    python examples/train_mlp.py [--steps 1000] [--hidden 64] [--lr 0.01] [--seed 0]

Written as PyTorch code: the model is ``rusttorch.nn`` modules when the package has
``Linear``/``Sequential``/``GELU``, otherwise plain tensors with ``requires_grad=True``; the
optimizer is ``rusttorch.optim.AdamW``.
"""

from __future__ import annotations

import argparse
import itertools
import math
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import rusttorch as rt

try:
    from tqdm import tqdm
except ImportError:  # the example runs without a progress bar
    tqdm = None


def two_spirals(n_per_class: int, seed: int, noise: float = 0.03) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals of 1.5 turns each in [-1, 1]^2; labels 0 and 1."""
    rng = np.random.default_rng(seed)
    theta = np.sqrt(rng.uniform(0.0, 1.0, n_per_class)) * 3.0 * math.pi
    arm = np.stack([theta * np.cos(theta), theta * np.sin(theta)], axis=1) / (3.0 * math.pi)
    x = np.concatenate([arm, -arm]) + rng.normal(0.0, noise, (2 * n_per_class, 2))
    y = np.concatenate([np.zeros(n_per_class), np.ones(n_per_class)]).astype(np.int64)
    return x.astype(np.float32), y


class PlainMLP:
    """``Linear -> GELU -> Linear -> GELU -> Linear`` from tensors that require a gradient (when
    ``rusttorch.nn`` has no ``Linear``/``Sequential``); PyTorch's default init."""

    def __init__(self, sizes: Sequence[int], seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.layers = []
        for fan_in, fan_out in itertools.pairwise(sizes):
            bound = 1.0 / math.sqrt(fan_in)
            w = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32)
            b = rng.uniform(-bound, bound, fan_out).astype(np.float32)
            self.layers.append((rt.tensor(w, requires_grad=True), rt.tensor(b, requires_grad=True)))

    def parameters(self) -> list[rt.Tensor]:
        return [p for layer in self.layers for p in layer]

    def __call__(self, x: rt.Tensor) -> rt.Tensor:
        for i, (w, b) in enumerate(self.layers):
            x = x @ w + b
            if i + 1 < len(self.layers):
                x = rt.nn.functional.gelu(x)
        return x


def make_model(sizes: Sequence[int], seed: int) -> tuple[Any, str]:
    nn = rt.nn
    if all(hasattr(nn, name) for name in ("Linear", "Sequential", "GELU")):
        rt.manual_seed(seed)
        layers: list[Any] = []
        for i, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
            layers.append(nn.Linear(fan_in, fan_out))
            if i + 2 < len(sizes):
                layers.append(nn.GELU())
        return nn.Sequential(*layers), "rusttorch.nn.Sequential"
    return PlainMLP(sizes, seed), "plain tensors (rusttorch.nn has no Linear yet)"


def progress(steps: int) -> tuple[Iterable[int], Callable[[float], None]]:
    """The step range, with a tqdm bar showing the loss when tqdm is installed."""
    if tqdm is None:
        return range(steps), lambda _loss: None
    bar = tqdm(range(steps), desc="training", unit="step")
    return bar, lambda loss: bar.set_postfix(loss=f"{loss:.4f}", refresh=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--points", type=int, default=256, help="points per spiral")
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--every", type=int, default=100, help="print the loss every N steps")
    args = ap.parse_args()

    xn, yn = two_spirals(args.points, args.seed)
    x = rt.from_numpy(xn)
    model, model_kind = make_model([2, args.hidden, args.hidden, 2], args.seed)
    params = list(model.parameters())
    opt = rt.optim.AdamW(params, lr=args.lr)
    n_params = sum(p.numel() for p in params)
    print(f"two spirals: {len(yn)} points; model: {model_kind}, {n_params} parameters")
    print(f"optimizer: rusttorch.optim.AdamW, lr {args.lr}; {args.steps} full-batch steps")

    curve: list[tuple[int, float]] = []
    steps, show = progress(args.steps)
    t0 = time.perf_counter()
    for step in steps:
        opt.zero_grad()
        loss = rt.nn.functional.cross_entropy(model(x), yn)
        loss.backward()
        opt.step()
        if step % args.every == 0 or step == args.steps - 1:
            value = loss.item()
            curve.append((step, value))
            show(value)
    elapsed = time.perf_counter() - t0

    print("\nloss curve:")
    top = max(v for _, v in curve)
    for step, value in curve:
        print(f"  step {step:5d}  loss {value:.5f}  {'#' * max(1, round(40 * value / top))}")
    with rt.no_grad():
        pred = model(x).argmax(dim=1).numpy()
    acc = float((pred == yn).mean())
    print(
        f"\nfinal train accuracy: {100 * acc:.1f} % ({int((pred == yn).sum())}/{len(yn)}); "
        f"{1e3 * elapsed / args.steps:.2f} ms per step"
    )


if __name__ == "__main__":
    main()
