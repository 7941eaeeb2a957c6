"""Data-quality facts and warnings of one SLO's window."""

from __future__ import annotations

import numpy as np

from analysis.slo import budget as B
from analysis.slo.objectives import Window
from analysis.slo.quality import data_quality
from analysis.slo.sli import events_for, make_grid
from analysis.timeparse import iso
from tests.unit.slo.helpers import STEP, T0, ratio_slo, samples_from


def test_gap_reset_and_zero_traffic_are_reported():
    n = 240
    good, bad = np.full(n, 10.0), np.zeros(n)
    good[100:170] = 0  # 70 minutes without traffic
    s = samples_from(good, bad, drop=range(200, 206))  # a 7-minute scrape gap
    slo = ratio_slo(window=Window("rolling", seconds=5 * 3600))
    grid = make_grid(s)
    ev = events_for(slo, s, grid)
    span = B.window_span(slo.window, grid.end, grid)
    facts, warns = data_quality(s, ev, span, grid.res)
    assert facts["scrape_gaps"] == [[iso(T0 + STEP * 199), iso(T0 + STEP * 206)]]
    assert facts["zero_traffic_seconds"] == 71 * 60  # the 70 minutes, plus the first sample (no increase yet)
    assert facts["zero_traffic_intervals"] == [[iso(T0 + STEP * 100 - 60), iso(T0 + STEP * 169)]]
    assert facts["no_data_seconds"] == 6 * 60 and facts["counter_resets"] == 0 and facts["series"] == 2
    assert warns[0].startswith("window starts ") and "before the first sample" in warns[0]
    assert any(w.startswith("1 scrape gap(s) in the window (longest 7m)") for w in warns)
    assert any(w.startswith("1 zero-traffic interval(s) of 1 h or more") for w in warns)


def test_clean_data_has_no_warnings():
    s = samples_from(np.full(120, 10.0), np.zeros(120))
    slo = ratio_slo(window=Window("rolling", seconds=3600))
    grid = make_grid(s)
    facts, warns = data_quality(s, events_for(slo, s, grid), B.window_span(slo.window, grid.end, grid), grid.res)
    assert warns == [] and facts["scrape_gaps"] == [] and facts["zero_traffic_seconds"] == 0


def _nan_inf_samples(extra_usable: bool = False):
    """The issue's export: one series whose only samples are ``[[1, "NaN"], [2, "+Inf"]]`` (and, optionally, a usable
    day of samples a day earlier, outside a 1 h window ending at t = 60)."""
    from analysis.slo.series import build

    ts, val = [1.0, 2.0], [float("nan"), float("inf")]
    if extra_usable:
        ts, val = [-86400.0, -86340.0, *ts], [5.0, 7.0, *val]
    return build([({"__name__": "req_total", "code": "200"}, np.array(ts), np.array(val))], origin="exp.json")


def test_an_slo_whose_samples_were_all_dropped_says_what_was_dropped_and_no_coverage_that_lies():
    from analysis.slo.evaluate import evaluate

    rep = evaluate([ratio_slo(0.99, name="avail")], _nan_inf_samples(), at=60.0).reports[0]
    assert rep.status == "NO_DATA"
    assert rep.no_data_reason == ("no usable samples in the window 1969-12-31T23:01:00Z – 1970-01-01T00:01:00Z: every "
                                  "sample of the SLO's series was dropped (1 NaN staleness marker and 1 +Inf/−Inf or "
                                  "negative counter value)")
    assert "covers" not in rep.no_data_reason
    assert rep.data["dropped_samples"] == {"nan": {'req_total{code="200"}': 1}, "invalid": {'req_total{code="200"}': 1}}
    assert rep.data["usable_samples"] is None
    assert not any(w.startswith("window starts") for w in rep.warnings)  # there is no first (usable) sample
    assert any("NaN sample(s) (Prometheus staleness markers) dropped" in w for w in rep.warnings)
    assert any("+Inf/−Inf or negative counter value(s) dropped" in w for w in rep.warnings)


def test_the_coverage_of_a_window_without_data_counts_only_usable_samples():
    from analysis.slo.evaluate import evaluate

    rep = evaluate([ratio_slo(0.99, name="avail")], _nan_inf_samples(extra_usable=True), at=60.0).reports[0]
    assert rep.no_data_reason == ("no usable samples in the window 1969-12-31T23:01:00Z – 1970-01-01T00:01:00Z (the "
                                  "SLO's usable samples cover 1969-12-31T00:00:00Z – 1969-12-31T00:01:00Z; dropped: 1 "
                                  "NaN staleness marker and 1 +Inf/−Inf or negative counter value)")


def test_dropped_counts_and_text():
    from analysis.slo.quality import dropped_counts, dropped_text

    counts = dropped_counts({"nan": {"a": 2, "b": 1}, "invalid": {}})
    assert counts == {"nan": 3} and dropped_text(counts) == "3 NaN staleness markers"
    assert dropped_text({}) == "" and dropped_text({"invalid": 1}) == "1 +Inf/−Inf or negative counter value"
