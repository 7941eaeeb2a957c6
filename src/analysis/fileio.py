"""Writing a file so a reader never sees half of it: the one atomic write of the workbook.

A temporary file beside the target (unique, so two writers never share it) is written and
renamed into place with :func:`os.replace`; a failure leaves no temporary file behind and is
one :class:`~analysis.errors.SourceError` line naming the path. The file gets the mode an ordinary
``open(path, "w")`` gives: a new file ``0o666`` less the umask (``0644`` under umask 022, so a web server
publishing ``reports/`` can read it), a replaced file keeps its mode.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from .errors import SourceError


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; create the parent directory.

    Parameters
    ----------
    path : str or PathLike
        The file to write (replaced if it exists).
    data : str or bytes
        Its content.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    SourceError
        ``<path>: cannot write (<reason>)`` when the directory or the file cannot be written.
    """
    target = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = ""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _create_beside(target)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.replace(tmp, target)
    except OSError as exc:
        raise SourceError(f"{target}: cannot write ({exc.strerror or exc})") from None
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)
    return target


def _create_beside(target: Path) -> tuple[int, str]:
    """Create a new, uniquely named temporary file beside ``target``; return (descriptor, path).

    Created with mode ``0o666`` so the kernel applies the umask, as for ``open()``
    (:func:`tempfile.mkstemp` would make it ``0600``); when ``target`` exists, its mode is copied.
    """
    while True:
        tmp = str(target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        except FileExistsError:  # pragma: no cover - 48 random bits taken by another writer
            continue
        break
    try:
        os.fchmod(fd, stat.S_IMODE(target.stat().st_mode))
    except FileNotFoundError:
        pass
    except OSError:
        os.close(fd)
        os.unlink(tmp)
        raise
    return fd, tmp
