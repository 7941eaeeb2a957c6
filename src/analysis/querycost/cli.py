"""``python -m analysis digest FILE [FILE ...] [--top N] [--json]``: flags → digest → text or JSON.

Digests mongod 4.4+ JSON logs (plain or .gz), profiler exports and explain outputs
(kind auto-detected per file) into per-shape statistics sorted by total time. The
outcome is a PASS :class:`~analysis.record.Verdict` once the digest succeeded (findings
are shown, not judged; a log with no slow application query is "no slow application
queries in N lines"); inputs of which no file is a MongoDB log, profile or explain are a
:class:`~analysis.errors.DataError` and an unreadable file a
:class:`~analysis.errors.SourceError` (exit codes: :data:`analysis.cli.EXIT_CODES`).
"""

from __future__ import annotations

import argparse
import json
import sys

from ..record import Verdict
from . import pipeline
from .records import require_usable
from .report import digest_json, digest_text


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the digest command's flags."""
    parser.add_argument("files", nargs="+", metavar="FILE", help="mongod log (.log/.gz), profile export or explain output")
    parser.add_argument("--top", type=int, default=20, metavar="N", help="shapes to show (default 20; 0 = all)")
    parser.add_argument("--json", action="store_true", help="print the digest as JSON")


def run(args: argparse.Namespace) -> Verdict:
    """Digest the files and print the table (or JSON).

    Returns
    -------
    Verdict
        PASS, with the read summary as headline.

    Raises
    ------
    DataError
        No file held a usable query.
    SourceError
        A file is missing or cannot be read.
    """
    df, stats = pipeline.digest_files(args.files)
    require_usable(stats)
    if args.json:
        json.dump(digest_json(df, stats, args.top), sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print(digest_text(df, stats, args.top))
    app = int(df.loc[df["internal"] == "", "count"].sum()) if len(df) else 0
    headline = f"digested {stats.summary()}" if app else f"no slow application queries in {stats.lines} lines"
    return Verdict("PASS", headline, {"files": len(stats.files), "queries": stats.records, "application queries": app,
                                      "shapes": len(df), "skipped": stats.skipped})
