"""Minutes of operations and the per-minute timeline of shapes (pure; no I/O).

:class:`MinuteClock` turns a row's raw timestamp into a Unix minute (``int``; ``-1`` when
the source has none, e.g. an explain). mongod writes ``2025-11-04T09:00:01.120+00:00``
(or ``...Z``): the minute is parsed once per distinct ``(minute prefix, offset)`` and
cached, so a busy log costs one slice and one dict lookup per line. Profile timestamps
arrive as datetimes.

:func:`timeline_frame` gives, per (shape, minute), the count, the total time and the
p95 — from the fixed log-spaced bins of :mod:`.histogram` (within
:data:`~.histogram.BIN_ERROR` of the exact p95), so partial timelines merge exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..timeparse import parse_instant
from .histogram import bin_value, weighted_quantile

#: Bits of a minute in the timeline's composite key ``shape id << MINUTE_BITS | minute - EPOCH_MINUTE``.
MINUTE_BITS = 26
#: 2000-01-01T00:00Z in Unix minutes; minutes before it (or after ~2127) are left out of the timeline.
EPOCH_MINUTE = 15_778_080
_MAX_MINUTE = EPOCH_MINUTE + (1 << MINUTE_BITS) - 1
#: The timeline label of every application query together.
ALL_APPLICATION = "all application queries"


class MinuteClock:
    """Raw timestamps → Unix minutes, with a cache of the minute prefixes seen."""

    MAX = 100_000

    def __init__(self) -> None:
        self._cache: dict[str, int] = {}

    def minute(self, t: Any) -> int:
        """The Unix minute of one raw timestamp (``{"$date": ISO}``, its ISO string, a datetime, ...); -1 when unknown."""
        if type(t) is str:
            t = {"$date": t}
        if type(t) is dict:
            s = t.get("$date")
            if type(s) is str and len(s) in (24, 29) and s[19] == ".":  # ms, then Z or ±hh:mm (mongod)
                key = s[:16] + "." + s[23:]
                m = self._cache.get(key)
                if m is None:
                    if len(self._cache) >= self.MAX:
                        self._cache.clear()
                    m = self._cache[key] = _parse_minute(s[:16] + ":00" + s[23:])
                return m
        return _parse_minute(t) if t is not None else -1

    def minutes(self, ts: Sequence[Any]) -> np.ndarray:
        """:meth:`minute` of each timestamp, as an int64 array.

        Fast path for a chunk of mongod log timestamps: one cache key per line
        (``YYYY-MM-DDTHH:MM`` + the character after the seconds + the offset); keys of
        other layouts never enter the cache, so they always miss and are parsed in full.
        """
        try:
            if type(ts[0]) is str:  # the log reader's fast path: the ISO strings themselves
                keys = [t[:16] + t[19:20] + t[23:] for t in ts]
            else:
                keys = [t["$date"][:16] + t["$date"][19:20] + t["$date"][23:] for t in ts]
        except (TypeError, KeyError, IndexError):
            return np.fromiter(map(self.minute, ts), np.int64, len(ts))
        cache = self._cache
        got = list(map(cache.get, keys))
        if None in got:
            firsts = {k: t for k, t, m in zip(keys, ts, got) if m is None}
            for t in firsts.values():  # a new minute: parsed once (and cached, for mongod's layouts)
                self.minute(t)
            got = [m if m is not None else cache[k] if k in cache else self.minute(t) for m, k, t in zip(got, keys, ts)]
        return np.fromiter(got, np.int64, len(ts))


def _parse_minute(value: Any) -> int:
    dt = parse_instant(value)
    if dt is None:
        return -1
    m = int(dt.timestamp() // 60)
    return m if EPOCH_MINUTE <= m <= _MAX_MINUTE else -1


def timeline_key(kid: np.ndarray, minutes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Composite keys of (shape id, minute) and the mask of rows that have a minute."""
    ok = minutes >= 0
    return (kid[ok] << MINUTE_BITS) | (minutes[ok] - EPOCH_MINUTE), ok


def timeline_frame(keys: np.ndarray, bins: np.ndarray, counts: np.ndarray, label_of: np.ndarray,
                   names: Sequence[str]) -> pd.DataFrame:
    """Per (label, minute): count and p95 from the timeline's (composite key, bin) → count table.

    Parameters
    ----------
    keys, bins, counts : ndarray
        The sorted table of :class:`~.histogram.SparseCounts` (key = :func:`timeline_key`).
    label_of : ndarray of int
        Label id of each shape id (``-1``: left out); several shapes may share a label.
    names : sequence of str
        The name of each label id.

    Returns
    -------
    DataFrame
        ``label``, ``minute`` (UTC timestamp), ``count``, ``p95_ms`` (bins: within
        :data:`~.histogram.BIN_ERROR` of the exact p95), sorted by label id and minute.
    """
    lid = label_of[keys >> MINUTE_BITS] if len(keys) else np.empty(0, np.int64)
    keep = lid >= 0
    if not keep.any():
        return pd.DataFrame({"label": pd.Series(dtype=str), "minute": pd.Series(dtype="datetime64[ns, UTC]"),
                             "count": pd.Series(dtype=int), "p95_ms": pd.Series(dtype=float)})
    k = (lid[keep] << MINUTE_BITS) | (keys[keep] & ((1 << MINUTE_BITS) - 1))
    b, c = bins[keep], counts[keep]
    order = np.lexsort((b, k))
    k, b, c = k[order], b[order], c[order]
    uniq, group = np.unique(k, return_inverse=True)
    p95 = weighted_quantile(bin_value(b), c, group, 0.95)
    minute = (uniq & ((1 << MINUTE_BITS) - 1)) + EPOCH_MINUTE
    return pd.DataFrame({"label": [names[i] for i in (uniq >> MINUTE_BITS).tolist()],
                         "minute": pd.to_datetime(minute * 60, unit="s", utc=True),
                         "count": np.bincount(group, weights=c).astype(np.int64), "p95_ms": p95})


def top_labels(digest: pd.DataFrame, n: int, n_keys: int) -> tuple[np.ndarray, list[str]]:
    """Labels for the timeline: the ``n`` application shapes with the most total time, one each.

    Parameters
    ----------
    digest : DataFrame
        The digest (``key_id``, ``internal``, ``ns``, ``op``, ``shape``), sorted by total time.
    n : int
        Shapes labelled.
    n_keys : int
        Number of shape ids (length of the returned array).

    Returns
    -------
    (ndarray, list of str)
        Label id per shape id (``-1`` for the others) and the label names
        (``#rank collection op shape``, clipped to 60 characters).
    """
    label_of = np.full(n_keys, -1, np.int64)
    top = digest[digest["internal"] == ""].head(n)
    names = []
    for i, r in enumerate(top.itertuples()):
        label_of[r.key_id] = i
        text = f"#{i + 1} {str(r.ns).split('.', 1)[-1]} {r.op} {r.shape}"
        names.append(text if len(text) <= 60 else text[:59] + "…")
    return label_of, names
