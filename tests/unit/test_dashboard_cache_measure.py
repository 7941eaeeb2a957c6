"""Hit-ratio model vs simulation, claims arithmetic, measurement helpers (oracle: bson, statistics)."""

from __future__ import annotations

import math

import bson
import numpy as np
import pandas as pd
import pytest

from analysis.dashboard import cache, claims, measure
from analysis.dashboard.params import DashboardParams, parse_sizes
from analysis.errors import ParameterError
from analysis.params import validate


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


class _DictRedis:
    """Minimal in-memory stand-in for GET/SET(PX)/DELETE (unit level; real Redis is in integration)."""

    def __init__(self):
        self.d = {}

    def get(self, k):
        return self.d.get(k)

    def set(self, k, v, px=None):
        self.d[k] = v

    def delete(self, *ks):
        for k in ks:
            self.d.pop(k, None)


def test_cache_aside_never_caches_unserializable_values():
    from datetime import datetime

    c = cache.CacheAside(_DictRedis(), ttl_ms=60_000)
    for _ in range(3):
        c.get("u1", lambda: {"created_at": datetime(2025, 1, 1)})
    assert c.stats == {"hits": 0, "misses": 3, "uncacheable": 3}
    for _ in range(3):
        c.get("u2", lambda: {"n": 1})
    assert c.stats["hits"] == 2
    assert "dashboard:overview:u2" in c.client.d


def test_median_ci_and_time_call():
    lo, hi = measure.median_ci(list(range(100)))
    assert lo < 50 < hi and hi - lo < 30
    assert measure.median_ci([3.0, 1.0]) == (1.0, 3.0)
    stats = measure.time_call(lambda: sum(range(1000)), min_repeats=3, max_repeats=8, max_seconds=0.5)
    assert 3 <= stats.repeats <= 8 and stats.median_ms > 0


def test_wire_bytes_and_decode_match_bson():
    docs = [{"a": i, "s": "x" * 100} for i in range(50)]
    raw = measure.wire_bytes(docs)
    assert bson.decode_all(raw) == docs
    assert len(raw) == sum(len(bson.encode(d)) for d in docs)
    ms, mem = measure.decode_cost(raw)
    assert ms >= 0 and mem > len(raw) / 2


def test_scaling_exponents_recover_known_slopes():
    sizes = np.array([100, 1000, 10000])
    df = pd.DataFrame({"strategy": ["lin"] * 3 + ["flat"] * 3, "size": np.r_[sizes, sizes],
                       "m": np.r_[sizes * 7.0, np.full(3, 42.0)]})
    out = measure.scaling_exponents(df, ["m"]).set_index("strategy")["exponent"]
    assert out["lin"] == pytest.approx(1.0) and out["flat"] == pytest.approx(0.0, abs=1e-12)


def test_claims_at_size_and_seed_document_size():
    df = pd.DataFrame({"strategy": ["legacy_full_scan"] * 2, "size": [100, 10000],
                       "decode_mem_bytes": [4e6, 4e8], "result_bytes": [2e6, 2e8], "docs_received": [300, 30000]})
    val, how = claims.at_size(df, "legacy_full_scan", "decode_mem_bytes", 1000)
    assert val == pytest.approx(4e7) and "fit" in how
    ds = claims.document_size_for_seed_memory(df)
    assert ds["decode_expansion"] == pytest.approx(2.0)
    assert ds["bson_bytes_per_doc_for_50MB"] == pytest.approx(25_000)


@pytest.mark.parametrize("text", ["100,abc", "0", "-5", "1.5", "", "10,,20", "²"])
def test_parse_sizes_rejects(text):
    with pytest.raises(ParameterError, match="--sizes"):
        parse_sizes(text)


def test_params_validation():
    assert parse_sizes("100, 1000") == [100, 1000]
    with pytest.raises(ParameterError, match="sizes"):
        validate(DashboardParams, {"sizes": [100, 100]})
    with pytest.raises(ParameterError, match="mongo_uri_env"):
        validate(DashboardParams, {"mongo_uri_env": "mongodb://u:p@h"})
    with pytest.raises(ParameterError, match="audit_user"):
        validate(DashboardParams, {"audit_user": "u1"})
    assert math.isclose(validate(DashboardParams, {}).cache_time_scale, 0.0004)
