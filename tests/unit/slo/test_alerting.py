"""Catalog alerting tiers, exclusions, policy and group_by: parsed, scaled, and one line per bad input."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.errors import ConfigError
from analysis.slo.alerting import policy_action
from analysis.slo.catalog import load_catalog
from analysis.slo.evaluate import evaluate
from analysis.slo.series import build
from analysis.slo.sli import counter_bins, make_grid
from analysis.slo.quality import series_warnings
from tests.unit.slo.helpers import STEP, T0, counter, samples_from

BASE = """
service: shop
defaults: {window: 7d}
slos:
  - name: s
    target: 99.9
    sli: {ratio: {good: 'req_total{code="200"}', total: req_total}}
"""


def _catalog(tmp_path, extra: str = "", base: str = BASE):
    p = tmp_path / "c.yaml"
    p.write_text(base + extra)
    return load_catalog(p)


def test_default_tiers_scale_with_the_window(tmp_path):
    (slo,) = _catalog(tmp_path)
    assert {t.name: round(t.factor, 4) for t in slo.alert_tiers} == {
        "page_1h_5m": 3.36, "page_6h_30m": 1.4, "ticket_1d_2h": 0.7, "ticket_3d_6h": 0.2333}


def test_catalog_tiers_exclusions_policy_group_by(tmp_path):
    (slo,) = _catalog(tmp_path, """    group_by: [endpoint]
    alerting: {tiers: [{name: fast, severity: page, long: 1h, short: 5m, factor: 10}]}
    exclude: [{start: 2026-10-27T02:00:00Z, end: 2026-10-27T04:00:00Z, reason: drill}]
    policy: [{below: 50, action: "look at {slo} of {service}"}, {below: 0, action: freeze}]
""")
    (tier,) = slo.alert_tiers
    assert tier.factor == 10 and tier.budget_pct == pytest.approx(100 * 10 * 3600 / (7 * 86400))
    assert slo.group_by == ("endpoint",) and slo.exclusions[0].reason == "drill"
    assert policy_action(slo.policy, -5, "s", "shop")[1] == "freeze"
    assert policy_action(slo.policy, 20, "s", "shop")[1] == "look at s of shop"
    assert policy_action(slo.policy, 80, "s", "shop") is None


@pytest.mark.parametrize("extra,message", [
    ("    alerting: {tiers: [{name: f, severity: page, long: 1h, short: 5m, factor: 2000}]}\n",
     "alerting tier f can never fire: factor 2000 ≥ maximum burn rate 1000"),
    ("    alerting: {tiers: [{name: f, severity: page, long: 30d, short: 5m, budget_consumed: 2}]}\n",
     "long window 30d exceeds the SLO period 1w"),
    ("    exclude: [{start: 2026-10-27T04:00:00Z, end: 2026-10-27T02:00:00Z, reason: x}]\n", "end must be after start"),
    ("    group_by: [le]\n", "group_by label 'le' is not a usable label name"),
    ("    policy: [{below: x, action: y}]\n", "expected a number"),
])
def test_bad_alerting_input_is_one_line(tmp_path, extra, message):
    with pytest.raises(ConfigError) as ei:
        _catalog(tmp_path, extra)
    assert message in str(ei.value) and "\n" not in str(ei.value)


def test_group_by_label_no_series_has_and_exclusion_outside_the_window(tmp_path):
    slos = _catalog(tmp_path, "    group_by: [endpoint]\n", BASE.replace("req_total", "req_total").replace("7d", "1h"))
    with pytest.raises(ConfigError, match="group_by label 'endpoint' is on no series the SLO reads"):
        evaluate(slos, samples_from(np.full(61, 10.0), np.zeros(61)))
    slos = _catalog(tmp_path, "    exclude: [{start: 2020-01-01T00:00:00Z, end: 2020-01-02T00:00:00Z, reason: old}]\n",
                    BASE.replace("7d", "1h"))
    rep = evaluate(slos, samples_from(np.full(61, 10.0), np.zeros(61))).reports[0]
    assert any(w.startswith("exclusion 2020-01-01T00:00:00Z – 2020-01-02T00:00:00Z (old) lies outside") for w in rep.warnings)


def test_grouped_slo_is_one_slo_per_label_value(tmp_path):
    ts = T0 + STEP * np.arange(61)
    parts = [({"__name__": "req_total", "code": code, "endpoint": ep}, ts, counter(np.full(61, n)))
             for ep, bad in (("/a", 0.0), ("/b", 50.0)) for code, n in (("200", 1000.0), ("500", bad))]
    slos = _catalog(tmp_path, "    group_by: [endpoint]\n", BASE.replace("7d", "1h"))
    ev = evaluate(slos, build(parts))
    assert [r.name for r in ev.reports] == ['s{endpoint="/a"}', 's{endpoint="/b"}']
    assert [r.status for r in ev.reports] == ["PASS", "FAIL"] and ev.results[1].slo.parent == "s"


def test_nan_inf_negative_and_odd_decreases_are_named_per_series():
    ts = T0 + STEP * np.arange(6)
    s = build([({"__name__": "c", "i": "1"}, ts, np.array([1.0, np.nan, 3, np.inf, -1, 5])),
               ({"__name__": "c", "i": "2"}, ts, np.array([100.0, 90, 80, 85, 86, 87]))])
    assert s.nan_by_series == {'c{i="1"}': 1}
    _, _, info = counter_bins(s, [0, 1], make_grid(s))
    assert info["invalid"] == {'c{i="1"}': 2} and info["suspicious_decreases"] == {'c{i="2"}': 2}
    info["nan"] = s.nan_by_series
    warns = series_warnings(info)
    assert warns[0].startswith("1 NaN sample(s) (Prometheus staleness markers) dropped: c{i=\"1\"}: 1")
    assert "+Inf/−Inf or negative" in warns[1] and 'c{i="2"}: 2' in warns[2]
