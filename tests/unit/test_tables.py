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


PAYLOAD = '"><img src=x onerror=alert(1)>'


def test_every_cell_label_and_the_caption_are_text():
    df = pd.DataFrame({PAYLOAD: [PAYLOAD, {PAYLOAD: [PAYLOAD]}, None], "n": [1, 2, 3]},
                      index=pd.Index([PAYLOAD, "b", "c"], name=PAYLOAD))
    df.columns.name = PAYLOAD
    html = tables.styled(df, caption=PAYLOAD, index=True).to_html()
    assert "<img" not in html
    assert html.count("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;") >= 5  # cell, dict cell, column, index, caption


def test_a_per_column_format_keeps_the_other_columns_escaped_and_formatted():
    df = pd.DataFrame({"name": ["<b>x</b>"], "ops": [238106], "days": [9.123]})
    html = tables.styled(df, formats={"days": "{:.1f}"}).to_html()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "238,106" in html and ">9.1<" in html


def test_a_section_is_escaped_text(monkeypatch):
    shown = []
    monkeypatch.setattr(tables, "display", lambda obj, raw: shown.append(obj))
    tables.show_section(PAYLOAD, [PAYLOAD], [PAYLOAD], subtitle="[x](javascript:alert(1))")
    ((bundle,),) = [shown]
    assert "<img" not in bundle["text/html"] and bundle["text/html"].startswith("<h3>&quot;&gt;&lt;img")
    assert "<em>[x](javascript:alert(1))</em>" in bundle["text/html"]  # Markdown is not rendered: text
    assert bundle["text/plain"].splitlines()[0] == PAYLOAD
