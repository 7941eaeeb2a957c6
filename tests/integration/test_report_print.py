"""Every report, the index and the history page as a stakeholder prints them, on two parameter sets.

Each page is laid out in headless Chromium with print media emulated at the printable width of an A4 page
(186 mm = 703 CSS px with the reports' margins; A4 is narrower than Letter) and measured over the DevTools
protocol (:mod:`tests.integration.printcheck`: the pages' CSP forbids scripts, so nothing is injected into
them), then printed to A4 and Letter PDFs read back with pypdf. A page fails on: a table wider
than the printable area (or cut by its scroll box), a cell that is Python (None/True/False/nan/{}/[]/null), a
float with more than six decimals or an exponent, a key-figure label with ``_``, a column of numbers not
right-aligned (or of words not left-aligned), a page ending with a heading, a chart shown so small that its
9 pt text falls under 9 px.

The parameter sets: the embedded defaults and ``tests/data/reports/second.yaml`` (real-shaped mongod logs of
4.4-8.0, smaller dashboard sizes, an OpenSLO catalog, two reference targets), run once per module — the second
in a subprocess while the first runs here. history.html is checked after one run (single points are values)
and as it looks after several runs (built from the first run's recorded figures, shifted in time).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from analysis import config, runner
from analysis.runner import history_query
from analysis.runner.history_page import BUDGET_PREFIX, CHART_DPI, FONT_PT, render_history_page
from tests.integration import printcheck
from tests.integration.printcheck import Browser

pytestmark = pytest.mark.integration

SECOND = config.project_root() / "tests" / "data" / "reports" / "second.yaml"
NOTEBOOKS = [nb.stem for nb in runner.discover_notebooks()]
PAGES = [f"{nb}.html" for nb in NOTEBOOKS] + ["index.html", "history.html"]
SETS = ("defaults", "second")
CASES = [(s, p) for s in SETS for p in PAGES] + [("several runs", "history.html")]
#: The runs a synthetic history spans (from one real run's figures, a day apart, values drifting).
SEVERAL = 5


def _several_runs_history(run_dir: Path, folder: Path) -> Path:
    """history.html as it looks after :data:`SEVERAL` comparable runs: the real run's figures and verdicts,
    repeated a day apart with drifting values and a status change, rendered by the runner's own page builder."""
    conn = sqlite3.connect(run_dir.parent / "history.sqlite")
    try:
        (params_hash,) = conn.execute("SELECT params_hash FROM runs WHERE run_id = ?", (run_dir.name,)).fetchone()
        rows = history_query.figure_series(conn, params_hash, prefix=BUDGET_PREFIX)
        statuses = history_query.status_series(conn, params_hash)
    finally:
        conn.close()
    assert rows and statuses, "the run recorded no figures"

    def shifted(started: str, day: int) -> str:
        return (dt.datetime.fromisoformat(started) + dt.timedelta(days=day)).isoformat()

    many = [(shifted(r[0], d), f"{r[1]}-{d}", r[2], r[3], r[4] * (1 + 0.07 * d), *r[5:])
            for d in range(SEVERAL) for r in rows]
    states = [(shifted(s[0], d), f"{s[1]}-{d}", s[2], "PASS" if d % 2 else s[3]) for d in range(SEVERAL) for s in statuses]
    changes = [{"run_id": f"{run_dir.name}-{d}", "started": shifted(statuses[0][0], d), "baseline_id": f"{run_dir.name}-{d - 1}",
                "notebook": NOTEBOOKS[-1], "status_before": "PASS" if d % 2 == 0 else "FAIL",
                "status_after": "FAIL" if d % 2 == 0 else "PASS"} for d in range(1, SEVERAL)]
    page = folder / "history.html"
    page.write_text(render_history_page(many, changes, run_id=f"{run_dir.name}-{SEVERAL - 1}", params_hash=params_hash,
                                        runs=SEVERAL, statuses=states), encoding="utf-8")
    return page


@pytest.fixture(scope="module")
def runs(request, tmp_path_factory) -> dict[str, Path]:
    """Run directories of the two parameter sets: the session's run on embedded defaults
    (:mod:`tests.integration.workbook_run`; made meanwhile if no test made it yet) and the second set's."""
    work = tmp_path_factory.mktemp("print")
    second = subprocess.Popen([sys.executable, "-m", "analysis", "run", "--params", str(SECOND), "--out", str(work / "second")],
                              cwd=config.project_root(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        default_report = request.getfixturevalue("default_report")
        _, err = second.communicate(timeout=600)
    finally:
        if second.poll() is None:
            second.kill()
            second.communicate()
    assert second.returncode in (0, 1), f"the second parameter set: exit {second.returncode}: {err[-1500:]}"
    summary = json.loads((default_report / "summary.json").read_text(encoding="utf-8"))
    for r in summary["notebooks"]:
        assert r["status"] != "ERROR", (r["name"], r.get("error"))
    return {"defaults": default_report, "second": (work / "second" / "latest").resolve()}


@pytest.fixture(scope="module")
def measured(runs, chromium, tmp_path_factory) -> dict[tuple[str, str], tuple[printcheck.Measured, list[Path]]]:
    """Every page measured once: (measurements, its A4 and its Letter PDF)."""
    work = tmp_path_factory.mktemp("measured")
    pages = {(s, p): runs[s] / p for s, p in CASES if s in runs}
    pages[("several runs", "history.html")] = _several_runs_history(runs["defaults"], work)
    out = {}
    with Browser(chromium) as browser:
        for (s, name), page in pages.items():
            stem = f"{s.replace(' ', '-')}-{Path(name).stem}"
            m = browser.measure(page, work / f"{stem}.pdf", letter=work / f"{stem}-letter.pdf")
            out[(s, name)] = (m, [m.pdf, work / f"{stem}-letter.pdf"])  # read back by the test that needs them
    return out


@pytest.mark.parametrize(("params", "page"), CASES)
def test_every_table_fits_the_printed_page(measured, params, page):
    m, _ = measured[(params, page)]
    assert printcheck.wide_tables(m) == [], f"wider than {printcheck.PRINTABLE_WIDTH_PX} px (A4 printable width)"
    assert m.doc_width <= printcheck.PRINTABLE_WIDTH_PX + printcheck.SLACK_PX  # nothing else forces a shrink


@pytest.mark.parametrize(("params", "page"), CASES)
def test_cells_are_words_and_numbers_for_people(measured, params, page):
    m, _ = measured[(params, page)]
    assert printcheck.python_cells(m) == []
    assert printcheck.noisy_numbers(m) == []
    assert printcheck.misaligned(m) == []


@pytest.mark.parametrize(("params", "page"), CASES)
def test_key_figure_labels_are_for_people(measured, params, page):
    m, _ = measured[(params, page)]
    assert printcheck.machine_labels(m) == []
    if page != "history.html":
        assert m.labels, "no key-figure label found: the check would check nothing"


@pytest.mark.parametrize(("params", "page"), CASES)
def test_headings_stay_with_their_content(measured, params, page):
    m, pdfs = measured[(params, page)]
    assert m.headings, "no heading found"
    for paper, pdf in zip(("A4", "Letter"), pdfs):
        layout = printcheck.pdf_layout(pdf)
        assert printcheck.page_count(pdf) == len(layout) >= 1, f"{pdf.name}: page tree and layout disagree"
        assert printcheck.orphan_headings(m, layout) == [], paper


@pytest.mark.parametrize("params", [*SETS, "several runs"])
def test_history_charts_every_notebook_and_shows_single_points_as_values(measured, params):
    m, _ = measured[(params, "history.html")]
    sections = {s["name"]: s for s in m.sections}
    assert list(sections) == NOTEBOOKS
    font_px = FONT_PT * CHART_DPI / 72
    assert font_px >= 9 and printcheck.small_print(m, font_px) == []
    if params == "several runs":
        assert all(s["charts"] >= 2 for s in sections.values()), sections  # the verdict strip and a figure chart
    else:
        assert m.images == [] and all(s["values"] and not s["charts"] for s in sections.values()), sections


def test_the_checks_can_fail(chromium, tmp_path):
    """A page with each fault: every check names it."""
    wide = "".join(f"<td>{'measurement_' * 3}{i}</td>" for i in range(12))
    page = tmp_path / "bad.html"
    page.write_text(
        "<!DOCTYPE html><html><head><style>@page { margin: 14mm 12mm; } .box { overflow-x: auto; }</style>"
        "</head><body>"
        f'<div class="box"><table><tr>{wide}</tr></table></div>'
        '<table class="im-table"><tbody><tr><td class="col0" style="text-align:left">1,234</td>'
        '<td class="col1">None</td><td class="col2">-1.44e-16</td><td class="col3">0.12345678</td></tr></tbody></table>'
        '<table class="im-figures"><tr><td>no_data</td><td>3</td></tr></table>'
        '<h2>An orphaned heading</h2><p style="break-before: page">its content</p>'
        f'<img style="width: 40px" src="data:image/png;base64,{_png(400)}"></body></html>', encoding="utf-8")
    with Browser(chromium) as browser:
        m = browser.measure(page, tmp_path / "bad.pdf")
    texts = printcheck.pdf_layout(m.pdf)
    assert len(printcheck.wide_tables(m)) == 1 and "cut by its scroll box" in printcheck.wide_tables(m)[0]
    assert [c.split(": ")[-1] for c in printcheck.python_cells(m)] == ["'None'"]
    assert [c.split(": ")[-1] for c in printcheck.noisy_numbers(m)] == ["'-1.44e-16'", "'0.12345678'"]
    assert printcheck.machine_labels(m) == ["no_data"]
    assert [c.split(": ")[-1] for c in printcheck.misaligned(m)] == ["'1,234' not right-aligned", "'0.12345678' not right-aligned"]
    assert printcheck.orphan_headings(m, texts) == ["page 1 ends with the heading 'An orphaned heading'"]
    assert printcheck.small_print(m, 10.0) == ["an image of 400 px shown at 40 px"]


def _png(width: int) -> str:
    """A blank PNG ``width`` pixels wide, base64."""
    buf = io.BytesIO()
    Image.new("RGB", (width, 20), "white").save(buf, format="png")
    return base64.b64encode(buf.getvalue()).decode()
