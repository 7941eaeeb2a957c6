"""Digest throughput vs a bare ``json.loads`` loop, and peak memory at 50k vs 200k lines.

The log is generated at bench time into a temporary directory (never committed) by
cycling the lines of the embedded synthetic sample log (real mongod 4.4+ format: ~60 %
"Slow query" lines, the rest connection / hello lines, like a production log at a low
``slowms``); each pass gets its own connection, user and assessment ids, so a command
repeats verbatim only as often as within the sample. A second log holds only
"Slow query" lines (the worst case for the digest's pre-filter).

Measured side by side in one run, best of 3 each:

* ``json.loads``: ``for line in open(path, "rb"): json.loads(line)`` — parsing only;
* digest: :func:`analysis.querycost.pipeline.digest_files` — read, filter, parse,
  normalize, shape, classify and aggregate into the per-shape table (plus plans, clients,
  timeline, members); as shipped (a plain log above 64 MiB runs on a local Dask cluster of
  one worker per core, each task on its own byte range — the cluster's start and close are
  inside the timing) and forced into one process (``workers=1``), both reported.

Peak memory: ``tracemalloc`` peak of the one-process digest over 50k and 200k lines
(streaming: it must not grow with the file; Dask workers run the same code on their
ranges — ``bench_fleet`` measures their RSS).
"""

from __future__ import annotations

import gc
import gzip
import json
import os
import tempfile
import time
import tracemalloc
from pathlib import Path

from analysis.config import data_dir
from analysis.querycost.pipeline import digest_files

SAMPLE = data_dir() / "querycost" / "sample_slow_query.log.gz"
LINES = 200_000
SMALL = 50_000


def _write_log(path: Path, n: int, *, slow_only: bool = False) -> int:
    src = [ln for ln in gzip.open(SAMPLE, "rb").read().splitlines() if ln.strip()]
    if slow_only:
        src = [ln for ln in src if b'"msg":"Slow query"' in ln and b'"hello"' not in ln]
    written = 0
    with path.open("wb") as fh:
        i = 0
        while written < n:
            line = src[i % len(src)]
            # each pass over the sample gets its own connection ids, user ids and assessment ids, so
            # commands repeat verbatim only as often as inside the sample (same user reloading)
            cycle = i // len(src)
            line = (line.replace(b'"ctx":"conn', b'"ctx":"conn%d' % cycle, 1)
                    .replace(b'user-', b'u%04d-' % cycle).replace(b'"677485800', b'"6%08x' % cycle))
            fh.write(line + b"\n")
            written += 1
            i += 1
    return written


def _time(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _json_loop(path: Path) -> int:
    n = 0
    with path.open("rb") as fh:
        for line in fh:
            json.loads(line)
            n += 1
    return n


def _peak_mib(path: Path) -> float:
    gc.collect()
    tracemalloc.start()
    digest_files([path], workers=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> dict:
    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench_querycost_") as tmp:
        tmpdir = Path(tmp)
        rows = []
        for label, slow_only in (("mixed log", False), ("slow-query-only log", True)):
            big = tmpdir / f"{label.split()[0]}_{LINES}.log"
            _write_log(big, LINES, slow_only=slow_only)
            t_json = _time(lambda: _json_loop(big))
            t_dig = _time(lambda: digest_files([big]))
            t_one = _time(lambda: digest_files([big], workers=1))
            df, stats = digest_files([big])
            rows.append((label, stats.lines, stats.records, len(df), t_json, t_dig, t_one))
            out[label] = {"lines": stats.lines, "slow_queries": stats.records, "shapes": len(df),
                          "bytes": big.stat().st_size, "cpus": os.cpu_count(),
                          "json_loads_s": round(t_json, 3), "digest_s": round(t_dig, 3),
                          "digest_one_process_s": round(t_one, 3),
                          "json_loads_lines_per_s": round(stats.lines / t_json),
                          "digest_lines_per_s": round(stats.lines / t_dig),
                          "ratio_digest_vs_json_loads": round(t_json / t_dig, 2),
                          "ratio_one_process_vs_json_loads": round(t_json / t_one, 2)}
        small = tmpdir / f"mixed_{SMALL}.log"
        _write_log(small, SMALL)
        peak_small = _peak_mib(small)
        peak_big = _peak_mib(tmpdir / f"mixed_{LINES}.log")
        out["peak_mib_50k"] = round(peak_small, 2)
        out["peak_mib_200k"] = round(peak_big, 2)
        out["peak_growth_200k_vs_50k"] = round(peak_big / peak_small, 2)
    print(f"{'log':<22}{'lines':>9}{'queries':>9}{'shapes':>7}{'json.loads s':>14}{'digest s':>10}"
          f"{'ratio':>8}{'1-proc s':>10}{'ratio':>8}")
    for label, lines, recs, shapes, tj, td, t1 in rows:
        print(f"{label:<22}{lines:>9}{recs:>9}{shapes:>7}{tj:>14.3f}{td:>10.3f}{tj / td:>7.2f}×"
              f"{t1:>10.3f}{tj / t1:>7.2f}×")
    print(f"ratio = json.loads time / digest time (≥ 1.0: the full digest is at least as fast as bare parsing); "
          f"digest as shipped runs on a local Dask cluster of {os.cpu_count()} worker(s) for a plain log this size "
          f"(start included), '1-proc' forces one process; load average {os.getloadavg()[0]:.2f}")
    print(f"digest peak memory (tracemalloc): 50k lines {out['peak_mib_50k']:.2f} MiB, "
          f"200k lines {out['peak_mib_200k']:.2f} MiB (×{out['peak_growth_200k_vs_50k']:.2f})")
    return out


if __name__ == "__main__":
    main()
