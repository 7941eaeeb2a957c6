"""Index advice rules (ESR, fit, choice, seed index usage) and the audit verdict rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.mongodb.queries import SEED_INDEXES, PlannedQuery
from analysis.mongodb.planner import choose_index, format_index, index_fit, query_parts
from analysis.querycost.advice import esr_index, seed_index_usage, suggest_indexes
from analysis.querycost.audit import Thresholds, assess, dashboard_shapes, findings, tag_dashboard
from analysis.querycost.digest import digest_rows


def test_query_parts_equality_range_sort() -> None:
    p = query_parts("find", {"filter": {"user_id": "u", "status": {"$in": ["a"]}, "created_at": {"$gte": 1}},
                             "sort": {"updated_at": -1}, "projection": {"title": 1, "_id": 0}})
    assert p.equality == ("user_id", "status") and p.range == ("created_at",)
    assert p.sort == (("updated_at", -1),) and p.projected == ("title",)


def test_esr_order_equality_sort_range() -> None:
    p = query_parts("find", {"filter": {"t": {"$lt": 5}, "u": "x"}, "sort": {"c": -1}})
    assert esr_index(p) == [("u", 1), ("c", -1), ("t", 1)]


@pytest.mark.parametrize(("index", "prefix", "sort", "covers"), [
    ([("user_id", 1), ("created_at", -1)], 1, True, False),
    ([("user_id", 1), ("created_at", 1)], 1, True, False),    # reversed scan serves the sort
    ([("user_id", 1), ("status", 1)], 1, False, False),
    ([("created_at", -1)], 0, True, False),      # sorts, but not eligible (no equality prefix)
    ([("user_id", 1), ("created_at", -1), ("title", 1)], 1, True, True),
])
def test_index_fit(index, prefix, sort, covers) -> None:
    p = query_parts("find", {"filter": {"user_id": "u"}, "sort": {"created_at": -1}, "projection": {"title": 1, "_id": 0}})
    f = index_fit(index, p)
    assert (f.equality_prefix, f.provides_sort, f.covers) == (prefix, sort, covers)


def test_choose_index_prefers_prefix_then_sort_and_none_means_collscan() -> None:
    p = query_parts("find", {"filter": {"user_id": "u"}, "sort": {"created_at": -1}})
    chosen = choose_index([[("user_id", 1)], [("user_id", 1), ("created_at", -1)], [("status", 1)]], p)
    assert chosen.index == (("user_id", 1), ("created_at", -1))
    assert choose_index([[("status", 1)]], p) is None
    assert format_index(chosen.index) == "{ user_id: 1, created_at: -1 }"


def _row(ns, op, shape, plan, n, docs, ret, coll, sort, cmd, ms=10.0):
    return [(None, ns, op, shape, plan, ms, docs, 0, ret, 100, coll, sort, "", "", "log", cmd)] * n


def test_suggest_for_collscan_and_facet_sort() -> None:
    from analysis.querycost.shape import command_shape

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


def _dash_digest(docs_per_exec: int, collscan: bool, sort: bool = False) -> pd.DataFrame:
    shapes = dashboard_shapes()
    legacy = shapes[shapes["label"] == "legacy_full_scan/recommendations_all"].iloc[0]
    rows = _row(f"infra_mind.{legacy['collection']}", legacy["op"], legacy["shape"],
                "COLLSCAN" if collscan else "IXSCAN { assessment_id: 1 }", 4, docs_per_exec, 10, collscan, sort, {})
    return tag_dashboard(digest_rows(rows))


@pytest.mark.parametrize(("docs", "collscan", "sort", "status"), [
    (5000, True, False, "FAIL"),
    (500, True, False, "WARN"),      # COLLSCAN below the threshold
    (5000, False, True, "FAIL"),     # in-memory SORT over too many documents
    (10, False, False, "PASS"),
    (500, False, False, "WARN"),     # examined/returned 50 > 10
])
def test_verdict_rule(docs: int, collscan: bool, sort: bool, status: str) -> None:
    d = _dash_digest(docs, collscan, sort)
    assert d["dashboard"].iloc[0] == "legacy_full_scan/recommendations_all"
    th = Thresholds(collscan_docs=1000, sort_docs=1000, examined_ratio=10)
    res = assess(d, findings(d, th), None, th, "test")
    assert res.status == status
    if status == "FAIL":
        assert "dashboard shape" in res.headline and res.figures["FAIL shapes"] == 1


def test_non_dashboard_collscan_is_only_a_warning() -> None:
    rows = _row("infra_mind.audit_log", "find", "{x: ?}", "COLLSCAN", 3, 90_000, 1, True, False, {})
    d = tag_dashboard(digest_rows(rows))
    f = findings(d, Thresholds())
    assert list(f["severity"]) == ["WARN"] and d["dashboard"].iloc[0] == ""
    assert np.isclose(f["docs_per_exec"].iloc[0], 90_000)


def test_empty_digest_is_error() -> None:
    res = assess(digest_rows([]), pd.DataFrame(), None, Thresholds(), "nothing")
    assert res.status == "ERROR"
