"""``python -m analysis ws-audit --profile FILE [--url URL] [--json] [--probes a,b] [--sarif FILE] [--junit FILE]``.

Runs the probe battery against the profile's URL (or ``--url``) with key material from
the env vars the profile names, prints the table (or the JSON document), optionally writes
the findings as SARIF 2.1.0 and JUnit XML, and returns the verdict
(:data:`analysis.cli.EXIT_CODES` maps it: PASS/WARN 0, FAIL 1, ERROR 2 — no usable
baseline or no key; bad input 2). Problems the battery worked around (a key not set, a
``victim_messages`` entry that is not JSON) are printed on stderr, one line each.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import metadata
from pathlib import Path

from ..errors import ParameterError
from ..fileio import write_atomic
from ..params import validate
from ..record import Verdict
from . import pipeline
from .checklist import PROBE_IDS
from .junit import junit_xml
from .params import WsAuditParams
from .report import text_table, to_json, verdict
from .sarif import sarif_log


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``ws-audit`` flags."""
    parser.add_argument("--profile", required=True, help="target profile YAML (e.g. profiles/infra_mind.yaml)")
    parser.add_argument("--url", default="", help="override the profile's ws:// or wss:// URL")
    parser.add_argument("--probes", default="", help=f"comma-separated probe ids (default all): {','.join(PROBE_IDS)}")
    parser.add_argument("--json", action="store_true", help="print the JSON document instead of a table")
    parser.add_argument("--sarif", default="", metavar="FILE", help="also write the findings as SARIF 2.1.0")
    parser.add_argument("--junit", default="", metavar="FILE", help="also write the probes as JUnit XML")


def _writable(flag: str, path: str) -> Path | None:
    """The output path of ``flag`` (None when not given); one line when its folder does not exist."""
    if not path:
        return None
    out = Path(path)
    if not out.parent.is_dir():
        raise ParameterError(f"{flag}: folder {out.parent} does not exist")
    return out


def _version() -> str:
    try:
        return metadata.version("infra-mind-audit")
    except metadata.PackageNotFoundError:
        return "0"


def run(args: argparse.Namespace) -> Verdict:
    """Audit the profile's target; print the result; write SARIF / JUnit when asked; return the verdict."""
    probes = [p.strip() for p in args.probes.split(",") if p.strip()]
    params = validate(WsAuditParams, {"profile": args.profile, "url": args.url, "probes": probes,
                                      "targets": ["profile"]})
    sarif_path, junit_path = _writable("--sarif", args.sarif), _writable("--junit", args.junit)
    result = pipeline.run(params)
    audit = result.audits["profile"]
    for problem in audit.problems:
        print(f"ws-audit: {problem}", file=sys.stderr)
    print(to_json(audit) if args.json else text_table(audit))
    if sarif_path:
        log = sarif_log(result.audits, profile_uri=args.profile, tool_version=_version())
        write_atomic(sarif_path, json.dumps(log, indent=2) + "\n")
    if junit_path:
        write_atomic(junit_path, junit_xml(result.audits))
    return verdict(result)
