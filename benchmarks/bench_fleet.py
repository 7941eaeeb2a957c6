"""Fleet digest on Dask (issue 14): a generated 2 GB set of 24 mongod logs, 2 workers vs 1, memory per worker.

The set is generated at bench time under ``/tmp/infra-mind-bench-fleet`` (reused by later runs,
never committed): 24 plain JSON mongod logs of ~85 MiB each, made like the 200k-line log of
``bench_querycost`` (the embedded sample's lines — ~60 % "Slow query", the rest connection / hello
lines — cycled with fresh connection, user and assessment ids per pass), each file with the startup
lines of its own member (``db-<i>``), so the digest sees 24 members.

Measured side by side, wall time (``time.perf_counter``), one run each (the set is large):

* ``json.loads``: ``for line in open(path, "rb"): json.loads(line)`` over every file, one process;
* digest, 1 worker: :func:`analysis.querycost.pipeline.digest_inputs` with ``workers=1``
  (serial in-process, exact percentiles);
* digest, 2 workers: ``workers=2`` (a local Dask cluster, started and closed inside the timing).

Memory per worker: the RSS of each Dask worker process, sampled every 0.1 s with psutil while it
digests the first 6 files (~0.5 GB) and all 24 (~2 GB), each on a fresh cluster — bounded if the
peak does not grow with the set. The parent's peak (merging partial digests) is reported too.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import threading
import time
from pathlib import Path

import psutil

from analysis.querycost.pipeline import digest_inputs
from benchmarks.bench_querycost import _write_log

ROOT = Path("/tmp/infra-mind-bench-fleet")
FILES = 24
LINES_PER_FILE = 107_000  # ~85 MiB each, ~2 GB in all
STAMP = f"v1-{FILES}x{LINES_PER_FILE}"


def _startup(i: int) -> bytes:
    head = {"t": {"$date": "2025-11-04T08:59:00.000+00:00"}, "s": "I", "c": "CONTROL", "id": 4615611,
            "ctx": "initandlisten", "msg": "MongoDB starting",
            "attr": {"pid": 100 + i, "port": 27017, "dbPath": "/data/db", "architecture": "64-bit", "host": f"db-{i}"}}
    return json.dumps(head, separators=(",", ":")).encode() + b"\n"


def generate() -> list[Path]:
    """The set (generated once; reused while its stamp matches)."""
    ROOT.mkdir(exist_ok=True)
    files = [ROOT / f"db-{i:02d}.mongod.log" for i in range(FILES)]
    stamp = ROOT / "STAMP"
    if stamp.exists() and stamp.read_text() == STAMP and all(f.exists() for f in files):
        return files
    for i, f in enumerate(files):
        body = f.with_suffix(".tmp")
        _write_log(body, LINES_PER_FILE)
        with f.open("wb") as out, body.open("rb") as src:
            out.write(_startup(i))
            while chunk := src.read(1 << 24):
                out.write(chunk)
        body.unlink()
    stamp.write_text(STAMP)
    return files


def _json_loop(files: list[Path]) -> int:
    n = 0
    for f in files:
        with f.open("rb") as fh:
            for line in fh:
                json.loads(line)
                n += 1
    return n


def _timed(fn):
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _worker_peaks(files: list[Path]) -> tuple[list[float], list[float], float]:
    """RSS (MiB) of each worker of a fresh 2-worker cluster while digesting ``files``: at start and at peak.

    Sampled every 0.1 s with psutil (``ru_maxrss`` is useless here: a forked worker inherits the
    parent's high-water mark). Also the parent's peak RSS over the run.
    """
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        procs = [psutil.Process(pid) for pid in client.run(os.getpid).values()]
        start = [p.memory_info().rss / 2**20 for p in procs]
        peak = list(start)
        me = psutil.Process()
        parent = me.memory_info().rss / 2**20
        done = threading.Event()

        def sample() -> None:
            nonlocal parent
            while not done.wait(0.1):
                for i, p in enumerate(procs):
                    try:
                        peak[i] = max(peak[i], p.memory_info().rss / 2**20)
                    except psutil.Error:
                        pass
                parent = max(parent, me.memory_info().rss / 2**20)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        digest_inputs([str(f) for f in files], scheduler=cluster.scheduler_address)
        done.set()
        sampler.join()
    return [round(v, 1) for v in start], [round(v, 1) for v in peak], round(parent, 1)


def main() -> dict:
    t_gen = time.perf_counter()
    files = generate()
    size = sum(f.stat().st_size for f in files)
    print(f"set: {len(files)} files, {size / 2**30:.2f} GiB under {ROOT} (ready in {time.perf_counter() - t_gen:.0f} s); "
          f"cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}", flush=True)
    paths = [str(f) for f in files]
    n_json, t_json = _timed(lambda: _json_loop(files))
    one, t_one = _timed(lambda: digest_inputs(paths, workers=1))
    two, t_two = _timed(lambda: digest_inputs(paths, workers=2))
    assert one.stats.records == two.stats.records and len(one.members) == len(two.members) == FILES
    start_half, peaks_half, parent_half = _worker_peaks(files[: FILES // 4])
    start_full, peaks_full, parent_full = _worker_peaks(files)
    out = {"files": len(files), "bytes": size, "lines": n_json, "slow_queries": one.stats.records,
           "json_loads_s": round(t_json, 2), "digest_1_worker_s": round(t_one, 2), "digest_2_workers_s": round(t_two, 2),
           "speedup_2_vs_1": round(t_one / t_two, 2), "digest_1_worker_vs_json_loads": round(t_json / t_one, 2),
           "digest_2_workers_vs_json_loads": round(t_json / t_two, 2), "engine_2": two.engine.describe(),
           "worker_start_mib": start_full, "worker_peak_mib_0_5gb": peaks_half, "worker_peak_mib_2gb": peaks_full,
           "parent_peak_mib_0_5gb": parent_half, "parent_peak_mib_2gb": parent_full, "load_average_end": round(os.getloadavg()[0], 2)}
    print(f"json.loads loop (1 process) {t_json:8.1f} s   {n_json / t_json:,.0f} lines/s")
    print(f"digest, 1 worker (serial)   {t_one:8.1f} s   ×{t_json / t_one:.2f} vs json.loads")
    print(f"digest, 2 workers (Dask)    {t_two:8.1f} s   ×{t_json / t_two:.2f} vs json.loads; "
          f"2 workers vs 1: ×{t_one / t_two:.2f}  [{two.engine.describe()}]")
    print(f"RSS per worker (psutil, sampled every 0.1 s): at start {start_full} MiB; peak on the 0.5 GB set "
          f"{peaks_half} MiB, on the 2 GB set {peaks_full} MiB; parent (merging) {parent_half} / {parent_full} MiB")
    return out


if __name__ == "__main__":
    main()
