"""Streaming readers for the three sources of MongoDB query cost evidence.

* mongod 4.4+ structured JSON log (plain or ``.gz``): "Slow query" lines (id 51803);
* profiler exports (``mongoexport`` of ``system.profile``): JSON lines or a JSON array,
  relaxed or canonical Extended JSON (decoded with :mod:`bson.json_util`);
* ``explain("executionStats")`` outputs of ``find`` and ``aggregate``, classic and SBE
  plan layouts, one document, several concatenated, JSON lines or an array.

Every reader yields one normalized :class:`QueryRecord` per query and counts what it
could not use in a :class:`ReadStats` (lines read, skipped, and why). Nothing here
holds a whole file in memory: logs are read line by line, JSON documents one at a
time, so memory does not depend on file size. Bad input (junk lines, binary garbage,
a truncated ``.gz``, an array cut in the middle, an empty file) is counted, never
fatal; :func:`require_usable` raises one :class:`~analysis.errors.DataError` line only
when nothing usable remains.

Field mapping (see ``shared/reference/query_audit_reference.md``):

============== ======================== ================ ==========================
record         log ``attr``             profile          explain executionStats
============== ======================== ================ ==========================
duration_ms    durationMillis           millis           executionTimeMillis
docs_examined  docsExamined             docsExamined     totalDocsExamined
keys_examined  keysExamined             keysExamined     totalKeysExamined
nreturned      nreturned                nreturned        nReturned
reslen         reslen                   responseLength   —
plan_summary   planSummary              planSummary      built from winningPlan
in_memory_sort hasSortStage / pipeline  hasSortStage     SORT stage / pipeline
============== ======================== ================ ==========================

``in_memory_sort`` is also set when the command's pipeline has a ``$sort`` the server
cannot serve from an index: inside a ``$facet`` sub-pipeline (sub-pipelines never use
indexes) or after a stage other than ``$match``/``$sort`` at the head of the pipeline.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import re
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from bson import json_util

from ..config import resolve_path
from ..errors import DataError, SourceError
from ..mongodb.planner import pipeline_blocking_sort
from .shape import command_shape

log = logging.getLogger(__name__)

#: Commands whose cost is a query; everything else in a "Slow query" line is counted as skipped.
QUERY_COMMANDS = {
    "find": "find", "aggregate": "aggregate", "count": "count", "distinct": "distinct",
    "findAndModify": "findAndModify", "findandmodify": "findAndModify", "getMore": "getMore",
}
#: Write batches appear twice in the log (COMMAND batch + one WRITE line per statement);
#: the statements are counted, the batch is skipped.
_WRITE_BATCHES = {"update", "delete"}
_LOG_WRITE_TYPES = {"update": "update", "remove": "delete", "delete": "delete"}
_PROFILE_OPS = {"query": "find", "getmore": "getMore", "update": "update", "remove": "delete"}
_LEGACY_TEXT_LOG = re.compile(rb"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\S*\s+[IWEFD]\s+[A-Z_]+\s+\[")
_JSON_OPTIONS = json_util.JSONOptions(tz_aware=True)
_GZIP_MAGIC = b"\x1f\x8b"
_HEAD_BYTES = 65536
_CHUNK_CHARS = 1 << 20

ROW_FIELDS = ("timestamp", "ns", "op", "shape", "plan_summary", "duration_ms", "docs_examined",
              "keys_examined", "nreturned", "reslen", "collscan", "in_memory_sort", "app_name",
              "query_hash", "source", "command")


@dataclass(slots=True)
class QueryRecord:
    """One query execution, whatever the source.

    ``timestamp`` is timezone-aware UTC when the source has one (explains have none).
    Numeric fields are ``None`` when the source does not record them (e.g. ``reslen``
    in an explain, ``nreturned`` of an update, fields older servers omit).
    """

    timestamp: datetime | None
    ns: str
    op: str
    shape: str
    plan_summary: str
    duration_ms: float
    docs_examined: int | None
    keys_examined: int | None
    nreturned: int | None
    reslen: int | None
    collscan: bool
    in_memory_sort: bool
    app_name: str
    query_hash: str
    source: str  # "log", "profile" or "explain"
    #: the command (or write statement) the shape was taken from; for a getMore, its
    #: originating command. Raw values: used for index advice, never displayed as is.
    command: dict = field(default_factory=dict, repr=False)


@dataclass
class FileStats:
    """What one file held: its kind, units read (lines or documents), records, skips."""

    path: str
    kind: str = "unknown"
    lines: int = 0
    records: int = 0
    skipped: int = 0
    reasons: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped += n
        self.reasons[reason] += n


@dataclass
class ReadStats:
    """Totals over all files read (and the per-file detail)."""

    files: list[FileStats] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return sum(f.lines for f in self.files)

    @property
    def records(self) -> int:
        return sum(f.records for f in self.files)

    @property
    def skipped(self) -> int:
        return sum(f.skipped for f in self.files)

    @property
    def reasons(self) -> Counter:
        total: Counter = Counter()
        for f in self.files:
            total.update(f.reasons)
        return total

    @property
    def problems(self) -> list[str]:
        return [f"{Path(f.path).name}: {p}" for f in self.files for p in f.problems]

    def summary(self) -> str:
        """One line: files, units read, records, skipped and the top reasons."""
        top = ", ".join(f"{r} ×{n}" for r, n in self.reasons.most_common(4))
        return (f"{len(self.files)} file(s), {self.lines} lines/documents read, {self.records} queries, "
                f"{self.skipped} skipped" + (f" ({top})" if top else ""))

    def table(self) -> list[dict[str, Any]]:
        """Per-file rows for display."""
        return [{"file": Path(f.path).name, "kind": f.kind, "read": f.lines, "queries": f.records,
                 "skipped": f.skipped,
                 "why skipped": "; ".join(f"{r} ×{n}" for r, n in f.reasons.most_common()),
                 "problems": "; ".join(f.problems)} for f in self.files]


# --------------------------------------------------------------------------- helpers
def _num(v: Any) -> int | None:
    """An int from a JSON number or an Extended JSON number wrapper."""
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return int(v)
    if isinstance(v, dict):
        for k in ("$numberLong", "$numberInt", "$numberDouble"):
            if k in v:
                try:
                    return int(float(v[k]))
                except (TypeError, ValueError):
                    return None
    return None


def _parse_date(v: Any) -> datetime | None:
    if isinstance(v, datetime):
        return v
    if isinstance(v, dict):
        v = v.get("$date")
        if isinstance(v, dict):  # canonical {"$date": {"$numberLong": "ms"}}
            ms = _num(v)
            return None if ms is None else datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
        if isinstance(v, (int, float)):
            return datetime.fromtimestamp(v / 1000, tz=timezone.utc)
    if isinstance(v, str):
        try:
            return datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def _classify(command: Mapping[str, Any]) -> str:
    return next(iter(command), "") if isinstance(command, Mapping) else ""


# --------------------------------------------------------------------------- shapes, cached
#: Command fields that never belong to a shape (sessions, routing, options) — left out of the cache key.
_VOLATILE = frozenset({
    "lsid", "$db", "$clusterTime", "txnNumber", "autocommit", "startTransaction", "$readPreference",
    "readConcern", "writeConcern", "maxTimeMS", "comment", "batchSize", "cursor", "$audit", "$client",
    "mayBypassWriteBlocking", "apiVersion", "apiStrict", "shardVersion", "databaseVersion", "$configTime",
    "$topologyTime", "$configServerState", "clientOperationKey", "runtimeConstants", "needsMerge", "fromMongos",
})
# String values the shape replaces by "?": a JSON string after a colon that does not start with "$" and
# holds no escape — except after the keys whose string value the shape keeps ($count, $lookup's from...).
_MASK_STR = re.compile(
    rb':"(?=[^"\\$])(?<!"\$count":")(?<!"\$unwind":")(?<!"\$sortByCount":")(?<!"\$out":")(?<!"from":")'
    rb'(?<!"localField":")(?<!"foreignField":")(?<!"as":")(?<!"key":")[^"\\]*"')
# Lists made only of such strings (the shape prints any literal list as [?]).
_MASK_LIST = re.compile(rb'\["[^"\\$][^"\\]*"(?:,"[^"\\$][^"\\]*")*\]')
#: Volatile fields whose value may hold numbers (the rest are strings, masked anyway).
_VOLATILE_NUMERIC = frozenset({
    "$clusterTime", "txnNumber", "comment", "readConcern", "writeConcern", "$readPreference", "shardVersion",
    "databaseVersion", "$configTime", "$topologyTime", "$configServerState", "runtimeConstants",
})
#: Commands recognised without parsing the line (mongod writes attr.type, ns, appName, then
#: command, so the first ``"command":{"`` of a "Slow query" line is the command's own key).
_SKIP_UNPARSED = frozenset({
    b"hello", b"isMaster", b"ismaster", b"ping", b"buildInfo", b"buildinfo", b"serverStatus", b"replSetHeartbeat",
    b"saslStart", b"saslContinue", b"endSessions", b"listDatabases", b"listCollections", b"listIndexes",
    b"createIndexes", b"dbStats", b"collStats", b"getParameter", b"insert",
})


class ShapeCache:
    """Query shapes computed once per distinct command structure.

    The cache key is the command (volatile fields dropped) serialized by orjson with
    string values and string lists masked by two C-speed regex substitutions. Masking
    only touches values the shape replaces by ``?`` anyway, so equal keys imply equal
    shapes (the key is at least as fine as the shape; numbers are kept). Commands that
    cannot be keyed safely (escapes in strings, non-JSON types) are shaped directly.
    A small first-level cache keyed on the exact serialized command skips the masking
    for commands seen verbatim (the same user reloading the same page). Both caches are
    bounded: :attr:`MAX` entries (then cleared) and :attr:`EXACT_MAX` (first in, first out).
    """

    MAX = 20_000
    EXACT_MAX = 512

    def __init__(self) -> None:
        self._d: dict[bytes, tuple[str, bool, dict]] = {}
        self._exact: dict[tuple[str, bytes], tuple[str, bool, dict]] = {}

    @staticmethod
    def compute(op: str, cmd: Mapping[str, Any]) -> tuple[str, bool, dict]:
        """(shape, pipeline needs an in-memory sort, example command) without the cache."""
        return (command_shape(_shape_op(op, cmd), cmd), pipeline_blocking_sort(cmd.get("pipeline")),
                dict(cmd) if not isinstance(cmd, dict) else cmd)

    def get(self, op: str, cmd: Mapping[str, Any]) -> tuple[str, bool, dict]:
        """(shape, blocking sort, example command) of ``cmd`` run as ``op``."""
        try:
            b = orjson.dumps(cmd if _VOLATILE_NUMERIC.isdisjoint(cmd) else
                             {k: v for k, v in cmd.items() if k not in _VOLATILE}, default=str)
        except (TypeError, orjson.JSONEncodeError):
            return self.compute(op, cmd)
        exact = self._exact.get((op, b))
        if exact is not None:
            return exact
        if b"\\" in b:
            return self.compute(op, cmd)
        raw = b
        if b'["' in b:
            b = _MASK_LIST.sub(b"[?]", b)
        key = op.encode() + b"|" + _MASK_STR.sub(b":?", b)
        hit = self._d.get(key)
        if hit is None:
            if len(self._d) >= self.MAX:
                self._d.clear()
            hit = self._d[key] = self.compute(op, cmd)
        if len(self._exact) >= self.EXACT_MAX:
            del self._exact[next(iter(self._exact))]  # first in, first out
        self._exact[(op, raw)] = hit
        return hit


def _shape_op(op: str, cmd: Mapping[str, Any]) -> str:
    """The op used to print a shape (a getMore prints its originating command)."""
    if op == "getMore":
        return QUERY_COMMANDS.get(_classify(cmd), "find")
    return op


# --------------------------------------------------------------------------- log lines
def _log_row(doc: Mapping[str, Any], st: FileStats, shapes: ShapeCache) -> tuple | None:
    """Normalize one parsed "Slow query" log document; None (and counted) if unusable.

    The timestamp is left raw (``{"$date": ...}``); :func:`read_records` parses it.
    """
    attr = doc.get("attr")
    if type(attr) is not dict:
        st.skip("slow query line without attr")
        return None
    command = attr.get("command")
    if type(command) is not dict:
        st.skip("slow query line without command")
        return None
    typ = attr.get("type", "command")
    if typ in _LOG_WRITE_TYPES:
        op = _LOG_WRITE_TYPES[typ]
        shape_cmd = command
    else:
        name = next(iter(command), "")
        op = QUERY_COMMANDS.get(name)
        if op is None:
            st.skip("write batch (statements are counted)" if name in _WRITE_BATCHES
                    else f"non-query command: {name or '?'}")
            return None
        shape_cmd = command
        if op == "getMore":
            shape_cmd = attr.get("originatingCommand")
            if type(shape_cmd) is not dict:
                shape_cmd = {}
    dur = attr.get("durationMillis")
    if dur is None:
        st.skip("missing durationMillis")
        return None
    plan = attr.get("planSummary") or ""
    shape, pipe_sort, example = shapes.get(op, shape_cmd)
    return (
        doc.get("t"), attr.get("ns") or "", op, shape, plan,
        float(dur), d if type(d := attr.get("docsExamined")) is int else _num(d),
        k if type(k := attr.get("keysExamined")) is int else _num(k),
        n if type(n := attr.get("nreturned")) is int else _num(n),
        r if type(r := attr.get("reslen")) is int else _num(r),
        "COLLSCAN" in plan, pipe_sort or bool(attr.get("hasSortStage")),
        attr.get("appName") or "", attr.get("queryHash") or "", "log", example,
    )


def _iter_log_rows(lines: Iterator[bytes], st: FileStats) -> Iterator[tuple]:
    """The fast path: substring pre-filter, then orjson on candidate lines only.

    Counters are kept in locals and written to ``st`` when the generator ends (also
    when the consumer stops early).
    """
    loads = orjson.loads
    shapes = ShapeCache()
    n_lines = n_records = n_other = n_junk = 0
    unparsed: Counter = Counter()
    try:
        for raw in lines:
            n_lines += 1
            if b"Slow query" not in raw:
                if raw.startswith(b'{"t":'):
                    n_other += 1
                elif raw.strip():
                    n_junk += 1
                else:
                    n_lines -= 1  # blank lines are not counted
                continue
            i = raw.find(b'"command":{"')
            if i > 0:
                name = raw[i + 12:raw.find(b'"', i + 12)]
                if name in _SKIP_UNPARSED and raw.endswith((b"}\n", b"}")):
                    unparsed[name] += 1
                    continue
            try:
                doc = loads(raw)
            except orjson.JSONDecodeError:
                n_junk += 1
                continue
            if type(doc) is not dict or doc.get("msg") != "Slow query":
                n_other += 1
                continue
            row = _log_row(doc, st, shapes)
            if row is not None:
                n_records += 1
                yield row
    finally:
        st.lines += n_lines
        st.records += n_records
        if n_other:
            st.skip("other log message", n_other)
        if n_junk:
            st.skip("not a JSON log line", n_junk)
        for name, n in unparsed.items():
            st.skip(f"non-query command: {name.decode(errors='replace')}", n)


# --------------------------------------------------------------------------- profile documents
def _profile_row(doc: Mapping[str, Any], st: FileStats, shapes: ShapeCache | None = None) -> tuple | None:
    op_raw = doc.get("op")
    command = doc.get("command")
    if not isinstance(command, dict):
        command = doc.get("query") if isinstance(doc.get("query"), dict) else {}
    if op_raw == "command":
        name = _classify(command)
        op = QUERY_COMMANDS.get(name)
        if op is None:
            st.skip(f"non-query command: {name or '?'}")
            return None
    elif op_raw in _PROFILE_OPS:
        op = _PROFILE_OPS[op_raw]
    elif op_raw == "insert":
        st.skip("non-query command: insert")
        return None
    else:
        st.skip(f"unknown profiler op: {op_raw!r:.30}")
        return None
    shape_cmd: Mapping[str, Any] = command
    if op == "getMore":
        oc = doc.get("originatingCommand")
        shape_cmd = oc if isinstance(oc, dict) else {}
    millis = _num(doc.get("millis"))
    if millis is None:
        st.skip("missing millis")
        return None
    plan = doc.get("planSummary") or ""
    shape, pipe_sort, example = (shapes or ShapeCache()).get(op, shape_cmd)
    return (
        doc.get("ts"), doc.get("ns") or "", op, shape, plan,
        float(millis), _num(doc.get("docsExamined")), _num(doc.get("keysExamined")), _num(doc.get("nreturned")),
        _num(doc.get("responseLength")), "COLLSCAN" in plan, pipe_sort or bool(doc.get("hasSortStage")),
        doc.get("appName") or "", doc.get("queryHash") or "", "profile", example,
    )


# --------------------------------------------------------------------------- explain documents
def _plan_nodes(node: Any) -> Iterator[Mapping[str, Any]]:
    """All stage nodes of a (classic or SBE ``queryPlan``) plan tree."""
    if not isinstance(node, dict):
        return
    yield node
    for key in ("inputStage", "queryPlan", "thenStage", "elseStage", "outerStage", "innerStage"):
        if key in node:
            yield from _plan_nodes(node[key])
    for key in ("inputStages", "shards"):
        for child in node.get(key) or []:
            yield from _plan_nodes(child)
    if "winningPlan" in node:
        yield from _plan_nodes(node["winningPlan"])


def plan_summary_of(winning_plan: Any) -> tuple[str, bool]:
    """Build mongod's ``planSummary`` text and the blocking-SORT flag from a winning plan.

    Parameters
    ----------
    winning_plan : dict
        ``queryPlanner.winningPlan`` — classic (the stage tree) or SBE (``{queryPlan, slotBasedPlan}``).

    Returns
    -------
    (str, bool)
        e.g. ``("IXSCAN { user_id: 1, created_at: -1 }", False)`` or ``("COLLSCAN", True)``.
    """
    access: list[str] = []
    sort = False
    for node in _plan_nodes(winning_plan):
        stage = str(node.get("stage", ""))
        if stage in ("SORT", "SORT_SIMPLE", "SORT_DEFAULT"):
            sort = True
        if stage in ("COLLSCAN", "IDHACK", "EOF", "CLUSTERED_IXSCAN") or stage.startswith("EXPRESS"):
            access.append(stage)
        elif stage in ("IXSCAN", "DISTINCT_SCAN", "COUNT_SCAN"):
            kp = node.get("keyPattern")
            if isinstance(kp, dict):
                access.append(f"{stage} {{ " + ", ".join(f"{k}: {_fmt_dir(v)}" for k, v in kp.items()) + " }")
            else:
                access.append(f"{stage} {node.get('indexName', '?')}")
    seen: list[str] = []
    for a in access:
        if a not in seen:
            seen.append(a)
    return ", ".join(seen), sort


def _fmt_dir(v: Any) -> str:
    n = _num(v)
    return str(n) if n is not None else json.dumps(v)


def _explain_row(doc: Mapping[str, Any], st: FileStats) -> tuple | None:
    command = doc.get("command") if isinstance(doc.get("command"), dict) else {}
    stages = doc.get("stages")
    if isinstance(stages, list) and stages and isinstance(stages[0], dict) and "$cursor" in stages[0]:
        cursor = stages[0]["$cursor"]
        qp = cursor.get("queryPlanner") or {}
        es = cursor.get("executionStats") or {}
        op = "aggregate"
        later = [s for s in stages[1:] if isinstance(s, dict)]
        estimates = [_num(s.get("executionTimeMillisEstimate")) for s in stages if isinstance(s, dict)]
        estimates = [e for e in estimates if e is not None]
        duration = _num(es.get("executionTimeMillis"))
        if estimates:
            duration = max([duration or 0, *estimates])
        nret = _num(later[-1].get("nReturned")) if later and "nReturned" in later[-1] else _num(es.get("nReturned"))
        stage_specs = [{k: v for k, v in s.items() if k.startswith("$")} for s in later]
        pipe_sort = pipeline_blocking_sort([{"$match": {}}] + stage_specs)
    else:
        qp = doc.get("queryPlanner") or {}
        es = doc.get("executionStats") or {}
        name = _classify(command)
        op = QUERY_COMMANDS.get(name, "aggregate" if "pipeline" in command else "find")
        duration = _num(es.get("executionTimeMillis"))
        nret = _num(es.get("nReturned"))
        pipe_sort = False
    if not es:
        st.skip("explain without executionStats (use explain('executionStats'))")
        return None
    if duration is None:
        st.skip("explain without executionTimeMillis")
        return None
    plan, sort = plan_summary_of(qp.get("winningPlan"))
    pipe_sort = pipe_sort or pipeline_blocking_sort(command.get("pipeline"))
    ns = qp.get("namespace") or ""
    if not ns and command:
        ns = f"{command.get('$db', '')}.{command.get(_classify(command), '')}"
    shape_cmd = command if command else {"filter": qp.get("parsedQuery") or {}}
    return (
        None, ns, op, command_shape(op, shape_cmd), plan, float(duration),
        _num(es.get("totalDocsExamined")), _num(es.get("totalKeysExamined")), nret, None,
        "COLLSCAN" in plan, sort or pipe_sort, "", qp.get("queryHash") or "", "explain", shape_cmd,
    )


def _doc_row(doc: Any, st: FileStats, shapes: ShapeCache) -> tuple | None:
    """Route one JSON document to the right normalizer by its fields."""
    if not isinstance(doc, dict):
        st.skip("not a JSON document")
        return None
    if "queryPlanner" in doc or "stages" in doc or "explainVersion" in doc:
        kind = "explain"
        row = _explain_row(doc, st)
    elif "op" in doc and "ns" in doc:
        kind = "profile"
        row = _profile_row(doc, st, shapes)
    elif "msg" in doc and "t" in doc:
        kind = "log"
        if doc.get("msg") != "Slow query":
            st.skip("other log message")
            return None
        row = _log_row(doc, st, shapes)
    else:
        st.skip("unrecognized document (not a log line, profile entry or explain)")
        return None
    if st.kind == "unknown":
        st.kind = kind
    return row


def _iter_json_values(text: io.TextIOBase, st: FileStats, *, array: bool) -> Iterator[Any]:
    """Yield JSON values one at a time from concatenated documents or one top-level array.

    The buffer holds at most the current document plus one read chunk. A document that
    is cut by the end of the file (an export interrupted mid-array) is counted as
    skipped; a malformed one is skipped up to the next line.
    """
    decoder = json.JSONDecoder(object_pairs_hook=partial(json_util.object_pairs_hook, json_options=_JSON_OPTIONS))
    buf = ""
    pos = 0
    eof = False
    started = not array
    closed = False
    while True:
        # skip separators
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n,":
                pos += 1
            if pos < len(buf) or eof:
                break
            chunk = text.read(_CHUNK_CHARS)
            buf, pos = buf[pos:] + chunk, 0
            eof = not chunk
        if pos >= len(buf):
            if array and started and not closed:
                st.problems.append("JSON array not closed (file cut?)")
            return
        if not started:
            if buf[pos] != "[":
                st.skip("not a JSON array")
                return
            started = True
            pos += 1
            continue
        if array and buf[pos] == "]":
            closed = True
            pos += 1
            continue
        try:
            value, end = decoder.raw_decode(buf, pos)
        except json.JSONDecodeError as exc:
            incomplete = exc.pos >= len(buf.rstrip()) or exc.msg.startswith("Unterminated string")
            if incomplete and not eof:
                chunk = text.read(_CHUNK_CHARS)
                buf, pos = buf[pos:] + chunk, 0
                eof = not chunk
                continue
            st.lines += 1
            if incomplete:
                st.skip("document cut at end of file")
                st.problems.append("last document cut (truncated export)")
                return
            st.skip("not JSON")
            nl = buf.find("\n", exc.pos)
            if nl < 0:
                if eof:
                    return
                buf, pos = "", 0
                chunk = text.read(_CHUNK_CHARS)
                buf, eof = chunk, not chunk
                continue
            pos = nl + 1
            continue
        except (ValueError, TypeError, OverflowError) as exc:  # bad Extended JSON inside valid JSON
            st.lines += 1
            st.skip(f"bad Extended JSON ({type(exc).__name__})")
            end = _skip_value(buf, pos)
            if end is None:
                return
            pos = end
            continue
        st.lines += 1
        pos = end
        yield value
        if pos > _CHUNK_CHARS:
            buf, pos = buf[pos:], 0


def _skip_value(buf: str, pos: int) -> int | None:
    try:
        _, end = json.JSONDecoder().raw_decode(buf, pos)
        return end
    except json.JSONDecodeError:
        return None


def _iter_json_lines(text: io.TextIOBase, st: FileStats) -> Iterator[Any]:
    """One Extended JSON document per line (mongoexport's default output)."""
    hook = partial(json_util.object_pairs_hook, json_options=_JSON_OPTIONS)
    for line in text:
        if not line.strip():
            continue
        st.lines += 1
        try:
            yield json.loads(line, object_pairs_hook=hook)
        except json.JSONDecodeError:
            st.skip("not JSON")
        except (ValueError, TypeError, OverflowError) as exc:
            st.skip(f"bad Extended JSON ({type(exc).__name__})")


# --------------------------------------------------------------------------- files
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


def _open_binary(path: Path, st: FileStats) -> BinaryIO:
    with path.open("rb") as fh:
        magic = fh.read(2)
    raw: BinaryIO = gzip.open(path, "rb") if magic == _GZIP_MAGIC else path.open("rb")  # type: ignore[assignment]
    return io.BufferedReader(_GuardedReader(raw, st), buffer_size=1 << 20)  # type: ignore[return-value]


def detect_kind(head: bytes) -> str:
    """Guess a file's kind from its first bytes (after decompression).

    Returns one of ``"empty"``, ``"binary"``, ``"legacy-text-log"``, ``"log"``,
    ``"json-array"``, ``"json-lines"``, ``"json"`` (concatenated / pretty documents).
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
    if _LEGACY_TEXT_LOG.match(stripped):
        return "legacy-text-log"
    if stripped.startswith(b"["):
        return "json-array"
    first = stripped.split(b"\n", 1)[0]
    if first.startswith(b'{"t":'):
        return "log"
    try:
        doc = orjson.loads(first)
    except orjson.JSONDecodeError:
        return "json" if stripped.startswith(b"{") else "log"
    if isinstance(doc, dict) and "t" in doc and "msg" in doc:
        return "log"
    return "json-lines"


def iter_file_rows(path: str | Path, st: FileStats) -> Iterator[tuple]:
    """Yield normalized rows (tuples in :data:`ROW_FIELDS` order) from one file of any kind.

    Parameters
    ----------
    path : str or Path
        A log, profile export or explain output; plain or gzip-compressed.
    st : FileStats
        Filled in while reading (kind, counts, reasons, problems).
    """
    p = Path(path)
    try:
        fh = _open_binary(p, st)
    except OSError as exc:
        raise SourceError(f"{p}: cannot open ({exc.strerror or exc})") from None
    with fh:
        head = fh.peek(_HEAD_BYTES)[:_HEAD_BYTES]
        kind = detect_kind(head)
        if kind == "empty":
            st.kind = "empty" if not st.problems else "unreadable"
            st.problems.append("empty file" if not st.problems else "nothing readable")
            return
        if kind == "binary":
            st.kind = "binary"
            st.lines += 1
            st.skip("binary or non-UTF-8 content")
            st.problems.append("binary content: not a log, profile or explain file")
            return
        if kind == "legacy-text-log":
            st.kind = "legacy-text-log"
            n = sum(1 for _ in fh)
            st.lines += n
            st.skip("legacy text log (MongoDB ≤ 4.2) not supported", n)
            st.problems.append("text-format log of MongoDB ≤ 4.2: use a 4.4+ JSON log or the profiler")
            return
        if kind == "log":
            st.kind = "log"
            yield from _iter_log_rows(fh, st)
            return
        text = io.TextIOWrapper(fh, encoding="utf-8", errors="replace")  # type: ignore[arg-type]
        if kind == "json-lines":
            values = _iter_json_lines(text, st)
        else:
            values = _iter_json_values(text, st, array=(kind == "json-array"))
        shapes = ShapeCache()
        for doc in values:
            row = _doc_row(doc, st, shapes)
            if row is not None:
                st.records += 1
                yield row


def iter_rows(paths: Sequence[str | Path], stats: ReadStats) -> Iterator[tuple]:
    """Rows of several files in turn; each file's stats are appended to ``stats``."""
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
    """
    stats = stats if stats is not None else ReadStats()
    for row in iter_rows(paths, stats):
        yield QueryRecord(_parse_date(row[0]), *row[1:])


def require_usable(stats: ReadStats) -> None:
    """Raise one :class:`DataError` line when the files held no usable query at all."""
    if stats.records == 0:
        detail = "; ".join(stats.problems) or stats.summary()
        raise DataError(f"no usable slow queries in {len(stats.files)} file(s): {detail}")
