"""Server-side cost of the planned queries: ``explain("executionStats")`` on a real MongoDB.

:func:`analysis.mongodb.commands.explain_command` builds the explain command of a :class:`PlannedQuery`;
:func:`parse_explain` turns an explain document — MongoDB 6/7, classic engine or SBE,
find or aggregate (with or without a ``$cursor`` stage) — into one flat summary:
documents and keys examined, documents returned, plan stages, COLLSCAN, blocking in-memory
SORT, server milliseconds. Parsing is pure and unit-tested on recorded documents under
``tests/data/dashboard/``; only :func:`explain_strategy` talks to a server.
"""

from __future__ import annotations

import logging
from typing import Any

from ...config import DEFAULT_MAX_TIME_MS
from ...errors import DataError, SourceError, one_line
from ...mongodb.commands import explain_command, run_queries

logger = logging.getLogger(__name__)


def _stage_names(node: Any) -> list[str]:
    """Depth-first stage names of a classic-style plan tree (queryPlan / winningPlan)."""
    if not isinstance(node, dict):
        return []
    names = [node["stage"]] if "stage" in node else []
    for key in ("inputStage", "outerStage", "innerStage"):
        names += _stage_names(node.get(key))
    for child in node.get("inputStages", []) or []:
        names += _stage_names(child)
    return names


def _winning_tree(query_planner: dict[str, Any]) -> dict[str, Any]:
    wp = query_planner.get("winningPlan", {})
    # SBE (explainVersion "2"): {"queryPlan": {...}, "slotBasedPlan": {...}}
    return wp.get("queryPlan", wp) if isinstance(wp, dict) else {}


def _contains_key(node: Any, key: str) -> bool:
    if isinstance(node, dict):
        return key in node or any(_contains_key(v, key) for v in node.values())
    if isinstance(node, list):
        return any(_contains_key(v, key) for v in node)
    return False


def _num(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def parse_explain(doc: dict[str, Any]) -> dict[str, Any]:
    """Summarize an explain("executionStats") document.

    Parameters
    ----------
    doc : dict
        The server's reply (find, aggregate with ``stages``, or an aggregate fully pushed
        down to the query layer with top-level ``queryPlanner``/``executionStats``).

    Returns
    -------
    dict
        ``docs_examined``, ``keys_examined``, ``n_returned``, ``server_ms``, ``stages``
        (list), ``plan`` (text), ``collscan``, ``in_memory_sort``, ``framework``
        ("classic" or "sbe"), ``explain_version``.

    Raises
    ------
    DataError
        The document has neither ``queryPlanner`` nor ``stages``.
    """
    version = str(doc.get("explainVersion", "1"))
    parts: list[tuple[dict[str, Any], dict[str, Any]]] = []   # (queryPlanner, executionStats)
    pipeline_stages: list[str] = []
    n_returned = None
    server_ms = 0
    blocking_sort = False
    if "stages" in doc:
        for st in doc["stages"]:
            name = next((k for k in st if k.startswith("$")), "?")
            body = st.get(name, {})
            if name == "$cursor":
                parts.append((body.get("queryPlanner", {}), body.get("executionStats", {})))
                server_ms = max(server_ms, _num(body.get("executionStats", {}).get("executionTimeMillis")))
            else:
                pipeline_stages.append(name)
                if name == "$sort" or (name == "$facet" and _contains_key(body, "$sort")):
                    blocking_sort = True
            server_ms = max(server_ms, _num(st.get("executionTimeMillisEstimate")))
            if "nReturned" in st:
                n_returned = _num(st["nReturned"])
    elif "queryPlanner" in doc:
        parts.append((doc["queryPlanner"], doc.get("executionStats", {})))
    else:
        raise DataError("explain document has neither 'queryPlanner' nor 'stages' (not an explain output)")
    stages: list[str] = []
    docs = keys = 0
    framework = "sbe" if version.startswith("2") else "classic"
    for qp, es in parts:
        tree = _winning_tree(qp)
        stages += _stage_names(tree)
        if "slotBasedPlan" in qp.get("winningPlan", {}):
            framework = "sbe"
        docs += _num(es.get("totalDocsExamined"))
        keys += _num(es.get("totalKeysExamined"))
        server_ms = max(server_ms, _num(es.get("executionTimeMillis")))
        if n_returned is None and "nReturned" in es:
            n_returned = _num(es["nReturned"])
    stages += pipeline_stages
    plan_stages = [s for s in stages if not s.startswith("$")]
    return {
        "docs_examined": docs, "keys_examined": keys, "n_returned": n_returned or 0, "server_ms": server_ms,
        "stages": stages, "plan": " ← ".join(stages), "collscan": "COLLSCAN" in plan_stages,
        "in_memory_sort": blocking_sort or "SORT" in plan_stages, "framework": framework,
        "explain_version": version,
    }


def explain_strategy(db: Any, strategy: str, user_id: str, *, max_time_ms: int = DEFAULT_MAX_TIME_MS
                     ) -> list[dict[str, Any]]:
    """Explain every query a strategy runs (on a real MongoDB).

    The queries are the executed ones (:func:`~analysis.mongodb.commands.run_queries`),
    so id-dependent queries carry the user's real assessment ids.

    Returns
    -------
    list of dict
        One summary (:func:`parse_explain`) per query plus strategy, purpose, collection, op.
    """
    queries, _ = run_queries(db, strategy, user_id, max_time_ms=max_time_ms)
    out = []
    for q in queries:
        try:
            reply = db.command(explain_command(q, max_time_ms=max_time_ms))
        except Exception as exc:
            raise SourceError(f"MongoDB: explain of {strategy}/{q.purpose} on {q.collection} failed: "
                              f"{one_line(exc, 200)}") from None
        out.append({"strategy": strategy, "purpose": q.purpose, "collection": q.collection, "op": q.op,
                    **parse_explain(reply)})
    return out
