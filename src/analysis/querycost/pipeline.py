"""The query cost audit's one entry: read the evidence, digest, find, advise (:func:`run`).

:func:`run` does the I/O at the edge (files, the sample's metadata, optionally a live
server) through :mod:`.sources` and the math through :mod:`.digest`, :mod:`.findings`
and :mod:`.advice`; it returns a :class:`~analysis.querycost.result.QueryCostResult` whose
tables :mod:`.report` formats and judges. :func:`digest_files` is the digest alone
(what ``python -m analysis digest`` prints), reading large plain logs in parallel.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..config import resolve_path
from ..mongodb.queries import SEED_INDEXES
from ..lazy import lazy_import
from ..params import env_value
from .advice import seed_index_usage, suggest_indexes
from .digest import Digester, feed
from .hygiene import index_hygiene
from .findings import SYNTHETIC_MARK, Thresholds, dashboard_queries, findings, source_label, tag_dashboard
from .members import member_labels, member_table
from .params import QueryCostParams
from .records import FileStats, ReadStats, require_usable
from .script import mongosh_script
from .result import QueryCostResult
from .sources.chunks import expand_inputs
from .sources.cluster import CONNECT_TIMEOUT_S, Engine, run_digest
from .sources.meta import load_meta
from .stability import plan_stability
from .timeline import ALL_APPLICATION, top_labels

log = logging.getLogger(__name__)
# A live server and index exports are read only by some runs (lazy edges: see analysis.lazy); the digest
# command imports neither pymongo nor bson.
mongo_client = lazy_import("analysis.mongodb.client")
index_source = lazy_import("analysis.querycost.sources.indexes")
live = lazy_import("analysis.querycost.sources.live")

#: The collections whose indexes and field presence are read from a live server.
COLLECTIONS = ("assessments", "recommendations", "reports")
_FINDING_COLUMNS = ["severity", "ns", "op", "shape", "dashboard", "docs_per_exec", "examined_per_returned", "flags",
                    "share_of_time"]

IndexList = list[tuple[str, list[tuple[str, int]]]]


@dataclass
class _Context:
    """What the index advice knows besides the digest: field presence, existing indexes, the live explain."""

    presence: dict[str, dict[str, float]] = field(default_factory=dict)
    existing: IndexList = field(default_factory=list)
    live_explain: pd.DataFrame | None = None
    live_target: str = ""
    notes: list[str] = field(default_factory=list)
    index_evidence: index_source.IndexEvidence | None = None
    server: str = ""
    warnings: list[str] = field(default_factory=list)


def run(params: QueryCostParams) -> QueryCostResult:
    """Read every configured source, digest it and find what is expensive (see :mod:`.findings` for the rule).

    Parameters
    ----------
    params : QueryCostParams
        Validated notebook parameters.

    Returns
    -------
    QueryCostResult

    Raises
    ------
    DataError
        Files were given and none is a MongoDB log, profile or explain (and no server was explained).
    SourceError
        A file cannot be read, or the server cannot be reached or queried.
    """
    th = Thresholds(params.collscan_docs_threshold, params.sort_docs_threshold, params.examined_ratio_threshold)
    fleet = digest_inputs(params.files, scheduler=params.dask_scheduler)
    dig, stats = fleet.digester, fleet.stats
    ctx = _read_live(params, dig, stats) if params.mongo_uri_env else _Context()
    if ctx.live_explain is None:
        require_usable(stats)  # one DataError line: files given, none of them MongoDB evidence
    frame = dig.frame()
    if params.sample_meta_path and ctx.live_explain is None and _is_synthetic(frame):
        _use_sample_meta(ctx, params.sample_meta_path)
    digest = tag_dashboard(frame)
    judged = digest if params.include_internal else digest[digest["internal"] == ""]
    found = findings(judged, th) if len(judged) else pd.DataFrame(columns=_FINDING_COLUMNS)
    usage = seed_index_usage(SEED_INDEXES, dashboard_queries(), judged, ctx.presence)
    suggestions = suggest_indexes(judged, existing=[*ctx.existing, *SEED_INDEXES], field_presence=ctx.presence)
    result = QueryCostResult(digest, stats, source_label(digest, stats, ctx.live_target), found, usage, suggestions, th,
                             ctx.live_explain, ctx.live_target, ctx.notes, plans=plan_stability(dig.plans_frame(), digest),
                             timeline=shape_timeline(dig, digest, params.timeline_shapes),
                             clients=dig.clients_frame(), include_internal=params.include_internal,
                             members=member_table(dig.members_frame(member_labels(stats.files)), stats.files),
                             engine=fleet.engine.describe(), server=ctx.server, live_warnings=ctx.warnings)
    return _with_hygiene(result, params, ctx)


def shape_timeline(dig: Digester, digest: pd.DataFrame, n: int) -> pd.DataFrame:
    """Per-minute count and p95 of the top ``n`` application shapes and of all application queries.

    Parameters
    ----------
    dig : Digester
        The digester the digest was taken from.
    digest : DataFrame
        Its frame (``key_id``, ``internal``), sorted by total time.
    n : int
        Top shapes drawn.
    """
    label_of, names = top_labels(digest, n, len(digest))
    every = np.where(np.isin(np.arange(len(digest)), digest.loc[digest["internal"] == "", "key_id"]), 0, -1)
    return pd.concat([dig.timeline_frame(every, [ALL_APPLICATION]), dig.timeline_frame(label_of, names)],
                     ignore_index=True)


def _with_hygiene(result: QueryCostResult, p: QueryCostParams, ctx: _Context) -> QueryCostResult:
    """Add the index hygiene table (live evidence first; synthetic files only for the synthetic sample)."""
    ev = ctx.index_evidence
    label = f"live server {ctx.live_target}"
    if ev is None and (p.index_stats_paths or p.indexes_paths):
        ev = index_source.read_files(p.index_stats_paths, p.indexes_paths, database=p.database)
        label = "SYNTHETIC sample ($indexStats extrapolated from the simulated workload)" if ev.synthetic else \
            "exported $indexStats / getIndexes()"
        if ev.synthetic and not _is_synthetic(result.digest):
            result.hygiene_notes.append("synthetic index exports ignored: the evidence is not the synthetic sample")
            return result
    if ev is None:
        return result
    result.index_hygiene = index_hygiene(ev.indexes, result.digest, as_of=ev.as_of,
                                         min_observation_days=p.min_observation_days)
    result.hygiene_source = label
    result.hygiene_notes += ev.notes
    return result


def _read_live(p: QueryCostParams, dig: Digester, stats: ReadStats) -> _Context:
    """Explain the dashboard queries, list indexes, sample field presence and (optionally) read system.profile.

    Every optional read the server refuses is one WARN line (:class:`.sources.live.Refusals`) and the
    audit goes on; only the explains the verdict needs raise (one SourceError line).
    """
    uri = env_value("mongo_uri_env", p.mongo_uri_env)
    target = mongo_client.redacted_target(uri)
    db = live.connect(uri, p.database)
    refusals = live.Refusals()
    server = live.identify(db, uri, refusals, max_time_ms=p.max_time_ms)
    explain, user = live.explain_dashboard(db, p.audit_user_id, max_time_ms=p.max_time_ms,
                                           ratio=p.examined_ratio_threshold)
    notes = [f"live server: {server} — {target}",
             f"live explain of the dashboard queries for user {user!r} on {target}/{p.database}"]
    evidence = index_source.read_live(db, COLLECTIONS, max_time_ms=p.max_time_ms, refusals=refusals)
    existing = index_source.index_keys(evidence)
    fields = sorted({f for _, keys in SEED_INDEXES for f, _ in keys})
    presence = live.field_presence(db, COLLECTIONS, fields, max_time_ms=p.max_time_ms, refusals=refusals)
    if p.read_live_profile:
        st = FileStats(f"{p.database}.system.profile")
        stats.files.append(st)
        dig.file = st.path
        feed(dig, live.read_system_profile(db, limit=p.live_profile_limit, max_time_ms=p.max_time_ms, stats=st,
                                           refusals=refusals))
    warnings = refusals.lines()
    evidence.notes += [w for w in warnings if w.startswith(("WARN listIndexes", "WARN $indexStats"))]
    return _Context(presence, existing, explain, target, notes + warnings, evidence, server, warnings)


def _is_synthetic(frame: pd.DataFrame) -> bool:
    """The digested evidence is the embedded synthetic sample (its appName)."""
    return bool(frame["app_names"].str.contains(SYNTHETIC_MARK, regex=False).any())


def _use_sample_meta(ctx: _Context, meta_path: str) -> None:
    """Take field presence and the index set from the sample's metadata.

    They describe the synthetic data only: used when the evidence is the synthetic sample
    and no server was read, never for real evidence.
    """
    meta: dict[str, Any] = load_meta(resolve_path(meta_path))
    ctx.presence = meta.get("field_presence", {})
    ctx.existing = [(c, [(str(f), int(d)) for f, d in keys]) for c, keys in meta.get("indexes", [])]
    if meta:
        ctx.notes.append(f"field presence and index set: those of the synthetic sample ({meta_path})")


@dataclass
class FleetDigest:
    """A digest of many files: the table, what was read, the digester (plans, timeline, members) and the engine."""

    frame: pd.DataFrame
    stats: ReadStats
    digester: Digester
    engine: Engine

    @property
    def members(self) -> pd.DataFrame:
        """The per-member breakdown (:func:`analysis.querycost.members.member_table`)."""
        return member_table(self.digester.members_frame(member_labels(self.stats.files)), self.stats.files)


def digest_inputs(inputs: Sequence[str | Path], *, workers: int | None = None, scheduler: str = "",
                  progress: bool = False, connect_timeout: float = CONNECT_TIMEOUT_S) -> FleetDigest:
    """Digest paths, globs and directories of logs, profile exports and explain outputs (map → merge).

    Parameters
    ----------
    inputs : sequence of str or Path
        Files, globs or directories (relative paths resolve against the project root).
    workers : int, optional
        ``1``: serial in-process; ``N``: a local Dask cluster of N workers; default: serial for
        inputs a local cluster would not digest sooner (``sources.cluster.cluster_pays``), else one worker per core.
    scheduler : str
        An existing Dask scheduler (``tcp://host:8786``) to run on instead.
    progress : bool
        A progress bar over chunks on stderr.
    connect_timeout : float
        Seconds to wait for ``scheduler``.

    Returns
    -------
    FleetDigest

    Raises
    ------
    SourceError
        An input names no file, or the scheduler does not answer.
    """
    files = expand_inputs(inputs)
    partial, engine = run_digest(files, workers=workers, scheduler=scheduler, progress=progress,
                                 connect_timeout=connect_timeout)
    return FleetDigest(partial.digester.frame(), partial.stats(files), partial.digester, engine)


def digest_files(paths: Sequence[str | Path], stats: ReadStats | None = None, *,
                 workers: int | None = None) -> tuple[pd.DataFrame, ReadStats]:
    """The digest table and what was read (:func:`digest_inputs` without the rest).

    Parameters
    ----------
    paths : sequence of str or Path
        mongod logs (plain / .gz), profile exports, explain outputs; globs and directories too.
    stats : ReadStats, optional
        Gets the per-file stats appended; a new one is returned either way.
    workers : int, optional
        See :func:`digest_inputs`.

    Returns
    -------
    (DataFrame, ReadStats)
    """
    fleet = digest_inputs(paths, workers=workers)
    if stats is not None:
        stats.files.extend(fleet.stats.files)
        return fleet.frame, stats
    return fleet.frame, fleet.stats


def write_index_script(result: QueryCostResult, directory: str | Path, database: str) -> Path:
    """Write the reviewed mongosh script of the index changes (:mod:`.script`) into ``directory``.

    Returns
    -------
    Path
        ``<directory>/index_changes.mongosh.js`` (never run by the workbook).
    """
    path = Path(directory) / "index_changes.mongosh.js"
    path.write_text(mongosh_script(result, database), encoding="utf-8")
    return path
