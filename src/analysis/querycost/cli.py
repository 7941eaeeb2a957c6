"""``python -m analysis digest FILE [FILE ...] [--top N] [--json]``.

Digests mongod 4.4+ JSON logs (plain or .gz), profiler exports and explain outputs
(kind auto-detected per file) into per-shape statistics sorted by total time. Exit 0
on success (findings are shown, not turned into an exit code), 2 when no file holds a
usable query or a file cannot be read.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

from .digest import digest_files
from .readers import ReadStats, require_usable

#: The JSON fields of each shape, in order (the issue's contract).
JSON_SHAPE_FIELDS = ["ns", "op", "shape", "plan_summary", "count", "total_ms", "mean_ms", "p50_ms", "p95_ms",
                     "p99_ms", "max_ms", "docs_examined", "keys_examined", "nreturned", "examined_per_returned",
                     "collscan", "in_memory_sort", "reslen_total", "share_of_time"]
_INT_FIELDS = {"count", "docs_examined", "keys_examined", "nreturned", "collscan", "in_memory_sort", "reslen_total"}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="mongod log (.log/.gz), profile export or explain output")
    parser.add_argument("--top", type=int, default=20, metavar="N", help="shapes to show (default 20; 0 = all)")
    parser.add_argument("--json", action="store_true", help="print the digest as JSON")


def _value(name: str, v: Any) -> Any:
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float):
        if not math.isfinite(v):
            return None
        if name in _INT_FIELDS:
            return int(v)
        return round(v, 6)
    return v


def to_json(df, stats: ReadStats, top: int) -> dict[str, Any]:
    """The CLI's JSON document: files, lines, slow_queries, skipped, shapes."""
    rows = df if top <= 0 else df.head(top)
    return {
        "files": [f.path for f in stats.files],
        "lines": stats.lines,
        "slow_queries": stats.records,
        "skipped": stats.skipped,
        "shapes": [{k: _value(k, r[k]) for k in JSON_SHAPE_FIELDS} for _, r in rows.iterrows()],
    }


def _text(df, stats: ReadStats, top: int) -> str:
    import pandas as pd

    rows = df if top <= 0 else df.head(top)
    view = pd.DataFrame({
        "ns": rows["ns"], "op": rows["op"], "count": rows["count"],
        "total_ms": rows["total_ms"].round(0), "p95_ms": rows["p95_ms"].round(1),
        "docs/ret": rows["examined_per_returned"].round(1), "COLLSCAN": rows["collscan"],
        "SORT": rows["in_memory_sort"], "share": (rows["share_of_time"] * 100).round(1).astype(str) + "%",
        "plan": rows["plan_summary"].str.slice(0, 40), "shape": rows["shape"].str.slice(0, 70),
    })
    lines = [stats.summary()]
    for p in stats.problems:
        lines.append(f"  problem: {p}")
    lines.append(view.to_string(index=False))
    if top > 0 and len(df) > top:
        lines.append(f"({len(df) - top} more shapes; --top 0 shows all)")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    df, stats = digest_files(args.files)
    require_usable(stats)
    if args.json:
        json.dump(to_json(df, stats, args.top), sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        print(_text(df, stats, args.top))
    return None
