"""Shared fixtures: small throwaway notebooks for runner tests, the project's paths, system tools.

``make test`` runs the suite in parallel (pytest-xdist, ``-n <cores> --dist loadscope``, see
:mod:`tests.parallel`); every test must be safe beside any other, in another process, in any order:

* **Ports**: servers bind a port from :func:`tests.ports.free_port` (loopback, asked of the OS), never a
  fixed one.
* **Files**: write under ``tmp_path`` / ``tmp_path_factory``, never into the checkout (``reports/``,
  ``data/`` ...). Runner calls take ``out=tmp_path / ...``. nbval's notebook runs write their artifacts
  into a per-worker temporary ``$ANALYSIS_RUN_DIR`` (``tests/session_hygiene.py``). A file the suite
  writes into the checkout fails the run.
* **Expensive servers and runs that tests only read** (the oracle Prometheus ``prom``, the all-notebooks
  report ``default_report``) are ``scope="session"`` fixtures. ``make test`` splits the suite by module
  (``--dist loadscope``: a module's tests, hence its module fixtures, stay on one worker; a notebook's
  nbval cells share one kernel), so a session fixture used by one module is built once per run. When
  tests in several modules share one, list those modules under one name in
  :data:`tests.parallel.SHARED_SESSION_FIXTURES`: they then run on one worker and the fixture is built
  once. (A server shared across workers through a file lock would also be built once, but needs a
  state file and a last-one-out teardown, and on 2 busy cores its tests gain nothing from two workers.)
  A test that changes such a server in a way the others would see takes its own (module- or
  function-scoped) instance.
* **Processes**: stop what you start, in the fixture's teardown (``finally``). A process still running
  at the end of the session fails the run (it inherits ``$INFRA_MIND_TEST_SESSION``).
* **System tools** (prometheus, promtool, chromium): get them through :func:`need_tools` (or the
  ``chromium`` fixture); a missing tool skips the test and the session ends with one line saying how to
  install it. PDFs are read with pypdf, not poppler.
* **No test longer than 30 s** (``make test`` runs with ``--durations``); shrink inputs, share a session
  fixture, never weaken an assertion.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from analysis import config, runner
from tests.parallel import pytest_xdist_make_scheduler  # noqa: F401 (hook)
from tests.session_hygiene import (need_tools, pytest_configure, pytest_runtest_logreport,  # noqa: F401 (hooks)
                                   pytest_sessionfinish, pytest_terminal_summary, pytest_unconfigure)

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
    """The Chromium executable (the test is skipped when it is not installed)."""
    return need_tools("chromium")["chromium"]


def run_one_notebook(name: str, tmp_path: Path, overrides: dict | None = None):
    """Run one workbook notebook through the runner; return (its result, the run directory)."""
    summary = runner.run_notebooks(runner.resolve_notebooks([name]), out=tmp_path / "out",
                                   overrides=overrides or {}, progress=False)
    (result,) = summary.notebooks
    return result, Path(summary.run_dir)
