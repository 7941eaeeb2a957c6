"""Where a run is written: a hidden partial directory, renamed into place when complete, then ``latest``.

A run works in ``OUT/.<run id>.partial/``; :func:`publish` renames it to ``OUT/<run id>/``
and swaps the ``OUT/latest`` symlink with one atomic ``os.replace``, so a reader never sees
a half-written run and an interrupted run never replaces ``OUT/latest``. A run's id is its
UTC start time (``20261101T060000Z``, ``-1``, ``-2`` ... when that second is taken), reserved
when the run starts (:func:`reserve_run`). Several runners may write into one ``OUT`` at once:
``latest`` always ends on the run that started last, and :func:`prune` (``--keep N``) never
removes the run ``latest`` points at. Both take an advisory lock on ``OUT`` itself.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import ConfigError

#: A run directory's name: ``20261101T060000Z`` or ``20261101T060000Z-2``.
RUN_ID = re.compile(r"^(?P<stamp>\d{8}T\d{6}Z)(?:-(?P<n>\d+))?$")


def utc_stamp(now: dt.datetime) -> str:
    """The run directory's name: ``20261101T000000Z``."""
    return now.strftime("%Y%m%dT%H%M%SZ")


def run_order(run_id: str) -> tuple[str, int]:
    """Sort key of run ids: start time, then the same-second suffix (``X-10`` after ``X-9``)."""
    m = RUN_ID.match(run_id)
    return (m.group("stamp"), int(m.group("n") or 0)) if m else ("", -1)


def prepare_out_dir(out: Path) -> None:
    """Create ``out`` and prove it is writable.

    Raises
    ------
    ConfigError
        ``output directory OUT: not writable (reason)``.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise ConfigError(f"output directory {out}: not writable ({exc.strerror or exc})") from exc


def partial_dir(out: Path, stamp: str) -> Path:
    """A new hidden work directory for the run ``stamp`` under ``out`` (``.<stamp>.*.partial``)."""
    return Path(tempfile.mkdtemp(prefix=f".{stamp}.", suffix=".partial", dir=out))


def reserve_run(out: Path, stamp: str) -> tuple[str, Path]:
    """Reserve a run id for a run starting now and create its hidden work directory.

    The id is ``stamp``, or ``stamp-1``, ``stamp-2`` ... when a published run or another
    runner's work directory already has it (the exclusive ``mkdir`` makes this race-free).

    Returns
    -------
    (str, Path)
        The run id and its work directory ``out/.<run id>.partial``.
    """
    n = 0
    while True:
        run_id = stamp if n == 0 else f"{stamp}-{n}"
        partial = out / f".{run_id}.partial"
        try:
            partial.mkdir()
        except FileExistsError:
            n += 1
            continue
        if not (out / run_id).exists():
            return run_id, partial
        partial.rmdir()
        n += 1


@contextmanager
def out_lock(out: Path) -> Iterator[None]:
    """An exclusive advisory lock on the report root (held while ``latest`` or old runs change)."""
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def latest_run(out: Path) -> str | None:
    """The run id ``out/latest`` points at (None: no link, or not a run)."""
    link = out / "latest"
    if not link.is_symlink():
        return None
    name = Path(os.readlink(link)).name
    return name if RUN_ID.match(name) and (out / name).is_dir() else None


def _point_latest(out: Path, run_id: str) -> None:
    """Swap ``out/latest`` to ``run_id`` unless it already points at a run that started later."""
    current = latest_run(out)
    if current and run_order(current) > run_order(run_id):
        return
    latest = out / "latest"
    tmp_link = out / f".latest-{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(run_id)
    if latest.exists() and not latest.is_symlink():
        shutil.rmtree(latest)
    os.replace(tmp_link, latest)


def publish(partial: Path, out: Path, stamp: str) -> Path:
    """Rename the finished run into place and point ``out/latest`` at it (unless a later run is there).

    Parameters
    ----------
    partial : Path
        The complete work directory (see :func:`reserve_run`).
    out : Path
        The report root.
    stamp : str
        The run's id; ``-1``, ``-2`` ... is appended when it is taken.

    Returns
    -------
    Path
        The published run directory (``out/<run id>``).
    """
    with out_lock(out):
        final = out / stamp
        n = 1
        while final.exists():
            final = out / f"{stamp}-{n}"
            n += 1
        partial.rename(final)
        _point_latest(out, final.name)
    return final


def prune(out: Path, keep: int) -> list[str]:
    """Delete all but the newest ``keep`` run directories; never the one ``latest`` points at.

    Only directories named like a run are touched; the history database keeps every run.

    Returns
    -------
    list of str
        The removed run ids, oldest first.
    """
    with out_lock(out):
        protected = latest_run(out)
        found = sorted((p.name for p in out.iterdir() if RUN_ID.match(p.name) and p.is_dir() and not p.is_symlink()),
                       key=run_order)
        doomed = [r for r in found[: max(len(found) - keep, 0)] if r != protected]
        for run_id in doomed:
            shutil.rmtree(out / run_id, ignore_errors=True)
    return doomed
