"""The synthetic query-cost sample: simulated ops follow the data (mongomock, bson sizes); the files read back."""

from __future__ import annotations

import json
from pathlib import Path

import bson
import mongomock
import pytest

from analysis.config import data_dir
from analysis.mongodb.commands import run_queries
from analysis.querycost.pipeline import digest_files
from analysis.samples import querylog as sample
from analysis.samples import querysim
from analysis.samples.dataset import generate_dataset, load_into


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
        ops = querysim.simulate(q, natural[q.collection], results[q.purpose],
                              [[("user_id", 1)]] if q.collection != "recommendations" else [], sizes[q.collection])
        got = results[q.purpose]
        assert sum(o.nreturned for o in ops) == len(got) == 150
        # oracle: pymongo's BSON encoder for the bytes each batch returns
        assert sum(o.reslen for o in ops) == sum(len(bson.encode(d)) for d in got) + len(ops) * querysim.CURSOR_ENVELOPE_BYTES
        assert [o.kind for o in ops] == ["find", "getMore"]  # 150 > first batch of 101
        assert ops[0].nreturned == querysim.FIRST_BATCH
        if q.collection == "recommendations":  # no index: the two batches scan the whole collection once
            assert all(o.plan_summary == "COLLSCAN" for o in ops)
            assert sum(o.docs_examined for o in ops) == len(natural["recommendations"])
        else:
            assert ops[0].plan_summary == "IXSCAN { user_id: 1 }"
            assert sum(o.docs_examined for o in ops) == 150 and sum(o.keys_examined for o in ops) == 151


def test_a_users_scoped_database_answers_every_dashboard_query_as_the_whole_one(small_db) -> None:
    """build_workload runs each user's loads on a database of that user's documents only (issue 17: 36 s -> 4 s);
    every strategy's queries return the same documents in the same order as on the whole dataset."""
    natural = {c: list(small_db[c].find()) for c in ("assessments", "recommendations", "reports")}
    for user in ("user-0000", "user-0002"):
        scoped = querysim.scoped_db(natural, user)
        assert 0 < scoped["assessments"].count_documents({}) < len(natural["assessments"])
        for strategy in querysim.STRATEGIES:
            assert run_queries(scoped, strategy, user) == run_queries(small_db, strategy, user), (user, strategy)


def test_written_sample_reads_back(tmp_path: Path) -> None:
    meta = sample.write_sample(tmp_path, loads=30, profile_loads=5, users=4, docs_per_user=20, sampled_users=3)
    df, st = digest_files([tmp_path / meta["log"], tmp_path / meta["profile"], tmp_path / meta["explain"]])
    kinds = [f.kind for f in st.files]
    assert kinds == ["log", "profile", "explain"]
    assert st.files[0].lines == meta["log_lines"] and st.files[1].records == meta["profile_documents"]
    assert st.files[2].records == meta["explain_documents"]
    app = df[df["internal"] == ""]
    assert app["app_names"].str.contains("synthetic-workbook").all() or set(app["sources"]) == {"explain"}
    assert set(df.loc[df["internal"] != "", "ns"]) == {"local.oplog.rs"}  # the secondaries tail the oplog
    assert meta["synthetic"] is True and meta["field_presence"]["recommendations"]["user_id"] == 0.0


def test_embedded_sample_shows_internal_ops_a_plan_flip_a_slow_period_and_clients() -> None:
    from analysis.querycost import pipeline, report
    from analysis.querycost.params import QueryCostParams

    r = pipeline.run(QueryCostParams())
    meta = json.loads((data_dir() / "querycost" / "sample_meta.json").read_text())
    oplog = r.internal
    assert list(oplog["internal"]) == ["oplog"] and oplog["collscan"].iloc[0] == oplog["count"].iloc[0]
    assert not r.findings["ns"].str.startswith("local.").any()  # replication is not an application scan
    flips = r.plans[r.plans["flip"]]
    assert len(flips) >= 1 and "created_at: -1" in flips["history"].iloc[0] and flips["replanned"].iloc[0] == 3
    slow = report.slow_minutes_table(r)
    lo, hi = meta["slow_minutes"]
    assert all(f"09:{lo:02d}" <= m[-5:] < f"09:{hi:02d}" for m in slow["minute (UTC)"])
    clients = set(r.clients["client"])
    assert set(meta["secondaries"]) <= clients and len(clients - set(meta["secondaries"]) - {""}) == querylog_hosts()
    top = r.application.iloc[0]
    # working + waiting = the duration of the rows that logged workingMillis (explains do not)
    assert 0 < top["waiting_ms"] < top["working_ms"] + top["waiting_ms"] <= top["total_ms"]


def querylog_hosts() -> int:
    return sample.API_HOSTS


@pytest.mark.integration
def test_regenerating_the_embedded_sample_gives_the_committed_files(tmp_path: Path) -> None:
    """The sample is deterministic: ``python -m analysis.samples.querylog`` rewrites data/querycost byte for byte."""
    assert sample.main([str(tmp_path)]) == 0
    committed = data_dir() / "querycost"
    for name in ("sample_slow_query.log.gz", "sample_profile.json", "sample_explain.json", "sample_meta.json"):
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), name
