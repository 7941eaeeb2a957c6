"""Where the dashboard's data lives: the embedded engine (mongomock) or a real MongoDB.

I/O at the edge: this module opens connections, loads datasets (:mod:`analysis.samples.dataset`)
into scratch databases and cleans up; the measurement modules only receive a database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mongomock

from ...config import SCRATCH_DB_PREFIX
from ...errors import SourceError, UnsafeOperationError, one_line
from ...mongodb.client import connect as connect_mongo
from ...params import env_value
from ...samples.dataset import AUDITED_USER, create_indexes, generate_dataset, load_into
from ..params import DashboardParams

logger = logging.getLogger(__name__)


@dataclass
class Engine:
    """An opened engine."""

    kind: str                 # "embedded" or "mongodb"
    label: str                # printed on every table and figure
    user_id: str
    make_db: Callable[[int], tuple[Any, Callable[[], None]]]
    sizes: list[int]
    client: Any = None

    @property
    def real(self) -> bool:
        """Whether this is a real MongoDB (server-side explains are possible)."""
        return self.kind == "mongodb"

    def close(self) -> None:
        """Close the client (nothing to do for the embedded engine)."""
        if self.client is not None:
            self.client.close()


def _embedded_factory(P: DashboardParams) -> Callable[[int], tuple[Any, Callable[[], None]]]:
    """``make(size)``: a fresh mongomock database loaded with that size's synthetic dataset."""
    def make(size: int) -> tuple[Any, Callable[[], None]]:
        client = mongomock.MongoClient()
        db = client["infra_mind"]
        load_into(db, generate_dataset(users=P.users, docs_per_user=size, profile=P.profile, seed=P.seed,
                                       aware_share=P.aware_share))
        return db, client.close

    return make


def _scratch_factory(client: Any, P: DashboardParams) -> Callable[[int], tuple[Any, Callable[[], None]]]:
    """``make(size)``: synthetic data loaded into ``{mongo_db}_{size}`` and indexed; cleanup drops it."""
    def make(size: int) -> tuple[Any, Callable[[], None]]:
        name = f"{P.mongo_db}_{size}"
        db = client[name]
        try:
            existed = bool(db.list_collection_names(maxTimeMS=P.max_time_ms))
        except Exception as exc:
            raise SourceError(f"MongoDB database '{name}': cannot list collections: {one_line(exc, 200)}") from None
        load_into(db, generate_dataset(users=P.users, docs_per_user=size, profile=P.profile, seed=P.seed,
                                       aware_share=P.aware_share), allow_writes=P.allow_writes)
        try:
            create_indexes(db)
        except Exception as exc:
            raise SourceError(f"MongoDB database '{name}': createIndex failed: {one_line(exc, 200)}") from None

        def cleanup() -> None:
            # drop only what this run created; a pre-existing database (allow_writes) is left alone
            if not existed:
                client.drop_database(name)
            else:
                logger.warning("left synthetic documents in pre-existing database %s", name)

        return db, cleanup

    return make


def _audit_engine(client: Any, label: str, P: DashboardParams) -> Engine:
    """Read-only engine on an existing database: one "size", the audited user's assessment count."""
    db = client[P.mongo_db]
    try:
        n = db["assessments"].count_documents({"user_id": P.audit_user}, maxTimeMS=P.max_time_ms)
    except Exception as exc:
        raise SourceError(f"MongoDB database '{P.mongo_db}': cannot count assessments: {one_line(exc, 200)}") from None
    if n == 0:
        raise SourceError(f"MongoDB database '{P.mongo_db}': user '{P.audit_user}' has no assessments")
    return Engine("mongodb", f"{label}, database {P.mongo_db} (read-only)", P.audit_user,
                  lambda size: (db, lambda: None), [n], client)


def open_engine(P: DashboardParams) -> Engine:
    """Open the engine the parameters name.

    * no ``mongo_uri_env``: mongomock, one fresh synthetic dataset per size;
    * ``mongo_uri_env`` + ``audit_user``: read-only on existing data (e.g. a staging
      restore); the size is that user's number of assessments;
    * ``mongo_uri_env`` alone: synthetic data loaded per size into ``{mongo_db}_{size}``,
      which must be empty and start with the scratch prefix (or ``allow_writes``), then dropped.

    Parameters
    ----------
    P : DashboardParams
        Validated parameters.

    Returns
    -------
    Engine
        Close it with :meth:`Engine.close`.

    Raises
    ------
    UnsafeOperationError
        Synthetic data would go into a non-scratch database (refused before connecting).
    SourceError
        The server is unreachable, or the audited user has no data (one line, URI redacted).
    """
    if not P.mongo_uri_env:
        return Engine("embedded", f"mongomock {mongomock.__version__} (in-process Python)", AUDITED_USER,
                      _embedded_factory(P), list(P.sizes))
    uri = env_value("mongo_uri_env", P.mongo_uri_env)
    if not P.audit_user and not P.allow_writes and not P.mongo_db.startswith(SCRATCH_DB_PREFIX):
        # refuse before connecting: synthetic data only goes into scratch databases
        raise UnsafeOperationError(
            f"parameter 'mongo_db': '{P.mongo_db}' does not start with '{SCRATCH_DB_PREFIX}'; synthetic data is only "
            f"written into scratch databases (or set audit_user for a read-only audit of existing data)")
    # read-only unless synthetic data goes into scratch databases this run creates and drops
    client, label = connect_mongo(uri, timeout_s=P.timeout_s, read_only=bool(P.audit_user))
    if P.audit_user:
        return _audit_engine(client, label, P)
    try:
        client[f"{P.mongo_db}_probe"].name  # noqa: B018 - name validity only
    except Exception as exc:
        raise UnsafeOperationError(f"MongoDB database '{P.mongo_db}': invalid name: {exc}") from None
    return Engine("mongodb", f"{label}, scratch databases {P.mongo_db}_<size>", AUDITED_USER,
                  _scratch_factory(client, P), list(P.sizes), client)
