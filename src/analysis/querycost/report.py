"""Tables and the verdict of the query cost audit (formatting only: no math, no I/O).

Notebook tables are functions of a :class:`~analysis.querycost.result.QueryCostResult`
(:func:`read_table`, :func:`top_table`, :func:`findings_table`, :func:`suggestions_table`);
:func:`verdict` judges it. :func:`digest_json` and :func:`digest_text` render a bare
digest for ``python -m analysis digest``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from ..jsonsafe import jsonable
from ..record import Figure, Verdict
from .findings import assess
from .hygiene import drop_candidates
from .records import ReadStats, evidence_lines
from .result import QueryCostResult

#: The JSON fields of each shape, in order (the digest command's contract). ``internal`` is true for
#: internal operations (``category`` says which: oplog, local, config, admin, ttl, balancer, health check,
#: system); ``working_ms`` / ``waiting_ms`` are null unless the server logged ``workingMillis`` (8.0).
JSON_SHAPE_FIELDS = ["ns", "op", "shape", "plan_summary", "internal", "category", "count", "total_ms", "mean_ms",
                     "p50_ms", "p95_ms", "p99_ms", "max_ms", "docs_examined", "keys_examined", "nreturned",
                     "examined_per_returned", "collscan", "in_memory_sort", "reslen_total", "share_of_time",
                     "working_ms", "waiting_ms", "query_hash"]
#: Fields printed as integers (totals and counts; a float column because a total over no value is NaN).
_INT_FIELDS = {"count", "docs_examined", "keys_examined", "nreturned", "collscan", "in_memory_sort", "reslen_total"}


#: Shapes that are empty as a reader says them: a find without a filter reads every document.
EMPTY_SHAPES = {"{}": "no filter (every document)", "[]": "empty pipeline"}


def _clip(col: pd.Series, width: int) -> pd.Series:
    """Shapes cut at ``width`` characters (an empty one in words)."""
    return col.map(lambda s: EMPTY_SHAPES.get(s, s if len(s) <= width else s[: width - 1] + "…"))


def _collection(ns: pd.Series) -> pd.Series:
    return ns.str.split(".", n=1).str[-1]


def read_table(result: QueryCostResult) -> pd.DataFrame:
    """What each input held: kind, units read, queries, skipped and why."""
    return pd.DataFrame(result.stats.table())


def top_table(result: QueryCostResult, n: int, width: int = 70) -> pd.DataFrame:
    """The top-N shapes by total time, formatted for reading.

    Parameters
    ----------
    result : QueryCostResult
    n : int
        Shapes shown.
    width : int
        Shapes longer than this are clipped with "…".
    """
    d = result.application.head(n)
    return pd.DataFrame({
        "collection": _collection(d["ns"]), "op": d["op"],
        "shape": _clip(d["shape"], width),
        "plan": d["plan_summary"], "count": d["count"], "total_ms": d["total_ms"].round(0).astype(int),
        "p50_ms": d["p50_ms"].round(1), "p95_ms": d["p95_ms"].round(1), "max_ms": d["max_ms"].round(0),
        "docs/exec": (d["docs_examined"] / d["count"]).round(0),
        "docs/ret": d["examined_per_returned"].round(1),
        "KiB/exec": (d["reslen_mean"] / 1024).round(1),
        "share": (d["share_of_time"] * 100).round(1), "dashboard": d["dashboard"],
    })


def more_shapes(d: pd.DataFrame, n: int, what: str = "shapes") -> str:
    """``"N more shapes: Q queries, T ms, C COLLSCAN"`` for the rows of ``d`` after the first ``n`` (``""`` if none)."""
    rest = d.iloc[n:]
    if rest.empty:
        return ""
    return (f"{len(rest)} more {what}: {int(rest['count'].sum()):,} queries, {rest['total_ms'].sum():,.0f} ms, "
            f"{int(rest['collscan'].sum()):,} COLLSCAN")


def top_caption(result: QueryCostResult, n: int) -> str:
    """The top-shapes table's caption: source, how many shapes of how many, and what the rest holds."""
    app = result.application
    more = more_shapes(app, n)
    engine = f"; percentiles: {result.engine}" if result.engine else ""
    return (f"Top {min(n, len(app))} of {len(app)} application shapes by total time — {result.source}{engine}"
            + (f"; {more}" if more else ""))


def resources_table(result: QueryCostResult, n: int, width: int = 50) -> pd.DataFrame:
    """Per top shape, per execution: time working vs waiting, yields, bytes read, CPU, waits, planning, replans.

    Columns the evidence does not carry at all (e.g. ``workingMillis`` before 8.0) are left out.
    """
    d = result.application.head(n)
    per = d["count"]
    cols = {"collection": _collection(d["ns"]), "op": d["op"], "shape": _clip(d["shape"], width),
            "mean_ms": d["mean_ms"].round(1), "working_ms": (d["working_ms"] / per).round(1),
            "waiting_ms": (d["waiting_ms"] / per).round(1), "yields": (d["num_yields"] / per).round(1),
            "KiB read": (d["bytes_read"] / per / 1024).round(1), "cpu_ms": (d["cpu_ms"] / per).round(2),
            "lock/ticket wait ms": (d["wait_ms"] / per).round(2), "flow ctl ms": (d["flow_control_ms"] / per).round(2),
            "planning_ms": (d["planning_ms"] / per).round(2), "replanned": d["replanned"]}
    df = pd.DataFrame(cols)
    return df[[c for c in df.columns if not (pd.api.types.is_float_dtype(df[c]) and df[c].isna().all())]]


def internal_table(result: QueryCostResult, width: int = 50) -> pd.DataFrame:
    """Internal operations (oplog tailing, system commands, TTL, balancer, health checks), by total time."""
    d = result.internal
    return pd.DataFrame({
        "category": d["internal"], "ns": d["ns"], "op": d["op"], "shape": _clip(d["shape"], width),
        "plan": d["plan_summary"], "count": d["count"], "total_ms": d["total_ms"].round(0),
        "p95_ms": d["p95_ms"].round(1), "COLLSCAN": d["collscan"], "docs/exec": (d["docs_examined"] / d["count"]).round(0),
        "apps": d["app_names"],
    })


def plans_table(result: QueryCostResult, width: int = 50) -> pd.DataFrame:
    """Plan stability per query hash (application queries; flips first)."""
    p = result.plans
    if not result.include_internal and "internal" in p.columns:
        p = p[p["internal"] == ""]
    return pd.DataFrame({
        "collection": _collection(p["ns"]), "query hash": p["query_hash"], "shape": _clip(p["shape"], width),
        "plans": p["plans"], "flip": p["flip"].map({True: "FLIP", False: ""}), "executions": p["executions"],
        "replanned": p["replanned"], "plans over time (UTC)": p["history"],
    }).reset_index(drop=True)


def slow_minutes_table(result: QueryCostResult, n: int = 5) -> pd.DataFrame:
    """The ``n`` minutes with the highest p95 over all application queries (bins: ≈1 % error)."""
    t = result.timeline
    if t.empty:
        return pd.DataFrame(columns=["minute (UTC)", "queries", "p95_ms", "median minute p95_ms"])
    allq = t[t["label"] == t["label"].iloc[0]]
    top = allq.sort_values(["p95_ms", "minute"], ascending=[False, True]).head(n)
    return pd.DataFrame({"minute (UTC)": top["minute"].dt.strftime("%Y-%m-%d %H:%M"), "queries": top["count"],
                         "p95_ms": top["p95_ms"].round(1),
                         "median minute p95_ms": round(float(allq["p95_ms"].median()), 1)}).reset_index(drop=True)


def clients_table(result: QueryCostResult, n: int = 15) -> pd.DataFrame:
    """Clients by total time: address, appName, operations, time, share (internal operations marked)."""
    c = result.clients
    if c.empty:
        return pd.DataFrame(columns=["client", "appName", "internal", "operations", "total_ms", "share"])
    c = c.sort_values(["total_ms", "count", "client", "app_name"], ascending=[False, False, True, True]).head(n)
    grand = result.clients["total_ms"].sum()
    return pd.DataFrame({"client": c["client"].replace("", "?"), "appName": c["app_name"], "internal": c["internal"],
                         "operations": c["count"], "total_ms": c["total_ms"].round(0),
                         "share": (c["total_ms"] / grand * 100).round(1) if grand else 0.0}).reset_index(drop=True)


def findings_table(result: QueryCostResult, width: int = 60) -> pd.DataFrame:
    """The findings (FAIL first, then by total time), formatted for reading."""
    f = result.findings
    return pd.DataFrame({
        "severity": f["severity"], "collection": _collection(f["ns"]), "op": f["op"],
        "shape": _clip(f["shape"], width),
        "flags": f["flags"], "docs/exec": f["docs_per_exec"].round(0), "docs/ret": f["examined_per_returned"].round(1),
        "share": (f["share_of_time"] * 100).round(1), "dashboard": f["dashboard"],
    })


def suggestions_table(result: QueryCostResult, width: int = 60) -> pd.DataFrame:
    """The index suggestions, one row per (collection, index, note)."""
    s = result.suggestions
    return pd.DataFrame({
        "collection": _collection(s["ns"]), "op": s["op"],
        "shape": _clip(s["shape"], width),
        "problem": s["problem"], "create": s["suggested_index"], "note": s["note"],
    }).drop_duplicates(subset=["collection", "create", "note"])


def verdict(result: QueryCostResult) -> Verdict:
    """The audit's verdict (rule: :mod:`analysis.querycost.findings`).

    Parameters
    ----------
    result : QueryCostResult
        What :func:`analysis.querycost.pipeline.run` returned.

    Returns
    -------
    Verdict
        PASS / WARN / FAIL with the key figures and next steps; ERROR when nothing usable was read.
    """
    base = assess(result.digest, result.findings, result.stats, result.source, result.live_explain,
                  result.include_internal, result.thresholds)
    if base.status == "ERROR":
        return base
    figures, steps = dict(base.figures), list(base.next_steps)
    if result.server:
        figures["server"] = result.server
    if result.live_warnings:
        figures["live reads refused"] = len(result.live_warnings)
        steps.append("The server refused some optional reads (WARN lines at the top of the report): what they "
                     "would have shown is not judged; grant the privilege, or audit a MongoDB server.")
    note = not_read_note(result.stats)
    if note:
        figures[FILES_NOT_READ] = note.split(" file(s) not read: ", 1)[-1]
        steps.append("Check the files the audit could not read (the read table says what each looked like); "
                     "nothing in them was judged.")
    h = result.index_hygiene
    if base.status != "ERROR" and h is not None and len(h):
        drops = len(drop_candidates(h))  # what the reviewed script hides (an index already hidden is not one)
        figures[DROP_CANDIDATES] = drops
        if drops:
            steps.append(f"Hide the {drops} drop candidate(s) of the index hygiene table (hideIndex, as in the "
                         "reviewed mongosh script written with the run); drop them only after a clean business cycle.")
    info = {name: meta for name, meta in FIGURE_INFO.items() if name in figures}
    headline = base.headline.rstrip(".") + note + "." if note else base.headline
    status = "WARN" if note and base.status == "PASS" else base.status  # nothing is judged healthy unread
    return replace(base, status=status, headline=headline, figures=figures, next_steps=steps, figure_info=info)


#: Figure of the verdict naming the input files that were not read (not MongoDB evidence, unreadable).
FILES_NOT_READ = "files not read"


#: Figure of the verdict from the index hygiene table: indexes to hide, then drop.
DROP_CANDIDATES = "index drop candidates"
#: How to read the verdict's figures: label, unit and, across runs, direction (what costs the database: fewer is
#: better) and noise.
FIGURE_INFO = {
    "source": Figure(label="Evidence"),
    "queries digested": Figure("queries", label="Queries digested (application and internal)"),
    "internal operations": Figure("operations", label="Internal operations (kept out of the findings)"),
    "shapes": Figure("shapes", label="Query shapes"),
    "application time (ms)": Figure("ms", label="Application query time"),
    "COLLSCAN share of time": Figure("%", higher_is_better=False, noise=1.0,
                                     label="Application query time in COLLSCAN shapes"),
    "dashboard shapes flagged": Figure("shapes", higher_is_better=False, label="Dashboard shapes flagged"),
    "FAIL shapes": Figure("shapes", higher_is_better=False, label="Shapes over the thresholds (FAIL)"),
    "lines/documents skipped": Figure(label="Input lines or documents without a query record"),
    "live explains flagged": Figure(label="Live explains flagged"),
    "live explains not judged": Figure("queries", higher_is_better=False, label="Live explains not judged"),
    "live explains": Figure("queries", label="Dashboard queries explained live"),
    "live reads refused": Figure("reads", higher_is_better=False, label="Optional live reads the server refused"),
    "server": Figure(label="Server"),
    FILES_NOT_READ: Figure(label="Input files not read"),
    DROP_CANDIDATES: Figure("indexes", higher_is_better=False, label="Indexes to hide, then drop"),
}


#: Kinds of a file that held nothing the digest can use.
UNUSABLE_KINDS = ("unreadable", "binary", "empty", "text", "unknown")


def skipped_files(stats: ReadStats) -> list[dict[str, str]]:
    """The files of a set that were skipped (unreadable, not MongoDB evidence), with the reason."""
    return [{"file": f.path, "problem": "; ".join(f.problems) or f"not a log, profile or explain ({f.kind})"}
            for f in stats.files if f.kind in UNUSABLE_KINDS and f.records == 0]


def not_read_note(stats: ReadStats, shown: int = 3) -> str:
    """``"; 2 of 5 files not read: a.csv (text), b.bin (binary)"`` — ``""`` when every file was read."""
    skipped = [f for f in stats.files if f.kind in UNUSABLE_KINDS and f.records == 0]
    if not skipped:
        return ""
    names = ", ".join(f"{Path(f.path).name} ({f.kind})" for f in skipped[:shown])
    more = f" and {len(skipped) - shown} more" if len(skipped) > shown else ""
    return f"; {len(skipped)} of {len(stats.files)} file(s) not read: {names}{more}"


def skipped_files_lines(stats: ReadStats) -> list[str]:
    """One line per skipped file: ``skipped FILE: why``."""
    return [f"skipped {s['file']}: {s['problem']}" for s in skipped_files(stats)]


def digest_json(df: pd.DataFrame, stats: ReadStats, top: int, *, members: pd.DataFrame | None = None,
                engine: str = "") -> dict[str, Any]:
    """The digest command's JSON document.

    Keys: ``files``, ``lines``, ``slow_queries`` (every record, internal ones included),
    ``application_queries``, ``internal_operations``, ``skipped`` (units skipped, a skipped
    file counting at least one), ``skipped_files`` (``file``, ``problem``), ``engine`` (how it
    ran: serial with exact percentiles, or Dask with percentiles from log-spaced bins, ±1 %),
    ``shapes_total``, ``shapes`` (the top ``top`` by total time, :data:`JSON_SHAPE_FIELDS`
    each), ``other`` (``shapes``, ``count``, ``total_ms``, ``collscan`` of the shapes left out;
    zeros when none is) — so the shapes plus ``other`` add up to everything the inputs held —
    and ``members`` (the per-member breakdown, :data:`analysis.querycost.members.MEMBER_COLUMNS`).

    Parameters
    ----------
    df : DataFrame
        A digest (:func:`analysis.querycost.pipeline.digest_inputs`).
    stats : ReadStats
        What was read.
    top : int
        Shapes included (``0``: all).
    members : DataFrame, optional
        The per-member breakdown.
    engine : str
        How the digest ran.
    """
    rows = df if top <= 0 else df.head(top)
    rest = df.iloc[len(rows):]
    internal = df["internal"] != "" if "internal" in df.columns else pd.Series(False, index=df.index)
    return {
        "files": [f.path for f in stats.files],
        "lines": stats.lines,
        "slow_queries": stats.records,
        "application_queries": int(df.loc[~internal, "count"].sum()),
        "internal_operations": int(df.loc[internal, "count"].sum()),
        "skipped": stats.skipped,
        "skipped_files": skipped_files(stats),
        "engine": engine,
        "shapes_total": len(df),
        "shapes": [{k: _json_value(k, v) for k, v in _shape_fields(r).items()} for _, r in rows.iterrows()],
        "other": {"shapes": len(rest), "count": int(rest["count"].sum()),
                  "total_ms": _json_value("total_ms", float(rest["total_ms"].sum())),
                  "collscan": int(rest["collscan"].sum())},
        "members": [] if members is None else [{k: jsonable(v, ndigits=6) for k, v in r.items()}
                                               for r in members.to_dict("records")],
    }


def _shape_fields(r: pd.Series) -> dict[str, Any]:
    category = r.get("internal", "") or ""
    return {k: (bool(category) if k == "internal" else category if k == "category" else r[k])
            for k in JSON_SHAPE_FIELDS}


def _json_value(name: str, v: Any) -> Any:
    """A JSON-safe field: integer fields as ints, other floats rounded to 6 decimals, NaN as null."""
    if name in _INT_FIELDS:
        v = jsonable(v)
        return int(v) if isinstance(v, float) else v
    return jsonable(v, ndigits=6)


def digest_text(df: pd.DataFrame, stats: ReadStats, top: int, *, members: pd.DataFrame | None = None,
                engine: str = "") -> str:
    """The digest command's text output: summary, problems, top shapes, internal operations, members.

    Parameters
    ----------
    df : DataFrame
        A digest.
    stats : ReadStats
        What was read.
    top : int
        Shapes shown (``0``: all).
    members : DataFrame, optional
        The per-member breakdown (shown when there is more than one member).
    engine : str
        How the digest ran.
    """
    lines = [stats.summary() + (f" — {engine}" if engine else "")]
    lines += [f"  problem: {p}" for p in stats.problems]
    internal = df["internal"] != ""
    app, other = df[~internal], df[internal]
    if app.empty:
        lines.append(f"no slow application queries in {evidence_lines(stats)} lines" + not_read_note(stats))
    else:
        lines.append(_text_table(app, top, "application"))
    if not other.empty:
        lines.append(f"internal operations (kept out of findings): {int(other['count'].sum())} in {len(other)} shapes")
        lines.append(_text_table(other, top, "internal"))
    if members is not None and len(members) > 1:
        lines.append("per member (application time first):")
        lines.append(members.to_string(index=False))
    return "\n".join(lines)


def _text_table(df: pd.DataFrame, top: int, what: str) -> str:
    rows = df if top <= 0 else df.head(top)
    view = pd.DataFrame({
        "ns": rows["ns"], "op": rows["op"], "count": rows["count"],
        "total_ms": rows["total_ms"].round(0), "p95_ms": rows["p95_ms"].round(1),
        "docs/ret": rows["examined_per_returned"].round(1), "COLLSCAN": rows["collscan"],
        "SORT": rows["in_memory_sort"], "share": (rows["share_of_time"] * 100).round(1).astype(str) + "%",
        "plan": rows["plan_summary"].str.slice(0, 40), "shape": rows["shape"].str.slice(0, 70),
    })
    if what == "internal":
        view.insert(0, "category", rows["internal"])
    out = view.to_string(index=False)
    if top > 0 and len(df) > top:
        rest = df.iloc[top:]
        out += (f"\n({len(rest)} more {what} shapes: {int(rest['count'].sum())} operations, "
                f"{rest['total_ms'].sum():.0f} ms; --top 0 shows all)")
    return out


def members_caption(result: QueryCostResult) -> str:
    """The per-member table's caption: what a member is, how percentiles were computed, the engine."""
    return (f"Per member (host:port from the log's startup lines, else the file name; role: last replica-set "
            f"state logged) — p95 from log-spaced bins (±1 %) — {result.engine or 'serial'} — {result.source}")


def members_table(result: QueryCostResult) -> pd.DataFrame:
    """The per-member breakdown (replica set, shard, role; application queries, time, p95, COLLSCAN, internal)."""
    return result.members
