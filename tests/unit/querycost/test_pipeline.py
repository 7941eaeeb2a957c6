"""pipeline.run end to end on a mocked server (mongomock + recorded explains)."""

from __future__ import annotations

import json
from pathlib import Path

import mongomock

from analysis.params import validate
from analysis.querycost import pipeline, report
from analysis.querycost.params import QueryCostParams
from analysis.querycost.sources import live
from analysis.samples.dataset import create_indexes, generate_dataset, load_into
from tests.unit.querycost.fakes import MockServer

DATA = Path(__file__).resolve().parents[2] / "data" / "querycost"


def test_live_path_of_the_audit(monkeypatch) -> None:
    db = mongomock.MongoClient()["infra_mind"]
    load_into(db, generate_dataset(users=3, docs_per_user=20, seed=1))
    create_indexes(db)
    db["system.profile"].insert_many([json.loads(line) for line in (DATA / "profile_relaxed.jsonl").read_text().splitlines()
                                      if line.startswith("{")])
    monkeypatch.setenv("QC_UNIT_URI", "mongodb://auditor:pw-unit@db.example:27017")
    monkeypatch.setattr(live, "connect", lambda uri, database, **kw: MockServer(db))
    p = validate(QueryCostParams, {"log_paths": [], "profile_paths": [], "explain_paths": [],
                                   "mongo_uri_env": "QC_UNIT_URI", "read_live_profile": True})
    run = pipeline.run(p)
    assert run.live_target == "mongodb://auditor:***@db.example:27017"
    assert len(run.live_explain) == 14 and run.live_explain["flags"].str.contains("in-memory SORT").all()
    assert run.stats.files[0].kind == "profile (live)" and run.stats.records == 5
    usage = run.seed_usage.set_index("index")
    assert usage.loc["{ user_id: 1, priority: 1 }", "verdict"].startswith("useless")  # sampled live: no user_id
    assert "live server" in run.source and report.verdict(run).figures["live explains flagged"] == "14 of 14"
