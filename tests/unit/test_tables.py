"""analysis.tables: one deterministic output, HTML for readers and text for nbval."""

import pandas as pd

from analysis import tables
from analysis.record import STATUS_COLOURS


def _df() -> pd.DataFrame:
    return pd.DataFrame({"slo": ["api", "db"], "status": ["PASS", "FAIL"], "events": [1234567, 3],
                         "share": [0.1234, float("nan")]})


def test_styled_html_is_deterministic_formatted_and_coloured():
    html = tables.styled(_df(), caption="engine: test").to_html()
    assert html == tables.styled(_df(), caption="engine: test").to_html()
    assert "1,234,567" in html and "0.123" in html and "—" in html
    assert STATUS_COLOURS["FAIL"] in html and STATUS_COLOURS["PASS"] in html
    assert "text-align: right" in html and "engine: test" in html
    other = tables.styled(_df().iloc[:1], caption="engine: test").to_html()
    assert other.split('id="T_')[1][:10] != html.split('id="T_')[1][:10]  # different tables, different ids


def test_show_displays_one_output_with_html_and_the_text_nbval_compares(monkeypatch):
    shown = []
    monkeypatch.setattr(tables, "display", lambda obj, raw: shown.append((obj, raw)))
    tables.show(_df(), caption="cap")
    ((bundle, raw),) = shown
    assert raw is True and set(bundle) == {"text/html", "text/plain"}
    assert bundle["text/plain"] == "cap\n" + _df().to_string(index=False)
    assert "<table" in bundle["text/html"]


def test_format_number_cases():
    assert [tables.format_number(v) for v in (12, 1.5e6, 42.0, 0.5, float("inf"), "x")] == \
        ["12", "1,500,000", "42", "0.5", "∞", "x"]
