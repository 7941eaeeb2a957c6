"""The live-server source: explain of the planned queries (recorded outputs), bounded connect."""

from __future__ import annotations

import pytest

from analysis.errors import SourceError
from analysis.mongodb.queries import planned_queries
from analysis.querycost.sources.live import connect, explain_queries
from tests.unit.querycost.fakes import FakeDb


def test_explain_queries_tabulates_and_passes_max_time() -> None:
    db = FakeDb()
    qs = planned_queries("index_friendly", "u-1", ["a"])
    t = explain_queries(db, qs, max_time_ms=1234)
    assert len(t) == len(qs)
    assert all(c["maxTimeMS"] == 1234 and c["explain"]["maxTimeMS"] == 1234 and c["verbosity"] == "executionStats"
               for c in db.commands)
    find = t[t["op"] == "find"].iloc[0]
    assert find["index_used"] == "{ user_id: 1 }" and "in-memory SORT" in find["flags"]
    assert "examined/returned > 10" in find["flags"] and find["examined_per_returned"] == 240


def test_connect_failure_is_one_line_and_redacted() -> None:
    with pytest.raises(SourceError) as exc:
        connect("mongodb://auditor:s3cr3t-pw@127.0.0.1:9/?directConnection=true", "infra_mind", timeout_s=0.3)
    msg = str(exc.value)
    assert "s3cr3t-pw" not in msg and "\n" not in msg and "127.0.0.1:9" in msg
