"""analysis.runner.history_page: charts over time (matplotlib, inline PNG) and the status-change table."""

import base64
import re

from analysis.escape import CSP_META
from analysis.runner.history_page import BUDGET_PREFIX, render_history_page


def _rows():
    rows = []
    for day in (1, 2, 3):
        started, run_id = f"2026-11-0{day}T06:00:00+00:00", f"2026110{day}T060000Z"
        rows += [(started, run_id, "03_slo", f"{BUDGET_PREFIX} api_availability", 50.0 - 40 * day, "%"),
                 (started, run_id, "03_slo", f"{BUDGET_PREFIX} api_latency_p95", 80.0, "%"),
                 (started, run_id, "03_slo", "SLOs met", 5.0 + day % 2, ""),
                 (started, run_id, "01_q", "worst ms", 10.0 * day, "ms")]
    return rows


def _changes():
    return [{"run_id": "20261103T060000Z", "started": "2026-11-03T06:00:00+00:00", "baseline_id": "20261102T060000Z",
             "notebook": "03_slo", "status_before": "PASS", "status_after": "FAIL"}]


def test_budget_chart_first_then_one_chart_per_key_figure():
    page = render_history_page(_rows(), _changes(), run_id="20261103T060000Z", params_hash="abc",
                               existing_runs={"20261103T060000Z"}, runs=3)
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", page)
    assert captions == ["SLO error budget left (%) per SLO", "03_slo · SLOs met", "01_q · worst ms"]
    pngs = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(pngs) == 3 and all(base64.b64decode(p).startswith(b"\x89PNG") for p in pngs)
    assert "<script" not in page and "3 comparable run(s)" in page


def test_status_changes_link_both_runs_or_say_pruned():
    page = render_history_page(_rows(), _changes(), run_id="20261103T060000Z", params_hash="abc",
                               existing_runs={"20261103T060000Z"})
    row = re.search(r"<tr><td>2026-11-03T06:00:00\+00:00</td>.*?</tr>", page).group(0)
    assert "▼ NEW FAIL" in row
    assert '<a href="../20261103T060000Z/index.html">20261103T060000Z</a>' in row
    assert "20261102T060000Z (pruned)" in row


def test_empty_history_and_no_budget_figures():
    page = render_history_page([], [], run_id="r", params_hash="h")
    assert "No numeric key figure recorded yet." in page and "No status change recorded yet." in page
    page = render_history_page([r for r in _rows() if not r[3].startswith(BUDGET_PREFIX)], [], run_id="r", params_hash="h")
    assert "No SLO budget-left figures recorded in these runs." in page and page.count("<figure>") == 2


def test_a_chart_is_titled_with_the_figure_label():
    rows = [(started, run_id, nb, name, value, unit, "SLOs without data")
            for started, run_id, nb, name, value, unit in _rows() if name == "SLOs met"]
    page = render_history_page(rows, [], run_id="r", params_hash="h")
    assert re.findall(r"<figcaption>(.*?)</figcaption>", page) == ["03_slo · SLOs without data"]


def test_names_from_audited_systems_are_text_in_the_page_and_in_the_charts():
    """Figure and SLO names carry label values: escaped in captions, never mathtext in a chart (it would raise)."""
    hostile = 'x{endpoint="<img src=x onerror=alert(1)>"} $\\frac{a}{0}$ $x^$'
    rows = [(f"2026-11-0{d}T06:00:00+00:00", f"2026110{d}T060000Z", "03_slo", name, float(d), "$%$", name)
            for d in (1, 2) for name in (f"{BUDGET_PREFIX} {hostile}", hostile)]
    page = render_history_page(rows, [], run_id="20261102T060000Z", params_hash="h", runs=2)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert page.index(CSP_META) < page.index("<title>")
