"""The log reader's fast path: raw mongod JSON log lines → column chunks at the parse limit.

Per line, only what the digest uses is decoded: a substring pre-filter keeps "Slow query" lines,
skips awaitable ``hello`` and other non-query commands unparsed, and :mod:`msgspec` decodes the
rest into a typed :class:`_Line` of the ~25 fields the digest reads (``attr.command`` and
``attr.originatingCommand`` stay raw bytes). Per chunk of :data:`CHUNK_LINES` lines, the columns of
:data:`~analysis.querycost.records.ROW_FIELDS` are folded from the decoded lines (list
comprehensions; clients, minutes and categories from small caches), the query shape comes from the
raw command once per skeleton (:class:`~analysis.querycost.shapecache.SkeletonCache`), and the lock,
ticket and cache waits are decoded only on the rare lines that name one.

Same output as the general path: any line the typed decoding does not take as it is (a value of
another type, an escape in a command name, an Extended JSON number wrapper, invalid JSON) goes through
:func:`~.log.log_row` on the orjson-decoded line, and is counted the same way in the file's
:class:`~analysis.querycost.records.FileStats`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import accumulate, compress, islice
from operator import not_
from typing import Any

import msgspec
from msgspec.structs import astuple
import orjson

from ..internal import Classifier
from ..records import QUERY_COMMANDS, ROW_FIELDS, FileStats, as_int
from ..shapecache import Skeleton, SkeletonCache
from .log import LOG_WRITE_TYPES, SKIP_UNPARSED, WRITE_BATCHES, log_row, provenance_line
from .opstats import host_of, wait_micros

#: Raw lines read per block (one decoding call, one column chunk): 512 kept the blocks in cache and the
#: workers' memory low (``make bench``: 10 – 20 % faster than 2048 – 8192, 40 MiB less at 8192).
CHUNK_LINES = 512
_Int = int | None
_NO_RAW = msgspec.Raw(b"")


class _Data(msgspec.Struct, gc=False):
    bytesRead: _Int = None


class _Storage(msgspec.Struct, gc=False):
    data: _Data | None = None


class _Attr(msgspec.Struct, gc=False):
    """The ``attr`` fields of a "Slow query" line the digest reads (MongoDB's log reference, id 51803).

    Strings default to ``""`` and booleans to False: a null there, or a value of another type,
    is a line for the general path. The field order is the order :meth:`LogScanner._fast_columns`
    unpacks.
    """

    type: str = "command"
    ns: str = ""
    appName: str = ""
    command: msgspec.Raw = _NO_RAW
    originatingCommand: msgspec.Raw = _NO_RAW
    planSummary: str = ""
    durationMillis: int | float | None = None
    docsExamined: _Int = None
    keysExamined: _Int = None
    nreturned: _Int = None
    reslen: _Int = None
    hasSortStage: bool = False
    queryHash: str = ""
    planCacheShapeHash: str = ""
    planCacheKey: str = ""
    queryShapeHash: str = ""
    remote: str | None = None
    workingMillis: int | float | None = None
    numYields: _Int = None
    cpuNanos: _Int = None
    planningTimeMicros: _Int = None
    replanned: bool = False
    replanReason: str = ""
    storage: _Storage | None = None
    numYield: _Int = None  # a profiler's name for numYields: such a line is read by the general path


class _Date(msgspec.Struct, gc=False):
    date: str = msgspec.field(name="$date", default="")


class _Line(msgspec.Struct, gc=False):
    t: _Date | None = None
    ctx: str = ""
    msg: Any = None
    attr: _Attr | None = None


_DECODE = msgspec.json.Decoder(_Line).decode
_OPS = {k.encode(): v for k, v in QUERY_COMMANDS.items()}
_WRITE_TYPES: dict[Any, str] = LOG_WRITE_TYPES
_WAIT_FIELDS = (b"timeAcquiringMicros", b"totalTimeQueuedMicros", b"timeWaitingMicros")
_BAD = (msgspec.DecodeError, msgspec.ValidationError)
_DURATION, _WORKING = ROW_FIELDS.index("duration_ms"), ROW_FIELDS.index("working_ms")
_WRITE_BATCH_NAMES = {w.encode() for w in WRITE_BATCHES}
#: What the general path made of a line, besides a row (or None: skipped, counted).
JUNK, OTHER = "junk", "other"
_DECODE_MANY = msgspec.json.Decoder(list[_Line]).decode
_NOT_DECODED = None


class _Chunk:
    """The lines of one block kept for the columnar fold, and what each one's command is."""

    __slots__ = ("lines", "attrs", "ops", "names", "shape_raws", "skels", "raws", "pos", "general")

    def __init__(self) -> None:
        self.lines: list[_Line] = []
        self.attrs: list[_Attr] = []
        self.ops: list[str] = []
        self.names: list[bytes] = []  # a getMore's originating command name (b"" for the others)
        self.shape_raws: list[bytes] = []  # the raw command the shape is taken from
        self.skels: list[Skeleton | None] = []
        self.raws: list[bytes] = []  # the raw lines (the rare ones naming a wait are decoded again)
        self.pos: list[int] = []  # the place of each line in the block (among the lines kept)
        self.general: list[tuple[int, tuple]] = []  # (place in the block, row) taken by the general path

    def __len__(self) -> int:
        return len(self.attrs) + len(self.general)


class LogScanner:
    """One file's (or byte range's) fast reader: its caches (shapes, categories, clients) and counters."""

    def __init__(self, st: FileStats) -> None:
        self.st = st
        self.skeletons = SkeletonCache()
        self.classify = Classifier()
        self.lines = self.records = self.other = self.junk = 0
        self.unparsed: Counter = Counter()

    def block(self, block: list[bytes]) -> dict[str, list] | None:
        """The columns of one block of raw lines (None when it holds no usable slow query)."""
        self.lines += len(block)
        flags = [b"Slow query" in ln for ln in block]  # one pass; the two lists are made in C
        slow = list(compress(block, flags))
        if len(slow) != len(block):
            self._not_slow(list(compress(block, map(not_, flags))))
        cands = self._parsed(slow)
        if not cands:
            return None
        try:  # one call decodes the whole block; a line it cannot take sends the block line by line
            decoded: list = _DECODE_MANY(b"[" + b",".join(cands) + b"]")
        except _BAD:
            decoded = [_decode_one(raw) for raw in cands]
        ch = _Chunk()
        self._sort(cands, decoded, ch)
        if ch.attrs:
            self._shapes(ch)
        self.records += len(ch)
        return self.columns(ch) if len(ch) else None

    def close(self) -> None:
        """Write the counters to the file's stats (once, when the reader ends)."""
        st = self.st
        st.lines += self.lines
        st.records += self.records
        if self.other:
            st.skip("other log message", self.other)
        if self.junk:
            st.skip("not a JSON log line", self.junk)
        for name, n in self.unparsed.items():
            st.skip(f"non-query command: {name.decode(errors='replace')}", n)

    def _not_slow(self, rest: list[bytes]) -> None:
        """Count lines without "Slow query" (other messages, junk, blanks); read provenance lines."""
        logged = [ln for ln in rest if ln.startswith(b'{"t":')]
        self.other += len(logged)
        for ln in logged:
            head = ln[40:120]
            if b'"c":"CONTROL"' in head or b'"c":"REPL"' in head:
                provenance_line(ln, self.st)
        junk = sum(1 for ln in rest if not ln.startswith(b'{"t":') and ln.strip())
        self.junk += junk
        self.lines -= len(rest) - len(logged) - junk  # blank lines are not counted

    def _parsed(self, slow: list[bytes]) -> list[bytes]:
        """The candidate lines worth decoding: hello, insert and other non-query commands are counted unparsed."""
        keep = []
        unparsed = self.unparsed
        for raw in slow:
            i = raw.find(b'"command":{"')
            if i > 0:
                name = raw[i + 12:raw.find(b'"', i + 12)]
                if name in SKIP_UNPARSED and raw.endswith((b"}\n", b"}")):
                    unparsed[name] += 1
                    continue
            keep.append(raw)
        return keep

    def _sort(self, cands: list[bytes], decoded: list, ch: _Chunk) -> None:
        """Each decoded line into the chunk, the general path or a skip reason (order kept)."""
        skip = self.st.skip
        for raw, ln in zip(cands, decoded):
            a = None if ln is None or ln.msg != "Slow query" else ln.attr
            c = b"" if a is None else bytes(a.command)
            if c[:2] != b'{"' or a.numYield is not None:  # numYield: a profiler's name, read by the general path
                self._general(raw, ch)
                continue
            typ = a.type
            orig = b""
            if typ in _WRITE_TYPES:
                op, shape_raw = _WRITE_TYPES[typ], c
            else:
                name = c[2:c.find(b'"', 2)]
                op = _OPS.get(name)
                if op is None:
                    if b"\\" in name:  # an escape in the name: the general path decodes it
                        self._general(raw, ch)
                        continue
                    skip("write batch (statements are counted)" if name in _WRITE_BATCH_NAMES
                         else f"non-query command: {name.decode(errors='replace') or '?'}")
                    continue
                shape_raw = c
                if op == "getMore":
                    shape_raw = bytes(a.originatingCommand) or b"{}"
                    orig = shape_raw[2:shape_raw.find(b'"', 2)]
                    if shape_raw[:1] != b"{" or b"\\" in orig:
                        self._general(raw, ch)
                        continue
            if a.durationMillis is None:
                skip("missing durationMillis")
                continue
            ch.pos.append(len(ch))
            ch.raws.append(raw)
            ch.lines.append(ln)
            ch.attrs.append(a)
            ch.ops.append(op)
            ch.names.append(orig)
            ch.shape_raws.append(shape_raw)

    def _shapes(self, ch: _Chunk) -> None:
        """The skeleton of every command of the chunk; a command that is not JSON makes its line junk."""
        ch.skels = self.skeletons.get_many(ch.ops, ch.shape_raws, ch.names)
        if None in ch.skels:
            keep = [i for i, k in enumerate(ch.skels) if k is not None]
            self.junk += len(ch.skels) - len(keep)
            for name in ("lines", "attrs", "ops", "names", "shape_raws", "skels", "raws", "pos"):
                values = getattr(ch, name)
                setattr(ch, name, [values[i] for i in keep])

    def _general(self, raw: bytes, ch: _Chunk) -> None:
        """The general path for a line the typed decoding does not take as it is."""
        try:
            doc = orjson.loads(raw)
        except orjson.JSONDecodeError:
            self.junk += 1
            return
        if type(doc) is not dict or doc.get("msg") != "Slow query":
            self.other += 1
            return
        row = log_row(doc, self.st, self.skeletons.fallback, self.classify, b"Micros" in raw)
        if row is not None:
            ch.general.append((len(ch), row))

    def columns(self, ch: _Chunk) -> dict[str, list]:
        """The chunk's columns (``ROW_FIELDS``; the timestamp as the ISO string of ``t.$date``).

        Rows of the general path keep their place (the columns are then rebuilt from rows, with
        ``{"$date": ...}`` timestamps: rare, so the common case pays nothing for it).
        """
        col = self._fast_columns(ch) if ch.attrs else None
        if not ch.general:
            return col  # type: ignore[return-value]
        fast = list(rows_of(col)) if col else []
        order = sorted([(p, 0, j) for j, p in enumerate(ch.pos)] + [(p, 1, j) for j, (p, _) in enumerate(ch.general)])
        return rows_to_columns([fast[j] if kind == 0 else ch.general[j][1] for _, kind, j in order])

    def _fast_columns(self, ch: _Chunk) -> dict[str, Sequence]:
        """The columns of the chunk's decoded lines: one C-level transposition, a few comprehensions."""
        at, lines, sk = ch.attrs, ch.lines, ch.skels
        n = len(at)
        (_, ns, apps, _, _, plans, durs, docs, keys, nret, reslen, sorts, qh, pcsh, pck, qsh, remotes, working,
         yields, cpu, planning, replanned, reasons, storage, _) = zip(*map(astuple, at))
        # host_of without a call for the common "host:port" (one colon, no brackets)
        clients = [r[:i] if r and r[0] != "[" and (i := r.find(":")) > 0 and i == r.rfind(":") and r[i + 1:].isdigit()
                   else host_of(r) for r in remotes]
        category = self.classify.category
        col: dict[str, Sequence] = {
            "timestamp": [ln.t.date if ln.t is not None else None for ln in lines],
            "ns": ns, "op": ch.ops, "shape": [k.shape for k in sk], "plan_summary": plans, "duration_ms": durs,
            "docs_examined": docs, "keys_examined": keys, "nreturned": nret, "reslen": reslen,
            "collscan": ["COLLSCAN" in p for p in plans],
            "in_memory_sort": [k.blocking_sort or s for k, s in zip(sk, sorts)],
            "app_name": apps, "query_hash": [p or q for p, q in zip(pcsh, qh)],
            "source": ("log",) * n, "command": [k.example for k in sk],
            "internal": [category(s, p, ln.ctx, k.tailable_await) for s, p, ln, k in zip(ns, apps, lines, sk)],
            "working_ms": working, "num_yields": yields,
            "bytes_read": [None if s is None or s.data is None else s.data.bytesRead for s in storage],
            "cpu_nanos": cpu, "wait_us": [None] * n, "flow_us": [None] * n, "planning_us": planning,
            "replanned": replanned, "replan_reason": reasons, "plan_cache_key": pck, "client": clients,
            "shape_hash": qsh,
        }
        waits, flows = col["wait_us"], col["flow_us"]
        for i in _naming_a_wait(ch.raws):
            attr = orjson.loads(ch.raws[i])["attr"]
            waits[i] = wait_micros(attr)  # type: ignore[index]
            flows[i] = _flow(attr.get("flowControl"))  # type: ignore[index]
        return col


def _naming_a_wait(raws: list[bytes]) -> list[int]:
    """Indices of the lines that name a lock, ticket or cache wait (one search per field over the joined lines)."""
    joined = b"".join(raws)
    ends = list(accumulate(map(len, raws)))
    found = set()
    for field in _WAIT_FIELDS:
        at = joined.find(field)
        while at >= 0:
            i = bisect_right(ends, at)
            found.add(i)
            at = joined.find(field, ends[i])  # the next line
    return sorted(found)


def _flow(flow: Any) -> int | None:
    if type(flow) is not dict:
        return None
    t = flow.get("timeAcquiringMicros")
    return t if type(t) is int else as_int(t)


def _decode_one(raw: bytes) -> _Line | None:
    try:
        return _DECODE(raw)
    except _BAD:
        return _NOT_DECODED


def rows_of(col: dict[str, list]) -> Iterator[tuple]:
    """The rows of a column chunk (``ROW_FIELDS`` order; the timestamp as ``{"$date": ...}``)."""
    ts = [{"$date": t} if type(t) is str else t for t in col["timestamp"]]
    cols = [list(col[f]) for f in ROW_FIELDS[1:]]
    cols[_DURATION - 1] = [float(d) for d in cols[_DURATION - 1]]
    cols[_WORKING - 1] = [None if w is None else float(w) for w in cols[_WORKING - 1]]
    return zip(ts, *cols)


def rows_to_columns(rows: list[tuple]) -> dict[str, list]:
    """Columns of a few rows (``ROW_FIELDS``; the timestamp kept as it is)."""
    return dict(zip(ROW_FIELDS, map(list, zip(*rows))))


def iter_log_chunks(lines: Iterator[bytes], st: FileStats) -> Iterator[dict[str, list]]:
    """Column chunks of the "Slow query" lines among raw log lines (the fast path), :data:`CHUNK_LINES` at a time.

    The counters are written to ``st`` when the generator ends (also when the consumer stops early).

    Parameters
    ----------
    lines : iterator of bytes
        Raw log lines (a binary file, or a byte range of one).
    st : FileStats
        Filled in when the generator ends.

    Yields
    ------
    dict of str to list
        One list per field of ``ROW_FIELDS``, equally long (the timestamp: the ISO string of
        ``t.$date``, or ``{"$date": ...}`` / None from the general path).
    """
    sc = LogScanner(st)
    it = iter(lines)
    try:
        while block := list(islice(it, CHUNK_LINES)):
            col = sc.block(block)
            if col is not None:
                yield col
    finally:
        sc.close()


def iter_log_rows(lines: Iterator[bytes], st: FileStats) -> Iterator[tuple]:
    """Rows (``ROW_FIELDS`` order, timestamps left raw) of the "Slow query" lines among raw log lines."""
    for col in iter_log_chunks(lines, st):
        yield from rows_of(col)
