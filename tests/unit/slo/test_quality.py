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
