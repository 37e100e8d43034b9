#!/usr/bin/env python3
"""Compares two compare.py JSON files (a saved baseline and a new run) as a markdown table.

    python benchmarks/baseline.py bench-results/baselines/main.json bench-results/compare.json

Change = new median / old median - 1 (negative: faster). The STREAM copy of both runs is shown
first: when it moved too, the machine's state moved, not only the code. Changes within
``--noise`` (default 10%, this machine kind is noisy) are marked ``~``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def medians(data: dict[str, Any]) -> dict[tuple[str, str], float]:
    return {
        (r["workload"], r["engine"]): r["median_ms"]
        for r in data.get("results", [])
        if r.get("status") == "ok"
    }


def diff(old: dict[str, Any], new: dict[str, Any], noise: float) -> str:
    out = []
    so, sn = old.get("stream") or {}, new.get("stream") or {}
    if so and sn:
        c0, c1 = so["copy"]["gbs"], sn["copy"]["gbs"]
        out.append(
            f"STREAM copy: {c0:.1f} -> {c1:.1f} GB/s ({100 * (c1 / c0 - 1):+.0f}%); "
            f"baseline {old.get('timestamp', '?')} rev {old['machine'].get('git_rev', '?')}, "
            f"new {new.get('timestamp', '?')} rev {new['machine'].get('git_rev', '?')}; "
            f"threads {old.get('threads')} -> {new.get('threads')}, "
            f"mode {old.get('mode')} -> {new.get('mode')}\n"
        )
    labels = {e["key"]: e["label"] for e in old.get("engines", []) + new.get("engines", [])}
    mo, mn = medians(old), medians(new)
    names = {w["key"]: w["name"] for w in old.get("workloads", []) + new.get("workloads", [])}
    rows = []
    for key in sorted(set(mo) | set(mn), key=lambda k: (int(k[0][1:]), k[1])):
        a, b = mo.get(key), mn.get(key)
        if a is None or b is None:
            change, mark = "new" if a is None else "gone", ""
        else:
            rel = b / a - 1
            change = f"{100 * rel:+.1f}%"
            mark = "~" if abs(rel) <= noise else ("faster" if rel < 0 else "SLOWER")
        rows.append(
            f"| {key[0]} {names.get(key[0], '')} | {labels.get(key[1], key[1])} | "
            f"{'' if a is None else f'{a:.4g}'} | {'' if b is None else f'{b:.4g}'} | "
            f"{change} | {mark} |"
        )
    out.append("| workload | engine | baseline ms | new ms | change | |")
    out.append("|---|---|---|---|---|---|")
    out += rows
    return "\n".join(out) + "\n"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("baseline", type=Path)
    p.add_argument("new", type=Path)
    p.add_argument("--noise", type=float, default=0.10, help="relative change treated as noise")
    args = p.parse_args()
    for f in (args.baseline, args.new):
        if not f.is_file():
            print(f"no such file: {f}", file=sys.stderr)
            return 2
    print(diff(load(args.baseline), load(args.new), args.noise), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
