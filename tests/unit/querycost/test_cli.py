"""The digest command: flags reach pipeline.digest_inputs; outcome → exit code through analysis.cli."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field

import pytest

from analysis.cli import main
from analysis.querycost import cli, pipeline
from analysis.querycost.digest import Digester, feed
from analysis.querycost.records import FileStats, ReadStats
from analysis.querycost.sources.cluster import Engine


@dataclass
class FakeDigest:
    """Stands in for pipeline.digest_inputs: records its arguments, returns ``records`` identical queries."""

    records: int = 3
    kind: str = "log"
    calls: list = field(default_factory=list)

    def __call__(self, paths, *, workers=None, scheduler="", progress=False, connect_timeout=10.0):
        self.calls.append((list(paths), workers, scheduler, connect_timeout))
        row = (None, "db.a", "find", "{u: ?}", "COLLSCAN", 12.0, 500, 0, 5, 100, True, False, "", "", "log", {})
        st = FileStats("/logs/mongod.log", kind=self.kind, lines=self.records + 1, records=self.records)
        st.skip("other log message")
        dig = feed(Digester(), [row] * self.records)
        return pipeline.FleetDigest(dig.frame(), ReadStats([st]), dig, Engine("serial in-process", 1, True, 1))


@pytest.fixture
def fake(monkeypatch) -> FakeDigest:
    f = FakeDigest()
    monkeypatch.setattr(pipeline, "digest_inputs", f)
    return f


def test_files_reach_the_pipeline_and_success_exits_0(fake, capsys) -> None:
    assert main(["digest", "a.log", "b.json.gz", "--top", "5"]) == 0
    assert fake.calls == [(["a.log", "b.json.gz"], None, "", 10.0)]
    out = capsys.readouterr().out
    assert out.startswith("1 file(s), 4 lines/documents read, 3 queries, 1 skipped") and "COLLSCAN" in out


def test_json_flag_prints_the_digest_document(fake, capsys) -> None:
    assert main(["digest", "a.log", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["files"], doc["lines"], doc["slow_queries"], doc["skipped"]) == (["/logs/mongod.log"], 4, 3, 1)
    (shape,) = doc["shapes"]
    assert shape["count"] == 3 and shape["docs_examined"] == 1500 and isinstance(shape["docs_examined"], int)
    assert shape["reslen_total"] == 300 and shape["total_ms"] == 36.0


def test_a_log_without_slow_application_query_is_a_pass(fake, capsys) -> None:
    fake.records = 0
    assert main(["digest", "healthy.log"]) == 0
    assert "no slow application queries in 1 lines" in capsys.readouterr().out


def test_nothing_usable_exits_2_with_one_line(fake, capsys) -> None:
    fake.records = 0
    fake.kind = "binary"
    assert main(["digest", "junk.bin"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith("error: no usable slow queries in 1 file(s)")


def test_run_returns_a_pass_verdict(fake, capsys) -> None:
    v = cli.run(argparse.Namespace(files=["a.log"], top=20, json=False, workers=None, scheduler="",
                                   connect_timeout=10.0))
    assert v.status == "PASS" and v.figures == {"files": 1, "queries": 3, "application queries": 3, "shapes": 1,
                                            "skipped": 1}


def test_dask_flags_reach_the_pipeline(fake, capsys) -> None:
    assert main(["digest", "logs/", "--workers", "2", "--scheduler", "tcp://10.1.2.3:8786", "--connect-timeout",
                 "3"]) == 0
    assert fake.calls == [(["logs/"], 2, "tcp://10.1.2.3:8786", 3.0)]
    assert main(["digest", "logs/", "--workers", "0"]) == 2
    assert capsys.readouterr().err.endswith("error: --workers 0: must be at least 1\n")
