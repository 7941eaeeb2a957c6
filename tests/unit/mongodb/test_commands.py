"""analysis.mongodb.commands: wire commands and explain commands of planned queries."""

import pytest

from analysis.mongodb.commands import explain_command, wire_command
from analysis.mongodb.queries import PlannedQuery


def test_wire_commands_use_the_fields_the_server_expects():
    assert wire_command(PlannedQuery("s", "reports", "count", filter={"user_id": "u"})) == (
        "count", {"count": "reports", "query": {"user_id": "u"}})
    assert wire_command(PlannedQuery("s", "reports", "distinct", filter={"user_id": "u"}, key="status")) == (
        "distinct", {"distinct": "reports", "key": "status", "query": {"user_id": "u"}})
    op, cmd = wire_command(PlannedQuery("s", "assessments", "find", filter={"user_id": "u"},
                                        sort=[("created_at", -1)], projection={"title": 1}, limit=10))
    assert (op, list(cmd)) == ("find", ["find", "filter", "sort", "projection", "limit"])
    with pytest.raises(ValueError, match="unknown op"):
        wire_command(PlannedQuery("s", "reports", "mapReduce"))


def test_explain_command_bounds_the_server_and_leaves_the_query_alone():
    q = PlannedQuery("s", "assessments", "aggregate", pipeline=[{"$match": {"user_id": "u"}}])
    cmd = explain_command(q, max_time_ms=777)
    assert cmd == {"explain": {"aggregate": "assessments", "pipeline": q.pipeline, "cursor": {}, "maxTimeMS": 777},
                   "verbosity": "executionStats", "maxTimeMS": 777}
    assert wire_command(q)[1] == {"aggregate": "assessments", "pipeline": q.pipeline}
