"""Where a run is written: a hidden partial directory, renamed into place when complete, then ``latest``.

A run works in ``OUT/.<stamp>.<random>.partial/``; :func:`publish` renames it to
``OUT/<stamp>/`` and swaps the ``OUT/latest`` symlink with one atomic ``os.replace``, so
a reader never sees a half-written run and an interrupted run never replaces ``latest``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import ConfigError


def utc_stamp(now: dt.datetime) -> str:
    """The run directory's name: ``20261101T000000Z``."""
    return now.strftime("%Y%m%dT%H%M%SZ")


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


def publish(partial: Path, out: Path, stamp: str) -> Path:
    """Rename the finished run into place and swap ``out/latest`` to it atomically.

    Parameters
    ----------
    partial : Path
        The complete work directory (see :func:`partial_dir`).
    out : Path
        The report root.
    stamp : str
        The run's name (:func:`utc_stamp`); ``-1``, ``-2`` ... is appended when it is taken.

    Returns
    -------
    Path
        The published run directory (``out/<stamp>``).
    """
    final = out / stamp
    n = 1
    while final.exists():
        final = out / f"{stamp}-{n}"
        n += 1
    partial.rename(final)
    latest = out / "latest"
    tmp_link = out / f".latest-{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(final.name)
    if latest.exists() and not latest.is_symlink():
        shutil.rmtree(latest)
    os.replace(tmp_link, latest)
    return final
