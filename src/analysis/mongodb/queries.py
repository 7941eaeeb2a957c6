"""The dashboard's queries, as data: the single source of truth.

Every strategy in :mod:`analysis.dashboard.strategies` executes exactly the
:class:`PlannedQuery` objects returned by :func:`planned_queries`, and the server-side
explain (:func:`analysis.mongodb.explain.explain_all`) and the query-cost audit
(``analysis.querycost``) explain those same objects. What is explained is what is
measured.

Strategies
----------
``legacy_full_scan``
    The pre-fix ``/dashboard/overview``: three full ``find`` loads, statistics in Python.
    The seed quotes ``find({'user_id': ...})`` for all three collections, but the real
    ``recommendations`` model stores no ``user_id`` (only ``assessment_id``); a literal
    ``user_id`` filter there returns nothing. The legacy load is therefore modelled the only
    way it can return the user's recommendations: ``assessment_id $in`` the ids of the
    user's assessments (loaded by the first ``find``).
``seed_facet``
    The seed's optimized service, pipelines copied as written (``$match {user_id}`` +
    ``$facet`` on each collection, including the recommendations one, which matches nothing
    on real-schema data, and its sums of ``estimated_cost`` / ``estimated_cost_savings``,
    fields the model does not have).
``index_friendly``
    Bounded reads: recent items through ``find().sort().limit()`` on
    ``(user_id, created_at)``, counts through ``$group`` after a projection onto indexed
    fields, recommendations reached through the user's assessment ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

#: The strategies, in display order (legacy first: it is the reference).
STRATEGIES: tuple[str, ...] = ("legacy_full_scan", "seed_facet", "index_friendly")

#: Number of recent assessments / top recommendations / recent reports on the dashboard.
RECENT_ASSESSMENTS = 10
TOP_RECOMMENDATIONS = 5
RECENT_REPORTS = 5

#: Indexes proposed for the dashboard: the seed's "Step 4" list, then the extras of the
#: repository's index script. (collection, [(field, direction), ...])
SEED_INDEXES: list[tuple[str, list[tuple[str, int]]]] = [
    ("assessments", [("user_id", 1), ("created_at", -1)]),
    ("assessments", [("user_id", 1), ("status", 1)]),
    ("assessments", [("user_id", 1), ("completion_percentage", 1)]),
    ("recommendations", [("user_id", 1), ("created_at", -1)]),
    ("recommendations", [("user_id", 1), ("priority", 1)]),
    ("recommendations", [("user_id", 1), ("category", 1)]),
    ("recommendations", [("user_id", 1), ("confidence_score", -1)]),
    ("reports", [("user_id", 1), ("created_at", -1)]),
    ("reports", [("user_id", 1), ("report_type", 1), ("status", 1)]),
    # extras of the repository's index script
    ("assessments", [("user_id", 1), ("updated_at", -1)]),
    ("recommendations", [("user_id", 1), ("estimated_cost_savings", -1)]),
    ("recommendations", [("assessment_id", 1)]),
]


@dataclass(frozen=True)
class PlannedQuery:
    """One query of a dashboard load.

    Attributes
    ----------
    strategy : str
        One of :data:`STRATEGIES`.
    collection : str
        ``assessments``, ``recommendations`` or ``reports``.
    op : str
        ``"find"``, ``"aggregate"``, ``"count"`` or ``"distinct"``.
    filter, pipeline, sort, projection, limit
        The query as a driver would send it (``filter`` for find/count/distinct,
        ``pipeline`` for aggregate).
    purpose : str
        What the dashboard uses the result for (a short name, also the key under which
        the strategy stores the result).
    """

    strategy: str
    collection: str
    op: str
    filter: dict | None = None
    pipeline: list | None = None
    sort: list[tuple[str, int]] | None = None
    projection: dict | None = None
    limit: int | None = None
    purpose: str = ""
    #: for ``distinct``: the field name
    key: str | None = field(default=None, compare=False)

    def shape(self) -> dict[str, Any]:
        """The query as a plain dict (for display, logs and explain commands)."""
        out: dict[str, Any] = {"collection": self.collection, "op": self.op}
        for name in ("filter", "pipeline", "sort", "projection", "limit", "key"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


def _seed_facet(user_id: str) -> list[PlannedQuery]:
    """The seed's three pipelines, as written in the optimized service."""
    s = "seed_facet"
    assessments = [
        {"$match": {"user_id": user_id}},
        {"$facet": {
            "total": [{"$count": "count"}],
            "by_status": [{"$group": {"_id": "$status", "count": {"$sum": 1}}}],
            "recent": [
                {"$sort": {"created_at": -1}},
                {"$limit": RECENT_ASSESSMENTS},
                {"$project": {"id": {"$toString": "$_id"}, "title": 1, "status": 1,
                              "completion_percentage": 1, "created_at": 1, "updated_at": 1}},
            ],
            "completion": [{"$group": {
                "_id": None,
                "avg_completion": {"$avg": "$completion_percentage"},
                "completed_count": {"$sum": {"$cond": [{"$eq": ["$status", "completed"]}, 1, 0]}},
            }}],
        }},
    ]
    recommendations = [
        {"$match": {"user_id": user_id}},
        {"$facet": {
            "total": [{"$count": "count"}],
            "by_priority": [{"$group": {"_id": "$priority", "count": {"$sum": 1}}}],
            "by_category": [{"$group": {"_id": "$category", "count": {"$sum": 1}}}],
            "cost_summary": [{"$group": {
                "_id": None,
                "total_estimated_cost": {"$sum": "$estimated_cost"},
                "total_savings": {"$sum": "$estimated_cost_savings"},
                "avg_confidence": {"$avg": "$confidence_score"},
            }}],
            "top_recommendations": [
                {"$sort": {"confidence_score": -1, "priority": -1}},
                {"$limit": TOP_RECOMMENDATIONS},
                {"$project": {"id": {"$toString": "$_id"}, "title": 1, "category": 1, "priority": 1,
                              "confidence_score": 1, "estimated_cost_savings": 1}},
            ],
        }},
    ]
    reports = [
        {"$match": {"user_id": user_id}},
        {"$facet": {
            "total": [{"$count": "count"}],
            "by_type": [{"$group": {"_id": "$report_type", "count": {"$sum": 1}}}],
            "by_status": [{"$group": {"_id": "$status", "count": {"$sum": 1}}}],
            "recent_reports": [
                {"$sort": {"created_at": -1}},
                {"$limit": RECENT_REPORTS},
                {"$project": {"id": {"$toString": "$_id"}, "title": 1, "report_type": 1, "status": 1,
                              "created_at": 1}},
            ],
        }},
    ]
    return [
        PlannedQuery(s, "assessments", "aggregate", pipeline=assessments, purpose="assessments_facet"),
        PlannedQuery(s, "recommendations", "aggregate", pipeline=recommendations, purpose="recommendations_facet"),
        PlannedQuery(s, "reports", "aggregate", pipeline=reports, purpose="reports_facet"),
    ]


def _legacy(user_id: str, assessment_ids: Sequence[str]) -> list[PlannedQuery]:
    s = "legacy_full_scan"
    return [
        PlannedQuery(s, "assessments", "find", filter={"user_id": user_id}, purpose="assessments_all"),
        PlannedQuery(s, "recommendations", "find", filter={"assessment_id": {"$in": list(assessment_ids)}},
                     purpose="recommendations_all"),
        PlannedQuery(s, "reports", "find", filter={"user_id": user_id}, purpose="reports_all"),
    ]


def _index_friendly(user_id: str, assessment_ids: Sequence[str]) -> list[PlannedQuery]:
    s = "index_friendly"
    by_assessment = {"assessment_id": {"$in": list(assessment_ids)}}
    return [
        # counts by status: covered by (user_id, status)
        PlannedQuery(s, "assessments", "aggregate", pipeline=[
            {"$match": {"user_id": user_id}},
            {"$project": {"_id": 0, "status": 1}},
            {"$group": {"_id": "$status", "count": {"$sum": 1}}},
        ], purpose="assessments_by_status"),
        # average completion: covered by (user_id, completion_percentage)
        PlannedQuery(s, "assessments", "aggregate", pipeline=[
            {"$match": {"user_id": user_id}},
            {"$project": {"_id": 0, "completion_percentage": 1}},
            {"$group": {"_id": None, "avg_completion": {"$avg": "$completion_percentage"}}},
        ], purpose="assessments_completion"),
        # recent: bounded read on (user_id, created_at -1)
        PlannedQuery(s, "assessments", "find", filter={"user_id": user_id},
                     sort=[("created_at", -1)], limit=RECENT_ASSESSMENTS,
                     projection={"title": 1, "status": 1, "completion_percentage": 1,
                                 "created_at": 1, "updated_at": 1},
                     purpose="assessments_recent"),
        # the user's assessment ids (the only link to recommendations)
        PlannedQuery(s, "assessments", "find", filter={"user_id": user_id}, projection={"_id": 1},
                     purpose="assessment_ids"),
        # one pass over the user's recommendations, only small fields leave the server
        PlannedQuery(s, "recommendations", "aggregate", pipeline=[
            {"$match": by_assessment},
            {"$group": {
                "_id": {"priority": "$priority", "category": "$category"},
                "count": {"$sum": 1},
                "monthly_cost": {"$sum": "$cost_estimates.monthly_cost"},
                "annual_savings": {"$sum": "$cost_estimates.roi_projection.annual_savings"},
                "confidence_sum": {"$sum": "$confidence_score"},
                "confidence_n": {"$sum": {"$cond": [{"$isNumber": "$confidence_score"}, 1, 0]}},
            }},
        ], purpose="recommendations_stats"),
        PlannedQuery(s, "recommendations", "find", filter=by_assessment,
                     sort=[("confidence_score", -1), ("priority", -1)], limit=TOP_RECOMMENDATIONS,
                     projection={"title": 1, "category": 1, "priority": 1, "confidence_score": 1,
                                 "cost_estimates.roi_projection.annual_savings": 1},
                     purpose="recommendations_top"),
        # counts by type and status: covered by (user_id, report_type, status)
        PlannedQuery(s, "reports", "aggregate", pipeline=[
            {"$match": {"user_id": user_id}},
            {"$project": {"_id": 0, "report_type": 1, "status": 1}},
            {"$group": {"_id": {"report_type": "$report_type", "status": "$status"}, "count": {"$sum": 1}}},
        ], purpose="reports_counts"),
        PlannedQuery(s, "reports", "find", filter={"user_id": user_id}, sort=[("created_at", -1)],
                     limit=RECENT_REPORTS,
                     projection={"title": 1, "report_type": 1, "status": 1, "created_at": 1},
                     purpose="reports_recent"),
    ]


def planned_queries(strategy: str, user_id: str, assessment_ids: Sequence[str] = ()) -> list[PlannedQuery]:
    """The queries a strategy sends for one dashboard load.

    Parameters
    ----------
    strategy : str
        One of :data:`STRATEGIES`.
    user_id : str
        The user whose dashboard is loaded.
    assessment_ids : sequence of str
        The user's assessment ids (``str(ObjectId)``), needed by the queries that reach
        ``recommendations`` through ``assessment_id``. Strategies that need them first run
        the query whose ``purpose`` is ``assessments_all`` / ``assessment_ids`` and then
        plan again with the ids; without ids those queries match nothing.

    Returns
    -------
    list of PlannedQuery
        In execution order.

    Raises
    ------
    ValueError
        Unknown strategy.
    """
    if strategy == "legacy_full_scan":
        return _legacy(user_id, assessment_ids)
    if strategy == "seed_facet":
        return _seed_facet(user_id)
    if strategy == "index_friendly":
        return _index_friendly(user_id, assessment_ids)
    raise ValueError(f"unknown strategy {strategy!r} (known: {', '.join(STRATEGIES)})")
