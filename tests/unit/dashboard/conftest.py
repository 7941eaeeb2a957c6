"""Shared fixtures of the dashboard unit tests: one seeded dataset in mongomock and every strategy run on it;
a builder of small hand-made results for the report and CLI tests."""

from __future__ import annotations

from typing import Any

import mongomock
import pandas as pd
import pytest

from analysis.dashboard.result import CacheReport, DashboardResult
from analysis.dashboard.strategies import run_strategy
from analysis.mongodb import queries
from analysis.samples.dataset import AUDITED_USER, generate_dataset, load_into

@pytest.fixture(scope="module")
def docs_per_user():
    """Documents per collection of each user in :func:`dataset`."""
    return 120


@pytest.fixture(scope="module")
def dataset(docs_per_user):
    return generate_dataset(users=4, docs_per_user=docs_per_user, seed=7, aware_share=0.5)


@pytest.fixture(scope="module")
def db(dataset):
    d = mongomock.MongoClient().db
    load_into(d, dataset)
    return d


@pytest.fixture(scope="module")
def runs(db):
    return {s: run_strategy(db, s, AUDITED_USER) for s in queries.STRATEGIES}


def _rows(size: int) -> pd.DataFrame:
    base = {"engine": "test engine", "size": size, "latency_ms_median": 10.0, "latency_ms_iqr": 1.0, "repeats": 3,
            "peak_mem_bytes": 1000, "decode_ms": 1.0, "queries": 3}
    return pd.DataFrame([
        {**base, "strategy": "legacy_full_scan", "result_bytes": 2_000_000, "docs_received": 3 * size,
         "decode_mem_bytes": 24_200_000},
        {**base, "strategy": "seed_facet", "result_bytes": 4_000, "docs_received": 3, "decode_mem_bytes": 25_000},
        {**base, "strategy": "index_friendly", "result_bytes": 20_000, "docs_received": 180,
         "decode_mem_bytes": 272_800},
    ])


def _cache(agrees: bool = True, seed_cacheable: bool = False) -> CacheReport:
    agreement = pd.DataFrame([{"reload_interval_s": 15.0, "ttl_s": 60.0, "model": 0.8, "simulation": 0.8,
                               "replay": 0.81, "within_tolerance": agrees}])
    uncacheable = pd.DataFrame([{"strategy": "seed_facet", "json_serializable": seed_cacheable, "reads": 10,
                                 "hits": 0, "set_failures": 10, "hit_ratio": 0.0}])
    return CacheReport("test redis", 0.05, agreement, pd.DataFrame(), pd.DataFrame(), uncacheable, 15.0)


@pytest.fixture
def make_result():
    """``make_result(differing=..., failing_claims=..., cache=..., real=...)`` → a small DashboardResult."""

    def make(*, differing: bool = False, failing_claims: tuple[str, ...] = (), cache: CacheReport | None = None,
             real: bool = False) -> DashboardResult:
        eq_rows: list[dict[str, Any]] = []
        if differing:
            eq_rows = [{"strategy": "seed_facet", "field": f, "legacy": "1", "value": "0"}
                       for f in ("recommendations_total", "top_recommendations")]
        claims = pd.DataFrame([{"claim": c, "seed": "", "measured": "", "basis": "", "status": "does not hold"}
                               for c in failing_claims] +
                              [{"claim": "fine", "seed": "", "measured": "", "basis": "", "status": "holds"}])
        return DashboardResult(
            engine="test engine", real=real, profile="realistic", user_id="user-0000", rows=_rows(600),
            overviews={600: {}}, server=None, differing_sizes={"seed_facet": [600]} if differing else {},
            differences=[], equivalence=pd.DataFrame(eq_rows, columns=["strategy", "field", "legacy", "value"]),
            serializability=pd.DataFrame(), scaling=pd.DataFrame(columns=["strategy", "metric", "exponent"]),
            claims=claims, cache=cache)

    return make


@pytest.fixture
def make_cache():
    """``make_cache(agrees=..., seed_cacheable=...)`` → a small CacheReport."""
    return _cache
