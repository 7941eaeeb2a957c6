"""Burn rates, tiers and calendar windows, against loops and known dates."""

from __future__ import annotations

import math

import numpy as np

from analysis.slo import budget as B
from analysis.slo.evaluate import evaluate
from analysis.slo.objectives import Window
from analysis.slo.series import build
from analysis.slo.sli import make_grid
from tests.unit.slo.helpers import ratio_slo, samples_from


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


def test_tier_notes():
    notes = B.tier_notes(0.8, 60)
    assert set(notes) == {"page_1h_5m", "page_6h_30m"}
    assert "short window" in B.tier_notes(0.999, 600)["page_1h_5m"]


def test_calendar_window_bounds():
    at = 1_790_000_000.0  # 2026-09-21T...
    start, end, pe = B.window_bounds(Window("calendar", unit="month", timezone="UTC"), at)
    assert start == 1_788_220_800.0 and end == at and pe == 1_790_812_800.0  # Sep 1 / Oct 1
    s2, _, _ = B.window_bounds(Window("calendar", unit="month", timezone="UTC"), 1_790_812_800.0)
    assert s2 == 1_788_220_800.0  # at a boundary: the month that just ended


def test_window_span_lengths_and_bins():
    s = build([({"__name__": "c"}, 1_790_000_000.0 + 60 * np.arange(100), np.arange(100.0))])
    grid = make_grid(s)
    at = grid.end
    rolling = B.window_span(Window("rolling", seconds=600), at, grid)
    assert rolling.window_s == 600 and (rolling.b - rolling.a + 1) == 10 and rolling.b == grid.n - 1
    cal = B.window_span(Window("calendar", unit="month"), at, grid)
    assert cal.window_s == 1_790_812_800.0 - 1_788_220_800.0 and cal.a == 0  # the whole of September


def test_alert_state_fires_and_backtests_over_the_window():
    n = 24 * 60
    good = np.full(n, 1000.0)
    bad = np.zeros(n)
    bad[1380:] = 200  # the last hour burns at ~167x
    ev = evaluate([ratio_slo(window=Window("rolling", seconds=86400))], samples_from(good, bad)).results[0].events
    state = B.alert_state(ev, 0.999, 0, ev.grid.n - 1, 60.0)
    assert "page_1h_5m" in state.firing_now and state.burn_rates["1h"] > 14.4
    assert len(state.backtest["page_1h_5m"]) == 1 and state.backtest["page_1h_5m"][0][1] == ev.grid.end
    assert set(state.firing) == {t.name for t in B.DEFAULT_TIERS} and not state.notes


def _hourly_events(start: str, end: str, good: float = 99.0, valid: float = 100.0) -> "Events":
    """Events of one bin per hour whose data spans ``start`` – ``end`` (UTC)."""
    import pandas as pd

    from analysis.slo.sli import Events, Grid

    t0, t1 = pd.Timestamp(start).timestamp(), pd.Timestamp(end).timestamp()
    n = int((t1 - t0) // 3600)
    grid = Grid(t0 + 3600, 3600.0, n)  # bin k covers (t0 + k h, t0 + (k + 1) h]
    return Events(grid, np.full(n, good), np.full(n, valid), np.ones(n, bool))


def test_a_calendar_period_the_data_does_not_span_is_partial_never_compliant_or_violated():
    """October is spanned; November (half) and 2026Q4 (a third) are partial — in words, not True/False/None."""
    ev = _hourly_events("2026-10-01T00:00:00Z", "2026-11-15T00:00:00Z")
    months = B.periods_table(ev, 0.95, "month").set_index("period")
    assert months.loc["2026-10", "compliance"] == "compliant" and months.loc["2026-10", "coverage_pct"] == 100.0
    assert months.loc["2026-11", "compliance"] == "partial (47 % covered)"
    assert B.periods_table(ev, 0.995, "month").set_index("period").loc["2026-10", "compliance"] == "violated"
    quarter = B.periods_table(ev, 0.95, "quarter").iloc[0]
    assert quarter["period"] == "2026Q4" and quarter["compliance"] == "partial (49 % covered)"
    late = _hourly_events("2026-10-02T00:00:00Z", "2026-11-01T00:00:00Z")  # the data starts a day late
    assert B.periods_table(late, 0.95, "month")["compliance"].tolist() == ["partial (97 % covered)"]
    cells = B.periods_table(ev, 0.95, "week")["compliance"]
    assert not cells.isin([True, False, None, "True", "False", "None"]).any()


def test_period_compliance_in_words():
    assert B.period_compliance(None, 10.0, True, 100.0) == "undetermined (SLI straddles the target)"
    assert B.period_compliance(None, 0.0, True, 100.0) == "no traffic"
    assert B.period_compliance(True, 10.0, False, 32.55) == "partial (33 % covered)"
