"""The markdown report of a training-suite run: ms per call, the issue's ratios (RustTorch against
PyTorch eager, and against the best of torch.compile and jax.jit), checks and T2's plan."""

from __future__ import annotations

from typing import Any

from .report import _header, _Run, fmt_ms, md_table

Record = dict[str, Any]
# aten ops that only make a view (no pass over the data).
VIEW_OPS = {"t", "view", "transpose", "expand", "as_strided", "_unsafe_view", "alias", "detach"}


def _cell(r: Record | None) -> str:
    if r is None:
        return "n/a"
    if r.get("status") == "ok":
        return f"{fmt_ms(r['median_ms'])} [{r['first_ms'] / 1e3:.1f} s]"
    if r.get("status") == "wrong":
        return "WRONG"
    return "error"


def _ratio(num: Record | None, den: Record | None) -> str:
    if not num or not den or num.get("status") != "ok" or den.get("status") != "ok":
        return "—"
    return f"{num['median_ms'] / den['median_ms']:.2f}x"


def train_report(data: Record) -> str:
    run = _Run.of(data)
    out = _header(run)
    out[0] = f"## Training suite, {data['threads']} threads ({data['mode']} mode)\n"
    res = run.res
    wls = run.wls
    engines = [e for e in data["engines"] if e["available"]]
    out.append(
        "\nEach engine runs in its own process (one per engine and workload); after the first "
        "calls and the checks, the engines take turns in the same rounds. Median ms per call "
        "(T1: one training step; T2: forward + backward); in brackets the first call(s) "
        "including compilation (T1: the first 3 steps).\n"
    )
    rows = [
        [f"{w['key']} {w['name']}"] + [_cell(res.get((w["key"], e["key"]))) for e in engines]
        for w in wls
    ]
    out.append(md_table(["workload"] + [e["label"] for e in engines], rows))

    out.append(
        "\n### RustTorch's time over each peer's (< 1: RustTorch is faster); GFLOP/s of the "
        "matmuls\n"
    )
    rows = []
    for w in wls:
        rt = res.get((w["key"], "rt"))
        best = _best_compiled(res, w["key"])
        gf = [
            f"{w['flops'] / (r['median_ms'] * 1e-3) / 1e9:.0f}"
            if (r := res.get((w["key"], e["key"]))) and r.get("status") == "ok"
            else "—"
            for e in engines
        ]
        rows.append(
            [
                f"{w['key']}",
                _ratio(rt, res.get((w["key"], "torch"))),
                _ratio(rt, best),
                best["engine"] if best else "—",
                " / ".join(gf),
            ]
        )
    out.append(
        md_table(
            [
                "workload",
                "vs torch eager (target <= 0.8x)",
                "vs best of torch.compile, jax.jit (target <= 1.0x)",
                "best compiled",
                "GFLOP/s (" + " / ".join(e["label"] for e in engines) + ")",
            ],
            rows,
        )
    )
    out += _checks(data, engines)
    out += _plan(data)
    notes = [
        f"- {r['workload']} {r['engine']}: {r['note']}" for r in data["results"] if r.get("note")
    ]
    for r in data["results"]:
        for k, v in (r.get("info") or {}).items():
            if k != "aten_ops":
                notes.append(f"- {r['workload']} {r['engine']}: {k}: {v}")
    if notes:
        out.append("\nNotes:\n" + "\n".join(notes))
    return "\n".join(out) + "\n"


def _best_compiled(res: dict[tuple[str, str], Record], key: str) -> Record | None:
    ok = [
        r
        for e in ("torch_compile", "jax_jit")
        if (r := res.get((key, e))) and r.get("status") == "ok"
    ]
    return min(ok, key=lambda r: r["median_ms"]) if ok else None


def _checks(data: Record, engines: list[Record]) -> list[str]:
    def c(r: Record | None) -> str:
        if not r or "check" not in r:
            return "—"
        ch = r["check"]
        s = "ok" if ch["ok"] else "FAIL"
        if "max_rel_err" in ch:
            s += f" {ch['max_rel_err']:.1e}"
        if "drop_vs_torch" in ch:
            s += " (loss drop x" + "/".join(f"{d:.3f}" for d in ch["drop_vs_torch"]) + ")"
        return s

    res = {(r["workload"], r["engine"]): r for r in data["results"]}
    rows = [
        [w["key"]] + [c(res.get((w["key"], e["key"]))) for e in engines] for w in data["workloads"]
    ]
    return [
        "\n### Checks\n",
        "T1: the first step's loss against NumPy float64 (relative error; pass <= 1e-4), and the "
        "loss drop over the next two steps against torch eager's (ratio; pass within 5 %). "
        "T2: each gradient against a hand-derived NumPy float64 backward (max error over max "
        "|ref|; pass <= 1e-3).\n",
        md_table(["workload"] + [e["label"] for e in engines], rows),
    ]


def _plan(data: Record) -> list[str]:
    out: list[str] = []
    aten = next(
        (
            r["info"]["aten_ops"]
            for r in data["results"]
            if r["workload"] == "T2"
            and r["engine"] == "torch"
            and "aten_ops" in (r.get("info") or {})
        ),
        None,
    )
    plan = data.get("t2_plan")
    if aten is None and plan is None:
        return out
    out.append("\n### T2: kernels and bytes moved\n")
    if plan and "kernels" in plan:
        out.append(
            f"RustTorch (fused plan of forward + all five gradients, from `explain()`; "
            f"examples/t2_backward_plan.rs): {plan['kernels']} kernels "
            f"({plan.get('matmuls', '?')} of them matmuls), "
            f"{plan['bytes_moved'] / 2**20:.0f} MiB moved; its eager (op by op) plan: "
            f"{plan.get('eager_kernels', '?')} kernels, "
            f"{plan.get('eager_bytes_moved', 0) / 2**20:.0f} MiB."
        )
    elif plan:
        out.append(f"RustTorch plan: {plan.get('note')}")
    if aten:
        top = ", ".join(f"{k} {v}" for k, v in sorted(aten["by_op"].items(), key=lambda kv: -kv[1]))
        passes = sum(v for k, v in aten["by_op"].items() if k not in VIEW_OPS)
        out.append(
            f"PyTorch eager: {aten['total']} aten ops dispatched, {passes} of them passes over "
            f"data (the rest views): {top}."
        )
    return out
