"""maxTimeMS on every command the workbook sends: notebook 02's whole sweep and the query-cost live path.

The database is wrapped (:class:`~tests.unit.mongodb.recording.RecordingDb`, mongomock behind
it): every find / find_one / aggregate / count / distinct / command is recorded with its
options, and the test fails if one lacks ``maxTimeMS``.
"""

from __future__ import annotations

import json
from pathlib import Path

import mongomock

from analysis.dashboard import pipeline as dashboard
from analysis.dashboard.params import DashboardParams
from analysis.dashboard.sources.engine import Engine
from analysis.mongodb.queries import STRATEGIES
from analysis.querycost import pipeline as querycost
from analysis.querycost.params import QueryCostParams
from analysis.querycost.sources import live
from analysis.samples.dataset import AUDITED_USER, generate_dataset, load_into
from tests.unit.mongodb.recording import RecordingDb

EXPLAIN = Path(__file__).resolve().parents[2] / "data" / "mongodb" / "explain" / "recorded_mongo6_find_collscan.json"
REPLY = json.loads(EXPLAIN.read_text())["input"]


def _loaded(users: int = 2, size: int = 10):
    db = mongomock.MongoClient().infra_mind
    load_into(db, generate_dataset(users=users, docs_per_user=size))
    return db


def test_notebook_02_sweep_sends_max_time_on_every_command() -> None:
    recorders = []

    def make(size):
        recorders.append(RecordingDb(_loaded(size=size), REPLY))
        return recorders[-1], lambda: None

    eng = Engine("mongodb", "MongoDB 6.0.14 (recorded)", AUDITED_USER, make, [10, 20])
    P = DashboardParams(sizes=[10, 20], timing_cap_s=0.01, max_time_ms=4321)
    dashboard.run(P, cache=False, engine=eng)
    calls = [c for r in recorders for c in r.calls]
    kinds = {c[0].split()[0] for c in calls}
    assert {"find", "aggregate", "command"} <= kinds  # loads, timed repeats and explains all went through
    assert sum(c[0] == "command explain" for c in calls) >= 2 * len(STRATEGIES)
    assert [c for r in recorders for c in r.without_max_time()] == []
    assert {c[1]["maxTimeMS"] for c in calls} == {4321}


def test_querycost_live_path_sends_max_time_on_every_command(monkeypatch) -> None:
    db = _loaded()
    db["system.profile"].insert_one({"op": "query", "ns": "infra_mind.assessments", "millis": 3,
                                     "command": {"find": "assessments", "filter": {"user_id": "u"}}})
    rec = RecordingDb(db, REPLY, index_stats={"assessments": [{"name": "_id_", "accesses": {"ops": 1}}]})
    monkeypatch.setenv("AUDIT_TEST_MONGO_URI", "mongodb://auditor:pw@db.invalid:27017")
    monkeypatch.setattr(live, "connect", lambda uri, database, **kw: rec)
    P = QueryCostParams(log_paths=[], profile_paths=[], explain_paths=[], mongo_uri_env="AUDIT_TEST_MONGO_URI",
                        read_live_profile=True, max_time_ms=2345, index_stats_paths=[], indexes_paths=[])
    result = querycost.run(P)
    assert result.live_explain is not None and result.index_hygiene is not None
    names = {c[0].split()[0] + " " + c[0].split()[1] for c in rec.calls}
    assert {"command explain", "command listIndexes", "find_one assessments"} <= names
    assert any(c[0] == "aggregate assessments" for c in rec.calls)  # $sample and $indexStats
    assert rec.without_max_time() == [] and {c[1]["maxTimeMS"] for c in rec.calls} == {2345}
