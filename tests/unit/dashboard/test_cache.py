"""Hit-ratio model against the discrete-event simulation (pure; the Redis replay is in integration)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.dashboard import cache


@pytest.mark.parametrize("interval,ttl", [(15, 60), (60, 60), (5, 30), (300, 60)])
def test_simulation_agrees_with_model(interval, ttl):
    trace = cache.synthetic_trace(users=50, read_interval_s=interval, duration_s=ttl * 200, seed=3)
    sim = cache.simulate(trace, ttl)
    assert sim.reads > 1000
    assert sim.hit_ratio == pytest.approx(cache.model_hit_ratio(1 / interval, ttl), abs=0.02)


def test_model_and_inverse():
    assert cache.model_hit_ratio(1 / 15, 60) == pytest.approx(0.8)
    assert cache.required_reload_interval(0.8, 60) == pytest.approx(15)
    assert cache.model_hit_ratio(np.array([0.0]), 60)[0] == 0
    with pytest.raises(ValueError):
        cache.required_reload_interval(1.0, 60)


def test_invalidation_removes_staleness_and_costs_hits():
    trace = cache.synthetic_trace(users=20, read_interval_s=15, duration_s=6000, write_interval_s=120, seed=5)
    plain = cache.simulate(trace, 60)
    inv = cache.simulate(trace, 60, invalidate_on_write=True)
    assert plain.stale_share > 0.05
    assert inv.stale_share == 0
    assert inv.hit_ratio < plain.hit_ratio


def test_no_reuse_no_hits():
    trace = cache.Trace(np.array([0.0, 100.0, 200.0]), np.array([0, 0, 0]), np.array([False] * 3), 1, 300)
    out = cache.simulate(trace, 60, warmup_s=0)
    assert (out.reads, out.hits) == (3, 0)


def test_hit_rate_curve_covers_every_pair():
    curve = cache.hit_rate_curve([15, 60], [30.0, 60.0])
    assert len(curve) == 4 and list(curve.columns) == ["reload_interval_s", "ttl_s", "hit_ratio"]
    at = curve.set_index(["reload_interval_s", "ttl_s"])["hit_ratio"]
    assert at[(15, 60.0)] == pytest.approx(0.8) and at[(60, 60.0)] == pytest.approx(0.5)
