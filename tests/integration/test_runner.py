"""The runner end to end on small notebooks: statuses, exit codes, artifacts, atomic latest."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from analysis import runner
from analysis.runner import pipeline
from analysis.cli import main
from tests.conftest import make_notebook

pytestmark = pytest.mark.integration


def test_one_failing_notebook_does_not_stop_the_others(toy_notebooks, tmp_path, capsys):
    out = tmp_path / "reports"
    order = [toy_notebooks[k] for k in ("raise", "pass", "fail", "silent")]
    code = main(["run", *map(str, order), "--out", str(out), "--timeout", "60", "--no-progress"])
    assert code == 2
    captured = capsys.readouterr()
    err_lines = [line for line in captured.err.splitlines() if line.strip()]
    assert "ERROR 03_toy_raise: ValueError: toy notebook broke on purpose" in err_lines
    assert any(line.startswith("FAIL  02_toy_fail") for line in err_lines)
    assert any(line.startswith("ERROR 04_toy_silent: the notebook recorded no verdict") for line in err_lines)
    assert "Traceback" not in captured.err
    latest = out / "latest"
    assert latest.is_symlink()
    summary = json.loads((latest / "summary.json").read_text())
    assert set(summary) == {"run_id", "started", "finished", "params_file", "params_hash", "git_commit", "status",
                            "notebooks", "baseline", "changes", "warnings"}
    by_name = {n["name"]: n for n in summary["notebooks"]}
    assert [n["name"] for n in summary["notebooks"]] == [p.stem for p in order]
    assert by_name["01_toy_pass"]["status"] == "PASS"
    assert by_name["01_toy_pass"]["figures"] == {"answer": 42}
    assert by_name["02_toy_fail"]["status"] == "FAIL"
    assert by_name["03_toy_raise"]["status"] == "ERROR"
    for n in summary["notebooks"]:
        assert set(n) == {"name", "status", "headline", "figures", "html", "ipynb", "seconds", "error", "figure_info",
                          "next_steps"}
        assert (latest / n["html"]).is_file() and (latest / n["ipynb"]).is_file()
    index = (latest / "index.html").read_text()
    for name in by_name:
        assert name in index
    html = (latest / "01_toy_pass.html").read_text()
    assert "Verdict: PASS" in html and "from analysis.record import" not in html  # code hidden


def test_exit_codes_follow_the_worst_status(toy_notebooks, tmp_path):
    out = tmp_path / "r"
    assert main(["run", str(toy_notebooks["pass"]), "--out", str(out), "--no-progress"]) == 0
    assert main(["run", str(toy_notebooks["pass"]), str(toy_notebooks["fail"]), "--out", str(out), "--no-progress"]) == 1
    assert main(["run", str(toy_notebooks["pass"]), "-p", "level=WARN", "--out", str(out), "--no-progress"]) == 0
    runs = [p for p in out.iterdir() if not p.name.startswith(".") and p.name not in ("latest", "history.sqlite")]
    assert len(runs) == 3  # each run keeps its own timestamped directory


@pytest.mark.parametrize(
    "argv, message",
    [
        (["run", "no_such_notebook"], "error: unknown notebook 'no_such_notebook'"),
        (["run", "--params", "/nonexistent/p.yaml"], "error: /nonexistent/p.yaml: not found"),
        (["run", "-p", "no_such_param=1"], "error: -p no_such_param: no selected notebook has a parameter"),
        (["run", "--timeout", "0"], "error: --timeout: must be a positive number"),
    ],
)
def test_bad_input_one_line_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(message), err


def test_non_writable_out(toy_notebooks, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert main(["run", str(toy_notebooks["pass"]), "--out", str(blocker / "reports"), "--no-progress"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not writable" in err[0]


def test_interrupted_run_never_replaces_latest(toy_notebooks, tmp_path, monkeypatch):
    out = tmp_path / "reports"
    first = runner.run_notebooks([toy_notebooks["pass"]], out=out, progress=False)
    target_before = os.readlink(out / "latest")

    real = pipeline.execute_notebook
    calls = {"n": 0}

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "execute_notebook", interrupted)
    with pytest.raises(KeyboardInterrupt):
        runner.run_notebooks([toy_notebooks["pass"], toy_notebooks["fail"]], out=out, progress=False)
    assert os.readlink(out / "latest") == target_before == Path(first.run_dir).name
    assert not [p for p in out.iterdir() if p.name.endswith(".partial")]


def test_secrets_named_by_env_parameters_are_scrubbed(tmp_path, monkeypatch):
    nb = make_notebook(
        tmp_path / "01_toy_leak.ipynb",
        "import os\nprint('uri is', os.environ[demo_uri_env])\n"
        "from analysis.config import run_artifacts_dir\n"
        "(run_artifacts_dir('01_toy_leak') / 'script.js').write_text('// ' + os.environ[demo_uri_env])\n"
        "from analysis.record import Verdict, publish\npublish(Verdict('PASS', 'leaky ' + os.environ[demo_uri_env]))\n",
        parameters="demo_uri_env = 'TOY_DEMO_URI'\n",
    )
    monkeypatch.setenv("TOY_DEMO_URI", "mongodb://reader:canary-pw-7731@127.0.0.1:1/db")
    summary = runner.run_notebooks([nb], out=tmp_path / "out", progress=False)
    files = [f for f in Path(summary.run_dir).rglob("*") if f.is_file()]
    assert Path(summary.run_dir) / "01_toy_leak" / "script.js" in files  # the artifact is published with the run
    for f in files:
        assert "canary-pw-7731" not in f.read_text(), f.name
    assert summary.notebooks[0].status == "PASS"
