"""``python -m analysis ws-audit --profile FILE [--url URL] [--json] [--probes a,b]``.

Runs the probe battery against the profile's URL (or ``--url``) with key material from
the env vars the profile names, prints the table (or the JSON document) and returns the
verdict (:data:`analysis.cli.EXIT_CODES` maps it: PASS/WARN 0, FAIL 1, ERROR 2 — no
usable baseline; bad input 2).
"""

from __future__ import annotations

import argparse

from ..params import validate
from ..record import Verdict
from . import pipeline
from .checklist import PROBE_IDS
from .params import WsAuditParams
from .report import text_table, to_json, verdict


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``ws-audit`` flags."""
    parser.add_argument("--profile", required=True, help="target profile YAML (e.g. profiles/infra_mind.yaml)")
    parser.add_argument("--url", default="", help="override the profile's ws:// or wss:// URL")
    parser.add_argument("--probes", default="", help=f"comma-separated probe ids (default all): {','.join(PROBE_IDS)}")
    parser.add_argument("--json", action="store_true", help="print the JSON document instead of a table")


def run(args: argparse.Namespace) -> Verdict:
    """Audit the profile's target; print the result; return the verdict."""
    probes = [p.strip() for p in args.probes.split(",") if p.strip()]
    params = validate(WsAuditParams, {"profile": args.profile, "url": args.url, "probes": probes,
                                      "targets": ["profile"]})
    result = pipeline.run(params)
    audit = result.audits["profile"]
    print(to_json(audit) if args.json else text_table(audit))
    return verdict(result)
