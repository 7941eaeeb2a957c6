"""Live, read-only audit of a real MongoDB server (only when ``mongo_uri_env`` is set).

* :func:`explain_dashboard` — ``explain("executionStats")`` of every query the dashboard
  strategies issue, each with ``maxTimeMS``; tabulates plan, index used, documents / keys
  examined vs returned and flags (COLLSCAN, in-memory SORT, examined/returned > 10).
  Note: ``executionStats`` runs the query (reads only) to count what it examines.
* :func:`read_system_profile` — the newest ``system.profile`` entries (a ``find`` with
  ``maxTimeMS``), normalized like a profile export.
* :func:`identify` — which server answers (``buildInfo``: MongoDB, FerretDB, DocumentDB, Cosmos DB);
* indexes and their usage are read by :mod:`.indexes` (``listIndexes``, ``$indexStats``).

Servers that speak the wire protocol implement part of it: every *optional* read (``buildInfo``,
``listIndexes``, ``$indexStats``, ``system.profile``, the ``$sample`` of field presence) that the
server refuses for any reason (Unauthorized 13, NotImplemented 238, CommandNotFound 59, a closed
connection…) is one WARN line of :class:`Refusals` naming the read and the server's reason, and
the audit goes on. Only the explains the verdict needs make it an error, in one line: the user's
assessment ids, and every explain refused. An explain that is not MongoDB's (no ``winningPlan``)
leaves its query *not judged*.

Nothing here writes. Connection timeouts are short (``DEFAULT_CONNECT_TIMEOUT_S``); every
error becomes one :class:`~analysis.errors.SourceError` line with the URI redacted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import pandas as pd

from ...config import DEFAULT_CONNECT_TIMEOUT_S, DEFAULT_MAX_TIME_MS
from ...errors import SourceError, one_line
from ...mongodb.client import connect as connect_mongo
from ...mongodb.client import refusal, server_identity
from ...mongodb.explain import explain_all
from ...mongodb.queries import STRATEGIES, planned_queries
from ...redact import redact_text
from ..findings import NOT_JUDGED
from ..records import FileStats
from .explain import NO_EXECUTION_STATS
from .profile import profile_row

log = logging.getLogger(__name__)
T = TypeVar("T")
#: What the audit lacks when the server refuses an optional read.
CONSEQUENCES = {
    "buildInfo": "the server's version is unknown",
    "listIndexes": "index definitions unknown: index hygiene and existing-index advice are not judged",
    "$indexStats": "index usage unknown: unused indexes are not judged",
    "system.profile": "no profiler entries digested",
    "$sample (field presence)": "field presence not sampled: index advice does not know absent fields",
}

_ABSENT = "\u2400absent"
EXPLAIN_COLUMNS = ["strategy", "purpose", "collection", "op", "plan_summary", "index_used", "keys_examined",
                   "docs_examined", "nreturned", "duration_ms", "examined_per_returned", "flags"]


def connect(uri: str, database: str, *, timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S) -> Any:
    """A pymongo Database with short timeouts (:func:`analysis.mongodb.client.connect`); SourceError when unreachable."""
    client, _ = connect_mongo(uri, timeout_s=timeout_s)
    return client[database]


class Refusals:
    """Optional reads the server refused: one WARN line per read and reason, naming where."""

    def __init__(self) -> None:
        self._by: dict[tuple[str, str], list[str]] = {}

    def add(self, what: str, exc: BaseException, where: str = "") -> None:
        """Note that ``what`` (a key of :data:`CONSEQUENCES`) was refused on ``where`` with ``exc``."""
        places = self._by.setdefault((what, redact_text(refusal(exc))), [])
        if where and where not in places:
            places.append(where)

    def read(self, what: str, fn: Callable[[], T], default: T, where: str = "") -> T:
        """``fn()``, or ``default`` with the refusal noted."""
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - any refusal of an optional read is one line, never fatal
            self.add(what, exc, where)
            return default

    def lines(self) -> list[str]:
        """``WARN $indexStats not read on db.a, db.b: NotImplemented (238): …; index usage unknown…``."""
        out = []
        for (what, reason), places in self._by.items():
            on = f" on {', '.join(places)}" if places else ""
            hint = (" (needs the 'indexStats' privilege, e.g. role clusterMonitor)" if what == "$indexStats"
                    and reason.startswith("Unauthorized") else "")
            out.append(f"WARN {what} not read{on}: the server refused it — {reason}{hint}; "
                       f"{CONSEQUENCES.get(what, 'not used')}; the rest of the audit runs")
        return out

    def __len__(self) -> int:
        return len(self._by)


def identify(db: Any, uri: str, refusals: Refusals, *, max_time_ms: int = DEFAULT_MAX_TIME_MS) -> str:
    """Which server answers (:func:`analysis.mongodb.client.server_identity`); ``buildInfo`` is optional."""
    info = refusals.read("buildInfo", lambda: db.command({"buildInfo": 1, "maxTimeMS": max_time_ms}), None)
    return server_identity(info, uri) if isinstance(info, dict) else "a server that refused buildInfo"


def _err(what: str, exc: Exception) -> SourceError:
    return SourceError(f"MongoDB {what}: {redact_text(one_line(exc))}")


def explain_queries(db: Any, queries: Sequence[Any], *, max_time_ms: int = DEFAULT_MAX_TIME_MS,
                    ratio: float = 10.0) -> pd.DataFrame:
    """Explain each planned query and tabulate what the server did.

    Parameters
    ----------
    db : pymongo Database (or any object with ``command``)
    queries : sequence of PlannedQuery
    max_time_ms : int
        Server-side limit of each explain.
    ratio : float
        Examined/returned above which a query is flagged.

    Returns
    -------
    DataFrame
        Columns :data:`EXPLAIN_COLUMNS` (a COLLSCAN on a shard names the shard).
    """
    rows = []
    for e in explain_all(db, queries, max_time_ms=max_time_ms, tolerate_refusals=True):
        q, s = e.query, e.summary
        head = {"strategy": q.strategy, "purpose": q.purpose, "collection": q.collection, "op": q.op}
        if s is None:
            rows.append({**head, "plan_summary": "?", "flags": f"{NOT_JUDGED}: the server refused the explain "
                                                               f"({e.refused})"})
            continue
        if s.not_mongodb:
            rows.append({**head, "plan_summary": "?", "flags": f"{NOT_JUDGED}: this server's explain is not "
                                                               f"MongoDB's: {s.not_mongodb}"})
            continue
        if not s.has_execution_stats:
            rows.append({**head, "plan_summary": s.plan_summary or "?", "flags": NO_EXECUTION_STATS})
            continue
        epr = (s.docs_examined or 0) / max(s.n_returned or 0, 1)
        index_used = ", ".join(p.split(" ", 1)[1] for p in s.plan_summary.split(", ") if " " in p) or "—"
        collscan = "COLLSCAN" + (f" on {', '.join(s.collscan_shards)}" if s.collscan_shards else "")
        pipe = "blocking pipeline $sort on computed fields" + (
            f" (input {s.pipeline_sort_input} docs)" if s.pipeline_sort_input is not None else "")
        flags = [f for f, on in ((collscan, s.collscan), ("in-memory SORT", s.in_memory_sort),
                                 (pipe, s.pipeline_sort), (f"examined/returned > {ratio:g}", epr > ratio),
                                 (f"unknown stage {', '.join(s.unknown_stages)}", bool(s.unknown_stages))) if on]
        rows.append({**head, "plan_summary": s.plan_summary, "index_used": index_used,
                     "keys_examined": s.keys_examined, "docs_examined": s.docs_examined, "nreturned": s.n_returned,
                     "duration_ms": s.duration_ms, "examined_per_returned": epr, "flags": ", ".join(flags)})
    return pd.DataFrame(rows, columns=EXPLAIN_COLUMNS)


def explain_dashboard(db: Any, user_id: str = "", *, max_time_ms: int = DEFAULT_MAX_TIME_MS,
                      ratio: float = 10.0) -> tuple[pd.DataFrame, str]:
    """Explain every dashboard strategy's queries for one user.

    The user's assessment ids (needed by the queries that reach ``recommendations``) are
    read with the dashboard's own ``assessment_ids`` query. When ``user_id`` is empty, the
    owner of the newest assessment is audited.

    Returns
    -------
    (DataFrame, str)
        The explain table and the audited user id.
    """

    try:
        if not user_id:
            doc = db["assessments"].find_one({}, {"user_id": 1}, sort=[("_id", -1)], max_time_ms=max_time_ms)
            if not doc or "user_id" not in doc:
                raise SourceError(f"MongoDB database '{db.name}': no assessment with a user_id to audit")
            user_id = str(doc["user_id"])
        ids = [str(d["_id"]) for d in db["assessments"].find({"user_id": user_id}, {"_id": 1},
                                                             max_time_ms=max_time_ms)]
    except SourceError:
        raise
    except Exception as exc:
        raise _err(f"database '{getattr(db, 'name', '?')}': reading the audited user's assessment ids", exc) from None
    queries = [q for s in STRATEGIES for q in planned_queries(s, user_id, ids)]
    return explain_queries(db, queries, max_time_ms=max_time_ms, ratio=ratio), user_id


def read_system_profile(db: Any, *, limit: int = 20_000, max_time_ms: int = DEFAULT_MAX_TIME_MS,
                        stats: FileStats | None = None, refusals: Refusals | None = None) -> Iterator[tuple]:
    """Normalized rows of the newest ``system.profile`` documents (read-only).

    A refusal is one line of ``refusals`` (the rows read before it are kept), else a SourceError.
    """
    st = stats if stats is not None else FileStats(f"{getattr(db, 'name', '?')}.system.profile")
    st.kind = "profile (live)"
    try:
        cursor = db["system.profile"].find({}, sort=[("$natural", -1)], limit=limit, max_time_ms=max_time_ms)
        for doc in cursor:
            st.lines += 1
            row = profile_row(doc, st)
            if row is not None:
                st.records += 1
                yield row
    except Exception as exc:
        if refusals is None:
            raise _err(f"database '{getattr(db, 'name', '?')}': reading system.profile", exc) from None
        refusals.add("system.profile", exc, f"{getattr(db, 'name', '?')}.system.profile")
        st.problems.append(f"the server refused system.profile: {redact_text(refusal(exc))}")


def field_presence(db: Any, collections: Sequence[str], fields: Sequence[str], *, sample: int = 1000,
                   max_time_ms: int = DEFAULT_MAX_TIME_MS, refusals: Refusals | None = None) -> dict[str, dict[str, float]]:
    """Share of documents holding each field (non-null), estimated on a ``$sample`` of documents.

    A collection the server refuses to sample is one line of ``refusals`` (and left out), else a SourceError.
    """
    out: dict[str, dict[str, float]] = {}
    # a field counts when it holds a non-null value ($ifNull maps missing and null to the marker)
    project = {f.replace(".", "_"): {"$cond": [{"$eq": [{"$ifNull": [f"${f}", _ABSENT]}, _ABSENT]}, 0, 1]}
               for f in fields}
    group = {"_id": None, "n": {"$sum": 1}, **{k: {"$sum": f"${k}"} for k in project}}
    for coll in collections:
        try:
            res = list(db[coll].aggregate([{"$sample": {"size": sample}}, {"$project": project}, {"$group": group}],
                                          maxTimeMS=max_time_ms))
        except Exception as exc:
            if refusals is None:
                raise _err(f"database '{getattr(db, 'name', '?')}': sampling field presence", exc) from None
            refusals.add("$sample (field presence)", exc, f"{getattr(db, 'name', '?')}.{coll}")
            continue
        n = res[0]["n"] if res else 0
        out[coll] = {f: (res[0][f.replace(".", "_")] / n if n else 0.0) for f in fields} if n else {}
    return out
