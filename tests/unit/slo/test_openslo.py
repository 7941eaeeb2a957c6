"""OpenSLO v1 documents → SLOs.

Changed with issue 18: thresholdMetric and non-Prometheus sources are now read (refused where they would be
evaluated, not at reading), calendar windows of any count are read, and errors carry the line and key.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from analysis.errors import ConfigError
from analysis.slo.catalog import load_catalog
from analysis.slo.specs.documents import Document
from analysis.slo.specs.openslo import openslo_slos as _read


def openslo_slos(docs, where):
    return _read([Document(d, where, 1) for d in docs])

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
    ({"indicator": {"spec": RATIO}, "objectives": []}, "needs at least one objective"),
    ({"indicator": {"spec": RATIO}, "budgetingMethod": "Sometimes", "objectives": [{"target": 0.9}]},
     "budgetingMethod: expected Occurrences, Timeslices or RatioTimeslices, got 'Sometimes'"),
    ({"indicator": {"spec": RATIO}, "timeWindow": [{"duration": "2x", "isRolling": False}],
      "objectives": [{"target": 0.9}]}, "expected a duration like 28d"),
    ({"objectives": [{"target": 0.9}]}, "needs indicator or indicatorRef"),
    ({"indicator": {"spec": RATIO}, "objectives": [0.99]}, "spec.objectives[0]: expected a mapping, got 0.99"),
    ({"indicator": {"spec": RATIO}, "timeWindow": [{"duration": "28d"}], "objectives": [{"target": 1.0}]},
     "100 % leaves no error budget"),
])
def test_unsupported_documents(spec, needle):
    with pytest.raises(ConfigError) as ei:
        openslo_slos([_slo(spec)], "f.yaml")
    assert needle in str(ei.value) and str(ei.value).startswith("f.yaml:1: SLO s")


def test_threshold_and_foreign_sources_are_read_and_refused_for_exports():
    thr = {"thresholdMetric": {"metricSource": {"type": "Prometheus", "spec": {"query": "max(lag)"}}}}
    dd = {"ratioMetric": {"good": {"metricSource": {"type": "Datadog", "spec": {"query": "sum:a"}}},
                          "total": {"metricSource": {"type": "Datadog", "spec": {"query": "sum:b"}}}}}
    a, = openslo_slos([_slo({"indicator": {"spec": thr}, "objectives": [{"target": 0.9, "op": "lt", "value": 5}]})],
                      "f.yaml")
    assert a.sli.written.form == "threshold" and a.sli.written.op == "<" and a.sli.written.value == 5
    assert "not computable from an export" in a.sli.written.refused
    b, = openslo_slos([_slo({"indicator": {"spec": dd}, "objectives": [{"target": 0.9}]})], "f.yaml")
    assert "Datadog is not Prometheus" in b.sli.written.refused and not b.sli.written.live
