"""Where the map → merge of a fleet digest runs: in-process (serial) or on Dask distributed.

* **serial** — ``workers=1``, or, when neither workers nor a scheduler is named, inputs a local
  cluster would not digest sooner (:func:`cluster_pays`: the time the second core saves against
  the cluster's start and close, measured by ``make bench``): one whole-file chunk after another in
  this process, exact percentiles, no cluster started (the embedded sample, a single log);
* **local cluster** — otherwise: a ``distributed.LocalCluster`` in this machine, one worker
  process per core (or ``workers``), one thread each; large plain logs are cut in byte
  ranges (:func:`~.chunks.plan_chunks`);
* **existing cluster** — ``scheduler="tcp://host:8786"``: the same tasks on its workers (they
  need this package installed and the files at the same paths).

Partial digests are merged on the client in chunk order as they arrive (so the result does
not depend on which worker finished first) and released; percentiles of distributed runs
come from log-spaced bins (:mod:`analysis.querycost.histogram`, ±1 %). A worker that dies
is replaced and its tasks re-run by Dask; a chunk is read whole by one task, so the merge
stays exact. Ctrl-C closes the client and the cluster before it propagates. ``distributed``
is imported only when a cluster is used (its import alone costs about a second).
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing as mp
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tqdm import tqdm  # plain text bar: tqdm.auto wants ipywidgets in a kernel (not a dependency)

from ...errors import SourceError
from ..digest import Digester
from .chunks import CHUNK_BYTES, Partial, digest_chunk, input_bytes, plan_chunks

#: The one-process digest's speed on a real-shaped log (bytes a second; ``make bench``, 2-core machine).
SERIAL_BYTES_PER_S = 120e6
#: Seconds a local cluster costs before and after its tasks: importing distributed, starting the
#: scheduler and the forked workers, closing them (``make bench``: 0.6 – 1.5 s on the 2-core machine).
CLUSTER_START_S = 1.2
#: How much sooner a cluster must be expected to finish before one is started (its start varies).
CLUSTER_MARGIN = 1.5
#: The inputs below which the default is serial, for the machine's core count (at least 64 MiB).
SERIAL_MAX_BYTES = 64 * 2**20
#: Seconds to wait for an existing scheduler before giving up.
CONNECT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Engine:
    """How a digest ran (for captions and the JSON): mode, workers, exact percentiles or bins, chunks."""

    mode: str
    workers: int
    exact: bool
    chunks: int

    def describe(self) -> str:
        """One line, e.g. ``local Dask cluster, 2 workers, 48 chunks, percentiles from log-spaced bins (±1 %)``."""
        how = "exact percentiles" if self.exact else "percentiles from log-spaced bins (±1 %)"
        return f"{self.mode}, {self.workers} worker(s), {self.chunks} chunk(s), {how}"


def run_digest(files: Sequence[str], *, workers: int | None = None, scheduler: str = "", progress: bool = False,
               connect_timeout: float = CONNECT_TIMEOUT_S) -> tuple[Partial, Engine]:
    """Digest the files: serial or on Dask (see the module docstring for which).

    Parameters
    ----------
    files : sequence of str
        Files (already expanded from paths, globs and directories).
    workers : int, optional
        ``1`` = serial; ``N`` = a local cluster of N workers; default: serial for small inputs,
        else one worker per core.
    scheduler : str
        Address of an existing Dask scheduler (``tcp://host:8786``); empty: none.
    progress : bool
        Show a progress bar over chunks (stderr).
    connect_timeout : float
        Seconds to wait for ``scheduler``.

    Returns
    -------
    (Partial, Engine)

    Raises
    ------
    SourceError
        The scheduler does not answer within ``connect_timeout``.
    """
    if not scheduler and (workers == 1 or (workers is None and not cluster_pays(input_bytes(files),
                                                                                  os.cpu_count() or 1))):
        chunks = plan_chunks(files, split=False)
        parts = enumerate(map(lambda c: digest_chunk(c, True), chunks))
        return _merge_in_order(parts, len(chunks), progress, exact=True), \
            Engine("serial in-process", 1, True, len(chunks))
    with _dask_client(workers, scheduler, connect_timeout) as (client, mode, n):
        # byte ranges small enough that every worker gets several (balance), at most CHUNK_BYTES
        chunks = plan_chunks(files, split=True, chunk_bytes=chunk_size(input_bytes(files), n))
        futures = client.map(digest_chunk, chunks, exact=False, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        done = importlib.import_module("distributed").as_completed(futures, loop=client.loop)
        partial = _merge_in_order(((index[f.key], _take(f)) for f in done), len(chunks), progress, exact=False)
    return partial, Engine(mode, n, False, len(chunks))


def cluster_pays(total_bytes: int, workers: int) -> bool:
    """Whether a local cluster of ``workers`` would digest ``total_bytes`` sooner than this process.

    The serial time is ``total_bytes / SERIAL_BYTES_PER_S``; ``workers`` save ``1 - 1/workers`` of
    it and cost :data:`CLUSTER_START_S`; a cluster is started when the saving is
    :data:`CLUSTER_MARGIN` times that cost (about 430 MB of logs on 2 cores), never under
    :data:`SERIAL_MAX_BYTES`.

    Examples
    --------
    >>> cluster_pays(160 * 2**20, 2), cluster_pays(2 * 2**30, 2), cluster_pays(2 * 2**30, 1)
    (False, True, False)
    """
    if workers < 2 or total_bytes < SERIAL_MAX_BYTES:
        return False
    saved = total_bytes / SERIAL_BYTES_PER_S * (1 - 1 / workers)
    return saved > CLUSTER_MARGIN * CLUSTER_START_S


def chunk_size(total_bytes: int, workers: int) -> int:
    """Byte-range size for ``workers``: about four ranges per worker, between 8 MiB and ``CHUNK_BYTES``."""
    return int(min(CHUNK_BYTES, max(8 * 2**20, total_bytes // max(4 * workers, 1))))


def _take(future: Any) -> Partial:
    result = future.result()
    future.release()
    return result


def _merge_in_order(parts: Iterator[tuple[int, Partial]], n: int, progress: bool, *, exact: bool) -> Partial:
    """Merge ``(chunk index, partial)`` pairs, arriving in any order, in chunk order (a progress bar counts them)."""
    total = Partial(Digester(exact=exact))
    pending: dict[int, Partial] = {}
    nxt = 0
    with tqdm(total=n, desc="digest chunks", unit="chunk", disable=None if progress else True, leave=False) as bar:
        for i, part in parts:
            pending[i] = part
            while nxt in pending:
                total.merge(pending.pop(nxt))
                nxt += 1
            bar.update(1)
    return total


@contextmanager
def _dask_client(workers: int | None, scheduler: str, timeout: float) -> Iterator[tuple[Any, str, int]]:
    """A ``distributed.Client`` on an existing scheduler or a new local cluster; both closed on exit (also Ctrl-C)."""
    dist = importlib.import_module("distributed")
    cluster = None
    if scheduler:
        try:
            client = dist.Client(scheduler, timeout=f"{timeout}s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise SourceError(f"dask scheduler {scheduler}: no answer within {timeout:g} s "
                              f"({type(exc).__name__})") from None
        mode = f"Dask scheduler {scheduler}"
    else:
        n_workers = workers or os.cpu_count() or 1
        # fork: a worker starts in ~0.1 s with this process's modules loaded (spawn: several seconds)
        method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        with importlib.import_module("dask").config.set({"distributed.worker.multiprocessing-method": method}):
            cluster = dist.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                        dashboard_address=":0", silence_logs=logging.ERROR)
        client = dist.Client(cluster, set_as_default=False)
        mode = "local Dask cluster"
    try:
        yield client, mode, len(client.scheduler_info().get("workers", {})) or (workers or 0)
    finally:
        _close(client.close)
        if cluster is not None:
            _close(cluster.close)


def _close(close: Callable[[], Any]) -> None:
    try:
        close()
    except Exception:  # noqa: BLE001 - closing after a failure must not hide the failure
        logging.getLogger(__name__).debug("closing the Dask client/cluster failed", exc_info=True)
