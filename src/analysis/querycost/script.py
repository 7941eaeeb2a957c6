"""The reviewed mongosh script of the audit's index changes (text only; the workbook never runs it).

Two parts, each line commented with why:

1. ``createIndex`` for every index the advice suggests (:func:`~.advice.suggest_indexes`),
   except those already in the existing / recommended set;
2. ``hideIndex`` for every drop candidate of the index hygiene (:mod:`.hygiene`): hidden
   first, the ``dropIndex`` left commented out until a full business cycle passed without
   regressions (``unhideIndex`` undoes a hide at once).

Names come from the audited server (collections, index names, field names of query shapes):
every one is a JSON string literal in the code (the key document is built from the advice's
(field, direction) pairs, never parsed back from its printed form, where a field named
``"a: db.dropDatabase(), b"`` would have become code), and comments are one line each
(:func:`analysis.escape.comment_text`: a newline in a name cannot start a statement).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pandas as pd

from ..escape import comment_text
from .hygiene import drop_candidates
from .result import QueryCostResult


def _js_keys(keys: Sequence[tuple[str, int]]) -> str:
    """(field, direction) pairs → a JavaScript key document: ``{ "a.b": 1, "c": -1 }``."""
    return "{ " + ", ".join(f"{json.dumps(str(f))}: {int(d)}" for f, d in keys) + " }"


def _create_lines(suggestions: pd.DataFrame, database: str) -> list[str]:
    lines = []
    seen = set()
    for _, r in suggestions.iterrows():
        coll = str(r["ns"]).split(".", 1)[-1]
        key = (coll, r["suggested_index"])
        if r["suggested_index"] == "—" or key in seen:
            continue
        seen.add(key)
        lines.append(comment_text(f"{coll}: {r['problem']} of {r['op']} {str(r['shape'])[:90]} ({r['note']})"))
        prefix = "// already recommended or existing: " if "already in the" in str(r["note"]) else ""
        lines.append(f'{prefix}db.getSiblingDB({json.dumps(database)}).getCollection({json.dumps(coll)})'
                     f'.createIndex({_js_keys(r["index_keys"])});')
    return lines


def _hide_lines(hygiene: pd.DataFrame | None, database: str) -> list[str]:
    if hygiene is None or not len(hygiene):
        return []
    lines = []
    for _, r in drop_candidates(hygiene).iterrows():
        coll = f'db.getSiblingDB({json.dumps(database)}).getCollection({json.dumps(str(r["collection"]))})'
        days = "" if pd.isna(r["observed_days"]) else f" in {r['observed_days']:.1f} days"
        lines += [comment_text(f"{r['collection']}.{r['index']} {r['keys']}: {r['verdict']} ({r['ops']} ops{days})"),
                  f"{coll}.hideIndex({json.dumps(str(r['index']))});",
                  f"// after a clean business cycle: {coll}.dropIndex({json.dumps(str(r['index']))});"]
    return lines


def mongosh_script(result: QueryCostResult, database: str) -> str:
    """The script text (see the module text).

    Parameters
    ----------
    result : QueryCostResult
        The audit (its suggestions and index hygiene).
    database : str
        The database the statements name.

    Returns
    -------
    str
    """
    synthetic = "SYNTHETIC" in result.source
    head = ["// Index changes proposed by the Infra Mind query cost audit. REVIEW BEFORE RUNNING:",
            "// the workbook never runs this script. Try it on a staging restore first; build large",
            "// indexes off-peak (rolling, one member at a time, for big collections).",
            comment_text(f"evidence: {result.source}"),
            comment_text(f"index statistics: {result.hygiene_source or 'none'}")]
    if synthetic:
        head.append("// SYNTHETIC sample: these statements describe the simulated server, not yours.")
    creates = _create_lines(result.suggestions, database) or ["// (no index suggested)"]
    hides = _hide_lines(result.index_hygiene, database) or ["// (no drop candidate)"]
    return "\n".join([*head, "", "// 1. Indexes the advice suggests", *creates, "",
                      "// 2. Drop candidates: hide first (unhideIndex() undoes it at once), drop later",
                      *hides]) + "\n"
