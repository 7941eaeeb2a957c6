"""SLI, compliance, budget figures, time to exhaustion and projection of one SLO's window."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.slo import budget as B
from analysis.slo.compliance import budget_figures, projection, sli_compliance, time_to_exhaustion
from analysis.slo.objectives import Window
from analysis.slo.sli import events_for, make_grid
from tests.unit.slo.helpers import ratio_slo, samples_from


def _window(slo, good, bad):
    s = samples_from(good, bad)
    grid = make_grid(s)
    return events_for(slo, s, grid), B.window_span(slo.window, grid.end, grid)


def test_occurrences_budget_is_counted_not_clamped():
    slo = ratio_slo(0.99, window=Window("rolling", seconds=3600))
    good, bad = np.full(61, 99.0), np.full(61, 2.0)  # 2 % errors on a 1 % budget
    ev, span = _window(slo, good, bad)
    warns: list[str] = []
    c = sli_compliance(slo, ev, span, warns)
    assert c.valid == 60 * 101 and c.bad == 120 and c.compliant is False and not warns
    bf = budget_figures(slo, ev, span, c, 60.0, warns)
    assert math.isclose(bf.budget_events, 0.01 * 6060) and math.isclose(bf.remaining, 60.6 - 120)
    assert math.isclose(bf.remaining_pct, 100 * (60.6 - 120) / 60.6)
    assert math.isclose(bf.budget_minutes, 0.6) and bf.compliant is False
    assert bf.timeslices["with_traffic"] == 12  # 5-minute slices over the hour


def test_timeslice_shorter_than_the_data_is_a_warning():
    slo = ratio_slo(0.99, window=Window("rolling", seconds=3600), slice_s=10, method="timeslices")
    ev, span = _window(slo, np.full(61, 100.0), np.zeros(61))
    warns: list[str] = []
    bf = budget_figures(slo, ev, span, sli_compliance(slo, ev, span, warns), 60.0, warns)
    assert warns == ["timeslice 10s is shorter than the data resolution 1m; slices of 1m used"]
    assert bf.compliant is True and bf.remaining_pct == 100


@pytest.mark.parametrize("remaining_pct,burn,expected", [
    (50.0, {"1h": 2.0, "6h": 9.0}, 0.5 * 86400 / 2.0),
    (50.0, {"1h": None, "6h": 4.0}, 0.5 * 86400 / 4.0),
    (-3.0, {"1h": 2.0}, 0.0),
    (50.0, {"1h": 0.0}, None),
    (None, {"1h": 2.0}, None),
])
def test_time_to_exhaustion(remaining_pct, burn, expected):
    assert time_to_exhaustion(remaining_pct, burn, 86400) == expected


def test_projection_of_a_rolling_window_is_the_last_day():
    slo = ratio_slo(0.99, window=Window("rolling", seconds=3600))
    good, bad = np.full(121, 98.0), np.full(121, 2.0)
    ev, span = _window(slo, good, bad)
    c = sli_compliance(slo, ev, span, [])
    proj, ok, basis = projection(slo, ev, span, c, span.start, 60.0)
    assert math.isclose(proj, 0.98) and ok is False and basis.startswith("next 1h at the last day's error ratio 2.000")
    idle = ev.__class__(ev.grid, ev.good * 0, ev.valid * 0, ev.present)
    assert projection(slo, idle, span, c, span.start, 60.0) == (None, None, "no traffic in the last day")
