"""The MongoDB edge shared by notebooks 01 and 02.

One place for what both audits send to a real server: a connection with bounded timeouts
(:func:`connect`), the command a dashboard :class:`~analysis.dashboard.queries.PlannedQuery`
puts on the wire (:func:`wire_command`) and its ``explain("executionStats")`` with
``maxTimeMS`` (:func:`explain_command`).
"""

from __future__ import annotations

from typing import Any

from .config import DEFAULT_CONNECT_TIMEOUT_S, DEFAULT_MAX_TIME_MS
from .errors import SourceError, one_line
from .redact import redact_text


def connect(uri: str, *, timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S) -> tuple[Any, str]:
    """Connect with bounded server-selection, connect and socket timeouts, and ask the version.

    Parameters
    ----------
    uri : str
        The connection string (from the environment; it may hold a password).
    timeout_s : float
        Server selection and connect timeout. The socket timeout leaves room for an audit
        query's ``maxTimeMS``.

    Returns
    -------
    (MongoClient, str)
        The client and a label such as ``"MongoDB 7.0.14"``.

    Raises
    ------
    SourceError
        One line, URI and password redacted.
    """
    import pymongo

    ms = int(timeout_s * 1000)
    try:
        client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=ms, connectTimeoutMS=ms,
                                     socketTimeoutMS=max(4 * ms, DEFAULT_MAX_TIME_MS + ms),
                                     appname="infra-mind-audit")
        info = client.server_info()
    except Exception as exc:  # ConfigurationError, InvalidURI, ServerSelectionTimeoutError, OperationFailure…
        raise SourceError(redact_text(f"MongoDB {uri}: cannot connect within {timeout_s:g} s: {one_line(exc)}",
                                      [uri])) from None
    return client, f"MongoDB {info.get('version', '?')}"


def wire_command(q: Any) -> tuple[str, dict[str, Any]]:
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


def explain_command(q: Any, *, max_time_ms: int = DEFAULT_MAX_TIME_MS) -> dict[str, Any]:
    """The ``explain`` command (verbosity executionStats, ``maxTimeMS`` inside and outside) of a planned query."""
    op, inner = wire_command(q)
    inner = dict(inner)
    if op == "aggregate":
        inner["cursor"] = {}
    inner["maxTimeMS"] = max_time_ms
    return {"explain": inner, "verbosity": "executionStats", "maxTimeMS": max_time_ms}
