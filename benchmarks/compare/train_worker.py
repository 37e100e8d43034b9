"""A training-suite worker: one engine and one workload in a process of its own, driven by the
parent (``train_runner``) over a line protocol, so the engines' thread pools, allocators and
compilers never share a process while they take turns in the same rounds.

``python -m benchmarks.compare.train_worker ENGINE WORKLOAD --threads N [--quick]``; requests on
stdin, one JSON object a line, each answered by one JSON line on the original stdout (everything
else the engines print goes to stderr):

- ``{"cmd": "start"}``: imports the engine, builds the job, times its first calls; answers
  ``version``, ``first_ms``, ``fingerprint`` (what the parent checks) and ``info``;
- ``{"cmd": "warm", "budget": {...}}``: warm-up; answers ``timing.warm_up``'s record;
- ``{"cmd": "sample", "batch": B, "n": N}``: answers ``{"samples": [...]}`` (seconds per call);
- ``{"cmd": "quit"}``.

Failures answer ``{"error": "..."}``."""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from typing import Any

from . import env  # the thread environment, before any engine is imported
from .timing import Budget, sample, warm_up
from .train import train_suite
from .train_engines import Job, make_job, setup


def serve(engine: str, workload: str, threads: int, quick: bool) -> None:
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # the engines' own output (compile logs, warnings) goes to stderr
    sys.stdout = sys.stderr
    w = next(x for x in train_suite(quick) if x.key == workload)
    job: Job | None = None
    for line in sys.stdin:
        req = json.loads(line)
        try:
            cmd = req["cmd"]
            if cmd == "quit":
                break
            if cmd == "start":
                version = setup(engine, threads)
                job = make_job(engine, w)
                t0 = time.perf_counter()
                fp = job.start()
                first_ms = (time.perf_counter() - t0) * 1e3
                reply: dict[str, Any] = {
                    "version": version,
                    "first_ms": first_ms,
                    "fingerprint": fp,
                    "info": job.info,
                }
            elif cmd == "warm":
                assert job is not None
                reply = warm_up(job.call, Budget(**req["budget"]))
            elif cmd == "sample":
                assert job is not None
                reply = {"samples": sample(job.call, req["batch"], req["n"])}
            else:
                reply = {"error": f"unknown command {cmd!r}"}
        except Exception as ex:
            traceback.print_exc()
            reply = {"error": f"{type(ex).__name__}: {ex}".splitlines()[0][:300]}
        proto.write(json.dumps(reply) + "\n")


def main(argv: list[str]) -> None:
    engine, workload = argv[0], argv[1]
    serve(engine, workload, env.THREADS, "--quick" in argv)


if __name__ == "__main__":
    main(sys.argv[1:])
