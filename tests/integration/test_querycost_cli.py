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
                         "shapes_total", "shapes", "other"]
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
