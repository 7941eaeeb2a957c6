"""The synthetic query-cost sample: simulated ops follow the data (mongomock, bson sizes); the files read back."""

from __future__ import annotations

from pathlib import Path

import bson
import mongomock
import pytest

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


def test_written_sample_reads_back(tmp_path: Path) -> None:
    meta = sample.write_sample(tmp_path, loads=30, profile_loads=5, users=4, docs_per_user=20, sampled_users=3)
    df, st = digest_files([tmp_path / meta["log"], tmp_path / meta["profile"], tmp_path / meta["explain"]])
    kinds = [f.kind for f in st.files]
    assert kinds == ["log", "profile", "explain"]
    assert st.files[0].lines == meta["log_lines"] and st.files[1].records == meta["profile_documents"]
    assert st.files[2].records == meta["explain_documents"]
    assert df["app_names"].str.contains("synthetic-workbook").all() or set(df["sources"]) == {"explain"}
    assert meta["synthetic"] is True and meta["field_presence"]["recommendations"]["user_id"] == 0.0
