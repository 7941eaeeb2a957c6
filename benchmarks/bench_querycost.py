"""The digest in one process and on two Dask workers vs a bare ``orjson.loads`` loop; start-up; memory (issue 23).

Inputs (generated once under ``/tmp``, never committed; :mod:`benchmarks.inputs`):

* **mixed** — 200k lines cycled from the embedded sample (~64 % "Slow query", 166 MB);
* **member** — a real-shaped single-member 7.0 log of 160 MiB (:mod:`analysis.samples.memberlog`:
  mostly awaitable hello, oplog and cursor getMores, finds and aggregations with long commands and
  many distinct values per shape);
* **tiny** — 20 lines (start-up).

Each round measures, side by side, wall time (``time.perf_counter``):

* ``orjson``: ``for line in open(path, "rb"): orjson.loads(line)`` — parsing only;
* ``1 worker``: :func:`analysis.querycost.pipeline.digest_inputs` with ``workers=1`` (serial, exact);
* ``2 workers``: ``workers=2`` (a local Dask cluster, its start and close inside the timing).

Ratios are taken within a round (the machine is shared: rounds drift) and reported as median and
range over :data:`ROUNDS` rounds, beside their target. The digest's ``--json`` is compared with the
golden capture of the digest before issue 23 (:mod:`benchmarks.golden`): every field, percentiles
exact for one process and within the bins' ±1 % on Dask. Start-up: the whole process
``python -m analysis digest tiny.log --json``, median of 5. Memory: tracemalloc peak of the
one-process digest at 50k and 200k lines (streaming: it must not grow).
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import orjson

from analysis.querycost.pipeline import digest_inputs
from benchmarks import golden, inputs
from benchmarks.targets import summary, verdict_line

ROUNDS = 3
#: the issue's targets: one process vs the orjson loop; two workers on one large file vs serial; start-up
ONE_PROCESS_TARGET = 1.0
SINGLE_FILE_TWO_WORKERS_TARGET = 1.0
TINY_TARGET_S = 0.5


def _orjson_loop(path: Path) -> int:
    n = 0
    loads = orjson.loads
    with path.open("rb") as fh:
        for line in fh:
            loads(line)
            n += 1
    return n


def _timed(fn) -> tuple[object, float]:
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _peak_mib(path: Path) -> float:
    gc.collect()
    tracemalloc.start()
    digest_inputs([str(path)], workers=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def _tiny_process_s(path: Path, n: int = 5) -> list[float]:
    cmd = [sys.executable, "-m", "analysis", "digest", str(path), "--json"]
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        out.append(time.perf_counter() - t0)
    return out


def _rounds(name: str, path: Path) -> dict:
    t_json, t_one, t_two = [], [], []
    checks = set()
    for _ in range(ROUNDS):
        _, a = _timed(lambda: _orjson_loop(path))
        one, b = _timed(lambda: digest_inputs([str(path)], workers=1))
        two, c = _timed(lambda: digest_inputs([str(path)], workers=2))
        t_json.append(a), t_one.append(b), t_two.append(c)
        checks.add(f"1 worker {golden.check(name, one)}; 2 workers {golden.check(name, two)}")  # type: ignore[arg-type]
    return {"bytes": path.stat().st_size, "orjson_s": t_json, "one_s": t_one, "two_s": t_two,
            "one_vs_orjson": [a / b for a, b in zip(t_json, t_one)],
            "two_vs_one": [b / c for b, c in zip(t_one, t_two)], "golden": sorted(checks)}


def main() -> dict:
    logs = {"mixed": inputs.mixed_log(), "member": inputs.member_log()}
    out: dict = {"cpus": os.cpu_count(), "load_average_start": os.getloadavg()[0]}
    lines = []
    print(f"{'log':<8}{'MB':>7}{'orjson s':>18}{'1 worker s':>18}{'2 workers s':>18}", flush=True)
    for name, path in logs.items():
        r = out[name] = _rounds(name, path)
        span = lambda xs: f"{min(xs):.2f}–{max(xs):.2f}"  # noqa: E731
        print(f"{name:<8}{r['bytes'] / 1e6:>7.0f}{span(r['orjson_s']):>18}{span(r['one_s']):>18}{span(r['two_s']):>18}")
        for g in r["golden"]:
            print(f"  golden ({name}): {g}")
        lines.append(verdict_line(f"{name}: 1 worker vs orjson loop (time ratio)", r["one_vs_orjson"], ONE_PROCESS_TARGET))
        lines.append(verdict_line(f"{name}: 2 workers vs 1 worker on one file", r["two_vs_one"],
                                  SINGLE_FILE_TWO_WORKERS_TARGET))
    tiny = _tiny_process_s(inputs.tiny_log())
    out["tiny_process_s"] = tiny
    lines.append(verdict_line("tiny file: whole digest process (s)", tiny, TINY_TARGET_S, higher_is_better=False,
                              unit=" s"))
    small = inputs.small_mixed_log()
    out["peak_mib_50k"], out["peak_mib_200k"] = _peak_mib(small), _peak_mib(logs["mixed"])
    print(f"one-process peak memory (tracemalloc): 50k lines {out['peak_mib_50k']:.1f} MiB, "
          f"200k lines {out['peak_mib_200k']:.1f} MiB (×{out['peak_mib_200k'] / out['peak_mib_50k']:.2f})")
    print(f"ratios: time of the first / time of the second, per round (median, range over {ROUNDS} rounds); "
          f"load average {os.getloadavg()[0]:.2f} at the end, {os.cpu_count()} cores")
    print("\n".join(lines))
    print(summary(lines))
    out["targets"] = lines
    out["median_one_vs_orjson"] = {n: statistics.median(out[n]["one_vs_orjson"]) for n in logs}
    return out


if __name__ == "__main__":
    main()
