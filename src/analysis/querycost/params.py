"""Parameters of notebook 01_query_cost_audit (validated with :func:`analysis.params.validate`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import DEFAULT_MAX_TIME_MS
from ..errors import ParameterError

SAMPLE_DIR = "data/querycost"


@dataclass(frozen=True)
class QueryCostParams:
    """notebooks/01_query_cost_audit parameters.

    ``log_paths`` (mongod 4.4+ JSON logs, plain or .gz; files, globs or directories), ``profile_paths``
    (``mongoexport`` of ``system.profile``) and ``explain_paths`` (``explain("executionStats")``
    outputs) are digested together; the embedded defaults are the synthetic sample.
    ``mongo_uri_env`` names the environment variable holding a MongoDB URI: when set, every
    dashboard query is explained live (read-only, ``max_time_ms`` each) and, with
    ``read_live_profile``, ``system.profile`` of ``database`` is read too.
    A dashboard shape FAILs when it does a COLLSCAN examining more than
    ``collscan_docs_threshold`` documents per execution, or an in-memory SORT over more
    than ``sort_docs_threshold``; ``examined_ratio_threshold`` flags (WARN) shapes that
    examine more documents per returned one. Internal operations (replication's oplog
    tailing, ``local`` / ``config`` / ``admin`` commands, TTL, balancer, health checks) are
    reported apart unless ``include_internal``. Index hygiene reads ``index_stats_paths`` /
    ``indexes_paths`` (or the live server's ``$indexStats`` / ``listIndexes``); an index unused
    for less than ``min_observation_days`` is "not conclusive".
    """

    log_paths: list[str] = field(default_factory=lambda: [f"{SAMPLE_DIR}/sample_slow_query.log.gz"])
    profile_paths: list[str] = field(default_factory=lambda: [f"{SAMPLE_DIR}/sample_profile.json"])
    explain_paths: list[str] = field(default_factory=lambda: [f"{SAMPLE_DIR}/sample_explain.json"])
    #: index hygiene: $indexStats and getIndexes() exports (``path`` or ``COLLECTION=path``); a file
    #: marked synthetic is used only while the evidence is the synthetic sample
    index_stats_paths: list[str] = field(default_factory=lambda: [f"{SAMPLE_DIR}/sample_index_stats.json"])
    indexes_paths: list[str] = field(default_factory=lambda: [f"{SAMPLE_DIR}/sample_indexes.json"])
    min_observation_days: float = field(default=7.0, metadata={"min": 0.0})
    #: metadata of the synthetic sample (field presence, simulated indexes); used only while the
    #: digested evidence is that sample (appName synthetic-workbook), ignored for real evidence
    sample_meta_path: str = f"{SAMPLE_DIR}/sample_meta.json"
    mongo_uri_env: str = field(default="", metadata={"env": True})
    database: str = field(default="infra_mind", metadata={"nonempty": True})
    audit_user_id: str = ""
    read_live_profile: bool = False
    live_profile_limit: int = field(default=20_000, metadata={"min": 1, "max": 1_000_000})
    max_time_ms: int = field(default=DEFAULT_MAX_TIME_MS, metadata={"min": 100, "max": 600_000})
    top_n: int = field(default=12, metadata={"min": 1, "max": 500})
    collscan_docs_threshold: int = field(default=1_000, metadata={"min": 0})
    sort_docs_threshold: int = field(default=1_000, metadata={"min": 0})
    examined_ratio_threshold: float = field(default=10.0, metadata={"min": 1.0})
    #: judge internal operations (oplog tailing, system commands, TTL, balancer, health checks) like
    #: application queries; by default they get their own table and stay out of findings and advice
    include_internal: bool = False
    #: shapes drawn in the per-minute timeline (the top ones by total time)
    timeline_shapes: int = field(default=4, metadata={"min": 1, "max": 20})
    #: an existing Dask scheduler (``tcp://host:8786``) to digest many or large logs on; empty: in this
    #: machine (serial for small inputs, else a local cluster of one worker per core)
    dask_scheduler: str = ""

    def check(self) -> None:
        if not (self.log_paths or self.profile_paths or self.explain_paths or self.mongo_uri_env):
            raise ParameterError("parameters 'log_paths', 'profile_paths', 'explain_paths' are all empty and "
                                 "'mongo_uri_env' is not set: nothing to audit")
        if self.dask_scheduler and "://" not in self.dask_scheduler:
            raise ParameterError(f"parameter 'dask_scheduler': {self.dask_scheduler!r} is not a scheduler address "
                                 "(e.g. tcp://host:8786)")
        if self.read_live_profile and not self.mongo_uri_env:
            raise ParameterError("parameter 'read_live_profile' needs 'mongo_uri_env' (the server to read from)")

    @property
    def files(self) -> list[str]:
        """All evidence files, logs first."""
        return [*self.log_paths, *self.profile_paths, *self.explain_paths]
