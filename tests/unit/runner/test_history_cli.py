"""``python -m analysis history`` and ``diff``: read OUT/history.sqlite, one-line errors, exit codes."""

import csv
import io
import json

import pytest

from analysis.cli import main
from analysis.runner import NotebookResult, RunSummary
from analysis.runner import history

RUNS = [  # run id, parameter hash, statuses, figure n (lower is better)
    ("20261101T060000Z", "h1", {"01_query_cost_audit": "PASS", "03_slo_error_budgets": "FAIL"}, 10),
    ("20261102T060000Z", "h1", {"01_query_cost_audit": "PASS", "03_slo_error_budgets": "FAIL"}, 10),
    ("20261103T060000Z", "h2", {"01_query_cost_audit": "FAIL", "03_slo_error_budgets": "FAIL"}, 30),
    ("20261104T060000Z", "h1", {"01_query_cost_audit": "ERROR", "03_slo_error_budgets": "PASS"}, 12),
]


@pytest.fixture
def out(tmp_path):
    conn = history.connect(tmp_path / "history.sqlite")
    for run_id, phash, statuses, n in RUNS:
        started = f"{run_id[:4]}-{run_id[4:6]}-{run_id[6:8]}T06:00:00+00:00"
        nbs = [NotebookResult(name, s, f"{name} {s}", {"n": n, "engine": "e"}, seconds=1.0,
                              figure_info={"n": {"unit": "ms", "higher_is_better": False}}) for name, s in statuses.items()]
        history.record_run(conn, RunSummary(started, started, None, nbs, run_id=run_id, params_hash=phash), 0)
    conn.close()
    (tmp_path / "latest").symlink_to(RUNS[-1][0])
    return tmp_path


def test_history_lists_every_run_as_json_text_and_csv(out, capsys):
    assert main(["history", "--out", str(out), "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert [r["run_id"] for r in runs] == [r[0] for r in RUNS]
    assert runs[0]["notebooks"][1] == {"notebook": "03_slo_error_budgets", "status": "FAIL",
                                       "headline": "03_slo_error_budgets FAIL", "seconds": 1.0, "error": None}
    assert main(["history", "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("20261104T060000Z") and "01=ERROR 03=PASS" in lines[-1]
    assert main(["history", "--out", str(out), "--csv", "--since", "2026-11-03"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["run_id"] for r in rows] == ["20261103T060000Z", "20261104T060000Z"]
    assert rows[0]["notebooks"] == "01_query_cost_audit=FAIL 03_slo_error_budgets=FAIL"


def test_history_of_one_notebook_and_one_figure(out, capsys):
    assert main(["history", "--out", str(out), "--notebook", "03", "--json"]) == 0
    assert [r["status"] for r in json.loads(capsys.readouterr().out)] == ["FAIL", "FAIL", "FAIL", "PASS"]
    assert main(["history", "--out", str(out), "--figure", "n", "--notebook", "query_cost_audit", "--json"]) == 0
    assert [(r["value"], r["unit"]) for r in json.loads(capsys.readouterr().out)] == [(10, "ms"), (10, "ms"), (30, "ms"), (12, "ms")]


@pytest.mark.parametrize("argv, message", [
    (["history", "--notebook", "99"], "error: --notebook 99: no such notebook in the history (known: 01_query_cost_audit, "),
    (["history", "--since", "yesterday-ish"], "error: parameter '--since': cannot parse time"),
    (["diff", "nope"], "error: unknown run 'nope' in "),
    (["diff", "a", "b", "c"], "error: diff: expected at most two runs, got 3"),
])
def test_bad_input_is_one_line_exit_2(out, capsys, argv, message):
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(message), err


def test_no_history_is_one_line_exit_2(tmp_path, capsys):
    for command in ("history", "diff"):
        assert main([command, "--out", str(tmp_path)]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "no run history here" in err[0]
    assert not (tmp_path / "history.sqlite").exists()  # reading never creates it


def test_a_corrupt_history_is_one_line_exit_2(tmp_path, capsys):
    (tmp_path / "history.sqlite").write_bytes(b"garbage" * 200)
    assert main(["history", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot read the run history" in err[0]


def test_diff_defaults_to_the_two_latest_comparable_runs(out, capsys):
    assert main(["diff", "--out", str(out), "--json"]) == 2  # 01 newly errs
    d = json.loads(capsys.readouterr().out)
    assert (d["run_a"], d["run_b"], d["status"]) == ("20261102T060000Z", "20261104T060000Z", "ERROR")
    by = {c["notebook"]: c for c in d["changes"]}
    assert by["01_query_cost_audit"]["change"] == "new_error" and by["03_slo_error_budgets"]["change"] == "resolved"
    assert by["01_query_cost_audit"]["figures"][0] | {"rel_delta": None} == {
        "name": "n", "label": "n", "unit": "ms", "key": True, "old": 10, "new": 12, "abs_delta": 2, "rel_delta": None, "assessment": "worse"}


def test_diff_of_named_runs_and_its_exit_codes(out, capsys):
    assert main(["diff", "20261101T060000Z", str(out / "20261102T060000Z"), "--out", str(out)]) == 0
    text = capsys.readouterr().out.splitlines()
    assert text == ["diff 20261101T060000Z → 20261102T060000Z", "  01_query_cost_audit: unchanged",
                    "  03_slo_error_budgets: unchanged"]
    assert main(["diff", "20261102T060000Z", "20261103T060000Z", "--out", str(out)]) == 1  # a new FAIL
    text = capsys.readouterr().out
    assert "01_query_cost_audit: PASS → FAIL (new fail); 1 figure worse" in text and "n: 10 ms → 30 ms (+20 ms) worse" in text
    assert main(["diff", "20261104T060000Z", "latest", "--out", str(out)]) == 0


def test_history_csv_cells_never_start_a_formula(tmp_path, capsys):
    conn = history.connect(tmp_path / "history.sqlite")
    nb = NotebookResult("01_query_cost_audit", "FAIL", '=HYPERLINK("http://evil.example","open") shape', {"n": -1},
                        error="@SUM(1) quoted from a log")
    history.record_run(conn, RunSummary("2026-11-01T06:00:00+00:00", "x", None, [nb], run_id="20261101T060000Z",
                                        params_hash="h"), 0)
    conn.close()
    assert main(["history", "--out", str(tmp_path), "--notebook", "01", "--csv"]) == 0
    (row,) = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert row["headline"] == '\'=HYPERLINK("http://evil.example","open") shape'
    assert row["error"] == "'@SUM(1) quoted from a log"
