"""Strategies executed on mongomock, checked against an independent pandas oracle."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.dashboard.equivalence import compare
from analysis.dashboard.strategies import run_strategy
from analysis.mongodb import queries
from analysis.samples.dataset import AUDITED_USER


def _oracle(dataset):
    """Expected overview numbers computed with pandas from the generated documents."""
    a = pd.DataFrame(dataset["assessments"])
    a = a[a.user_id == AUDITED_USER]
    ids = set(a["_id"].astype(str))
    r = pd.DataFrame(dataset["recommendations"])
    r = r[r.assessment_id.isin(ids)]
    p = pd.DataFrame(dataset["reports"])
    p = p[p.user_id == AUDITED_USER]
    created = a.created_at.map(lambda d: d.replace(tzinfo=None))
    return {
        "assessments_total": len(a),
        "assessments_by_status": a.status.value_counts().to_dict(),
        "assessments_avg_completion": a.completion_percentage.mean(),
        "recent_ids": a.assign(c=created).sort_values("c", ascending=False)["_id"].astype(str).head(10).tolist(),
        "recommendations_total": len(r),
        "recommendations_by_priority": r.priority.value_counts().to_dict(),
        "monthly": r.cost_estimates.map(lambda c: c["monthly_cost"]).sum(),
        "avg_conf": r.confidence_score.mean(),
        "reports_by_type": p.report_type.value_counts().to_dict(),
    }


def test_legacy_matches_the_oracle(runs, dataset, docs_per_user):
    exp = _oracle(dataset)
    ov = runs["legacy_full_scan"].overview
    assert ov.assessments_total == exp["assessments_total"]
    assert ov.assessments_by_status == exp["assessments_by_status"]
    assert ov.assessments_avg_completion == pytest.approx(exp["assessments_avg_completion"])
    assert [i["id"] for i in ov.recent_assessments] == exp["recent_ids"]
    assert ov.recommendations_total == exp["recommendations_total"] == docs_per_user
    assert ov.recommendations_by_priority == exp["recommendations_by_priority"]
    assert ov.recommendations_monthly_cost == pytest.approx(exp["monthly"])
    assert ov.recommendations_avg_confidence == pytest.approx(exp["avg_conf"])
    assert ov.reports_by_type == exp["reports_by_type"]


def test_seed_facet_misses_every_recommendation(runs):
    diffs = {d.field for d in compare(runs["legacy_full_scan"].overview, runs["seed_facet"].overview, "seed_facet")}
    assert {"recommendations_total", "recommendations_by_priority", "top_recommendations",
            "recommendations_monthly_cost"} <= diffs
    assert not any(f.startswith(("assessments", "reports", "recent")) for f in diffs)
    assert runs["seed_facet"].overview.recommendations_total == 0


def test_strategies_execute_exactly_the_planned_queries(runs):
    for s, run in runs.items():
        ids = [str(d["_id"]) for d in run.results.get("assessments_all", run.results.get("assessment_ids", []))]
        assert run.queries == queries.planned_queries(s, AUDITED_USER, ids)


def test_unknown_strategy_is_refused(db):
    with pytest.raises(ValueError, match="unknown strategy"):
        run_strategy(db, "nope", AUDITED_USER)
