"""Equivalence with legacy and JSON-serializability of the overviews (oracle: json.dumps)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

import bson

from analysis.dashboard.equivalence import (cacheable, compare, equivalence_frame, json_problems,
                                            serializability_frame)


def test_index_friendly_equals_legacy_and_is_cacheable(runs):
    assert compare(runs["legacy_full_scan"].overview, runs["index_friendly"].overview, "index_friendly") == []
    assert cacheable(runs["index_friendly"].overview) == (True, "")
    # bounded: it never ships whole documents
    assert all(len(bson.encode(d)) < 2_000 for d in runs["index_friendly"].documents())


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
    legacy = runs["legacy_full_scan"].overview
    changed = replace(legacy, reports_total=legacy.reports_total + 1,
                      recommendations_monthly_cost=legacy.recommendations_monthly_cost * (1 + 1e-12))
    diffs = compare(legacy, changed, "x")
    assert [d.field for d in diffs] == ["reports_total"]
    df = equivalence_frame({"legacy_full_scan": legacy, "x": changed})
    assert list(df.columns) == ["strategy", "field", "legacy", "value"] and len(df) == 1


def test_serializability_frame_names_the_blocking_types(runs):
    df = serializability_frame({s: r.overview for s, r in runs.items()}).set_index("strategy")
    assert bool(df.loc["index_friendly", "json_serializable"]) and df.loc["index_friendly", "blocking_values"] == 0
    assert not df.loc["seed_facet", "json_serializable"] and "ObjectId" in df.loc["seed_facet", "types"]
