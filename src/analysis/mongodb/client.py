"""A bounded connection to a real MongoDB server: read-only by default, URIs redacted in everything it says.

* :func:`connect` — server selection, connect and socket timeouts; the version asked with
  ``buildInfo`` under ``maxTimeMS``; read-only unless the caller says otherwise;
* :class:`ReadOnlyDatabase` — what a read-only connection hands out: reads (``find``,
  ``find_one``, ``aggregate`` without ``$out``/``$merge``, ``count_documents``,
  ``distinct``) and read commands (:data:`READ_COMMANDS`); anything else raises
  :class:`~analysis.errors.UnsafeOperationError` before reaching the server;
* :func:`redacted_target` — the URI as it may be printed (password and secret parameters masked);
* :func:`refusal` — a server's refusal as one line (``NotImplemented (238): …``);
* :func:`server_identity` — what answers: MongoDB, or FerretDB, Amazon DocumentDB, Azure Cosmos DB
  (which speak the wire protocol and implement part of it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pymongo

from ..config import DEFAULT_CONNECT_TIMEOUT_S, DEFAULT_MAX_TIME_MS
from ..errors import SourceError, UnsafeOperationError, one_line
from ..redact import redact_text, redact_uri

#: Commands a read-only connection lets through (``Database.command``).
READ_COMMANDS = frozenset({"explain", "listIndexes", "listCollections", "collStats", "dbStats", "buildInfo",
                           "serverStatus", "hello", "isMaster", "ping", "connectionStatus", "aggregate", "find",
                           "count", "distinct", "getParameter"})
#: Collection methods a read-only connection lets through.
READ_METHODS = frozenset({"find", "find_one", "aggregate", "count_documents", "estimated_document_count",
                          "distinct", "list_indexes", "index_information", "options", "name", "full_name"})
_WRITING_STAGES = ("$out", "$merge")


def redacted_target(uri: str) -> str:
    """The URI with its password and secret query parameters masked (what reports may show)."""
    return redact_uri(uri)


#: Server error codes the audit names (the server's codeName is used when it sends one).
ERROR_CODES = {13: "Unauthorized", 59: "CommandNotFound", 115: "CommandNotSupported", 238: "NotImplemented",
               50: "MaxTimeMSExpired", 8000: "AtlasError"}
_HOSTED = ((re.compile(r"\.docdb(?:-elastic)?\.amazonaws\.com|docdb", re.I), "Amazon DocumentDB"),
           (re.compile(r"\.(?:mongo\.)?cosmos\.azure\.com|documents\.azure\.com", re.I), "Azure Cosmos DB for MongoDB"))


def refusal(exc: BaseException, width: int = 160) -> str:
    """A server's refusal as one line: ``NotImplemented (238): aggregate stage "$indexStats" is not implemented yet``.

    Parameters
    ----------
    exc : BaseException
        What the driver raised (``OperationFailure`` carries ``code`` and ``details``; anything
        else — a closed connection, a timeout — is named by its type).
    width : int
        The message is cut to this many characters.
    """
    code = getattr(exc, "code", None)
    details = getattr(exc, "details", None)
    details = details if isinstance(details, Mapping) else {}
    message = str(details.get("errmsg") or one_line(exc, width))[:width]
    if code is None:
        return f"{type(exc).__name__}: {message}"
    name = str(details.get("codeName") or ERROR_CODES.get(int(code), "error"))
    return f"{name} ({code}): {message}"


def server_identity(build_info: Mapping[str, Any], uri: str = "") -> str:
    """What server answers, from ``buildInfo`` (and the host names of the URI for hosted services).

    Examples
    --------
    >>> server_identity({"version": "7.0.42", "ferretdbVersion": "v1.24.0"})
    'FerretDB v1.24.0 (not MongoDB; reports MongoDB 7.0.42)'
    >>> server_identity({"version": "5.0.0"}, "mongodb://u@docs.cluster-1.docdb.amazonaws.com:27017")
    'Amazon DocumentDB (not MongoDB; reports MongoDB 5.0.0)'
    >>> server_identity({"version": "8.0.4", "modules": ["enterprise"]})
    'MongoDB 8.0.4 enterprise'
    """
    version = str(build_info.get("version") or "?")
    if build_info.get("ferretdbVersion") or build_info.get("ferretdbFeatures"):
        return f"FerretDB {build_info.get('ferretdbVersion') or '?'} (not MongoDB; reports MongoDB {version})"
    for pattern, name in _HOSTED:
        if uri and pattern.search(uri.split("@")[-1]):  # the hosts and options, not the credentials
            return f"{name} (not MongoDB; reports MongoDB {version})"
    modules = build_info.get("modules") if isinstance(build_info.get("modules"), list) else []
    return f"MongoDB {version}" + (" " + " ".join(str(m) for m in modules) if modules else "")


def _refuse(what: str) -> UnsafeOperationError:
    return UnsafeOperationError(f"MongoDB: {what} refused: the connection is read-only")


def _writes(pipeline: Any) -> bool:
    return isinstance(pipeline, Sequence) and any(isinstance(s, Mapping) and any(k in s for k in _WRITING_STAGES)
                                                  for s in pipeline)


class ReadOnlyCollection:
    """A collection that only reads (see the module text)."""

    def __init__(self, coll: Any) -> None:
        self._coll = coll

    def __getattr__(self, name: str) -> Any:
        if name not in READ_METHODS:
            raise _refuse(f"{name} on {getattr(self._coll, 'name', '?')}")
        return getattr(self._coll, name)

    def aggregate(self, pipeline: Sequence[Any], *args: Any, **kwargs: Any) -> Any:
        """``aggregate``, unless the pipeline writes (``$out`` / ``$merge``)."""
        if _writes(pipeline):
            raise _refuse(f"a pipeline writing with $out/$merge on {getattr(self._coll, 'name', '?')}")
        return self._coll.aggregate(pipeline, *args, **kwargs)


class ReadOnlyDatabase:
    """A database that only reads (see the module text)."""

    def __init__(self, db: Any) -> None:
        self._db = db
        self.name = db.name

    def __getitem__(self, name: str) -> ReadOnlyCollection:
        return ReadOnlyCollection(self._db[name])

    def command(self, command: Any, *args: Any, **kwargs: Any) -> Any:
        """A read command (:data:`READ_COMMANDS`); others are refused."""
        name = command if isinstance(command, str) else next(iter(command), "")
        if name not in READ_COMMANDS or (name == "aggregate" and _writes(command.get("pipeline"))):
            raise _refuse(f"command {name!r} on database {self.name}")
        return self._db.command(command, *args, **kwargs)

    def list_collection_names(self, **kwargs: Any) -> list[str]:
        """Collection names (``listCollections``)."""
        return self._db.list_collection_names(**kwargs)


class ReadOnlyClient:
    """A client whose databases only read."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getitem__(self, name: str) -> ReadOnlyDatabase:
        return ReadOnlyDatabase(self._client[name])

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()


def connect(uri: str, *, timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S, read_only: bool = True) -> tuple[Any, str]:
    """Connect with bounded server-selection, connect and socket timeouts, and ask the version.

    Parameters
    ----------
    uri : str
        The connection string (from the environment; it may hold a password).
    timeout_s : float
        Server selection and connect timeout. The socket timeout leaves room for an audit
        query's ``maxTimeMS``.
    read_only : bool
        Hand out a :class:`ReadOnlyClient` (default). Only code that writes into scratch
        databases it owns asks for a plain client.

    Returns
    -------
    (client, str)
        The client and a label such as ``"MongoDB 7.0.14"`` (:func:`server_identity`).

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
        try:
            info = client.admin.command({"buildInfo": 1, "maxTimeMS": ms})
        except pymongo.errors.OperationFailure as exc:  # it answers, but refuses buildInfo: ask it a ping
            client.admin.command({"ping": 1, "maxTimeMS": ms})
            info = {"version": f"? (buildInfo refused: {refusal(exc)})"}
    except Exception as exc:  # ConfigurationError, InvalidURI, ServerSelectionTimeoutError, OperationFailure…
        raise SourceError(redact_text(f"MongoDB {uri}: cannot connect within {timeout_s:g} s: {one_line(exc)}",
                                      [uri])) from None
    return (ReadOnlyClient(client) if read_only else client), server_identity(info, uri)
