"""Command line: ``python -m analysis COMMAND ...``.

The CLI only parses flags, calls the library and maps errors to exit codes:
0 ok, 1 findings (a FAIL verdict), 2 bad input / configuration / unreachable system.
Each command lives in its own module exposing ``configure(parser)`` and
``run(args) -> int``; this table is the only place that names them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .errors import AnalysisError

#: command → (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("analysis.runner_cli", "execute notebooks into reports (papermill + HTML + index)"),
    "list": ("analysis.runner_cli_list", "list notebooks with their parameters, types and defaults"),
    "digest": ("analysis.querycost.cli", "digest mongod slow-query logs, profiler dumps and explain outputs"),
    "scan-vs-agg": ("analysis.dashboard.cli", "measure full-scan vs aggregation dashboard loads and the cache"),
    "slo": ("analysis.slo.cli", "SLO compliance, error budgets and burn-rate alerts from Prometheus data"),
    "ws-audit": ("analysis.wsaudit.cli", "run the WebSocket/JWT probe battery against a target"),
    "ws-target": ("analysis.wsaudit.target_cli", "start a reference WebSocket target (secure or vulnerable)"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module_name)
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                p.set_defaults(_missing=f"command '{name}' is not available in this build ({exc.name} missing)")
                continue
            raise
        module.configure(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "_missing", None):
        print(f"error: {args._missing}", file=sys.stderr)
        return 2
    module = importlib.import_module(args._module)
    try:
        return int(module.run(args) or 0)
    except AnalysisError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
