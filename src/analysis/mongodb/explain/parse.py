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
from .summary import ExplainSummary
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
    """
    if not isinstance(doc, Mapping):
        raise DataError(f"explain output must be a document, not {type(doc).__name__}")
    if isinstance(doc.get("shards"), Mapping):
        return summarize_sharded_aggregate(doc)
    if isinstance(doc.get("stages"), list):
        return summarize_pipeline(doc)
    qp = doc.get("queryPlanner")
    if isinstance(qp, Mapping):
        wp = qp.get("winningPlan")
        if isinstance(wp, Mapping) and (wp.get("stage") in SHARD_STAGES or isinstance(wp.get("shards"), list)):
            return summarize_sharded_find(doc, qp)
        return summarize_query(doc, qp, doc.get("executionStats"))
    raise DataError("not an explain output: no 'queryPlanner', 'stages' or 'shards'")
