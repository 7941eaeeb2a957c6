"""pipeline.run: the sweep on embedded and (recorded) real engines, and how the cache phase is wired."""

from __future__ import annotations

from pathlib import Path

import mongomock
import pytest
from bson import json_util

from analysis.dashboard import pipeline, report
from analysis.dashboard.params import DashboardParams
from analysis.dashboard.sources.engine import Engine
from analysis.errors import SourceError
from analysis.mongodb.queries import STRATEGIES, planned_queries
from analysis.samples.dataset import AUDITED_USER, generate_dataset, load_into

DATA = Path(__file__).resolve().parents[2] / "data" / "mongodb" / "explain"
FAST = {"sizes": [10, 30], "timing_cap_s": 0.01}


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
    reply = json_util.loads((DATA / "recorded_mongo6_find_collscan.json").read_text())["input"]
    fakes = []

    def make(size):
        db = mongomock.MongoClient().db
        load_into(db, generate_dataset(users=2, docs_per_user=size))
        fakes.append(_ExplainingDb(db, reply))
        return fakes[-1], lambda: None

    eng = Engine("mongodb", "MongoDB 6.0.14 (recorded)", AUDITED_USER, make, [10, 30])
    result = pipeline.run(DashboardParams(**FAST), cache=False, engine=eng)
    n_queries = sum(len(planned_queries(s, AUDITED_USER)) for s in STRATEGIES)
    assert len(fakes[0].commands) == n_queries
    assert all(c["explain"]["maxTimeMS"] == DashboardParams().max_time_ms for c in fakes[0].commands)
    summary = report.server_summary(result)
    assert set(summary["strategy"]) == set(STRATEGIES) and summary["collscans"].gt(0).all()
    doc = report.to_json(result)
    assert all(r["server"]["docs_examined"] == 1400 * len(planned_queries(r["strategy"], AUDITED_USER))
               for r in doc["rows"])


def test_run_on_the_embedded_engine_without_cache():
    result = pipeline.run(DashboardParams(**FAST), cache=False)
    assert result.engine.startswith("mongomock") and not result.real and result.user_id == AUDITED_USER
    assert result.sizes == [10, 30] and result.largest == 30 and result.cache is None
    assert len(result.rows) == 2 * len(STRATEGIES) and result.server is None
    assert result.differing_sizes == {"seed_facet": [10, 30]}
    assert {d.strategy for d in result.differences} == {"seed_facet"} == set(result.equivalence["strategy"])
    assert len(result.differences) == len(result.equivalence)
    assert not any("cache" in c for c in result.claims["claim"])
    assert set(result.scaling["strategy"]) == set(STRATEGIES)


def test_run_hands_the_largest_overviews_to_the_cache_phase(monkeypatch, make_cache):
    seen = {}

    def fake_cache(P, overviews):
        seen["P"], seen["overviews"] = P, overviews
        return make_cache()

    monkeypatch.setattr(pipeline, "run_cache", fake_cache)
    P = DashboardParams(**FAST)
    result = pipeline.run(P)
    assert seen["P"] is P and seen["overviews"] is result.overviews[30]
    assert result.cache.engine == "test redis"
    assert "60 s cache reaches 80 % hit rate" in set(result.claims["claim"])


def test_a_named_redis_is_checked_before_the_sweep(monkeypatch):
    monkeypatch.setenv("AUDIT_REDIS", "redis://127.0.0.1:1/0")
    calls = []

    def unreachable(url, *, timeout_s):
        calls.append((url, timeout_s))
        raise SourceError("Redis redis://127.0.0.1:1/0: cannot connect: refused")

    def never(P):
        raise AssertionError("the sweep started before the Redis check")

    monkeypatch.setattr(pipeline, "connect_redis", unreachable)
    monkeypatch.setattr(pipeline, "open_engine", never)
    with pytest.raises(SourceError, match="cannot connect"):
        pipeline.run(DashboardParams(redis_url_env="AUDIT_REDIS", timeout_s=0.5, **FAST))
    assert calls == [("redis://127.0.0.1:1/0", 0.5)]
