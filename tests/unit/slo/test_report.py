"""Tables, the CLI's JSON and the verdict of an evaluation."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.record import Verdict
from analysis.slo.evaluate import evaluate
from analysis.slo.objectives import Window
from analysis.slo.report import counts, seed_comparison, summary_table, tier_table, verdict, write_json
from tests.unit.slo.helpers import ratio_slo, samples_from


def test_seed_comparison_clamps_and_crashes_like_the_seed():
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


def _evaluation(bad_minute: float):
    n = 61
    good, bad = np.full(n, 980.0), np.zeros(n)
    bad[30] = bad_minute
    return evaluate([ratio_slo(0.99, name="avail"), ratio_slo(0.99, name="idle", window=Window("rolling", seconds=60))],
                    samples_from(good, bad))


def test_verdict_fails_on_an_overspent_budget():
    ev = _evaluation(bad_minute=1200.0)  # 1200 of 60000 = 2 % errors over the hour on a 1 % budget
    v = verdict(ev)
    assert isinstance(v, Verdict) and v.status == "FAIL"
    assert v.headline == "1 of 2 SLOs met; avail budget overspent by 100 % (evaluated at 2023-11-14T23:14:00Z)"
    assert v.figures["violated"] == 1 and v.figures["budget left % · avail"] == -100.0
    assert v.figure_info["budget left % · avail"] == {"unit": "%", "higher_is_better": True, "noise": 1.0, "key": False,
                                                     "label": "Error budget left: avail"}
    assert "budget left % · avail" not in v.key_figures() and "violated" in v.key_figures()
    assert v.next_steps[0].startswith("avail: error budget spent (200% consumed)")
    # a 1 h SLO keeps only the 1 h/5 m page (2 % of its 1 h budget: factor 0.02); the last 5 minutes are clean
    assert v.next_steps[1:] == []


def test_verdict_passes_when_every_slo_is_met():
    v = verdict(_evaluation(bad_minute=6.0))
    assert v.status == "PASS" and v.headline == "2 of 2 SLOs met (evaluated at 2023-11-14T23:14:00Z)"
    assert v.next_steps == ["Keep the burn-rate alerts deployed; re-run monthly to keep the period table current"]


def test_verdict_warns_on_no_data():
    good, bad = np.zeros(61), np.zeros(61)
    v = verdict(evaluate([ratio_slo(0.99, name="quiet")], samples_from(good, bad)))
    assert v.status == "WARN" and v.headline == "0 of 1 SLOs met; 1 without data (evaluated at 2023-11-14T23:14:00Z)"
    assert v.next_steps[0].startswith("quiet: no valid events in the window")


def test_tables_and_json():
    ev = _evaluation(bad_minute=6.0)
    assert counts(ev)["compliant"] == 2 and counts(ev)["no_data"] == 0
    table = summary_table(ev)
    assert table["slo"].tolist() == ["avail", "idle"] and table["status"].tolist() == ["PASS", "PASS"]
    tiers = tier_table(ev)
    assert set(tiers["tier"]) == {"page_1h_5m", "page_6h_30m", "ticket_1d_2h", "ticket_3d_6h"}
    page = tiers[(tiers["slo"] == "avail") & (tiers["tier"] == "page_1h_5m")].iloc[0]
    assert page["factor"] == pytest.approx(0.02) and page["budget_share_%"] == 2 and page["of_period"] == "1h"
    assert "exceeds the SLO period 1h" in tiers[(tiers["slo"] == "avail") & (tiers["tier"] == "ticket_3d_6h")].iloc[0]["note"]
    payload = write_json(ev)
    json.dumps(payload, allow_nan=False)  # JSON-safe: numpy values and NaN are gone
    assert payload[0]["name"] == "avail" and payload[0]["sli_measurement"] == payload[0]["sli"]


def test_key_figures_have_human_labels_and_no_timestamp():
    v = verdict(_evaluation(bad_minute=6.0))
    assert "evaluated_at" not in v.figures  # the evaluation time is in the headline, not a figure
    key = v.key_figures()
    assert list(key) == ["compliant", "violated", "undetermined", "budget_exhausted", "no_data", "alerts_firing_now"]
    labels = {name: v.figure_info[name]["label"] for name in key}
    assert labels["no_data"] == "SLOs without data" and labels["alerts_firing_now"] == "SLOs with an alert firing now"
    assert all("_" not in label for label in labels.values()) and {v.figure_info[n]["unit"] for n in key} == {"SLOs"}
    assert v.figures["samples dropped"] == 0 and v.figure_info["samples dropped"]["key"] is False  # clean: history only


def test_dropped_samples_and_odd_decreases_reach_the_headline_and_the_key_figures():
    from analysis.slo.series import build
    from tests.unit.slo.helpers import STEP, T0, counter

    n = 61
    ts = T0 + STEP * np.arange(n)
    good = counter(np.full(n, 980.0))
    good[20] = np.nan  # a staleness marker
    good[40] = np.inf
    bad = counter(np.full(n, 1.0))
    bad[50:] -= 3  # a decrease that does not look like a restart
    ev = evaluate([ratio_slo(0.99, name="avail")],
                  build([({"__name__": "req_total", "code": "200"}, ts, good),
                         ({"__name__": "req_total", "code": "500"}, ts, bad)]))
    v = verdict(ev)
    assert v.status == "WARN"
    assert ("data quality: 1 NaN staleness marker and 1 +Inf/−Inf or negative counter value dropped, 1 counter "
            "decrease that does not look like a restart") in v.headline
    assert v.figures["samples dropped"] == 2 and v.figures["suspicious counter decreases"] == 1
    assert {"samples dropped", "suspicious counter decreases"} <= set(v.key_figures())
    assert v.figure_info["samples dropped"]["label"] == "Samples dropped (NaN staleness markers, ±Inf, negative values)"
    # ... and the run's index page shows both (headline and key figure), the way the runner records the verdict
    from analysis.runner import NotebookResult, RunSummary, render_index

    nb = NotebookResult("03_slo_error_budgets", v.status, v.headline, v.figures, figure_info=v.figure_info)
    page = render_index(RunSummary("s", "f", None, [nb]))
    assert "Samples dropped (NaN staleness markers, ±Inf, negative values): <b>2 samples</b>" in page
    assert "data quality: 1 NaN staleness marker and 1 +Inf/−Inf or negative counter value dropped" in page
