"""The seed's claims against measurements: interpolation, the 50 MB document size, the claims table."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.dashboard import claims


def test_claims_at_size_and_seed_document_size():
    df = pd.DataFrame({"strategy": ["legacy_full_scan"] * 2, "size": [100, 10000],
                       "decode_mem_bytes": [4e6, 4e8], "result_bytes": [2e6, 2e8], "docs_received": [300, 30000]})
    val, how = claims.at_size(df, "legacy_full_scan", "decode_mem_bytes", 1000)
    assert val == pytest.approx(4e7) and "fit" in how
    ds = claims.document_size_for_seed_memory(df)
    assert ds["decode_expansion"] == pytest.approx(2.0)
    assert ds["bson_bytes_per_doc_for_50MB"] == pytest.approx(25_000)


def _rows():
    out = []
    for size in (100, 1000):
        out += [{"strategy": "legacy_full_scan", "size": size, "decode_mem_bytes": 50_000.0 * size,
                 "result_bytes": 10_000.0 * size, "latency_ms_median": 2.0 * size},
                {"strategy": "seed_facet", "size": size, "decode_mem_bytes": 25_000.0,
                 "result_bytes": 4_000.0, "latency_ms_median": 15.0}]
    return pd.DataFrame(out)


def test_claims_table_judges_memory_bytes_and_leaves_latency_untested_off_server():
    table = claims.claims_table(_rows(), engine="e", real=False).set_index("claim")
    assert table.loc["legacy load holds ~50 MB for 1,000 assessments", "status"] == claims.HOLDS
    assert table.loc["aggregation load holds ~1 MB (98 % less)", "status"] == claims.HOLDS
    assert table.loc["2–3 s → 100–200 ms (90 % faster)", "status"] == claims.UNTESTED
    assert set(table["engine"]) == {"e"} and len(table) == 4


def test_cache_facts_feed_the_cache_claims(make_cache):
    facts = claims.cache_facts(make_cache(seed_cacheable=False))
    assert facts == {"required_interval_s": 15.0, "seed_payload_cacheable": False, "replay_hit_ratio": 0.81}
    table = claims.claims_table(_rows(), engine="e", real=True, cache=facts).set_index("claim")
    assert table.loc["the seed's service caches its overview", "status"] == claims.FAILS
    assert "every 15 s" in table.loc["60 s cache reaches 80 % hit rate", "measured"]
    assert table.loc["2–3 s → 100–200 ms (90 % faster)", "status"] == claims.HOLDS


def test_cache_facts_without_replays(make_cache):
    rep = make_cache()
    rep.uncacheable = rep.uncacheable.iloc[0:0]
    rep.agreement = rep.agreement.iloc[0:0]
    facts = claims.cache_facts(rep)
    assert facts["seed_payload_cacheable"] is True and math.isnan(facts["replay_hit_ratio"])
