"""Synthetic sample generator (against mongomock results and bson sizes), the digest CLI, the live-server layer."""

from __future__ import annotations

import json
from pathlib import Path

import bson
import mongomock
import pytest

from analysis.cli import main
from analysis.samples.dataset import generate_dataset, load_into
from analysis.mongodb.commands import run_queries
from analysis.errors import SourceError
from analysis.samples import querylog as sample
from analysis.querycost.cli import JSON_SHAPE_FIELDS
from analysis.querycost.digest import digest_files
from analysis.querycost.server import connect, explain_queries

DATA = Path(__file__).resolve().parents[1] / "data" / "querycost"
BAD = Path(__file__).resolve().parents[1] / "data" / "bad" / "querycost"


@pytest.fixture(scope="module")
def small_db():
    data = generate_dataset(users=4, docs_per_user=150, seed=3)
    db = mongomock.MongoClient()["infra_mind"]
    load_into(db, data)
    return db


def test_simulated_ops_follow_the_data(small_db) -> None:
    natural = {c: list(small_db[c].find()) for c in ("assessments", "recommendations", "reports")}
    sizes = {c: [len(bson.encode(d)) for d in v] for c, v in natural.items()}
    executed, results = run_queries(small_db, "legacy_full_scan", "user-0000")
    for q in executed:
        ops = sample.simulate(q, natural[q.collection], results[q.purpose],
                              [[("user_id", 1)]] if q.collection != "recommendations" else [], sizes[q.collection])
        got = results[q.purpose]
        assert sum(o.nreturned for o in ops) == len(got) == 150
        # oracle: pymongo's BSON encoder for the bytes each batch returns
        assert sum(o.reslen for o in ops) == sum(len(bson.encode(d)) for d in got) + len(ops) * sample.CURSOR_ENVELOPE_BYTES
        assert [o.kind for o in ops] == ["find", "getMore"]  # 150 > first batch of 101
        assert ops[0].nreturned == sample.FIRST_BATCH
        if q.collection == "recommendations":  # no index: the two batches scan the whole collection once
            assert all(o.plan_summary == "COLLSCAN" for o in ops)
            assert sum(o.docs_examined for o in ops) == len(natural["recommendations"])
        else:
            assert ops[0].plan_summary == "IXSCAN { user_id: 1 }"
            assert sum(o.docs_examined for o in ops) == 150 and sum(o.keys_examined for o in ops) == 151


def test_written_sample_reads_back(tmp_path: Path) -> None:
    meta = sample.write_sample(tmp_path, loads=30, profile_loads=5, users=4, docs_per_user=20, sampled_users=3)
    df, st = digest_files([tmp_path / meta["log"], tmp_path / meta["profile"], tmp_path / meta["explain"]])
    kinds = [f.kind for f in st.files]
    assert kinds == ["log", "profile", "explain"]
    assert st.files[0].lines == meta["log_lines"] and st.files[1].records == meta["profile_documents"]
    assert st.files[2].records == meta["explain_documents"]
    assert df["app_names"].str.contains("synthetic-workbook").all() or set(df["sources"]) == {"explain"}
    assert meta["synthetic"] is True and meta["field_presence"]["recommendations"]["user_id"] == 0.0


def test_cli_json_contract(capsys) -> None:
    rc = main(["digest", str(DATA / "mongod_44.log"), str(DATA / "profile_relaxed.jsonl"), "--json", "--top", "3"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert list(out) == ["files", "lines", "slow_queries", "skipped", "shapes"]
    assert out["lines"] == 18 + 8 and out["slow_queries"] == 9 + 5 and out["skipped"] == 9 + 3
    assert len(out["shapes"]) == 3 and all(list(s) == JSON_SHAPE_FIELDS for s in out["shapes"])
    top = out["shapes"][0]
    assert top["total_ms"] >= out["shapes"][1]["total_ms"] and isinstance(top["count"], int)


def test_cli_text_and_bad_input_exit_codes(capsys) -> None:
    assert main(["digest", str(DATA / "mongod_44.log")]) == 0
    assert "COLLSCAN" in capsys.readouterr().out
    assert main(["digest", str(BAD / "garbage.bin"), str(BAD / "empty.log")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: no usable slow queries")
    assert main(["digest", str(BAD / "truncated.log.gz")]) == 0  # data before the cut is digested
    assert "truncated gzip" in capsys.readouterr().out


class _FakeDb:
    """Answers explain commands with recorded server outputs (the fixtures)."""

    name = "infra_mind"

    def __init__(self) -> None:
        self.commands: list[dict] = []

    def command(self, cmd: dict) -> dict:
        self.commands.append(cmd)
        inner = cmd["explain"]
        name = "explain_agg_classic.json" if "aggregate" in inner else "explain_find_classic.json"
        return json.loads((DATA / name).read_text())


def test_explain_queries_tabulates_and_passes_max_time() -> None:
    from analysis.mongodb.queries import planned_queries

    db = _FakeDb()
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


def test_embedded_sample_matches_the_current_dashboard_queries() -> None:
    """If the dashboard's planned queries change, the committed sample must be regenerated
    (``python -m analysis.samples.querylog``): every planned query's shape must appear in it."""
    from analysis.querycost.audit import dashboard_shapes, tag_dashboard

    root = Path(__file__).resolve().parents[2] / "data" / "querycost"
    df, _ = digest_files([root / "sample_slow_query.log.gz", root / "sample_profile.json"])
    tagged = tag_dashboard(df)
    seen = {label for labels in tagged["dashboard"] for label in labels.split(", ") if label}
    assert set(dashboard_shapes()["label"]) == seen


class _MockServer:
    """mongomock for finds, indexes, $sample and system.profile; recorded explains for ``command``."""

    def __init__(self, db) -> None:
        self.db, self.name = db, db.name

    def __getitem__(self, coll: str):
        return self.db[coll]

    def command(self, cmd: dict) -> dict:
        return _FakeDb().command(cmd)


def test_live_path_of_the_audit(monkeypatch) -> None:
    from analysis.samples.dataset import create_indexes
    from analysis.params import validate
    from analysis.querycost import report, server
    from analysis.querycost.params import QueryCostParams

    db = mongomock.MongoClient()["infra_mind"]
    load_into(db, generate_dataset(users=3, docs_per_user=20, seed=1))
    create_indexes(db)
    db["system.profile"].insert_many([json.loads(line) for line in (DATA / "profile_relaxed.jsonl").read_text().splitlines()
                                      if line.startswith("{")])
    monkeypatch.setenv("QC_UNIT_URI", "mongodb://auditor:pw-unit@db.example:27017")
    monkeypatch.setattr(server, "connect", lambda uri, database, **kw: _MockServer(db))
    p = validate(QueryCostParams, {"log_paths": [], "profile_paths": [], "explain_paths": [],
                                   "mongo_uri_env": "QC_UNIT_URI", "read_live_profile": True})
    run = report.run_audit(p)
    assert run.live_target == "mongodb://auditor:***@db.example:27017"
    assert len(run.live_explain) == 14 and run.live_explain["flags"].str.contains("in-memory SORT").all()
    assert run.stats.files[0].kind == "profile (live)" and run.stats.records == 5
    usage = run.seed_usage.set_index("index")
    assert usage.loc["{ user_id: 1, priority: 1 }", "verdict"].startswith("useless")  # sampled live: no user_id
    assert "live server" in run.source and run.result.figures["live explains flagged"] == "14 of 14"
