"""The training suite (``--suite train``): T1, an MLP training step, and T2, the forward and
backward of ``layer_norm(gelu(x @ W + b))``; their inputs, float64 references and checks.

Every engine builds the same inputs from the same seed (``t1_inputs``, ``t2_inputs``), so a
worker process needs no arrays from the parent. Layouts: weights are ``(in, out)`` (``x @ W``);
PyTorch's ``nn.Linear`` gets their transposes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

LN_EPS = 1e-5
LR = 1e-3
BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8
WEIGHT_DECAY = 1e-2
# Steps of the T1 fingerprint: the losses before each of the first FINGERPRINT_STEPS updates.
FINGERPRINT_STEPS = 3


@dataclass
class TrainWorkload:
    """One row of the training suite: sizes, the description and what a call does."""

    key: str
    name: str
    desc: str
    dims: dict[str, int]
    flops: float  # per call (matmuls only), for a GFLOP/s column

    def record(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "desc": self.desc,
            "dims": self.dims,
            "flops": self.flops,
        }


def train_suite(quick: bool) -> list[TrainWorkload]:
    """T1 and T2; ``quick`` shrinks them 4x per dimension (smoke tests)."""
    s = 4 if quick else 1
    batch, d_in, hidden, classes = 1024 // s, 784 // s, 1024 // s, 10
    rows, feat = 4096 // s, 1024 // s
    mm_fwd = 2 * batch * (d_in * hidden + hidden * hidden + hidden * classes)
    return [
        TrainWorkload(
            "T1",
            "mlp_train_step",
            f"AdamW step of {d_in}->{hidden}->{hidden}->{classes} (Linear, GELU, LayerNorm), "
            f"cross_entropy, batch {batch}: forward + backward + step",
            {"batch": batch, "d_in": d_in, "hidden": hidden, "classes": classes},
            3.0 * mm_fwd,
        ),
        TrainWorkload(
            "T2",
            "ln_gelu_linear_backward",
            f"layer_norm(gelu(x @ W + b)) at {rows}x{feat} (W {feat}x{feat}): forward + the "
            "gradients of x, W, b, LN weight and bias for a given output gradient",
            {"rows": rows, "features": feat},
            3.0 * 2 * rows * feat * feat,
        ),
    ]


def _uniform(rng: np.random.Generator, fan_in: int, shape: tuple[int, ...]) -> np.ndarray:
    bound = 1.0 / math.sqrt(fan_in)
    return rng.uniform(-bound, bound, shape).astype(np.float32)


def t1_inputs(w: TrainWorkload, seed: int = 1) -> dict[str, np.ndarray]:
    """T1's batch (``x``, ``y``) and parameters (torch's Linear init; LayerNorm ones/zeros)."""
    d = w.dims
    rng = np.random.default_rng(seed)
    sizes = [d["d_in"], d["hidden"], d["hidden"], d["classes"]]
    out: dict[str, np.ndarray] = {
        "x": rng.standard_normal((d["batch"], d["d_in"])).astype(np.float32),
        "y": rng.integers(0, d["classes"], d["batch"]).astype(np.int64),
    }
    for i in range(3):
        fin, fout = sizes[i], sizes[i + 1]
        out[f"w{i}"] = _uniform(rng, fin, (fin, fout))
        out[f"b{i}"] = _uniform(rng, fin, (fout,))
        if i < 2:
            out[f"g{i}"] = np.ones(fout, np.float32)
            out[f"be{i}"] = np.zeros(fout, np.float32)
    return out


T1_PARAMS = ("w0", "b0", "g0", "be0", "w1", "b1", "g1", "be1", "w2", "b2")
T2_INPUTS = ("x", "w", "b", "g", "be")  # differentiated, in this order; then "dy"


def t2_inputs(w: TrainWorkload, seed: int = 2) -> dict[str, np.ndarray]:
    n, f = w.dims["rows"], w.dims["features"]
    rng = np.random.default_rng(seed)
    return {
        "x": rng.standard_normal((n, f)).astype(np.float32),
        "w": _uniform(rng, f, (f, f)),
        "b": _uniform(rng, f, (f,)),
        "g": rng.uniform(0.5, 1.5, f).astype(np.float32),
        "be": rng.uniform(-0.5, 0.5, f).astype(np.float32),
        "dy": rng.standard_normal((n, f)).astype(np.float32),
    }


def _erf(x: np.ndarray) -> np.ndarray:
    try:
        from scipy.special import erf

        return np.asarray(erf(x))
    except ImportError:
        return np.vectorize(math.erf)(x)


def _gelu(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """gelu(z) (erf form) and its derivative Phi(z) + z*phi(z)."""
    cdf = 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))
    pdf = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return z * cdf, cdf + z * pdf


def _layer_norm(h: np.ndarray, g: np.ndarray, be: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The normalised rows times ``g`` plus ``be``, and the normalised rows."""
    mu = h.mean(axis=1, keepdims=True)
    var = ((h - mu) ** 2).mean(axis=1, keepdims=True)
    xhat = (h - mu) / np.sqrt(var + LN_EPS)
    return xhat * g + be, xhat


def t1_loss_reference(inp: dict[str, np.ndarray]) -> float:
    """The float64 loss of T1's model at its initial parameters."""
    a = {k: v.astype(np.float64) for k, v in inp.items() if k != "y"}
    h = a["x"]
    for i in range(2):
        h = _layer_norm(_gelu(h @ a[f"w{i}"] + a[f"b{i}"])[0], a[f"g{i}"], a[f"be{i}"])[0]
    z = h @ a["w2"] + a["b2"]
    zmax = z.max(axis=1, keepdims=True)
    lse = np.log(np.exp(z - zmax).sum(axis=1)) + zmax[:, 0]
    return float(np.mean(lse - z[np.arange(len(inp["y"])), inp["y"]]))


def t2_grads_reference(inp: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The float64 gradients of T2 for the output gradient ``dy``, by hand."""
    a = {k: v.astype(np.float64) for k, v in inp.items()}
    z = a["x"] @ a["w"] + a["b"]
    h, dh_dz = _gelu(z)
    _, xhat = _layer_norm(h, a["g"], a["be"])
    var = ((h - h.mean(axis=1, keepdims=True)) ** 2).mean(axis=1, keepdims=True)
    dy = a["dy"]
    dxhat = dy * a["g"]
    dh = (
        dxhat
        - dxhat.mean(axis=1, keepdims=True)
        - xhat * (dxhat * xhat).mean(axis=1, keepdims=True)
    ) / np.sqrt(var + LN_EPS)
    dz = dh * dh_dz
    return {
        "x": dz @ a["w"].T,
        "w": a["x"].T @ dz,
        "b": dz.sum(axis=0),
        "g": (dy * xhat).sum(axis=0),
        "be": dy.sum(axis=0),
    }


def t2_fingerprint(grads: dict[str, np.ndarray]) -> dict[str, list[Any]]:
    """What a worker sends back of T2's gradients: a few rows of dx and dW, all of the rest."""
    return {
        k: np.asarray(v, dtype=np.float64)[:4].tolist() if v.ndim == 2 else np.asarray(v).tolist()
        for k, v in grads.items()
    }


def check_t2(got: dict[str, list[Any]], ref: dict[str, np.ndarray]) -> dict[str, Any]:
    """Max error of each gradient relative to its largest reference value; pass under 1e-3
    (float32 sums over 4096 rows and 1024 columns)."""
    worst = 0.0
    errs = {}
    for k, r in ref.items():
        r = r[:4] if r.ndim == 2 else r
        g = np.asarray(got[k], dtype=np.float64)
        if g.shape != r.shape or not np.all(np.isfinite(g)):
            return {"ok": False, "error": f"grad {k}: shape {g.shape} or non-finite values"}
        errs[k] = float(np.abs(g - r).max() / max(np.abs(r).max(), 1e-30))
        worst = max(worst, errs[k])
    return {"ok": worst <= 1e-3, "max_rel_err": worst, "per_grad": errs}


def check_t1(losses: list[float], ref_loss: float, peer: list[float] | None) -> dict[str, Any]:
    """The first loss against the float64 reference (rel 1e-4); the decrease over the next steps
    against PyTorch eager's (``peer``) within 5 % (AdamW's first steps move every weight by about
    the learning rate, so a wrong gradient's sign shows)."""
    out: dict[str, Any] = {"losses": losses}
    if len(losses) != FINGERPRINT_STEPS or not all(math.isfinite(v) for v in losses):
        return {**out, "ok": False, "error": f"losses {losses}"}
    out["max_rel_err"] = abs(losses[0] - ref_loss) / abs(ref_loss)
    ok = out["max_rel_err"] <= 1e-4
    if peer is not None:
        drops = [(losses[0] - v, peer[0] - p) for v, p in zip(losses[1:], peer[1:], strict=True)]
        out["drop_vs_torch"] = [d / p if p else float("nan") for d, p in drops]
        ok = ok and all(abs(d - p) <= 0.05 * abs(p) + 1e-5 for d, p in drops)
    out["ok"] = ok
    return out
