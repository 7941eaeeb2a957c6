"""Explain parsing against recorded MongoDB 6/7 (classic and SBE) explain documents."""

from __future__ import annotations

from pathlib import Path

import mongomock
import pytest
from bson import json_util

from analysis.dashboard.sources.explain import explain_strategy, parse_explain
from analysis.errors import DataError, SourceError
from analysis.mongodb.commands import explain_command
from analysis.mongodb.queries import STRATEGIES, planned_queries
from analysis.samples.dataset import AUDITED_USER, generate_dataset, load_into

DATA = Path(__file__).resolve().parents[3] / "data" / "dashboard"
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


class _RefusingDb:
    """mongomock data; every explain command fails as a server without the privilege would."""

    def __init__(self, db):
        self._db = db

    def __getitem__(self, name):
        return self._db[name]

    def command(self, cmd):
        raise RuntimeError("not authorized on infra_mind to execute command { explain: ... }\nsecond line")


def test_explain_failure_is_one_line_naming_the_query():
    db = mongomock.MongoClient().db
    load_into(db, generate_dataset(users=1, docs_per_user=5))
    with pytest.raises(SourceError, match="explain of index_friendly/") as info:
        explain_strategy(_RefusingDb(db), "index_friendly", AUDITED_USER, max_time_ms=100)
    assert "\n" not in str(info.value) and "not authorized" in str(info.value)
