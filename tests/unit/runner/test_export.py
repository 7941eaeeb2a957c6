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
