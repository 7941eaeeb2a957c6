"""``python -m analysis digest INPUT [INPUT ...] [--top N] [--json] [--workers N] [--scheduler ADDR]``.

Digests mongod 4.4+ JSON logs (plain or .gz), profiler exports and explain outputs
(kind auto-detected per file; inputs may be files, directories or globs) into per-shape
statistics sorted by total time, serially or on Dask distributed
(:mod:`analysis.querycost.sources.cluster`). A file of a set that cannot be read or is not
MongoDB evidence is skipped with one line on stderr naming it. The
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

from ..errors import ParameterError
from ..record import Verdict
from . import pipeline
from .records import evidence_lines, require_usable
from .report import digest_json, digest_text, not_read_note, skipped_files_lines
from .sources.cluster import CONNECT_TIMEOUT_S


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the digest command's flags."""
    parser.add_argument("files", nargs="+", metavar="INPUT",
                        help="mongod log (.log/.gz), profile export or explain output; a directory or a glob of them")
    parser.add_argument("--top", type=int, default=20, metavar="N", help="shapes to show (default 20; 0 = all)")
    parser.add_argument("--json", action="store_true", help="print the digest as JSON")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="1 = serial in this process; N = a local Dask cluster of N workers "
                             "(default: serial unless a local cluster would finish sooner, about 430 MB of logs "
                             "on 2 cores; then one worker per core)")
    parser.add_argument("--scheduler", default="", metavar="ADDRESS",
                        help="run on an existing Dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--connect-timeout", type=float, default=CONNECT_TIMEOUT_S, metavar="S",
                        help=f"seconds to wait for --scheduler (default {CONNECT_TIMEOUT_S:g})")


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
    if args.workers is not None and args.workers < 1:
        raise ParameterError(f"--workers {args.workers}: must be at least 1")
    fleet = pipeline.digest_inputs(args.files, workers=args.workers, scheduler=args.scheduler, progress=True,
                                   connect_timeout=args.connect_timeout)
    df, stats = fleet.frame, fleet.stats
    require_usable(stats)
    for line in skipped_files_lines(stats):
        print(line, file=sys.stderr)
    if args.json:
        json.dump(digest_json(df, stats, args.top, members=fleet.members, engine=fleet.engine.describe()),
                  sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print(digest_text(df, stats, args.top, members=fleet.members, engine=fleet.engine.describe()))
    app = int(df.loc[df["internal"] == "", "count"].sum()) if len(df) else 0
    headline = (f"digested {stats.summary()}" if app else
                f"no slow application queries in {evidence_lines(stats)} lines") + not_read_note(stats)
    status = "WARN" if not_read_note(stats) else "PASS"  # nothing is judged healthy unread
    return Verdict(status, headline, {"files": len(stats.files), "queries": stats.records, "application queries": app,
                                      "shapes": len(df), "skipped": stats.skipped})
