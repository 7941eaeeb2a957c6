"""Tables and the verdict of notebook 02 and ``scan-vs-agg`` (no measurement, no I/O).

Reads a :class:`~analysis.dashboard.result.DashboardResult`: :func:`server_summary` (explain
totals), :func:`verdict` (the one :class:`~analysis.record.Verdict`), :func:`to_json` (the
``--json`` document) and :func:`text` (the command's plain-text report).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..jsonsafe import jsonable
from ..record import Figure, Verdict
from .cache import KEY_FORMAT, METRICS_TTL_S, OVERVIEW_TTL_S
from .claims import claim_verdicts
from .measure import EMBEDDED_LATENCY_NOTE, METHOD_DECODE, latency_method
from .result import CacheReport, DashboardResult

#: What server-side cells say on the embedded engine.
NEEDS_REAL_MONGO = "needs a real MongoDB (set mongo_uri_env)"

#: Columns of the CLI JSON rows (in that order).
ROW_KEYS = ("strategy", "size", "latency_ms_median", "latency_ms_iqr", "repeats", "peak_mem_bytes",
            "result_bytes", "docs_received", "decode_ms", "decode_mem_bytes")

#: Columns of the CLI's plain-text cost table.
TEXT_COLUMNS = ["strategy", "size", "latency_ms_median", "latency_ms_iqr", "repeats", "docs_received",
                "result_bytes", "decode_ms", "decode_mem_bytes", "peak_mem_bytes"]


def server_summary(result: DashboardResult) -> pd.DataFrame:
    """Per strategy and size: server-side totals from explain, or the 'needs a real MongoDB' line.

    Parameters
    ----------
    result : DashboardResult
        Its ``server`` explain rows are summed per strategy and size.

    Returns
    -------
    DataFrame
        strategy, size, queries, docs_examined, keys_examined, returned, server_ms,
        collscans, in_memory_sorts, engine — or one row engine, server on the embedded engine.
    """
    if result.server is None or result.server.empty:
        return pd.DataFrame([{"engine": result.engine, "server": NEEDS_REAL_MONGO}])
    g = result.server.groupby(["strategy", "size"], sort=False)
    out = g.agg(queries=("collection", "size"), docs_examined=("docs_examined", "sum"),
                keys_examined=("keys_examined", "sum"), returned=("n_returned", "sum"),
                server_ms=("server_ms", "sum"), collscans=("collscan", "sum"),
                in_memory_sorts=("in_memory_sort", "sum")).reset_index()
    out["engine"] = result.engine
    return out


def _figures(result: DashboardResult, not_holding: list[str]) -> tuple[dict[str, Any], dict[str, Figure]]:
    """The verdict's key figures and how to read them: label, unit, direction, noise (how runs are compared)."""
    eq = result.equivalence
    big = result.largest
    rows = result.rows
    leg = rows[(rows.strategy == "legacy_full_scan") & (rows["size"] == big)].iloc[0]
    idx = rows[(rows.strategy == "index_friendly") & (rows["size"] == big)].iloc[0]
    at = f"{big:,} assessments"
    figures: dict[str, Any] = {
        "engine": result.engine,
        "differing fields (seed_facet)": int((eq["strategy"] == "seed_facet").sum()),
        "differing fields (index_friendly)": int((eq["strategy"] == "index_friendly").sum()),
        f"legacy decoded MB at {big}": round(leg["decode_mem_bytes"] / 1e6, 1),
        f"index_friendly decoded kB at {big}": round(idx["decode_mem_bytes"] / 1e3, 1),
        "claims not holding": len(not_holding),
    }
    info = {"engine": Figure(label="Engine"),
            "differing fields (seed_facet)": Figure("fields", False, label="Fields the seed's aggregation gets wrong"),
            "differing fields (index_friendly)": Figure("fields", False,
                                                        label="Fields the index-friendly plan gets wrong"),
            f"legacy decoded MB at {big}": Figure("MB", False, noise=0.5,
                                                  label=f"Legacy full scan: decoded documents in memory ({at})"),
            f"index_friendly decoded kB at {big}": Figure("kB", False, noise=5.0,
                                                          label=f"Index-friendly plan: decoded result in memory ({at})"),
            "claims not holding": Figure("claims", False, label="Seed claims not holding")}
    if result.cache is not None:
        figures["reload interval for 80 % hits (s)"] = round(result.cache.required_interval_s, 1)
        info["reload interval for 80 % hits (s)"] = Figure("s", None, noise=0.5,
                                                           label="Reload interval per user for 80 % cache hits")
    return figures, info


def verdict(result: DashboardResult) -> Verdict:
    """The verdict of notebook 02 and ``scan-vs-agg``.

    FAIL when an optimized strategy returns numbers that differ from legacy (the seed's claims
    measured on it cannot hold) or a claim fails in a way that is a defect (the seed's cache never
    stores its overview); WARN when a seed figure does not hold (or the cache model and replay
    disagree); PASS otherwise. Claim verdicts: :func:`analysis.dashboard.claims.claim_verdicts`.

    Parameters
    ----------
    result : DashboardResult
        From :func:`analysis.dashboard.pipeline.run` (with or without the cache analysis).

    Returns
    -------
    Verdict
        Status, headline, key figures and next steps.
    """
    claims_df = result.claims
    judged = claim_verdicts(claims_df)
    not_holding = claims_df.loc[judged.isin(["WARN", "FAIL"]), "claim"].tolist()
    failed = claims_df.loc[judged == "FAIL", "claim"].tolist()
    cannot = claims_df.loc[claims_df["status"].astype(str).str.startswith("cannot hold"), "claim"].tolist()
    cache = result.cache
    steps = []
    if result.differing_sizes:
        fields = sorted(set(result.equivalence["field"]))
        status = "FAIL"
        headline = (f"{' and '.join(sorted(result.differing_sizes))} return(s) numbers that differ from the legacy "
                    f"dashboard ({len(fields)} fields, e.g. {', '.join(fields[:3])})"
                    + (f"; {len(cannot)} seed claim(s) measured on it cannot hold: {'; '.join(cannot)}." if cannot
                       else "."))
        steps.append("Do not ship the seed's pipelines as written: recommendations carry no user_id; match them by "
                     "the user's assessment_ids and sum cost_estimates.* (not estimated_cost*).")
    elif failed:
        status = "FAIL"
        headline = f"Numbers agree, but {len(failed)} seed claim(s) fail: {'; '.join(failed)[:160]}."
    elif not_holding or (cache is not None and not cache.agrees):
        status = "WARN"
        headline = f"Numbers agree, but {len(not_holding)} seed claim(s) do not hold: {'; '.join(not_holding)[:160]}."
    else:
        status = "PASS"
        headline = "Optimized strategies agree with legacy and the seed's claims hold on this data."
    if cannot:
        steps.append("Withdraw the seed's claims measured on a strategy that returns other numbers ("
                     + "; ".join(cannot) + "); quote what a strategy returning the legacy numbers measures (claims "
                     "table, index_friendly).")
    warned = claims_df.loc[judged == "WARN", "claim"].tolist()
    if warned:
        steps.append("Quote measured figures, not the seed's: " + "; ".join(warned) + ".")
    if cache is not None and not cache.uncacheable.empty and not cache.uncacheable["json_serializable"].all():
        steps.append("Make the cached overview JSON-safe (str ids, ISO datetimes) or the cache never stores it.")
    if not result.real:
        steps.append("Re-run with mongo_uri_env pointing at a staging MongoDB restored from a dump (audit_user = a "
                     "heavy user) to get explain() docs examined and server time.")
    steps.append("Create the (user_id, created_at) and (assessment_id) indexes and use the index_friendly plan.")
    figures, info = _figures(result, not_holding)
    return Verdict(status, headline, figures, steps, info)


def hit_ratio_grid(cache: CacheReport) -> pd.DataFrame:
    """The model hit ratio λT/(1+λT) as a grid: a row per mean reload interval, a column per TTL (``"30 s"``).

    The column labels carry their unit (they are TTLs in seconds, not numbers of anything); the values are
    rounded to three decimals (a ratio).
    """
    grid = cache.curve.pivot(index="reload_interval_s", columns="ttl_s", values="hit_ratio").round(3)
    grid.columns = [f"TTL {ttl:g} s" for ttl in grid.columns]
    return grid.reset_index()


def cache_json(cache: CacheReport) -> dict[str, Any]:
    """The cache analysis in the ``--json`` document."""
    return {"engine": cache.engine, "ttl_s": {"overview": OVERVIEW_TTL_S, "metrics": METRICS_TTL_S},
            "key": KEY_FORMAT, "tolerance": cache.tolerance, "agrees": cache.agrees,
            "required_reload_interval_s_for_80pct": cache.required_interval_s,
            "agreement": cache.agreement.to_dict("records"), "staleness": cache.staleness.to_dict("records"),
            "uncacheable": cache.uncacheable.to_dict("records")}


def cost_caption(result: DashboardResult) -> str:
    """The client-side cost table's caption: engine and how each figure was measured."""
    return (f"Client-side cost per dashboard load — engine {result.engine}; latency: {latency_method(result.real)}; "
            f"bytes and decode: {METHOD_DECODE}")


def to_json(result: DashboardResult) -> dict[str, Any]:
    """The ``scan-vs-agg --json`` document (without the verdict), JSON-safe.

    Parameters
    ----------
    result : DashboardResult
        From :func:`analysis.dashboard.pipeline.run`.

    Returns
    -------
    dict
        engine, latency_method, profile, rows (:data:`ROW_KEYS` + ``server`` explain totals or None),
        scaling, equivalence (differences at the largest size), cache (or None).
    """
    server_by: dict[tuple[str, int], dict[str, Any]] = {}
    if result.server is not None and not result.server.empty:
        for rec in server_summary(result).to_dict("records"):
            server_by[(rec["strategy"], int(rec["size"]))] = {
                k: v for k, v in rec.items() if k not in ("strategy", "size", "engine")}
    rows = []
    for rec in result.rows.to_dict("records"):
        row = {k: rec[k] for k in ROW_KEYS}
        row["server"] = server_by.get((rec["strategy"], int(rec["size"])))
        rows.append(row)
    return jsonable({"engine": result.engine, "latency_method": latency_method(result.real),
                     "profile": result.profile, "rows": rows,
                     "scaling": result.scaling.to_dict("records"),
                     "equivalence": [d.to_json() for d in result.differences],
                     "cache": cache_json(result.cache) if result.cache is not None else None})


def text(result: DashboardResult, v: Verdict) -> str:
    """The command's plain-text report: cost table, equivalence, server side, cache, verdict line.

    Parameters
    ----------
    result : DashboardResult
        From :func:`analysis.dashboard.pipeline.run`.
    v : Verdict
        :func:`verdict` of ``result``.

    Returns
    -------
    str
    """
    lines = [f"engine: {result.engine}  profile: {result.profile}"]
    if not result.real:
        lines.append(f"latency: {EMBEDDED_LATENCY_NOTE}")
    lines.append(result.rows[TEXT_COLUMNS].round(2).to_string(index=False))
    eq = result.equivalence
    lines.append(f"\nequivalence vs legacy_full_scan: {len(eq)} differing field(s)")
    if len(eq):
        lines.append(eq.to_string(index=False))
    lines.append("\n" + server_summary(result).to_string(index=False))
    cache = result.cache
    if cache is not None:
        lines.append(f"\ncache ({cache.engine}): model/simulation/replay agree within ±{cache.tolerance}: {cache.agrees}")
        lines.append(cache.agreement[["reload_interval_s", "ttl_s", "model", "simulation", "replay"]].round(3)
                     .to_string(index=False))
    lines.append(f"\n{v.status}: {v.headline}")
    return "\n".join(lines)
