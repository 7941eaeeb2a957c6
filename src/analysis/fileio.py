"""Writing a file so a reader never sees half of it: the one atomic write of the workbook.

A temporary file beside the target (unique, so two writers never share it) is written and
renamed into place with :func:`os.replace`; a failure leaves no temporary file behind and is
one :class:`~analysis.errors.SourceError` line naming the path.
"""

from __future__ import annotations

import os
import tempfile
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
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.replace(tmp, target)
    except OSError as exc:
        raise SourceError(f"{target}: cannot write ({exc.strerror or exc})") from None
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)
    return target
