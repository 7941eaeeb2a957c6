"""Index advice rules: ESR order, suggestions for COLLSCAN / in-memory SORT shapes, seed index usage."""

from __future__ import annotations

from analysis.mongodb.planner import query_parts
from analysis.mongodb.queries import SEED_INDEXES, PlannedQuery
from analysis.querycost.advice import esr_index, seed_index_usage, suggest_indexes
from analysis.querycost.digest import digest_rows
from analysis.querycost.shape import command_shape


def test_esr_order_equality_sort_range() -> None:
    p = query_parts("find", {"filter": {"t": {"$lt": 5}, "u": "x"}, "sort": {"c": -1}})
    assert esr_index(p) == [("u", 1), ("c", -1), ("t", 1)]


def _row(ns, op, shape, plan, n, docs, ret, coll, sort, cmd, ms=10.0):
    return [(None, ns, op, shape, plan, ms, docs, 0, ret, 100, coll, sort, "", "", "log", cmd)] * n


def test_suggest_for_collscan_and_facet_sort() -> None:
    c1 = {"find": "recommendations", "filter": {"assessment_id": {"$in": ["a"]}}, "sort": {"confidence_score": -1}}
    c2 = {"aggregate": "assessments", "pipeline": [{"$match": {"user_id": "u"}},
                                                    {"$facet": {"recent": [{"$sort": {"created_at": -1}}]}}]}
    rows = (_row("db.recommendations", "find", command_shape("find", c1), "COLLSCAN", 3, 5000, 5, True, True, c1)
            + _row("db.assessments", "aggregate", command_shape("aggregate", c2), "IXSCAN { user_id: 1 }", 2, 200, 1,
                   False, True, c2))
    sug = suggest_indexes(digest_rows(rows), existing=[("assessments", [("user_id", 1), ("created_at", -1)])])
    by = dict(zip(sug["ns"], zip(sug["suggested_index"], sug["note"], sug["problem"])))
    assert by["db.recommendations"][0] == "{ assessment_id: 1, confidence_score: -1 }"
    assert "≤ 200 values" in by["db.recommendations"][1] and by["db.recommendations"][2] == "COLLSCAN + in-memory SORT"
    assert by["db.assessments"][0] == "{ user_id: 1, created_at: -1 }"
    assert "$facet" in by["db.assessments"][1] and "already" in by["db.assessments"][1]


def test_seed_index_usage_flags_unused_and_useless() -> None:
    q = [PlannedQuery("s", "assessments", "find", filter={"user_id": "u"}, sort=[("created_at", -1)], limit=10,
                      purpose="recent"),
         PlannedQuery("s", "recommendations", "aggregate", pipeline=[{"$match": {"user_id": "u"}}], purpose="facet")]
    presence = {"recommendations": {"user_id": 0.0}, "assessments": {"user_id": 1.0}}
    t = seed_index_usage(SEED_INDEXES, q, None, presence).set_index(["collection", "index"])
    assert t.loc[("assessments", "{ user_id: 1, created_at: -1 }"), "verdict"] == "would serve a dashboard query"
    assert t.loc[("assessments", "{ user_id: 1, status: 1 }"), "verdict"] == "unused by the dashboard"
    assert t.loc[("recommendations", "{ user_id: 1, created_at: -1 }"), "verdict"].startswith("useless")
    assert t.loc[("assessments", "{ user_id: 1, created_at: -1 }"), "dashboard_queries"] == "s/recent"
