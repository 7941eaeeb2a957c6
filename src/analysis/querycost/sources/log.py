"""mongod 4.4+ structured JSON log: "Slow query" lines (id 51803) → rows.

Field mapping (MongoDB's log message reference for id 51803): ``durationMillis``,
``docsExamined``, ``keysExamined``, ``nreturned``, ``reslen``, ``planSummary``,
``hasSortStage`` of ``attr``; a getMore is shaped by its ``originatingCommand``. Write
batches appear twice in the log (the COMMAND batch and one WRITE line per statement):
the statements are counted, the batch is skipped.

:func:`log_row` is the general row builder: one decoded line (a mapping shaped like a JSON log
line, whatever it was decoded from) → a row. The fast path over raw lines is
:mod:`.logscan` (typed decoding of the fields the digest reads; it hands every line it does not
take as it is to :func:`log_row`); both count what they skip in the file's
:class:`~analysis.querycost.records.FileStats`, never fatal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from ..internal import Classifier
from ..records import QUERY_COMMANDS, FileStats, as_int
from ..shapecache import ShapeCache
from .opstats import op_extras, query_hash

#: Command batches whose statements are logged one by one (the batch line is skipped).
WRITE_BATCHES = frozenset({"update", "delete"})
#: ``attr.type`` of a logged write statement → the record's op.
LOG_WRITE_TYPES = {"update": "update", "remove": "delete", "delete": "delete"}
#: Commands recognised without parsing the line (mongod writes attr.type, ns, appName, then
#: command, so the first ``"command":{"`` of a "Slow query" line is the command's own key).
SKIP_UNPARSED = frozenset({
    b"hello", b"isMaster", b"ismaster", b"ping", b"buildInfo", b"buildinfo", b"serverStatus", b"replSetHeartbeat",
    b"saslStart", b"saslContinue", b"endSessions", b"listDatabases", b"listCollections", b"listIndexes",
    b"createIndexes", b"dbStats", b"collStats", b"getParameter", b"insert",
})


def log_row(doc: Mapping[str, Any], st: FileStats, shapes: ShapeCache,
            classify: Classifier | None = None, waits: bool = True) -> tuple | None:
    """Normalize one parsed "Slow query" log document; None (and counted in ``st``) if unusable.

    Parameters
    ----------
    doc : mapping
        One log line, decoded.
    st : FileStats
        Where skips are counted.
    shapes : ShapeCache
        The file's shape cache.
    classify : Classifier, optional
        The file's internal-operation classifier (a fresh one when omitted).
    waits : bool
        The line may hold lock / ticket / cache wait times (False: it names none; skips looking).

    Returns
    -------
    tuple or None
        A row in :data:`~analysis.querycost.records.ROW_FIELDS` order; the timestamp is
        left raw (``{"$date": ...}``, parsed only when a record is built).
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
    if typ in LOG_WRITE_TYPES:
        op = LOG_WRITE_TYPES[typ]
        shape_cmd = command
    else:
        name = next(iter(command), "")
        op = QUERY_COMMANDS.get(name)
        if op is None:
            st.skip("write batch (statements are counted)" if name in WRITE_BATCHES
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
    ns = attr.get("ns") or ""
    app = attr.get("appName") or ""
    internal = (classify or Classifier())(ns, app, doc.get("ctx") or "", shape_cmd)
    return (
        doc.get("t"), ns, op, shape, plan,
        float(dur), d if type(d := attr.get("docsExamined")) is int else as_int(d),
        k if type(k := attr.get("keysExamined")) is int else as_int(k),
        n if type(n := attr.get("nreturned")) is int else as_int(n),
        r if type(r := attr.get("reslen")) is int else as_int(r),
        "COLLSCAN" in plan, pipe_sort or bool(attr.get("hasSortStage")),
        app, query_hash(attr), "log", example, *op_extras(attr, internal, attr.get("remote"), waits),
    )


#: Log ids that say which server wrote the file: MongoDB starting (host, port), build info (version),
#: options set by command line (replica set, cluster role, port), replica set state transition (role).
_PROVENANCE_IDS = frozenset({4615611, 23403, 21951, 21358})


def note_provenance(doc: Mapping[str, Any], st: FileStats) -> None:
    """Record what a startup or replication line says about the server in ``st.provenance``."""
    attr = doc.get("attr") if isinstance(doc.get("attr"), dict) else {}
    prov, lid = st.provenance, doc.get("id")
    if lid == 4615611:
        prov.setdefault("host", str(attr.get("host") or ""))
        prov.setdefault("port", str(attr.get("port") or ""))
    elif lid == 23403:
        info = attr.get("buildInfo") if isinstance(attr.get("buildInfo"), dict) else {}
        prov.setdefault("version", str(info.get("version") or ""))
    elif lid == 21951:
        opts = attr.get("options") if isinstance(attr.get("options"), dict) else {}
        repl, shard, net = (opts.get(k) if isinstance(opts.get(k), dict) else {} for k in ("replication", "sharding", "net"))
        for key, value in (("rs", repl.get("replSetName")), ("shard", shard.get("clusterRole")), ("port", net.get("port"))):
            if value and not prov.get(key):
                prov[key] = str(value)
    elif lid == 21358 and attr.get("newState"):
        t = doc.get("t")
        at = str(t.get("$date", "")) if isinstance(t, dict) else ""
        if at >= prov.get("role_at", ""):
            prov["role"], prov["role_at"] = str(attr["newState"]), at


def provenance_line(raw: bytes, st: FileStats) -> None:
    """Note what a startup or replication line (raw bytes) says about the server; anything else is ignored."""
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return
    if type(doc) is dict and doc.get("id") in _PROVENANCE_IDS:
        note_provenance(doc, st)
