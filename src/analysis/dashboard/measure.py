"""Client-side cost of a dashboard load: latency, memory, bytes received, decode cost.

Valid for any engine, but read the engine label: on the embedded engine (mongomock) the
"server" runs inside this Python process, so latency and peak memory include the fake
server's own work. The engine-independent figures are the documents and BSON bytes a
driver receives (``bson.encode`` of the results) and the time and memory pymongo's C codec
needs to decode them (``bson.decode_all`` under ``tracemalloc``) — what the API process pays.
"""

from __future__ import annotations

import gc
import math
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import bson
import numpy as np
import pandas as pd

from ..config import DEFAULT_MAX_TIME_MS
from .strategies import run_strategy

#: Method labels printed beside every figure.
METHOD_LATENCY = "client-side wall time (perf_counter), warm-up + repeats, median"
METHOD_DECODE = "bson.encode of the received documents, bson.decode_all under tracemalloc"
EMBEDDED_LATENCY_NOTE = "client-side, in-process mongomock (Python) — not server latency"


def latency_method(real: bool) -> str:
    """How a latency figure was measured, with the embedded engine's caveat unless the server is real."""
    return METHOD_LATENCY + ("" if real else f"; {EMBEDDED_LATENCY_NOTE}")


@dataclass(frozen=True)
class LatencyStats:
    """Repeated wall-time measurements of one call (milliseconds)."""

    median_ms: float
    iqr_ms: float
    ci_low_ms: float
    ci_high_ms: float
    repeats: int
    converged: bool


def median_ci(samples: Sequence[float], z: float = 1.96) -> tuple[float, float]:
    """Distribution-free 95 % confidence interval of the median (order statistics).

    Uses ranks ``n/2 ± z·√n/2`` (normal approximation to the binomial); with fewer than 6
    samples the interval is the sample range.
    """
    xs = sorted(samples)
    n = len(xs)
    if n == 0:
        return math.nan, math.nan
    if n < 6:
        return xs[0], xs[-1]
    half = z * math.sqrt(n) / 2
    lo = max(0, int(math.floor(n / 2 - half)))
    hi = min(n - 1, int(math.ceil(n / 2 + half)) - 1)
    return xs[lo], xs[hi]


def time_call(fn: Callable[[], Any], *, warmup: int = 1, min_repeats: int = 5, max_repeats: int = 30,
              rel_halfwidth: float = 0.10, max_seconds: float = 2.0) -> LatencyStats:
    """Time ``fn`` until the median's 95 % CI is within ±``rel_halfwidth`` or a cap is hit.

    Parameters
    ----------
    fn : callable
        The call to time (no arguments).
    warmup : int
        Untimed calls first.
    min_repeats, max_repeats : int
        Bounds on timed calls.
    rel_halfwidth : float
        Target half-width of the CI relative to the median (0.10 = ±10 %).
    max_seconds : float
        Stop after this much timed wall time (once ``min_repeats`` are done).

    Returns
    -------
    LatencyStats
        ``converged`` tells whether the CI target was reached before a cap.
    """
    for _ in range(warmup):
        fn()
    samples: list[float] = []
    spent = 0.0
    converged = False
    while len(samples) < max_repeats:
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        samples.append(dt * 1000.0)
        spent += dt
        if len(samples) >= min_repeats:
            lo, hi = median_ci(samples)
            med = statistics.median(samples)
            if med > 0 and (hi - lo) / 2 <= rel_halfwidth * med and len(samples) >= 6:
                converged = True
                break
            if spent >= max_seconds:
                break
    q1, q3 = np.percentile(samples, [25, 75])
    lo, hi = median_ci(samples)
    return LatencyStats(statistics.median(samples), float(q3 - q1), lo, hi, len(samples), converged)


@contextmanager
def settled_heap() -> Iterator[None]:
    """Collect the garbage once, then keep the objects alive now out of the cyclic collector's sight.

    Inside the block, the full collection :func:`traced_call` makes before each traced load, and the
    automatic ones a load's allocations trigger, only walk objects created since (:func:`gc.freeze`):
    the loaded database and the kernel's own objects (~190,000 in notebook 02) are walked once, not at
    every load. Nothing measured changes: the frozen objects are alive, so no collection would free them;
    new garbage is still collected before each traced load. Profiled on notebook 02's defaults: the
    collections took 1.9 s of a 10.4 s sweep in the kernel, 0.2 s inside this block.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def traced_call(fn: Callable[[], Any]) -> tuple[Any, int, int]:
    """Run ``fn`` under tracemalloc.

    Returns
    -------
    (result, peak_bytes, retained_bytes)
        Peak traced allocation during the call and what is still allocated afterwards
        while the result is alive (both relative to the start).
    """
    gc.collect()
    was = tracemalloc.is_tracing()
    if not was:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    result = fn()
    current, peak = tracemalloc.get_traced_memory()
    if not was:
        tracemalloc.stop()
    return result, max(0, peak - base), max(0, current - base)


def wire_bytes(docs: Sequence[dict[str, Any]]) -> bytes:
    """The BSON a driver receives for these documents (concatenated ``bson.encode``)."""
    return b"".join(bson.encode(d) for d in docs)


def decode_cost(raw: bytes, repeats: int = 3, max_seconds: float = 0.2) -> tuple[float, int]:
    """Time (ms, median) and traced memory (bytes held by the decoded dicts) of ``bson.decode_all``.

    Timed ``repeats`` times, or fewer once ``max_seconds`` are spent (at least once).
    """
    times: list[float] = []
    while len(times) < repeats and sum(times) < max_seconds * 1000.0:
        t0 = time.perf_counter()
        bson.decode_all(raw)
        times.append((time.perf_counter() - t0) * 1000.0)
    decoded, _, retained = traced_call(lambda: bson.decode_all(raw))
    del decoded
    return statistics.median(times), retained


def measure_strategy(db: Any, strategy: str, user_id: str, *, size: int, engine: str,
                     timing: dict[str, Any] | None = None, traced: tuple[Any, int, int] | None = None,
                     max_time_ms: int = DEFAULT_MAX_TIME_MS) -> dict[str, Any]:
    """One row of the client-cost table.

    Parameters
    ----------
    db : Database
        Loaded database (pymongo or mongomock).
    strategy : str
        Strategy name.
    user_id : str
        Audited user.
    size : int
        Documents per collection for that user (recorded, not used).
    engine : str
        Engine label recorded on the row.
    timing : dict, optional
        Keyword arguments of :func:`time_call`.
    traced : tuple, optional
        ``(run, peak, retained)`` of a load already made under :func:`traced_call` (it then
        also serves as the warm-up); by default one is made here.
    max_time_ms : int
        ``maxTimeMS`` of every query of every load, timed repeats included.

    Returns
    -------
    dict
        Keys of the CLI's JSON rows plus CI bounds, convergence and the engine.
    """
    run, peak, retained = traced or traced_call(lambda: run_strategy(db, strategy, user_id, max_time_ms=max_time_ms))
    lat = time_call(lambda: run_strategy(db, strategy, user_id, max_time_ms=max_time_ms), **(timing or {}))
    docs = run.documents()
    raw = wire_bytes(docs)
    dec_ms, dec_mem = decode_cost(raw)
    return {
        "engine": engine, "strategy": strategy, "size": size,
        "latency_ms_median": lat.median_ms, "latency_ms_iqr": lat.iqr_ms,
        "latency_ci_low_ms": lat.ci_low_ms, "latency_ci_high_ms": lat.ci_high_ms,
        "repeats": lat.repeats, "converged": lat.converged,
        "peak_mem_bytes": peak, "retained_bytes": retained,
        "result_bytes": len(raw), "docs_received": len(docs),
        "decode_ms": dec_ms, "decode_mem_bytes": dec_mem,
        "queries": len(run.queries),
    }


def scaling_exponents(df: pd.DataFrame, metrics: Sequence[str] = ("latency_ms_median", "peak_mem_bytes",
                                                                   "result_bytes", "decode_mem_bytes",
                                                                   "docs_received")) -> pd.DataFrame:
    """Log-log slope of each metric against size, per strategy.

    ~1 means the cost grows linearly with the user's documents (full scan); ~0 means
    bounded. Needs at least two sizes; non-positive values are left out of the fit.

    Returns
    -------
    DataFrame
        Columns strategy, metric, exponent (NaN when it cannot be fitted).
    """
    rows = []
    for strategy, g in df.groupby("strategy", sort=False):
        for m in metrics:
            sub = g[(g["size"] > 0) & (g[m] > 0)]
            if sub["size"].nunique() < 2:
                exp = math.nan
            else:
                exp = float(np.polyfit(np.log(sub["size"].astype(float)), np.log(sub[m].astype(float)), 1)[0])
            rows.append({"strategy": strategy, "metric": m, "exponent": exp})
    return pd.DataFrame(rows, columns=["strategy", "metric", "exponent"])
