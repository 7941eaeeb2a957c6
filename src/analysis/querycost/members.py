"""Which server wrote each file, and the per-member breakdown of a fleet digest (pure; no I/O).

A member is named from what its log says about itself (the startup line's ``host`` and
``port``, the replica set of the command-line options, the cluster role, the last replica-set
state transition), else from the file name: ``<host>:<port>`` when known, else the file's stem
without ``.gz`` / ``.log`` / ``.json``. Files of the same member (rotated logs) are summed.
The table says which member carries the slow application queries (primary vs secondaries).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .records import FileStats

_SUFFIXES = re.compile(r"(\.(gz|log|json|jsonl|txt))+$", re.IGNORECASE)
_RS = re.compile(r"(?<![a-z])(rs\d+|[a-z]+-rs\d*)(?![a-z])", re.IGNORECASE)
_SHARD = re.compile(r"(?<![a-z])(shard[-_]?\d+|config|cfg|mongos)(?![a-z])", re.IGNORECASE)
MEMBER_COLUMNS = ["member", "rs", "shard", "role", "version", "files", "app queries", "app ms", "share", "p95_ms",
                  "COLLSCAN", "internal ops", "internal ms"]


def member_of(st: FileStats) -> dict[str, str]:
    """Member label, replica set, shard, role and version of one file (its own lines first, then its name).

    Examples
    --------
    >>> member_of(FileStats("/logs/shard01-rs1-db-3.mongod.log.gz"))["member"]
    'shard01-rs1-db-3.mongod'
    >>> member_of(FileStats("x.log", provenance={"host": "db-2", "port": "27018", "role": "SECONDARY"}))["member"]
    'db-2:27018'
    """
    prov = st.provenance
    stem = _SUFFIXES.sub("", Path(st.path).name)
    host = prov.get("host", "")
    label = f"{host}:{prov.get('port') or 27017}" if host else stem
    rs = prov.get("rs") or (m.group(1) if (m := _RS.search(stem)) else "")
    shard = prov.get("shard") or (m.group(1) if (m := _SHARD.search(stem)) else "")
    return {"member": label, "rs": rs, "shard": shard, "role": prov.get("role", ""), "version": prov.get("version", "")}


def member_labels(files: Sequence[FileStats]) -> dict[str, str]:
    """``{file path: member label}`` for every file read."""
    return {st.path: member_of(st)["member"] for st in files}


def member_table(totals: pd.DataFrame, files: Sequence[FileStats]) -> pd.DataFrame:
    """The per-member breakdown, by application time (largest first).

    Parameters
    ----------
    totals : DataFrame
        :meth:`analysis.querycost.digest.Digester.members_frame` grouped by :func:`member_labels`.
    files : sequence of FileStats
        What was read (for replica set, shard, role and version).

    Returns
    -------
    DataFrame
        :data:`MEMBER_COLUMNS`.
    """
    info: dict[str, dict[str, str]] = {}
    for st in files:
        m = member_of(st)
        have = info.setdefault(m["member"], m)
        for k, v in m.items():
            if v and not have.get(k):
                have[k] = v
    if totals.empty:
        return pd.DataFrame(columns=MEMBER_COLUMNS)
    grand = float(totals["total"].sum())
    out = pd.DataFrame({
        "member": totals["member"],
        **{k: [info.get(m, {}).get(k, "") for m in totals["member"]] for k in ("rs", "shard", "role", "version")},
        "files": totals["files"].astype(int), "app queries": totals["count"].astype(int),
        "app ms": totals["total"].round(0), "share": (totals["total"] / grand * 100).round(1) if grand else 0.0,
        "p95_ms": totals["p95_ms"].round(1), "COLLSCAN": totals["collscan"].astype(int),
        "internal ops": totals["internal"].astype(int), "internal ms": totals["internal_total"].round(0),
    })
    return out.sort_values(["app ms", "member"], ascending=[False, True], kind="stable").reset_index(drop=True)
