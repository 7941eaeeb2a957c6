"""What the workbook sends to MongoDB for a planned query: the wire command, its explain, its execution.

:func:`wire_command` is the command a driver puts on the wire (also what query shapes are
computed from); :func:`explain_command` its ``explain("executionStats")`` with ``maxTimeMS``;
:func:`execute` / :func:`run_queries` run planned queries on a pymongo or mongomock database.
"""

from __future__ import annotations

import copy
from typing import Any

from ..config import DEFAULT_MAX_TIME_MS
from ..errors import SourceError, one_line
from .queries import PlannedQuery, planned_queries

#: purposes whose result provides the user's assessment ids
_ID_PURPOSES = ("assessments_all", "assessment_ids")


def wire_command(q: PlannedQuery) -> tuple[str, dict[str, Any]]:
    """A planned query as ``(op, command document)`` the way a driver sends it.

    ``find`` carries filter, sort, projection and limit; ``aggregate`` its pipeline;
    ``count`` and ``distinct`` their ``query``. No ``maxTimeMS`` or cursor options: this is
    also what query shapes are computed from.
    """
    filt = q.filter or {}
    if q.op == "aggregate":
        return "aggregate", {"aggregate": q.collection, "pipeline": q.pipeline or []}
    if q.op == "find":
        cmd: dict[str, Any] = {"find": q.collection, "filter": filt}
        if q.sort:
            cmd["sort"] = dict(q.sort)
        if q.projection:
            cmd["projection"] = q.projection
        if q.limit:
            cmd["limit"] = q.limit
        return "find", cmd
    if q.op == "count":
        return "count", {"count": q.collection, "query": filt}
    if q.op == "distinct":
        return "distinct", {"distinct": q.collection, "key": q.key, "query": filt}
    raise ValueError(f"unknown op {q.op!r}")


def explain_command(q: PlannedQuery, *, max_time_ms: int = DEFAULT_MAX_TIME_MS) -> dict[str, Any]:
    """The ``explain`` command (verbosity executionStats, ``maxTimeMS`` inside and outside) of a planned query."""
    op, inner = wire_command(q)
    inner = dict(inner)
    if op == "aggregate":
        inner["cursor"] = {}
    inner["maxTimeMS"] = max_time_ms
    return {"explain": inner, "verbosity": "executionStats", "maxTimeMS": max_time_ms}


def execute(db: Any, q: PlannedQuery, *, max_time_ms: int = DEFAULT_MAX_TIME_MS) -> list[dict[str, Any]]:
    """Run one planned query and return the documents received.

    Parameters
    ----------
    db : Database
        pymongo or mongomock database.
    q : PlannedQuery
        The query.
    max_time_ms : int
        Server-side time limit, sent with every command (``maxTimeMS``; mongomock accepts
        and ignores it).

    Returns
    -------
    list of dict
    """
    # drivers may mutate what they are given (mongomock adds ``_id`` to projections):
    # hand them copies so the planned query stays what was planned
    q = copy.deepcopy(q)
    coll = db[q.collection]
    if q.op == "find":
        cur = coll.find(q.filter or {}, q.projection).max_time_ms(max_time_ms)
        if q.sort:
            cur = cur.sort(q.sort)
        if q.limit:
            cur = cur.limit(q.limit)
        return list(cur)
    if q.op == "aggregate":
        return list(coll.aggregate(q.pipeline or [], maxTimeMS=max_time_ms))
    if q.op == "count":
        return [{"count": coll.count_documents(q.filter or {}, maxTimeMS=max_time_ms)}]
    if q.op == "distinct":
        return [{"value": v} for v in coll.distinct(q.key or "", q.filter or {}, maxTimeMS=max_time_ms)]
    raise ValueError(f"unknown op {q.op!r}")


def run_queries(db: Any, strategy: str, user_id: str, *,
                max_time_ms: int = DEFAULT_MAX_TIME_MS) -> tuple[list[PlannedQuery], dict[str, list[dict[str, Any]]]]:
    """Execute a strategy's planned queries in order.

    When a query yields the user's assessment ids (purpose ``assessments_all`` or
    ``assessment_ids``), the plan is rebuilt with those ids and the rest of the plan is
    taken from it: the executed queries are exactly ``planned_queries(strategy, user, ids)``.

    Returns
    -------
    (queries, results)
        The executed queries and their documents keyed by ``purpose``.
    """
    plan = planned_queries(strategy, user_id)
    executed: list[PlannedQuery] = []
    results: dict[str, list[dict[str, Any]]] = {}
    for i in range(len(plan)):
        q = plan[i]
        try:
            docs = execute(db, q, max_time_ms=max_time_ms)
        except Exception as exc:
            if type(exc).__module__.startswith(("pymongo", "bson")):
                raise SourceError(f"MongoDB: {strategy}/{q.purpose} on {q.collection} failed: "
                                  f"{one_line(exc, 200)}") from None
            raise
        executed.append(q)
        results[q.purpose] = docs
        if q.purpose in _ID_PURPOSES:
            plan = planned_queries(strategy, user_id, [str(d["_id"]) for d in docs])
    return executed, results
