"""The losses of ``rusttorch.nn.functional`` against a float64 NumPy reference (always) and
PyTorch (when installed): reductions, class weights, ignore_index, label smoothing,
probability targets, [N, C, d] inputs, empty batches and edge values."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import rusttorch as rt
import rusttorch.nn.functional as F
from rusttorch import nn

REDUCTIONS = ["mean", "sum", "none"]


def tol(dtype: str) -> dict[str, float]:
    return {"rtol": 2e-5, "atol": 2e-6} if dtype == "float32" else {"rtol": 1e-12, "atol": 1e-13}


def check(got: rt.Tensor, want: Any, dtype: str) -> None:
    g = np.asarray(got.numpy(), dtype=np.float64)
    w = np.asarray(want, dtype=np.float64)
    assert g.shape == w.shape, (g.shape, w.shape)
    np.testing.assert_allclose(g, w, **tol(dtype), equal_nan=True)


def torch_or_none() -> Any:
    try:
        import torch
    except ImportError:
        return None
    return torch


# ---------------------------------------------------------------------- NumPy references


def reduce_ref(loss: np.ndarray, reduction: str, divisor: float | None = None) -> np.ndarray:
    if reduction == "none":
        return loss
    s = loss.sum()
    if reduction == "sum":
        return np.asarray(s)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(s / (loss.size if divisor is None else divisor))


def log_softmax_ref(x: np.ndarray, axis: int) -> np.ndarray:
    m = x.max(axis=axis, keepdims=True)
    with np.errstate(invalid="ignore"):
        return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def nll_ref(
    logp: np.ndarray, target: np.ndarray, weight: np.ndarray | None, ignore: int, reduction: str
) -> np.ndarray:
    """PyTorch's nll_loss of log-probabilities ``logp`` ([N, C, ...] or [C])."""
    if logp.ndim == 1:
        logp, target = logp[None], np.asarray(target)[None]
        squeeze = True
    else:
        squeeze = False
    lp = np.moveaxis(logp, 1, -1)  # [N, ..., C]
    c = lp.shape[-1]
    valid = target != ignore
    safe = np.where(valid, target, 0)
    picked = np.take_along_axis(lp, safe[..., None], -1)[..., 0]
    w = np.ones(c) if weight is None else weight
    wy = np.where(valid, w[safe], 0.0)
    loss = np.where(valid, -picked * wy, 0.0)
    if squeeze:
        loss = loss[0]
    return reduce_ref(loss, reduction, wy.sum())


def cross_entropy_ref(
    x: np.ndarray,
    target: np.ndarray,
    weight: np.ndarray | None = None,
    ignore: int = -100,
    reduction: str = "mean",
    smoothing: float = 0.0,
) -> np.ndarray:
    cdim = 0 if x.ndim == 1 else 1
    logp = log_softmax_ref(x, cdim)
    c = x.shape[cdim]
    if target.dtype.kind == "f":
        t = target * (1 - smoothing) + smoothing / c
        wl = logp if weight is None else logp * weight.reshape([c] + [1] * (x.ndim - cdim - 1))
        per = -(wl * t).sum(axis=cdim)
        return reduce_ref(per, reduction, per.size)
    nll = nll_ref(logp, target, weight, ignore, reduction)
    if smoothing == 0:
        return nll
    wl = logp if weight is None else logp * weight.reshape([c] + [1] * (x.ndim - cdim - 1))
    smooth = -wl.sum(axis=cdim)
    valid = target != ignore
    smooth = np.where(valid, smooth, 0.0)
    w = np.ones(c) if weight is None else weight
    den = np.where(valid, w[np.where(valid, target, 0)], 0.0).sum()
    return (1 - smoothing) * nll + smoothing / c * reduce_ref(smooth, reduction, den)


# ---------------------------------------------------------------------- cross_entropy / nll


def make_case(shape: tuple[int, ...], dtype: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 3).astype(dtype)
    cdim = 0 if len(shape) == 1 else 1
    tshape = shape[:cdim] + shape[cdim + 1 :]
    t = rng.integers(0, shape[cdim], tshape)
    return x, np.asarray(t)


SHAPES = [(6, 4), (1, 1), (5, 3, 2), (2, 4, 3, 2), (5,)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["noweight", "weight"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_matches_numpy(
    shape: tuple[int, ...], reduction: str, weighted: bool, smoothing: float, dtype: str
) -> None:
    x, t = make_case(shape, dtype, len(shape))
    c = shape[0 if len(shape) == 1 else 1]
    w = np.linspace(0.5, 2.0, c).astype(dtype) if weighted else None
    got = F.cross_entropy(
        rt.tensor(x),
        rt.tensor(t),
        None if w is None else rt.tensor(w),
        reduction=reduction,
        label_smoothing=smoothing,
    )
    assert got.dtype == dtype
    check(
        got,
        cross_entropy_ref(
            x.astype(np.float64),
            t,
            None if w is None else w.astype(np.float64),
            -100,
            reduction,
            smoothing,
        ),
        dtype,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("ignore", [-100, 1])
@pytest.mark.parametrize("weighted", [False, True], ids=["noweight", "weight"])
def test_ignore_index(reduction: str, ignore: int, weighted: bool, dtype: str) -> None:
    x, t = make_case((8, 3), dtype, 3)
    t[[1, 4]] = ignore
    x[1] = np.nan  # an ignored row's logits are never read
    w = np.array([0.3, 1.0, 2.5], dtype=dtype) if weighted else None
    wt = None if w is None else rt.tensor(w)
    want = cross_entropy_ref(
        x.astype(np.float64), t, None if w is None else w.astype(np.float64), ignore, reduction
    )
    check(
        F.cross_entropy(rt.tensor(x), t, wt, ignore_index=ignore, reduction=reduction), want, dtype
    )
    check(
        F.cross_entropy(rt.tensor(x), rt.tensor(t), wt, ignore_index=ignore, reduction=reduction),
        want,
        dtype,
    )
    logp = log_softmax_ref(x.astype(np.float64), 1)
    got = F.nll_loss(rt.tensor(logp.astype(dtype)), t, wt, ignore_index=ignore, reduction=reduction)
    check(
        got, nll_ref(logp, t, None if w is None else w.astype(np.float64), ignore, reduction), dtype
    )


def test_all_ignored_mean_is_nan_and_sum_zero() -> None:
    x = rt.randn(3, 4, dtype=rt.float64)
    t = [-100, -100, -100]
    assert np.isnan(F.cross_entropy(x, t).item())
    assert F.cross_entropy(x, t, reduction="sum").item() == 0.0
    np.testing.assert_array_equal(F.cross_entropy(x, t, reduction="none").numpy(), np.zeros(3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_empty_batch(reduction: str, dtype: str) -> None:
    x = rt.zeros((0, 5), dtype=dtype)
    got = F.cross_entropy(x, np.zeros(0, dtype=np.int64), reduction=reduction)
    if reduction == "mean":
        assert np.isnan(got.item())
    elif reduction == "sum":
        assert got.item() == 0.0
    else:
        assert got.shape == (0,)
    assert F.cross_entropy(x, [], reduction="sum").item() == 0.0


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("shape", [(4, 5), (3, 4, 2), (6,)], ids=str)
def test_cross_entropy_probability_targets(
    reduction: str, smoothing: float, shape: tuple[int, ...], dtype: str
) -> None:
    rng = np.random.default_rng(7)
    x = rng.standard_normal(shape).astype(dtype)
    cdim = 0 if len(shape) == 1 else 1
    p = rng.random(shape)
    p = (p / p.sum(axis=cdim, keepdims=True)).astype(dtype)
    w = np.linspace(0.5, 1.5, shape[cdim]).astype(dtype)
    for weight in (None, w):
        got = F.cross_entropy(
            rt.tensor(x),
            rt.tensor(p),
            None if weight is None else rt.tensor(weight),
            reduction=reduction,
            label_smoothing=smoothing,
        )
        want = cross_entropy_ref(
            x.astype(np.float64),
            p.astype(np.float64),
            None if weight is None else weight.astype(np.float64),
            reduction=reduction,
            smoothing=smoothing,
        )
        check(got, want, dtype)


def test_cross_entropy_edge_logits() -> None:
    inf, nan = np.inf, np.nan
    x = np.array(
        [[0.0, -inf, 1.0], [inf, 0.0, 0.0], [-inf, -inf, -inf], [nan, 0.0, 0.0], [0.0, -inf, 2.0]]
    )
    t = np.array([0, 0, 1, 1, 1])
    got = F.cross_entropy(rt.tensor(x), t, reduction="none").numpy()
    assert np.isfinite(got[0])  # a -inf logit off the target costs nothing
    assert np.isnan(got[1])
    assert np.isnan(got[2])
    assert np.isnan(got[3])
    assert got[4] == inf  # the target's logit is -inf
    torch = torch_or_none()
    if torch is not None:
        want = torch.nn.functional.cross_entropy(
            torch.from_numpy(x), torch.from_numpy(t), reduction="none"
        ).numpy()
        np.testing.assert_allclose(got, want, equal_nan=True)


def test_cross_entropy_keeps_two_kernels_with_tensor_targets(dtype: str) -> None:
    logits = rt.randn(64, 10, dtype=dtype)
    for target in (np.arange(64) % 10, rt.tensor(np.arange(64) % 10)):
        assert F.cross_entropy(logits, target).explain().count("kernel ") <= 2


@pytest.mark.parametrize("target_dtype", ["int64", "int32", "uint8", "int16"])
def test_integer_tensor_targets_of_any_width(target_dtype: str) -> None:
    x, t = make_case((6, 4), "float64", 1)
    want = cross_entropy_ref(x, t)
    check(F.cross_entropy(rt.tensor(x), rt.tensor(t.astype(target_dtype))), want, "float64")
    check(F.cross_entropy(rt.tensor(x), rt.tensor(t)[::1]), want, "float64")
    lazy = rt.tensor(t) + 0  # an expression is evaluated before its values are checked
    check(F.cross_entropy(rt.tensor(x), lazy), want, "float64")


def test_class_index_errors_name_the_position_and_value() -> None:
    x = rt.zeros((4, 3))
    with pytest.raises(IndexError, match=re.escape("cross_entropy: target[2] = 3 is out of range")):
        F.cross_entropy(x, rt.tensor([0, 1, 3, 0]))
    with pytest.raises(IndexError, match=re.escape("nll_loss: target[1] = -2")):
        F.nll_loss(x, [0, -2, 1, 1])
    with pytest.raises(IndexError, match=re.escape("target[5] = 7")):
        F.cross_entropy(rt.zeros((2, 3, 4)), rt.tensor([[0, 1, 2, 0], [0, 7, 0, 0]]))
    with pytest.raises(IndexError, match=re.escape("target[0] = -100")):
        F.cross_entropy(x, [-100, 0, 0, 0], ignore_index=5)


# ---------------------------------------------------------------------- elementwise losses


def elementwise_ref(name: str, x: np.ndarray, y: np.ndarray, **kw: float) -> np.ndarray:
    d = x - y
    a = np.abs(d)
    if name == "mse_loss":
        return d * d
    if name == "l1_loss":
        return a
    if name == "smooth_l1_loss":
        beta = kw.get("beta", 1.0)
        return a if beta == 0 else np.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta)
    delta = kw.get("delta", 1.0)
    return np.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))


ELEMENTWISE = [
    ("mse_loss", {}),
    ("l1_loss", {}),
    ("smooth_l1_loss", {}),
    ("smooth_l1_loss", {"beta": 0.5}),
    ("smooth_l1_loss", {"beta": 0.0}),
    ("huber_loss", {}),
    ("huber_loss", {"delta": 2.5}),
]


@pytest.mark.parametrize(("name", "kw"), ELEMENTWISE, ids=[f"{n}-{k}" for n, k in ELEMENTWISE])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(5, 4), (), (0, 3)], ids=str)
def test_elementwise_losses(
    name: str, kw: dict[str, float], reduction: str, shape: tuple[int, ...], dtype: str
) -> None:
    rng = np.random.default_rng(5)
    x = np.asarray(rng.standard_normal(shape) * 2).astype(dtype)
    y = np.asarray(rng.standard_normal(shape)).astype(dtype)
    got = getattr(F, name)(rt.tensor(x), rt.tensor(y), reduction=reduction, **kw)
    want = reduce_ref(
        elementwise_ref(name, x.astype(np.float64), y.astype(np.float64), **kw), reduction
    )
    check(got, want, dtype)
    torch = torch_or_none()
    if torch is not None:
        tw = getattr(torch.nn.functional, name)(
            torch.from_numpy(x), torch.from_numpy(y), reduction=reduction, **kw
        )
        check(got, tw.numpy(), dtype)


def test_elementwise_losses_broadcast_and_inf() -> None:
    x = rt.tensor([[1.0, np.inf], [0.0, -2.0]], dtype=rt.float64)
    check(
        F.mse_loss(x, rt.tensor([1.0, 0.0], dtype=rt.float64), reduction="none"),
        [[0.0, np.inf], [1.0, 4.0]],
        "float64",
    )
    check(F.l1_loss(x, rt.tensor(np.nan, dtype=rt.float64), reduction="sum"), np.nan, "float64")


def test_legacy_size_average_and_reduce() -> None:
    x, y = rt.tensor([1.0, 2.0, 4.0]), rt.tensor([0.0, 0.0, 0.0])
    assert F.mse_loss(x, y, size_average=False).item() == 21.0
    assert F.mse_loss(x, y, reduce=False).shape == (3,)
    assert F.l1_loss(x, y, None, None, "sum").item() == 7.0


# ---------------------------------------------------------------------- binary losses


def bce_ref(p: np.ndarray, t: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    with np.errstate(divide="ignore"):
        lx, l1 = np.maximum(np.log(p), -100), np.maximum(np.log1p(-p), -100)
    loss = -(t * lx + (1 - t) * l1)
    return loss if w is None else loss * w


def bce_logits_ref(
    x: np.ndarray, t: np.ndarray, w: np.ndarray | None, pw: np.ndarray | None
) -> np.ndarray:
    log_sig = np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
    log_1m = np.minimum(-x, 0) - np.log1p(np.exp(-np.abs(x)))
    pos = 1.0 if pw is None else pw
    loss = -(pos * t * log_sig + (1 - t) * log_1m)
    return loss if w is None else loss * w


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["noweight", "weight"])
def test_binary_cross_entropy(reduction: str, weighted: bool, dtype: str) -> None:
    rng = np.random.default_rng(9)
    p = rng.random((4, 5)).astype(dtype)
    p[0, :3] = [0.0, 1.0, 1e-30]  # log clamped at -100: finite
    t = rng.random((4, 5)).astype(dtype)
    t[0, :2] = [1.0, 0.0]
    w = rng.random(5).astype(dtype) if weighted else None
    got = F.binary_cross_entropy(
        rt.tensor(p), rt.tensor(t), None if w is None else rt.tensor(w), reduction=reduction
    )
    want = reduce_ref(
        bce_ref(
            p.astype(np.float64), t.astype(np.float64), None if w is None else w.astype(np.float64)
        ),
        reduction,
    )
    check(got, want, dtype)
    torch = torch_or_none()
    if torch is not None:
        tw = torch.nn.functional.binary_cross_entropy(
            torch.from_numpy(p),
            torch.from_numpy(t),
            None if w is None else torch.from_numpy(w),
            reduction=reduction,
        )
        check(got, tw.numpy(), dtype)


def test_bce_at_zero_and_one_is_finite() -> None:
    p, t = rt.tensor([0.0, 1.0, 0.0, 1.0]), rt.tensor([0.0, 1.0, 1.0, 0.0])
    np.testing.assert_allclose(
        F.binary_cross_entropy(p, t, reduction="none").numpy(), [0.0, 0.0, 100.0, 100.0]
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["noweight", "weight"])
@pytest.mark.parametrize("pos", [False, True], ids=["nopos", "pos_weight"])
def test_binary_cross_entropy_with_logits(
    reduction: str, weighted: bool, pos: bool, dtype: str
) -> None:
    rng = np.random.default_rng(10)
    x = (rng.standard_normal((4, 3)) * 5).astype(dtype)
    x[0] = [200.0, -200.0, 0.0]  # stable far out
    t = rng.random((4, 3)).astype(dtype)
    w = rng.random(3).astype(dtype) if weighted else None
    pw = (rng.random(3) * 3).astype(dtype) if pos else None
    got = F.binary_cross_entropy_with_logits(
        rt.tensor(x),
        rt.tensor(t),
        None if w is None else rt.tensor(w),
        reduction=reduction,
        pos_weight=None if pw is None else rt.tensor(pw),
    )
    def f64(a):
        return None if a is None else a.astype(np.float64)
    check(
        got,
        reduce_ref(
            bce_logits_ref(x.astype(np.float64), t.astype(np.float64), f64(w), f64(pw)), reduction
        ),
        dtype,
    )
    torch = torch_or_none()
    if torch is not None:
        def tt(a):
            return None if a is None else torch.from_numpy(a)
        tw = torch.nn.functional.binary_cross_entropy_with_logits(
            torch.from_numpy(x), torch.from_numpy(t), tt(w), reduction=reduction, pos_weight=tt(pw)
        )
        check(got, tw.numpy(), dtype)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction: str, log_target: bool, dtype: str) -> None:
    rng = np.random.default_rng(11)
    x = log_softmax_ref(rng.standard_normal((3, 4)), 1).astype(dtype)
    p = rng.random((3, 4))
    if not log_target:
        p[0, 0] = 0.0  # 0 log 0 = 0
    p = p / p.sum(1, keepdims=True)
    t = (np.log(p) if log_target else p).astype(dtype)
    got = F.kl_div(rt.tensor(x), rt.tensor(t), reduction=reduction, log_target=log_target)
    xf, pf = x.astype(np.float64), p.astype(dtype).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = np.where(pf > 0, pf * (np.log(pf) - xf), 0.0)
    want = loss.sum() / 3 if reduction == "batchmean" else reduce_ref(loss, reduction)
    check(got, want, dtype)


# ---------------------------------------------------------------------- against torch


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_class_losses_match_torch(shape: tuple[int, ...], reduction: str, dtype: str) -> None:
    torch = pytest.importorskip("torch")
    x, t = make_case(shape, dtype, 42)
    c = shape[0 if len(shape) == 1 else 1]
    if t.ndim:
        t.reshape(-1)[0] = -100
    w = np.linspace(0.2, 3.0, c).astype(dtype)
    for kw in (
        {},
        {"weight": w},
        {"label_smoothing": 0.15},
        {"weight": w, "label_smoothing": 0.4},
        {"ignore_index": 0},
    ):
        rkw = {k: rt.tensor(v) if k == "weight" else v for k, v in kw.items()}
        tkw = {k: torch.from_numpy(v) if k == "weight" else v for k, v in kw.items()}
        t = np.where(t == -100, 0, t) if "ignore_index" in kw else t
        got = F.cross_entropy(rt.tensor(x), rt.tensor(t), reduction=reduction, **rkw)
        want = torch.nn.functional.cross_entropy(
            torch.from_numpy(x), torch.from_numpy(t), reduction=reduction, **tkw
        )
        check(got, want.numpy(), dtype)
        if "label_smoothing" not in kw:
            got = F.nll_loss(rt.tensor(x), rt.tensor(t), reduction=reduction, **rkw)
            want = torch.nn.functional.nll_loss(
                torch.from_numpy(x), torch.from_numpy(t), reduction=reduction, **tkw
            )
            check(got, want.numpy(), dtype)


# ---------------------------------------------------------------------- modules and errors


def test_loss_modules_call_their_functional_forms() -> None:
    x, t = make_case((5, 3), "float64", 2)
    w = rt.tensor([1.0, 2.0, 0.5], dtype=rt.float64)
    check(
        nn.CrossEntropyLoss(w, label_smoothing=0.1)(rt.tensor(x), t),
        cross_entropy_ref(x, t, w.numpy(), smoothing=0.1),
        "float64",
    )
    check(nn.NLLLoss(reduction="sum")(rt.tensor(x), t), nll_ref(x, t, None, -100, "sum"), "float64")
    y = rt.tensor(x) * 0.5
    pairs: list[tuple[nn.Module, Callable[..., rt.Tensor]]] = [
        (nn.MSELoss(), F.mse_loss),
        (nn.L1Loss(reduction="sum"), lambda a, b: F.l1_loss(a, b, reduction="sum")),
        (nn.SmoothL1Loss(beta=0.3), lambda a, b: F.smooth_l1_loss(a, b, beta=0.3)),
        (nn.HuberLoss(delta=0.7), lambda a, b: F.huber_loss(a, b, delta=0.7)),
        (
            nn.BCEWithLogitsLoss(pos_weight=rt.tensor([2.0, 1.0, 0.5], dtype=rt.float64)),
            lambda a, b: F.binary_cross_entropy_with_logits(
                a, b.sigmoid(), pos_weight=rt.tensor([2.0, 1.0, 0.5], dtype=rt.float64)
            ),
        ),
    ]
    for module, fn in pairs:
        target = y.sigmoid() if isinstance(module, nn.BCEWithLogitsLoss) else y
        assert module(rt.tensor(x), target).item() == fn(rt.tensor(x), y).item()
    assert (
        nn.BCELoss()(y.sigmoid(), y.sigmoid()).item()
        == F.binary_cross_entropy(y.sigmoid(), y.sigmoid()).item()
    )
    assert nn.MSELoss(size_average=False).reduction == "sum"
