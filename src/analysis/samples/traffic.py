"""A documented, deterministic traffic model of the Infra Mind service (the embedded data).

:func:`generate` returns raw Prometheus series (cumulative counters and histogram
buckets) for the metrics the service really exports (``http_requests_total``,
``http_request_duration_seconds``, ``db_queries_total``, ``db_query_duration_seconds``,
``db_errors_total``, ``cache_operations_total``, ``cache_hits_total``,
``cache_misses_total``, ``llm_api_calls_total``, ``assessments_created_total``,
``assessments_completed_total``). Dashboard-load and WebSocket metrics are *not*
generated: the service does not export them.

The model (offsets in days from ``start``; every random draw comes from one seeded
``numpy.random.Generator``, so the same arguments give the same bytes):

* traffic: 40 API requests/s × diurnal factor ``1 + 0.6·sin(2π(h − 9)/24)`` (peak 15:00 UTC)
  × 0.6 on weekends; endpoint shares 45 % dashboard overview, 25 % assessments list,
  5 % assessment create, 25 % recommendations; 0.02 % 500s, 0.01 % 503s, 0.5 % 404s (GET);
* latency: lognormal (median 60 ms, σ 0.7) plus, on the dashboard, a 4 % cache-miss tail
  uniform in 1–2.4 s (so the 2 s p99 threshold falls between the 1 s and 2.5 s buckets);
* **fast-burn incident** (day 20.58–20.61, 14:00–14:45 UTC): 60 % of API requests fail
  with 503, the dashboard tail rises to 30 %, 30 % of DB queries take > 100 ms;
* **slow burn** (days 10–15.5): LLM provider errors ramp from 0.3 % to 4 % over 4 days,
  hold 1.5 days, recover; failed assessments follow (2 % + 5 × the excess LLM error rate);
* **counter reset** (day 16.375, 09:00): the API process restarts, every counter drops to
  0; the cache is cold afterwards (hit ratio 40 % recovering to 86 % within ~2 h);
* **scrape gap** (day 5.125–5.1875, 03:00–04:30): no samples (traffic continues);
* **zero-traffic window** (day 25.083–25.167, 02:00–04:00): maintenance, load balancer
  drained: samples keep coming, counters stay flat.
"""

from __future__ import annotations

import gzip
import io
import math
from dataclasses import dataclass

import numpy as np

from ..config import data_dir
from .prometheus_files import write_query_range

DAY = 86400.0
HTTP_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
DB_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
ENDPOINTS = (  # method, endpoint, share, success status
    ("GET", "/api/v1/dashboard/overview", 0.45, "200"),
    ("GET", "/api/v1/assessments", 0.25, "200"),
    ("POST", "/api/v1/assessments", 0.05, "201"),
    ("GET", "/api/v1/recommendations", 0.25, "200"),
)
DB_OPS = (("assessments", "find", 0.5), ("recommendations", "aggregate", 0.3), ("reports", "aggregate", 0.2))
#: default start of the embedded export (Unix seconds): 2026-10-02T00:00:00Z
EMBEDDED_START = 1790899200.0


@dataclass(frozen=True)
class Scenario:
    """Event times, in days from the start (see the module docstring)."""

    incident: tuple[float, float] = (20 + 14 / 24, 20 + 14.75 / 24)
    slow_burn: tuple[float, float, float] = (10.0, 14.0, 15.5)  # ramp start, plateau start, end
    restart: float = 16 + 9 / 24
    gap: tuple[float, float] = (5 + 3 / 24, 5 + 4.5 / 24)
    zero_traffic: tuple[float, float] = (25 + 2 / 24, 25 + 4 / 24)


def _lognorm_cdf(x: float, median: float, sigma: float) -> float:
    return 0.5 * (1 + math.erf(math.log(x / median) / (sigma * math.sqrt(2))))


def _tail_cdf(x: float, lo: float = 1.0, hi: float = 2.4) -> float:
    return min(max((x - lo) / (hi - lo), 0.0), 1.0)


def _split(rng: np.random.Generator, n: np.ndarray, cdfs: np.ndarray) -> np.ndarray:
    """Split ``n`` events per step into buckets with cumulative probabilities ``cdfs`` (steps × buckets).

    Returns cumulative counts per bucket (``le`` semantics), last column = ``n``.
    """
    p = np.diff(np.concatenate([np.zeros((cdfs.shape[0], 1)), cdfs, np.ones((cdfs.shape[0], 1))], axis=1), axis=1)
    left = n.astype(np.int64)
    rest = np.ones(n.shape)
    out = np.zeros((n.size, p.shape[1]), np.int64)
    for j in range(p.shape[1] - 1):
        q = np.clip(np.divide(p[:, j], rest, out=np.zeros_like(rest), where=rest > 0), 0, 1)
        c = rng.binomial(left, q)
        out[:, j] = c
        left = left - c
        rest = rest - p[:, j]
    out[:, -1] = left
    return np.cumsum(out, axis=1)


def _histogram(rng: np.random.Generator, name: str, base: dict[str, str], events: np.ndarray,
               buckets: tuple[float, ...], cdf_main, cdf_alt, alt_share: np.ndarray,
               with_count: bool) -> list[tuple[dict[str, str], np.ndarray]]:
    """Bucket (and count) increments of a histogram whose events follow a per-step mixture of two CDFs."""
    main = np.array([cdf_main(b) for b in buckets])
    alt = np.array([cdf_alt(b) for b in buckets])
    cdfs = (1 - alt_share)[:, None] * main[None, :] + alt_share[:, None] * alt[None, :]
    cum = _split(rng, events, cdfs)
    out = [({"__name__": f"{name}_bucket", **base, "le": "+Inf" if math.isinf(le) else repr(le)}, cum[:, j])
           for j, le in enumerate((*buckets, math.inf))]
    if with_count:
        out.append(({"__name__": f"{name}_count", **base}, events))
    return out


def generate(start: float = EMBEDDED_START, days: float = 30.0, step: float = 300.0, seed: int = 20261002,
             scenario: Scenario = Scenario(), endpoints: int = 4, families: tuple[str, ...] | None = None,
             histogram_count: bool = True, scrape_offset_s: float = 0.0,
             jitter_s: float = 0.0) -> list[tuple[dict[str, str], np.ndarray, np.ndarray]]:
    """Generate the raw series of the model.

    Parameters
    ----------
    start : float
        Unix seconds of the first sample (aligned to ``step`` by the caller).
    days : float
        Length; samples at ``start + k·step`` for ``k = 0..days·86400/step``.
    step : float
        Scrape interval in seconds.
    seed : int
        Seed of the random generator.
    scenario : Scenario
        Incident times.
    endpoints : int
        How many of :data:`ENDPOINTS` to emit (the oracle tests use fewer).
    families : tuple of str, optional
        Only these metric families (e.g. ``("http_requests_total", "http_request_duration_seconds")``).
    histogram_count : bool
        Emit ``_count`` series next to the buckets.
    scrape_offset_s, jitter_s : float
        Real scrapes are not on the step grid: every scrape happens ``scrape_offset_s`` after
        the grid point plus a uniform jitter in ``±jitter_s`` (shared by all series of the
        scrape, rounded to milliseconds like Prometheus timestamps).

    Returns
    -------
    list of (labels, timestamps, values)
        Cumulative values, sorted by time, with the scrape gap removed.
    """
    rng = np.random.default_rng(seed)
    tl = _timeline(start, days, step, scenario)
    want = _Wanted(families)
    out = [*_http_series(rng, tl, step, endpoints, want, histogram_count),
           *_db_series(rng, tl, step, want, histogram_count),
           *_cache_series(rng, tl, step, want),
           *_llm_series(rng, tl, step, want)]
    return _cumulate(out, tl, step, seed, scrape_offset_s, jitter_s)


@dataclass(frozen=True)
class _Timeline:
    """The model's per-step drivers (one entry per scrape on the step grid)."""

    t: np.ndarray
    d: np.ndarray  # days since start
    diurnal: np.ndarray
    incident: np.ndarray
    gap: np.ndarray
    llm_err: np.ndarray
    since_restart: np.ndarray  # hours since the restart (inf before it)
    traffic: np.ndarray
    restart_day: float

    @property
    def n(self) -> int:
        return len(self.t)


def _timeline(start: float, days: float, step: float, sc: Scenario) -> _Timeline:
    n = int(round(days * DAY / step)) + 1
    t = start + np.arange(n) * step
    d = (t - start) / DAY
    hour = (t % DAY) / 3600
    weekday = ((t // DAY).astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday → 0 = Monday
    diurnal = (1 + 0.6 * np.sin(2 * np.pi * (hour - 9) / 24)) * np.where(weekday >= 5, 0.6, 1.0)
    zero = (d >= sc.zero_traffic[0]) & (d < sc.zero_traffic[1])
    r0, r1, r2 = sc.slow_burn
    return _Timeline(
        t=t, d=d, diurnal=diurnal,
        incident=(d >= sc.incident[0]) & (d < sc.incident[1]),
        gap=(d > sc.gap[0]) & (d < sc.gap[1]),
        llm_err=0.003 + np.clip((d - r0) / (r1 - r0), 0, 1) * 0.037 * (d < r2),
        since_restart=np.where(d >= sc.restart, (d - sc.restart) * 24, np.inf),
        traffic=np.where(zero, 0.0, diurnal),
        restart_day=sc.restart,
    )


@dataclass(frozen=True)
class _Wanted:
    families: tuple[str, ...] | None

    def __call__(self, family: str) -> bool:
        return self.families is None or family in self.families


_Increments = list[tuple[dict[str, str], np.ndarray]]  # labels, per-step increments


def _http_series(rng: np.random.Generator, tl: _Timeline, step: float, endpoints: int, want: _Wanted,
                 histogram_count: bool) -> _Increments:
    out: _Increments = []
    n = tl.n
    for method, endpoint, share, ok in ENDPOINTS[:endpoints]:
        lam = 40 * share * step * tl.traffic
        total = rng.poisson(lam)
        p503 = np.where(tl.incident, 0.60, 0.0001)
        p500 = np.full(n, 0.0002)
        p404 = 0.005 if method == "GET" else 0.0
        c503 = rng.binomial(total, p503)
        c500 = rng.binomial(total - c503, p500)
        c404 = rng.binomial(total - c503 - c500, p404) if p404 else np.zeros(n, np.int64)
        cok = total - c503 - c500 - c404
        base = {"method": method, "endpoint": endpoint}
        if want("http_requests_total"):
            for status, c in ((ok, cok), ("404", c404), ("500", c500), ("503", c503)):
                if status == "404" and not p404:
                    continue
                out.append(({"__name__": "http_requests_total", **base, "status": status}, c))
        if want("http_request_duration_seconds"):
            tail = np.where(tl.incident, 0.30, 0.04) if "dashboard" in endpoint else np.zeros(n)
            out += _histogram(rng, "http_request_duration_seconds", base, total, HTTP_BUCKETS,
                              lambda b: _lognorm_cdf(b, 0.06, 0.7), _tail_cdf, tail, histogram_count)
    return out


def _db_series(rng: np.random.Generator, tl: _Timeline, step: float, want: _Wanted,
               histogram_count: bool) -> _Increments:
    out: _Increments = []
    if not (want("db_queries_total") or want("db_query_duration_seconds")):
        return out
    for coll, op, share in DB_OPS:
        q = rng.poisson(60 * share * step * tl.traffic)
        base = {"collection": coll, "operation": op}
        if want("db_queries_total"):
            out.append(({"__name__": "db_queries_total", **base}, q))
        if want("db_query_duration_seconds"):
            slow = np.where(tl.incident, 0.30, 0.0)
            out += _histogram(rng, "db_query_duration_seconds", base, q, DB_BUCKETS,
                              lambda b: _lognorm_cdf(b, 0.008, 0.9), lambda b: _lognorm_cdf(b, 0.3, 0.5),
                              slow, histogram_count)
    if want("db_errors_total"):
        out.append(({"__name__": "db_errors_total", "collection": "assessments", "error_type": "timeout"},
                    rng.poisson(0.002 * step * tl.traffic + 2 * step * tl.incident)))
    return out


def _cache_series(rng: np.random.Generator, tl: _Timeline, step: float, want: _Wanted) -> _Increments:
    out: _Increments = []
    if not (want("cache_operations_total") or want("cache_hits_total")):
        return out
    gets = rng.poisson(30 * step * tl.traffic)
    hit_p = 0.86 - 0.03 * (tl.diurnal - 1) - 0.46 * np.exp(-tl.since_restart / 0.7)
    hits = rng.binomial(gets, np.clip(hit_p, 0, 1))
    misses = gets - hits
    sets = rng.binomial(misses, 0.98)
    if want("cache_operations_total"):
        out += [({"__name__": "cache_operations_total", "operation": "get", "result": "hit"}, hits),
                ({"__name__": "cache_operations_total", "operation": "get", "result": "miss"}, misses),
                ({"__name__": "cache_operations_total", "operation": "set", "result": "success"}, sets)]
    if want("cache_hits_total"):
        out += [({"__name__": "cache_hits_total"}, hits), ({"__name__": "cache_misses_total"}, misses)]
    return out


def _llm_series(rng: np.random.Generator, tl: _Timeline, step: float, want: _Wanted) -> _Increments:
    out: _Increments = []
    if not (want("llm_api_calls_total") or want("assessments_created_total")):
        return out
    for provider, model, share in (("openai", "gpt-4o", 0.7), ("anthropic", "claude-3-5-sonnet", 0.3)):
        calls = rng.poisson(0.8 * share * step * tl.traffic)
        err = rng.binomial(calls, tl.llm_err)
        if want("llm_api_calls_total"):
            out += [({"__name__": "llm_api_calls_total", "provider": provider, "model": model,
                      "status": "success"}, calls - err),
                    ({"__name__": "llm_api_calls_total", "provider": provider, "model": model,
                      "status": "error"}, err)]
    created = rng.poisson(20 / 3600 * step * tl.traffic)
    completed = rng.binomial(created, np.clip(1 - (0.02 + 5 * (tl.llm_err - 0.003)), 0, 1))
    if want("assessments_created_total"):
        out += [({"__name__": "assessments_created_total", "status": "in_progress"}, created),
                ({"__name__": "assessments_completed_total"}, completed)]
    return out


def _cumulate(out: _Increments, tl: _Timeline, step: float, seed: int, scrape_offset_s: float,
              jitter_s: float) -> list[tuple[dict[str, str], np.ndarray, np.ndarray]]:
    """Increments → cumulative counters on the (jittered) scrape times, without the scrape gap.

    A counter starts at its first day's total (a process running since before the export;
    keeps histogram buckets ordered), drops to 0 at the restart; no increment at k = 0.
    """
    n = tl.n
    t = tl.t
    if scrape_offset_s or jitter_s:
        jit = np.random.default_rng(seed + 1).uniform(-jitter_s, jitter_s, n) if jitter_s else 0.0
        t = np.round(t + scrape_offset_s + jit, 3)
    restart_k = int(np.searchsorted(tl.d, tl.restart_day))
    day_k = max(1, int(DAY / step))
    keep = ~tl.gap
    series = []
    for labels, inc in out:
        inc = np.asarray(inc, dtype=np.int64).copy()
        inc[0] = 0
        cum = np.cumsum(inc) + int(inc[1:1 + day_k].sum())
        if 0 < restart_k < n:
            cum[restart_k:] = np.cumsum(inc[restart_k:])
        series.append((labels, t[keep], cum[keep].astype(np.float64)))
    return series


def write_embedded(path: str | None = None) -> str:
    """(Re)write the embedded export ``data/prometheus/infra_mind_30d_5m.json.gz``.

    ``python -m analysis.samples.traffic`` calls this; the output is byte-for-byte
    reproducible (fixed seed, gzip mtime 0).
    """

    target = path or str(data_dir() / "prometheus" / "infra_mind_30d_5m.json.gz")
    buf = io.StringIO()
    write_query_range(generate(histogram_count=False), buf)
    with open(target, "wb") as fh:
        fh.write(gzip.compress(buf.getvalue().encode(), 9, mtime=0))
    return target


if __name__ == "__main__":
    print(write_embedded())
