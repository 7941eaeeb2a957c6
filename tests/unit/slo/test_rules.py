"""Rule generation: names, labels, expressions, factors by window, refusals; promeval against hand-computed PromQL."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.slo.catalog import load_catalog
from analysis.slo.objectives import SLI, Window
from analysis.slo.promeval import extrapolated_increase
from analysis.slo.rules import bucket_labels, error_ratio_expr, label_spellings, rule_set, sli_plan
from analysis.slo.ruletests import humanize_percentage, satisfy, unit_tests
from analysis.promql import parse_selector
from tests.unit.slo.helpers import ratio_slo


def test_rules_for_a_ratio_slo_have_the_usual_names_labels_and_tiers():
    slo = ratio_slo(0.999, name="avail", window=Window("rolling", seconds=7 * 86400))
    rs = rule_set([slo], runbook_url="https://rb.example/{slo}#{tier}")
    sli, meta, alerts = rs.groups
    assert [r["record"] for r in sli["rules"]] == [f"slo:sli_error:ratio_rate{w}" for w in
                                                   ("5m", "30m", "1h", "2h", "6h", "1d", "3d", "1w")]
    assert sli["rules"][2]["expr"] == ('1 - (sum(rate(req_total{code="200"}[1h])) or 0 * sum(rate(req_total[1h])))'
                                       ' / sum(rate(req_total[1h]))')
    assert sli["rules"][0]["labels"] == {"service": "default", "slo": "avail"}
    assert {r["record"] for r in meta["rules"]} >= {"slo:objective:ratio", "slo:error_budget:ratio",
                                                    "slo:burn_rate:ratio_rate1h", "slo:error_budget_remaining:ratio"}
    page = alerts["rules"][0]
    # 2 % of a 7-day budget in 1 h: factor 3.36, not 14.4
    assert page["expr"] == ('slo:sli_error:ratio_rate1h{service="default",slo="avail"} > (3.36 * 0.001) and '
                            'slo:sli_error:ratio_rate5m{service="default",slo="avail"} > (3.36 * 0.001)')
    assert page["labels"] == {"severity": "page", "slo": "avail", "tier": "page_1h_5m"}
    assert page["annotations"]["runbook_url"] == "https://rb.example/avail#page_1h_5m"
    assert "2 % of the 1w error budget" in page["annotations"]["description"]


def test_bad_total_and_grouped_expressions():
    bad = ratio_slo()
    bad = bad.__class__(**{**bad.__dict__, "sli": SLI("ratio", bad=(parse_selector('req_total{code="500"}'),),
                                                           total=(parse_selector("req_total"),)),
                           "group_by": ("endpoint",)})
    plan = sli_plan(bad)
    assert error_ratio_expr(plan, "5m") == ('(sum by (endpoint) (rate(req_total{code="500"}[5m])) or 0 * '
                                            'sum by (endpoint) (rate(req_total[5m]))) / sum by (endpoint) (rate(req_total[5m]))')


def test_latency_uses_the_bucket_and_refuses_off_boundary_thresholds(project_root):
    slos = load_catalog(project_root / "slo" / "infra_mind.yaml")
    rs = rule_set(slos)  # no data: the catalog's declared buckets, both spellings of 1
    assert "not a bucket boundary" in rs.refused["api_latency_p99"] and "neighbours 1.0 and 2.5" in rs.refused["api_latency_p99"]
    assert set(rs.skipped) == {"dashboard_load_time", "websocket_connection_success"}
    expr = next(r["expr"] for g in rs.groups if g["name"] == "slo-api_latency_p95-sli" for r in g["rules"])
    assert 'le="0.5"' in expr and 'le="+Inf"' in expr
    data = bucket_labels([{"__name__": "http_request_duration_seconds_bucket", "le": "0.5"},
                          {"__name__": "http_request_duration_seconds_bucket", "le": "+Inf"}])
    assert data == {"http_request_duration_seconds": {0.5: "0.5", math.inf: "+Inf"}}
    assert label_spellings(1.0) == ["1", "1.0"] and label_spellings(0.5) == ["0.5"]
    assert "cannot tell whether" in sli_plan(slos[1].__class__(**{**slos[1].__dict__, "sli": SLI(
        "latency", metric="x", threshold_s=0.5)}))


def test_timeslices_are_refused_and_never_firing_tiers_left_out(project_root):
    slos = load_catalog(project_root / "tests" / "data" / "slo" / "openslo_multi.yaml")
    rs = rule_set(slos)
    assert rs.refused["llm-success"].startswith("budgeting timeslices")
    cache = [s for s in load_catalog(project_root / "slo" / "infra_mind.yaml") if s.name == "cache_hit_rate"]
    rs = rule_set(cache)
    assert [t.name for t in rs.tiers["cache_hit_rate"]] == ["ticket_1d_2h", "ticket_3d_6h"]
    assert any("page_1h_5m left out: factor 14.4 ≥ maximum burn rate 5" in n for n in rs.notes)


def test_extrapolated_increase_matches_promql_by_hand():
    ts = np.array([17.0, 77, 137, 197, 257])
    v = np.array([10.0, 20, 5, 15, 25])  # a reset after 20
    # window [0, 300] at t=300: raw increase 25 − 10 + 20 = 35 over 240 s sampled; to start 17 s (< 1.1·60):
    # zero point 240·10/35 = 68.6 s > 17 → 17; to end 43 s → 240 + 17 + 43 = 300
    got = extrapolated_increase(ts, v, np.array([300.0]), 300.0)[0]
    assert got == pytest.approx(35 * 300 / 240)
    assert np.isnan(extrapolated_increase(ts, v, np.array([20.0]), 10.0)[0])  # one sample: no rate


def test_synthetic_label_sets_satisfy_the_selectors():
    good = parse_selector('http_requests_total{status!~"5.."}')
    total = parse_selector("http_requests_total")
    bad = satisfy([total], [good], {})
    assert bad is not None and total.matches(bad) and not good.matches(bad) and bad["status"].startswith("5")
    assert satisfy([parse_selector('a{x="1"}')], [parse_selector('a{x="1"}')], {}) is None
    assert humanize_percentage(0.0205) == "2.05%"


def test_generated_unit_tests_name_a_minute_for_every_slo():
    slo = ratio_slo(0.999, name="avail", window=Window("rolling", seconds=30 * 86400))
    rs = rule_set([slo])
    tests, notes = unit_tests(rs, [slo], "x.rules.yml")
    (test,) = tests["tests"]
    assert tests["group_eval_order"] == [g["name"] for g in rs.groups]
    first, second = test["alert_rule_test"]
    assert first["exp_alerts"] == [] and [a["exp_labels"]["tier"] for a in second["exp_alerts"]] == ["page_1h_5m"]
    assert "ticket_3d_6h not yet" in notes[0]
