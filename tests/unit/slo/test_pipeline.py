"""Wiring: parameters → catalog → source → evaluation (exports; the live path is tested against a real server)."""

from __future__ import annotations

import math
from pathlib import Path

from analysis.params import validate
from analysis.slo.catalog import load_catalog
from analysis.slo.params import SloParams
from analysis.slo.pipeline import live_range, run

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data" / "slo"
CATALOG = """slos:
  - name: avail
    target: 99
    window: 10m
    sli: {ratio: {good: 'http_requests_total{status!~"5.."}', total: http_requests_total}}
"""


def test_export_run_pins_the_evaluation_time(tmp_path):
    cat = tmp_path / "c.yaml"
    cat.write_text(CATALOG)
    p = validate(SloParams, {"catalog": str(cat), "export_paths": [str(DATA / "tiny.om")],
                             "evaluation_time": "2023-11-14T22:17:00Z", "window_override": "3m"})
    ev = run(p)
    (rep,) = ev.reports
    assert ev.at == 1700000220.0 and rep.window_end == "2023-11-14T22:17:00Z" and rep.window == "rolling 3m"
    assert ev.samples_info["origin"] == "tiny.om (openmetrics)"


def test_export_run_defaults_to_the_end_of_the_data(tmp_path):
    cat = tmp_path / "c.yaml"
    cat.write_text(CATALOG)
    ev = run(validate(SloParams, {"catalog": str(cat), "export_paths": [str(DATA / "tiny_matrix.json")]}))
    assert ev.samples_info["last"] == "2023-11-14T22:17:20Z"  # 1700000240
    # the end of the data on the 60 s grid that starts at floor(1700000000 / 60) * 60 = 1699999980
    assert ev.at == 1699999980 + 5 * 60 and ev.reports[0].window_end == "2023-11-14T22:18:00Z"


def test_live_range_covers_the_longest_window_and_alert_window():
    slos = load_catalog(ROOT / "slo" / "infra_mind.yaml")
    at = 1_793_491_200.0  # 2026-11-01T00:00:00Z
    start, end = live_range(slos, at, 60.0)
    assert end == at and start % 60 == 0
    # the calendar month of October (31 days) plus the 3-day ticket window plus one step
    assert start == math.floor((at - 31 * 86400 - 3 * 86400 - 60) / 60) * 60
