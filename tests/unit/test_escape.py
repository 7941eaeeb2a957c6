"""analysis.escape: untrusted text into HTML, Slack, CSV, XML and matplotlib — and nothing else writes HTML its own way."""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from analysis import escape

SRC = Path(__file__).resolve().parents[2] / "src" / "analysis"


@pytest.mark.parametrize("payload", ['<script>alert(1)</script>', '"><svg onload=alert(1)>', "'><img src=x onerror=1>",
                                     "</td></tr></table>", "a & b"])
def test_html_text_leaves_no_markup_character(payload):
    out = escape.html_text(payload)
    assert not set("<>\"'") & set(out) and "&" not in out.replace("&lt;", "").replace("&gt;", "").replace(
        "&quot;", "").replace("&#x27;", "").replace("&amp;", "")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:x", "java\tscript:x",
                                 "\x01javascript:x", "vbscript:x", "data:text/html;base64,PHNjcmlwdD4=", "file:///etc/passwd"])
def test_href_refuses_every_scheme_but_http(url):
    assert escape.href(url) == "#"


def test_href_keeps_the_links_the_workbook_builds():
    assert escape.href("01_query_cost_audit.html") == "01_query_cost_audit.html"
    assert escape.href("#how-this-was-run") == "#how-this-was-run"
    assert escape.href('x.html"><script>') == "x.html&quot;&gt;&lt;script&gt;"
    assert escape.href("https://audit.example/r/?a=1&b=2") == "https://audit.example/r/?a=1&amp;b=2"


def test_the_csp_allows_no_script_and_no_remote_load():
    directives = dict(d.strip().split(" ", 1) for d in escape.CSP.split(";"))
    assert directives["default-src"] == "'none'" and "script-src" not in directives
    assert directives["img-src"] == "data:" and directives["style-src"] == "'unsafe-inline'"
    assert escape.CSP_META.startswith('<meta http-equiv="Content-Security-Policy"')


def test_slack_text_shows_mentions_and_links_as_typed():
    text = escape.slack_text("<!channel> <!here> <@U024BE7LH> <#C0123> <!subteam^S1> <http://evil.example|docs> &")
    assert "<" not in text and ">" not in text
    assert text.startswith("&lt;!channel&gt;") and text.endswith("&amp;")


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")'])
def test_csv_cells_that_start_a_formula_are_prefixed(cell):
    assert escape.csv_cell(cell) == "'" + cell


def test_csv_cells_that_start_no_formula_are_unchanged():
    assert [escape.csv_cell(v) for v in ("plain", " =1", "x=1", -1.5, 3, None, "")] == ["plain", " =1", "x=1", -1.5, 3,
                                                                                      None, ""]


def _tree(text: str) -> ET.Element:
    root = ET.Element("testsuite", {"name": "frame \x1b[31m\x00"})
    ET.SubElement(root, "failure", {"message": "bell \x07"}).text = text
    return root


def test_xml_clean_makes_a_control_character_parseable_text():
    with pytest.raises(ET.ParseError):  # what ElementTree writes on its own cannot be read back
        ET.fromstring(ET.tostring(_tree("x"), encoding="unicode"))
    cleaned = escape.xml_clean(_tree("null \x00 and \ud800 and \ufffe, tab\tnewline\n"))
    back = ET.fromstring(ET.tostring(cleaned, encoding="unicode"))
    assert back.get("name") == "frame \\x1b[31m\\x00"
    assert back[0].get("message") == "bell \\x07" and back[0].text == "null \\x00 and \\xd800 and \\xfffe, tab\tnewline\n"


def test_mpl_text_keeps_dollars_literal(tmp_path):
    fig = Figure()
    fig.add_subplot().set_title(escape.mpl_text("$\\frac{a}{0}$ $x^$"))
    fig.savefig(tmp_path / "ok.png")  # drawn: the raw text would raise a mathtext ParseException
    fig.axes[0].set_title("$x^$")
    with pytest.raises(ValueError):
        fig.savefig(tmp_path / "bad.png")


def _calls(tree: ast.AST, module: str, name: str) -> list[int]:
    return [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and n.func.attr == name and isinstance(n.func.value, ast.Name) and n.func.value.id == module]


def test_one_rendering_path_for_html():
    """Only analysis.escape escapes HTML, and no module displays Markdown (which passes raw HTML through)."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name == "escape.py" and path.parent == SRC:
            continue
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        offenders += [f"{path.relative_to(SRC)}:{n} html.escape" for n in _calls(tree, "html", "escape")]
        offenders += [f"{path.relative_to(SRC)}: imports Markdown" for n in ast.walk(tree)
                      if isinstance(n, ast.ImportFrom) and any(a.name in ("Markdown", "display_markdown") for a in n.names)]
    assert offenders == []


def test_the_guard_sees_what_it_looks_for():
    tree = ast.parse("import html\nx = html.escape(y)\nfrom IPython.display import Markdown\n")
    assert _calls(tree, "html", "escape") == [2]
