"""The training suite's engines: RustTorch (autograd + AdamW, fused), PyTorch eager
(``torch.optim.AdamW``, foreach default), ``torch.compile`` of the whole train step, and
``jax.jit(value_and_grad)`` with a hand-written AdamW update (no optax).

Each engine gives a :class:`Job` per workload: ``start()`` runs the first calls (timed by the
worker; T1: the first ``FINGERPRINT_STEPS`` steps) and returns what the parent checks, ``call()``
is one timed iteration (T1: a training step; T2: forward + backward), forced."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .train import (
    ADAM_EPS,
    BETAS,
    FINGERPRINT_STEPS,
    LN_EPS,
    LR,
    T1_PARAMS,
    T2_INPUTS,
    WEIGHT_DECAY,
    TrainWorkload,
    t1_inputs,
    t2_fingerprint,
    t2_inputs,
)

ENGINES = {
    "rt": ("RustTorch", "rusttorch"),
    "torch": ("torch eager", "torch"),
    "torch_compile": ("torch.compile", "torch"),
    "jax_jit": ("jax.jit", "jax"),
}


class Job:
    """One engine's workload: ``call`` is timed; ``start`` runs (and the worker times) the first
    calls; ``info`` holds notes for the report (e.g. what torch.compile compiled)."""

    def __init__(self, call: Callable[[], Any], start: Callable[[], Any]) -> None:
        self.call = call
        self.start = start
        self.info: dict[str, Any] = {}


def _t1_start(step: Callable[[], Any], loss_of: Callable[[Any], float]) -> Callable[[], Any]:
    """The first steps: their losses are the check's fingerprint."""
    return lambda: [loss_of(step()) for _ in range(FINGERPRINT_STEPS)]


# ---------------------------------------------------------------- RustTorch


def rt_job(w: TrainWorkload) -> Job:
    import rusttorch as rt
    import rusttorch.nn.functional as F

    if w.key == "T1":
        inp = t1_inputs(w)
        x, y = rt.from_numpy(inp["x"]), inp["y"]
        p = {k: rt.tensor(inp[k], requires_grad=True) for k in T1_PARAMS}
        opt = rt.optim.AdamW(
            [p[k] for k in T1_PARAMS], lr=LR, betas=BETAS, eps=ADAM_EPS, weight_decay=WEIGHT_DECAY
        )

        def step() -> Any:
            opt.zero_grad(set_to_none=True)
            h = x
            for i in range(2):
                h = F.gelu(h @ p[f"w{i}"] + p[f"b{i}"])
                h = F.layer_norm(h, h.shape[-1], p[f"g{i}"], p[f"be{i}"], LN_EPS)
            loss = F.cross_entropy(h @ p["w2"] + p["b2"], y)
            loss.backward()
            opt.step()
            rt.eval(loss)
            return loss

        return Job(step, _t1_start(step, lambda t: float(t.item())))
    inp = t2_inputs(w)
    leaves = [rt.tensor(inp[k], requires_grad=True) for k in T2_INPUTS]
    dy = rt.from_numpy(inp["dy"])
    n = w.dims["features"]

    def fwd_bwd() -> list[Any]:
        xx, ww, bb, gg, be = leaves
        out = F.layer_norm(F.gelu(xx @ ww + bb), n, gg, be, LN_EPS)
        grads = rt.autograd.grad([out], leaves, [dy])
        rt.eval(*grads)
        return list(grads)

    def start() -> Any:
        return t2_fingerprint(dict(zip(T2_INPUTS, (g.numpy() for g in fwd_bwd()), strict=True)))

    return Job(fwd_bwd, start)


# ---------------------------------------------------------------- PyTorch


def torch_t1_model(w: TrainWorkload) -> tuple[Any, Any, Any, Any]:
    """``nn.Sequential`` of T1 with the shared initial parameters, its AdamW, the batch."""
    import torch
    from torch import nn

    inp = t1_inputs(w)
    d = w.dims
    sizes = [d["d_in"], d["hidden"], d["hidden"], d["classes"]]
    layers: list[Any] = []
    for i in range(3):
        lin = nn.Linear(sizes[i], sizes[i + 1])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(inp[f"w{i}"].T.copy()))
            lin.bias.copy_(torch.from_numpy(inp[f"b{i}"]))
        layers.append(lin)
        if i < 2:
            layers += [nn.GELU(), nn.LayerNorm(sizes[i + 1], eps=LN_EPS)]
    model = nn.Sequential(*layers)
    opt = torch.optim.AdamW(
        model.parameters(), lr=LR, betas=BETAS, eps=ADAM_EPS, weight_decay=WEIGHT_DECAY
    )
    return model, opt, torch.from_numpy(inp["x"]), torch.from_numpy(inp["y"])


def torch_t1_step(model: Any, opt: Any) -> Callable[[Any, Any], Any]:
    import torch.nn.functional as F

    def train_step(x: Any, y: Any) -> Any:
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss.detach()

    return train_step


def torch_t2(w: TrainWorkload) -> tuple[Callable[..., Any], list[Any], Any]:
    """T2's forward as a function of the differentiated inputs, those inputs, and ``dy``."""
    import torch
    import torch.nn.functional as F

    inp = t2_inputs(w)
    leaves = [torch.from_numpy(inp[k]).requires_grad_(True) for k in T2_INPUTS]
    n = (w.dims["features"],)

    def forward(x: Any, ww: Any, b: Any, g: Any, be: Any) -> Any:
        return F.layer_norm(F.gelu(x @ ww + b), n, g, be, LN_EPS)

    return forward, leaves, torch.from_numpy(inp["dy"])


def torch_job(w: TrainWorkload, compiled: bool) -> Job:
    import torch

    torch.set_grad_enabled(True)
    if w.key == "T1":
        model, opt, x, y = torch_t1_model(w)
        train_step = torch_t1_step(model, opt)
        what = "the whole train step (zero_grad, forward, backward, optimizer.step)"
        if compiled:
            train_step = torch.compile(train_step)

        def step() -> Any:
            return train_step(x, y)

        job = Job(step, _t1_start(step, lambda t: float(t.item())))
        if compiled:
            job.info["compiled"] = what

            # If compiling the whole step fails, compile the model alone and say so.
            def start() -> Any:
                nonlocal train_step
                try:
                    return _t1_start(step, lambda t: float(t.item()))()
                except Exception as ex:  # Dynamo/Inductor failure on the step
                    model2, opt2, _, _ = torch_t1_model(w)
                    train_step = torch_t1_step(torch.compile(model2), opt2)
                    job.info["compiled"] = f"the model only (the step failed: {type(ex).__name__})"
                    return _t1_start(step, lambda t: float(t.item()))()

            job.start = start
        return job
    forward, leaves, dy = torch_t2(w)
    if compiled:
        forward = torch.compile(forward)

    def fwd_bwd() -> Any:
        return torch.autograd.grad(forward(*leaves), leaves, dy)

    def start() -> Any:
        grads = fwd_bwd()
        return t2_fingerprint(dict(zip(T2_INPUTS, (g.numpy() for g in grads), strict=True)))

    job = Job(fwd_bwd, start)
    if not compiled:
        job.info["aten_ops"] = torch_op_count(fwd_bwd)
    return job


def torch_op_count(fn: Callable[[], Any]) -> dict[str, Any]:
    """The aten ops (eager kernels) one call of ``fn`` dispatches, forward and backward."""
    from torch.utils._python_dispatch import TorchDispatchMode

    ops: list[str] = []

    class Count(TorchDispatchMode):
        def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None):  # type: ignore[no-untyped-def]
            ops.append(str(func.overloadpacket.__name__))
            return func(*args, **(kwargs or {}))

    with Count():
        fn()
    counts: dict[str, int] = {}
    for o in ops:
        counts[o] = counts.get(o, 0) + 1
    return {"total": len(ops), "by_op": counts}


# ---------------------------------------------------------------- JAX


def jax_job(w: TrainWorkload) -> Job:
    import jax
    import jax.numpy as jnp

    def ln(h: Any, g: Any, be: Any) -> Any:
        mu = h.mean(axis=-1, keepdims=True)
        var = ((h - mu) ** 2).mean(axis=-1, keepdims=True)
        return (h - mu) * jax.lax.rsqrt(var + LN_EPS) * g + be

    def gelu(z: Any) -> Any:
        return jax.nn.gelu(z, approximate=False)

    if w.key == "T2":
        inp = t2_inputs(w)
        args = [jax.device_put(inp[k]) for k in T2_INPUTS]
        dy = jax.device_put(inp["dy"])

        def forward(x: Any, ww: Any, b: Any, g: Any, be: Any) -> Any:
            return ln(gelu(x @ ww + b), g, be)

        @jax.jit
        def fwd_bwd(args: list[Any], dy: Any) -> Any:
            _, vjp = jax.vjp(forward, *args)
            return vjp(dy)

        def call() -> Any:
            return jax.block_until_ready(fwd_bwd(args, dy))

        def start() -> Any:
            grads = call()
            return t2_fingerprint(dict(zip(T2_INPUTS, (np.asarray(g) for g in grads), strict=True)))

        return Job(call, start)

    inp = t1_inputs(w)
    x, y = jax.device_put(inp["x"]), jax.device_put(inp["y"].astype(np.int32))
    params = {k: jax.device_put(inp[k]) for k in T1_PARAMS}
    m = {k: jnp.zeros_like(v) for k, v in params.items()}
    v = {k: jnp.zeros_like(v) for k, v in params.items()}
    b1, b2 = BETAS

    def loss_fn(p: dict[str, Any], x: Any, y: Any) -> Any:
        h = x
        for i in range(2):
            h = ln(gelu(h @ p[f"w{i}"] + p[f"b{i}"]), p[f"g{i}"], p[f"be{i}"])
        logp = jax.nn.log_softmax(h @ p["w2"] + p["b2"], axis=-1)
        return -jnp.take_along_axis(logp, y[:, None], axis=1).mean()

    def train_step(p: Any, m: Any, v: Any, t: Any, x: Any, y: Any) -> Any:
        loss, g = jax.value_and_grad(loss_fn)(p, x, y)
        t = t + 1
        step_size = LR / (1.0 - b1**t)
        bc2_sqrt = jnp.sqrt(1.0 - b2**t)
        m = jax.tree.map(lambda m_, g_: b1 * m_ + (1.0 - b1) * g_, m, g)
        v = jax.tree.map(lambda v_, g_: b2 * v_ + (1.0 - b2) * g_ * g_, v, g)
        p = jax.tree.map(
            lambda p_, m_, v_: (
                p_ * (1.0 - LR * WEIGHT_DECAY)
                - step_size * m_ / (jnp.sqrt(v_) / bc2_sqrt + ADAM_EPS)
            ),
            p,
            m,
            v,
        )
        return p, m, v, t, loss

    jstep = jax.jit(train_step, donate_argnums=(0, 1, 2))
    state = [params, m, v, jnp.asarray(0, jnp.float32)]

    def step() -> Any:
        p, mm, vv, t, loss = jstep(*state, x, y)
        state[:] = [p, mm, vv, t]
        return jax.block_until_ready((p, mm, vv, loss))[3]

    return Job(step, _t1_start(step, lambda t: float(t)))


def make_job(engine: str, w: TrainWorkload) -> Job:
    if engine == "rt":
        return rt_job(w)
    if engine in ("torch", "torch_compile"):
        return torch_job(w, compiled=engine == "torch_compile")
    if engine == "jax_jit":
        return jax_job(w)
    raise ValueError(f"unknown engine {engine!r}")


def setup(engine: str, threads: int) -> str:
    """Applies the thread count; returns the engine's version."""
    if engine == "rt":
        import rusttorch as rt

        rt.set_num_threads(threads)
        return str(getattr(rt, "__version__", "?"))
    if engine in ("torch", "torch_compile"):
        import torch

        torch.set_num_threads(threads)
        return str(torch.__version__)
    import jax

    return str(jax.__version__)
