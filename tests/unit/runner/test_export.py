"""analysis.runner.export: one self-contained HTML file, no code, no network (no kernel needed)."""

import base64
import re

import nbformat

from analysis.runner import export_html
from analysis.runner.export import OFFLINE_TEMPLATE

# a 1x1 PNG
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()


def _executed(path):
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("secret_code_marker = 1\nprint('hello')", execution_count=1)
    code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="printed output\n"),
                    nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"})]
    nb.cells = [nbformat.v4.new_markdown_cell("# The title\n\nSome $x^2$ prose."), code]
    nbformat.write(nb, path)
    return path


def test_code_and_prompts_are_hidden_outputs_and_prose_kept(tmp_path):
    html_path = tmp_path / "01_t.html"
    export_html(_executed(tmp_path / "01_t.ipynb"), html_path)
    page = html_path.read_text(encoding="utf-8")
    assert "The title" in page and "printed output" in page
    body = page[page.index("<body"):]
    assert "secret_code_marker" not in page and "jp-InputArea-editor" not in body
    assert "jp-InputPrompt" not in body and "jp-OutputPrompt" not in body
    assert "<title>01_t</title>" in page


def test_nothing_is_loaded_from_the_network_and_images_are_inline(tmp_path):
    html_path = tmp_path / "01_t.html"
    export_html(_executed(tmp_path / "01_t.ipynb"), html_path)
    page = html_path.read_text(encoding="utf-8")
    assert not re.search(r'<(script|link)\b[^>]*(src|href)="(https?:)?//', page)
    assert "require.js" not in page and "mathjax" not in page.lower() and "mermaid" not in page.lower()
    assert f'src="data:image/png;base64,{PNG}' in page


def test_the_template_drops_every_cdn_block():
    for block in ("html_head_js_requirejs", "html_head_js_mathjax", "html_head_js_mermaidjs"):
        assert f"{{%- block {block} -%}}{{%- endblock {block} -%}}" in OFFLINE_TEMPLATE
    assert OFFLINE_TEMPLATE.startswith("{%- extends 'lab/index.html.j2' -%}")


def _report_notebook(path):
    """An 'executed' notebook with a title, sections, a report-hide cell and papermill's parameters."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "infra-mind", "display_name": "Infra Mind", "language": "python"}
    nb.metadata["papermill"] = {"parameters": {"sizes": [1, 2]}, "version": "2.7.0", "start_time": "T0", "end_time": "T1"}
    params = nbformat.v4.new_code_cell("sizes = [100]\nprofile = 'realistic'  # help\n", execution_count=1)
    params.metadata["tags"] = ["parameters"]
    hidden = nbformat.v4.new_code_cell("x", execution_count=2)
    hidden.metadata["tags"] = ["report-hide"]
    hidden.outputs = [nbformat.v4.new_output("stream", name="stdout", text="only for nbval\n")]
    shown = nbformat.v4.new_code_cell("y", execution_count=3)
    shown.outputs = [nbformat.v4.new_output("stream", name="stdout", text="for readers\n")]
    nb.cells = [nbformat.v4.new_markdown_cell("# 02 · The title\n\nIntro."), params,
                nbformat.v4.new_markdown_cell("## First section"), hidden, shown,
                nbformat.v4.new_markdown_cell("## Second & last")]
    nbformat.write(nb, path)
    return path


def test_the_summary_block_comes_first_with_the_title_and_contents(tmp_path):
    seen = {}

    def summary(title, toc):
        seen.update(title=title, toc=list(toc))
        return '<section class="im-summary">SUMMARY</section>'

    html_path = tmp_path / "02_t.html"
    export_html(_report_notebook(tmp_path / "02_t.ipynb"), html_path, summary)
    page = html_path.read_text(encoding="utf-8")
    assert seen == {"title": "02 · The title", "toc": [("First-section", "First section"), ("Second-&-last", "Second & last")]}
    main = page[page.index("<main>"):]
    assert main.index("SUMMARY") < main.index("Intro.") < main.index("First section")
    assert "02 · The title</h1>" not in page  # the title moved into the summary block
    assert "only for nbval" not in page and "for readers" in page  # report-hide cells are dropped


def test_parameters_are_in_a_collapsed_appendix_and_print_css_is_there(tmp_path):
    html_path = tmp_path / "02_t.html"
    export_html(_report_notebook(tmp_path / "02_t.ipynb"), html_path)
    page = html_path.read_text(encoding="utf-8")
    appendix = page[page.index('<details class="im-appendix"'):]
    assert appendix.startswith('<details class="im-appendix" id="how-this-was-run"><summary>How this was run</summary>')
    assert "<td><code>sizes</code></td><td><code>[1, 2]</code></td><td>set for this run</td>" in appendix
    assert re.search(r"<td><code>profile</code></td><td><code>(&#x27;|')realistic(&#x27;|')</code></td><td>notebook default</td>",
                     appendix)
    assert "papermill 2.7.0" in appendix and "T0 → T1" in appendix
    assert appendix.index("</details>") < appendix.index("</main>")
    assert "@media print" in page and "<!--infra-mind-summary-->" not in page
    assert "02 · The title" in page  # without a summary the title stays where it was


def test_declared_defaults_reads_the_parameters_cell():
    from analysis.runner.export import declared_defaults

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("a = 1\nb: int = 2\nc, d = 3, 4\n# comment\ne = [1,\n 2]\n")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    assert declared_defaults(nb) == {"a": "1", "b": "2", "e": "[1,\n 2]"}
    nb.cells[0].source = "a = ("
    assert declared_defaults(nb) == {}


def test_the_report_runs_nothing_and_carries_the_csp(tmp_path):
    """JavaScript and widget outputs and widget state are left out; Markdown outputs are text; the CSP comes first."""
    nb = nbformat.read(_executed(tmp_path / "01_t.ipynb"), as_version=4)
    code = nb.cells[1]
    code.outputs += [
        nbformat.v4.new_output("display_data", data={"application/javascript": "document.title='PWNED'",
                                                     "text/plain": "<Javascript>"}),
        nbformat.v4.new_output("display_data", data={"text/markdown": "[x](javascript:alert(1)) <img src=x onerror=1>",
                                                     "text/plain": "md"}),
        nbformat.v4.new_output("display_data", data={"application/vnd.jupyter.widget-view+json":
                                                     {"model_id": "m", "version_major": 2, "version_minor": 0},
                                                     "text/plain": "widget"}),
    ]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2,
                                                                           "version_minor": 0}}
    nbformat.write(nb, tmp_path / "01_t.ipynb")
    export_html(tmp_path / "01_t.ipynb", tmp_path / "01_t.html")
    page = (tmp_path / "01_t.html").read_text(encoding="utf-8")
    assert "<script" not in page and "PWNED" not in page
    assert "<img src=x" not in page and "[x](javascript:alert(1)) &lt;img src=x onerror=1&gt;" in page
    head = page[:page.index("<title>")]
    assert re.search(r'<meta[^>]*http-equiv="Content-Security-Policy"', head) and "default-src 'none'" in head
