"""Findings and the verdict rule of the query cost audit; dashboard shapes against the embedded sample."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.querycost.digest import digest_rows
from analysis.querycost.findings import Thresholds, assess, dashboard_shapes, findings, tag_dashboard
from analysis.querycost.pipeline import digest_files
from analysis.record import Verdict

SAMPLE_DIR = Path(__file__).resolve().parents[3] / "data" / "querycost"


def _row(ns, op, shape, plan, n, docs, ret, coll, sort, cmd, ms=10.0):
    return [(None, ns, op, shape, plan, ms, docs, 0, ret, 100, coll, sort, "", "", "log", cmd)] * n


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
    res = assess(d, findings(d, th), None, "test")
    assert isinstance(res, Verdict)
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
    res = assess(digest_rows([]), pd.DataFrame(), None, "nothing")
    assert res.status == "ERROR"


def test_embedded_sample_matches_the_current_dashboard_queries() -> None:
    """If the dashboard's planned queries change, the committed sample must be regenerated
    (``python -m analysis.samples.querylog``): every planned query's shape must appear in it."""
    root = SAMPLE_DIR
    df, _ = digest_files([root / "sample_slow_query.log.gz", root / "sample_profile.json"])
    tagged = tag_dashboard(df)
    seen = {label for labels in tagged["dashboard"] for label in labels.split(", ") if label}
    assert set(dashboard_shapes()["label"]) == seen


def test_a_pipeline_sort_on_computed_fields_is_reported_apart_never_as_an_in_memory_sort() -> None:
    """Issue 19: a $sort after $group was an 'in-memory SORT' (FAIL, index advice); no index can serve it."""
    from analysis.querycost.advice import suggest_indexes

    group_sort = {"aggregate": "assessments", "pipeline": [{"$match": {"user_id": "u"}},
                                                           {"$group": {"_id": "$status", "n": {"$sum": 1}}},
                                                           {"$sort": {"n": -1}}]}
    plan_sort = {"find": "reports", "filter": {"user_id": "u"}, "sort": {"created_at": -1}}
    rows = (_row("infra_mind.assessments", "aggregate", "[group sort]", "IXSCAN { user_id: 1 }", 3, 30, 4,
                 False, True, group_sort)  # hasSortStage (SBE pushes the $sort down with the $group)
            + _row("infra_mind.reports", "find", "{user_id: ?} sort {created_at: -1}", "IXSCAN { user_id: 1 }", 2,
                   5_000, 5_000, False, True, plan_sort))
    d = tag_dashboard(digest_rows(rows))
    f = findings(d, Thresholds(sort_docs=1_000)).set_index("ns")
    group = f.loc["infra_mind.assessments"]
    assert "in-memory SORT" not in group["flags"] and group["severity"] == "INFO"
    assert group["flags"].startswith("blocking pipeline $sort on fields $group computed (input 4 docs/exec")
    assert "in-memory SORT" in f.loc["infra_mind.reports", "flags"]  # a plan SORT stays one
    big = findings(tag_dashboard(digest_rows(_row("infra_mind.assessments", "aggregate", "[group sort]", "", 1,
                                                  50_000, 20_000, False, False, group_sort))), Thresholds())
    assert big["severity"].tolist() == ["WARN"]  # its input (20,000 documents returned) exceeds sort_docs
    advice = suggest_indexes(d)
    assert "infra_mind.assessments" not in set(advice["ns"]) and "infra_mind.reports" in set(advice["ns"])
    v = assess(d, f.reset_index(), None, "test")
    assert "blocking pipeline" not in v.headline  # INFO rows are shown, not judged
