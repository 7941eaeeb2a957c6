"""scan-vs-agg end to end: the JSON contract on the embedded engine, unreachable servers fail fast on one line."""

from __future__ import annotations

import json
import time

import pytest

from analysis.cli import main

pytestmark = pytest.mark.integration


def test_json_contract(capsys):
    rc = main(["scan-vs-agg", "--sizes", "20,60", "--no-cache", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1  # seed_facet differs from legacy on real-schema data → FAIL
    assert out["engine"].startswith("mongomock") and out["profile"] == "realistic"
    row_keys = {"strategy", "size", "latency_ms_median", "latency_ms_iqr", "repeats", "peak_mem_bytes",
                "result_bytes", "docs_received", "decode_ms", "decode_mem_bytes", "server"}
    assert len(out["rows"]) == 6 and all(set(r) == row_keys for r in out["rows"])
    assert all(r["server"] is None for r in out["rows"])
    assert {"strategy", "metric", "exponent"} == set(out["scaling"][0])
    eq = out["equivalence"]
    assert eq and all(set(e) == {"strategy", "field", "legacy", "value"} for e in eq)
    assert {e["strategy"] for e in eq} == {"seed_facet"}
    legacy = {r["size"]: r for r in out["rows"] if r["strategy"] == "legacy_full_scan"}
    assert legacy[60]["docs_received"] == 180 and legacy[20]["docs_received"] == 60
    assert out["cache"] is None


def test_unset_environment_variable_is_one_line(capsys):
    rc = main(["scan-vs-agg", "--no-cache", "--mongo-uri-env", "NOT_SET_ANYWHERE_42"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "NOT_SET_ANYWHERE_42" in err and "\n" not in err and "Traceback" not in err


def test_unreachable_mongodb_fails_fast(monkeypatch, capsys):
    monkeypatch.setenv("AUDIT_MONGO", "mongodb://audit:s3cretpw@127.0.0.1:1/?directConnection=true")
    t0 = time.monotonic()
    rc = main(["scan-vs-agg", "--no-cache", "--mongo-uri-env", "AUDIT_MONGO", "--timeout", "0.5", "--sizes", "10"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and time.monotonic() - t0 < 10
    assert "cannot connect" in err and "s3cretpw" not in err and "\n" not in err


def test_non_scratch_database_refused_before_connecting(monkeypatch, capsys):
    monkeypatch.setenv("AUDIT_MONGO", "mongodb://127.0.0.1:1/")
    rc = main(["scan-vs-agg", "--no-cache", "--mongo-uri-env", "AUDIT_MONGO", "--mongo-db", "infra_mind"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "scratch_" in err and "infra_mind" in err


def test_unreachable_redis(monkeypatch, capsys):
    monkeypatch.setenv("AUDIT_REDIS", "redis://:pw1234@127.0.0.1:1/0")
    rc = main(["scan-vs-agg", "--sizes", "10", "--redis-url-env", "AUDIT_REDIS", "--timeout", "0.5"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and "Redis" in err and "cannot connect" in err and "pw1234" not in err
