"""The seed's claims beside what was measured on the same size profile."""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd

from ..record import format_figure
from .measure import latency_method
from .result import CacheReport

#: The seed's figures (dashboard section, "Performance Comparison" table).
SEED_MEMORY_BEFORE_BYTES = 50e6      # "50MB (1K docs)"
SEED_MEMORY_AFTER_BYTES = 1e6        # "~1MB"
SEED_DOCS = 1000
SEED_LATENCY_BEFORE_S = (2.0, 3.0)
SEED_LATENCY_AFTER_S = (0.1, 0.2)
SEED_CACHE_HIT = 0.80
SEED_CACHE_TTL_S = 60.0

HOLDS, FAILS, UNTESTED = "holds", "does not hold", "not testable here"
#: The optimized strategies, in the order a claim looks for one that returns the legacy dashboard's numbers.
OPTIMIZED = ("seed_facet", "index_friendly")
#: Each claim row's verdict: PASS when it holds; WARN when a seed figure does not hold (quote the measured one);
#: FAIL when the claim cannot hold (it was measured on a strategy returning other numbers) or its failure is a
#: defect (the seed's cache never stores anything).
CLAIM_VERDICTS = ("PASS", "WARN", "FAIL", "N/A")


def cannot_hold(strategy: str) -> str:
    """The status of a claim measured on ``strategy`` when it returns numbers that differ from legacy."""
    return f"cannot hold: {strategy} returns different numbers"


def claim_verdicts(claims: pd.DataFrame) -> pd.Series:
    """Each claim's verdict (its ``verdict`` column; derived from ``status`` for a table without one).

    Parameters
    ----------
    claims : DataFrame
        :func:`claims_table` (columns claim, status and, when built by it, verdict).

    Returns
    -------
    Series
        PASS / WARN / FAIL / N/A per row: a claim that cannot hold is FAIL, one that does not hold WARN,
        one not testable N/A, else PASS.
    """
    if "verdict" in claims.columns:
        return claims["verdict"]
    status = claims["status"].astype(str)
    return pd.Series(np.select([status.str.startswith("cannot hold"), status == FAILS, status == UNTESTED],
                               ["FAIL", "WARN", "N/A"], "PASS"), index=claims.index)


def at_size(df: pd.DataFrame, strategy: str, metric: str, size: int = SEED_DOCS) -> tuple[float, str]:
    """The metric at ``size``: measured when that size was run, else a log-log interpolation.

    Returns
    -------
    (value, how)
        ``how`` is "measured" or "log-log fit over sizes a..b" (NaN when impossible).
    """
    g = df[(df["strategy"] == strategy) & (df[metric] > 0)].sort_values("size")
    if g.empty:
        return math.nan, "no data"
    exact = g[g["size"] == size]
    if not exact.empty:
        return float(exact[metric].iloc[0]), "measured"
    if g["size"].nunique() < 2:
        return math.nan, "one size only"
    slope, icpt = np.polyfit(np.log(g["size"].astype(float)), np.log(g[metric].astype(float)), 1)
    return float(math.exp(icpt + slope * math.log(size))), \
        f"log-log fit over sizes {int(g['size'].min())}..{int(g['size'].max())}"


def document_size_for_seed_memory(df: pd.DataFrame) -> dict[str, float]:
    """BSON size per document at which 1,000 documents decode to the seed's 50 MB.

    Uses the measured decode expansion (decoded bytes / BSON bytes) of the legacy load.
    """
    g = df[df["strategy"] == "legacy_full_scan"]
    ratio = float((g["decode_mem_bytes"] / g["result_bytes"]).median())
    avg_doc = float((g["result_bytes"] / g["docs_received"]).median())
    needed_decoded = SEED_MEMORY_BEFORE_BYTES / SEED_DOCS
    return {"decode_expansion": ratio, "measured_bson_bytes_per_doc": avg_doc,
            "bson_bytes_per_doc_for_50MB": needed_decoded / ratio,
            "decoded_bytes_per_doc_for_50MB": needed_decoded}


def cache_facts(cache: CacheReport) -> dict[str, Any]:
    """The cache figures :func:`claims_table` judges the seed's cache claims on.

    Parameters
    ----------
    cache : CacheReport
        The cache analysis.

    Returns
    -------
    dict
        ``required_interval_s``, ``seed_payload_cacheable`` (True when the seed_facet overview
        was not replayed) and ``replay_hit_ratio`` at a 15 s reload interval (NaN when not replayed).
    """
    seed_row = cache.uncacheable[cache.uncacheable["strategy"] == "seed_facet"]
    at15 = cache.agreement[cache.agreement["reload_interval_s"] == 15.0]
    return {"required_interval_s": cache.required_interval_s,
            "seed_payload_cacheable": bool(seed_row["json_serializable"].all()) if not seed_row.empty else True,
            "replay_hit_ratio": float(at15["replay"].iloc[0]) if not at15.empty else math.nan}


def _judged(status: str, verdict_if_not: str = "WARN") -> str:
    """The verdict of a claim row from its status (``verdict_if_not``: what a claim that does not hold means)."""
    if status.startswith("cannot hold"):
        return "FAIL"
    return {HOLDS: "PASS", FAILS: verdict_if_not, UNTESTED: "N/A"}.get(status, "PASS")


def _pct(fraction: float) -> str:
    """A fraction as a percentage for a reader (the figure format: ``99.8 %``, ``—`` when unknown)."""
    return format_figure(100 * fraction, "%")


def _versus_legacy(df: pd.DataFrame, strategy: str, differing: Collection[str]) -> tuple[str | None, str]:
    """(the status a claim on ``strategy`` gets when it cannot hold, or None; what an equivalent strategy measures:
    the first of :data:`OPTIMIZED` that returns the legacy numbers, '' when none was measured)."""
    if strategy not in differing:
        return None, ""
    same = next((s for s in OPTIMIZED if s not in differing and s != strategy and (df["strategy"] == s).any()), "")
    return cannot_hold(strategy), same


def _compared_rows(df: pd.DataFrame, real: bool, differing: Collection[str],
                   server: pd.DataFrame | None) -> list[dict[str, Any]]:
    """The claims that compare the seed's aggregation (``seed_facet``) with the legacy load."""
    cannot, same = _versus_legacy(df, "seed_facet", differing)
    also = f"; {same}, which returns the legacy numbers: " if same else ""
    rows: list[dict[str, Any]] = []
    leg_mem, _ = at_size(df, "legacy_full_scan", "decode_mem_bytes")
    seed_mem, how2 = at_size(df, "seed_facet", "decode_mem_bytes")
    red = 1 - seed_mem / leg_mem if leg_mem and not math.isnan(leg_mem) else math.nan
    alt_mem, _ = at_size(df, same, "decode_mem_bytes") if same else (math.nan, "")
    rows.append({"claim": "aggregation load holds ~1 MB (98 % less)",
                 "seed": "~1 MB, -98 %", "measured": f"{seed_mem / 1e3:.1f} kB decoded, {_pct(red)} less"
                 + (f"{also}{alt_mem / 1e3:.1f} kB, {_pct(1 - alt_mem / leg_mem)} less" if same else ""),
                 "basis": f"same method ({how2}); the seed_facet result on real-schema data",
                 "status": cannot or (HOLDS if red >= 0.98 else FAILS)})
    leg_b, _ = at_size(df, "legacy_full_scan", "result_bytes")
    seed_b, _ = at_size(df, "seed_facet", "result_bytes")
    alt_b, _ = at_size(df, same, "result_bytes") if same else (math.nan, "")
    rows.append({"claim": "95 % less data", "seed": "-95 %",
                 "measured": (f"{_pct(1 - seed_b / leg_b)} fewer bytes received" if leg_b else "n/a")
                 + (f"{also}{_pct(1 - alt_b / leg_b)} fewer" if same and leg_b else ""),
                 "basis": "BSON bytes the driver receives (bson.encode); server document reads: see explain",
                 "status": cannot or (HOLDS if leg_b and 1 - seed_b / leg_b >= 0.95 else FAILS)})
    if server is not None and not server.empty:
        s = server.groupby("strategy")["docs_examined"].sum()
        if "legacy_full_scan" in s and "seed_facet" in s and s["legacy_full_scan"]:
            rows.append({"claim": "aggregation reads less on the server", "seed": "implied",
                         "measured": f"docs examined legacy {int(s['legacy_full_scan'])}, seed {int(s['seed_facet'])}",
                         "basis": "explain executionStats totalDocsExamined, summed over sizes",
                         "status": cannot or (HOLDS if s["seed_facet"] < 0.5 * s["legacy_full_scan"] else FAILS)})
    leg_ms, _ = at_size(df, "legacy_full_scan", "latency_ms_median")
    seed_ms, _ = at_size(df, "seed_facet", "latency_ms_median")
    faster = 1 - seed_ms / leg_ms if leg_ms else math.nan
    rows.append({"claim": "2–3 s → 100–200 ms (90 % faster)", "seed": "-90 %",
                 "measured": f"{leg_ms:.0f} ms → {seed_ms:.0f} ms ({seed_ms / leg_ms:.2f}× the legacy time)",
                 "basis": latency_method(real),
                 "status": cannot or ((HOLDS if faster >= 0.9 else FAILS) if real else UNTESTED)})
    for r in rows:
        r["verdict"] = _judged(r["status"])
    return rows


def claims_table(df: pd.DataFrame, *, engine: str, real: bool, cache: dict[str, Any] | None = None,
                 server: pd.DataFrame | None = None, differing: Collection[str] = ()) -> pd.DataFrame:
    """Each seed claim, the measured counterpart, whether it holds and what that means.

    A claim that compares an optimized strategy with the legacy load is judged only when that
    strategy returns the legacy dashboard's numbers; otherwise it "cannot hold: <strategy> returns
    different numbers" (its measured column adds what a strategy returning the same numbers achieves).

    Parameters
    ----------
    df : DataFrame
        Client-cost rows (:func:`analysis.dashboard.measure.measure_strategy`, one per strategy and size).
    engine : str
        Engine label (copied on every row).
    real : bool
        Whether ``df`` comes from a real MongoDB (latency claims are only judged then).
    cache : dict, optional
        ``{"required_interval_s", "seed_payload_cacheable", "replay_hit_ratio"}`` (:func:`cache_facts`).
    server : DataFrame, optional
        Explain summary (docs examined per strategy and size).
    differing : collection of str
        Strategies whose overview differs from the legacy one at any size (``DashboardResult.differing_sizes``).

    Returns
    -------
    DataFrame
        Columns claim, seed, measured, basis, status, verdict (:data:`CLAIM_VERDICTS`), engine.
    """
    leg_mem, how = at_size(df, "legacy_full_scan", "decode_mem_bytes")
    rows: list[dict[str, Any]] = [{
        "claim": "legacy load holds ~50 MB for 1,000 assessments", "seed": "50 MB",
        "measured": f"{leg_mem / 1e6:.1f} MB decoded",
        "basis": f"bson.decode_all of the received documents under tracemalloc ({how})",
        "status": HOLDS if 0.5 <= leg_mem / SEED_MEMORY_BEFORE_BYTES <= 2 else FAILS, "verdict": ""}]
    rows += _compared_rows(df, real, differing, server)
    if cache:
        interval = cache["required_interval_s"]
        rows.append({"claim": "60 s cache reaches 80 % hit rate", "seed": "80 %",
                     "measured": f"needs one reload per user every {interval:.0f} s or more often "
                                 f"(replay at that rate: {_pct(cache.get('replay_hit_ratio', math.nan))})",
                     "basis": "λT/(1+λT), simulation and Redis replay", "status": HOLDS + " only at that reload rate",
                     "verdict": "PASS"})
        cacheable = cache["seed_payload_cacheable"]
        rows.append({"claim": "the seed's service caches its overview", "seed": "cache hit ≈ 80 %",
                     "measured": "cached" if cacheable else
                     "never cached: json.dumps fails on ObjectId/datetime, error only logged",
                     "basis": "cache-aside replay with the seed_facet overview as value",
                     "status": HOLDS if cacheable else FAILS, "verdict": "PASS" if cacheable else "FAIL"})
    rows[0]["verdict"] = _judged(rows[0]["status"])
    out = pd.DataFrame(rows, columns=["claim", "seed", "measured", "basis", "status", "verdict"])
    out["engine"] = engine
    return out
