"""Where the dashboard's data lives: the embedded engine (mongomock) or a real MongoDB.

I/O at the edge: this module opens connections, loads datasets and cleans up; the
measurement modules only receive a database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import SourceError, UnsafeOperationError, one_line
from ..mongodb.client import connect as connect_mongo
from ..params import env_value
from ..samples.dataset import AUDITED_USER, create_indexes, generate_dataset, load_into
from .params import DashboardParams


logger = logging.getLogger(__name__)

NEEDS_REAL_MONGO = "needs a real MongoDB (set mongo_uri_env)"


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
        return self.kind == "mongodb"

    def close(self) -> None:
        if self.client is not None:
            self.client.close()


def _embedded_factory(P: DashboardParams) -> Callable[[int], tuple[Any, Callable[[], None]]]:
    import mongomock

    def make(size: int) -> tuple[Any, Callable[[], None]]:
        client = mongomock.MongoClient()
        db = client["infra_mind"]
        load_into(db, generate_dataset(users=P.users, docs_per_user=size, profile=P.profile, seed=P.seed,
                                       aware_share=P.aware_share))
        return db, client.close

    return make


def open_engine(P: DashboardParams) -> Engine:
    """Open the engine the parameters name.

    * no ``mongo_uri_env``: mongomock, one fresh synthetic dataset per size;
    * ``mongo_uri_env`` + ``audit_user``: read-only on existing data (e.g. a staging
      restore); the size is that user's number of assessments;
    * ``mongo_uri_env`` alone: synthetic data loaded per size into ``{mongo_db}_{size}``,
      which must be empty and start with the scratch prefix (or ``allow_writes``), then dropped.
    """
    if not P.mongo_uri_env:
        import mongomock

        return Engine("embedded", f"mongomock {mongomock.__version__} (in-process Python)", AUDITED_USER,
                      _embedded_factory(P), list(P.sizes))
    from ..config import SCRATCH_DB_PREFIX

    uri = env_value("mongo_uri_env", P.mongo_uri_env)
    if not P.audit_user and not P.allow_writes and not P.mongo_db.startswith(SCRATCH_DB_PREFIX):
        # refuse before connecting: synthetic data only goes into scratch databases
        raise UnsafeOperationError(
            f"parameter 'mongo_db': '{P.mongo_db}' does not start with '{SCRATCH_DB_PREFIX}'; synthetic data is only "
            f"written into scratch databases (or set audit_user for a read-only audit of existing data)")
    client, label = connect_mongo(uri, timeout_s=P.timeout_s)
    if P.audit_user:
        db = client[P.mongo_db]
        try:
            n = db["assessments"].count_documents({"user_id": P.audit_user}, maxTimeMS=P.max_time_ms)
        except Exception as exc:
            raise SourceError(f"MongoDB database '{P.mongo_db}': cannot count assessments: {one_line(exc, 200)}") from None
        if n == 0:
            raise SourceError(f"MongoDB database '{P.mongo_db}': user '{P.audit_user}' has no assessments")
        return Engine("mongodb", f"{label}, database {P.mongo_db} (read-only)", P.audit_user,
                      lambda size: (db, lambda: None), [n], client)

    def make(size: int) -> tuple[Any, Callable[[], None]]:
        name = f"{P.mongo_db}_{size}"
        db = client[name]
        try:
            existed = bool(db.list_collection_names())
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

    try:
        client[f"{P.mongo_db}_probe"].name  # noqa: B018 - name validity only
    except Exception as exc:
        raise UnsafeOperationError(f"MongoDB database '{P.mongo_db}': invalid name: {exc}") from None
    return Engine("mongodb", f"{label}, scratch databases {P.mongo_db}_<size>", AUDITED_USER, make,
                  list(P.sizes), client)
