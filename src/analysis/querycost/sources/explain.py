"""Explain outputs → digest rows, through the one parser :func:`analysis.mongodb.explain.summarize_explain`.

Every layout the parser reads (classic and SBE, MongoDB 3.6 → 8.0, find / count /
distinct / aggregate, sharded finds and aggregates) becomes one row: the plan summary the
way mongod writes it, documents / keys examined, documents returned, the duration
(``executionTimeMillis``; an aggregate: the largest of it and the stage estimates), COLLSCAN
(on any shard) and blocking SORT. Explains have no timestamp and no response size. An
explain without execution statistics (verbosity ``queryPlanner``) is counted as skipped, and
so is another server's explain (no ``winningPlan``: "this server's explain is not MongoDB's",
with its keys among the file's problems);
a stage the parser does not know is named in the file's problems (the row is still made).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import DataError
from ...mongodb.explain import ExplainSummary, summarize_explain
from ..records import FileStats
from ..shape import command_shape

#: Skip reasons (the digest's read table shows them).
NO_EXECUTION_STATS = "explain without executionStats (use explain('executionStats'))"
NO_DURATION = "explain without executionTimeMillis"
NOT_MONGODB = "this server's explain is not MongoDB's (not judged)"


def summary_row(s: ExplainSummary) -> tuple:
    """A full digest row (:data:`~analysis.querycost.records.ROW_FIELDS` order) of an explain summary."""
    command = dict(s.command or {})
    shape_cmd: dict[str, Any] = command if command else {"filter": dict(s.parsed_query or {})}
    return (
        None, s.ns, s.op, command_shape(s.op, shape_cmd), s.plan_summary, float(s.duration_ms or 0.0),
        s.docs_examined, s.keys_examined, s.n_returned, None, s.collscan, s.in_memory_sort, "", s.query_hash,
        "explain", shape_cmd,
        # extras: an explain records no per-execution figures, but its plan cache key and shape hash
        # join the log's plans (without them one plan would read as a flip)
        "", None, None, None, None, None, None, None, False, "", s.plan_cache_key, "", s.query_shape_hash,
    )


def explain_row(doc: Mapping[str, Any], st: FileStats) -> tuple | None:
    """Normalize one explain output; None (and counted in ``st``) when it cannot be digested.

    Parameters
    ----------
    doc : mapping
        An explain output of any layout.
    st : FileStats
        Where skips and problems (unknown stages, named) are recorded.

    Returns
    -------
    tuple or None
        A row in :data:`~analysis.querycost.records.ROW_FIELDS` order.
    """
    try:
        s = summarize_explain(doc)
    except DataError as exc:
        st.skip(str(exc))
        return None
    if s.not_mongodb:
        st.skip(NOT_MONGODB)
        note = f"this server's explain is not MongoDB's: {s.not_mongodb}"
        if note not in st.problems:
            st.problems.append(note)
        return None
    for stage in s.unknown_stages:
        note = f"unknown explain stage {stage!r} (summarized without it)"
        if note not in st.problems:
            st.problems.append(note)
    if not s.has_execution_stats:
        st.skip(NO_EXECUTION_STATS)
        return None
    if s.duration_ms is None:
        st.skip(NO_DURATION)
        return None
    return summary_row(s)
