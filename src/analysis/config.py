"""Paths and defaults in one place; nothing here has side effects."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The project root (``src/analysis`` → project). Valid for the editable install the
#: Makefile makes; ``ANALYSIS_PROJECT_ROOT`` overrides it.
PROJECT_ROOT = Path(os.environ.get("ANALYSIS_PROJECT_ROOT", PACKAGE_DIR.parents[1])).resolve()
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
PARAMS_DIR = PROJECT_ROOT / "params"
DATA_DIR = PROJECT_ROOT / "data"
REPORTS_DIR = PROJECT_ROOT / "reports"

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
    return (PROJECT_ROOT / p).resolve()
