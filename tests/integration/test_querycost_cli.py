"""python -m analysis digest end to end: the JSON contract, the text table, exit codes on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.querycost.report import JSON_SHAPE_FIELDS

pytestmark = pytest.mark.integration
DATA = Path(__file__).resolve().parents[1] / "data" / "querycost"
BAD = Path(__file__).resolve().parents[1] / "data" / "bad" / "querycost"


def test_cli_json_contract(capsys) -> None:
    rc = main(["digest", str(DATA / "mongod_44.log"), str(DATA / "profile_relaxed.jsonl"), "--json", "--top", "3"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert list(out) == ["files", "lines", "slow_queries", "application_queries", "internal_operations", "skipped",
                         "skipped_files", "engine", "shapes_total", "shapes", "other", "members"]
    assert out["lines"] == 18 + 8 and out["slow_queries"] == 9 + 5 and out["skipped"] == 9 + 3
    assert len(out["shapes"]) == 3 and all(list(s) == JSON_SHAPE_FIELDS for s in out["shapes"])
    top = out["shapes"][0]
    assert top["total_ms"] >= out["shapes"][1]["total_ms"] and isinstance(top["count"], int)
    # the shapes left out by --top are summed in "other": shapes + other = everything the inputs held
    assert out["shapes_total"] == 3 + out["other"]["shapes"] and out["other"]["shapes"] > 0
    assert sum(s["count"] for s in out["shapes"]) + out["other"]["count"] == out["slow_queries"]
    full = _json([str(DATA / "mongod_44.log"), str(DATA / "profile_relaxed.jsonl"), "--top", "0"], capsys)
    assert out["other"]["total_ms"] == pytest.approx(sum(s["total_ms"] for s in full["shapes"][3:]))
    assert out["other"]["collscan"] == sum(s["collscan"] for s in full["shapes"][3:])
    assert full["other"] == {"shapes": 0, "count": 0, "total_ms": 0.0, "collscan": 0}


def _json(args: list[str], capsys) -> dict:
    assert main(["digest", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_text_and_bad_input_exit_codes(capsys) -> None:
    assert main(["digest", str(DATA / "mongod_44.log")]) == 0
    assert "COLLSCAN" in capsys.readouterr().out
    assert main(["digest", str(BAD / "garbage.bin"), str(BAD / "empty.log")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: no usable slow queries")
    assert main(["digest", str(BAD / "truncated.log.gz")]) == 0  # data before the cut is digested
    assert "truncated gzip" in capsys.readouterr().out


def _fleet_dir(tmp_path: Path) -> Path:
    import shutil

    from analysis.config import data_dir

    d = tmp_path / "fleet"
    d.mkdir()
    for i in range(3):
        shutil.copy(data_dir() / "querycost" / "sample_slow_query.log.gz", d / f"rs0-db-{i}.log.gz")
    for f in (DATA / "versions").iterdir():
        shutil.copy(f, d / f.name)
    (d / "notes.bin").write_bytes(b"\x00\xff" * 64)  # not a log: skipped with one line
    return d


def test_directory_digest_is_the_same_serial_and_on_a_local_cluster(tmp_path, capsys) -> None:
    from analysis.querycost.histogram import BIN_ERROR

    d = _fleet_dir(tmp_path)
    serial = _json([str(d), "--top", "0", "--workers", "1"], capsys)
    dask = _json([str(d), "--top", "0", "--workers", "2"], capsys)
    assert serial["engine"].startswith("serial in-process") and dask["engine"].startswith("local Dask cluster, 2")
    exact = [k for k in serial if k not in ("engine", "shapes", "members")]
    assert {k: serial[k] for k in exact} == {k: dask[k] for k in exact}
    assert serial["skipped_files"] == [{"file": str(d / "notes.bin"),
                                        "problem": "binary content: not a log, profile or explain file"}]
    # the three copies of the sample say they are one member (their startup lines); the fixtures are named by file
    assert len(serial["members"]) == 11 and serial["members"] == dask["members"]  # member p95s are bins either way
    assert serial["members"][0]["member"] == "db-0.synthetic:27017" and serial["members"][0]["files"] == 3
    for a, b in zip(serial["shapes"], dask["shapes"]):
        for k in a:
            if k in ("p50_ms", "p95_ms", "p99_ms"):
                assert b[k] == pytest.approx(a[k], rel=BIN_ERROR + 1e-9), k
            else:
                assert a[k] == b[k], k


def test_skipped_file_is_named_on_stderr_and_an_unreachable_scheduler_exits_2(tmp_path, capsys) -> None:
    import time

    d = _fleet_dir(tmp_path)
    assert main(["digest", str(d), "--top", "1"]) == 0
    err = capsys.readouterr().err
    assert err == f"skipped {d / 'notes.bin'}: binary content: not a log, profile or explain file\n"
    t0 = time.monotonic()
    assert main(["digest", str(d), "--scheduler", "tcp://127.0.0.1:9", "--connect-timeout", "1.5"]) == 2
    err = capsys.readouterr().err
    assert err == "error: dask scheduler tcp://127.0.0.1:9: no answer within 1.5 s (OSError)\n"
    assert time.monotonic() - t0 < 8


TEXT = DATA / "textlogs"


@pytest.mark.parametrize(("name", "content", "looks"), [
    ("hostname", b"web-01\n", "text, first line 'web-01'"),
    ("orders.csv", b"id,customer,total\n1,acme,12.5\n2,umbrella,7\n", "a CSV table (3 columns"),
    ("core.bin", bytes(range(256)) * 64, "binary content"),
])
def test_junk_is_one_line_naming_the_file_exit_2(tmp_path, capsys, name, content, looks) -> None:
    junk = tmp_path / name
    junk.write_bytes(content)
    assert main(["digest", str(junk)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith("error: no usable slow queries in 1 file(s): ") and name in captured.err
    assert looks in captured.err


def test_text_logs_2_4_to_4_2_digest_and_a_set_names_the_files_not_read(tmp_path, capsys) -> None:
    import argparse
    import shutil

    from analysis.querycost import cli

    d = tmp_path / "mixed"
    d.mkdir()
    for name in ("mongod_24.log", "mongod_26.log", "mongod_42.log"):
        shutil.copy(TEXT / name, d / name)
    shutil.copy(DATA / "mongod_44.log", d / "mongod_44.log")  # a JSON log beside the text ones
    (d / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    out = _json([str(d), "--top", "0"], capsys)
    assert out["slow_queries"] == 9 + 11 + 1 + 9 and [s["file"] for s in out["skipped_files"]] == [str(d / "notes.csv")]
    v = cli.run(argparse.Namespace(files=[str(d)], top=5, json=False, workers=1, scheduler="", connect_timeout=1.0))
    assert v.status == "WARN" and v.headline.endswith("; 1 of 5 file(s) not read: notes.csv (text)")  # unread: never PASS
    assert "skipped " + str(d / "notes.csv") in capsys.readouterr().err


def test_a_healthy_text_log_is_no_slow_application_query_of_its_own_lines(capsys) -> None:
    assert main(["digest", str(TEXT / "mongos_24.log")]) == 0
    assert "no slow application queries in 8 lines" in capsys.readouterr().out
