"""Live audit on what users point it at: servers that speak the wire protocol and implement part of it.

The server is the recording proxy of the maxTimeMS test (:class:`tests.unit.mongodb.recording.RecordingDb`,
mongomock behind it) answering with recorded replies: the refusals are ``pymongo.errors.OperationFailure``
with the codes and messages servers send (FerretDB 1.24's ``aggregate stage "$indexStats" is not
implemented yet``, code 238, quoted in issue 19; Unauthorized 13; CommandNotFound 59), its explain
FerretDB's PostgreSQL plan (``tests/data/mongodb/explain/ferretdb_124_postgresql.json``), its
``buildInfo`` FerretDB's (``ferretdbVersion``). Every call must still carry ``maxTimeMS``.
"""

from __future__ import annotations

import json
from pathlib import Path

import mongomock
import pytest
from pymongo.errors import AutoReconnect, OperationFailure

from analysis.errors import SourceError
from analysis.querycost import pipeline as querycost
from analysis.querycost import report
from analysis.querycost.params import QueryCostParams
from analysis.querycost.sources import live
from analysis.samples.dataset import generate_dataset, load_into
from tests.unit.mongodb.recording import RecordingDb

EXPLAIN = Path(__file__).resolve().parents[3] / "data" / "mongodb" / "explain"
FERRET_EXPLAIN = json.loads((EXPLAIN / "ferretdb_124_postgresql.json").read_text())["input"]
MONGO_EXPLAIN = json.loads((EXPLAIN / "recorded_mongo6_find_collscan.json").read_text())["input"]
FERRET_BUILD_INFO = {"version": "7.0.42", "gitVersion": "0c8c1a5b2a1e", "ferretdbVersion": "v1.24.0", "ok": 1.0}


def _not_implemented(stage: str) -> OperationFailure:
    msg = f'aggregate stage "{stage}" is not implemented yet'
    return OperationFailure(msg, 238, {"ok": 0.0, "errmsg": msg, "code": 238, "codeName": "NotImplemented"})


class PartialServer(RecordingDb):
    """Answers like a server that implements part of MongoDB: recorded replies, refusals by read."""

    def __init__(self, db, *, explain=FERRET_EXPLAIN, build_info=FERRET_BUILD_INFO, refuse=None,
                 facet=True) -> None:
        super().__init__(db, explain)
        self.build_info, self.refuse, self.facet = build_info, dict(refuse or {}), facet

    def command(self, cmd, **kwargs):
        name = next(iter(cmd)) if isinstance(cmd, dict) else cmd
        self.record(f"command {name}", {**(cmd if isinstance(cmd, dict) else {}), **kwargs})
        if name in self.refuse:
            raise self.refuse[name]
        if name == "buildInfo":
            return self.build_info
        if name == "explain" and not self.facet and "$facet" in json.dumps(cmd["explain"].get("pipeline", []),
                                                                           default=str):
            raise _not_implemented("$facet")
        return super().command(cmd, **kwargs)

    def __getitem__(self, name):
        coll = super().__getitem__(name)
        plain = coll.aggregate

        def aggregate(pipeline, **kwargs):
            first = next(iter(pipeline[0])) if pipeline else ""
            if first in self.refuse:
                self.record(f"aggregate {name}", dict(kwargs, maxTimeMS=kwargs.get("maxTimeMS")))
                raise self.refuse[first]
            return plain(pipeline, **kwargs)
        coll.aggregate = aggregate
        return coll


@pytest.fixture
def server_db():
    db = mongomock.MongoClient().infra_mind
    load_into(db, generate_dataset(users=2, docs_per_user=10))
    return db


def _run(monkeypatch, server: PartialServer, **params):
    monkeypatch.setenv("AUDIT_TEST_MONGO_URI", "mongodb://auditor:pw@ferret.invalid:27017")
    monkeypatch.setattr(live, "connect", lambda uri, database, **kw: server)
    p = QueryCostParams(log_paths=[], profile_paths=[], explain_paths=[], mongo_uri_env="AUDIT_TEST_MONGO_URI",
                        max_time_ms=2345, index_stats_paths=[], indexes_paths=[], **params)
    return querycost.run(p)


def test_ferretdb_ends_with_a_verdict_naming_the_server_and_each_refusal(monkeypatch, server_db) -> None:
    """Issue 19's run: $indexStats NotImplemented (238), a PostgreSQL explain, $facet refused, no profiler."""
    server = PartialServer(server_db, refuse={"$indexStats": _not_implemented("$indexStats"),
                                              "$sample": _not_implemented("$sample")}, facet=False)
    result = _run(monkeypatch, server, read_live_profile=True)
    v = report.verdict(result)
    assert v.status == "WARN" and v.headline.startswith("Nothing judged: none of the")
    assert "this server's explain is not MongoDB's" in v.headline
    assert v.figures["server"] == "FerretDB v1.24.0 (not MongoDB; reports MongoDB 7.0.42)"
    warns = [n for n in result.notes if n.startswith("WARN ")]
    assert [w.split(" not read")[0] for w in warns] == ["WARN $indexStats", "WARN $sample (field presence)"]
    assert all("NotImplemented (238)" in w and "\n" not in w for w in warns)
    assert 'aggregate stage "$indexStats" is not implemented yet' in warns[0]
    assert "infra_mind.assessments, infra_mind.recommendations, infra_mind.reports" in warns[0]
    flags = result.live_explain["flags"]
    assert flags.str.startswith("not judged").all()
    assert flags.str.contains("the server refused the explain \\(NotImplemented \\(238\\)").sum() == 3  # the $facets
    assert flags.str.contains("this server's explain is not MongoDB's: queryPlanner").sum() == len(flags) - 3
    assert result.index_hygiene is not None  # listIndexes answered: the definitions are judged
    assert server.without_max_time() == []


@pytest.mark.parametrize("exc", [
    OperationFailure("not authorized on infra_mind to execute command { aggregate: \"assessments\" }", 13,
                     {"ok": 0, "errmsg": "not authorized on infra_mind", "code": 13, "codeName": "Unauthorized"}),
    OperationFailure("no such command: 'aggregate'", 59, {"ok": 0, "errmsg": "no such command: 'aggregate'",
                                                         "code": 59, "codeName": "CommandNotFound"}),
    AutoReconnect("connection closed"),
], ids=["Unauthorized", "CommandNotFound", "closed connection"])
def test_any_refused_optional_read_is_one_warn_line_and_mongodb_is_judged(monkeypatch, server_db, exc) -> None:
    server = PartialServer(server_db, explain=MONGO_EXPLAIN, build_info={"version": "6.0.14", "ok": 1},
                           refuse={"$indexStats": exc, "listIndexes": exc})
    result = _run(monkeypatch, server)
    v = report.verdict(result)
    assert v.status in ("FAIL", "WARN", "PASS") and v.figures["server"] == "MongoDB 6.0.14"
    warns = result.live_warnings
    assert [w.split(" not read")[0] for w in warns] == ["WARN listIndexes", "WARN $indexStats"]
    reason = {OperationFailure: f"{exc.details.get('codeName')} ({exc.code})" if isinstance(exc, OperationFailure)
              else ""}.get(type(exc)) or "AutoReconnect: connection closed"
    assert all(reason in w for w in warns) and v.figures["live reads refused"] == 2
    assert not result.live_explain["flags"].str.startswith("not judged").any()  # MongoDB's explains are judged


def test_a_server_refusing_buildinfo_is_named_so(monkeypatch, server_db) -> None:
    refused = OperationFailure("command buildInfo requires authentication", 13,
                               {"ok": 0, "errmsg": "command buildInfo requires authentication", "code": 13,
                                "codeName": "Unauthorized"})
    result = _run(monkeypatch, PartialServer(server_db, explain=MONGO_EXPLAIN, refuse={"buildInfo": refused}))
    assert result.server == "a server that refused buildInfo"
    assert any(w.startswith("WARN buildInfo not read: the server refused it — Unauthorized (13)")
               for w in result.live_warnings)


def test_every_explain_refused_is_one_line_error(monkeypatch, server_db) -> None:
    refused = OperationFailure("explain is not implemented yet", 238, {"codeName": "NotImplemented", "code": 238,
                                                                       "errmsg": "explain is not implemented yet"})
    with pytest.raises(SourceError) as err:
        _run(monkeypatch, PartialServer(server_db, refuse={"explain": refused}))
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith("MongoDB: every explain of the")
    assert "NotImplemented (238): explain is not implemented yet" in msg and "pw" not in msg
