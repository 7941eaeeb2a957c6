"""Parallel read of large uncompressed mongod logs (byte ranges, one forked process each).

A plain log file is cut into as many byte ranges as workers; each worker (a forked
process) opens the file, starts at the first line that begins inside its range, reads
every line that *starts* before the range end, and returns a partial
:class:`~analysis.querycost.digest.Digester` and its
:class:`~analysis.querycost.records.FileStats`. The parent merges them, so the result is
identical to one sequential pass (tested). Memory per worker is bounded the same way as
the sequential reader. Compressed files and small files are read sequentially (a gzip
stream cannot be split); :func:`parallel_plan` says which.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ...config import resolve_path
from ...errors import SourceError
from ..digest import Digester, feed
from ..records import FileStats
from .files import GZIP_MAGIC, HEAD_BYTES, detect_kind
from .log import iter_log_rows

#: Plain logs smaller than this are read in one process (forking costs more than it saves).
PARALLEL_MIN_BYTES = 32 * 2**20


@dataclass(frozen=True)
class ParallelPlan:
    """A file and the byte ranges its workers read."""

    path: str
    ranges: tuple[tuple[int, int], ...]


def parallel_plan(path: str | Path, workers: int | None) -> ParallelPlan | None:
    """Byte ranges for a parallel read, or None when the file is read sequentially.

    Parameters
    ----------
    path : str or Path
        The file.
    workers : int, optional
        Processes wanted; default: the CPU count for plain logs of at least
        :data:`PARALLEL_MIN_BYTES`. ``1`` (or no ``fork`` start method) = sequential.
    """
    if workers == 1 or "fork" not in mp.get_all_start_methods():
        return None
    p = resolve_path(path)
    try:
        size = p.stat().st_size
        with p.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError:
        return None  # the sequential reader reports it
    n = workers or (os.cpu_count() or 1)
    if n < 2 or head[:2] == GZIP_MAGIC or detect_kind(head) != "log":
        return None
    if workers is None and size < PARALLEL_MIN_BYTES:
        return None
    step = -(-size // n)
    return ParallelPlan(str(p), tuple((i * step, min(size, (i + 1) * step)) for i in range(n) if i * step < size))


def _lines_in_range(fh: BinaryIO, start: int, end: int) -> Iterator[bytes]:
    if start > 0:
        fh.seek(start - 1)
        pos = start - 1 + len(fh.readline())  # finish the line that straddles the start
    else:
        pos = 0
    for line in fh:
        if pos >= end:
            break
        pos += len(line)
        yield line


def _digest_range(path: str, start: int, end: int) -> tuple[Digester, FileStats]:
    st = FileStats(path, kind="log")
    with open(path, "rb") as fh:
        dig = feed(Digester(), iter_log_rows(_lines_in_range(fh, start, end), st))
    return dig, st


def digest_log_parallel(plan: ParallelPlan) -> tuple[Digester, FileStats]:
    """Run the plan; returns the merged (Digester, FileStats).

    Raises
    ------
    SourceError
        The file cannot be read.
    """
    dig, total = Digester(), FileStats(plan.path, kind="log")
    try:
        with ProcessPoolExecutor(len(plan.ranges), mp_context=mp.get_context("fork")) as pool:
            futures = [pool.submit(_digest_range, plan.path, a, b) for a, b in plan.ranges]
            for f in futures:
                part, st = f.result()
                dig.merge(part)
                total.lines += st.lines
                total.records += st.records
                total.skipped += st.skipped
                total.reasons.update(st.reasons)
    except OSError as exc:
        raise SourceError(f"{plan.path}: cannot read ({exc.strerror or exc})") from None
    return dig, total
