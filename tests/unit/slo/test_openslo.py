"""OpenSLO v1 documents → SLOs."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from analysis.errors import ConfigError
from analysis.slo.catalog import load_catalog
from analysis.slo.openslo import openslo_slos

DATA = Path(__file__).resolve().parents[2] / "data" / "slo"


def test_openslo_multi_document():
    slos = load_catalog(DATA / "openslo_multi.yaml")
    a, b = slos
    assert a.name == "api-availability" and math.isclose(a.target, 0.999)
    assert a.window.unit == "month" and a.window.timezone == "Europe/Berlin"
    assert a.sli.total[0].metric == "http_requests_total" and a.sli.good[0].matchers[0].op == "!~"
    assert b.method == "timeslices" and b.slice_s == 600 and math.isclose(b.slice_target, 0.95)
    assert b.window.seconds == 28 * 86400 and b.sli.bad[0].matchers[0].value == "error"


def _slo(spec: dict) -> dict:
    return {"apiVersion": "openslo/v1", "kind": "SLO", "metadata": {"name": "s"}, "spec": spec}


RATIO = {"ratioMetric": {"good": {"metricSource": {"spec": {"query": 'sum(rate(r_total{code="200"}[5m]))'}}},
                         "total": {"metricSource": {"type": "Prometheus", "spec": {"query": "r_total"}}}}}


def test_several_objectives_become_several_slos():
    slos = openslo_slos([_slo({"indicator": {"spec": RATIO}, "budgetingMethod": "RatioTimeslices",
                               "objectives": [{"displayName": "strict", "targetPercent": 99.9},
                                              {"displayName": "loose", "target": 0.99}]})], "f.yaml")
    assert [s.name for s in slos] == ["s:strict", "s:loose"]
    assert [s.method for s in slos] == ["ratio_timeslices"] * 2
    assert str(slos[0].sli.good[0]) == 'r_total{code="200"}'  # the rate() wrapper is dropped


@pytest.mark.parametrize("spec,needle", [
    ({"indicator": {"spec": {"thresholdMetric": {}}}, "objectives": [{"target": 0.9}]}, "only ratioMetric"),
    ({"indicator": {"spec": RATIO}, "objectives": []}, "no objectives"),
    ({"indicator": {"spec": RATIO}, "budgetingMethod": "Sometimes", "objectives": [{"target": 0.9}]},
     "budgetingMethod 'Sometimes'"),
    ({"indicator": {"spec": RATIO}, "timeWindow": [{"duration": "2M", "isRolling": False}],
      "objectives": [{"target": 0.9}]}, "must be 1w, 1M, 1Q or 1Y"),
    ({"indicator": {"spec": {"ratioMetric": {"total": {"metricSource": {"type": "Datadog", "spec": {}}}}}},
      "objectives": [{"target": 0.9}]}, "Prometheus only"),
    ({"objectives": [{"target": 0.9}]}, "needs indicator or indicatorRef"),
])
def test_unsupported_documents(spec, needle):
    with pytest.raises(ConfigError) as ei:
        openslo_slos([_slo(spec)], "f.yaml")
    assert needle in str(ei.value) and str(ei.value).startswith("f.yaml: SLO s")
