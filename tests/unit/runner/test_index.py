"""analysis.runner.index: the run's index page, rendered from a summary (no kernel)."""

import re

from analysis.escape import CSP_META
from analysis.record import STATUS_COLOURS
from analysis.runner import NotebookResult, RunSummary, render_index


def _summary(params_file=None) -> RunSummary:
    return RunSummary(
        started="2026-11-01T00:00:00+00:00", finished="2026-11-01T00:01:00+00:00", params_file=params_file,
        notebooks=[
            NotebookResult("01_a", "PASS", "all <good>", {f"f{i}": i for i in range(10)}, "01_a.html", "01_a.ipynb", 1.26),
            NotebookResult("02_b", "FAIL", "budget & more", {"ratio": 1.43}, "02_b.html", "02_b.ipynb", 3.0),
            NotebookResult("03_c", "ERROR", "ValueError: x", {}, None, None, 0.04, "ValueError: x"),
        ],
    )


def test_one_row_per_notebook_with_its_verdict_and_links():
    page = render_index(_summary())
    rows = re.findall(r"<tr><td>.*?</tr>", page)
    assert [re.match(r"<tr><td>([^<]*)<br>", r).group(1) for r in rows] == ["01_a", "02_b", "03_c"]
    assert f'background:{STATUS_COLOURS["FAIL"]}">FAIL</span>' in rows[1]
    assert '<a href="01_a.html">report</a> · <a href="01_a.ipynb">notebook</a> · 1.3 s</span>' in rows[0]
    assert "no report · 0.0 s" in rows[2] and "href" not in rows[2]  # nothing to open for a notebook that never ran


def test_text_is_escaped_and_figures_are_capped():
    page = render_index(_summary())
    assert "all &lt;good&gt;" in page and "budget &amp; more" in page and "<good>" not in page
    assert "f7: <b>7</b>" in page and "f8:" not in page  # eight key figures at most


def test_overall_verdict_counts_and_parameters():
    page = render_index(_summary())
    assert f'Overall verdict: <span class="status" style="background:{STATUS_COLOURS["ERROR"]}">ERROR</span>' \
           ' — 1 PASS · 1 FAIL · 1 ERROR' in page
    assert "parameters: embedded defaults." in page
    assert "parameters: params/default.yaml." in render_index(_summary("params/default.yaml"))
    assert "<title>Infra Mind audit — 2026-11-01T00:00:00+00:00</title>" in page


def test_the_page_is_self_contained():
    page = render_index(_summary())
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page and "<link" not in page


def test_since_last_run_column_highlights_a_new_fail_and_draws_trends():
    from analysis.runner.changes import Snapshot, compare

    s = _summary()
    s.baseline = {"run_id": "R1", "started": "2026-10-31T00:00:00+00:00", "chosen": "same parameters"}
    before = {"01_a": Snapshot("PASS", "x", {"f1": 2}), "02_b": Snapshot("PASS", "y", {"ratio": 1.0},
                                                                           {"ratio": {"higher_is_better": False}})}
    s.changes = compare(before, {r.name: Snapshot(r.status, r.headline, r.figures, r.figure_info) for r in s.notebooks})
    trends = {"02_b": [{"run_id": "R1", "status": "PASS", "figures": {"ratio": 1.0}},
                       {"run_id": "R2", "status": "FAIL", "figures": {"ratio": 1.43}}]}
    page = render_index(s, trends, history_page="history.html")
    rows = re.findall(r"<tr(?: class=\"newfail\")?><td>.*?</tr>", page)
    assert "= unchanged" in rows[0]
    assert rows[1].startswith('<tr class="newfail">') and "▼ NEW FAIL" in rows[1] and "PASS → FAIL" in rows[1]
    assert "figures: 1 worse" in rows[1] and "<svg" in rows[1] and "<svg" not in rows[0]
    assert "• new notebook" in rows[2]
    assert "compared with run <b>R1</b> (started 2026-10-31T00:00:00+00:00, same parameters) — 1 new fail, 1 unchanged, 1 new." in page
    assert '<a href="history.html">history of all runs</a>' in page


def test_first_run_and_warnings():
    s = _summary()
    s.warnings = ["WARN history x: broken"]
    page = render_index(s)
    assert "nothing to compare yet" in page and "— first run" in page
    assert '<p class="warn">WARN history x: broken</p>' in page


def test_key_figures_show_their_label_and_one_format():
    s = _summary()
    s.notebooks[1].figures = {"no_data": 2, "COLLSCAN share of time": 94.9, "claims not holding": 1, "x": 1e-16}
    s.notebooks[1].figure_info = {"no_data": {"unit": "SLOs", "label": "SLOs without data"},
                                  "COLLSCAN share of time": {"unit": "%", "label": "Application time in COLLSCAN shapes"},
                                  "claims not holding": {"unit": "claims", "label": "Seed claims not holding"}}
    page = render_index(s)
    assert "SLOs without data: <b>2 SLOs</b>" in page and "no_data" not in page
    assert "Application time in COLLSCAN shapes: <b>94.9 %</b>" in page
    assert "Seed claims not holding: <b>1 claim</b>" in page and "x: <b>0</b>" in page  # no float noise


def test_the_page_carries_the_csp_and_builds_only_safe_links():
    s = _summary()
    s.notebooks[0].html = "javascript:alert(1)"
    page = render_index(s, history_page='history.html"><script>')
    assert page.index(CSP_META) < page.index("<title>") < page.index("<style>")
    assert '<a href="#">report</a>' in page and "javascript:" not in page
    assert 'href="history.html&quot;&gt;&lt;script&gt;"' in page
