"""The W-suite: workload definitions, their inputs, float64 references and the accuracy check."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

F32 = 4  # bytes per float32 element
GELU_C = 0.7978845608
GELU_K = 0.044715
LN_EPS = 1e-5


@dataclass
class Workload:
    """One W-suite workload: f32 input shapes, the float64 reference and the tolerance."""

    key: str
    name: str
    shapes: list[tuple[int, ...]]
    out_shape: tuple[int, ...]
    ref: Callable[[list[np.ndarray]], np.ndarray]
    desc: str
    atol: float = 1e-5
    rtol: float = 1e-4
    # A stricter accuracy target (atol, rtol) that is reported, not enforced.
    target: tuple[float, float] | None = None
    flops: float | None = None  # compute-bound workloads: rate in GFLOP/s instead of GB/s
    per_call: bool = False  # W8: per-call overhead, reported in microseconds
    # A STREAM copy takes turns with the engines (memory-bound rows only; the W-suite's).
    alongside: bool = True
    # The workload this row computes at another size (W1m is W1 at 1M): engines build `base`.
    base: str = ""

    def __post_init__(self) -> None:
        if not self.base:
            self.base = self.key

    @property
    def seed(self) -> int:
        """The inputs' seed: the number in the key, offset for a resized row."""
        digits = int("".join(ch for ch in self.key if ch.isdigit()))
        return digits + (100 if self.base != self.key else 0)

    @property
    def memory_bound(self) -> bool:
        return self.flops is None and not self.per_call

    @property
    def bytes(self) -> int:
        """Compulsory bytes: every input read once plus the output written once."""
        n_in = sum(math.prod(s) for s in self.shapes)
        return (n_in + math.prod(self.out_shape)) * F32

    def inputs(self, seed: int = 0) -> list[np.ndarray]:
        rng = np.random.default_rng(seed)
        return [rng.uniform(-2.0, 2.0, size=s).astype(np.float32) for s in self.shapes]

    def reference(self, arrays: list[np.ndarray]) -> np.ndarray:
        """The float64 result of ``arrays`` (the inputs, converted to float64)."""
        return self.ref([a.astype(np.float64) for a in arrays])

    def record(self) -> dict[str, Any]:
        """The workload as written in the JSON results (and read back by the report)."""
        return {
            "key": self.key,
            "name": self.name,
            "desc": self.desc,
            "shapes": [list(s) for s in self.shapes],
            "out_shape": list(self.out_shape),
            "bytes": self.bytes,
            "flops": self.flops,
            "per_call": self.per_call,
            "memory_bound": self.memory_bound,
            "atol": self.atol,
            "rtol": self.rtol,
            "target": list(self.target) if self.target else None,
        }


def _ref_fma(t: list[np.ndarray]) -> np.ndarray:
    a, b, c = t
    return (a * b + c) * 0.5 - a * c


def _ref_gelu(t: list[np.ndarray]) -> np.ndarray:
    x = t[0]
    return 0.5 * x * (1.0 + np.tanh(GELU_C * (x + GELU_K * x**3)))


def _ref_softmax(t: list[np.ndarray]) -> np.ndarray:
    e = np.exp(t[0] - t[0].max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _ref_layernorm(t: list[np.ndarray]) -> np.ndarray:
    x, w, b = t
    m = x.mean(axis=1, keepdims=True)
    v = ((x - m) ** 2).mean(axis=1, keepdims=True)
    return (x - m) / np.sqrt(v + LN_EPS) * w + b


def affine_chain(x: Any) -> Any:
    """W9 in any array library with operators: six dependent cheap ops on one input."""
    return (((x * 1.1 + 0.3) * 0.9 - 0.2) * 1.05) + 0.1


def _ref_affine(t: list[np.ndarray]) -> np.ndarray:
    return affine_chain(t[0])


def _ref_mse(t: list[np.ndarray]) -> np.ndarray:
    return np.asarray(np.sum((t[0] - t[1]) ** 2))


def _ref_colsum(t: list[np.ndarray]) -> np.ndarray:
    return t[0].sum(axis=0)


def _ref_mm(t: list[np.ndarray]) -> np.ndarray:
    return np.maximum(t[0] @ t[1] + t[2], 0.0)


def suite(quick: bool) -> list[Workload]:
    """The W-suite; ``quick`` shrinks sizes 16x (1M elements, 1024^2, W7 256^2): smoke tests.
    The mid-size rows (W1m, W2m, W3m at 1M elements / 1024^2, W9) fit in the last-level cache,
    where the executor's own speed bounds a kernel rather than memory bandwidth."""
    n = 1 << 20 if quick else 1 << 24
    side = 1024 if quick else 4096
    mm = 256 if quick else 1024
    mid = n >> 4
    mside = side >> 2
    return [
        Workload("W1", "fma_chain", [(n,)] * 3, (n,), _ref_fma, "(a*b + c)*0.5 - a*c"),
        Workload(
            "W2",
            "gelu_tanh",
            [(n,)],
            (n,),
            _ref_gelu,
            "0.5*x*(1 + tanh(0.7978845608*(x + 0.044715*x**3)))",
            target=(1e-6, 1e-6),
        ),
        Workload(
            "W3", "softmax_rows", [(side, side)], (side, side), _ref_softmax, "softmax(x, dim=1)"
        ),
        Workload(
            "W4",
            "layernorm_rows",
            [(side, side), (side,), (side,)],
            (side, side),
            _ref_layernorm,
            "layer_norm(x, weight, bias) over dim 1",
        ),
        Workload("W5", "mse_sum", [(n,)] * 2, (), _ref_mse, "sum((a-b)**2)"),
        # A column sum's rounding error scales with sum(|x|) (~side), not with |sum|, which
        # cancels towards 0: atol 1e-3 is ~2.5e-7 of sum(|x|) over 4096 rows.
        Workload("W6", "col_sum", [(side, side)], (side,), _ref_colsum, "sum(x, dim=0)", atol=1e-3),
        # K-term f32 dot products: the absolute error scales with sqrt(K)*|a||b|, hence atol.
        Workload(
            "W7",
            "matmul_bias_relu",
            [(mm, mm), (mm, mm), (mm,)],
            (mm, mm),
            _ref_mm,
            "relu(A@B + bias)",
            atol=1e-3,
            flops=2.0 * mm**3,
        ),
        Workload(
            "W8",
            "small_chain",
            [(1024,)] * 3,
            (1024,),
            _ref_fma,
            "W1 at N=1024 (per call, result as a NumPy array)",
            per_call=True,
        ),
        Workload(
            "W1m", "fma_chain_1m", [(mid,)] * 3, (mid,), _ref_fma, "W1 at 1M (in cache)", base="W1"
        ),
        Workload(
            "W2m",
            "gelu_tanh_1m",
            [(mid,)],
            (mid,),
            _ref_gelu,
            "W2 at 1M (in cache)",
            target=(1e-6, 1e-6),
            base="W2",
        ),
        Workload(
            "W3m",
            "softmax_rows_1024",
            [(mside, mside)],
            (mside, mside),
            _ref_softmax,
            "W3 at 1024x1024",
            base="W3",
        ),
        Workload(
            "W9", "affine_chain", [(mid,)], (mid,), _ref_affine, "(((x*1.1+0.3)*0.9-0.2)*1.05)+0.1"
        ),
    ]


def check(w: Workload, got: np.ndarray, ref: np.ndarray) -> dict[str, Any]:
    """Errors of ``got`` against the float64 reference ``ref``."""
    got = np.asarray(got)
    out: dict[str, Any] = {"ok": False}
    if got.shape != ref.shape:
        out["error"] = f"shape {got.shape} != reference {ref.shape}"
        return out
    g = got.astype(np.float64)
    if not np.all(np.isfinite(g)):
        out["error"] = "non-finite values"
        return out
    err = np.abs(g - ref)
    aref = np.abs(ref)
    max_ref = float(aref.max()) if aref.size else 0.0
    out["max_abs_err"] = float(err.max())
    out["max_rel_err"] = float(err.max() / max_ref) if max_ref > 0 else float(err.max())
    # Worst ratio of the error to the allowed error: <= 1 passes.
    out["tol_ratio"] = float((err / (w.atol + w.rtol * aref)).max())
    out["ok"] = out["tol_ratio"] <= 1.0
    if w.target is not None:
        ta, tr = w.target
        out["target"] = [ta, tr]
        out["target_ratio"] = float((err / (ta + tr * aref)).max())
        out["target_ok"] = out["target_ratio"] <= 1.0
    if got.dtype != np.float32:
        out["dtype"] = str(got.dtype)
    return out
