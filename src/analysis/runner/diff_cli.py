"""``python -m analysis diff [--out DIR] [RUN_A] [RUN_B] [--json]``: what changed between two runs.

Defaults: RUN_B is the latest run, RUN_A the newest earlier run with the same parameters (or,
when there is none, the baseline RUN_B was compared with when it ran).
A run is a run id, ``latest`` or a run directory. Exit code (:data:`analysis.cli.EXIT_CODES`)
of the comparison: 2 when a notebook newly errs, 1 when one newly FAILs, else 0; an unknown
run: one line, exit 2.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import reports_dir
from ..errors import ConfigError
from ..jsonsafe import jsonable
from ..record import format_delta, format_figure
from . import history, history_query
from .changes import compare, describe, outcome


@dataclass
class Diff:
    """The outcome of ``diff``: its ``status`` maps to the exit code."""

    run_a: str
    run_b: str
    changes: list[dict[str, Any]] = field(default_factory=list)
    status: str = "PASS"


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``diff`` arguments to ``parser``."""
    parser.add_argument("runs", nargs="*", metavar="RUN", help="RUN_A RUN_B (default: the two latest comparable runs)")
    parser.add_argument("--out", type=Path, default=reports_dir(), help="report root (default: reports/)")
    parser.add_argument("--json", action="store_true", help="JSON on stdout")


def _pick(conn: sqlite3.Connection, refs: list[str], out: Path) -> tuple[history_query.RunRow, history_query.RunRow]:
    """The two runs to compare."""
    if len(refs) > 2:
        raise ConfigError(f"diff: expected at most two runs, got {len(refs)}")
    b = history_query.resolve_run(conn, refs[1] if len(refs) == 2 else "latest", out)
    if refs:
        return history_query.resolve_run(conn, refs[0], out), b
    a = history_query.previous_comparable(conn, b.params_hash, before=b)
    if a is None and b.baseline_id:  # compared with --baseline when it ran: the same pair
        a = history_query.get_run(conn, b.baseline_id)
    if a is None:
        raise ConfigError(f"diff: run {b.run_id} has no earlier run with the same parameters to compare with")
    return a, b


def compute(out: Path, refs: list[str]) -> Diff:
    """Compare two recorded runs (see the module doc for the defaults)."""
    path = out / history.HISTORY_FILE
    try:
        conn = history.connect(path, create=False)
        try:
            a, b = _pick(conn, refs, out)
            changes = compare(history_query.snapshots(conn, a.run_id), history_query.snapshots(conn, b.run_id))
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise ConfigError(f"{path}: cannot read the run history ({exc})") from exc
    return Diff(a.run_id, b.run_id, changes, outcome(changes))


def _text(d: Diff) -> str:
    """Plain text: a line per notebook, indented lines per figure that moved."""
    lines = [f"diff {d.run_a} → {d.run_b}"]
    for c in d.changes:
        lines.append(f"  {c['notebook']}: {describe(c)}")
        if c["headline_before"] not in (None, c["headline_after"]):
            lines.append(f"    headline was: {c['headline_before']}")
            lines.append(f"    headline now: {c['headline_after']}")
        for f in c["figures"]:
            if f["assessment"] not in ("unchanged",):
                unit = f.get("unit", "")
                delta = f" ({format_delta(f['abs_delta'], unit)})" if f["abs_delta"] is not None else ""
                lines.append(f"    {f.get('label') or f['name']}: {format_figure(f['old'], unit)} → "
                             f"{format_figure(f['new'], unit)}{delta} {f['assessment']}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> Diff:
    """Print the comparison; return it (its status gives the exit code)."""
    d = compute(args.out, list(args.runs))
    if args.json:
        print(json.dumps(jsonable({"run_a": d.run_a, "run_b": d.run_b, "status": d.status, "changes": d.changes}),
                         indent=1, ensure_ascii=False))
    else:
        print(_text(d))
    return d
