"""Evidence files of any kind: open (plain or gzip, guarded), detect the kind, iterate rows.

* mongod 4.4+ structured JSON log (plain or ``.gz``): "Slow query" lines (:mod:`.log`);
* mongod / mongos 2.4 → 4.2 text-format log (plain or ``.gz``): operation lines (:mod:`.textlog`);
* profiler exports (``mongoexport`` of ``system.profile``): JSON lines or a JSON array,
  relaxed or canonical Extended JSON (:mod:`.jsonstream`, :mod:`.profile`);
* explain outputs of every layout :mod:`analysis.mongodb.explain` reads (classic and SBE,
  sharded, 3.6 → 8.0), one document, several concatenated, JSON lines, an array, a tool's
  envelope, or mongosh's printed output (:mod:`.explain`).

The kind is detected from the content, not the file name. Nothing here holds a whole
file in memory. Bad input (junk lines, binary garbage, a truncated ``.gz``, an array
cut in the middle, an empty file) is counted in the file's
:class:`~analysis.querycost.records.FileStats`, never fatal; a file in which nothing is
MongoDB evidence (``/etc/hostname``, a CSV, a binary file) gets the kind ``text`` / ``binary``
and one problem saying what it looked like; a missing or unopenable file is one
:class:`~analysis.errors.SourceError` line.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from ...config import resolve_path
from ...errors import DataError, SourceError
from ...mongodb.explain import explain_documents, is_explain, looks_like_shell_output, parse_shell_output
from ...timeparse import parse_instant
from ..records import BASE_FIELDS, NO_EXTRAS, FileStats, QueryRecord, ReadStats
from ..shapecache import ShapeCache
from .explain import explain_row
from .jsonstream import iter_json_lines, iter_json_values
from .log import log_row
from .logscan import iter_log_chunks, iter_log_rows, rows_to_columns
from .profile import profile_row
from .textlog import iter_text_log_rows

#: The timestamp a text-format mongod / mongos line starts with (ctime, iso8601-local, iso8601-utc).
_TEXT_LOG = re.compile(rb"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]?\d "
                       rb"\d\d:\d\d:\d\d(?:\.\d{3})?|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(?:Z|[+-]\d\d:?\d\d)) ")
#: Lines of a file's head looked at to tell its kind.
_HEAD_LINES = 40
GZIP_MAGIC = b"\x1f\x8b"
#: bytes looked at to detect a file's kind
HEAD_BYTES = 65536


class _GuardedReader(io.RawIOBase):
    """Wrap a (gzip) stream; a truncated or corrupt end becomes EOF plus a noted problem."""

    def __init__(self, inner: BinaryIO, st: FileStats) -> None:
        self._inner, self._st = inner, st
        self._failed = False

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._inner.close()
        super().close()

    def readinto(self, b) -> int:  # type: ignore[override]
        if self._failed:
            return 0
        try:
            # read1: one decompression step, so data before a cut is returned before the error
            data = self._inner.read1(len(b))
        except EOFError:
            self._failed = True
            self._st.problems.append("truncated gzip: read up to the cut")
            return 0
        except (gzip.BadGzipFile, zlib.error, OSError) as exc:
            self._failed = True
            self._st.problems.append(f"corrupt gzip ({type(exc).__name__}): read up to the damage")
            return 0
        n = len(data)
        b[:n] = data
        return n


def _open_binary(path: Path, st: FileStats) -> io.BufferedReader:
    with path.open("rb") as fh:
        magic = fh.read(2)
    raw: BinaryIO = gzip.open(path, "rb") if magic == GZIP_MAGIC else path.open("rb")  # type: ignore[assignment]
    return io.BufferedReader(_GuardedReader(raw, st), buffer_size=1 << 20)


def detect_kind(head: bytes) -> str:
    """Guess a file's kind from its first bytes (after decompression).

    Parameters
    ----------
    head : bytes
        The first bytes of the (decompressed) file, e.g. :data:`HEAD_BYTES` of them.

    Returns
    -------
    str
        One of ``"empty"``, ``"binary"``, ``"text-log"`` (mongod / mongos 2.4 → 4.2), ``"log"``
        (4.4+ JSON), ``"json-array"``, ``"json-lines"``, ``"json"`` (concatenated / pretty
        documents), ``"mongosh"`` (the shell's printed output), ``"text"`` (none of them).
    """
    stripped = head.lstrip()
    if not stripped:
        return "empty"
    if b"\x00" in head[:4096]:
        return "binary"
    try:
        head[:4096].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < 4090:  # a multi-byte char cut by the 4 KiB window is fine
            return "binary"
    lines = stripped[:16384].split(b"\n", _HEAD_LINES)[:_HEAD_LINES]
    if any(_TEXT_LOG.match(line) for line in lines):
        return "text-log"
    if looks_like_shell_output(head[:4096].decode("utf-8", "replace")):
        return "mongosh"
    if stripped.startswith(b"["):
        return "json-array"
    first = stripped.split(b"\n", 1)[0]
    if first.startswith(b'{"t":'):
        return "log"
    try:
        doc = orjson.loads(first)
    except orjson.JSONDecodeError:
        if stripped.startswith(b"{"):
            return "json"
        return "log" if any(line.startswith(b'{"t":') for line in lines) else "text"
    if isinstance(doc, dict) and "t" in doc and "msg" in doc:
        return "log"
    return "json-lines" if isinstance(doc, (dict, list)) else "text"


def looks_like(head: bytes) -> str:
    """What a file that is no MongoDB evidence looks like, for its one-line problem.

    Examples
    --------
    >>> looks_like(b"web-01\\n")
    "text, first line 'web-01'"
    >>> looks_like(b"id,name,total\\n1,a,3\\n")
    "a CSV table (3 columns, header 'id,name,total')"
    """
    text = head.decode("utf-8", "replace")
    rows = [r for r in text.splitlines() if r.strip()]
    first = rows[0].strip() if rows else ""
    shown = first if len(first) <= 60 else first[:59] + "…"
    for sep in (",", "\t", ";"):
        n = first.count(sep)
        if n >= 1 and len(rows) > 1 and rows[1].count(sep) == n:
            return f"a {'CSV' if sep == ',' else 'delimited'} table ({n + 1} columns, header {shown!r})"
    return f"text, first line {shown!r}"


def doc_row(doc: Any, st: FileStats, shapes: ShapeCache) -> tuple | None:
    """Route one JSON document to the right normalizer by its fields (log line, profile entry, explain).

    The first usable kind seen becomes the file's kind; anything else is counted as skipped.
    """
    if not isinstance(doc, dict):
        st.skip("not a JSON document")
        return None
    if is_explain(doc):
        kind = "explain"
        row = explain_row(doc, st)
    elif "op" in doc and "ns" in doc:
        kind = "profile"
        row = profile_row(doc, st, shapes)
    elif "msg" in doc and "t" in doc:
        kind = "log"
        if doc.get("msg") != "Slow query":
            st.skip("other log message")
            return None
        row = log_row(doc, st, shapes)
    else:
        st.skip("unrecognized document (not a log line, profile entry or explain)")
        return None
    if st.kind == "unknown":
        st.kind = kind
    return row


def _unusable(kind: str, fh: io.BufferedReader, st: FileStats) -> None:
    """Count a file that is empty, binary or text that is no MongoDB evidence (nothing in it is read)."""
    if kind == "empty":
        st.kind = "empty" if not st.problems else "unreadable"
        st.problems.append("empty file" if not st.problems else "nothing readable")
    elif kind == "binary":
        st.kind = "binary"
        st.lines += 1
        st.skip("binary or non-UTF-8 content")
        st.problems.append("binary content: not a log, profile or explain file")
    else:  # text: no line is a MongoDB log line, profile entry or explain
        st.kind = "text"
        what = looks_like(fh.peek(HEAD_BYTES)[:HEAD_BYTES])
        n = sum(1 for line in fh if line.strip())
        st.lines += n
        st.skip("not a MongoDB log line, profile entry or explain", n)
        st.problems.append(f"not a MongoDB log, profile export or explain output: it looks like {what}")


def _json_rows(kind: str, fh: io.BufferedReader, st: FileStats) -> Iterator[tuple]:
    """Rows of a file of JSON documents (JSON lines, concatenated documents or one array)."""
    text = io.TextIOWrapper(fh, encoding="utf-8", errors="replace")
    if kind == "json-lines":
        values = iter_json_lines(text, st)
    else:
        values = iter_json_values(text, st, array=(kind == "json-array"))
    shapes = ShapeCache()
    first_keys: list[str] | None = None
    for doc in values:
        if first_keys is None:
            first_keys = [str(k) for k in doc][:6] if isinstance(doc, dict) else [type(doc).__name__]
        inner = [] if is_explain(doc) else explain_documents(doc)
        st.lines += max(len(inner) - 1, 0)  # an envelope of several explains: one unit each
        for d in inner or [doc]:
            row = doc_row(d, st, shapes)
            if row is not None:
                st.records += 1
                yield row
    if st.kind == "unknown" and first_keys is not None:
        st.problems.append("JSON documents, none a MongoDB log line, profile entry or explain "
                           f"(the first has: {', '.join(first_keys) or 'no field'})")


def _shell_rows(fh: io.BufferedReader, st: FileStats) -> Iterator[tuple]:
    """Rows of mongosh's printed output (explains; the whole text is decoded at once)."""
    st.kind = "explain"
    try:
        values = parse_shell_output(fh.read().decode("utf-8", "replace"))
    except DataError as exc:
        st.lines += 1
        st.skip("mongosh output not readable")
        st.problems.append(str(exc))
        return
    docs = explain_documents(values)
    st.lines += len(docs)
    shapes = ShapeCache()
    for doc in docs:
        row = doc_row(doc, st, shapes)
        if row is not None:
            st.records += 1
            yield row


def _open_detected(path: str | Path, st: FileStats) -> tuple[io.BufferedReader, str]:
    p = Path(path)
    try:
        fh = _open_binary(p, st)
    except OSError as exc:
        raise SourceError(f"{p}: cannot open ({exc.strerror or exc})") from None
    return fh, detect_kind(fh.peek(HEAD_BYTES)[:HEAD_BYTES])


def _rows_of(fh: io.BufferedReader, kind: str, st: FileStats, path: str | Path) -> Iterator[tuple]:
    """Rows of an open file of a kind other than a JSON log."""
    if kind in ("empty", "binary", "text"):
        _unusable(kind, fh, st)
    elif kind == "text-log":
        st.kind = "text-log"
        yield from iter_text_log_rows(fh, st, ref_year=_modified_year(Path(path)))
    elif kind == "mongosh":
        yield from _shell_rows(fh, st)
    else:
        yield from _json_rows(kind, fh, st)


def iter_file_rows(path: str | Path, st: FileStats) -> Iterator[tuple]:
    """Yield normalized rows (tuples in ``ROW_FIELDS`` order) from one file of any kind.

    Parameters
    ----------
    path : str or Path
        A log, profile export or explain output; plain or gzip-compressed.
    st : FileStats
        Filled in while reading (kind, counts, reasons, problems).

    Raises
    ------
    SourceError
        The file cannot be opened.
    """
    fh, kind = _open_detected(path, st)
    with fh:
        if kind == "log":
            st.kind = "log"
            yield from iter_log_rows(fh, st)
        else:
            yield from _rows_of(fh, kind, st, path)


def iter_file_chunks(path: str | Path, st: FileStats, chunk_rows: int = 512) -> Iterator[dict[str, list]]:
    """Column chunks (:meth:`~analysis.querycost.digest.Digester.add_columns`) of one file of any kind.

    A log's come from the fast path (:func:`.logscan.iter_log_chunks`); other kinds' rows are
    gathered ``chunk_rows`` at a time. Same parameters and errors as :func:`iter_file_rows`.
    """
    fh, kind = _open_detected(path, st)
    with fh:
        if kind == "log":
            st.kind = "log"
            yield from iter_log_chunks(fh, st)
            return
        it = _rows_of(fh, kind, st, path)
        while batch := list(islice(it, chunk_rows)):
            yield rows_to_columns([r + NO_EXTRAS if len(r) == len(BASE_FIELDS) else r for r in batch])


def _modified_year(path: Path) -> int | None:
    """The year the file was last written (the year of its last ctime timestamps), None if unknown."""
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).year
    except (OSError, ValueError, OverflowError):
        return None


def iter_rows(paths: Sequence[str | Path], stats: ReadStats) -> Iterator[tuple]:
    """Rows of several files in turn; each file's stats are appended to ``stats``.

    Parameters
    ----------
    paths : sequence of str or Path
        Files of any supported kind (relative paths resolve against the project root).
    stats : ReadStats
        Gets one :class:`FileStats` per file.

    Raises
    ------
    SourceError
        A path does not exist or is not a regular file.
    """
    for path in paths:
        p = resolve_path(path)
        if not p.exists():
            raise SourceError(f"{path}: no such file")
        if not p.is_file():
            raise SourceError(f"{path}: not a regular file")
        st = FileStats(str(p))
        stats.files.append(st)
        yield from iter_file_rows(p, st)


def read_records(paths: Sequence[str | Path], stats: ReadStats | None = None) -> Iterator[QueryRecord]:
    """Stream :class:`QueryRecord` objects from logs, profile exports and explain outputs.

    Parameters
    ----------
    paths : sequence of str or Path
        Files of any supported kind (auto-detected per file).
    stats : ReadStats, optional
        Filled in while reading.

    Yields
    ------
    QueryRecord
        With the timestamp parsed (:func:`analysis.timeparse.parse_instant`).
    """
    stats = stats if stats is not None else ReadStats()
    for row in iter_rows(paths, stats):
        yield QueryRecord(parse_instant(row[0]), *row[1:])
