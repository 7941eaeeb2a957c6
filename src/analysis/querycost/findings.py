"""Findings and assessment of the query cost audit (pure functions of a digest).

* :func:`dashboard_shapes` — the shapes of every query the dashboard strategies issue
  (:mod:`analysis.mongodb.queries`), so digested shapes can be recognised as dashboard ones;
* :func:`tag_dashboard` — adds a ``dashboard`` column (``strategy/purpose`` labels);
* :func:`findings` — per shape: COLLSCAN, in-memory SORT, examined/returned flags, with
  documents examined per execution against the thresholds;
* :func:`assess` — the verdict rule applied: status, headline, figures and next steps
  (an :class:`analysis.record.Verdict`; :func:`analysis.querycost.report.verdict` is the
  entry the notebook calls).

Verdict rule: **FAIL** when a dashboard shape does a COLLSCAN examining more than
``collscan_docs_threshold`` documents per execution, or an in-memory SORT whose input
(documents examined per execution) exceeds ``sort_docs_threshold``; **WARN** when a
dashboard shape does a COLLSCAN / SORT below those thresholds or examines more than
``examined_ratio_threshold`` documents per returned one, or when non-dashboard shapes
breach the FAIL rule; **PASS** otherwise — including a healthy server whose log holds no
slow application query ("no slow application queries in N lines"); **ERROR** when nothing
was read at all. A file that held no MongoDB evidence is named in the headline (a PASS becomes WARN). Internal operations (:mod:`.internal`) are judged only when included.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..mongodb.commands import wire_command
from ..mongodb.pipesort import computed_sort, only_computed_sorts, sort_input_is_output
from ..mongodb.queries import STRATEGIES, planned_queries
from ..record import Verdict
from .records import ReadStats, evidence_lines
from .shape import command_shape

log = logging.getLogger(__name__)

SYNTHETIC_MARK = "synthetic-workbook"
#: How a live explain row that could not be judged starts its flags (the server refused the explain,
#: or its explain is not MongoDB's).
NOT_JUDGED = "not judged"


def dashboard_queries(strategies: Sequence[str] | None = None) -> list[Any]:
    """The dashboard's planned queries (all strategies) with placeholder ids."""

    out = []
    for s in strategies or STRATEGIES:
        out += planned_queries(s, "<user_id>", ["<assessment_id>"])
    return out


def dashboard_shapes(queries: Sequence[Any] | None = None) -> pd.DataFrame:
    """collection, op, shape, label (``strategy/purpose``) of every dashboard query."""
    rows = []
    for q in queries if queries is not None else dashboard_queries():
        op, cmd = wire_command(q)
        rows.append({"collection": q.collection, "op": op, "shape": command_shape(op, cmd),
                     "label": f"{q.strategy}/{q.purpose}"})
    return pd.DataFrame(rows, columns=["collection", "op", "shape", "label"])


def tag_dashboard(digest: pd.DataFrame, shapes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Copy of ``digest`` with a ``dashboard`` column: the labels of the dashboard queries of that shape.

    A getMore is attributed to the shape of its originating command.
    """
    shapes = dashboard_shapes() if shapes is None else shapes
    labels: dict[tuple[str, str, str], list[str]] = {}
    for r in shapes.itertuples():
        labels.setdefault((r.collection, r.op, r.shape), []).append(r.label)
    out = digest.copy()
    coll = out["ns"].astype(str).str.split(".", n=1).str[-1]
    op = out["op"].astype(str)
    base_op = np.where(op == "getMore", out["shape"].astype(str).str.startswith("[").map(
        {True: "aggregate", False: "find"}), op)
    out["dashboard"] = [", ".join(labels.get((c, o, s), [])) for c, o, s in zip(coll, base_op, out["shape"])]
    return out


@dataclass(frozen=True)
class Thresholds:
    """Verdict thresholds (documents per execution, ratio)."""

    collscan_docs: int = 1_000
    sort_docs: int = 1_000
    examined_ratio: float = 10.0


def pipeline_sorts(d: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per shape: its in-memory SORT is a blocking pipeline ``$sort`` on computed fields (``only``), and the
    finding text of such a ``$sort`` with its input size (``""`` when the shape has none).

    The input is the documents returned per execution when only reshaping stages follow the ``$sort``,
    else at most the documents examined per execution (the log does not say what ``$group`` emitted).
    """
    only, texts = [], []
    for cmd, n, ret, docs in zip(d["command"], d["count"], d["nreturned"], d["docs_per_exec"]):
        pipeline = cmd.get("pipeline") if isinstance(cmd, dict) else None
        cs = computed_sort(pipeline)
        only.append(only_computed_sorts(pipeline))
        if cs is None:
            texts.append("")
            continue
        exact = sort_input_is_output(pipeline, cs) and ret == ret
        size = f"input {ret / max(n, 1):,.0f} docs/exec" if exact else (
            f"input ≤ {docs:,.0f} docs/exec" if docs == docs else "input not logged")
        texts.append(f"blocking pipeline $sort on fields {cs.computed_by} computed ({size}; no index can serve it)")
    return pd.Series(only, index=d.index, dtype=bool), pd.Series(texts, index=d.index, dtype=object)


def findings(digest: pd.DataFrame, th: Thresholds = Thresholds()) -> pd.DataFrame:
    """Every shape with a COLLSCAN, an in-memory SORT, a blocking pipeline ``$sort`` or high examined/returned.

    A ``$sort`` on fields an earlier stage computed (after ``$group``…) is no in-memory SORT an index
    could avoid: it is reported apart, with its input size, **INFO** unless that input exceeds
    ``sort_docs`` (then **WARN**); it never makes a shape FAIL (:func:`pipeline_sorts`).

    Returns
    -------
    DataFrame
        ns, op, shape, dashboard, count, docs_per_exec, examined_per_returned, flags,
        severity ("FAIL" / "WARN" / "INFO"), sorted by severity then total time.
    """
    if "dashboard" not in digest.columns:
        digest = tag_dashboard(digest)
    d = digest.copy()
    d["docs_per_exec"] = d["docs_examined"] / d["count"]
    only, pipe_text = pipeline_sorts(d) if len(d) else (pd.Series(dtype=bool), pd.Series(dtype=object))
    coll = d["collscan"] > 0
    sort = (d["in_memory_sort"] > 0) & ~only
    pipe = pipe_text.astype(bool)
    ratio = d["examined_per_returned"] > th.examined_ratio
    over = (coll & (d["docs_per_exec"] > th.collscan_docs)) | (sort & (d["docs_per_exec"] > th.sort_docs))
    big_pipe = pipe & ((d["nreturned"] / d["count"]).fillna(d["docs_per_exec"]).fillna(0) > th.sort_docs)
    is_dash = d["dashboard"].astype(bool)
    d = d[coll | sort | ratio | pipe].copy()
    flags = []
    for c, s, r, p in zip(coll[d.index], sort[d.index], ratio[d.index], pipe_text[d.index]):
        flags.append(", ".join(f for f, on in (("COLLSCAN", c), ("in-memory SORT", s),
                                               (f"examined/returned > {th.examined_ratio:g}", r), (p, bool(p))) if on))
    d["flags"] = flags
    warn = coll[d.index] | sort[d.index] | ratio[d.index] | big_pipe[d.index]
    d["severity"] = np.where(over[d.index] & is_dash[d.index], "FAIL", np.where(warn, "WARN", "INFO"))
    d["_rank"] = d["severity"].map({"FAIL": 2, "WARN": 1, "INFO": 0})
    d = d.sort_values(["_rank", "total_ms"], ascending=[False, False], kind="stable")
    cols = ["severity", "ns", "op", "shape", "plan_summary", "dashboard", "count", "docs_per_exec",
            "examined_per_returned", "flags", "total_ms", "share_of_time"]
    return d[cols].reset_index(drop=True)


def source_label(digest: pd.DataFrame, stats: ReadStats | None, live: str = "") -> str:
    """Where the figures come from, for captions: synthetic sample, files, or a live server."""
    parts = []
    apps = " ".join(digest.get("app_names", pd.Series(dtype=str)).astype(str))
    if stats is not None and stats.files:
        kinds = sorted({f.kind for f in stats.files if f.records}) or sorted({f.kind for f in stats.files})
        what = "SYNTHETIC sample (cost-model plan figures, no real server)" if SYNTHETIC_MARK in apps else "files"
        parts.append(f"{what}: {' + '.join(kinds)}")
    if live:
        parts.append(f"live server {live}")
    return "; ".join(parts) or "no source"


def assess(digest: pd.DataFrame, found: pd.DataFrame, stats: ReadStats | None, source: str,
           live_explain: pd.DataFrame | None = None, include_internal: bool = False,
           th: Thresholds | None = None) -> Verdict:
    """The verdict rule (see the module docstring) applied to a tagged digest and its findings.

    Parameters
    ----------
    digest : DataFrame
        The digest with its ``dashboard`` column (:func:`tag_dashboard`), internal operations included.
    found : DataFrame
        Its findings (:func:`findings`).
    stats : ReadStats, optional
        What was read (its skips become a figure).
    source : str
        Where the figures come from (:func:`source_label`).
    live_explain : DataFrame, optional
        The live explain table, when a server was explained (its flagged rows become a figure).
    include_internal : bool
        Internal operations count as application queries.
    th : Thresholds, optional
        The thresholds (for a live audit without files, judged by :func:`assess_live`).

    Returns
    -------
    Verdict
        ERROR when nothing was read; PASS when no application query was slow; else FAIL / WARN / PASS.
    """
    internal = digest["internal"] != "" if "internal" in digest.columns else pd.Series(False, index=digest.index)
    app = digest if include_internal else digest[~internal]
    if len(digest) == 0 and live_explain is not None and not (stats is not None and stats.records):
        return assess_live(live_explain, th or Thresholds(), source)
    if len(digest) == 0 and not (stats is not None and stats.files):
        return Verdict("ERROR", "No usable query records (no input).", {"source": source},
                       ["Check the file paths and formats (mongod 4.4+ JSON log, mongoexport of system.profile, "
                        "explain('executionStats') output)."])
    found = found[found["severity"] != "INFO"] if "severity" in found.columns else found  # shown, not judged
    figures = key_figures(digest, found, stats, source)
    if live_explain is not None:
        figures.update(live_figures(live_explain))
    if len(app) == 0:
        n = evidence_lines(stats) if stats is not None else 0
        return Verdict("PASS", f"No slow application queries in {n:,} lines/documents — {source}.", figures,
                       ["Lower slowms for an audit window (runbook) if application queries should have been logged."])
    fails = found[found["severity"] == "FAIL"]
    steps: list[str] = []
    if len(fails):
        top = fails.iloc[0]
        status = "FAIL"
        headline = (f"{len(fails)} dashboard shape(s) scan too much: worst {top['op']} on {top['ns']} "
                    f"({top['flags']}, {top['docs_per_exec']:.0f} docs examined per execution, "
                    f"this shape alone {100 * top['share_of_time']:.0f} % of application query time) — {source}.")
        steps.append("Create the suggested index for each FAIL shape (table 'Index advice'), on a secondary "
                     "first or with a rolling build, then re-run this audit on a fresh log window.")
    elif len(found):
        status = "WARN"
        top = found.iloc[0]
        headline = (f"No dashboard shape exceeds the thresholds, but {len(found)} shape(s) are flagged "
                    f"(e.g. {top['op']} on {top['ns']}: {top['flags']}) — {source}.")
    else:
        status = "PASS"
        headline = f"No COLLSCAN, in-memory SORT or high examined/returned shape — {source}."
    if SYNTHETIC_MARK in source or "SYNTHETIC" in source:
        steps.append("These figures are SYNTHETIC: point log_paths / profile_paths at production evidence "
                     "or set mongo_uri_env to explain the dashboard queries on a real server.")
    steps.append("Skip recommended indexes flagged 'unused' or 'useless' in the index table; hide an existing one "
                 "before dropping it.")
    return Verdict(status, headline, figures, steps)


def live_figures(live_explain: pd.DataFrame) -> dict[str, Any]:
    """``live explains flagged`` (of those judged) and ``live explains not judged`` (when some were not)."""
    judged = ~live_explain["flags"].fillna("").astype(str).str.startswith(NOT_JUDGED)
    flagged = judged & live_explain["flags"].fillna("").astype(bool)
    out: dict[str, Any] = {"live explains flagged": f"{int(flagged.sum())} of {int(judged.sum())}"}
    if not judged.all():
        out["live explains not judged"] = int((~judged).sum())
    return out


def assess_live(live_explain: pd.DataFrame, th: Thresholds, source: str) -> Verdict:
    """The verdict of a live audit without files: the dashboard queries' explains on the server.

    **FAIL** when a judged explain does a COLLSCAN over more than ``collscan_docs`` documents or an
    in-memory SORT over more than ``sort_docs``; **WARN** when one is flagged otherwise, or some
    explains could not be judged (refused, or not MongoDB's) — never PASS for what was not read;
    **PASS** when every explain was judged and none is flagged.
    """
    t = live_explain
    flags = t["flags"].fillna("").astype(str)
    judged = t[~flags.str.startswith(NOT_JUDGED)]
    figures = {"source": source, "live explains": len(t), **live_figures(t)}
    steps = ["Index advice needs MongoDB's explain: run this audit against a MongoDB server holding a copy of the "
             "data, or give it a mongod log / profile export of the workload."]
    if judged.empty:
        return Verdict("WARN", f"Nothing judged: none of the {len(t)} dashboard explains could be read "
                               f"({flags.iloc[0].removeprefix(NOT_JUDGED + ': ')}) — {source}.", figures, steps)
    jf = judged["flags"].fillna("").astype(str)
    docs = pd.to_numeric(judged["docs_examined"], errors="coerce").fillna(0)
    over = (jf.str.contains("COLLSCAN") & (docs > th.collscan_docs)) | (jf.str.contains("in-memory SORT")
                                                                         & (docs > th.sort_docs))
    figures["FAIL shapes"] = int(over.sum())
    if over.any():
        top = judged[over].iloc[0]
        return Verdict("FAIL", f"{int(over.sum())} dashboard quer(ies) scan too much on the live server: worst "
                               f"{top['strategy']}/{top['purpose']} on {top['collection']} ({top['flags']}, "
                               f"{docs[over].iloc[0]:.0f} docs examined) — {source}.", figures,
                       ["Create the suggested index for each FAIL query (table 'Index advice'), then re-run."])
    not_judged = len(t) - len(judged)
    if jf.astype(bool).any() or not_judged:
        what = f"{int(jf.astype(bool).sum())} flagged" + (f", {not_judged} not judged" if not_judged else "")
        return Verdict("WARN", f"No live explain over the thresholds, but {what} of {len(t)} — {source}.", figures,
                       steps if not_judged else [])
    return Verdict("PASS", f"Every dashboard query explained: no COLLSCAN, in-memory SORT or high examined/returned "
                           f"— {source}.", figures, [])


def key_figures(digest: pd.DataFrame, found: pd.DataFrame, stats: ReadStats | None, source: str) -> dict[str, Any]:
    """The verdict's figures: queries, shapes, total time, COLLSCAN share (percent of the application queries'
    time spent in shapes that ran a COLLSCAN), flagged and FAIL shapes, skips."""
    internal = digest["internal"] != "" if "internal" in digest.columns else pd.Series(False, index=digest.index)
    app = digest[~internal]
    total_ms = float(app["total_ms"].sum())
    figures: dict[str, Any] = {  # what a reader needs first first (the index shows eight)
        "FAIL shapes": int(len(found[found["severity"] == "FAIL"])),
        "dashboard shapes flagged": int(len(found[found["dashboard"].astype(bool)])),
        "COLLSCAN share of time": round(100 * float(app.loc[app["collscan"] > 0, "total_ms"].sum()) / total_ms, 1)
        if total_ms else 0.0,
        "application time (ms)": round(total_ms, 1),
        "queries digested": int(digest["count"].sum()),
        "shapes": int(len(digest)),
        "internal operations": int(digest.loc[internal, "count"].sum()),
    }
    if stats is not None:
        figures["lines/documents skipped"] = stats.skipped
    figures["source"] = source
    return figures
