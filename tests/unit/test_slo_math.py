"""SLI, budget and burn-rate math against independent loop implementations and a table of edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.slo import budget as B
from analysis.slo.catalog import SLI, SLO, Window
from analysis.slo.report import evaluate
from analysis.slo.samples import build
from analysis.slo.selector import parse_selector
from analysis.slo.sli import counter_bins, make_grid

STEP = 60.0
T0 = 1_700_000_040.0  # a multiple of 60


def counter(incs, start=0.0, reset_at=None):
    v = np.cumsum(np.asarray(incs, float)) + start
    if reset_at is not None:
        v[reset_at:] = np.cumsum(np.asarray(incs, float)[reset_at:])
    return v


def ratio_slo(target=0.999, window=Window("rolling", seconds=3600), name="s", **kw):
    return SLO(name=name, target=target, window=window,
               sli=SLI("ratio", good=(parse_selector('req_total{code="200"}'),), total=(parse_selector("req_total"),)),
               **kw)


def samples_from(good_inc, bad_inc, drop=()):
    n = len(good_inc)
    ts = T0 + STEP * np.arange(n)
    keep = np.ones(n, bool)
    keep[list(drop)] = False
    return build([({"__name__": "req_total", "code": "200"}, ts[keep], counter(good_inc)[keep]),
                  ({"__name__": "req_total", "code": "500"}, ts[keep], counter(bad_inc)[keep])])


def test_counter_bins_match_loop_with_resets_and_gaps():
    rng = np.random.default_rng(3)
    n = 500
    vals = counter(rng.integers(0, 20, n), start=1000, reset_at=200)
    ts = T0 + STEP * np.arange(n)
    keep = np.ones(n, bool)
    keep[300:310] = False  # scrape gap
    s = build([({"__name__": "c"}, ts[keep], vals[keep])])
    grid = make_grid(s)
    inc, present, info = counter_bins(s, [0], grid)
    kv = vals[keep]
    expected = 0.0
    for a, b in zip(kv, kv[1:]):
        expected += b - a if b >= a else b
    assert inc.sum() == expected
    assert info["resets"] == 1 and len(info["gaps"]) == 1
    assert not present[grid.index(ts[305])]
    # the increase over the gap lands in the first bin after it
    k_after = grid.index(ts[310])
    assert inc[k_after] == vals[310] - vals[299]


def test_burn_rate_series_matches_loop():
    rng = np.random.default_rng(5)
    n = 400
    good, bad = rng.integers(50, 100, n), rng.integers(0, 3, n)
    bad[100:110] = 40
    good[200:230] = 0
    bad[200:230] = 0  # zero traffic
    s = samples_from(good, bad)
    ev = evaluate([ratio_slo()], s).results[0].events
    target = 0.999
    br = B.burn_rate_series(ev, target, 600)
    for k in (5, 50, 105, 215, 399):
        lo = max(k - 9, 0)
        v = ev.valid[lo:k + 1].sum()
        exp = (ev.bad[lo:k + 1].sum() / v) / (1 - target) if v else math.nan
        assert (math.isnan(exp) and math.isnan(br[k])) or math.isclose(br[k], exp, rel_tol=1e-12)


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


def test_tier_fires_in_backtest_and_never_fire_flag():
    n = 24 * 60
    good = np.full(n, 1000.0)
    bad = np.zeros(n)
    bad[600:660] = 200  # 1 hour at ~17 % errors: burn ≈ 167× on a 99.9 % SLO
    s = samples_from(good, bad)
    rep = evaluate([ratio_slo(window=Window("rolling", seconds=86400))], s).reports[0]
    fired = rep.alert_backtest["page_1h_5m"]
    assert len(fired) == 1
    # reference: first/last minute where both the 1 h and the 5 m error ratios exceed 14.4 × 0.1 %
    def ratio(k, w):
        lo = max(k - w + 1, 0)
        return bad[lo:k + 1].sum() / (good[lo:k + 1].sum() + bad[lo:k + 1].sum())
    firing = [k for k in range(1, n) if ratio(k, 60) > 0.0144 and ratio(k, 5) > 0.0144]
    from analysis.slo.report import iso
    assert fired[0] == [iso(T0 + STEP * firing[0]), iso(T0 + STEP * firing[-1])]
    assert firing[0] == 604  # the 1 h window needs 2 % of the budget first
    notes = B.tier_notes(0.8, 60)
    assert set(notes) == {"page_1h_5m", "page_6h_30m"}
    assert "short window" in B.tier_notes(0.999, 600)["page_1h_5m"]


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


def test_calendar_window_bounds():
    at = 1_790_000_000.0  # 2026-09-21T...
    start, end, pe = B.window_bounds(Window("calendar", unit="month", timezone="UTC"), at)
    assert start == 1_788_220_800.0 and end == at and pe == 1_790_812_800.0  # Sep 1 / Oct 1
    s2, _, _ = B.window_bounds(Window("calendar", unit="month", timezone="UTC"), 1_790_812_800.0)
    assert s2 == 1_788_220_800.0  # at a boundary: the month that just ended


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


def test_seed_comparison_clamps_and_crashes_like_the_seed():
    from analysis.slo.report import seed_comparison

    n = 61
    good, bad = np.zeros(n), np.zeros(n)
    good[10], bad[20] = 99_700, 300  # 0.3 % errors on a 99.9 % SLO: 200 % of the budget consumed
    ev = evaluate([ratio_slo(0.999, name="over"), ratio_slo(0.999, name="idle",
                                                             window=Window("rolling", seconds=60))],
                  samples_from(good, bad))
    df = seed_comparison(ev).set_index("slo")
    assert df.loc["over", "seed_remaining_%"] == 0.0 and df.loc["over", "true_remaining_%"] == -200.0
    assert df.loc["over", "seed_says"] == "violated, exhausted"
    assert df.loc["idle", "seed_says"] == "crash"  # total 0 → ZeroDivisionError in the seed
