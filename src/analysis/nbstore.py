"""Store a notebook for version control the way nbval needs it.

``python -m analysis.nbstore notebooks/03_slo_error_budgets.ipynb`` executes the
notebook on its embedded defaults (from the project root, kernel of the current
environment), then keeps outputs and execution counts only in cells marked
``# NBVAL_CHECK_OUTPUT`` (nbval compares those under ``--nbval-lax``) and clears every
other cell, so the repository holds no plots, timings or tables that go stale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from traitlets.config import Config

from .config import KERNEL_NAME, project_root

CHECK_MARK = "# NBVAL_CHECK_OUTPUT"


def store(path: Path, *, timeout: int = 600) -> int:
    """Execute ``path`` in place and strip unchecked outputs; return checked-cell count."""
    nb = nbformat.read(path, as_version=4)
    # the kernel gets CurveZMQ keys from its manager: no unencrypted loopback TCP, no warning about it
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                            config=Config({"KernelManager": {"transport_encryption": "auto"}}))
    client.execute()
    checked = 0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        if CHECK_MARK in cell.source:
            checked += 1
            continue
        cell.outputs = []
        cell.execution_count = None
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Infra Mind audit (.venv)", "language": "python"}
    nb.metadata.pop("papermill", None)
    nbformat.write(nb, path)
    return checked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for p in args.notebooks:
        path = p.resolve()
        n = store(path)
        shown = path.relative_to(project_root()) if path.is_relative_to(project_root()) else path
        print(f"{shown}: stored, {n} checked cell(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
