"""A replay whose clock could not follow the trace (a busy machine) is run again, slower."""

from __future__ import annotations

from analysis.dashboard.cache import CacheOutcome
from analysis.dashboard.sources import redis as redis_source


def _fake(lags_ms: list[float], calls: list[float]):
    def once(client, trace, ttl_s, *, time_scale, **kwargs):
        calls.append(time_scale)
        ttl_ms = round(ttl_s * time_scale * 1000)
        return redis_source.ReplayResult(CacheOutcome(), time_scale, ttl_ms, lags_ms[len(calls) - 1],
                                         lags_ms[len(calls) - 1], 0.1, 0)
    return once


def test_a_lagging_replay_is_repeated_at_twice_the_time_scale(monkeypatch) -> None:
    calls: list[float] = []
    monkeypatch.setattr(redis_source, "replay_once", _fake([30.0, 20.0, 1.0], calls))
    rep = redis_source.replay(None, None, 60, time_scale=0.001)
    assert calls == [0.001, 0.002, 0.004] and rep.attempts == 3 and rep.ttl_ms == 240 and rep.p99_lag_ms == 1.0


def test_a_faithful_replay_runs_once_and_retries_are_bounded(monkeypatch) -> None:
    calls: list[float] = []
    monkeypatch.setattr(redis_source, "replay_once", _fake([5.0], calls))
    assert redis_source.replay(None, None, 60, time_scale=0.001).attempts == 1 and calls == [0.001]
    calls.clear()
    monkeypatch.setattr(redis_source, "replay_once", _fake([99.0] * 9, calls))
    rep = redis_source.replay(None, None, 60, time_scale=0.001, retries=2)
    assert rep.attempts == 3 and len(calls) == 3 and rep.p99_lag_ms == 99.0  # the last one, lag and all, is reported
