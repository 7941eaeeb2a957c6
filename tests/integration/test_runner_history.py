"""The runner that remembers, end to end on toy notebooks: history, changes, index, diff, JUnit,
webhook (a local server on 127.0.0.1), concurrent runs, a broken history, pruning."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from junitparser import Failure, JUnitXml

from analysis.cli import main
from analysis.runner.publish import run_order
from tests.unit.runner.test_notify import Hook

pytestmark = pytest.mark.integration

HOOK_ENV = "INFRA_MIND_TEST_WEBHOOK"


def _run(nb: Path, out: Path, *extra: str) -> int:
    return main(["run", str(nb), "--out", str(out), "--no-progress", *extra])


def _runs(out: Path) -> list[str]:
    with sqlite3.connect(out / "history.sqlite") as conn:
        return [r[0] for r in conn.execute("SELECT run_id FROM runs ORDER BY started, run_id")]


def test_two_runs_in_a_row_then_a_verdict_flip(toy_notebooks, tmp_path, capsys, monkeypatch):
    out = tmp_path / "reports"
    nb = toy_notebooks["pass"]
    assert _run(nb, out) == 0
    first = json.loads((out / "latest" / "summary.json").read_text())
    assert first["baseline"] is None and first["changes"] == [] and first["warnings"] == []
    assert _run(nb, out) == 0
    second = json.loads((out / "latest" / "summary.json").read_text())
    assert len(_runs(out)) == 2
    assert second["baseline"]["run_id"] == first["run_id"] and second["params_hash"] == first["params_hash"]
    assert [c["change"] for c in second["changes"]] == ["unchanged"]
    index = (out / "latest" / "index.html").read_text()
    assert "= unchanged" in index and "NEW FAIL" not in index
    capsys.readouterr()
    assert main(["diff", "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "  01_toy_pass: unchanged"

    hook = Hook()
    monkeypatch.setenv(HOOK_ENV, hook.url)
    try:
        junit = tmp_path / "ci" / "audit.xml"
        code = _run(nb, out, "-p", "level=FAIL", "--baseline", "latest", "--junit", str(junit),
                    "--notify-webhook-env", HOOK_ENV, "--report-url", "https://audit.example/r")
    finally:
        hook.close()
    assert code == 1
    third = json.loads((out / "latest" / "summary.json").read_text())
    assert third["params_hash"] != second["params_hash"]
    assert third["baseline"] == {"run_id": second["run_id"], "started": second["started"],
                                 "params_hash": second["params_hash"], "chosen": "latest"}
    (change,) = third["changes"]
    assert (change["change"], change["status_before"], change["status_after"]) == ("new_fail", "PASS", "FAIL")
    assert '<tr class="newfail"><td>01_toy_pass<br>' in (out / "latest" / "index.html").read_text()
    (case,) = list(next(iter(JUnitXml.fromfile(str(junit)))))
    assert isinstance(case.result[0], Failure) and "since last run: PASS → FAIL (new fail)" in case.result[0].text
    (body,) = hook.bodies  # exactly one POST
    assert body["run_id"] == third["run_id"] and body["counts"] == {"new_fail": 1}
    assert body["index_url"] == f"https://audit.example/r/{third['run_id']}/index.html"
    for f in (out / third["run_id"]).rglob("*"):
        if f.is_file() and f.suffix != ".pdf":
            assert "canary-hook-token" not in f.read_text(errors="replace"), f.name
    assert "canary-hook-token" not in capsys.readouterr().err
    capsys.readouterr()
    assert main(["diff", "--out", str(out)]) == 1  # the latest run's recorded baseline: a new FAIL


def test_a_first_run_does_not_notify_and_always_does(toy_notebooks, tmp_path, monkeypatch):
    hook = Hook()
    monkeypatch.setenv(HOOK_ENV, hook.url)
    try:
        assert _run(toy_notebooks["pass"], tmp_path / "o", "--notify-webhook-env", HOOK_ENV) == 0
        assert hook.bodies == []
        assert _run(toy_notebooks["pass"], tmp_path / "o", "--notify-webhook-env", HOOK_ENV, "--notify", "always") == 0
        assert len(hook.bodies) == 1 and hook.bodies[0]["counts"] == {"unchanged": 1}
    finally:
        hook.close()


def test_two_concurrent_runs_both_finish_and_latest_is_the_later(toy_notebooks, tmp_path):
    out = tmp_path / "reports"
    cmd = [sys.executable, "-m", "analysis", "run", str(toy_notebooks["pass"]), "--out", str(out), "--no-progress"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [r[1][-500:] for r in results]
    runs = _runs(out)
    assert len(runs) == 2 and all((out / r / "index.html").is_file() for r in runs)
    assert os.readlink(out / "latest") == max(runs, key=run_order)
    assert not [p for p in out.iterdir() if p.name.endswith(".partial")]


@pytest.mark.parametrize("breakage", ["corrupt", "unwritable"])
def test_a_broken_history_never_loses_the_run(toy_notebooks, tmp_path, capsys, breakage):
    out = tmp_path / "reports"
    out.mkdir()
    if breakage == "corrupt":
        (out / "history.sqlite").write_bytes(b"not a database, just bytes " * 100)
    else:
        (out / "history.sqlite").mkdir()  # cannot be opened as a file (root ignores file modes)
    assert _run(toy_notebooks["pass"], out) == 0
    warn = [line for line in capsys.readouterr().err.splitlines() if line.startswith("WARN")]
    assert len(warn) == 1 and warn[0].startswith(f"WARN history {out / 'history.sqlite'}: ") and "not recorded" in warn[0]
    summary = json.loads((out / "latest" / "summary.json").read_text())
    assert summary["warnings"] == warn and summary["notebooks"][0]["status"] == "PASS"
    assert (out / "latest" / "01_toy_pass.html").is_file() and (out / "latest" / "history.html").is_file()
    assert warn[0] in (out / "latest" / "index.html").read_text()


def test_keep_prunes_run_directories_but_not_history(toy_notebooks, tmp_path):
    out = tmp_path / "reports"
    for _ in range(3):
        assert _run(toy_notebooks["pass"], out, "--keep", "2") == 0
    runs = _runs(out)
    assert len(runs) == 3
    assert sorted(p.name for p in out.iterdir() if p.is_dir() and not p.is_symlink()) == runs[1:]
    history_page = (out / "latest" / "history.html").read_text()
    assert f"{runs[0]} (pruned)" not in history_page  # no status change to show; pruned runs stay in history
    assert main(["history", "--out", str(out), "--json"]) == 0


def test_a_bad_baseline_is_one_line_before_anything_runs(toy_notebooks, tmp_path, capsys):
    out = tmp_path / "reports"
    assert _run(toy_notebooks["pass"], out) == 0
    capsys.readouterr()
    assert _run(toy_notebooks["pass"], out, "--baseline", "19990101T000000Z") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: unknown run '19990101T000000Z'")
    assert len(_runs(out)) == 1
