"""The digest on Dask distributed (tiny inputs): equal to the serial digest, exact after a killed worker,
an unreachable scheduler is one error within the timeout, Ctrl-C closes the cluster."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from distributed import LocalCluster

from analysis.config import data_dir
from analysis.errors import SourceError
from analysis.querycost.digest import Digester
from analysis.querycost.histogram import BIN_ERROR
from analysis.querycost.sources import cluster as cl
from analysis.querycost.sources.chunks import Partial, digest_chunk, expand_inputs, plan_chunks

DATA = Path(__file__).resolve().parents[3] / "data" / "querycost"
PERCENTILES = ["p50_ms", "p95_ms", "p99_ms"]


@pytest.fixture(scope="module")
def fleet(tmp_path_factory) -> list[str]:
    """Ten copies of the sample log (members of a .gz set) and the per-version logs and profiles."""
    d = tmp_path_factory.mktemp("fleet")
    for i in range(10):
        shutil.copy(data_dir() / "querycost" / "sample_slow_query.log.gz", d / f"rs0-db-{i}.log.gz")
    for f in (DATA / "versions").iterdir():
        shutil.copy(f, d / f.name)
    return expand_inputs([d])


@pytest.fixture(scope="module")
def local_cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as c:
        yield c


def _in_order_with_bins(files: list[str]) -> Partial:
    total = Partial(Digester(False))
    for c in plan_chunks(files, split=True):
        total.merge(digest_chunk(c, False))
    return total


def test_local_cluster_equals_the_serial_digest(fleet) -> None:
    serial, eng1 = cl.run_digest(fleet, workers=1)
    dask, eng2 = cl.run_digest(fleet, workers=2)
    assert (eng1.mode, eng1.exact, eng2.mode, eng2.exact, eng2.workers) == (
        "serial in-process", True, "local Dask cluster", False, 2)
    a, b = serial.digester.frame(), dask.digester.frame()
    pd.testing.assert_frame_equal(a.drop(columns=PERCENTILES), b.drop(columns=PERCENTILES))
    for col in PERCENTILES:
        np.testing.assert_allclose(b[col], a[col], rtol=BIN_ERROR + 1e-9, err_msg=col)
    sa, sb = serial.stats(fleet), dask.stats(fleet)
    assert [(f.path, f.lines, f.records, f.skipped) for f in sa.files] == [
        (f.path, f.lines, f.records, f.skipped) for f in sb.files]


def test_a_killed_worker_is_retried_and_the_digest_stays_exact(fleet, local_cluster, monkeypatch) -> None:
    killed: list[int] = []
    take = cl._take

    def kill_one_worker_then_take(future):
        if not killed:
            pids = future.client.run(os.getpid)
            pid = sorted(pids.values())[0]
            os.kill(pid, signal.SIGKILL)  # mid-run: only the first of the chunks has been taken
            killed.append(pid)
        return take(future)

    monkeypatch.setattr(cl, "_take", kill_one_worker_then_take)
    got, engine = cl.run_digest(fleet, scheduler=local_cluster.scheduler_address)
    assert killed and engine.mode.startswith("Dask scheduler")
    want = _in_order_with_bins(fleet)
    pd.testing.assert_frame_equal(got.digester.frame(), want.digester.frame())
    assert got.stats(fleet).records == want.stats(fleet).records


def test_an_unreachable_scheduler_is_one_error_within_the_timeout(fleet) -> None:
    t0 = time.monotonic()
    with pytest.raises(SourceError, match=r"dask scheduler tcp://127\.0\.0\.1:9: no answer within 2 s"):
        cl.run_digest(fleet[:1], scheduler="tcp://127.0.0.1:9", connect_timeout=2)
    assert time.monotonic() - t0 < 10


def test_ctrl_c_closes_client_and_cluster(fleet, monkeypatch) -> None:
    closed: list[str] = []

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cl, "_merge_in_order", interrupted)
    monkeypatch.setattr(cl, "_close", lambda close: (closed.append(getattr(close, "__qualname__", "?")), close()))
    with pytest.raises(KeyboardInterrupt):
        cl.run_digest(fleet[:2], workers=2)
    assert [c.split(".")[0] for c in closed] == ["Client", "SpecCluster"]  # LocalCluster.close is SpecCluster.close
