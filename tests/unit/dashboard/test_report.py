"""report: the verdict rule, its figures, the --json document and the plain-text report."""

from __future__ import annotations

import json
import math

import pandas as pd

from analysis.dashboard import report
from analysis.record import Verdict


def test_differing_numbers_fail(make_result):
    v = report.verdict(make_result(differing=True, failing_claims=("95 % less data",)))
    assert isinstance(v, Verdict) and v.status == "FAIL"
    assert v.headline.startswith("seed_facet return(s) numbers that differ from the legacy dashboard (2 fields")
    assert v.figures["differing fields (seed_facet)"] == 2 and v.figures["claims not holding"] == 1
    assert any("Do not ship" in s for s in v.next_steps) and any("95 % less data" in s for s in v.next_steps)


def test_failing_claims_or_disagreeing_cache_warn(make_result, make_cache):
    v = report.verdict(make_result(failing_claims=("a", "b")))
    assert v.status == "WARN" and v.headline == "Numbers agree, but 2 seed claim(s) do not hold: a; b."
    v = report.verdict(make_result(cache=make_cache(agrees=False, seed_cacheable=True)))
    assert v.status == "WARN"


def test_pass_with_figures_in_order(make_result, make_cache):
    v = report.verdict(make_result(cache=make_cache(seed_cacheable=True), real=True))
    assert v.status == "PASS"
    assert list(v.figures) == ["engine", "differing fields (seed_facet)", "differing fields (index_friendly)",
                               "legacy decoded MB at 600", "index_friendly decoded kB at 600", "claims not holding",
                               "reload interval for 80 % hits (s)"]
    assert v.figures["legacy decoded MB at 600"] == 24.2 and v.figures["index_friendly decoded kB at 600"] == 272.8
    assert not any("staging MongoDB" in s for s in v.next_steps)
    assert not any("JSON-safe" in s for s in v.next_steps)


def test_figures_declare_units_and_directions_for_run_comparisons(make_result, make_cache):
    v = report.verdict(make_result(cache=make_cache(seed_cacheable=True)))
    info = v.figure_info
    assert info["engine"]["higher_is_better"] is None  # text: compared as changed / unchanged
    assert info["differing fields (seed_facet)"] == {"unit": "fields", "higher_is_better": False, "noise": 0.0, "key": True,
                                                     "label": "Fields the seed's aggregation gets wrong"}
    assert info["claims not holding"]["higher_is_better"] is False
    assert info["reload interval for 80 % hits (s)"]["higher_is_better"] is None
    assert {n for n in v.figures if n.startswith("legacy decoded MB")} <= set(info)


def test_uncacheable_overview_and_embedded_engine_add_next_steps(make_result, make_cache):
    v = report.verdict(make_result(cache=make_cache(seed_cacheable=False)))
    assert any("JSON-safe" in s for s in v.next_steps) and any("staging MongoDB" in s for s in v.next_steps)
    assert v.next_steps[-1].startswith("Create the (user_id, created_at)")


def test_server_summary_on_the_embedded_engine(make_result):
    out = report.server_summary(make_result())
    assert out.to_dict("records") == [{"engine": "test engine", "server": report.NEEDS_REAL_MONGO}]


def test_to_json_is_strict_json(make_result, make_cache):
    result = make_result(cache=make_cache())
    result.scaling = pd.DataFrame([{"strategy": "seed_facet", "metric": "m", "exponent": math.nan}])
    doc = report.to_json(result)
    json.dumps(doc, allow_nan=False)
    assert doc["scaling"] == [{"strategy": "seed_facet", "metric": "m", "exponent": None}]
    assert [set(r) for r in doc["rows"]] == [set(report.ROW_KEYS) | {"server"}] * 3
    assert doc["cache"]["key"] == "dashboard:overview:{user}" and doc["cache"]["agrees"] is True
    assert doc["equivalence"] == [] and doc["profile"] == "realistic"


def test_text_ends_with_the_verdict_line(make_result, make_cache):
    result = make_result(differing=True, cache=make_cache())
    v = report.verdict(result)
    out = report.text(result, v)
    assert out.splitlines()[0] == "engine: test engine  profile: realistic"
    assert "not server latency" in out and "2 differing field(s)" in out and "cache (test redis)" in out
    assert out.splitlines()[-1] == f"FAIL: {v.headline}"


def test_every_key_figure_has_a_human_label_and_its_unit(make_result, make_cache):
    v = report.verdict(make_result(cache=make_cache(seed_cacheable=True)))
    labels = {name: v.figure_info[name]["label"] for name in v.key_figures()}
    assert all(label and "_" not in label for label in labels.values()), labels
    assert labels["index_friendly decoded kB at 600"] == "Index-friendly plan: decoded result in memory (600 assessments)"
    assert labels["claims not holding"] == "Seed claims not holding"
    assert v.figure_info["claims not holding"]["unit"] == "claims"


def test_claims_that_cannot_hold_are_named_and_a_failing_defect_claim_fails(make_result):
    result = make_result(differing=True)
    result.claims = pd.DataFrame([{"claim": "95 % less data", "status": "cannot hold: seed_facet returns different "
                                   "numbers", "verdict": "FAIL"}, {"claim": "fine", "status": "holds", "verdict": "PASS"}])
    v = report.verdict(result)
    assert v.status == "FAIL" and v.headline.endswith("; 1 seed claim(s) measured on it cannot hold: 95 % less data.")
    assert v.figures["claims not holding"] == 1
    result = make_result()
    result.claims = pd.DataFrame([{"claim": "the seed's service caches its overview", "status": "does not hold",
                                   "verdict": "FAIL"}])
    v = report.verdict(result)  # numbers agree, but the seed's cache never stores anything: a defect
    assert v.status == "FAIL" and v.headline == ("Numbers agree, but 1 seed claim(s) fail: the seed's service caches "
                                                 "its overview.")
