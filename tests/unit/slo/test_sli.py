"""Samples → events per bin, against an independent loop implementation."""

from __future__ import annotations

import math

import numpy as np

from analysis.slo.objectives import SLI, SLO, Window
from analysis.slo.series import build
from analysis.slo.sli import counter_bins, events_for, make_grid
from tests.unit.slo.helpers import STEP, T0, counter


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


def test_grid_covers_every_sample_at_the_data_resolution():
    s = build([({"__name__": "c"}, T0 + 15 * np.arange(9), np.arange(9.0))])
    grid = make_grid(s, until=T0 + 300)
    assert grid.res == 15 and grid.origin <= T0 and grid.end >= T0 + 300
    assert grid.index(T0 + 15) - grid.index(T0) == 1


def test_latency_events_between_buckets_are_bounds():
    ts = T0 + STEP * np.arange(2)
    lab = {"__name__": "lat_seconds_bucket"}
    s = build([({**lab, "le": "1.0"}, ts, np.array([0, 900.0])), ({**lab, "le": "2.5"}, ts, np.array([0, 1000.0])),
               ({**lab, "le": "+Inf"}, ts, np.array([0, 1000.0]))])
    slo = SLO("lat", 0.95, Window("rolling", seconds=60), SLI("latency", metric="lat_seconds", threshold_s=2.0))
    ev = events_for(slo, s, make_grid(s))
    assert ev.good.sum() == 900 and ev.good_upper.sum() == 1000 and ev.valid.sum() == 1000
    assert math.isclose(ev.good_interp.sum(), 900 + 100 / 1.5)
    assert ev.info["bucket_lower"] == 1.0 and ev.info["bucket_upper"] == 2.5


def test_histogram_without_inf_bucket_has_no_events():
    ts = T0 + STEP * np.arange(2)
    s = build([({"__name__": "lat_seconds_bucket", "le": "1.0"}, ts, np.array([0, 9.0]))])
    slo = SLO("lat", 0.95, Window("rolling", seconds=60), SLI("latency", metric="lat_seconds", threshold_s=1.0))
    ev = events_for(slo, s, make_grid(s))
    assert ev.valid.sum() == 0 and ev.info["error"] == "no le=+Inf bucket"
