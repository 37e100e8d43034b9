"""The markdown report of a run (from its JSON record): tables of times, rates and accuracy."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .stream import CopyProbe

Record = dict[str, Any]


def fmt_ms(ms: float) -> str:
    if ms >= 100:
        return f"{ms:.0f}"
    if ms >= 10:
        return f"{ms:.1f}"
    if ms >= 1:
        return f"{ms:.2f}"
    if ms >= 0.01:
        return f"{ms:.3f}"
    return f"{ms:.4f}"


def fmt_first(first_ms: float, median_ms: float) -> str:
    """The first call in brackets where it stands out (compilation, planning, page faults)."""
    if first_ms > 2 * median_ms and first_ms - median_ms > 1.0:
        return f" [{first_ms / 1e3:.1f} s]" if first_ms >= 1000 else f" [{fmt_ms(first_ms)}]"
    return ""


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def cell(res: Record | None) -> str:
    if res is None:
        return "n/a"
    st = res["status"]
    if st == "ok":
        return fmt_ms(res["median_ms"]) + fmt_first(res["first_ms"], res["median_ms"])
    if st == "unsupported":
        return "—"
    if st == "missing":
        return "missing"
    if st == "wrong":
        e = res["check"]
        return (
            f"WRONG (err {e.get('max_rel_err', float('nan')):.1e})"
            if "max_rel_err" in e
            else f"WRONG ({e.get('error', '?')})"
        )
    return "error"


@dataclass
class _Run:
    """A run's JSON record with the lookups every section of the report uses."""

    data: Record
    engines: list[Record]  # the available ones, in the order they ran
    res: dict[tuple[str, str], Record]  # (workload key, engine key) -> result
    wls: list[Record]
    st: Record | None
    ceiling: float | None

    @classmethod
    def of(cls, data: Record) -> _Run:
        st = data["stream"]
        return cls(
            data=data,
            engines=[e for e in data["engines"] if e["available"]],
            res={(r["workload"], r["engine"]): r for r in data["results"]},
            wls=data["workloads"],
            st=st,
            ceiling=st["ceiling_gbs"] if st else None,
        )

    def per_engine_table(self, fill: Callable[[Record, Record | None], str]) -> str:
        """One row per workload, one column per engine; ``fill(workload, result)`` per cell."""
        rows = [
            [_name(w)] + [fill(w, self.res.get((w["key"], e["key"]))) for e in self.engines]
            for w in self.wls
        ]
        return md_table(["workload"] + [e["label"] for e in self.engines], rows)


def _name(w: Record) -> str:
    return f"{w['key']} {w['name']}"


def suite_title(data: Record) -> str:
    """What the run measured (runs before ``--suite`` existed are W-suite runs)."""
    return {"ops": "Per-op rows", "all": "W-suite and per-op rows"}.get(
        data.get("suite", "w"), "W-suite"
    )


def report(data: Record) -> str:
    run = _Run.of(data)
    out = _header(run)
    out += _median_table(run)
    out += _fused_table(run)
    out += _rate_table(run)
    out += _accuracy_table(run)
    notes = [
        f"- {r['workload']} {r['engine']}: {r['note']}" for r in data["results"] if r.get("note")
    ]
    if notes:
        out.append("\nNotes:\n" + "\n".join(notes))
    return "\n".join(out) + "\n"


def _header(run: _Run) -> list[str]:
    """Title, machine, versions, warnings, skipped engines and the STREAM figures."""
    data, engines = run.data, run.engines
    out: list[str] = []
    m = data["machine"]
    ls = m.get("lscpu", {})
    out.append(f"## {suite_title(data)}, {data['threads']} threads ({data['mode']} mode)\n")
    out.append(
        f"Machine: {ls.get('Model name', '?')}, {ls.get('CPU(s)', '?')} CPUs "
        f"({', '.join(m.get('simd', []))}), L2 {ls.get('L2 cache', '?')}, "
        f"L3 {ls.get('L3 cache', '?')}, {m.get('mem_total_gib', '?')} GiB; "
        f"load at start {tuple(round(x, 2) for x in m.get('loadavg_start', ()))}; "
        f"{data['timestamp']}; rev {m.get('git_rev', '?')}."
    )
    out.append(
        "Versions: "
        + ", ".join(
            f"{e['label']} {e['version']}"
            for e in engines
            if e["key"] not in ("rt_eager", "rt_vm", "torch_builtin", "torch_compile")
        )
        + "."
    )
    load = m.get("loadavg_start", (0.0,))[0]
    if load > 0.5 * data["threads"]:
        out.append(
            f"**Warning:** the 1-minute load average was {load:.2f} at the start: other work "
            "shared the CPUs, and fork-join engines (OpenMP: PyTorch, torch.compile) lose whole "
            "scheduler quanta (~4 ms) when one of their threads is preempted."
        )
    missing = [e for e in data["engines"] if not e["available"]]
    if missing:
        out.append(
            "Skipped engines: " + "; ".join(f"{e['label']}: {e['reason']}" for e in missing) + "."
        )
    st, ceiling = run.st, run.ceiling
    if st:
        out.append(
            f"\nSTREAM (float32, {st['n'] / 2**20:.0f}M elements, same process, best rate of the "
            f"runs at start and end): copy "
            f"{st['copy']['gbs']:.1f} GB/s on {st['threads']} threads, "
            f"{st['copy_1t']['gbs']:.1f} GB/s np.copyto on 1 thread, triad "
            f"{st['triad']['gbs']:.1f} GB/s, read-only {st['read']['gbs']:.1f} GB/s. "
            f"Median rates: copy {st['copy']['median_gbs']:.1f}, copy 1 thread "
            f"{st['copy_1t']['median_gbs']:.1f}, triad {st['triad']['median_gbs']:.1f}, read "
            f"{st['read']['median_gbs']:.1f} GB/s. "
            f"Ceiling for '% best copy': {ceiling:.1f} GB/s (STREAM's convention: the fastest "
            "repetition). The bandwidth drifts by up to 2x within minutes on a shared machine, so "
            "memory-bound workloads are also shown against the copy timed alongside them, in the "
            "same rounds and as a median ('% copy alongside'). Reductions (W5, W6) are also shown "
            "against the read-only figure."
        )
    return out


def _median_table(run: _Run) -> list[str]:
    return [
        "\n### Median ms per call (first call incl. compile/planning in brackets where it"
        " stands out)\n",
        run.per_engine_table(lambda _w, r: cell(r)),
    ]


def _fused_table(run: _Run) -> list[str]:
    """RustTorch fused against the ceilings and against each peer."""
    peers = [e for e in run.engines if e["key"] != "rt_fused"]
    rows = [_fused_row(run, w, peers) for w in run.wls]
    header = [
        "workload",
        "ms",
        "rate",
        "% best copy",
        "% copy alongside",
        "% STREAM read",
        "max rel err",
    ]
    return [
        "\n### RustTorch fused: rate, share of STREAM, speedup over each peer\n",
        "Speedup = peer median / RustTorch fused median (> 1: RustTorch is faster).\n",
        md_table(header + [f"vs {p['label']}" for p in peers], rows),
    ]


def _fused_row(run: _Run, w: Record, peers: list[Record]) -> list[str]:
    r = run.res.get((w["key"], "rt_fused"))
    if r is None or r["status"] != "ok":
        blank = ["" for _ in range(5 + len(peers))]
        return [_name(w), cell(r), *blank]
    rate, pct = rate_cells(w, r, run.ceiling)
    err = r["check"]
    err_s = f"{err['max_rel_err']:.1e}"
    if "target_ratio" in err:
        err_s += f" (target {'met' if err['target_ok'] else 'MISSED'})"
    sp = []
    for p in peers:
        pr = run.res.get((w["key"], p["key"]))
        sp.append(
            f"{pr['median_ms'] / r['median_ms']:.2f}x" if pr and pr["status"] == "ok" else "—"
        )
    rp = read_pct(w, r, run.st)
    al = alongside_pct(w, r, run.res.get((w["key"], CopyProbe.key)))
    return [_name(w), fmt_ms(r["median_ms"]), rate, pct, al, rp, err_s, *sp]


def _rate_table(run: _Run) -> list[str]:
    def fill(w: Record, r: Record | None) -> str:
        if r is None or r["status"] != "ok":
            return "—"
        rate, pct = rate_cells(w, r, run.ceiling)
        return rate + (f" ({pct})" if pct else "")

    return [
        "\n### Effective bandwidth, GB/s (% of STREAM copy); compute-bound rows (W7, einsum "
        "bmm) GFLOP/s; W8 us per call\n",
        run.per_engine_table(fill),
    ]


def _accuracy_table(run: _Run) -> list[str]:
    tol = "; ".join(
        f"{w['key']} {w['atol']:g}+{w['rtol']:g}|ref|"
        for w in run.wls
        if (w["atol"], w["rtol"]) != (1e-5, 1e-4)
    )
    return [
        "\n### Accuracy: max|got-ref| / max|ref| against NumPy float64\n",
        f"Pass: |got-ref| <= 1e-05 + 0.0001*|ref| everywhere (unless: {tol}). "
        + (
            "W2 also against the issue's target 1e-6 + 1e-6*|ref| (the ratio shown is the "
            "worst err/allowed; <= 1 meets it). "
            if any(w.get("target") for w in run.wls)
            else ""
        )
        + "A result of another dtype is marked with it (argsort: int64 indices, JAX's int32).\n",
        run.per_engine_table(lambda _w, r: _accuracy_cell(r)),
    ]


def _accuracy_cell(r: Record | None) -> str:
    if r is not None and r["status"] == "missing":
        return "missing"
    if r is None or r["status"] == "unsupported" or "check" not in r:
        return "—"
    c = r["check"]
    if "max_rel_err" not in c:
        return str(c.get("error", "?"))
    s = f"{c['max_rel_err']:.1e}"
    if not c["ok"]:
        s = "FAIL " + s
    if "target_ratio" in c:
        s += f" (target x{c['target_ratio']:.2f})"
    if "dtype" in c:
        s += f" [{c['dtype']}]"
    return s


def rate_gbs(w: Record, r: Record) -> float:
    """Effective bandwidth: the workload's compulsory bytes over the median time."""
    return w["bytes"] / (r["median_ms"] * 1e-3) / 1e9


def rate_cells(w: Record, r: Record, ceiling: float | None) -> tuple[str, str]:
    t = r["median_ms"] * 1e-3
    if w["flops"]:
        return f"{w['flops'] / t / 1e9:.0f} GFLOP/s", ""
    if w["per_call"]:
        return f"{r['median_ms'] * 1e3:.1f} us", ""
    gbs = rate_gbs(w, r)
    return f"{gbs:.1f} GB/s", (f"{100 * gbs / ceiling:.0f}%" if ceiling else "")


def alongside_pct(w: Record, r: Record, copy: Record | None) -> str:
    """Share of the STREAM copy timed in the same rounds (median against median)."""
    if not copy or copy.get("status") != "ok" or not w["memory_bound"]:
        return ""
    gbs = rate_gbs(w, r)
    return f"{100 * gbs / copy['gbs']:.0f}% of {copy['gbs']:.1f}"


def read_pct(w: Record, r: Record, stream: Record | None) -> str:
    """Share of the read-only STREAM sum, for reductions (an output under 1% of the input)."""
    n_out = math.prod(w["out_shape"])
    n_in = sum(math.prod(s) for s in w["shapes"])
    if not stream or not w["memory_bound"] or n_out * 100 > n_in:
        return ""
    gbs = rate_gbs(w, r)
    return f"{100 * gbs / stream['read']['gbs']:.0f}%"
