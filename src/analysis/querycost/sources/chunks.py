"""The map side of a fleet digest: inputs → files → chunks → one partial digest per chunk.

Inputs are paths, globs (``logs/*/mongod.log*``) or directories (every regular file under
them, recursively, hidden files left out), in sorted order. A chunk is a whole file (a
``.gz`` member of a set, a profile export, an explain output, a small log) or a byte range
of a large plain log (:data:`CHUNK_BYTES` each): a range reads every line that *starts*
inside it, so the ranges of a file together read each line exactly once.
:func:`digest_chunk` reads one chunk into a :class:`Partial` — a
:class:`~analysis.querycost.digest.Digester` and the chunk's
:class:`~analysis.querycost.records.FileStats` — which merge exactly in any order. A file
that cannot be read is not fatal here: its stats say so (kind ``unreadable``, one problem,
one unit skipped).
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ...config import resolve_path
from ...errors import SourceError
from ..digest import Digester
from ..records import FileStats, ReadStats
from .files import GZIP_MAGIC, HEAD_BYTES, detect_kind, iter_file_chunks
from .logscan import iter_log_chunks

#: Byte range of a large plain log read by one task.
CHUNK_BYTES = 64 * 2**20


@dataclass(frozen=True)
class Chunk:
    """One unit of work: a whole file (``end`` = -1) or the byte range ``[start, end)`` of a plain log."""

    path: str
    start: int = 0
    end: int = -1


@dataclass
class Partial:
    """A partial digest: the digester and the stats of the files (or file parts) it read."""

    digester: Digester
    files: list[FileStats] = field(default_factory=list)

    def merge(self, other: Partial) -> Partial:
        """Fold ``other`` into this one (stats of the same file are summed); returns self."""
        self.digester.merge(other.digester)
        by_path = {f.path: f for f in self.files}
        for st in other.files:
            if st.path in by_path:
                by_path[st.path].merge(st)
            else:
                self.files.append(st)
                by_path[st.path] = st
        return self

    def stats(self, order: Sequence[str]) -> ReadStats:
        """The files' stats as a :class:`ReadStats`, in the input order ``order``."""
        rank = {p: i for i, p in enumerate(order)}
        return ReadStats(sorted(self.files, key=lambda f: rank.get(f.path, len(rank))))


def expand_inputs(inputs: Sequence[str | Path]) -> list[str]:
    """Files named by paths, globs and directories (sorted within each input; duplicates dropped).

    Raises
    ------
    SourceError
        An input names nothing: no such file or directory, or a glob that matches no file.
    """
    out: dict[str, None] = {}
    for item in inputs:
        text = str(item)
        p = resolve_path(text)
        if p.is_dir():
            found = sorted(str(f) for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
        elif p.exists():
            found = [str(p)]
        elif glob.has_magic(text):
            found = sorted(f for f in glob.glob(str(p), recursive=True) if os.path.isfile(f))
            if not found:
                raise SourceError(f"{text}: no file matches")
        else:
            raise SourceError(f"{text}: no such file or directory")
        out.update(dict.fromkeys(found))
    return list(out)


def plan_chunks(files: Sequence[str], *, split: bool, chunk_bytes: int = CHUNK_BYTES) -> list[Chunk]:
    """One chunk per file, or byte ranges of ``chunk_bytes`` for plain logs larger than that (``split``)."""
    chunks: list[Chunk] = []
    for path in files:
        size = _plain_log_size(path) if split else 0
        if size > chunk_bytes:
            n = -(-size // chunk_bytes)
            step = -(-size // n)
            chunks += [Chunk(path, i * step, min(size, (i + 1) * step)) for i in range(n)]
        else:
            chunks.append(Chunk(path))
    return chunks


def _plain_log_size(path: str) -> int:
    """Size of an uncompressed JSON log (0 for anything else, or unreadable: read whole)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
        return os.path.getsize(path) if head[:2] != GZIP_MAGIC and detect_kind(head) == "log" else 0
    except OSError:
        return 0


def input_bytes(files: Sequence[str]) -> int:
    """Total size on disk of the files (unreadable ones count 0)."""
    total = 0
    for f in files:
        try:
            total += os.path.getsize(f)
        except OSError:
            pass
    return total


def lines_in_range(fh: BinaryIO, start: int, end: int) -> Iterator[bytes]:
    """The lines that start in ``[start, end)`` of a binary file (the first one may start before)."""
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


def digest_chunk(chunk: Chunk, exact: bool = True) -> Partial:
    """Read one chunk into a partial digest (the map step; runs on a worker or in-process).

    Parameters
    ----------
    chunk : Chunk
        What to read.
    exact : bool
        Keep exact duration counts (single process) or log-spaced bins only (distributed).

    Returns
    -------
    Partial
        Never raises for a bad file: an unreadable one has kind ``unreadable`` and one problem.
    """
    dig = Digester(exact)
    dig.file = chunk.path
    st = FileStats(chunk.path)
    try:
        if chunk.end < 0:
            for cols in iter_file_chunks(chunk.path, st):
                dig.add_columns(cols)
        else:
            st.kind = "log"
            with open(chunk.path, "rb") as fh:
                for cols in iter_log_chunks(lines_in_range(fh, chunk.start, chunk.end), st):
                    dig.add_columns(cols)
    except (SourceError, OSError) as exc:
        st.kind = "unreadable"
        st.problems.append(str(exc).removeprefix(f"{chunk.path}: ") if isinstance(exc, SourceError)
                           else f"cannot read ({getattr(exc, 'strerror', None) or exc})")
        st.skip("unreadable file")
    return Partial(dig, [st])
