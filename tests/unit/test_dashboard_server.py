"""Explain parsing against recorded MongoDB 6/7 (classic and SBE) explain documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from bson import json_util

from analysis.mongodb.queries import STRATEGIES, planned_queries
from analysis.dashboard.server import explain_command, parse_explain
from analysis.errors import DataError

DATA = Path(__file__).resolve().parents[1] / "data" / "dashboard"
FILES = sorted(DATA.glob("explain_*.json"))


def test_fixtures_present():
    assert len(FILES) >= 6
    assert {"1", "2"} == {json_util.loads(f.read_text())["reply"]["explainVersion"] for f in FILES}


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_parse_recorded_explain(path):
    doc = json_util.loads(path.read_text())
    got = parse_explain(doc["reply"])
    for key, want in doc["expected"].items():
        assert got[key] == want, key


def test_parse_rejects_non_explain():
    with pytest.raises(DataError, match="not an explain"):
        parse_explain({"ok": 1, "cursor": {}})


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_explain_command_mirrors_the_planned_query(strategy):
    for q in planned_queries(strategy, "user-0000", ["a", "b"]):
        cmd = explain_command(q, max_time_ms=1234)
        assert cmd["verbosity"] == "executionStats"
        inner = cmd["explain"]
        assert inner["maxTimeMS"] == 1234
        if q.op == "find":
            assert inner["find"] == q.collection and inner["filter"] == q.filter
            assert inner.get("limit") == q.limit
            assert list(inner.get("sort", {}).items()) == (q.sort or [])
        else:
            assert inner["aggregate"] == q.collection and inner["pipeline"] is q.pipeline


class _ExplainingDb:
    """mongomock data + a recorded explain reply for every explain command (a stand-in for a real server)."""

    def __init__(self, db, reply):
        self._db, self._reply, self.commands = db, reply, []
        self.name = "scratch_fake"

    def __getitem__(self, name):
        return self._db[name]

    def command(self, cmd):
        self.commands.append(cmd)
        return self._reply


def test_sweep_on_a_real_engine_explains_every_planned_query():
    import mongomock

    from analysis.dashboard import audit
    from analysis.samples.dataset import AUDITED_USER, generate_dataset, load_into
    from analysis.dashboard.engine import Engine
    from analysis.dashboard.params import DashboardParams

    reply = json_util.loads((DATA / "explain_mongo6_find_collscan.json").read_text())["reply"]
    fakes = []

    def make(size):
        db = mongomock.MongoClient().db
        load_into(db, generate_dataset(users=2, docs_per_user=size))
        fakes.append(_ExplainingDb(db, reply))
        return fakes[-1], lambda: None

    eng = Engine("mongodb", "MongoDB 6.0.14 (recorded)", AUDITED_USER, make, [10, 30])
    sweep = audit.run_sweep(eng, DashboardParams(sizes=[10, 30], timing_cap_s=0.01))
    n_queries = sum(len(planned_queries(s, AUDITED_USER)) for s in STRATEGIES)
    assert len(fakes[0].commands) == n_queries
    assert all(c["explain"]["maxTimeMS"] == DashboardParams().max_time_ms for c in fakes[0].commands)
    summary = audit.server_summary(sweep)
    assert set(summary["strategy"]) == set(STRATEGIES) and summary["collscans"].gt(0).all()
    doc = audit.to_json(sweep, None)
    assert all(r["server"]["docs_examined"] == 1400 * len(planned_queries(r["strategy"], AUDITED_USER))
               for r in doc["rows"])
