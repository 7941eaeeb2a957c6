"""analysis.record: the one Verdict, its banner, its round trip through a notebook, the worst status."""

import json
from types import SimpleNamespace
import re

import nbformat
import pytest

from analysis.record import STATUS_COLOURS, STATUSES, VERDICT_MIME, Verdict, publish, read_verdict, render_html, worst_status


def test_verdict_round_trip_through_notebook_json():
    v = Verdict("warn", "two  claims\ndo not hold", {"ratio": float("nan"), "n": 3})
    assert v.status == "WARN" and v.headline == "two claims do not hold" and v.figures["ratio"] is None
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={VERDICT_MIME: v.to_json(), "text/plain": "x"})]
    nb.cells = [cell]
    again = read_verdict(json.loads(nbformat.writes(nb)))
    assert again == v
    assert "Verdict: WARN" in render_html(v)


def test_bad_status_rejected():
    with pytest.raises(ValueError):
        Verdict("OK", "x")


def test_read_verdict_takes_the_last_one_and_none_without_one():
    first, last = Verdict("PASS", "first"), Verdict("FAIL", "last", next_steps=["fix it"])
    cells = [{"cell_type": "markdown", "source": "x"}]
    cells += [{"cell_type": "code", "outputs": [{"data": {VERDICT_MIME: json.dumps(v.to_json())}}]} for v in (first, last)]
    assert read_verdict({"cells": cells}) == last
    assert read_verdict({"cells": cells[:1]}) is None


def test_publish_displays_a_banner_and_the_machine_readable_copy(monkeypatch):
    shown = []
    monkeypatch.setattr("analysis.record.ipython_display", SimpleNamespace(display=lambda obj, raw: shown.append((obj, raw))))
    v = Verdict("FAIL", "budget <overspent>", {"ratio": 1.43}, ["page the owner"])
    assert publish(v) is None
    ((obj, raw),) = shown
    assert raw is True and obj[VERDICT_MIME] == {**v.to_json(), "figure_order": ["ratio"]}
    assert obj["text/plain"] == "Verdict: FAIL — budget <overspent>"
    assert "budget &lt;overspent&gt;" in obj["text/html"] and STATUS_COLOURS["FAIL"] in obj["text/html"]
    assert "<li>page the owner</li>" in obj["text/html"]


@pytest.mark.parametrize(
    "statuses, worst",
    [(["PASS", "WARN"], "WARN"), (["FAIL", "PASS"], "FAIL"), (["WARN", "ERROR", "FAIL"], "ERROR"), ([], "ERROR")],
)
def test_worst_status(statuses, worst):
    assert worst_status(statuses) == worst
    assert worst_status([], default="PASS") == "PASS"


def test_every_status_has_a_colour():
    assert set(STATUS_COLOURS) == set(STATUSES)


def test_figure_info_declares_direction_noise_and_key_figures():
    from analysis.record import Figure

    v = Verdict("PASS", "h", {"budget left %": 12.5, "per slo": 3.0},
                figure_info={"budget left %": Figure(unit="%", higher_is_better=True, noise=0.5),
                             "per slo": {"key": False}})
    assert v.figure_info["budget left %"] == {"unit": "%", "higher_is_better": True, "noise": 0.5, "key": True,
                                             "label": ""}
    assert v.key_figures() == {"budget left %": 12.5}
    assert "per slo" not in render_html(v)
    again = Verdict(**v.to_json())
    assert again == v
    with pytest.raises(ValueError, match="not a figure"):
        Verdict("PASS", "h", {}, figure_info={"ghost": {}})


@pytest.mark.parametrize("value, unit, text", [
    (40217.0, "ms", "40,217 ms"), (1234.5, "ms", "1,234 ms"), (272.8, "kB", "273 kB"), (94.9, "%", "94.9 %"),
    (43.0, "%", "43 %"), (3.2249, "s", "3.22 s"), (0.949, "", "0.949"), (0.000512, "s", "0.000512 s"),
    (-1.44e-16, "", "0"), (1e-9, "%", "0 %"), (127559, "queries", "127,559 queries"), (1, "claims", "1 claim"),
    (1.0, "indexes", "1 index"), (2, "claims", "2 claims"), (0, "claims", "0 claims"), (-43.0, "%", "-43 %"),
    (float("nan"), "ms", "—"), (float("inf"), "", "∞"), (None, "ms", "—"), (True, "", "yes"), (False, "", "no"),
    ("mongomock 4.3.0", "", "mongomock 4.3.0"), (1.5e20, "", "150,000,000,000,000,000,000"),
])
def test_one_format_for_every_figure(value, unit, text):
    from analysis.record import format_figure

    assert format_figure(value, unit) == text
    assert not re.search(r"\d[eE][-+]?\d|\.\d{7}", text)  # no exponent, at most 6 decimals


def test_deltas_and_labels():
    from analysis.record import figure_label, format_delta

    assert format_delta(334.5, "ms") == "+334 ms" and format_delta(-1.5, "%") == "-1.5 pp"
    assert format_delta(0.0, "") == "0" and format_delta(1, "claims") == "+1 claim"
    assert figure_label("no_data", {"label": "SLOs without data"}) == "SLOs without data"
    assert figure_label("no_data", {"label": ""}) == figure_label("no_data") == "no_data"
    v = Verdict("FAIL", "h", {"no_data": 2}, figure_info={"no_data": {"unit": "SLOs", "label": "SLOs without data"}})
    assert "<td>SLOs without data</td><td>2 SLOs</td>" in render_html(v) and "no_data" not in render_html(v)


def test_the_figures_keep_their_order_through_a_written_notebook(monkeypatch):
    """nbformat writes JSON with sorted keys; the verdict's own order (the audited system first) survives."""
    shown = []
    monkeypatch.setattr("analysis.record.ipython_display", SimpleNamespace(display=lambda obj, raw: shown.append(obj)))
    v = Verdict("FAIL", "h", {"z first": 1, "a second": 2, "m third": 3})
    publish(v)
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={VERDICT_MIME: shown[0][VERDICT_MIME]})]
    nb.cells = [cell]
    again = read_verdict(nbformat.reads(nbformat.writes(nb), as_version=4))
    assert list(again.figures) == ["z first", "a second", "m third"] and again == v
