"""The per-operation figures beyond the digest's core that logs and profiles share (4.4 → 8.0).

Same names in a "Slow query" line's ``attr`` and a ``system.profile`` document, when the
server recorded them (older servers omit the newer ones; an absent figure is None):

==================== ================================================= =====================
row field            attr / profile field                              since
==================== ================================================= =====================
working_ms           ``workingMillis`` (time not spent waiting)        8.0
num_yields           ``numYields`` (log) / ``numYield`` (profile)      4.4
bytes_read           ``storage.data.bytesRead``                        4.4
cpu_nanos            ``cpuNanos`` (Linux)                              6.3
wait_us              ``locks.*.timeAcquiringMicros`` (all modes) +     4.4 / 7.0
                     ``queues.*.totalTimeQueuedMicros`` (tickets) +
                     ``storage.timeWaitingMicros.cache``
flow_us              ``flowControl.timeAcquiringMicros``               4.4
planning_us          ``planningTimeMicros``                            6.2
replanned            ``replanned`` / ``replanReason``                  4.4
plan_cache_key       ``planCacheKey``                                  4.4
query_hash           ``planCacheShapeHash`` (8.0) else ``queryHash``   4.4
shape_hash           ``queryShapeHash``                                8.0
client               ``remote`` (log, port dropped) / ``client``       4.4
==================== ================================================= =====================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..records import as_int


def _num(v: Any) -> int | None:
    return v if type(v) is int else as_int(v)


def wait_micros(attr: Mapping[str, Any]) -> int | None:
    """Microseconds spent waiting for locks, execution tickets and cache eviction (None: not recorded)."""
    total = None
    locks = attr.get("locks")
    if type(locks) is dict:
        for res in locks.values():
            t = res.get("timeAcquiringMicros") if type(res) is dict else None
            if type(t) is dict:
                total = (total or 0) + sum(_num(x) or 0 for x in t.values())
    queues = attr.get("queues")
    if type(queues) is dict:
        for q in queues.values():
            t = _num(q.get("totalTimeQueuedMicros")) if type(q) is dict else None
            if t is not None:
                total = (total or 0) + t
    storage = attr.get("storage")
    if type(storage) is dict and type(w := storage.get("timeWaitingMicros")) is dict:
        total = (total or 0) + (_num(w.get("cache")) or 0)
    return total


def op_extras(attr: Mapping[str, Any], internal: str, remote: Any, waits: bool = True) -> tuple:
    """The row's extra fields (``records.EXTRA_FIELDS`` order) from a log ``attr`` or a profile document.

    Parameters
    ----------
    attr : mapping
        The "Slow query" line's ``attr``, or the ``system.profile`` document.
    internal : str
        The operation's category (:mod:`analysis.querycost.internal`; ``""`` = application).
    remote : str or None
        The client address (``remote`` of a log line, ``client`` of a profile entry; the port is dropped).
    waits : bool
        The document may hold wait times (the log reader passes False when the raw line names none).
    """
    get = attr.get
    storage = get("storage")
    data = storage.get("data") if type(storage) is dict and storage else None
    flow = get("flowControl")
    working = get("workingMillis")
    y = get("numYields", get("numYield"))
    cpu = get("cpuNanos")
    planning = get("planningTimeMicros")
    return (
        internal, None if working is None else float(_num(working) or 0),
        y if type(y) is int else _num(y),
        _num(data.get("bytesRead")) if type(data) is dict else None,
        cpu if type(cpu) is int else _num(cpu), wait_micros(attr) if waits else None,
        _num(flow.get("timeAcquiringMicros")) if type(flow) is dict else None,
        None if planning is None else _num(planning),
        get("replanned") is True, str(get("replanReason") or ""), str(get("planCacheKey") or ""),
        host_of(remote), str(get("queryShapeHash") or ""),
    )


def query_hash(attr: Mapping[str, Any]) -> str:
    """``planCacheShapeHash`` (MongoDB 8.0's name) or ``queryHash`` (4.2 → 7.x), ``""`` when absent."""
    return str(attr.get("planCacheShapeHash") or attr.get("queryHash") or "")


def host_of(address: Any) -> str:
    """``10.0.3.21:51234`` → ``10.0.3.21`` (IPv6 ``[::1]:5000`` → ``::1``); ``""`` when absent."""
    if type(address) is not str or not address:
        return ""
    if address[0] == "[":
        return address[1:address.find("]")] if "]" in address else address
    head, sep, port = address.rpartition(":")
    return head if sep and port.isdigit() and ":" not in head else address
