"""A bounded, read-only connection to a real MongoDB server (URI redacted in every error)."""

from __future__ import annotations

from typing import Any

import pymongo

from ..config import DEFAULT_CONNECT_TIMEOUT_S, DEFAULT_MAX_TIME_MS
from ..errors import SourceError, one_line
from ..redact import redact_text


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
