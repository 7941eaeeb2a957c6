"""``python -m analysis ws-audit --profile FILE [--url URL] [--json] [--probes a,b]``.

Runs the probe battery against the profile's URL (or ``--url``) with key material from
the env vars the profile names. Exit 0 PASS/WARN, 1 FAIL, 2 bad input or no usable
baseline (verdict ERROR).
"""

from __future__ import annotations

import argparse

from ..errors import ParameterError
from .forge import load_keys
from .probes import PROBE_IDS, audit, select_probes
from .profile import load_profile
from .report import text_table, to_json


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", required=True, help="target profile YAML (e.g. profiles/infra_mind.yaml)")
    parser.add_argument("--url", default="", help="override the profile's ws:// or wss:// URL")
    parser.add_argument("--probes", default="", help=f"comma-separated probe ids (default all): {','.join(PROBE_IDS)}")
    parser.add_argument("--json", action="store_true", help="print the JSON document instead of a table")


def run(args: argparse.Namespace) -> int:
    profile = load_profile(args.profile)
    if args.url:
        profile = profile.with_url(args.url)
    probes = [p.strip() for p in args.probes.split(",") if p.strip()]
    try:
        select_probes(probes)
    except ValueError as exc:
        raise ParameterError(f"--probes: {exc}") from None
    keys = load_keys(profile)
    result = audit(profile, keys, probes=probes or None)
    print(to_json(result) if args.json else text_table(result))
    return result.verdict
