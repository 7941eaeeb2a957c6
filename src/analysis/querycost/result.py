"""What one query cost audit produced (:class:`QueryCostResult`): the data the notebook shows and judges."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .findings import Thresholds
from .records import ReadStats


@dataclass
class QueryCostResult:
    """Everything the notebook displays; :func:`analysis.querycost.report.verdict` judges it.

    Attributes
    ----------
    digest : DataFrame
        The per-shape digest with its ``dashboard`` column, sorted by total time.
    stats : ReadStats
        What each input held (kind, units read, queries, skipped and why).
    source : str
        Where the figures come from (synthetic sample, files, live server), for captions.
    findings : DataFrame
        COLLSCAN / in-memory SORT / examined-per-returned findings with their severity.
    seed_usage : DataFrame
        The recommended indexes: which dashboard query / digested shape uses each.
    suggestions : DataFrame
        An ESR index for each COLLSCAN or in-memory SORT shape.
    thresholds : Thresholds
        The thresholds the findings were judged with.
    live_explain : DataFrame or None
        The live explain of every dashboard query (None without a server).
    live_target : str
        The server explained (URI redacted), or ``""``.
    notes : list of str
        What else the reader should know about the evidence.
    index_hygiene : DataFrame or None
        Per index: usage, the digested shapes using it, verdict and advice (:mod:`.hygiene`);
        None without index evidence.
    hygiene_source : str
        Where the index evidence comes from (for captions).
    hygiene_notes : list of str
        What the index evidence lacks (a missing privilege, an ignored synthetic file).
    plans : DataFrame
        Plan stability per (namespace, query hash) (:func:`analysis.querycost.stability.plan_stability`).
    timeline : DataFrame
        Per minute: ``label`` (a top application shape, or ``all application queries``), ``minute``,
        ``count``, ``p95_ms`` (from log-spaced bins).
    clients : DataFrame
        Per (client address, appName, internal category): count and total time.
    include_internal : bool
        Internal operations were judged with the application queries (not the default).
    members : DataFrame
        Per member (host / file) of a fleet: application queries and time, p95, COLLSCAN, internal
        operations, with replica set, shard and role (:func:`analysis.querycost.members.member_table`).
    engine : str
        How the digest ran (serial in-process or on Dask; exact percentiles or bins).
    server : str
        What answered the live audit (``MongoDB 7.0.14``, ``FerretDB v1.24.0 (not MongoDB; …)``), or ``""``.
    live_warnings : list of str
        One WARN line per optional live read the server refused (the read, the server's reason, what is
        not judged because of it).
    """

    digest: pd.DataFrame
    stats: ReadStats
    source: str
    findings: pd.DataFrame
    seed_usage: pd.DataFrame
    suggestions: pd.DataFrame
    thresholds: Thresholds
    live_explain: pd.DataFrame | None = None
    live_target: str = ""
    notes: list[str] = field(default_factory=list)
    index_hygiene: pd.DataFrame | None = None
    hygiene_source: str = ""
    hygiene_notes: list[str] = field(default_factory=list)
    plans: pd.DataFrame = field(default_factory=pd.DataFrame)
    timeline: pd.DataFrame = field(default_factory=pd.DataFrame)
    clients: pd.DataFrame = field(default_factory=pd.DataFrame)
    include_internal: bool = False
    members: pd.DataFrame = field(default_factory=pd.DataFrame)
    engine: str = ""
    server: str = ""
    live_warnings: list[str] = field(default_factory=list)

    @property
    def application(self) -> pd.DataFrame:
        """The digest rows of application queries (internal operations left out unless included)."""
        if self.include_internal or "internal" not in self.digest.columns:
            return self.digest
        return self.digest[self.digest["internal"] == ""].reset_index(drop=True)

    @property
    def internal(self) -> pd.DataFrame:
        """The digest rows of internal operations (oplog tailing, system commands, TTL, balancer, health checks)."""
        if "internal" not in self.digest.columns:
            return self.digest.iloc[:0]
        return self.digest[self.digest["internal"] != ""].reset_index(drop=True)
