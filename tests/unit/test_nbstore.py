"""analysis.nbstore: keep only the outputs of ``# NBVAL_CHECK_OUTPUT`` cells (execution faked: no kernel)."""

from pathlib import Path

import nbformat

from analysis import nbstore
from analysis.config import KERNEL_NAME


class FakeClient:
    """Stands in for nbclient: "executes" by giving every code cell an output and a count."""

    seen: list = []

    def __init__(self, nb, **kwargs):
        self.nb, self.kwargs = nb, kwargs
        FakeClient.seen.append(kwargs)

    def execute(self):
        for n, cell in enumerate(c for c in self.nb.cells if c.cell_type == "code"):
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"out {n}\n")]
            cell.execution_count = n + 1
            cell.metadata["execution"] = {"iopub.status.busy": "now"}


def _notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"parameters": {}}
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_code_cell(f"{nbstore.CHECK_MARK}\nprint(x)")]
    nbformat.write(nb, path)
    return path


def test_store_keeps_only_checked_outputs(tmp_path, monkeypatch):
    monkeypatch.setattr(nbstore, "NotebookClient", FakeClient)
    path = _notebook(tmp_path / "01_t.ipynb")
    assert nbstore.store(path, timeout=5) == 1
    assert FakeClient.seen[-1]["config"].KernelManager.transport_encryption == "auto"  # issue 17: no TCP warning
    nb = nbformat.read(path, as_version=4)
    plain, checked = nb.cells[1], nb.cells[2]
    assert plain.outputs == [] and plain.execution_count is None
    assert checked.outputs[0]["text"] == "out 1\n" and checked.execution_count == 2
    assert all("execution" not in c.metadata for c in nb.cells)
    assert nb.metadata["kernelspec"]["name"] == KERNEL_NAME and "papermill" not in nb.metadata
    assert FakeClient.seen[-1]["timeout"] == 5
    assert FakeClient.seen[-1]["resources"] == {"metadata": {"path": str(tmp_path)}}


def test_main_prints_one_line_per_notebook(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(nbstore, "NotebookClient", FakeClient)
    path = _notebook(tmp_path / "02_t.ipynb")
    assert nbstore.main([str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: stored, 1 checked cell(s)\n"
