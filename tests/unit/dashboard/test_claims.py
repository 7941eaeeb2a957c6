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


def _with_index_friendly():
    rows = _rows()
    extra = [{"strategy": "index_friendly", "size": size, "decode_mem_bytes": 100_000.0, "result_bytes": 20_000.0,
              "latency_ms_median": 20.0} for size in (100, 1000)]
    return pd.concat([rows, pd.DataFrame(extra)], ignore_index=True)


def test_claims_on_a_strategy_that_returns_other_numbers_cannot_hold():
    """The seed_facet figures (99.9 % less memory, 99.96 % fewer bytes) would 'hold', but seed_facet returns numbers
    that differ from legacy: the claims cannot hold, and the row says what an equivalent strategy achieves."""
    table = claims.claims_table(_with_index_friendly(), engine="e", real=True, differing={"seed_facet": [100, 1000]},
                                cache={"required_interval_s": 15.0, "seed_payload_cacheable": False,
                                       "replay_hit_ratio": 0.81}).set_index("claim")
    cannot = claims.cannot_hold("seed_facet")
    assert cannot == "cannot hold: seed_facet returns different numbers"
    for claim in ("aggregation load holds ~1 MB (98 % less)", "95 % less data", "2–3 s → 100–200 ms (90 % faster)"):
        assert table.loc[claim, "status"] == cannot and table.loc[claim, "verdict"] == "FAIL"
    assert "index_friendly, which returns the legacy numbers: 100.0 kB, 99.8 % less" in \
        table.loc["aggregation load holds ~1 MB (98 % less)", "measured"]
    assert "index_friendly, which returns the legacy numbers: 99.8 % fewer" in table.loc["95 % less data", "measured"]
    assert table.loc["legacy load holds ~50 MB for 1,000 assessments", "verdict"] == "PASS"  # legacy is itself
    assert table.loc["the seed's service caches its overview", "verdict"] == "FAIL"  # never cached: a defect
    assert table.loc["60 s cache reaches 80 % hit rate", "verdict"] == "PASS"
    assert list(claims.claim_verdicts(table.reset_index())) == list(table["verdict"])


def test_claims_are_judged_when_the_strategy_returns_the_legacy_numbers():
    table = claims.claims_table(_with_index_friendly(), engine="e", real=False, differing={}).set_index("claim")
    assert table.loc["95 % less data", "status"] == claims.HOLDS and table.loc["95 % less data", "verdict"] == "PASS"
    assert "index_friendly" not in table.loc["95 % less data", "measured"]
    assert table.loc["2–3 s → 100–200 ms (90 % faster)", "verdict"] == "N/A"  # not testable off a real server


def test_claim_verdicts_of_a_table_without_a_verdict_column():
    df = pd.DataFrame({"claim": list("abcd"), "status": [claims.HOLDS, claims.FAILS, claims.UNTESTED,
                                                         claims.cannot_hold("seed_facet")]})
    assert list(claims.claim_verdicts(df)) == ["PASS", "WARN", "N/A", "FAIL"]
