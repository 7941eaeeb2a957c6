"""A database that records every command the workbook sends, with its options (mongomock behind it).

It answers like a real server: reads go to mongomock, ``explain`` gets a recorded reply,
``listIndexes`` and ``$indexStats`` are answered from mongomock's indexes or given
statistics. :meth:`RecordingDb.without_max_time` lists the calls that carried no ``maxTimeMS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class RecordingDb:
    """Records ``(operation, options)`` for find / find_one / aggregate / count / distinct / command calls."""

    def __init__(self, db: Any, explain_reply: Mapping | None = None, index_stats: dict | None = None) -> None:
        self._db, self.explain_reply, self.index_stats = db, explain_reply, index_stats or {}
        self.name = db.name
        self.calls: list[tuple[str, dict]] = []

    def record(self, what: str, options: dict) -> dict:
        self.calls.append((what, options))
        return options

    def without_max_time(self) -> list[tuple[str, dict]]:
        return [c for c in self.calls if not c[1].get("maxTimeMS")]

    def __getitem__(self, name: str) -> RecordingCollection:
        return RecordingCollection(self, self._db[name])

    def command(self, cmd: Any, **kwargs: Any) -> Any:
        cmd = {cmd: 1} if isinstance(cmd, str) else dict(cmd)
        name = next(iter(cmd))
        self.record(f"command {name}", {**cmd, **kwargs})
        if name == "explain":
            return self.explain_reply
        if name == "listIndexes":
            batch = list(self._db[cmd[name]].list_indexes())
            return {"cursor": {"id": 0, "ns": f"{self.name}.{cmd[name]}", "firstBatch": batch}, "ok": 1.0}
        return self._db.command({k: v for k, v in cmd.items() if k != "maxTimeMS"})


class RecordingCursor:
    """A find cursor: ``max_time_ms`` / ``sort`` / ``limit`` recorded or passed on."""

    def __init__(self, options: dict, cursor: Any) -> None:
        self.options, self._cursor = options, cursor

    def max_time_ms(self, ms: int) -> RecordingCursor:
        self.options["maxTimeMS"] = ms
        return self

    def sort(self, *args: Any, **kwargs: Any) -> RecordingCursor:
        self._cursor = self._cursor.sort(*args, **kwargs)
        return self

    def limit(self, n: int) -> RecordingCursor:
        self._cursor = self._cursor.limit(n)
        return self

    def __iter__(self):
        return iter(self._cursor)


class RecordingCollection:
    def __init__(self, rec: RecordingDb, coll: Any) -> None:
        self.rec, self._coll, self.name = rec, coll, coll.name

    @staticmethod
    def _opts(kwargs: dict) -> dict:
        opts = dict(kwargs)
        if "max_time_ms" in opts:
            opts["maxTimeMS"] = opts.pop("max_time_ms")
        return opts

    def find(self, filter=None, projection=None, **kwargs: Any) -> RecordingCursor:
        opts = self.rec.record(f"find {self.name}", self._opts(kwargs))
        return RecordingCursor(opts, self._coll.find(filter or {}, projection, **kwargs))

    def find_one(self, filter=None, projection=None, **kwargs: Any) -> Any:
        self.rec.record(f"find_one {self.name}", self._opts(kwargs))
        return self._coll.find_one(filter or {}, projection, **kwargs)

    def aggregate(self, pipeline: list, **kwargs: Any) -> Any:
        self.rec.record(f"aggregate {self.name}", self._opts(kwargs))
        if pipeline and "$indexStats" in pipeline[0]:
            return iter(self.rec.index_stats.get(self.name, []))
        return self._coll.aggregate(pipeline, **kwargs)

    def count_documents(self, filter: Any, **kwargs: Any) -> int:
        self.rec.record(f"count {self.name}", self._opts(kwargs))
        return self._coll.count_documents(filter, **{k: v for k, v in kwargs.items() if k != "maxTimeMS"})

    def distinct(self, key: str, filter=None, **kwargs: Any) -> list:
        self.rec.record(f"distinct {self.name}", self._opts(kwargs))
        return self._coll.distinct(key, filter)

    def list_indexes(self, **kwargs: Any) -> Any:
        self.rec.record(f"list_indexes {self.name}", self._opts(kwargs))
        return self._coll.list_indexes()
