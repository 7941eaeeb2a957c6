"""What an SLO is: durations, windows, targets, the window override."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from analysis.errors import ConfigError
from analysis.slo.catalog import load_catalog
from analysis.slo.objectives import (SLI, SLO, Window, bucket_at, le_value, format_duration, parse_duration, parse_target, parse_window,
                                     with_window)

ROOT = Path(__file__).resolve().parents[3]


def test_durations():
    assert parse_duration("1h30m", "x") == 5400
    assert parse_duration("3d", "x") == 259200
    assert format_duration(300) == "5m" and format_duration(86400 * 3) == "3d" and format_duration(90) == "90s"


def test_window_override():
    slos = with_window(load_catalog(ROOT / "slo" / "infra_mind.yaml"), "7d")
    assert {s.window.seconds for s in slos} == {7 * 86400}


def test_windows():
    assert parse_window("month", "w", None) == Window("calendar", unit="month")
    assert parse_window({"rolling": "28d"}, "w", None) == Window("rolling", seconds=28 * 86400)
    assert parse_window(None, "w", "30d").describe() == "rolling 30d"
    assert parse_window({"calendar": "quarter", "timezone": "Europe/Berlin"}, "w", None).describe() == \
        "calendar quarter (Europe/Berlin)"
    with pytest.raises(ConfigError, match="calendar window must be one of"):
        parse_window({"calendar": "fortnight"}, "w", None)


def test_targets():
    assert math.isclose(parse_target(99.9, "t", percent=True), 0.999)
    assert math.isclose(parse_target(0.95, "t", percent=False), 0.95)
    with pytest.raises(ConfigError, match="must be a number"):
        parse_target(True, "t", percent=True)


def test_slice_target_defaults_to_the_target():
    sli = SLI("ratio")
    assert SLO("a", 0.99, Window("rolling", seconds=60), sli).effective_slice_target == 0.99
    assert SLO("a", 0.99, Window("rolling", seconds=60), sli, slice_target=0.9).effective_slice_target == 0.9
    assert SLO("a", 0.999, Window("rolling", seconds=60), sli).target_pct == 99.9


def test_bucket_at_threshold_and_le_labels():
    assert bucket_at([0.1, 0.5, 1.0, math.inf], 0.5) == (0.5, 0.1, 1.0)
    assert bucket_at([0.1, 1.0, math.inf], 0.5) == (None, 0.1, 1.0)
    assert bucket_at([0.1, math.inf], 0.5) == (None, 0.1, None)  # +Inf is never a neighbour
    assert bucket_at([0.5000000000001], 0.5)[0] == 0.5000000000001  # exporters' float text
    assert [le_value(x) for x in ("0.25", "+Inf", "NaN", "abc", None)] == [0.25, math.inf, None, None, None]
