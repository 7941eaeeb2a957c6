"""Execute a strategy's planned queries and reduce the results to one overview.

Each strategy runs exactly the :class:`~analysis.mongodb.queries.PlannedQuery` objects of
:func:`~analysis.mongodb.queries.planned_queries` (nothing else touches the database),
then a pure reducer turns the raw results into a :class:`DashboardOverview`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from ..config import DEFAULT_MAX_TIME_MS
from ..mongodb.commands import run_queries
from ..mongodb.queries import RECENT_ASSESSMENTS, RECENT_REPORTS, STRATEGIES, TOP_RECOMMENDATIONS, PlannedQuery

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DashboardOverview:
    """What the dashboard shows, whatever strategy computed it.

    List fields hold the items as the strategy produced them (raw: they may hold
    ``ObjectId`` or ``datetime`` values — that matters for the cache).
    """

    assessments_total: int
    assessments_completed: int
    assessments_by_status: dict[str, int]
    assessments_avg_completion: float | None
    recent_assessments: list[dict[str, Any]]
    recommendations_total: int
    recommendations_by_priority: dict[str, int]
    recommendations_by_category: dict[str, int]
    recommendations_monthly_cost: float
    recommendations_annual_savings: float
    recommendations_avg_confidence: float | None
    top_recommendations: list[dict[str, Any]]
    reports_total: int
    reports_by_type: dict[str, int]
    reports_by_status: dict[str, int]
    recent_reports: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """The overview as the service would hand it to ``json.dumps`` for the cache."""
        return asdict(self)


@dataclass
class StrategyRun:
    """One executed dashboard load."""

    strategy: str
    overview: DashboardOverview
    queries: list[PlannedQuery]
    results: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def documents(self) -> list[dict[str, Any]]:
        """Every document the driver received, over all queries."""
        return [d for docs in self.results.values() for d in docs]


# ---------------------------------------------------------------- reducers (pure)

def _item(doc: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    out = {"id": str(doc["_id"])}
    out.update({k: doc.get(k) for k in keys})
    return out


def _mean(values: list[Any]) -> float | None:
    nums = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return sum(nums) / len(nums) if nums else None


def _top_recommendations(recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # (confidence_score desc, priority desc) like the seed's $sort; two stable sorts
    ordered = sorted(recs, key=lambda r: str(r.get("priority", "")), reverse=True)
    ordered = sorted(ordered, key=lambda r: r.get("confidence_score") or 0.0, reverse=True)
    return ordered[:TOP_RECOMMENDATIONS]


def reduce_legacy(results: dict[str, list[dict[str, Any]]]) -> DashboardOverview:
    """Statistics in Python over the full loads (the pre-fix endpoint)."""
    assessments = results["assessments_all"]
    recs = results["recommendations_all"]
    reports = results["reports_all"]
    status = Counter(a.get("status") for a in assessments)
    recent_a = sorted(assessments, key=lambda a: a["created_at"], reverse=True)[:RECENT_ASSESSMENTS]
    recent_r = sorted(reports, key=lambda r: r["created_at"], reverse=True)[:RECENT_REPORTS]
    return DashboardOverview(
        assessments_total=len(assessments),
        assessments_completed=status.get("completed", 0),
        assessments_by_status=dict(status),
        assessments_avg_completion=_mean([a.get("completion_percentage") for a in assessments]),
        recent_assessments=[_item(a, ("title", "status", "completion_percentage", "created_at", "updated_at"))
                            for a in recent_a],
        recommendations_total=len(recs),
        recommendations_by_priority=dict(Counter(r.get("priority") for r in recs)),
        recommendations_by_category=dict(Counter(r.get("category") for r in recs)),
        recommendations_monthly_cost=float(sum(r.get("cost_estimates", {}).get("monthly_cost", 0) for r in recs)),
        recommendations_annual_savings=float(sum(
            r.get("cost_estimates", {}).get("roi_projection", {}).get("annual_savings", 0) for r in recs)),
        recommendations_avg_confidence=_mean([r.get("confidence_score") for r in recs]),
        top_recommendations=[_item(r, ("title", "category", "priority", "confidence_score"))
                             for r in _top_recommendations(recs)],
        reports_total=len(reports),
        reports_by_type=dict(Counter(r.get("report_type") for r in reports)),
        reports_by_status=dict(Counter(r.get("status") for r in reports)),
        recent_reports=[_item(r, ("title", "report_type", "status", "created_at")) for r in recent_r],
    )


def _facet(results: dict[str, list[dict[str, Any]]], purpose: str) -> dict[str, Any]:
    docs = results.get(purpose) or []
    return docs[0] if docs else {}


def _breakdown(items: list[dict[str, Any]]) -> dict[str, int]:
    return {item["_id"]: item["count"] for item in items}


def reduce_seed_facet(results: dict[str, list[dict[str, Any]]]) -> DashboardOverview:
    """The seed service's parsing of its three ``$facet`` results (defaults as it writes them)."""
    a = _facet(results, "assessments_facet")
    r = _facet(results, "recommendations_facet")
    p = _facet(results, "reports_facet")
    a_status = _breakdown(a.get("by_status", []))
    completion = (a.get("completion") or [{}])[0]
    cost = (r.get("cost_summary") or [{}])[0]
    r_prio = _breakdown(r.get("by_priority", []))
    return DashboardOverview(
        assessments_total=a["total"][0]["count"] if a.get("total") else 0,
        assessments_completed=a_status.get("completed", 0),
        assessments_by_status=a_status,
        assessments_avg_completion=completion.get("avg_completion", 0),
        recent_assessments=list(a.get("recent", [])),
        recommendations_total=r["total"][0]["count"] if r.get("total") else 0,
        recommendations_by_priority=r_prio,
        recommendations_by_category=_breakdown(r.get("by_category", [])),
        recommendations_monthly_cost=cost.get("total_estimated_cost", 0),
        recommendations_annual_savings=cost.get("total_savings", 0),
        recommendations_avg_confidence=cost.get("avg_confidence", 0),
        top_recommendations=list(r.get("top_recommendations", [])),
        reports_total=p["total"][0]["count"] if p.get("total") else 0,
        reports_by_type=_breakdown(p.get("by_type", [])),
        reports_by_status=_breakdown(p.get("by_status", [])),
        recent_reports=list(p.get("recent_reports", [])),
    )


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def reduce_index_friendly(results: dict[str, list[dict[str, Any]]]) -> DashboardOverview:
    """Merge the small grouped results; items are made JSON-safe (id strings, ISO datetimes)."""
    status = {d["_id"]: d["count"] for d in results["assessments_by_status"]}
    completion = (results["assessments_completion"] or [{}])[0]
    groups = results["recommendations_stats"]
    prio: Counter[str] = Counter()
    cat: Counter[str] = Counter()
    for g in groups:
        prio[g["_id"].get("priority")] += g["count"]
        cat[g["_id"].get("category")] += g["count"]
    conf_n = sum(g["confidence_n"] for g in groups)
    rep_type: Counter[str] = Counter()
    rep_status: Counter[str] = Counter()
    for g in results["reports_counts"]:
        rep_type[g["_id"].get("report_type")] += g["count"]
        rep_status[g["_id"].get("status")] += g["count"]

    def safe(doc: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
        return {k: _iso(v) for k, v in _item(doc, keys).items()}

    return DashboardOverview(
        assessments_total=sum(status.values()),
        assessments_completed=status.get("completed", 0),
        assessments_by_status=status,
        assessments_avg_completion=completion.get("avg_completion"),
        recent_assessments=[safe(d, ("title", "status", "completion_percentage", "created_at", "updated_at"))
                            for d in results["assessments_recent"]],
        recommendations_total=sum(g["count"] for g in groups),
        recommendations_by_priority=dict(prio),
        recommendations_by_category=dict(cat),
        recommendations_monthly_cost=float(sum(g["monthly_cost"] for g in groups)),
        recommendations_annual_savings=float(sum(g["annual_savings"] for g in groups)),
        recommendations_avg_confidence=(sum(g["confidence_sum"] for g in groups) / conf_n) if conf_n else None,
        top_recommendations=[safe(d, ("title", "category", "priority", "confidence_score"))
                             for d in results["recommendations_top"]],
        reports_total=sum(rep_type.values()),
        reports_by_type=dict(rep_type),
        reports_by_status=dict(rep_status),
        recent_reports=[safe(d, ("title", "report_type", "status", "created_at")) for d in results["reports_recent"]],
    )


REDUCERS: dict[str, Callable[[dict[str, list[dict[str, Any]]]], DashboardOverview]] = {
    "legacy_full_scan": reduce_legacy,
    "seed_facet": reduce_seed_facet,
    "index_friendly": reduce_index_friendly,
}


def run_strategy(db: Any, strategy: str, user_id: str, *, max_time_ms: int = DEFAULT_MAX_TIME_MS) -> StrategyRun:
    """Load one user's dashboard with a strategy.

    Parameters
    ----------
    db : Database
        pymongo or mongomock database holding the three collections.
    strategy : str
        One of :data:`~analysis.mongodb.queries.STRATEGIES`.
    user_id : str
        The user.
    max_time_ms : int
        ``maxTimeMS`` of every query.

    Returns
    -------
    StrategyRun
        The overview, the executed queries and the raw results.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r} (known: {', '.join(STRATEGIES)})")
    queries, results = run_queries(db, strategy, user_id, max_time_ms=max_time_ms)
    return StrategyRun(strategy, REDUCERS[strategy](results), queries, results)
