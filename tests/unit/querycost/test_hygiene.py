"""querycost.hygiene: unused and redundant indexes, shapes using each index (rules by hand)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from analysis.querycost.hygiene import HIDE, drop_candidates, index_hygiene, index_info, merge_usage, redundant_to

NS = "db.c"
NOW = datetime(2025, 11, 4, tzinfo=timezone.utc)


def _ix(name, key, **opts):
    return index_info(NS, {"name": name, "key": key, **opts})


def _stats(name, ops, days_ago, host="h1"):
    return NS, {"name": name, "host": host, "accesses": {"ops": ops, "since": NOW - timedelta(days=days_ago)}}


def test_prefix_with_same_directions_is_redundant() -> None:
    a, ab = _ix("a_1", {"a": 1}), _ix("a_1_b_-1", {"a": 1, "b": -1})
    assert redundant_to(a, [a, ab]) is ab and redundant_to(ab, [a, ab]) is None


@pytest.mark.parametrize("short, long", [
    ({"unique": True}, {}), ({"sparse": True}, {}), ({"partialFilterExpression": {"x": {"$gt": 0}}}, {}),
    ({"expireAfterSeconds": 60}, {}), ({"hidden": True}, {}), ({"collation": {"locale": "en", "strength": 2}}, {}),
    ({}, {"collation": {"locale": "fr"}}), ({}, {"sparse": True}),
])
def test_prefix_is_not_redundant_when_options_differ(short, long) -> None:
    a, ab = _ix("a_1", {"a": 1}, **short), _ix("a_1_b_1", {"a": 1, "b": 1}, **long)
    assert redundant_to(a, [a, ab]) is None


@pytest.mark.parametrize("key", [{"a": -1}, {"a": "hashed"}, {"b": 1}])
def test_other_directions_or_fields_are_not_a_prefix(key) -> None:
    short, long = _ix("s", key), _ix("l", {"a": 1, "b": 1})
    assert redundant_to(short, [short, long]) is None


def test_usage_is_summed_over_hosts_and_the_shortest_window_kept() -> None:
    (ix,) = merge_usage([_ix("a_1", {"a": 1})], [_stats("a_1", 0, 30, "h1"), _stats("a_1", 4, 3, "h2")])
    assert (ix.ops, ix.hosts, ix.since) == (4, 2, NOW - timedelta(days=3))


def test_verdicts_and_advice() -> None:
    defs = [_ix("_id_", {"_id": 1}), _ix("used_1", {"used": 1}), _ix("old_1", {"old": 1}),
            _ix("new_1", {"new": 1}), _ix("u_1", {"u": 1}, unique=True), _ix("t_1", {"t": 1}, expireAfterSeconds=3600),
            _ix("h_1", {"h": 1}, hidden=True), _ix("nostats_1", {"n": 1})]
    stats = [_stats(n, 5 if n == "used_1" else 0, 2 if n == "new_1" else 10) for n in
             ("_id_", "used_1", "old_1", "new_1", "u_1", "t_1", "h_1")]
    digest = pd.DataFrame({"ns": [NS, NS, "db.other"], "plan_summary": ["IXSCAN { used: 1 }", "IDHACK", "IXSCAN { used: 1 }"],
                           "count": [7, 3, 100]})
    t = index_hygiene(merge_usage(defs, stats), digest, as_of=NOW, min_observation_days=7).set_index("index")
    assert t.loc["used_1", ["verdict", "shapes", "executions"]].tolist() == ["used", 1, 7]
    assert t.loc["_id_", ["verdict", "shapes", "executions"]].tolist() == ["unused (_id_)", 1, 3]
    assert t.loc["old_1", ["verdict", "advice"]].tolist() == ["UNUSED", HIDE]
    assert t.loc["new_1", "verdict"] == "unused (not conclusive)" and t.loc["new_1", "observed_days"] == 2
    assert t.loc["u_1", "verdict"] == "unused, unique" and t.loc["t_1", "verdict"] == "unused, TTL"
    assert t.loc["h_1", "verdict"] == "UNUSED (already hidden)" and t.loc["nostats_1", "verdict"] == "no usage statistics"
    assert list(drop_candidates(t.reset_index())["index"]) == ["old_1"]
    assert t["status"].to_dict() == {"_id_": "OK", "used_1": "OK", "old_1": "WARN", "new_1": "INFO", "u_1": "OK",
                                     "t_1": "OK", "h_1": "WARN", "nostats_1": "INFO"}
