"""Fleet digest on Dask (issues 14, 23): a generated 2.2 GiB set of 24 mongod logs, 2 workers vs 1, memory per worker.

The set is generated once under ``/tmp/infra-mind-bench-fleet`` (reused by later runs, never committed;
:func:`benchmarks.inputs.fleet_set`): 24 plain JSON mongod logs of ~85 MiB each, made like the 200k-line
log of ``bench_querycost`` (the embedded sample's lines cycled with fresh connection, user and assessment
ids per pass), each file with the startup line of its own member (``db-<i>``), so the digest sees 24 members.

Measured side by side, wall time (``time.perf_counter``), :data:`ROUNDS` rounds:

* ``orjson``: ``for line in open(path, "rb"): orjson.loads(line)`` over every file, one process;
* digest, 1 worker: :func:`analysis.querycost.pipeline.digest_inputs` with ``workers=1`` (serial, exact);
* digest, 2 workers: ``workers=2`` (a local Dask cluster, started and closed inside the timing).

Both digests are compared with the golden capture (:mod:`benchmarks.golden`). Memory per worker: the RSS
of each Dask worker process, sampled every 0.1 s with psutil while it digests the first 6 files (~0.5 GB)
and all 24 (~2 GB), each on a fresh cluster — bounded if the peak does not grow with the set. The parent's
peak (merging partial digests) is reported too.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from pathlib import Path

import orjson
import psutil

from analysis.querycost.pipeline import digest_inputs
from benchmarks import golden
from benchmarks.inputs import FLEET_FILES as FILES
from benchmarks.inputs import fleet_set
from benchmarks.targets import summary, verdict_line

ROUNDS = 2
TWO_VS_ONE_TARGET = 1.8
TWO_VS_ORJSON_TARGET = 1.8
WORKER_RSS_TARGET_MIB = 110.0


def generate() -> list[Path]:
    """The set (generated once; reused while its stamp matches)."""
    return fleet_set()


def _orjson_loop(files: list[Path]) -> int:
    n = 0
    loads = orjson.loads
    for f in files:
        with f.open("rb") as fh:
            for line in fh:
                loads(line)
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
    print(f"set: {len(files)} files, {size / 2**30:.2f} GiB under {files[0].parent} (ready in "
          f"{time.perf_counter() - t_gen:.0f} s); cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}", flush=True)
    paths = [str(f) for f in files]
    t_json, t_one, t_two, checks = [], [], [], set()
    for _ in range(ROUNDS):
        n_json, a = _timed(lambda: _orjson_loop(files))
        one, b = _timed(lambda: digest_inputs(paths, workers=1))
        two, c = _timed(lambda: digest_inputs(paths, workers=2))
        assert one.stats.records == two.stats.records and len(one.members) == len(two.members) == FILES
        t_json.append(a), t_one.append(b), t_two.append(c)
        checks.add(f"1 worker {golden.check('fleet', one)}; 2 workers {golden.check('fleet', two)}")
        print(f"round: orjson {a:.1f} s, 1 worker {b:.1f} s, 2 workers {c:.1f} s [{two.engine.describe()}]", flush=True)
    start_half, peaks_half, parent_half = _worker_peaks(files[: FILES // 4])
    start_full, peaks_full, parent_full = _worker_peaks(files)
    out = {"files": len(files), "bytes": size, "lines": n_json, "slow_queries": one.stats.records,
           "orjson_s": t_json, "digest_1_worker_s": t_one, "digest_2_workers_s": t_two,
           "worker_start_mib": start_full, "worker_peak_mib_0_5gb": peaks_half, "worker_peak_mib_2gb": peaks_full,
           "parent_peak_mib_0_5gb": parent_half, "parent_peak_mib_2gb": parent_full,
           "load_average_end": round(os.getloadavg()[0], 2), "golden": sorted(checks)}
    for g in sorted(checks):
        print(f"  golden (fleet): {g}")
    print(f"RSS per worker (psutil, sampled every 0.1 s): at start {start_full} MiB; peak on the 0.5 GB set "
          f"{peaks_half} MiB, on the 2 GB set {peaks_full} MiB; parent (merging) {parent_half} / {parent_full} MiB")
    lines = [verdict_line("fleet: 2 workers vs 1 worker", [b / c for b, c in zip(t_one, t_two)], TWO_VS_ONE_TARGET),
             verdict_line("fleet: 2 workers vs orjson loop", [a / c for a, c in zip(t_json, t_two)], TWO_VS_ORJSON_TARGET),
             verdict_line("fleet: 1 worker vs orjson loop", [a / b for a, b in zip(t_json, t_one)], 1.0),
             verdict_line("fleet: peak RSS per worker, 2 GB set (MiB)", peaks_full, WORKER_RSS_TARGET_MIB,
                          higher_is_better=False, unit=" MiB"),
             verdict_line("fleet: worker peak 2 GB / 0.5 GB set (bounded)", [max(peaks_full) / max(peaks_half)], 1.1,
                          higher_is_better=False)]
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    print("\n".join(lines))
    print(summary(lines))
    out["targets"] = lines
    return out


if __name__ == "__main__":
    main()
