"""Reading the run history: runs, baselines, snapshots to compare, trends and status changes.

Every function takes a connection from :func:`analysis.runner.history.connect` and only reads.
Runs are ordered by start time, then run id (a run's id is its directory name under ``OUT``).
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .changes import Snapshot

_RUN_COLUMNS = "run_id, started, finished, params_file, params_hash, git_commit, exit_code, status, baseline_id"


@dataclass(frozen=True)
class RunRow:
    """One row of ``runs``."""

    run_id: str
    started: str
    finished: str
    params_file: str | None
    params_hash: str
    git_commit: str | None
    exit_code: int
    status: str
    baseline_id: str | None


def runs(conn: sqlite3.Connection, *, params_hash: str | None = None, since: str | None = None,
         limit: int | None = None) -> list[RunRow]:
    """Runs in order of start (oldest first); the newest ``limit`` when given.

    Parameters
    ----------
    conn : sqlite3.Connection
        The history.
    params_hash : str, optional
        Only runs with these effective parameters (comparable runs).
    since : str, optional
        Only runs started at or after this ISO 8601 time (UTC, as stored).
    limit : int, optional
        Only the newest ``limit`` runs.
    """
    where, args = [], []
    if params_hash is not None:
        where.append("params_hash = ?")
        args.append(params_hash)
    if since is not None:
        where.append("started >= ?")
        args.append(since)
    sql = f"SELECT {_RUN_COLUMNS} FROM runs" + (f" WHERE {' AND '.join(where)}" if where else "")
    sql += " ORDER BY started DESC, run_id DESC" + (f" LIMIT {int(limit)}" if limit else "")
    return [RunRow(*row) for row in reversed(conn.execute(sql, args).fetchall())]


def get_run(conn: sqlite3.Connection, run_id: str) -> RunRow | None:
    """The run ``run_id``, or None."""
    row = conn.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE run_id = ?", (run_id,)).fetchone()
    return RunRow(*row) if row else None


def resolve_run(conn: sqlite3.Connection, ref: str, out: Path) -> RunRow:
    """The run a user named: a run id, ``latest``, or a run directory (``reports/20261101T060000Z``).

    ``latest`` is the run ``OUT/latest`` points at (the newest run in the history when the link
    is missing or points at a run the history does not know).

    Raises
    ------
    ConfigError
        One line naming the reference and the newest known runs.
    """
    if ref == "latest":
        link = out / "latest"
        named = os.readlink(link) if link.is_symlink() else None
        found = get_run(conn, Path(named).name) if named else None
        newest = runs(conn, limit=1)
        if found or newest:
            return found or newest[0]
    else:
        found = get_run(conn, Path(ref.rstrip("/")).name) if ref.strip() else None
        if found:
            return found
    known = ", ".join(r.run_id for r in runs(conn, limit=3)) or "none"
    raise ConfigError(f"unknown run '{ref}' in {out / 'history.sqlite'} (newest runs: {known})")


def previous_comparable(conn: sqlite3.Connection, params_hash: str, *, before: RunRow | None = None) -> RunRow | None:
    """The newest run with the same effective parameters (started before ``before`` when given)."""
    candidates = runs(conn, params_hash=params_hash)
    if before is not None:
        candidates = [r for r in candidates if (r.started, r.run_id) < (before.started, before.run_id)]
    return candidates[-1] if candidates else None


def snapshots(conn: sqlite3.Connection, run_id: str) -> dict[str, Snapshot]:
    """Every notebook of a run as a :class:`~analysis.runner.changes.Snapshot` (figures with their info)."""
    figures: dict[str, dict[str, Any]] = {}
    infos: dict[str, dict[str, Any]] = {}
    rows = conn.execute("SELECT notebook, name, value, unit, higher_is_better, noise, key, label FROM figures "
                        "WHERE run_id = ? ORDER BY notebook, position", (run_id,))
    for notebook, name, value, unit, hib, noise, key, label in rows:
        figures.setdefault(notebook, {})[name] = json.loads(value) if value is not None else None
        infos.setdefault(notebook, {})[name] = {"unit": unit, "higher_is_better": None if hib is None else bool(hib),
                                               "noise": noise, "key": bool(key), "label": label}
    nbs = conn.execute("SELECT name, status, headline FROM notebooks WHERE run_id = ? ORDER BY rowid", (run_id,))
    return {name: Snapshot(status, headline, figures.get(name, {}), infos.get(name, {})) for name, status, headline in nbs}


def trend(conn: sqlite3.Connection, params_hash: str, *, limit: int = 20) -> dict[str, list[dict[str, Any]]]:
    """Per notebook, its last ``limit`` comparable runs: run id, status and numeric key figures (oldest first)."""
    window = runs(conn, params_hash=params_hash, limit=limit)
    ids = [r.run_id for r in window]
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for run_id, name, status in conn.execute(
            f"SELECT run_id, name, status FROM notebooks WHERE run_id IN ({marks})", ids):
        out.setdefault(name, {})[run_id] = {"run_id": run_id, "status": status, "figures": {}}
    for run_id, notebook, name, num in conn.execute(
            f"SELECT run_id, notebook, name, num FROM figures WHERE run_id IN ({marks}) AND num IS NOT NULL AND key = 1 "
            "ORDER BY position", ids):
        out[notebook][run_id]["figures"][name] = num
    return {nb: [by_run[i] for i in ids if i in by_run] for nb, by_run in out.items()}


def figure_series(conn: sqlite3.Connection, params_hash: str, *, prefix: str = "") -> list[tuple[Any, ...]]:
    """Numeric figures over comparable runs: key figures, plus every figure whose name starts with ``prefix``.

    Returns
    -------
    list of tuple
        (started, run_id, notebook, name, value, unit, label), oldest run first.
    """
    sql = ("SELECT r.started, r.run_id, f.notebook, f.name, f.num, f.unit, f.label FROM runs r JOIN figures f USING (run_id) "
           "WHERE r.params_hash = ? AND f.num IS NOT NULL AND (f.key = 1" + (" OR f.name LIKE ? ESCAPE '\\')" if prefix else ")")
           + " ORDER BY r.started, r.run_id, f.notebook, f.position")
    args: list[Any] = [params_hash]
    if prefix:
        args.append(prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    return conn.execute(sql, args).fetchall()


def status_series(conn: sqlite3.Connection, params_hash: str) -> list[tuple[Any, ...]]:
    """Every notebook's verdict over comparable runs: (started, run_id, notebook, status), oldest run first."""
    sql = ("SELECT r.started, r.run_id, n.name, n.status FROM runs r JOIN notebooks n USING (run_id) "
           "WHERE r.params_hash = ? ORDER BY r.started, r.run_id, n.name")
    return conn.execute(sql, [params_hash]).fetchall()


def status_changes(conn: sqlite3.Connection, *, params_hash: str | None = None) -> list[dict[str, Any]]:
    """Every notebook whose status differs from its run's baseline, newest first."""
    sql = ("SELECT r.run_id, r.started, r.baseline_id, n.name, b.status, n.status FROM runs r "
           "JOIN notebooks n ON n.run_id = r.run_id JOIN notebooks b ON b.run_id = r.baseline_id AND b.name = n.name "
           "WHERE b.status != n.status" + (" AND r.params_hash = ?" if params_hash else "")
           + " ORDER BY r.started DESC, r.run_id DESC, n.name")
    keys = ("run_id", "started", "baseline_id", "notebook", "status_before", "status_after")
    return [dict(zip(keys, row)) for row in conn.execute(sql, [params_hash] if params_hash else [])]


def notebook_rows(conn: sqlite3.Connection, *, notebook: str | None = None, since: str | None = None) -> list[dict[str, Any]]:
    """One row per notebook per run (oldest first): run_id, started, notebook, status, headline, seconds, error."""
    sql = ("SELECT r.run_id, r.started, n.name, n.status, n.headline, n.seconds, n.error FROM runs r "
           "JOIN notebooks n USING (run_id) WHERE (? IS NULL OR n.name = ?) AND (? IS NULL OR r.started >= ?) "
           "ORDER BY r.started, r.run_id, n.name")
    keys = ("run_id", "started", "notebook", "status", "headline", "seconds", "error")
    return [dict(zip(keys, row)) for row in conn.execute(sql, (notebook, notebook, since, since))]


def figure_rows(conn: sqlite3.Connection, *, figure: str, notebook: str | None = None,
                since: str | None = None) -> list[dict[str, Any]]:
    """One figure's values over every run (oldest first): run_id, started, notebook, figure, value, unit.

    ``figure`` is a figure's stable name or its display label (``"SLOs met"`` finds ``compliant``).
    """
    sql = ("SELECT r.run_id, r.started, f.notebook, f.name, f.value, f.unit FROM runs r JOIN figures f USING (run_id) "
           "WHERE (f.name = ? OR f.name IN (SELECT name FROM figures WHERE label = ?)) "
           "AND (? IS NULL OR f.notebook = ?) AND (? IS NULL OR r.started >= ?) "
           "ORDER BY r.started, r.run_id, f.notebook")
    keys = ("run_id", "started", "notebook", "figure", "value", "unit")
    rows = conn.execute(sql, (figure, figure, notebook, notebook, since, since)).fetchall()
    return [dict(zip(keys, (*row[:4], json.loads(row[4]) if row[4] is not None else None, row[5]))) for row in rows]
