"""Whole evaluations of small synthetic counters: edge cases, tiers, bounds, timeslices, no data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.errors import DataError
from analysis.promql import parse_selector
from analysis.slo.evaluate import evaluate
from analysis.slo.objectives import SLI, SLO, Window
from analysis.slo.series import build
from analysis.timeparse import iso
from tests.unit.slo.helpers import STEP, T0, ratio_slo, samples_from

# slo-generator-style named edge cases: good/bad events in the window → expectations
CASES = {
    "exactly_on_target": dict(good=999, bad=1, target=0.999, compliant=True, status="PASS"),
    "one_over": dict(good=998, bad=2, target=0.999, compliant=False, status="FAIL"),
    "zero_traffic": dict(good=0, bad=0, target=0.999, compliant=None, status="NO_DATA"),
    "all_bad": dict(good=0, bad=10, target=0.99, compliant=False, status="FAIL"),
}


@pytest.mark.parametrize("case", CASES)
def test_edge_cases(case):
    c = CASES[case]
    n = 61
    good = np.zeros(n)
    bad = np.zeros(n)
    good[10], bad[20] = c["good"], c["bad"]
    s = samples_from(good, bad)
    rep = evaluate([ratio_slo(c["target"])], s).reports[0]
    assert rep.compliant is c["compliant"] and rep.status == c["status"]
    assert rep.good_events == c["good"] and rep.bad_events == c["bad"]
    if c["status"] != "NO_DATA":
        budget = (1 - c["target"]) * (c["good"] + c["bad"])
        assert math.isclose(rep.budget_events, budget)
        assert math.isclose(rep.budget_remaining, budget - c["bad"])  # negative when overspent, not clamped
        assert math.isclose(rep.budget_remaining_pct, 100 * (budget - c["bad"]) / budget)
    else:
        assert rep.sli is None and rep.budget_remaining_pct is None and "zero traffic" in rep.no_data_reason


def test_tier_fires_in_backtest():
    n = 24 * 60
    good = np.full(n, 1000.0)
    bad = np.zeros(n)
    bad[600:660] = 200  # 1 hour at ~17 % errors: burn ≈ 167× on a 99.9 % SLO
    s = samples_from(good, bad)
    rep = evaluate([ratio_slo(window=Window("rolling", seconds=30 * 86400))], s).reports[0]
    fired = rep.alert_backtest["page_1h_5m"]
    assert len(fired) == 1
    # reference: first/last minute where both the 1 h and the 5 m error ratios exceed 14.4 × 0.1 %
    def ratio(k, w):
        lo = max(k - w + 1, 0)
        return bad[lo:k + 1].sum() / (good[lo:k + 1].sum() + bad[lo:k + 1].sum())
    firing = [k for k in range(1, n) if ratio(k, 60) > 0.0144 and ratio(k, 5) > 0.0144]
    assert fired[0] == [iso(T0 + STEP * firing[0]), iso(T0 + STEP * firing[-1])]
    assert firing[0] == 604  # the 1 h window needs 2 % of the budget first


def test_tier_factors_scale_with_the_window():
    """2 % of a 1-day budget in 1 h is a burn rate of 0.48, not 14.4: the same hour pages at its first minute."""
    n = 24 * 60
    good, bad = np.full(n, 1000.0), np.zeros(n)
    bad[600:660] = 200
    ev = evaluate([ratio_slo(window=Window("rolling", seconds=86400))], samples_from(good, bad))
    (res,) = ev.results
    factors = {t.name: t.factor for t in res.slo.alert_tiers}
    assert factors == pytest.approx({"page_1h_5m": 0.48, "page_6h_30m": 0.2, "ticket_1d_2h": 0.1})
    assert "ticket_3d_6h" in res.report.tier_notes and "exceeds the SLO period 1d" in res.report.tier_notes["ticket_3d_6h"]
    assert res.report.alert_backtest["page_1h_5m"][0][0] == iso(T0 + STEP * 600)


def test_latency_bounds_between_buckets():
    ts = T0 + STEP * np.arange(3)
    lab = {"__name__": "lat_seconds_bucket"}
    s = build([({**lab, "le": "1.0"}, ts, np.array([0, 900, 1800.0])),
               ({**lab, "le": "2.5"}, ts, np.array([0, 995, 1990.0])),
               ({**lab, "le": "+Inf"}, ts, np.array([0, 1000, 2000.0]))])
    slo = SLO("lat", 0.95, Window("rolling", seconds=600), SLI("latency", metric="lat_seconds", threshold_s=2.0))
    rep = evaluate([slo], s).reports[0]
    assert math.isclose(rep.sli_lower, 0.9) and math.isclose(rep.sli_upper, 0.995)
    assert rep.compliant is None and rep.status == "WARN"
    assert math.isclose(rep.sli_interpolated, 0.9 + 0.095 * (1.0 / 1.5))
    assert any("not a bucket boundary" in w for w in rep.warnings)


def test_interpolation_only_when_asked():
    ts = 1_700_000_040.0 + 60 * np.arange(2)
    lab = {"__name__": "lat_seconds_bucket"}
    parts = [({**lab, "le": "1.0"}, ts, np.array([0, 900.0])), ({**lab, "le": "2.5"}, ts, np.array([0, 1000.0])),
             ({**lab, "le": "+Inf"}, ts, np.array([0, 1000.0]))]
    s = build(parts)
    for interp, expected in ((False, None), (True, 0.9 + 0.1 * (1 / 1.5))):
        slo = SLO("lat", 0.95, Window("rolling", seconds=60),
                  SLI("latency", metric="lat_seconds", threshold_s=2.0, interpolate=interp))
        rep = evaluate([slo], s).reports[0]
        if interp:
            assert math.isclose(rep.sli, expected) and rep.compliant is True
        else:
            assert rep.sli == 0.9 and rep.compliant is None


def test_gauge_ratio_sli():
    ts = 1_700_000_040.0 + 60 * np.arange(10)
    s = build([({"__name__": "replicas_ready"}, ts, np.array([3, 3, 3, 2, 2, 3, 3, 3, 3, 3.0])),
               ({"__name__": "replicas_desired"}, ts, np.full(10, 3.0))])
    slo = SLO("ready", 0.9, Window("rolling", seconds=540),
              SLI("gauge_ratio", good=(parse_selector("replicas_ready"),), total=(parse_selector("replicas_desired"),)))
    rep = evaluate([slo], s).reports[0]
    # window (t0, t9]: samples 1..9 → good 25 of 27
    assert rep.good_events == 25 and rep.valid_events == 27


def test_timeslices_vs_occurrences_differ():
    # an attack: 10 minutes of 100 % errors at 10x traffic in a quiet hour
    n = 121
    good = np.full(n, 100.0)
    bad = np.zeros(n)
    bad[50:60] = 1000
    s = samples_from(good, bad)
    rep = evaluate([ratio_slo(0.99, window=Window("rolling", seconds=7200), slice_s=60)], s).reports[0]
    assert rep.compliant is False  # occurrences: 10000 bad of 22000
    ts = rep.timeslices
    assert ts["with_traffic"] == 120 and ts["bad"] == 10 and ts["good"] == 110
    assert ts["compliant"] is False  # 110/120 < 99 %


def test_window_outside_the_data_is_no_data_not_zero_traffic():
    s = samples_from(np.full(30, 10.0), np.zeros(30))
    rep = evaluate([ratio_slo()], s, at=T0 - 86400).reports[0]
    assert rep.status == "NO_DATA" and "no samples in the window" in rep.no_data_reason


def test_ratio_timeslices_is_the_mean_of_slice_slis():
    n = 121
    good = np.full(n, 100.0)
    bad = np.zeros(n)
    bad[50:60] = 1000  # 10 slices at SLI 100/1100
    s = samples_from(good, bad)
    slo = ratio_slo(0.99, window=Window("rolling", seconds=7200), slice_s=60, method="ratio_timeslices")
    rep = evaluate([slo], s).reports[0]
    expected = (110 * 1.0 + 10 * (100 / 1100)) / 120
    assert math.isclose(rep.timeslices["mean_slice_sli"], expected)
    assert rep.compliant is False and math.isclose(rep.budget_consumed_pct, 100 * (1 - expected) / 0.01)


def test_default_evaluation_time_is_the_end_of_the_data():
    ev = evaluate([ratio_slo()], samples_from(np.full(30, 10.0), np.zeros(30)))
    assert ev.at == T0 + STEP * 29 and ev.reports[0].window_end == iso(T0 + STEP * 29)
    assert ev.samples_info["series"] == 2 and ev.samples_info["samples"] == 60


def test_no_samples_at_all_is_a_data_error():
    empty = build([])
    with pytest.raises(DataError, match="no samples"):
        evaluate([ratio_slo()], empty)
