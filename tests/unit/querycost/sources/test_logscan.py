"""The log reader's fast path (typed decoding in blocks, skeletons, column chunks) gives the rows and counts of
the general path (orjson + ``log_row`` on every line), on real-shaped lines and on the lines it must hand over."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from analysis.querycost.records import ROW_FIELDS, FileStats
from analysis.querycost.sources import logscan
from analysis.samples.memberlog import write_member_log

DATA = Path(__file__).resolve().parents[3] / "data" / "querycost"
_CMD = ROW_FIELDS.index("command")


def _slow(attr: dict, ctx: str = "conn7", t: str = "2025-11-04T09:00:01.120+00:00") -> bytes:
    head = {"t": {"$date": t}, "s": "I", "c": "COMMAND", "id": 51803, "ctx": ctx, "msg": "Slow query", "attr": attr}
    return json.dumps(head, separators=(",", ":")).encode()


def _find(**extra) -> dict:
    return {"type": "command", "ns": "shop.orders", "appName": "api",
            "command": {"find": "orders", "filter": {"a": 1}, "$db": "shop"}, "planSummary": "COLLSCAN",
            "docsExamined": 10, "nreturned": 1, "reslen": 100, "remote": "10.0.0.1:5000", "durationMillis": 120,
            **extra}


#: lines the typed decoding must hand to the general path, or count as the general path counts them
EDGE_LINES = [
    _slow(_find(docsExamined={"$numberLong": "12"})),  # an Extended JSON number
    _slow(_find(planSummary=None)),  # a null string
    _slow(_find(numYield=3)),  # the profiler's name
    _slow(_find(command={"find": "orders", "filter": {"name": 'a"b\\c'}, "$db": "shop"})),  # escapes
    _slow(_find(command={'fi"nd': "orders"})),  # an escape in the command name
    _slow(_find(command="find")),  # not a document
    _slow(_find(command={})),  # empty
    _slow({k: v for k, v in _find().items() if k != "durationMillis"}),  # no duration
    _slow(_find(type="update", command={"q": {"_id": 1}, "u": {"$set": {"a": 2}}, "upsert": True})),
    _slow(_find(command={"getMore": 5, "collection": "orders"}, originatingCommand="x")),  # not a document
    _slow(_find(command={"getMore": 5, "collection": "oplog.rs"}, ns="local.oplog.rs",
                originatingCommand={"find": "oplog.rs", "filter": {}, "tailable": True, "awaitData": True})),
    _slow(_find(locks={"Global": {"timeAcquiringMicros": {"r": 40}}}, flowControl={"timeAcquiringMicros": 7},
                queues={"execution": {"totalTimeQueuedMicros": 5}}, storage={"data": {"bytesRead": 9},
                                                                              "timeWaitingMicros": {"cache": 3}})),
    _slow(_find(workingMillis=100, cpuNanos=5, planningTimeMicros=4, replanned=True, replanReason="r",
                queryHash="H", planCacheShapeHash="S", queryShapeHash="Q", planCacheKey="K", hasSortStage=True)),
    _slow(_find(remote="[::1]:5000")), _slow(_find(remote=None)), _slow(_find(remote="host-without-port")),
    _slow(_find(), t="2025-11-04T09:00:01Z"), b'{"t":{"$date":"x"},"msg":"Slow query","attr":', b"",
    b"garbage with Slow query in it", _slow(_find(command={"insert": "orders"})),
    _slow(_find(command={"update": "orders", "updates": []})), _slow(_find(), ctx="TTLMonitor"),
    b'{"t":{"$date":"2025-11-04T09:00:00.000+00:00"},"s":"I","c":"NETWORK","id":1,"msg":"Slow query ahead"}',
]


def _read(lines: list[bytes], general_only: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[list[tuple], FileStats]:
    def refuse(raw: bytes):
        raise msgspec.DecodeError("forced")

    with monkeypatch.context() as m:
        if general_only:
            m.setattr(logscan, "_DECODE_MANY", refuse)
            m.setattr(logscan, "_DECODE", refuse)
        st = FileStats("x")
        rows = list(logscan.iter_log_rows(iter(lines), st))
    return [r[:_CMD] + r[_CMD + 1:] for r in rows], st


@pytest.mark.parametrize("source", ["edges", "member", "fixture"])
def test_fast_path_equals_general_path(source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if source == "edges":
        lines = [ln + b"\n" for ln in EDGE_LINES * 3]
    elif source == "member":
        write_member_log(tmp_path / "m.log", 3 * 2**20, version="6.0.14")
        lines = (tmp_path / "m.log").read_bytes().splitlines(keepends=True)
    else:
        lines = (DATA / "mongod_44.log").read_bytes().splitlines(keepends=True) * 5
    fast, st_fast = _read(lines, False, monkeypatch)
    slow, st_slow = _read(lines, True, monkeypatch)
    assert fast == slow
    assert (st_fast.lines, st_fast.records, st_fast.skipped, st_fast.reasons, st_fast.provenance) == \
        (st_slow.lines, st_slow.records, st_slow.skipped, st_slow.reasons, st_slow.provenance)
    assert st_fast.records == len(fast) > 0
