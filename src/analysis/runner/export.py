"""Export an executed notebook to one self-contained HTML report: no code, no network."""

from __future__ import annotations

from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter

#: nbconvert's lab template without the scripts it loads from CDNs (require.js, MathJax, mermaid):
#: a stakeholder report is one self-contained file that opens offline and calls nowhere.
OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def export_html(ipynb: Path, html_path: Path) -> None:
    """Export an executed notebook to self-contained HTML: code and prompts hidden, images inline.

    Parameters
    ----------
    ipynb : Path
        The executed notebook.
    html_path : Path
        Where to write the report.
    """
    nb = nbformat.read(ipynb, as_version=4)
    exporter = HTMLExporter(
        extra_loaders=[DictLoader({"offline.html.j2": OFFLINE_TEMPLATE})],
        template_file="offline.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": ipynb.stem}})
    html_path.write_text(body, encoding="utf-8")
