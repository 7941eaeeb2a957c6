"""Generator, strategies and equivalence, checked against an independent pandas oracle."""

from __future__ import annotations

import json
from datetime import datetime

import bson
import mongomock
import pandas as pd
import pytest

from analysis.mongodb import queries
from analysis.samples.dataset import AUDITED_USER, generate_dataset, load_into
from analysis.dashboard.equivalence import cacheable, compare, equivalence_frame, json_problems
from analysis.dashboard.strategies import run_strategy
from analysis.errors import ParameterError, UnsafeOperationError

N = 120


@pytest.fixture(scope="module")
def dataset():
    return generate_dataset(users=4, docs_per_user=N, seed=7, aware_share=0.5)


@pytest.fixture(scope="module")
def db(dataset):
    d = mongomock.MongoClient().db
    load_into(d, dataset)
    return d


@pytest.fixture(scope="module")
def runs(db):
    return {s: run_strategy(db, s, AUDITED_USER) for s in queries.STRATEGIES}


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


def test_generator_is_deterministic_and_follows_the_schema(dataset):
    again = generate_dataset(users=4, docs_per_user=N, seed=7, aware_share=0.5)
    assert bson.encode(dataset["assessments"][5]) == bson.encode(again["assessments"][5])
    other = generate_dataset(users=4, docs_per_user=N, seed=8)
    assert bson.encode(dataset["assessments"][5]) != bson.encode(other["assessments"][5])
    assert all("user_id" not in r for r in dataset["recommendations"])
    assert sum(a["user_id"] == AUDITED_USER for a in dataset["assessments"]) == N
    assert len(dataset["assessments"]) == N + 3 * (N // 10)
    ids = {str(a["_id"]) for a in dataset["assessments"]}
    assert {r["assessment_id"] for r in dataset["recommendations"]} == ids
    assert isinstance(dataset["recommendations"][0]["total_estimated_monthly_cost"], bson.Decimal128)


def test_aware_share_is_respected():
    d = generate_dataset(users=1, docs_per_user=400, aware_share=0.25)
    dts = [a["created_at"] for a in d["assessments"]]
    share = sum(x.tzinfo is not None for x in dts) / len(dts)
    assert 0.18 < share < 0.32
    assert all(isinstance(x, datetime) for x in dts)


def test_realistic_sizes_match_the_reference(dataset):
    mean = {c: sum(len(bson.encode(d)) for d in docs) / len(docs) for c, docs in dataset.items()}
    assert 3_000 < mean["assessments"] < 5_500
    assert 8_000 < mean["recommendations"] < 12_000
    assert 4_000 < mean["reports"] < 9_000


@pytest.mark.parametrize("kwargs", [dict(users=0, docs_per_user=1), dict(users=1, docs_per_user=-5),
                                    dict(users=1, docs_per_user=True), dict(users=1, docs_per_user=1, profile="x"),
                                    dict(users=1, docs_per_user=1, aware_share=2.0)])
def test_generator_rejects_bad_parameters(kwargs):
    with pytest.raises(ParameterError):
        generate_dataset(**kwargs)


class _FakeRealDb:
    """Looks like a pymongo Database (not mongomock) without a server."""

    def __init__(self, name, collections=()):
        self.name, self._c = name, list(collections)

    def list_collection_names(self):
        return self._c

    def __getitem__(self, item):  # pragma: no cover - must never be reached
        raise AssertionError("write attempted")


@pytest.mark.parametrize("name,colls", [("infra_mind", []), ("scratch_x", ["assessments"])])
def test_load_refuses_non_scratch_or_non_empty_real_db(dataset, name, colls):
    with pytest.raises(UnsafeOperationError, match=name):
        load_into(_FakeRealDb(name, colls), dataset)


def test_legacy_matches_the_oracle(runs, dataset):
    exp = _oracle(dataset)
    ov = runs["legacy_full_scan"].overview
    assert ov.assessments_total == exp["assessments_total"]
    assert ov.assessments_by_status == exp["assessments_by_status"]
    assert ov.assessments_avg_completion == pytest.approx(exp["assessments_avg_completion"])
    assert [i["id"] for i in ov.recent_assessments] == exp["recent_ids"]
    assert ov.recommendations_total == exp["recommendations_total"] == N
    assert ov.recommendations_by_priority == exp["recommendations_by_priority"]
    assert ov.recommendations_monthly_cost == pytest.approx(exp["monthly"])
    assert ov.recommendations_avg_confidence == pytest.approx(exp["avg_conf"])
    assert ov.reports_by_type == exp["reports_by_type"]


def test_index_friendly_equals_legacy_and_is_cacheable(runs):
    assert compare(runs["legacy_full_scan"].overview, runs["index_friendly"].overview, "index_friendly") == []
    assert cacheable(runs["index_friendly"].overview) == (True, "")
    # bounded: it never ships whole documents
    assert all(len(bson.encode(d)) < 2_000 for d in runs["index_friendly"].documents())


def test_seed_facet_misses_every_recommendation(runs):
    diffs = {d.field for d in compare(runs["legacy_full_scan"].overview, runs["seed_facet"].overview, "seed_facet")}
    assert {"recommendations_total", "recommendations_by_priority", "top_recommendations",
            "recommendations_monthly_cost"} <= diffs
    assert not any(f.startswith(("assessments", "reports", "recent")) for f in diffs)
    assert runs["seed_facet"].overview.recommendations_total == 0


def test_seed_facet_payload_is_not_json_serializable(runs):
    ok, err = cacheable(runs["seed_facet"].overview)
    assert not ok and "not JSON serializable" in err
    kinds = {t for _, t in json_problems(runs["seed_facet"].overview.to_dict())}
    assert {"ObjectId", "datetime"} <= kinds


def test_json_problems_agrees_with_json_dumps():
    samples = [{"a": 1}, {"a": datetime(2024, 1, 1)}, [bson.ObjectId()], {"x": [1, {"y": bson.Decimal128("1.5")}]},
               {"f": float("nan")}, "s"]
    for s in samples:
        try:
            json.dumps(s, allow_nan=False)
            ok = True
        except (TypeError, ValueError):
            ok = False
        assert ok == (json_problems(s) == [])


def test_compare_flags_a_changed_count(runs):
    from dataclasses import replace

    legacy = runs["legacy_full_scan"].overview
    changed = replace(legacy, reports_total=legacy.reports_total + 1,
                      recommendations_monthly_cost=legacy.recommendations_monthly_cost * (1 + 1e-12))
    diffs = compare(legacy, changed, "x")
    assert [d.field for d in diffs] == ["reports_total"]
    df = equivalence_frame({"legacy_full_scan": legacy, "x": changed})
    assert list(df.columns) == ["strategy", "field", "legacy", "value"] and len(df) == 1


def test_strategies_execute_exactly_the_planned_queries(runs):
    for s, run in runs.items():
        ids = [str(d["_id"]) for d in run.results.get("assessments_all", run.results.get("assessment_ids", []))]
        assert run.queries == queries.planned_queries(s, AUDITED_USER, ids)


def test_seed_indexes_cover_step4_and_script_extras():
    assert len(queries.SEED_INDEXES) == 12
    assert ("recommendations", [("assessment_id", 1)]) in queries.SEED_INDEXES
    with pytest.raises(ValueError):
        queries.planned_queries("nope", "u")


def test_heavy_profile_decodes_to_the_seeds_50_mb():
    from analysis.dashboard.measure import decode_cost, wire_bytes

    d = generate_dataset(users=1, docs_per_user=1000, profile="heavy")
    _, mem = decode_cost(wire_bytes([x for docs in d.values() for x in docs]), repeats=1)
    assert 45e6 < mem < 55e6
