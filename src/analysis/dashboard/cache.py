"""The Redis cache in front of the dashboard, as pure math: hit-ratio model, traces, simulation.

The seed's service is cache-aside: ``GET dashboard:overview:{user}``; on a miss it loads
from MongoDB and stores ``json.dumps(overview)`` with a TTL (overview 60 s, metrics 30 s),
inside ``try/except`` that only logs a warning. The TTL is not refreshed on hits.

Hit ratio for Poisson reloads at rate λ per user and TTL T: after each miss the entry lives
T seconds and catches on average λT reloads, so a cycle is one miss plus λT hits::

    h = λT / (1 + λT)            →   λ = h / ((1 − h) T)

For the seed's 80 % at T = 60 s each user must reload every 15 s on average.

Three independent answers are compared: the formula (:func:`model_hit_ratio`), a
discrete-event simulation (:func:`simulate`) and a replay of the same kind of synthetic
trace against a real Redis server (:func:`analysis.dashboard.sources.redis.replay`), with
time compressed so a 60 s TTL becomes tens of milliseconds (``SET … PX``). This module does
no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

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
