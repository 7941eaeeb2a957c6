"""The service's cache-aside on a minimal in-memory client (real Redis: tests/integration/test_dashboard_redis.py)."""

from __future__ import annotations

from datetime import datetime

from analysis.dashboard.sources.redis import CacheAside


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
    c = CacheAside(_DictRedis(), ttl_ms=60_000)
    for _ in range(3):
        c.get("u1", lambda: {"created_at": datetime(2025, 1, 1)})
    assert c.stats == {"hits": 0, "misses": 3, "uncacheable": 3}
    for _ in range(3):
        c.get("u2", lambda: {"n": 1})
    assert c.stats["hits"] == 2
    assert "dashboard:overview:u2" in c.client.d


def test_invalidate_deletes_the_users_key():
    c = CacheAside(_DictRedis(), ttl_ms=60_000)
    c.get("u3", lambda: {"n": 1})
    c.invalidate("u3")
    assert c.client.d == {}
    assert c.get("u3", lambda: {"n": 2}) == ({"n": 2}, False)
