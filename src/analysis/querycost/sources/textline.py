"""One text-format mongod / mongos log line (MongoDB 2.4 → 4.2) → the decoded line of a 4.4+ JSON log.

The grammar is mtools' (``mtools/util/logevent.py``, what ``mloginfo --queries`` reads), line by line:

* **timestamp** — ``ctime`` (``Wed Mar  5 17:14:24.619``; 2.2 without milliseconds), ``iso8601-local``
  (``2014-04-09T18:22:47.373-0400``) or ``iso8601-utc`` (``…Z``); a ctime has no year and no zone: it is
  read as UTC, in the latest year not after ``ref_year`` whose calendar has that weekday on that date;
* **severity and component** (3.0+: ``I COMMAND``, ``I  QUERY``; 4.2 pads with two spaces) or none (2.x);
* **context** ``[conn42]``, ``[TTLMonitor]``, ``[repl writer worker 7]``;
* **operation and namespace** — ``query``, ``getmore``, ``update``, ``remove``, ``command`` (``insert``
  and ``killcursors`` are operations the digest does not count), after the
  ``warning: log line attempted (…) over max size (…), printing beginning and end ...`` of a line
  mongod cut;
* **documents** — ``appName: "…"``, ``command: <name> { … }`` (2.4: ``command: { … }``), ``query: { … }``
  (OP_QUERY modifiers ``$query`` / ``query``, ``$orderby`` / ``orderby``, ``$hint`` unwrapped into a
  ``find``), ``update: { … }``, ``originatingCommand: { … }``, in the shell's syntax (:mod:`.shelldoc`);
* **counters** — ``keysExamined`` (``nscanned`` before 3.2), ``docsExamined`` (``nscannedObjects``),
  ``nreturned``, ``reslen``, ``numYields`` (2.4: ``numYields: 3``), ``nMatched``, ``nModified``,
  ``ndeleted``, ``keyUpdates``, ``writeConflicts``, ``scanAndOrder`` / ``hasSortStage``, ``queryHash``,
  ``planCacheKey``; ``planSummary: IXSCAN { a: 1 }, …``; ``locks:{ … }`` (3.0+), ``storage:{ … }``,
  ``flowControl:{ … }``; the duration ``123ms`` at the end.

:func:`operation_doc` returns ``{"t", "s", "c", "ctx", "msg": "Slow query", "attr": {…}}`` with the
``attr`` names of the 4.4+ JSON log (``durationMillis``, ``planSummary``, ``keysExamined``, …), so the
JSON reader's row builder digests it. 2.4 lines name no plan and no documents examined: ``nscanned``
(keys or documents, whichever the cursor scanned) is kept as keys examined, documents examined stay
unknown (never zero).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from .shelldoc import decode_at, to_json

_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                       "Nov", "Dec"), 1)}
_WEEKDAYS = {d: i for i, d in enumerate(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))}
#: timestamp, severity + component (3.0+), context, message
PREFIX = re.compile(
    r"(?:(?P<wd>Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(?P<day>\d\d?) "
    r"(?P<hms>\d\d:\d\d:\d\d)(?P<ms>\.\d{3})?"
    r"|(?P<iso>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?)(?P<tz>Z|[+-]\d\d:?\d\d)?)"
    r" +(?:(?P<sev>[FEWIDU]\d?) +(?P<comp>[A-Z_]+|-) +)?(?:\[(?P<ctx>[^\]]*)\] ?)?(?P<msg>.*)")
_CUT = re.compile(r"warning: log line attempted \([^)]*\) over max size \([^)]*\), printing beginning and end \.\.\. ")
_OP = re.compile(r"(query|getmore|update|remove|command|insert|killcursors) (\S+) ?")
_LABEL = re.compile(r" *(appName|command|query|update|originatingCommand): ")
_COUNTER = re.compile(
    r"(?<![\w.$\"])(keysExamined|docsExamined|nscannedObjects|nscanned|nreturned|nReturned|reslen|numYields|nMatched"
    r"|nModified|ndeleted|nDeleted|ninserted|nInserted|keyUpdates|writeConflicts|scanAndOrder|hasSortStage|nShards"
    r"|cursorid|upsert):\s?(\d+)")
_HASH = re.compile(r"(?<![\w.$\"])(queryHash|planCacheKey):([0-9A-F]+)\b")
_PLAN = re.compile(r"planSummary: ((?:[A-Z][A-Z_0-9]*(?: \{[^{}]*\})?)(?:, [A-Z][A-Z_0-9]*(?: \{[^{}]*\})?)*)")
_AFTER_DOC = re.compile(r"\} (?=(?:planSummary|cursorid|ntoreturn|ntoskip|keysExamined|docsExamined|nscanned"
                        r"|nscannedObjects|keyUpdates|writeConflicts|numYields|nreturned|reslen|nMatched|nModified"
                        r"|ndeleted|exception|cursorExhausted|hasSortStage|idhack|scanAndOrder|fromMultiPlanner)\b)")
_DURATION = re.compile(r" (\d+)ms\s*$")
_QUOTED_KEY = re.compile(r'"((?:[^"\\]|\\.)*)": ')
_WHOLE_FLOAT = re.compile(r"(?<=[\d])\.0\b")
#: attr name of each counter (4.4+ JSON log names); None: read, not kept
_NAMES = {"nscanned": "keysExamined", "nscannedObjects": "docsExamined", "nReturned": "nreturned",
          "nDeleted": "ndeleted", "nInserted": "ninserted", "scanAndOrder": "hasSortStage"}
_OP_QUERY_WRAPPERS = ("$query", "query")
_BAD = object()  # a document that could not be read
_YEARS: dict[tuple[int, int, int, int], int] = {}


def timestamp(m: re.Match, ref_year: int) -> str:
    """The ISO 8601 text of a line's timestamp (what a JSON log's ``t.$date`` holds)."""
    iso = m.group("iso")
    if iso:
        tz = m.group("tz") or "Z"
        if len(tz) == 5:
            tz = tz[:3] + ":" + tz[3:]
        if "." not in iso:
            iso += ".000"
        return iso[:23] + tz
    mon, day, wd = _MONTHS[m.group("mon")], int(m.group("day")), _WEEKDAYS[m.group("wd")]
    key = (ref_year, mon, day, wd)
    year = _YEARS.get(key)
    if year is None:
        year = _YEARS[key] = _year_of(ref_year, mon, day, wd)
    return f"{year:04d}-{mon:02d}-{day:02d}T{m.group('hms')}{m.group('ms') or '.000'}Z"


def _year_of(ref_year: int, mon: int, day: int, wd: int) -> int:
    """The latest year ≤ ``ref_year`` in which ``mon``/``day`` falls on weekday ``wd`` (ref_year if none in 28)."""
    for y in range(ref_year, ref_year - 28, -1):
        try:
            if date(y, mon, day).weekday() == wd:
                return y
        except ValueError:  # 29 February
            continue
    return ref_year


def operation_doc(m: re.Match, ref_year: int) -> tuple[dict | None, str]:
    """The JSON-log-shaped document of an operation line, and what it was.

    Parameters
    ----------
    m : re.Match
        :data:`PREFIX` matched on the line.
    ref_year : int
        The year ctime timestamps are read in (see the module text).

    Returns
    -------
    (dict or None, str)
        The document and ``""``, ``"cut"`` (mongod cut the line: its documents are not read) or
        ``"unreadable"`` (a document is not readable); ``(None, reason)`` when the line is no
        operation the digest counts (``reason``: ``"other"`` or ``"non-query command: insert"``).
    """
    msg = m.group("msg")
    cut = _CUT.match(msg)
    if cut:
        msg = msg[cut.end():]
    op = _OP.match(msg)
    if op is None or not msg.endswith("ms"):
        return None, "other"
    name, ns = op.group(1), op.group(2)
    if name in ("insert", "killcursors"):
        return None, f"non-query command: {name}"
    dur = _DURATION.search(msg)
    if dur is None:
        return None, "other"
    rest = msg[op.end():]
    at = rest.find(" locks:{")  # the documents end before the lock statistics (3.0+): only they are rewritten
    parts, tail, state = _read_parts(to_json(rest if at < 0 else rest[:at]))
    attr = _attr(name, ns, parts)
    if attr is None:
        return None, "other"
    _counters(attr, tail if at < 0 else tail + rest[at:])
    attr["durationMillis"] = int(dur.group(1))
    doc = {"t": {"$date": timestamp(m, ref_year)}, "s": m.group("sev") or "I", "c": m.group("comp") or "",
           "ctx": m.group("ctx") or "", "msg": "Slow query", "attr": attr}
    if cut:
        state = "cut"
    elif state == "" and isinstance(attr.get("command"), dict) and "$msg" in attr["command"]:
        state = "cut"  # 4.x replaced a document too large to log by { $msg: "query not recording (too large)" }
    return doc, state


def _read_parts(j: str) -> tuple[dict[str, Any], str, str]:
    """The labelled parts after the namespace (documents decoded), the counters' text and the state."""
    parts: dict[str, Any] = {}
    pos = 0
    state = ""
    while (lm := _LABEL.match(j, pos)) is not None:
        label, pos = lm.group(1), lm.end()
        if label == "appName":
            try:
                parts["appName"], pos = decode_at(j, pos)
            except ValueError:
                break
            continue
        if label == "command" and pos < len(j) and j[pos] != "{":
            end = j.find(" ", pos)
            parts["command_name"] = j[pos:end if end > 0 else len(j)]
            pos = end + 1 if end > 0 else len(j)
            if pos >= len(j) or j[pos] != "{":
                continue
        try:
            parts[label], pos = decode_at(j, pos)
        except ValueError:
            parts[label] = _BAD
            state = "unreadable"
            after = _AFTER_DOC.search(j, pos)
            pos = after.end() if after else len(j)
            break
    return parts, j[pos:], state


def _attr(name: str, ns: str, parts: dict[str, Any]) -> dict | None:
    """``attr`` of the operation (type, ns, appName, command, originatingCommand); None if not one."""
    db, _, coll = ns.partition(".")
    attr: dict[str, Any] = {"type": "command", "ns": ns}
    if isinstance(parts.get("appName"), str):
        attr["appName"] = parts["appName"]
    query = parts.get("query")
    if name == "command":
        cmd = parts.get("command")
        if not isinstance(cmd, dict) or not cmd:
            # unreadable (or none): the name is known, the rest is not
            cmd = {str(parts.get("command_name") or "?"): coll}
        target = next(iter(cmd.values()))
        if coll == "$cmd" and isinstance(target, str):
            attr["ns"] = f"{db}.{target}"
        attr["command"] = cmd
        if isinstance(parts.get("originatingCommand"), dict):
            attr["originatingCommand"] = parts["originatingCommand"]
        return attr
    if name in ("update", "remove"):
        attr["type"] = name
        cmd = parts.get("command")
        if isinstance(cmd, dict):
            attr["command"] = cmd
        else:
            stmt: dict[str, Any] = {"q": query if isinstance(query, dict) else {}}
            if name == "update":
                upd = parts.get("update")
                stmt["u"] = upd if isinstance(upd, dict) else {}
            attr["command"] = stmt
        return attr
    if coll == "$cmd" and isinstance(query, dict) and query:  # an OP_QUERY command (2.x)
        attr["command"] = query
        first = next(iter(query))
        if isinstance(query[first], str):
            attr["ns"] = f"{db}.{query[first]}"
        return attr
    find = _find_command(coll, query)
    if name == "getmore":
        attr["command"] = {"getMore": 0, "collection": coll}
        attr["originatingCommand"] = find
    else:
        attr["command"] = find
    return attr


def _find_command(coll: str, query: Any) -> dict[str, Any]:
    """A legacy OP_QUERY (``query: { … }``, modifiers included) as the ``find`` command it is."""
    if query is _BAD:
        return {"find": coll, "filter": _BAD}
    q = query if isinstance(query, dict) else {}
    wrapped = next((k for k in _OP_QUERY_WRAPPERS if isinstance(q.get(k), dict)), None)
    if wrapped is None:
        return {"find": coll, "filter": q}
    cmd: dict[str, Any] = {"find": coll, "filter": q[wrapped]}
    for src, dst in (("$orderby", "sort"), ("orderby", "sort"), ("$hint", "hint"), ("hint", "hint")):
        if isinstance(q.get(src), dict) and q[src]:
            cmd[dst] = q[src]
    return cmd


def _counters(attr: dict[str, Any], tail: str) -> None:
    """Counters, plan summary, hashes, locks / storage / flow control of the text after the documents."""
    for key, value in _COUNTER.findall(tail):
        key = _NAMES.get(key, key)
        if key not in attr:
            attr[key] = int(value)
    if attr.pop("hasSortStage", 0):
        attr["hasSortStage"] = True
    for key, value in _HASH.findall(tail):
        attr[key] = value
    plan = _PLAN.search(tail)
    if plan:
        attr["planSummary"] = _WHOLE_FLOAT.sub("", _QUOTED_KEY.sub(r"\1: ", plan.group(1)))
    for label, needed in (("locks", "timeAcquiringMicros"), ("storage", "bytesRead"),
                          ("flowControl", "timeAcquiringMicros")):
        i = tail.find(label + ":{")
        if i >= 0 and needed in tail:  # read only what the digest uses (wait times, bytes read)
            try:
                value, _ = decode_at(to_json(tail[i + len(label) + 1:]), 0)
            except ValueError:
                continue
            if isinstance(value, dict):
                attr[label] = value
