"""Explain parsing against recorded MongoDB 6/7 (classic and SBE) explain documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from bson import json_util

from analysis.dashboard.queries import STRATEGIES, planned_queries
from analysis.dashboard.server import explain_command, parse_explain
from analysis.errors import DataError

DATA = Path(__file__).resolve().parents[1] / "data" / "dashboard"
FILES = sorted(DATA.glob("explain_*.json"))


def test_fixtures_present():
    assert len(FILES) >= 6
    assert {"1", "2"} == {json_util.loads(f.read_text())["reply"]["explainVersion"] for f in FILES}


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_parse_recorded_explain(path):
    doc = json_util.loads(path.read_text())
    got = parse_explain(doc["reply"])
    for key, want in doc["expected"].items():
        assert got[key] == want, key


def test_parse_rejects_non_explain():
    with pytest.raises(DataError, match="not an explain"):
        parse_explain({"ok": 1, "cursor": {}})


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_explain_command_mirrors_the_planned_query(strategy):
    for q in planned_queries(strategy, "user-0000", ["a", "b"]):
        cmd = explain_command(q, max_time_ms=1234)
        assert cmd["verbosity"] == "executionStats"
        inner = cmd["explain"]
        assert inner["maxTimeMS"] == 1234
        if q.op == "find":
            assert inner["find"] == q.collection and inner["filter"] == q.filter
            assert inner.get("limit") == q.limit
            assert list(inner.get("sort", {}).items()) == (q.sort or [])
        else:
            assert inner["aggregate"] == q.collection and inner["pipeline"] is q.pipeline
