"""The run history: ``OUT/history.sqlite`` (stdlib ``sqlite3``, WAL, versioned schema).

One row per run (``runs``), per notebook of a run (``notebooks``) and per figure of a
notebook (``figures``, with the figure's unit, direction, noise threshold, key-ness and display
label from :class:`analysis.record.Figure`; a figure's ``name`` is its stable key across runs). The schema is created and upgraded by :data:`MIGRATIONS`,
applied in order inside one transaction each; ``schema_version`` records every applied step.
WAL mode lets a reader (``history``, ``diff``, a second runner) read while a run writes; a
busy timeout makes two writers wait for each other instead of failing.

Readers are in :mod:`analysis.runner.history_query`.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .changes import as_number
from .result import RunSummary

#: The history database's file name under the report root.
HISTORY_FILE = "history.sqlite"
#: How long a writer waits for another one (milliseconds).
BUSY_TIMEOUT_MS = 30_000

_V1 = (
    """CREATE TABLE runs (
        run_id TEXT PRIMARY KEY, started TEXT NOT NULL, finished TEXT NOT NULL, params_file TEXT,
        params_hash TEXT NOT NULL, git_commit TEXT, exit_code INTEGER NOT NULL, status TEXT NOT NULL,
        baseline_id TEXT)""",
    "CREATE INDEX runs_by_params ON runs (params_hash, started)",
    """CREATE TABLE notebooks (
        run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE, name TEXT NOT NULL,
        status TEXT NOT NULL, headline TEXT NOT NULL, seconds REAL, error TEXT,
        PRIMARY KEY (run_id, name))""",
    """CREATE TABLE figures (
        run_id TEXT NOT NULL, notebook TEXT NOT NULL, name TEXT NOT NULL, position INTEGER NOT NULL,
        value TEXT, num REAL, unit TEXT NOT NULL DEFAULT '', higher_is_better INTEGER, noise REAL NOT NULL DEFAULT 0,
        key INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (run_id, notebook, name),
        FOREIGN KEY (run_id, notebook) REFERENCES notebooks (run_id, name) ON DELETE CASCADE)""",
    "CREATE INDEX figures_by_name ON figures (notebook, name)",
)

#: Version 2: a display label beside each figure's stable name; notebook 01's COLLSCAN share, recorded
#: as a fraction of 1 without a unit until then, becomes the percentage it is shown as (its name stays).
_V2 = (
    "ALTER TABLE figures ADD COLUMN label TEXT NOT NULL DEFAULT ''",
    """UPDATE figures SET num = num * 100, value = CAST(ROUND(num * 100, 1) AS TEXT), unit = '%', noise = noise * 100
       WHERE notebook = '01_query_cost_audit' AND name = 'COLLSCAN share of time' AND unit = '' AND num IS NOT NULL""",
)

#: (version, description, statements): applied in order to bring a database to the newest version.
MIGRATIONS: list[tuple[int, str, Sequence[str]]] = [
    (1, "runs, notebooks and figures", _V1),
    (2, "figure labels; 01's COLLSCAN share in percent", _V2),
]


def schema_version(conn: sqlite3.Connection) -> int:
    """The highest applied migration (0 for an empty database)."""
    has = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'").fetchone()
    if not has:
        return 0
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return int(row[0] or 0)


def migrate(conn: sqlite3.Connection, migrations: Sequence[tuple[int, str, Sequence[str]]] | None = None) -> int:
    """Apply the missing migrations, each in its own transaction; return the version reached.

    Raises
    ------
    ConfigError
        The database was written by a newer workbook (its version is above the newest known).
    sqlite3.Error
        A migration failed (that migration is rolled back; earlier ones stay).
    """
    migrations = MIGRATIONS if migrations is None else migrations
    newest = max(v for v, _, _ in migrations)
    if schema_version(conn) == newest:
        return newest  # up to date: no write lock (history / diff only read)
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                     "version INTEGER PRIMARY KEY, applied TEXT NOT NULL, description TEXT NOT NULL)")
        current = schema_version(conn)
        if current > newest:
            raise ConfigError(f"history database schema version {current} is newer than this workbook's ({newest})")
        for version, description, statements in migrations:
            if version <= current:
                continue
            for statement in statements:
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version VALUES (?, ?, ?)",
                         (version, dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), description))
            current = version
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return current


def connect(path: Path, *, create: bool = True) -> sqlite3.Connection:
    """Open (and create or upgrade) the history database in WAL mode.

    Parameters
    ----------
    path : Path
        ``OUT/history.sqlite``.
    create : bool
        Create it when missing (False: a missing file raises ``ConfigError``).

    Returns
    -------
    sqlite3.Connection
        In autocommit mode (transactions are explicit), foreign keys on.

    Raises
    ------
    ConfigError
        The file is missing and ``create`` is False.
    sqlite3.Error
        The file is not a database, is corrupt or not writable.
    """
    if not create and not path.is_file():
        raise ConfigError(f"{path}: no run history here (run `python -m analysis run --out {path.parent}` first)")
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise sqlite3.OperationalError(f"cannot switch to WAL mode (journal mode {mode})")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _figure_rows(run_id: str, summary: RunSummary) -> list[tuple[Any, ...]]:
    """The ``figures`` rows of a run."""
    rows = []
    for nb in summary.notebooks:
        for position, (name, value) in enumerate(nb.figures.items()):
            info = nb.figure_info.get(name, {})
            direction = info.get("higher_is_better")
            rows.append((run_id, nb.name, name, position, json.dumps(value), as_number(value), info.get("unit", ""),
                         None if direction is None else int(bool(direction)), float(info.get("noise") or 0.0),
                         int(bool(info.get("key", True))), str(info.get("label") or "")))
    return rows


def record_run(conn: sqlite3.Connection, summary: RunSummary, exit_code: int) -> None:
    """Append a run (its notebooks and figures) in one transaction.

    Parameters
    ----------
    conn : sqlite3.Connection
        From :func:`connect`.
    summary : RunSummary
        The finished run (``run_id``, ``params_hash``, ``baseline`` set).
    exit_code : int
        The runner's exit code for this run.
    """
    baseline_id = (summary.baseline or {}).get("run_id")
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (summary.run_id, summary.started, summary.finished, summary.params_file, summary.params_hash,
                      summary.git_commit, exit_code, summary.status, baseline_id))
        conn.executemany("INSERT INTO notebooks VALUES (?, ?, ?, ?, ?, ?)",
                         [(summary.run_id, r.name, r.status, r.headline, r.seconds, r.error) for r in summary.notebooks])
        conn.executemany("INSERT INTO figures (run_id, notebook, name, position, value, num, unit, higher_is_better, "
                         "noise, key, label) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", _figure_rows(summary.run_id, summary))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
