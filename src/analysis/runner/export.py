"""Export an executed notebook to one self-contained HTML report: no code, no network, no script.

The report opens with the executive summary (:mod:`analysis.runner.summary_block`) and a
table of contents, leaves out cells tagged ``report-hide`` (outputs kept only for nbval),
ends with a collapsed "How this was run" appendix built from papermill's recorded parameters
and the notebook's declared defaults, and carries print CSS so it prints cleanly.
"""

from __future__ import annotations

import ast
import html
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter

from ..escape import CSP_META, html_text
from ..tables import REPORT_HIDE_TAG
from .summary_block import SUMMARY_CSS

#: Where the summary block goes (replaced after export, once the headings are known).
SUMMARY_MARK = "<!--infra-mind-summary-->"

#: Print: no anchor links, colours kept, headings kept with what follows them, small blocks and table rows not split
#: across pages, tables in the 8 pt print font (analysis.tables fits and splits them for an A4 page). A heading's
#: ``break-after: avoid`` reaches the next cell only through block boxes (JupyterLab lays a markdown cell out as a
#: CSS table: blocks on paper), and a markdown cell that ends with a heading avoids a break after it. On screen and paper, the
#: house tables' cell alignment is their own (numbers right, text left: analysis.tables).
PRINT_CSS = """
.jp-RenderedHTMLCommon table.im-table { font-size: 12px; margin-left: 0; }
.jp-RenderedHTMLCommon .verdict td:first-child { text-align: left; }
@media print {
  @page { margin: 14mm 12mm; }
  body { font-size: 10pt; }
  a.anchor-link { display: none !important; }
  .im-banner, .im-newfail, .jp-RenderedHTMLCommon td, .verdict { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .jp-OutputArea-output img { max-width: 100% !important; break-inside: avoid; }
  .jp-RenderedHTMLCommon table, .jp-RenderedHTMLCommon table.im-table { font-size: 8pt; }
  .jp-RenderedHTMLCommon table.im-table td, .jp-RenderedHTMLCommon table.im-table th { padding: 2px 4px !important; }
  tr, .im-summary, figure, .verdict, .im-empty, li, caption { break-inside: avoid; }
  h1, h2, h3, h4, caption, thead { break-after: avoid; }
  .jp-MarkdownCell .jp-InputArea, .jp-MarkdownCell .jp-RenderedMarkdown { display: block !important; width: auto !important; }
  .jp-MarkdownCell:has(.jp-RenderedMarkdown > :is(h1, h2, h3, h4):last-child) { break-after: avoid; }
  .jp-Cell { padding: 0 !important; }
}
.jp-RenderedHTMLCommon p.im-empty { color: #57606a; font-style: italic; }
.im-appendix { margin: 2em 0 1em 0; border-top: 1px solid #d0d7de; padding-top: 0.5em; font-family: system-ui, sans-serif; }
.im-appendix summary { cursor: pointer; font-weight: bold; }
.im-appendix table { border-collapse: collapse; font-size: 0.9em; }
.im-appendix td, .im-appendix th { padding: 2px 10px 2px 0; border-bottom: 1px solid #eaeef2; text-align: left; }
.im-appendix code { white-space: pre-wrap; }
"""

#: nbconvert's lab template without the scripts it loads from CDNs (require.js, MathJax, mermaid) or writes inline
#: (widget state and views, ``application/javascript`` outputs), with the Content-Security-Policy first in its head
#: and Markdown outputs shown as text (Markdown passes raw HTML through): a stakeholder report is one self-contained
#: file that opens offline, calls nowhere and runs nothing.
OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head -%}{{ resources.infra_mind_csp }}{{ super() }}{%- endblock html_head -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block data_javascript scoped -%}{%- endblock data_javascript -%}
{%- block data_widget_view scoped -%}{%- endblock data_widget_view -%}
{%- block data_markdown scoped -%}
<div class="jp-RenderedText jp-OutputArea-output {{ extra_class }}" data-mime-type="text/plain">
<pre>{{ output.data['text/markdown'] | escape_html }}</pre>
</div>
{%- endblock data_markdown -%}
{% block extra_css %}<style type="text/css">{{ resources.infra_mind_css }}</style>{% endblock extra_css %}
{%- block body_header -%}{{ super() }}
""" + SUMMARY_MARK + """
{%- endblock body_header -%}
{% block body_footer %}{{ resources.infra_mind_appendix }}{{ super() }}{% endblock body_footer %}
{% block footer %}</html>{% endblock footer %}
"""

#: A summary-block builder: (title, table of contents as (anchor, text) pairs) → HTML.
SummaryBuilder = Callable[[str, Sequence[tuple[str, str]]], str]

_HEADING = re.compile(r'<h2 id="([^"]+)">(.*?)(?:<a class="anchor-link"[^>]*>.*?</a>)?</h2>', re.S)
_TAGS = re.compile(r"<[^>]+>")


def _title(nb: nbformat.NotebookNode) -> str:
    """Take the first markdown cell's ``# Title`` line out of the notebook and return it (or the stem)."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        if lines and lines[0].startswith("# "):
            cell.source = "\n".join(lines[1:]).lstrip("\n")
            return lines[0][2:].strip()
        break
    return ""


def declared_defaults(nb: nbformat.NotebookNode) -> dict[str, str]:
    """The ``parameters`` cell's assignments as source text (name → literal as written)."""
    cell = next((c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if cell is None:
        return {}
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:
        return {}
    out = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else getattr(node, "target", None)
        if isinstance(target, ast.Name) and getattr(node, "value", None) is not None:
            out[target.id] = ast.get_source_segment(cell.source, node.value) or ""
    return out


def appendix_html(nb: nbformat.NotebookNode) -> str:
    """The collapsed "How this was run" appendix: every parameter, where its value came from, the execution."""
    meta = nb.metadata.get("papermill", {})
    injected: dict[str, Any] = dict(meta.get("parameters") or {})
    defaults = declared_defaults(nb)
    names = list(defaults) + [n for n in injected if n not in defaults]
    rows = "".join(
        f"<tr><td><code>{html_text(n)}</code></td><td><code>{html_text(repr(injected[n]) if n in injected else defaults[n])}</code></td>"
        f"<td>{'set for this run' if n in injected else 'notebook default'}</td></tr>"
        for n in names
    )
    kernel = nb.metadata.get("kernelspec", {}).get("name", "")
    when = " → ".join(str(meta[k]) for k in ("start_time", "end_time") if meta.get(k))
    facts = f"Executed by papermill {html_text(str(meta.get('version', '')))} on kernel <code>{html_text(kernel)}</code>"
    facts += f", {html_text(when)}." if when else "."
    table = (f"<table><tr><th>Parameter</th><th>Value</th><th>Source</th></tr>{rows}</table>"
             if rows else "<p>This notebook declares no parameters.</p>")
    return (f'<details class="im-appendix" id="how-this-was-run"><summary>How this was run</summary>'
            f"<p>{facts} Secrets are never parameters: <code>*_env</code> parameters name environment variables.</p>"
            f"{table}</details>")


def table_of_contents(body: str) -> list[tuple[str, str]]:
    """The report's sections: (anchor id, text) of every ``<h2>`` nbconvert rendered."""
    return [(html.unescape(anchor), html.unescape(_TAGS.sub("", text)).strip()) for anchor, text in _HEADING.findall(body)]


def export_html(ipynb: Path, html_path: Path, summary: SummaryBuilder | None = None) -> None:
    """Export an executed notebook to self-contained HTML: code and prompts hidden, images inline.

    Parameters
    ----------
    ipynb : Path
        The executed notebook.
    html_path : Path
        Where to write the report.
    summary : callable, optional
        Builds the executive summary from the report's title and table of contents; it is
        the first visible content. Without it the title stays the notebook's first heading.
    """
    nb = nbformat.read(ipynb, as_version=4)
    nb.cells = [c for c in nb.cells if REPORT_HIDE_TAG not in c.get("metadata", {}).get("tags", [])]
    title = _title(nb) if summary is not None else ""
    exporter = HTMLExporter(
        extra_loaders=[DictLoader({"offline.html.j2": OFFLINE_TEMPLATE})],
        template_file="offline.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    resources = {"metadata": {"name": ipynb.stem}, "infra_mind_css": SUMMARY_CSS + PRINT_CSS, "infra_mind_csp": CSP_META,
                 "infra_mind_appendix": appendix_html(nb)}
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    block = summary(title or ipynb.stem, table_of_contents(body)) if summary is not None else ""
    html_path.write_text(body.replace(SUMMARY_MARK, block, 1), encoding="utf-8")
