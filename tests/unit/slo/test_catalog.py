"""The catalog file: the seed catalog, OpenSLO dispatch, one-line errors naming the file."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from analysis.errors import ConfigError
from analysis.slo.catalog import load_catalog, own_slo

ROOT = Path(__file__).resolve().parents[3]


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
    ("slos: [{name: a, target: 99, sli: {ratio: {good: x, total: y}}}, "
     "{name: a, target: 98, sli: {ratio: {good: x, total: y}}}]", "SLO name 'a' is defined twice"),
    ("slos: [{name: a, target: 99, colour: red, sli: {ratio: {good: x, total: y}}}]", "SLO a: unknown key 'colour'"),
    ("slos: [{name: a, target: 99, sli: {histogram: {metric: h}}}]", "unknown sli kind 'histogram'"),
    ("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a}\n---\nslos: []", "mixes OpenSLO documents"),
    # issue 18: v2alpha is read now; an unknown version is named
    ("apiVersion: openslo/v2alpha\nkind: SLO\nmetadata: {name: a}", "c.yaml:1: SLO a: spec: is required"),
    ("apiVersion: openslo/v3\nkind: SLO\nmetadata: {name: a}", "unsupported OpenSLO version 'openslo/v3'"),
    ("apiVersion: openslo/v1\nkind: SLI\nmetadata: {displayName: a}\nspec: {}", "metadata.name: is required"),
    ("version: prometheus/v999\nservice: s\nlabels: {a: b}\nslos: []", "unsupported Sloth spec version 'prometheus/v999'"),
    ("service: x", "expected a mapping with a 'slos' list"),
    ("slos: []", "catalog defines no SLO"),
    ("", "empty catalog"),
])
def test_bad_catalogs(tmp_path, text, needle):
    p = tmp_path / "c.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError) as ei:
        load_catalog(p)
    assert needle in str(ei.value) and str(p) in str(ei.value)
    assert "\n" not in str(ei.value)


def test_invalid_yaml_names_the_line(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("slos:\n  - name: a\n   target: 99")
    with pytest.raises(ConfigError, match=r"c\.yaml:3: invalid YAML"):
        load_catalog(p)


def test_missing_catalog_file(tmp_path):
    with pytest.raises(ConfigError, match="nope.yaml: not found"):
        load_catalog(tmp_path / "nope.yaml")


def test_defaults_fill_window_and_budgeting():
    slo = own_slo({"name": "a", "target": 99.5, "sli": {"ratio": {"bad": "e_total", "total": ["r_total", "s_total"]}}},
                  {"window": "7d", "budgeting": {"method": "timeslices", "slice": "1m", "slice_target": 90}}, "f.yaml")
    assert slo.window.seconds == 7 * 86400 and slo.method == "timeslices" and slo.slice_s == 60
    assert math.isclose(slo.slice_target, 0.9) and math.isclose(slo.target, 0.995)
    assert [str(s) for s in slo.sli.total] == ["r_total", "s_total"] and slo.source == "f.yaml"


def test_latency_selector_takes_the_histogram_name():
    slo = own_slo({"name": "lat", "target": 95, "sli": {"latency": {
        "metric": "h_seconds_bucket", "threshold_s": 0.5, "selector": '{job="api"}'}}}, {}, "f.yaml")
    assert slo.sli.metric == "h_seconds"
    assert [str(s) for s in slo.sli.selectors()] == ['h_seconds_bucket{job="api"}']
