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

from ...errors import SourceError
from ...redact import redact_text
from ..client import refusal
from ..commands import explain_command
from ..queries import PlannedQuery
from .parse import summarize_explain
from .summary import ExplainSummary


@dataclass(frozen=True)
class ExplainedQuery:
    """A planned query and what its explain says (``refused``: why the server did not explain it)."""

    query: PlannedQuery
    summary: ExplainSummary | None
    refused: str = ""


def explain_all(db: Any, queries: Sequence[PlannedQuery], *, max_time_ms: int,
                tolerate_refusals: bool = False) -> list[ExplainedQuery]:
    """Explain every query in turn.

    Parameters
    ----------
    db : Database
        A pymongo database (or anything with ``command``).
    queries : sequence of PlannedQuery
        What to explain (the executed queries, so id-dependent ones carry real ids).
    max_time_ms : int
        Server-side limit of each explain.
    tolerate_refusals : bool
        A server that refuses one explain (``NotImplemented``, a closed connection…: servers that
        speak the wire protocol but implement part of it) gives that query ``refused`` and no summary;
        only when it refuses them all is it an error.

    Returns
    -------
    list of ExplainedQuery
        In the order of ``queries``.

    Raises
    ------
    SourceError
        An explain failed (every explain, with ``tolerate_refusals``); one line naming the query,
        credentials redacted.
    """
    out = []
    for q in queries:
        try:
            reply = db.command(explain_command(q, max_time_ms=max_time_ms))
        except Exception as exc:
            line = redact_text(f"MongoDB: explain of {q.strategy}/{q.purpose} on {q.collection} failed: "
                               f"{refusal(exc, 200)}")
            if not tolerate_refusals:
                raise SourceError(line) from None
            out.append(ExplainedQuery(q, None, redact_text(refusal(exc))))
            continue
        out.append(ExplainedQuery(q, summarize_explain(reply)))
    if out and all(e.refused for e in out):
        raise SourceError(redact_text(f"MongoDB: every explain of the {len(out)} dashboard queries was refused "
                                      f"(first: {out[0].query.strategy}/{out[0].query.purpose}: {out[0].refused})"))
    return out
