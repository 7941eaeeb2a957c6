"""``python -m analysis slo``: SLO compliance, budgets and burn-rate alerts from the command line.

Usage::

    python -m analysis slo --catalog slo/infra_mind.yaml --export data/prometheus [--at 2026-11-01T00:00:00Z] [--json]
    python -m analysis slo --catalog slo/infra_mind.yaml --prometheus https://prom:9090 --token-env PROM_TOKEN
    python -m analysis slo --catalog slo/infra_mind.yaml --prometheus https://thanos:9090 --mode pushdown

``run`` returns the verdict (:func:`analysis.slo.report.verdict`); :data:`analysis.cli.EXIT_CODES`
turns it into the exit code: 0 no SLO failed (PASS/WARN), 1 at least one SLO is FAIL, 2 bad input
(one line on stderr; no report written).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from ..params import validate
from ..record import Verdict
from ..timeparse import iso
from . import pipeline, report
from .params import SloParams

log = logging.getLogger(__name__)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``slo`` command's flags."""
    parser.add_argument("--catalog", required=True, help="SLO catalog YAML (this workbook's format or OpenSLO v1)")
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--prometheus", metavar="URL", help="live Prometheus base URL")
    src.add_argument("--export", metavar="FILE", nargs="+",
                     help="export files or directories (query_range/query JSON, Grafana CSV, exposition, OpenMetrics; .gz ok)")
    parser.add_argument("--at", default="", metavar="ISO8601",
                        help="evaluation time every query is pinned to (default: end of data / now)")
    parser.add_argument("--window", default="", help="override every SLO's window (e.g. 7d, 30d, month)")
    parser.add_argument("--step", type=float, default=60.0, help="live query_range step in seconds (default 60)")
    parser.add_argument("--mode", choices=("raw", "pushdown"), default="raw",
                        help="live: fetch raw series (raw) or let the server aggregate increases (pushdown)")
    parser.add_argument("--pushdown-step", type=float, default=300.0, help="pushdown step in seconds (default 300)")
    parser.add_argument("--token-env", default="", help="environment variable holding a bearer token for --prometheus")
    parser.add_argument("--timeout", type=float, default=30.0, help="live request timeout in seconds")
    parser.add_argument("--json", action="store_true", help="print the per-SLO reports as a JSON list")
    parser.add_argument("--out", metavar="FILE", help="also write the JSON list to FILE (only when the run succeeds)")


def run(args: argparse.Namespace) -> Verdict:
    """Evaluate the catalog; print a table (or JSON); return the verdict (FAIL when any SLO fails)."""
    values = {"catalog": args.catalog, "evaluation_time": args.at, "window_override": args.window,
              "step_s": args.step, "timeout_s": args.timeout, "prometheus_token_env": args.token_env}
    if args.prometheus:
        values.update(source="prometheus", prometheus_url=args.prometheus, live_mode=args.mode,
                      pushdown_step_s=args.pushdown_step)
    else:
        values.update(source="export", export_paths=list(args.export))
    params = validate(SloParams, values)
    ev = pipeline.run(params)
    payload = report.write_json(ev)
    verdict = report.verdict(ev)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(payload, indent=2, allow_nan=False))
    if args.json:
        json.dump(payload, sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(f"evaluated at {iso(ev.at)} from {ev.samples_info['origin']}")
        print(report.summary_table(ev).to_string(index=False))
        warned = [f"  {r.name}: {w}" for r in ev.reports for w in r.warnings]
        if warned:
            print("warnings (data quality and evaluation notes, per SLO):", *warned, sep="\n")
        print(f"{verdict.status}: {verdict.headline}")
        for s in verdict.next_steps:
            print(f"  - {s}")
    return verdict
