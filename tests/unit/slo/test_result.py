"""The per-SLO report's JSON: this workbook's fields plus slo-generator's."""

from __future__ import annotations

import pytest

from analysis.slo.result import SLOReport


def _report(**kw) -> SLOReport:
    base = dict(name="a", description="", target=99.0, window="rolling 1h", window_start=None, window_end=None,
                budgeting_method="occurrences", good_events=980.0, bad_events=20.0, valid_events=1000.0, sli=0.98,
                compliant=False, budget_events=10.0, budget_consumed=20.0, budget_consumed_pct=200.0,
                budget_remaining=-10.0, budget_remaining_pct=-100.0, budget_minutes=0.6,
                budget_remaining_minutes=-0.6, overspent_pct=100.0, burn_rates={"1h": 2.0}, alerts_firing=["x"],
                alert_backtest={}, time_to_exhaustion_s=0.0, status="FAIL",
                data={"window_seconds": 3600.0, "evaluated_at_unix": 1.7e9}, evaluated_at="2023-11-14T22:13:20Z")
    return SLOReport(**{**base, **kw})


def test_slo_generator_fields():
    d = _report().to_json()
    assert d["goal"] == 0.99 and d["gap"] == pytest.approx(-0.01) and d["error_budget_burn_rate"] == pytest.approx(2.0)
    assert d["error_minutes"] == pytest.approx(1.2) and d["error_budget_consumed_ratio"] == 2.0
    assert d["events_count"] == 1000.0 and d["alert"] is True and d["valid"] is True
    assert d["timestamp"] == 1.7e9 and d["timestamp_human"] == "2023-11-14T22:13:20Z"


def test_no_data_report_is_not_valid_and_says_why():
    d = _report(sli=None, status="NO_DATA", no_data_reason="metric x is not in the data", warnings=["w"]).to_json()
    assert d["valid"] is False and d["gap"] is None and d["error_budget_burn_rate"] is None
    assert d["errors"] == ["w", "metric x is not in the data"]
