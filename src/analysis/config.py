"""Paths and defaults in one place; nothing here has side effects.

Paths are functions, not constants: the project root can be moved with the environment
variable ``ANALYSIS_PROJECT_ROOT``, and it is read when a path is asked for, never at import.
"""

from __future__ import annotations

import os
from pathlib import Path

#: This package's directory (``src/analysis``).
PACKAGE_DIR = Path(__file__).resolve().parent
#: The environment variable that overrides the project root.
PROJECT_ROOT_ENV = "ANALYSIS_PROJECT_ROOT"

#: The environment variable through which the runner tells a notebook where its run's files go.
RUN_DIR_ENV = "ANALYSIS_RUN_DIR"

#: The Jupyter kernel registered by ``make setup`` inside ``.venv``.
KERNEL_NAME = "infra-mind"
#: Per-cell execution timeout of the runner (seconds).
DEFAULT_CELL_TIMEOUT_S = 600

#: Prefix a MongoDB database name must carry before the workbook writes into it.
SCRATCH_DB_PREFIX = "scratch_"
#: Default ``maxTimeMS`` for audit queries against a real server.
DEFAULT_MAX_TIME_MS = 5_000
#: Default network timeouts (seconds) for MongoDB, Redis, Prometheus, WebSocket.
DEFAULT_CONNECT_TIMEOUT_S = 5.0


def project_root() -> Path:
    """The project root: ``$ANALYSIS_PROJECT_ROOT``, else two levels above the package.

    The default is valid for the editable install the Makefile makes.
    """
    return Path(os.environ.get(PROJECT_ROOT_ENV) or PACKAGE_DIR.parents[1]).resolve()


def notebooks_dir() -> Path:
    """``notebooks/`` of the project."""
    return project_root() / "notebooks"


def params_dir() -> Path:
    """``params/`` (YAML parameter sets)."""
    return project_root() / "params"


def data_dir() -> Path:
    """``data/`` (the bundled samples)."""
    return project_root() / "data"


def reports_dir() -> Path:
    """``reports/`` (generated; git-ignored)."""
    return project_root() / "reports"


def run_artifacts_dir(notebook: str) -> Path:
    """Where a notebook writes files for the reader (a reviewed script, a rules file ...).

    Under the runner: ``<run directory>/<notebook>/`` (``$ANALYSIS_RUN_DIR`` is set by the
    runner while it executes the notebook, so the files are published with the run).
    Interactively: ``reports/adhoc/<notebook>/``. The directory is created.

    Parameters
    ----------
    notebook : str
        The notebook's stem, e.g. ``"01_query_cost_audit"``.
    """
    base = os.environ.get(RUN_DIR_ENV)
    path = (Path(base) if base else reports_dir() / "adhoc") / notebook
    path.mkdir(parents=True, exist_ok=True)
    return path


def resolve_path(path: str | os.PathLike[str]) -> Path:
    """Resolve a user-given path.

    Absolute paths are returned as they are. A relative path is taken from the
    current directory when it exists there, else from the project root, so notebooks
    give the same answer whether run from ``notebooks/`` (JupyterLab, nbval) or from
    the project root (the runner).

    Parameters
    ----------
    path : str or PathLike
        The path as the user wrote it.

    Returns
    -------
    Path
        The resolved path (it may not exist; callers report that).
    """
    p = Path(path).expanduser()
    if p.is_absolute():
        return p
    if p.exists():
        return p.resolve()
    return (project_root() / p).resolve()
