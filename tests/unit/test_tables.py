"""analysis.tables: one deterministic output, HTML for readers and text for nbval."""

import re

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


def test_cells_are_words_and_numbers_never_python():
    df = pd.DataFrame({"name": ["a", "b", "c", "d"], "ok": [True, False, None, True],
                       "extra": [{}, [], {"k": 1.23456789, "l": [1, None]}, ("x", 2)],
                       "ratio": [-1.44e-16, 0.1234567, 127559.0, float("nan")], "n": [127559, 2, 3, 4]})
    html = tables.styled(df).to_html()
    cells = re.findall(r"<td [^>]*>(.*?)</td>", html)
    assert not {"None", "True", "False", "nan", "{}", "[]"} & set(cells)
    assert cells[:5] == ["a", "yes", "—", "0", "127,559"]
    assert "k: 1.235, l: 1 and —" in cells and "x, 2" in cells and "0.1235" in cells and "—" in cells


def test_numbers_right_text_left_and_status_words_in_their_own_colours():
    df = pd.DataFrame({"probe": ["a", "b", "c"], "status": ["INFO", "WARN", "N/A"], "ms": [1.5, 20.0, 300.0],
                       "written": ["-43.0", "98.1–100.0", None]})
    assert tables.numeric_columns(df) == ["ms", "written"]
    html = tables.styled(df).to_html()
    assert re.search(r'class="data row0 col0 im-text"', html) and re.search(r'class="data row0 col2 im-num"', html)
    assert re.search(r'class="data row0 col3 im-num"', html)  # numbers the source wrote as text, right too
    assert "im-st-info" in html and "im-st-warn" in html and "im-st-na" in html
    assert tables.CELL_COLOURS["INFO"] != tables.CELL_COLOURS["WARN"]
    assert f"background-color: {tables.CELL_COLOURS['INFO']}" in html
    assert re.search(r"th\.col2 \{\s*text-align: right", html)  # a number column's header too


def test_number_headers_are_numbers_and_machine_headers_can_break():
    df = pd.DataFrame({"reload_interval_s": [1.0], 30.0: [0.5], 120.0: [0.8]})
    html = tables.styled(df).to_html()
    headers = re.findall(r'<th [^>]*class="col_heading[^"]*"[^>]*>(.*?)</th>', html)
    assert headers == ["reload_<wbr>interval_<wbr>s", "30", "120"]


def test_a_table_too_wide_for_a_page_is_split_into_parts_that_repeat_the_first_column(monkeypatch):
    wide = pd.DataFrame({"slo": ["api_availability", "db"],
                         **{f"measurement_{i}_ms": [123456.7, 2.5] for i in range(8)}})
    parts = tables.column_parts(wide)
    assert len(parts) == 2 and all(p[0] == "slo" for p in parts)
    assert [c for p in parts for c in p[1:]] == list(wide.columns[1:])  # every column once, in order
    assert abs(len(parts[0]) - len(parts[1])) <= 1  # balanced
    shown = []
    monkeypatch.setattr(tables, "display", lambda obj, raw: shown.append(obj))
    tables.show(wide, caption="cap")
    html = shown[0]["text/html"]
    assert html.count("<table") == 2 and "cap (part 1 of 2: slo … measurement_3_ms)" in html
    assert shown[0]["text/plain"] == "cap\n" + wide.to_string(index=False)  # nbval's text keeps the whole table
    assert tables.column_parts(wide.iloc[:, :4]) == [list(wide.columns[:4])]


def test_a_long_text_column_wraps_but_keeps_its_words_whole():
    df = pd.DataFrame({"collection": ["recommendations"], "frames": ["x" * 300]})
    html = tables.styled(df).to_html()
    assert re.search(r"td\.col0 \{\s*min-width: 9\.60em", html)  # 15 characters at 0.64 em
    assert re.search(r"td\.col1 \{\s*min-width: 10\.24em", html)  # capped: the 300 characters wrap
    assert "overflow-wrap: anywhere" in html


def test_an_empty_table_is_a_sentence(monkeypatch):
    shown = []
    monkeypatch.setattr(tables, "display", lambda obj, raw: shown.append(obj))
    tables.show(pd.DataFrame(columns=["target", "why"]), caption="Cases that could not judge",
                empty="none — every case was judged.")
    (bundle,) = shown
    assert "<table" not in bundle["text/html"] and bundle["text/plain"] == "Cases that could not judge: none — every case was judged."
    assert bundle["text/html"] == '<p class="im-empty">Cases that could not judge: none — every case was judged.</p>'
