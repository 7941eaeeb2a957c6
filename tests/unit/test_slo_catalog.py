"""Catalog: own format, OpenSLO v1, and validation against data."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from analysis.errors import ConfigError
from analysis.slo.catalog import load_catalog, parse_duration, validate_against, with_window
from analysis.slo.samples import build

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "slo"


def test_seed_catalog_has_nine_slos():
    slos = load_catalog(ROOT / "slo" / "infra_mind.yaml")
    assert [s.name for s in slos] == [
        "api_availability", "api_latency_p95", "api_latency_p99", "dashboard_load_time", "llm_api_success_rate",
        "assessment_completion_rate", "database_query_latency", "cache_hit_rate", "websocket_connection_success"]
    by = {s.name: s for s in slos}
    assert by["api_availability"].window.kind == "calendar" and by["api_availability"].window.unit == "month"
    assert math.isclose(by["api_availability"].target, 0.999)
    assert by["api_latency_p99"].sli.threshold_s == 2.0
    assert by["dashboard_load_time"].not_exported and by["websocket_connection_success"].not_exported


def test_openslo_multi_document():
    slos = load_catalog(DATA / "openslo_multi.yaml")
    a, b = slos
    assert a.name == "api-availability" and math.isclose(a.target, 0.999)
    assert a.window.unit == "month" and a.window.timezone == "Europe/Berlin"
    assert a.sli.total[0].metric == "http_requests_total" and a.sli.good[0].matchers[0].op == "!~"
    assert b.method == "timeslices" and b.slice_s == 600 and math.isclose(b.slice_target, 0.95)
    assert b.window.seconds == 28 * 86400 and b.sli.bad[0].matchers[0].value == "error"


@pytest.mark.parametrize("text,needle", [
    ("slos: [{name: a, target: 100, sli: {ratio: {good: x_total, total: y_total}}}]", "100 % leaves no error budget"),
    ("slos: [{name: a, target: 0, sli: {ratio: {good: x_total, total: y_total}}}]", "outside 0 < target < 100"),
    ("slos: [{name: a, target: 99, sli: {ratio: {good: x_total}}}]", "exactly two of good, bad, total"),
    ("slos: [{name: a, target: 99, window: 3x, sli: {ratio: {good: x_total, total: y}}}]", "cannot parse duration"),
    ("slos: [{name: a, target: 99, sli: {latency: {metric: h, threshold_s: -1}}}]", "threshold_s"),
    ("slos: [{name: a, target: 99, sli: {ratio: {good: 'x{a=~\"(\"}', total: y}}}]", "bad regex"),
    ("slos: [{name: a, target: 99, window: {calendar: month, timezone: Mars/Base}, "
     "sli: {ratio: {good: x, total: y}}}]", "unknown timezone"),
    ("slos:\n  - name: a\n   target: 99", "invalid YAML"),
    ("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a}\nspec: {indicatorRef: nope, objectives: [{target: 0.9}]}",
     "names no kind: SLI"),
])
def test_bad_catalogs(tmp_path, text, needle):
    p = tmp_path / "c.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError) as ei:
        load_catalog(p)
    assert needle in str(ei.value) and str(p) in str(ei.value)


def test_durations():
    assert parse_duration("1h30m", "x") == 5400
    assert parse_duration("3d", "x") == 259200


def _samples(*labels):
    return build([(lab, np.array([0.0, 60.0]), np.array([0.0, 1.0])) for lab in labels])


def test_validate_unknown_metric_and_labels(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("slos:\n- {name: a, target: 99, sli: {ratio: {good: 'req_total{code=\"200\"}', total: req_total}}}\n"
                 "- {name: b, target: 99, sli: {latency: {metric: lat_seconds, threshold_s: 0.3}}}\n")
    slos = load_catalog(p)
    s = _samples({"__name__": "req_total", "status": "200"},
                 {"__name__": "lat_seconds_bucket", "le": "0.25"}, {"__name__": "lat_seconds_bucket", "le": "+Inf"})
    with pytest.raises(ConfigError, match="uses label 'code' which no req_total series has"):
        validate_against(slos, s)
    v = validate_against(slos[1:], s)
    assert "not a bucket boundary" in v.warnings["b"][0]
    with pytest.raises(ConfigError, match="metric nope_total not found"):
        p.write_text("slos: [{name: a, target: 99, sli: {ratio: {good: nope_total, total: req_total}}}]")
        validate_against(load_catalog(p), s)


def test_window_override():
    slos = with_window(load_catalog(ROOT / "slo" / "infra_mind.yaml"), "7d")
    assert {s.window.seconds for s in slos} == {7 * 86400}


def test_selector_matching_nothing_is_a_warning(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("slos: [{name: a, target: 99, sli: {ratio: {good: 'req_total{status=\"201\"}', total: req_total}}}]")
    v = validate_against(load_catalog(p), _samples({"__name__": "req_total", "status": "200"}))
    assert "matches no series" in v.warnings["a"][0]
