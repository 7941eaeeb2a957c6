"""``explain_all(db, queries, *, max_time_ms)``: the one explain runner (a real server, read-only).

Each planned query is explained with ``explain("executionStats")`` — the command of
:func:`analysis.mongodb.commands.explain_command`, ``maxTimeMS`` inside and outside — and
summarized by :func:`~.parse.summarize_explain`. ``executionStats`` runs the query to count
what it examines: it reads, it never writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ...errors import SourceError, one_line
from ...redact import redact_text
from ..commands import explain_command
from ..queries import PlannedQuery
from .parse import summarize_explain
from .summary import ExplainSummary


@dataclass(frozen=True)
class ExplainedQuery:
    """A planned query and what its explain says."""

    query: PlannedQuery
    summary: ExplainSummary


def explain_all(db: Any, queries: Sequence[PlannedQuery], *, max_time_ms: int) -> list[ExplainedQuery]:
    """Explain every query in turn.

    Parameters
    ----------
    db : Database
        A pymongo database (or anything with ``command``).
    queries : sequence of PlannedQuery
        What to explain (the executed queries, so id-dependent ones carry real ids).
    max_time_ms : int
        Server-side limit of each explain.

    Returns
    -------
    list of ExplainedQuery
        In the order of ``queries``.

    Raises
    ------
    SourceError
        An explain failed (one line naming the query; credentials redacted).
    """
    out = []
    for q in queries:
        try:
            reply = db.command(explain_command(q, max_time_ms=max_time_ms))
        except Exception as exc:
            raise SourceError(redact_text(f"MongoDB: explain of {q.strategy}/{q.purpose} on {q.collection} failed: "
                                          f"{one_line(exc, 200)}")) from None
        out.append(ExplainedQuery(q, summarize_explain(reply)))
    return out
