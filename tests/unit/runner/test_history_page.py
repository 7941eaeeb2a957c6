"""analysis.runner.history_page: charts over time (matplotlib, inline PNG) and the status-change table."""

import base64
import io
import re

from PIL import Image

from analysis.escape import CSP_META
from analysis.runner.history_page import BUDGET_PREFIX, CHART_DPI, FONT_PT, _Chart, render_history_page


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


def _one_run():
    started, run_id = "2026-11-01T06:00:00+00:00", "20261101T060000Z"
    return [(started, run_id, "03_slo", f"{BUDGET_PREFIX} · api_availability", -43.0, "%", "Error budget left"),
            (started, run_id, "03_slo", "compliant", 5.0, "SLOs", "SLOs met"),
            (started, run_id, "04_ws", "vulnerable: probes failed", 21.0, "probes", "Seed design: probes failed")]


def test_a_single_run_is_values_not_charts_of_one_dot():
    statuses = [("2026-11-01T06:00:00+00:00", "20261101T060000Z", nb, "FAIL") for nb in ("03_slo", "04_ws")]
    page = render_history_page(_one_run(), [], run_id="20261101T060000Z", params_hash="h", runs=1, statuses=statuses)
    assert "<img" not in page and "<figure" not in page
    assert re.search(r'<td class="im-fig-label">SLOs met</td><td class="num">5 SLOs</td>', page)
    assert '<td>api_availability</td><td class="num">-43 %</td>' in page  # the SLO, without the name's "·"
    assert page.count('<section class="notebook">') == 2 and "the only comparable run" in page


def test_every_notebook_gets_a_verdict_strip_and_a_chart_per_figure_with_a_history():
    """04 records text figures and one count: it has its strip and its chart like every other notebook."""
    rows = [(f"2026-11-0{d}T06:00:00+00:00", f"2026110{d}T060000Z", *r[2:4], r[4] + d, *r[5:])
            for d in (1, 2, 3) for r in _one_run()]
    statuses = [(f"2026-11-0{d}T06:00:00+00:00", f"2026110{d}T060000Z", nb, "FAIL" if d % 2 else "PASS")
                for d in (1, 2, 3) for nb in ("03_slo", "04_ws", "05_text_only")]
    page = render_history_page(rows, [], run_id="20261103T060000Z", params_hash="h", runs=3, statuses=statuses)
    sections = dict(re.findall(r'<section class="notebook"><h3>([^<]+)</h3>(.*?)</section>', page, flags=re.S))
    assert list(sections) == ["03_slo", "04_ws", "05_text_only"]
    assert all('<figure class="strip">' in s and s.count("<rect") == 3 for s in sections.values())
    assert "<img" in sections["04_ws"] and "<img" not in sections["05_text_only"]


def test_chart_text_is_readable_and_the_legend_is_whole():
    """Ticks and legend at 9 pt (10 px at 80 dpi, the image shown at its size); a long SLO name is not cut: the
    image is as wide as the legend reaches."""
    assert FONT_PT * CHART_DPI / 72 >= 9
    chart = _Chart()
    long = {f"assessment_completion_rate_by_region_{i}": ([1.0, 2.0], [float(i), i + 1.0]) for i in range(3)}
    png = base64.b64decode(chart.png(long, unit="%", first="a", last="b"))
    width = Image.open(io.BytesIO(png)).size[0]
    renderer = chart.fig.canvas.get_renderer()
    legend = chart.ax.get_legend().get_window_extent(renderer)
    tight = chart.fig.get_tightbbox(renderer).transformed(chart.fig.dpi_scale_trans)
    assert width >= legend.x1 - tight.x0 - 1
    texts = [t.get_text() for t in chart.ax.get_legend().get_texts()]
    assert texts == list(long)
    assert all(t.get_fontsize() >= FONT_PT for t in [*chart.ax.get_xticklabels(), *chart.ax.get_yticklabels()])
