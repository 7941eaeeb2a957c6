"""Text-format mongod / mongos logs (MongoDB 2.4 → 4.2) → the same rows as the 4.4+ JSON log.

Each operation line becomes the decoded line of a JSON log (:mod:`.textline`) and goes through the
JSON reader's row builder (:func:`.log.log_row`), so both formats give one shapes table. The fast
path: a line is only parsed when it ends with ``ms`` and names an operation (a substring test);
startup and replication lines (``MongoDB starting``, ``db version``, ``options:``, state
transitions) say which server wrote the file, ``connection accepted from`` lines give each
connection's client address. A 4.4+ JSON line in the same file (a server upgraded with
``logappend``) is read as such.

What is counted, never misread: a line mongod cut (``warning: log line attempted (…) over max size``,
or a document replaced by ``{ $msg: "query not recording (too large)" }``) and a line whose document
is not readable (mongod ≤ 2.6 printed quotes inside strings unescaped) are queries with their
duration and counters, under the shape :data:`CUT_SHAPE` / :data:`UNREADABLE_SHAPE`; the file's
problems say how many. Lines that carry no timestamp are counted as ``not a log line``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timezone

import orjson

from ..internal import Classifier
from ..records import ROW_FIELDS, FileStats
from ..shapecache import ShapeCache
from .log import log_row, note_provenance
from .shelldoc import parse_document
from .textline import PREFIX, operation_doc, timestamp

#: The shape of a query whose line mongod cut (its documents are not in the log).
CUT_SHAPE = "(line cut by mongod: shape not logged)"
#: The shape of a query whose document is not readable.
UNREADABLE_SHAPE = "(document not readable)"
_SHAPE, _COMMAND = ROW_FIELDS.index("shape"), ROW_FIELDS.index("command")
_OPERATIONS = (b"query", b"getmore", b"command", b"update ", b"remove ", b"insert ", b"killcursors")
_PROVENANCE = (b"MongoDB starting", b"MongoS version", b"mongos version", b"db version", b"options: ",
               b"transition to ", b"replSet PRIMARY", b"replSet SECONDARY", b"] pid=", b"Member State: ")
_STARTING = re.compile(r"^(?:(?:MongoDB|MongoS version (?P<mv>v?\S+)) starting ?: )?pid=\d+ port=(?P<port>\d+)"
                       r".*? host=(?P<host>\S+)")
_VERSION = re.compile(r"(?:db|(?P<mongos>mongos)) version v(\S+)")
_STATE = re.compile(r"(?:transition to |replSet |Replica Set Member State: )(PRIMARY|SECONDARY|RECOVERING|ARBITER|ROLLBACK|STARTUP2)\b")
_ACCEPTED = re.compile(rb"connection accepted from (\S+) #(\d+)")


def iter_text_log_rows(lines: Iterator[bytes], st: FileStats, *, ref_year: int | None = None) -> Iterator[tuple]:
    """Rows of the operation lines of a text-format log (see the module text).

    Parameters
    ----------
    lines : iterator of bytes
        The raw lines of the file.
    st : FileStats
        Filled in as lines are read (kind ``text-log``; counts, skip reasons, problems, provenance).
    ref_year : int, optional
        Year ctime timestamps are read in (default: this year; the reader passes the file's
        modification year).
    """
    year = ref_year or datetime.now(timezone.utc).year
    shapes, classify = ShapeCache(), Classifier()
    remotes: dict[str, str] = {}
    counts: Counter = Counter()
    ctime = False
    try:
        for raw in lines:
            line = raw.rstrip()
            if not line:
                continue
            counts["lines"] += 1
            if line.startswith(b'{"t":'):
                row = _json_line(line, st, shapes, classify, counts)
            elif line.endswith(b"ms") and any(op in line for op in _OPERATIONS):
                row = _operation(line, st, shapes, classify, remotes, counts, year)
                ctime = ctime or not line[:1].isdigit()
            else:
                _other(line, st, remotes, counts, year)
                continue
            if row is not None:
                counts["records"] += 1
                yield row
    finally:
        _close(st, counts, ctime, year)


def _operation(line: bytes, st: FileStats, shapes: ShapeCache, classify: Classifier, remotes: dict[str, str],
               counts: Counter, year: int) -> tuple | None:
    text = line.decode("utf-8", "replace")
    m = PREFIX.match(text)
    if m is None:
        counts["junk"] += 1
        return None
    doc, state = operation_doc(m, year)
    if doc is None:
        if state == "other":
            counts["other"] += 1
        else:
            st.skip(state)
        return None
    remote = remotes.get(doc["ctx"])
    if remote:
        doc["attr"]["remote"] = remote
    row = log_row(doc, st, shapes, classify)
    if row is None or not state:
        return row
    counts[state] += 1
    row = list(row)
    row[_SHAPE], row[_COMMAND] = (CUT_SHAPE if state == "cut" else UNREADABLE_SHAPE), {}
    return tuple(row)


def _json_line(line: bytes, st: FileStats, shapes: ShapeCache, classify: Classifier, counts: Counter) -> tuple | None:
    """A 4.4+ JSON line in a text log (the server was upgraded, the file appended to)."""
    try:
        doc = orjson.loads(line)
    except orjson.JSONDecodeError:
        counts["junk"] += 1
        return None
    if type(doc) is not dict or doc.get("msg") != "Slow query":
        counts["other"] += 1
        if type(doc) is dict:
            note_provenance(doc, st)
        return None
    counts["json"] += 1
    return log_row(doc, st, shapes, classify)


def _other(line: bytes, st: FileStats, remotes: dict[str, str], counts: Counter, year: int) -> None:
    """A line that is no operation: a log line (provenance, client addresses) or junk."""
    if not (line[:1].isdigit() or line[:3] in (b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun")):
        counts["junk"] += 1
        return
    if b"connection accepted from" in line:
        acc = _ACCEPTED.search(line)
        if acc:
            remotes[f"conn{acc.group(2).decode()}"] = acc.group(1).decode(errors="replace")
    elif any(p in line for p in _PROVENANCE):
        m = PREFIX.match(line.decode("utf-8", "replace"))
        if m is None:
            counts["junk"] += 1
            return
        _provenance(m, st, year)
    counts["other"] += 1


def _provenance(m: re.Match, st: FileStats, year: int) -> None:
    """What a startup or replication line says about the server (host, port, version, rs, role)."""
    msg, prov = m.group("msg"), st.provenance
    if (s := _STARTING.match(msg)) is not None:
        prov.setdefault("host", s.group("host"))
        prov.setdefault("port", s.group("port"))
        if s.group("mv"):
            prov.setdefault("version", s.group("mv").lstrip("v"))
            prov["role"], prov["role_at"] = "mongos", ""
    elif (v := _VERSION.search(msg)) is not None:
        prov.setdefault("version", v.group(2))
        if v.group("mongos"):
            prov["role"], prov["role_at"] = "mongos", ""
    elif msg.startswith("options: "):
        _options(msg[len("options: "):], prov)
    elif (s := _STATE.search(msg)) is not None and prov.get("role") != "mongos":
        at = timestamp(m, year)
        if at >= prov.get("role_at", ""):
            prov["role"], prov["role_at"] = s.group(1), at


def _options(text: str, prov: dict[str, str]) -> None:
    """Replica set, cluster role and port from the ``options: { … }`` startup line (2.4 flat, 2.6+ nested)."""
    try:
        opts = parse_document(text)
    except ValueError:
        return
    if not isinstance(opts, dict):
        return
    repl = opts.get("replication") if isinstance(opts.get("replication"), dict) else {}
    sharding = opts.get("sharding") if isinstance(opts.get("sharding"), dict) else {}
    net = opts.get("net") if isinstance(opts.get("net"), dict) else {}
    rs = repl.get("replSetName") or repl.get("replSet") or opts.get("replSet")
    role = sharding.get("clusterRole") or ("configsvr" if opts.get("configsvr") else
                                           "shardsvr" if opts.get("shardsvr") else "")
    for key, value in (("rs", rs), ("shard", role), ("port", net.get("port") or opts.get("port"))):
        if value and not prov.get(key):
            prov[key] = str(value).split("/", 1)[0]


def _close(st: FileStats, counts: Counter, ctime: bool, year: int) -> None:
    """Write the counters into ``st`` (also when the consumer stopped early)."""
    st.lines += counts["lines"]
    st.records += counts["records"]
    if counts["other"]:
        st.skip("other log message", counts["other"])
    if counts["junk"]:
        st.skip("not a log line", counts["junk"])
    if counts["cut"]:
        st.problems.append(f"{counts['cut']} query line(s) cut by mongod (over its 10 kB line limit, or a document "
                           "too large to log): counted with their duration, shape not logged")
    if counts["unreadable"]:
        st.problems.append(f"{counts['unreadable']} query line(s) with a document that is not readable (quotes "
                           "inside strings unescaped, mongod ≤ 2.6): counted with their duration, shape not read")
    if ctime:
        st.problems.append(f"ctime timestamps carry no year and no zone: read as UTC, in the latest year up to "
                           f"{year} with that weekday on that date")
