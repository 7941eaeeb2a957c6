"""``python -m analysis run [NOTEBOOK ...] [--params FILE] [-p key=value ...] [--out DIR] [--timeout S]
[--jobs N] [--baseline RUN] [--keep N] [--notify-webhook-env NAME] [--notify changes|always] [--report-url URL]
[--junit FILE] [--pdf]``.

Flags → :func:`~analysis.runner.pipeline.run_notebooks` → one line per verdict, printed once, in notebook
order, when the run is complete; returns the :class:`~analysis.runner.result.RunSummary`, whose worst
status :mod:`analysis.cli` maps to the exit code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..config import DEFAULT_CELL_TIMEOUT_S, KERNEL_NAME, reports_dir
from .changes import counts
from .discover import resolve_notebooks
from .notify import NOTIFY_MODES
from .options import RunOptions
from .parameters import parse_overrides
from .pipeline import check_timeout, default_jobs, run_notebooks
from .result import NotebookResult, RunSummary


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``run`` flags to ``parser``."""
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                        help="name, number (03) or path; default: every notebook in notebooks/")
    parser.add_argument("--params", metavar="FILE", help="YAML parameter set {notebook: {param: value}}")
    parser.add_argument("-p", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="set a parameter (of every selected notebook that has it; NOTEBOOK.KEY=VALUE for one)")
    parser.add_argument("--out", type=Path, default=reports_dir(), help="report root (default: reports/)")
    parser.add_argument("--timeout", type=int, default=DEFAULT_CELL_TIMEOUT_S, metavar="SECONDS",
                        help=f"per-cell execution timeout (default {DEFAULT_CELL_TIMEOUT_S})")
    parser.add_argument("--kernel", default=KERNEL_NAME, help=f"Jupyter kernel (default {KERNEL_NAME})")
    parser.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                        help="notebooks run at once, each in its own kernel (default: the CPU cores, "
                             f"{default_jobs()} here)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    rep = parser.add_argument_group("history, notifications and outputs")
    rep.add_argument("--baseline", metavar="RUN",
                     help="compare with this run (run id, 'latest' or a run directory); default: the newest "
                          "earlier run with the same parameters")
    rep.add_argument("--keep", type=int, metavar="N", help="keep only the newest N run directories (history keeps every run)")
    rep.add_argument("--notify-webhook-env", metavar="NAME",
                     help="POST a JSON notification to the URL held by environment variable NAME")
    rep.add_argument("--notify", choices=NOTIFY_MODES, default="changes",
                     help="post only when a status changed against the baseline (default) or after every run")
    rep.add_argument("--report-url", metavar="URL", help="base URL where OUT is served (the notification links the index)")
    rep.add_argument("--junit", type=Path, metavar="FILE", help="also write JUnit XML (one testcase per notebook)")
    rep.add_argument("--pdf", action="store_true", help="also print every report and the index to PDF (headless Chromium)")


def verdict_text(result: NotebookResult) -> str:
    """What the verdict line says after the status: the headline, and an ERROR's error when it says more."""
    if result.status == "ERROR" and result.error and result.error != result.headline:
        return f"{result.headline} — {result.error}"
    return result.headline


def run(args: argparse.Namespace) -> RunSummary:
    """Run the selected notebooks into a report; print the verdicts and where the index is.

    Returns
    -------
    RunSummary
        The run (its ``status`` is the worst notebook status).
    """
    check_timeout(args.timeout)
    notebooks = resolve_notebooks(args.notebooks)
    summary = run_notebooks(
        notebooks,
        out=args.out.resolve(),
        params_file=args.params,
        overrides=parse_overrides(args.overrides),
        kernel_name=args.kernel,
        timeout=args.timeout,
        progress=not args.no_progress and sys.stderr.isatty(),
        jobs=args.jobs if args.jobs is not None else default_jobs(),
        options=RunOptions(baseline=args.baseline, keep=args.keep, notify_webhook_env=args.notify_webhook_env,
                           notify=args.notify, report_url=args.report_url, junit=args.junit, pdf=args.pdf),
    )
    width = max(len(r.name) for r in summary.notebooks)
    print("Verdicts:")
    for r in summary.notebooks:
        print(f"  {r.status:<5} {r.name:<{width}}  {r.seconds:6.1f} s  {verdict_text(r)}")
    if summary.baseline:
        c = counts(summary.changes)
        moved = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in c.items() if k not in ("worse", "better"))
        print(f"Since run {summary.baseline['run_id']}: {moved}")
    print(f"Index: {Path(summary.run_dir).parent / 'latest' / 'index.html'}  (run {Path(summary.run_dir).name})")
    return summary
