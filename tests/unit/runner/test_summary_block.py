"""analysis.runner.summary_block: the executive summary that opens every report (pure HTML)."""

import re

from analysis.record import STATUS_COLOURS
from analysis.runner import NotebookResult
from analysis.runner.changes import Snapshot, compare
from analysis.runner.summary_block import figure_delta, figure_value, render_summary


def _result(status="FAIL"):
    return NotebookResult("03_slo", status, "5 of 9 SLOs met <b>", {"met": 5, "p95": 1234.5, "budget left % api": -43.0},
                          figure_info={"p95": {"unit": "ms", "higher_is_better": False, "noise": 1.0, "key": True},
                                       "budget left % api": {"unit": "%", "key": False}},
                          next_steps=["one", "two", "three", "four"])


def test_banner_headline_key_figures_steps_and_contents():
    page = render_summary(_result(), title="03 · SLOs", toc=[("Budgets", "Budgets & burn")], run_id="R2", started="S")
    assert page.startswith('<section class="im-summary" id="executive-summary"')
    assert f'style="background:{STATUS_COLOURS["FAIL"]}"><span class="im-status">FAIL</span><h1>03 · SLOs</h1>' in page
    assert "5 of 9 SLOs met &lt;b&gt;" in page
    assert "<td>p95</td><td class=\"im-num\">1,234 ms</td>" in page and "<td>met</td>" in page
    assert "budget left % api" not in page  # not a key figure
    assert re.findall(r"<li>(\w+)</li>", page)[:3] == ["one", "two", "three"] and "<li>four</li>" not in page
    assert "1 more in the verdict" in page
    assert '<a href="#Budgets">Budgets &amp; burn</a>' in page
    assert "First run with these parameters: nothing to compare yet." in page
    assert "Run R2 · started S" in page


def test_change_since_the_baseline():
    before = {"03_slo": Snapshot("PASS", "all met", {"met": 9, "p95": 900.0})}
    r = _result()
    (change,) = compare(before, {"03_slo": Snapshot(r.status, r.headline, r.figures, r.figure_info)})
    page = render_summary(r, title="t", change=change, baseline={"run_id": "R1", "started": "2026-11-01"})
    assert '<div class="im-change im-newfail">Since run R1 (2026-11-01): PASS → FAIL (new fail); 1 figure worse.' in page
    assert "Before: all met" in page
    assert "▼ +334 ms (+37%) worse" in page  # p95 got slower
    assert "<th>Since last run</th>" in page


def test_unchanged_and_error():
    r = NotebookResult("01_q", "ERROR", "ValueError: x", error="ValueError: x")
    (change,) = compare({"01_q": Snapshot("ERROR", "ValueError: x")}, {"01_q": Snapshot("ERROR", "ValueError: x")})
    page = render_summary(r, title="t", change=change, baseline={"run_id": "R1", "started": "s"})
    assert "Unchanged since run R1 (s)." in page and "Error: ValueError: x" in page
    assert "Key figures" not in page and "Next steps" not in page and "Contents" not in page


def test_figure_formatting():
    assert figure_value(0.000512, "s") == "0.000512 s" and figure_value(True) == "yes"
    assert figure_delta(None) == ""
    assert "≈" in figure_delta({"assessment": "noise", "abs_delta": 0.2, "rel_delta": 0.01, "old": 1, "new": 1.2})
    assert "was a" in figure_delta({"assessment": "changed", "abs_delta": None, "rel_delta": None, "old": "a", "new": "b"})


def test_key_figures_show_their_label_and_a_delta_in_their_unit():
    r = NotebookResult("01_q", "FAIL", "h", {"COLLSCAN share of time": 94.9},
                       figure_info={"COLLSCAN share of time": {"unit": "%", "higher_is_better": False, "noise": 1.0,
                                                               "label": "Application time in COLLSCAN shapes"}})
    (change,) = compare({"01_q": Snapshot("FAIL", "h", {"COLLSCAN share of time": 90.0})},
                        {"01_q": Snapshot(r.status, r.headline, r.figures, r.figure_info)})
    page = render_summary(r, title="t", change=change, baseline={"run_id": "R1", "started": "s"})
    assert '<td>Application time in COLLSCAN shapes</td><td class="im-num">94.9 %</td>' in page
    assert "▼ +4.9 pp (+5%) worse" in page and "COLLSCAN share of time" not in page
