"""scan-vs-agg flags → pipeline.run arguments → output and exit code (the pipeline is replaced)."""

from __future__ import annotations

import json

import pytest

from analysis.cli import main
from analysis.dashboard import pipeline
from analysis.errors import SourceError


@pytest.fixture
def fake_run(monkeypatch, make_result):
    """Replace pipeline.run; ``fake_run.calls`` holds (params, kwargs); ``fake_run.result`` what it returns."""

    class Fake:
        calls: list = []
        result = make_result(differing=True)

        def __call__(self, params, **kwargs):
            self.calls.append((params, kwargs))
            return self.result

    fake = Fake()
    fake.calls = []
    monkeypatch.setattr(pipeline, "run", fake)
    return fake


def test_json_flags_reach_the_pipeline_and_fail_exits_1(fake_run, capsys):
    rc = main(["scan-vs-agg", "--sizes", "20,60", "--no-cache", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 1
    [(P, kwargs)] = fake_run.calls
    assert P.sizes == [20, 60] and P.profile == "realistic" and P.mongo_uri_env == "" and kwargs == {"cache": False}
    assert out["verdict"]["status"] == "FAIL" and out["engine"] == "test engine"
    assert set(out) == {"engine", "latency_method", "profile", "rows", "scaling", "equivalence", "cache", "verdict"}
    assert "not server latency" in out["latency_method"]  # the embedded engine says what its latency is not


def test_defaults_and_text_output(fake_run, make_result, capsys):
    fake_run.result = make_result()
    rc = main(["scan-vs-agg", "--profile", "heavy", "--timeout", "3", "--mongo-db", "scratch_x"])
    out = capsys.readouterr().out
    assert rc == 0
    [(P, kwargs)] = fake_run.calls
    assert P.sizes == [100, 300, 1000] and P.profile == "heavy" and P.timeout_s == 3.0
    assert P.mongo_db == "scratch_x" and kwargs == {"cache": True}
    assert out.strip().splitlines()[-1].startswith("PASS: ")


def test_real_mongodb_defaults_to_larger_sizes(fake_run, monkeypatch):
    monkeypatch.setenv("AUDIT_MONGO", "mongodb://127.0.0.1:1/")
    assert main(["scan-vs-agg", "--mongo-uri-env", "AUDIT_MONGO", "--redis-url-env", "AUDIT_MONGO"]) == 1
    [(P, _)] = fake_run.calls
    assert P.sizes == [100, 1000, 10000] and P.mongo_uri_env == "AUDIT_MONGO" and P.redis_url_env == "AUDIT_MONGO"


@pytest.mark.parametrize("argv,needle", [
    (["--sizes", "0,100"], "--sizes"),
    (["--sizes", "ten"], "--sizes"),
    (["--sizes", "100,100"], "duplicate"),
    (["--mongo-uri-env", "mongodb://x"], "environment variable"),
])
def test_bad_input_is_one_line(fake_run, argv, needle, capsys):
    rc = main(["scan-vs-agg", "--no-cache", *argv])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and needle in err and "\n" not in err and "Traceback" not in err
    assert fake_run.calls == []


def test_source_errors_exit_2_on_one_line(monkeypatch, capsys):
    def unreachable(params, **kwargs):
        raise SourceError("Redis redis://127.0.0.1:1/0: cannot connect: refused")

    monkeypatch.setattr(pipeline, "run", unreachable)
    rc = main(["scan-vs-agg", "--sizes", "10"])
    assert rc == 2 and capsys.readouterr().err.strip() == "error: Redis redis://127.0.0.1:1/0: cannot connect: refused"
