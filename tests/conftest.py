"""Shared fixtures: small throwaway notebooks for runner tests, the project's paths."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from analysis import config, runner

KERNELSPEC = {"name": "infra-mind", "display_name": "Infra Mind audit (.venv)", "language": "python"}


def make_notebook(path: Path, body: str, parameters: str = "level = 'PASS'\n") -> Path:
    """Write a notebook: a tagged parameters cell, then ``body`` as one code cell."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNELSPEC
    params = nbformat.v4.new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem}"), params, nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, path)
    return path


@pytest.fixture
def toy_notebooks(tmp_path: Path) -> dict[str, Path]:
    """Four tiny notebooks: one passes, one finds a problem, one raises, one records nothing."""
    d = tmp_path / "nbs"
    d.mkdir()
    verdict = ("from analysis.record import Verdict, publish\n"
               "publish(Verdict(level, 'toy headline', {'answer': 42}))\n")
    return {
        "pass": make_notebook(d / "01_toy_pass.ipynb", verdict),
        "fail": make_notebook(d / "02_toy_fail.ipynb", verdict, parameters="level = 'FAIL'\n"),
        "raise": make_notebook(d / "03_toy_raise.ipynb", "raise ValueError('toy notebook broke on purpose')\n"),
        "silent": make_notebook(d / "04_toy_silent.ipynb", "x = 1\n"),
    }


@pytest.fixture(scope="session")
def project_root() -> Path:
    return config.project_root()


@pytest.fixture(scope="session")
def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.skip("chromium is not installed (CI installs it: apt-get install chromium)")
    return exe


def run_one_notebook(name: str, tmp_path: Path, overrides: dict | None = None):
    """Run one workbook notebook through the runner; return (its result, the run directory)."""
    summary = runner.run_notebooks(runner.resolve_notebooks([name]), out=tmp_path / "out",
                                   overrides=overrides or {}, progress=False)
    (result,) = summary.notebooks
    return result, Path(summary.run_dir)
