"""Command line: ``python -m analysis COMMAND ...``.

The CLI only parses flags, calls the library and maps outcomes to exit codes. Each command
lives in its own module exposing ``configure(parser)`` and ``run(args)``; ``run`` returns
its outcome — a :class:`~analysis.record.Verdict`, anything else with a ``status``, or
``None`` when there is nothing to judge — and :data:`EXIT_CODES` is the one table that
turns outcomes and typed errors into exit codes, for every command.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Collection, Sequence
from typing import Any

from .errors import AnalysisError
from .escape import TerminalSafe, terminal_text

#: The one table from outcomes to exit codes. Statuses: PASS/WARN 0, FAIL 1 (a finding),
#: ERROR 2 (nothing could be concluded). Typed errors: bad input, configuration or an
#: unreachable system (every :class:`~analysis.errors.AnalysisError`) 2; Ctrl-C 130.
EXIT_CODES: dict[str | type[BaseException], int] = {
    "PASS": 0,
    "WARN": 0,
    "FAIL": 1,
    "ERROR": 2,
    AnalysisError: 2,
    KeyboardInterrupt: 130,
}

#: command → (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("analysis.runner.cli", "execute notebooks into reports (papermill + HTML + index)"),
    "list": ("analysis.runner.list_cli", "list notebooks with their parameters, types and defaults"),
    "history": ("analysis.runner.history_cli", "show the run history (runs, one notebook or one figure over time)"),
    "diff": ("analysis.runner.diff_cli", "what changed between two runs (default: the two latest comparable runs)"),
    "digest": ("analysis.querycost.cli", "digest mongod slow-query logs, profiler dumps and explain outputs"),
    "scan-vs-agg": ("analysis.dashboard.cli", "measure full-scan vs aggregation dashboard loads and the cache"),
    "slo": ("analysis.slo.cli", "SLO compliance, error budgets and burn-rate alerts from Prometheus data"),
    "slo-rules": ("analysis.slo.rules_cli", "generate Prometheus / Prometheus Operator SLO alert rules and check them"),
    "ws-audit": ("analysis.wsaudit.cli", "run the WebSocket/JWT probe battery against a target"),
    "ws-target": ("analysis.wsaudit.target_cli", "start a reference WebSocket target (secure, vulnerable, pubsub...)"),
}


def exit_code(outcome: Any) -> int:
    """The exit code of a command's outcome (see :data:`EXIT_CODES`).

    Parameters
    ----------
    outcome : Verdict, object with ``status``, str, BaseException or None
        What the command returned (None: nothing to judge, exit 0) or raised.
    """
    if outcome is None:
        return 0
    if isinstance(outcome, BaseException):
        for kind in type(outcome).__mro__:
            if kind in EXIT_CODES:
                return EXIT_CODES[kind]
        raise outcome
    status = outcome if isinstance(outcome, str) else outcome.status
    return EXIT_CODES[status]


def build_parser(configured: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every command (each command module adds its own flags).

    Parameters
    ----------
    configured : collection of str, optional
        Import and configure only these commands' modules (default: all); the others stay
        listed with their help. A command then imports only its own module, not every
        audit's dependencies (papermill and nbconvert for ``run``, pandas for ``digest``...).
    """
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module_name)
        if configured is None or name in configured:
            importlib.import_module(module_name).configure(p)
    return parser


def command_in(argv: Sequence[str]) -> str | None:
    """The command named in ``argv`` (its first argument that is not an option), or None if none is known."""
    first = next((a for a in argv if not a.startswith("-")), None)
    return first if first in COMMANDS else None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    command = command_in(argv)
    parser = build_parser(configured=[command] if command else [])
    args = parser.parse_args(argv)
    module = importlib.import_module(args._module)
    try:
        with contextlib.redirect_stdout(TerminalSafe(sys.stdout)):  # values from audited systems: text, not escapes
            return exit_code(module.run(args))
    except (AnalysisError, KeyboardInterrupt) as exc:
        if args.debug:
            raise
        print("interrupted" if isinstance(exc, KeyboardInterrupt) else f"error: {terminal_text(str(exc))}",
              file=sys.stderr)
        return exit_code(exc)
