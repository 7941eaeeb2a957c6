"""Live, read-only audit of a real MongoDB server (only when ``mongo_uri_env`` is set).

* :func:`explain_dashboard` — ``explain("executionStats")`` of every query the dashboard
  strategies issue, each with ``maxTimeMS``; tabulates plan, index used, documents / keys
  examined vs returned and flags (COLLSCAN, in-memory SORT, examined/returned > 10).
  Note: ``executionStats`` runs the query (reads only) to count what it examines.
* :func:`read_system_profile` — the newest ``system.profile`` entries (a ``find`` with
  ``maxTimeMS``), normalized like a profile export.
* indexes and their usage are read by :mod:`.indexes` (``listIndexes``, ``$indexStats``).

Nothing here writes. Connection timeouts are short (``DEFAULT_CONNECT_TIMEOUT_S``); every
error becomes one :class:`~analysis.errors.SourceError` line with the URI redacted.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import pandas as pd

from ...config import DEFAULT_CONNECT_TIMEOUT_S, DEFAULT_MAX_TIME_MS
from ...errors import SourceError, one_line
from ...mongodb.client import connect as connect_mongo
from ...mongodb.explain import explain_all
from ...mongodb.queries import STRATEGIES, planned_queries
from ...redact import redact_text
from ..records import FileStats
from .explain import NO_EXECUTION_STATS
from .profile import profile_row

log = logging.getLogger(__name__)

_ABSENT = "\u2400absent"
EXPLAIN_COLUMNS = ["strategy", "purpose", "collection", "op", "plan_summary", "index_used", "keys_examined",
                   "docs_examined", "nreturned", "duration_ms", "examined_per_returned", "flags"]


def connect(uri: str, database: str, *, timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S) -> Any:
    """A pymongo Database with short timeouts (:func:`analysis.mongodb.client.connect`); SourceError when unreachable."""
    client, _ = connect_mongo(uri, timeout_s=timeout_s)
    return client[database]


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
    for e in explain_all(db, queries, max_time_ms=max_time_ms):
        q, s = e.query, e.summary
        head = {"strategy": q.strategy, "purpose": q.purpose, "collection": q.collection, "op": q.op}
        if not s.has_execution_stats:
            rows.append({**head, "plan_summary": s.plan_summary or "?", "flags": NO_EXECUTION_STATS})
            continue
        epr = (s.docs_examined or 0) / max(s.n_returned or 0, 1)
        index_used = ", ".join(p.split(" ", 1)[1] for p in s.plan_summary.split(", ") if " " in p) or "—"
        collscan = "COLLSCAN" + (f" on {', '.join(s.collscan_shards)}" if s.collscan_shards else "")
        flags = [f for f, on in ((collscan, s.collscan), ("in-memory SORT", s.in_memory_sort),
                                 (f"examined/returned > {ratio:g}", epr > ratio),
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
                        stats: FileStats | None = None) -> Iterator[tuple]:
    """Normalized rows of the newest ``system.profile`` documents (read-only)."""
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
        raise _err(f"database '{getattr(db, 'name', '?')}': reading system.profile", exc) from None


def field_presence(db: Any, collections: Sequence[str], fields: Sequence[str], *, sample: int = 1000,
                   max_time_ms: int = DEFAULT_MAX_TIME_MS) -> dict[str, dict[str, float]]:
    """Share of documents holding each field (non-null), estimated on a ``$sample`` of documents."""
    out: dict[str, dict[str, float]] = {}
    # a field counts when it holds a non-null value ($ifNull maps missing and null to the marker)
    project = {f.replace(".", "_"): {"$cond": [{"$eq": [{"$ifNull": [f"${f}", _ABSENT]}, _ABSENT]}, 0, 1]}
               for f in fields}
    group = {"_id": None, "n": {"$sum": 1}, **{k: {"$sum": f"${k}"} for k in project}}
    try:
        for coll in collections:
            res = list(db[coll].aggregate([{"$sample": {"size": sample}}, {"$project": project}, {"$group": group}],
                                          maxTimeMS=max_time_ms))
            n = res[0]["n"] if res else 0
            out[coll] = {f: (res[0][f.replace(".", "_")] / n if n else 0.0) for f in fields} if n else {}
    except Exception as exc:
        raise _err(f"database '{getattr(db, 'name', '?')}': sampling field presence", exc) from None
    return out
