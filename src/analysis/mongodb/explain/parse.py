"""``summarize_explain(doc) -> ExplainSummary``: the one reader of explain output, MongoDB 3.6 → 8.0.

It tells the layout by its fields and hands it to :mod:`.single` (one server: query layer,
pipeline) or :mod:`.sharded` (mongos: find, aggregate); the layouts are described in
:mod:`.summary`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import DataError
from .sharded import summarize_sharded_aggregate, summarize_sharded_find
from .single import summarize_pipeline, summarize_query
from .summary import ExplainSummary, ns_from_command, op_name
from .vocabulary import SHARD_STAGES


def summarize_explain(doc: Mapping[str, Any]) -> ExplainSummary:
    """Summarize one explain document of any layout.

    Parameters
    ----------
    doc : mapping
        The explain output itself (tool envelopes are opened first by
        :func:`analysis.mongodb.explain.explain_documents`).

    Returns
    -------
    ExplainSummary
        Stages this reader does not know are named in ``unknown_stages`` (never an error).

    Raises
    ------
    DataError
        The document is not an explain output (no ``queryPlanner``, ``stages`` or ``shards``).
        A ``queryPlanner`` without ``winningPlan`` is another server's explain: summarized by
        :func:`foreign_explain` (``not_mongodb`` set, nothing judged).
    """
    if not isinstance(doc, Mapping):
        raise DataError(f"explain output must be a document, not {type(doc).__name__}")
    if isinstance(doc.get("shards"), Mapping):
        return summarize_sharded_aggregate(doc)
    if isinstance(doc.get("stages"), list):
        return summarize_pipeline(doc)
    qp = doc.get("queryPlanner")
    if isinstance(qp, Mapping) and not isinstance(qp.get("winningPlan"), Mapping):
        return foreign_explain(doc, qp)
    if isinstance(qp, Mapping):
        wp = qp.get("winningPlan")
        if isinstance(wp, Mapping) and (wp.get("stage") in SHARD_STAGES or isinstance(wp.get("shards"), list)):
            return summarize_sharded_find(doc, qp)
        return summarize_query(doc, qp, doc.get("executionStats"))
    raise DataError("not an explain output: no 'queryPlanner', 'stages' or 'shards'")


def foreign_explain(doc: Mapping[str, Any], qp: Mapping[str, Any]) -> ExplainSummary:
    """The summary of an explain that is not MongoDB's (a ``queryPlanner`` without ``winningPlan``).

    Wire-protocol servers that are not MongoDB answer ``explain`` with their own plan — FerretDB on
    PostgreSQL puts PostgreSQL's ``EXPLAIN (FORMAT JSON)`` under ``queryPlanner`` and has no
    ``executionStats``. Nothing is read from it but the command: ``not_mongodb`` names what it holds,
    and the verbosity is ``queryPlanner`` (nothing judged).
    """
    command = doc.get("command")
    keys = ", ".join(str(k) for k in doc)
    held = ", ".join(str(k) for k in qp) or "nothing"
    return ExplainSummary(
        ns=ns_from_command(command), op=op_name(command, "find"), framework="",
        explain_version=str(doc.get("explainVersion", "")),
        server_version=str((doc.get("serverInfo") or {}).get("version", "")) if isinstance(doc.get("serverInfo"), Mapping)
        else "", verbosity="queryPlanner", stages=(), plan_summary="", shards=(), indexes=(), docs_examined=None,
        keys_examined=None, n_returned=None, duration_ms=None, collscan=False, in_memory_sort=False, covered=False,
        query_hash="", plan_cache_key="", query_shape_hash="", unknown_stages=(),
        command=command if isinstance(command, Mapping) else None, not_mongodb=f"{keys} (queryPlanner holds {held})")
