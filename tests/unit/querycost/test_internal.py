"""Internal operations: the classification table, and their place in the digest, findings and verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.querycost import pipeline, report
from analysis.querycost.internal import Classifier, classify
from analysis.querycost.params import QueryCostParams

DATA = Path(__file__).resolve().parents[2] / "data" / "querycost"


@pytest.mark.parametrize(("ns", "app", "ctx", "want"), [
    ("local.oplog.rs", "", "conn31", "oplog"),
    ("infra_mind.x", "OplogFetcher", "conn3", "oplog"),
    ("local.system.replset", "", "conn4", "local"),
    ("config.system.sessions", "", "LogicalSessionCacheRefresh", "config"),
    ("admin.system.users", "", "conn5", "admin"),
    ("infra_mind.sessions", "", "TTLMonitor", "ttl"),
    ("infra_mind.orders", "", "Balancer", "balancer"),
    ("infra_mind.orders", "MongoDB Automation Agent v13.24.0", "conn9", "health check"),
    ("infra_mind.orders", "Datadog Agent", "conn9", "health check"),
    ("infra_mind.system.profile", "mongosh 2.3.1", "conn9", "system"),
    ("infra_mind.orders", "infra-mind-api", "conn9", ""),
    ("infra_mind.orders", "", "conn9", ""),
])
def test_classification_table(ns: str, app: str, ctx: str, want: str) -> None:
    assert classify(ns, app, ctx) == want
    assert Classifier()(ns, app, ctx) == want


def test_tailable_await_data_cursor_on_local_is_oplog_tailing() -> None:
    c = Classifier()
    cmd = {"find": "oplog.rs", "tailable": True, "awaitData": True}
    assert c("local.oplog.rs.copy", "", "conn1", cmd) == "oplog"
    assert c("infra_mind.events", "", "conn1", cmd) == ""  # a change-stream-like tail on app data is the app's


def test_healthy_replica_member_is_a_pass_with_its_internal_operations() -> None:
    p = QueryCostParams(log_paths=[str(DATA / "healthy_replica_member.log")], profile_paths=[], explain_paths=[],
                        sample_meta_path="")
    r = pipeline.run(p)
    assert r.application.empty and set(r.internal["internal"]) == {"oplog", "local"}
    assert r.findings.empty and r.suggestions.empty  # replication is no application scan
    v = report.verdict(r)
    assert v.status == "PASS" and v.headline.startswith("No slow application queries in 24 lines")
    assert v.figures["internal operations"] == 12
    table = report.internal_table(r)
    assert list(table["category"]) == ["oplog", "local"] and list(table["count"]) == [6, 6]


def test_included_internal_operations_are_judged() -> None:
    p = QueryCostParams(log_paths=[str(DATA / "healthy_replica_member.log")], profile_paths=[], explain_paths=[],
                        sample_meta_path="", include_internal=True, collscan_docs_threshold=0)
    r = pipeline.run(p)
    assert set(r.findings["ns"]) == {"local.oplog.rs", "local.system.replset"}
    assert report.verdict(r).status == "WARN"  # flagged, but no dashboard shape
