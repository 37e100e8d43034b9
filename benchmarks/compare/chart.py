"""The PNG bar chart of a run: speedup over NumPy per workload and engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .report import suite_title


def chart(data: dict[str, Any], path: Path) -> str | None:
    """Grouped bars: speedup over NumPy per workload and engine (log scale). None when skipped."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except Exception as e:
        return f"matplotlib not importable ({type(e).__name__}): no chart"
    engines = [e for e in data["engines"] if e["available"] and e["key"] != "numpy"]
    res = {(r["workload"], r["engine"]): r for r in data["results"]}
    wls = [w for w in data["workloads"] if res.get((w["key"], "numpy"), {}).get("status") == "ok"]
    fig, ax = plt.subplots(figsize=(max(8.0, 1.3 * len(wls) + 3), 4.8), dpi=110)
    width = 0.8 / max(1, len(engines))
    colors = plt.get_cmap("tab10")
    for i, e in enumerate(engines):
        xs, ys = [], []
        for j, w in enumerate(wls):
            r = res.get((w["key"], e["key"]))
            if r and r["status"] == "ok":
                xs.append(j + (i - (len(engines) - 1) / 2) * width)
                ys.append(res[(w["key"], "numpy")]["median_ms"] / r["median_ms"])
        ax.bar(
            xs,
            ys,
            width=width,
            label=e["label"],
            color=colors(i % 10),
            edgecolor="black" if e["key"] == "rt_fused" else None,
            linewidth=0.8,
        )
    ax.axhline(1.0, color="grey", linewidth=0.8, linestyle="--")
    ax.set_yscale("log")
    ax.set_xticks(range(len(wls)))
    ax.set_xticklabels([f"{w['key']}\n{w['name']}" for w in wls], fontsize=8)
    ax.set_ylabel("speedup over NumPy (median time; higher is better)")
    ls = data["machine"].get("lscpu", {})
    ax.set_title(
        f"RustTorch {suite_title(data)}, {data['threads']} threads, {data['mode']} mode - "
        f"{ls.get('Model name', '')}",
        fontsize=9,
    )
    ax.legend(fontsize=7, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False)
    ax.grid(axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return None
