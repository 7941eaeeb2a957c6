"""The runner's use of the history: pick the baseline, compare, record the run, read trends.

A history problem (a corrupt or unwritable ``history.sqlite``) never loses a run: every step
here turns ``sqlite3`` and OS errors into one WARN line, and the run goes on without history.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..cli import EXIT_CODES
from ..errors import ConfigError
from . import history, history_query
from .changes import Snapshot, compare
from .history_page import BUDGET_PREFIX
from .result import NotebookResult, RunSummary
from .sparkline import TREND_RUNS

#: How many comparable runs the index's sparklines cover.


def history_path(out: Path) -> Path:
    """``OUT/history.sqlite``."""
    return out / history.HISTORY_FILE


def history_warning(out: Path, exc: BaseException) -> str:
    """The one WARN line of a history problem."""
    problem = " ".join(str(exc).split()) or type(exc).__name__
    return f"WARN history {history_path(out)}: {problem}; the run is complete but not recorded in the history"


@contextmanager
def opened(out: Path) -> Iterator[sqlite3.Connection]:
    """A connection to the history, closed afterwards."""
    conn = history.connect(history_path(out))
    try:
        yield conn
    finally:
        conn.close()


def resolve_baseline(out: Path, ref: str | None) -> tuple[history_query.RunRow | None, str | None]:
    """Resolve ``--baseline`` before anything runs.

    Returns
    -------
    (RunRow or None, str or None)
        The run (None without ``ref``) and a WARN line when the history cannot be read.

    Raises
    ------
    ConfigError
        ``ref`` names no run of a readable history (one line; exit 2 before any notebook runs).
    """
    if ref is None:
        return None, None
    if not history_path(out).exists():
        raise ConfigError(f"--baseline {ref}: no run history in {out} yet")
    try:
        with opened(out) as conn:
            return history_query.resolve_run(conn, ref, out), None
    except (sqlite3.Error, OSError) as exc:
        return None, history_warning(out, exc)


def snapshot_of(results: Sequence[NotebookResult]) -> dict[str, Snapshot]:
    """This run's notebooks as snapshots to compare."""
    return {r.name: Snapshot(r.status, r.headline, r.figures, r.figure_info) for r in results}


def compare_with_baseline(out: Path, summary: RunSummary, explicit: history_query.RunRow | None,
                          ref: str | None) -> str | None:
    """Fill ``summary.baseline`` and ``summary.changes``; return a WARN line on a history problem.

    The baseline is ``explicit`` (``--baseline``) or else the newest recorded run with the same
    parameter hash.
    """
    try:
        if not history_path(out).exists() and explicit is None:
            row, before = None, {}
        else:
            with opened(out) as conn:
                row = explicit or history_query.previous_comparable(conn, summary.params_hash)
                before = history_query.snapshots(conn, row.run_id) if row else {}
    except (sqlite3.Error, OSError, ConfigError) as exc:
        return history_warning(out, exc)
    if row is not None:
        summary.baseline = {"run_id": row.run_id, "started": row.started, "params_hash": row.params_hash,
                            "chosen": "same parameters" if ref is None else ref}
        summary.changes = compare(before, snapshot_of(summary.notebooks))
    return None


def refresh_changes(summary: RunSummary, out: Path) -> None:
    """Recompute the changes after a notebook's status changed late (an export failure)."""
    if summary.baseline is None:
        return
    try:
        with opened(out) as conn:
            before = history_query.snapshots(conn, summary.baseline["run_id"])
    except (sqlite3.Error, OSError, ConfigError):
        return
    summary.changes = compare(before, snapshot_of(summary.notebooks))


@dataclass
class HistoryView:
    """What the index and the history page show from the history (empty when it is unavailable)."""

    trends: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    series: list[tuple[Any, ...]] = field(default_factory=list)
    status_changes: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[tuple[Any, ...]] = field(default_factory=list)
    runs: int = 0


def record_and_read(out: Path, summary: RunSummary) -> tuple[HistoryView, str | None]:
    """Record the run in the history, then read the trends that include it.

    Returns
    -------
    (HistoryView, str or None)
        The view, and a WARN line when the history could not be written or read.
    """
    view = HistoryView()
    try:
        with opened(out) as conn:
            history.record_run(conn, summary, EXIT_CODES[summary.status])
            view.trends = history_query.trend(conn, summary.params_hash, limit=TREND_RUNS)
            view.series = history_query.figure_series(conn, summary.params_hash, prefix=BUDGET_PREFIX)
            view.status_changes = history_query.status_changes(conn)
            view.statuses = history_query.status_series(conn, summary.params_hash)
            view.runs = len(history_query.runs(conn, params_hash=summary.params_hash))
    except (sqlite3.Error, OSError, ConfigError) as exc:
        return view, history_warning(out, exc)
    return view, None


def forget_run(out: Path, run_id: str) -> None:
    """Remove a run that was recorded but never published (interrupted); best effort."""
    try:
        with opened(out) as conn:
            conn.execute("DELETE FROM runs WHERE run_id = ?", (run_id,))
    except (sqlite3.Error, OSError, ConfigError):
        pass
