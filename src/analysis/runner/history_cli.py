"""``python -m analysis history [--out DIR] [--notebook N] [--figure NAME] [--since ISO] [--json|--csv]``.

Reads ``OUT/history.sqlite``: every run (with each notebook's status), one notebook over the
runs (``--notebook``), or one figure over the runs (``--figure``). Nothing to judge: exit 0;
no history or a bad flag: one line, exit 2.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..config import reports_dir
from ..errors import ConfigError
from ..escape import csv_cell
from ..jsonsafe import jsonable
from ..record import format_figure
from ..timeparse import parse_time
from . import history, history_query


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``history`` flags to ``parser``."""
    parser.add_argument("--out", type=Path, default=reports_dir(), help="report root (default: reports/)")
    parser.add_argument("--notebook", metavar="N", help="one notebook: its name, stem or number (03)")
    parser.add_argument("--figure", metavar="NAME", help="one figure's values over the runs (its name or label)")
    parser.add_argument("--since", metavar="ISO", help="only runs started at or after this time (ISO 8601)")
    fmt = parser.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSON on stdout")
    fmt.add_argument("--csv", action="store_true", help="CSV on stdout")


def _notebook_name(conn: sqlite3.Connection, given: str) -> str:
    """The recorded notebook a user named (stem, number prefix or name without number)."""
    names = [r[0] for r in conn.execute("SELECT DISTINCT name FROM notebooks ORDER BY name")]
    hits = [n for n in names if given in (n, n.split("_", 1)[0], n.split("_", 1)[-1])]
    if len(hits) != 1:
        raise ConfigError(f"--notebook {given}: no such notebook in the history (known: {', '.join(names) or 'none'})")
    return hits[0]


def _since(text: str | None) -> str | None:
    """``--since`` as the stored form of a start time (UTC ISO 8601)."""
    if text is None:
        return None
    return dt.datetime.fromtimestamp(parse_time(text, "--since"), tz=dt.timezone.utc).isoformat(timespec="seconds")


def rows_for(conn: sqlite3.Connection, args: argparse.Namespace) -> list[dict[str, Any]]:
    """The rows the flags ask for."""
    since = _since(args.since)
    notebook = _notebook_name(conn, args.notebook) if args.notebook else None
    if args.figure:
        return history_query.figure_rows(conn, figure=args.figure, notebook=notebook, since=since)
    if notebook:
        return history_query.notebook_rows(conn, notebook=notebook, since=since)
    per_run: dict[str, list[dict[str, Any]]] = {}
    for row in history_query.notebook_rows(conn, since=since):
        per_run.setdefault(row["run_id"], []).append(
            {k: row[k] for k in ("notebook", "status", "headline", "seconds", "error")})
    return [{**vars(r), "notebooks": per_run.get(r.run_id, [])} for r in history_query.runs(conn, since=since)]


def _text(rows: Sequence[dict[str, Any]]) -> str:
    """Aligned plain text: one line per row (a run's notebooks as NAME=STATUS)."""
    lines = []
    for row in rows:
        if "notebooks" in row:
            statuses = " ".join(f"{n['notebook'].split('_', 1)[0]}={n['status']}" for n in row["notebooks"])
            lines.append(f"{row['run_id']:<20} {row['status']:<5} exit {row['exit_code']}  params {row['params_hash']}  {statuses}")
        elif "figure" in row:
            value = format_figure(row["value"], row["unit"])
            lines.append(f"{row['run_id']:<20} {row['notebook']:<26} {row['figure']}: {value}")
        else:
            lines.append(f"{row['run_id']:<20} {row['notebook']:<26} {row['status']:<5} {row['seconds'] or 0:7.1f} s  {row['headline']}")
    return "\n".join(lines)


def _csv(rows: Sequence[dict[str, Any]]) -> None:
    """CSV on stdout (a run's notebooks as ``name=STATUS`` joined by spaces).

    Headlines and errors quote audited systems: a cell that would start a spreadsheet formula is
    prefixed with ``'`` (:func:`analysis.escape.csv_cell`).
    """
    flat = [{**r, "notebooks": " ".join(f"{n['notebook']}={n['status']}" for n in r["notebooks"])} if "notebooks" in r else r
            for r in rows]
    if not flat:
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(flat[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in flat)


def run(args: argparse.Namespace) -> None:
    """Print the history the flags select (text, JSON or CSV); nothing to judge."""
    path = args.out / history.HISTORY_FILE
    try:
        conn = history.connect(path, create=False)
        try:
            rows = rows_for(conn, args)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise ConfigError(f"{path}: cannot read the run history ({exc})") from exc
    if args.json:
        print(json.dumps(jsonable(rows), indent=1, ensure_ascii=False))
    elif args.csv:
        _csv(rows)
    else:
        print(_text(rows) if rows else "no runs match")
