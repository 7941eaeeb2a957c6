"""The catalog checked against the data."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.errors import ConfigError
from analysis.slo.catalog import load_catalog
from analysis.slo.series import build
from analysis.slo.validation import validate_against


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


def test_selector_matching_nothing_is_a_warning(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("slos: [{name: a, target: 99, sli: {ratio: {good: 'req_total{status=\"201\"}', total: req_total}}}]")
    v = validate_against(load_catalog(p), _samples({"__name__": "req_total", "status": "200"}))
    assert "matches no series" in v.warnings["a"][0]


def test_not_exported_metric_is_missing_not_an_error(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("slos: [{name: a, target: 99, not_exported: no metric yet, "
                 "sli: {ratio: {good: 'x_total{ok=\"1\"}', total: x_total}}}]")
    v = validate_against(load_catalog(p), _samples({"__name__": "req_total"}))
    assert v.missing == {"a": "metric x_total is not in the data: no metric yet"} and not v.warnings


def test_negative_matcher_on_absent_label_is_a_warning(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("slos: [{name: a, target: 99, sli: {ratio: {good: 'req_total{code!=\"500\"}', total: req_total}}}]")
    v = validate_against(load_catalog(p), _samples({"__name__": "req_total"}), where="c.yaml")
    assert v.warnings["a"] == ["selector req_total{code!=\"500\"} matches on label 'code', absent from every series"]


def test_latency_metric_without_le_is_not_a_histogram(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("slos: [{name: b, target: 99, sli: {latency: {metric: lat_seconds, threshold_s: 0.3}}}]")
    with pytest.raises(ConfigError, match="c.yaml: SLO b: lat_seconds_bucket series have no 'le' label"):
        validate_against(load_catalog(p), _samples({"__name__": "lat_seconds_bucket"}), where="c.yaml")
