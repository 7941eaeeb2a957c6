"""One call for the notebook: read the evidence, digest, find, advise, conclude.

:func:`run_audit` does the I/O at the edge (files, optional live server) and returns an
:class:`AuditRun` whose tables are ready to display; the notebook only shows them.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..config import resolve_path
from ..params import env_value
from ..mongodb.queries import SEED_INDEXES
from ..redact import redact_uri
from .advice import seed_index_usage, suggest_indexes
from .audit import (SYNTHETIC_MARK, AuditResult, Thresholds, assess, dashboard_queries, findings, source_label,
                    tag_dashboard)
from .digest import Digester, feed
from .params import QueryCostParams
from .readers import FileStats, ReadStats, iter_rows, require_usable

log = logging.getLogger(__name__)

COLLECTIONS = ("assessments", "recommendations", "reports")


def _clip(col: pd.Series, width: int) -> pd.Series:
    return col.map(lambda s: s if len(s) <= width else s[: width - 1] + "…")


@dataclass
class AuditRun:
    """Everything the notebook displays."""

    digest: pd.DataFrame
    stats: ReadStats
    source: str
    findings: pd.DataFrame
    seed_usage: pd.DataFrame
    suggestions: pd.DataFrame
    result: AuditResult
    thresholds: Thresholds
    live_explain: pd.DataFrame | None = None
    live_target: str = ""
    notes: list[str] = field(default_factory=list)

    def read_table(self) -> pd.DataFrame:
        """What each input held: kind, units read, queries, skipped and why."""
        return pd.DataFrame(self.stats.table())

    def top_table(self, n: int, width: int = 70) -> pd.DataFrame:
        """The top-N shapes by total time, formatted for reading."""
        d = self.digest.head(n)
        return pd.DataFrame({
            "collection": d["ns"].str.split(".", n=1).str[-1], "op": d["op"],
            "shape": _clip(d["shape"], width),
            "plan": d["plan_summary"], "count": d["count"], "total_ms": d["total_ms"].round(0).astype(int),
            "p50_ms": d["p50_ms"].round(1), "p95_ms": d["p95_ms"].round(1), "max_ms": d["max_ms"].round(0),
            "docs/exec": (d["docs_examined"] / d["count"]).round(0),
            "docs/ret": d["examined_per_returned"].round(1),
            "KiB/exec": (d["reslen_mean"] / 1024).round(1),
            "share": (d["share_of_time"] * 100).round(1), "dashboard": d["dashboard"],
        })

    def findings_table(self, width: int = 60) -> pd.DataFrame:
        f = self.findings
        return pd.DataFrame({
            "severity": f["severity"], "collection": f["ns"].str.split(".", n=1).str[-1], "op": f["op"],
            "shape": _clip(f["shape"], width),
            "flags": f["flags"], "docs/exec": f["docs_per_exec"].round(0), "docs/ret": f["examined_per_returned"].round(1),
            "share": (f["share_of_time"] * 100).round(1), "dashboard": f["dashboard"],
        })

    def suggestions_table(self, width: int = 60) -> pd.DataFrame:
        s = self.suggestions
        return pd.DataFrame({
            "collection": s["ns"].str.split(".", n=1).str[-1], "op": s["op"],
            "shape": _clip(s["shape"], width),
            "problem": s["problem"], "create": s["suggested_index"], "note": s["note"],
        }).drop_duplicates(subset=["collection", "create", "note"])


def run_audit(p: QueryCostParams) -> AuditRun:
    """Read every configured source, digest it and conclude (see :mod:`.audit` for the rule).

    Parameters
    ----------
    p : QueryCostParams
        Validated notebook parameters.

    Returns
    -------
    AuditRun
    """
    th = Thresholds(p.collscan_docs_threshold, p.sort_docs_threshold, p.examined_ratio_threshold)
    live_explain = None
    live_target = ""
    notes: list[str] = []
    stats = ReadStats()
    dig = Digester()
    feed(dig, iter_rows(p.files, stats))
    presence: dict[str, dict[str, float]] = {}
    existing: list[tuple[str, list[tuple[str, int]]]] = []
    if p.mongo_uri_env:
        from . import server

        uri = env_value("mongo_uri_env", p.mongo_uri_env)
        live_target = redact_uri(uri)
        db = server.connect(uri, p.database)
        live_explain, user = server.explain_dashboard(db, p.audit_user_id, max_time_ms=p.max_time_ms,
                                                       ratio=p.examined_ratio_threshold)
        notes.append(f"live explain of the dashboard queries for user {user!r} on {live_target}/{p.database}")
        existing = server.list_index_keys(db, COLLECTIONS)
        fields = sorted({f for _, keys in _seed_indexes() for f, _ in keys})
        presence = server.field_presence(db, COLLECTIONS, fields, max_time_ms=p.max_time_ms)
        if p.read_live_profile:
            st = FileStats(f"{p.database}.system.profile")
            stats.files.append(st)
            feed(dig, server.read_system_profile(db, limit=p.live_profile_limit, max_time_ms=p.max_time_ms, stats=st))
    if live_explain is None and not stats.records:
        require_usable(stats)  # one DataError line: files given, nothing usable in them
    frame = dig.frame()
    # the sample's metadata (field presence, simulated index set) describes the synthetic data only:
    # it is used when the evidence is the synthetic sample and no server was read, never for real evidence
    synthetic = frame["app_names"].str.contains(SYNTHETIC_MARK, regex=False).any()
    if p.sample_meta_path and synthetic and live_explain is None:
        meta = load_meta(resolve_path(p.sample_meta_path))
        presence = meta.get("field_presence", {})
        existing = [(c, [(str(f), int(d)) for f, d in keys]) for c, keys in meta.get("indexes", [])]
        if meta:
            notes.append(f"field presence and index set: those of the synthetic sample ({p.sample_meta_path})")
    digest = tag_dashboard(frame)
    source = source_label(digest, stats, live_target)
    found = findings(digest, th) if len(digest) else pd.DataFrame(
        columns=["severity", "ns", "op", "shape", "dashboard", "docs_per_exec", "examined_per_returned", "flags",
                 "share_of_time"])
    usage = seed_index_usage(_seed_indexes(), dashboard_queries(), digest, presence)
    suggestions = suggest_indexes(digest, existing=[*existing, *_seed_indexes()], field_presence=presence)
    result = assess(digest, found, stats, th, source)
    if live_explain is not None:
        flagged = live_explain[live_explain["flags"].astype(bool)]
        result.figures["live explains flagged"] = f"{len(flagged)} of {len(live_explain)}"
    return AuditRun(digest, stats, source, found, usage, suggestions, result, th, live_explain, live_target, notes)


def _seed_indexes() -> list[tuple[str, list[tuple[str, int]]]]:

    return SEED_INDEXES


def verdict_args(run: AuditRun) -> dict[str, Any]:
    """Keyword arguments for :func:`analysis.record.verdict`."""
    r = run.result
    return {"status": r.status, "headline": r.headline, "figures": r.figures, "next_steps": r.next_steps}


def load_meta(path: str | Path) -> dict[str, Any]:
    """Read ``sample_meta.json`` (empty dict when absent)."""
    p = Path(path)
    return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else {}
