"""analysis.runner.sparkline: inline SVG trends on the index page (pure)."""

import re
import xml.etree.ElementTree as ET

from analysis.record import STATUS_COLOURS
from analysis.runner.sparkline import main_figures, sparkline_svg


def _points():
    return [{"run_id": f"r{i}", "status": s, "figures": {"a": float(i), "b": 10.0 - i, "c": 1.0, "d": 2.0}}
            for i, s in enumerate(["PASS", "PASS", "FAIL", "WARN"])]


def test_one_line_per_main_figure_and_one_square_per_run():
    svg = sparkline_svg(_points())
    root = ET.fromstring(svg)  # well-formed, self-contained
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}polyline")) == 3  # at most three figures
    rects = root.findall(f"{ns}rect")
    assert [r.get("fill") for r in rects] == [STATUS_COLOURS[s] for s in ("PASS", "PASS", "FAIL", "WARN")]
    title = root.find(f"{ns}title").text
    assert title.startswith("last 4 comparable run(s); a: 0 → 3; b: 10 → 7; c: 1 → 1")
    assert main_figures(_points()) == ["a", "b", "c"]


def test_a_figure_only_in_the_newest_run_takes_no_line():
    pts = _points()
    pts[-1]["figures"] = {"new": 5.0, **pts[-1]["figures"]}
    assert main_figures(pts) == ["a", "b", "c"]  # "new" has one point: no line to draw


def test_lines_are_scaled_to_their_own_range():
    svg = sparkline_svg(_points(), width=100, height=30)
    first = re.search(r'points="([^"]+)"', svg).group(1).split()
    ys = [float(p.split(",")[1]) for p in first]
    assert ys[0] > ys[-1]  # a rises: y goes up the page
    assert min(ys) >= 2 and max(ys) <= 30 - 9


def test_nothing_to_draw():
    assert sparkline_svg([]) == ""
    one = sparkline_svg([{"run_id": "r", "status": "PASS", "figures": {"a": 1.0}}])
    assert "<polyline" not in one and "<rect" in one  # one run: a status square, no line
