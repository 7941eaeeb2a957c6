"""The runner end to end on small notebooks: statuses, exit codes, artifacts, atomic latest."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
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
    # issue 17: each verdict is printed once, under "Verdicts:" in the order given (no progress line on stderr)
    verdicts = [line.split() for line in captured.out.splitlines() if line.startswith("  ")]
    assert [v[:2] for v in verdicts] == [["ERROR", "03_toy_raise"], ["PASS", "01_toy_pass"], ["FAIL", "02_toy_fail"],
                                         ["ERROR", "04_toy_silent"]]
    out_lines = captured.out.splitlines()
    assert any(line.endswith("ValueError: toy notebook broke on purpose") and "03_toy_raise" in line for line in out_lines)
    assert any("04_toy_silent" in line and "the notebook recorded no verdict" in line for line in out_lines)
    assert not [line for line in captured.err.splitlines() if line.startswith(("ERROR", "FAIL"))]
    assert "Traceback" not in captured.err + captured.out
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


def test_jobs_run_notebooks_at_once_each_in_its_own_kernel_results_in_order(tmp_path):
    """--jobs 2: the two notebooks overlap in time, in two kernels, each sees the run directory and starts in its
    own folder; the slower first one is still first in the summary, and the run is the same as with --jobs 1."""
    body = ("import os, time\nt0 = time.time()\ntime.sleep(naptime)\n"
            "from analysis.record import Verdict, publish\n"
            "publish(Verdict('PASS', 'slept', {'t0': t0, 't1': time.time(), 'pid': os.getpid()}))\n"
            "print(os.environ['ANALYSIS_RUN_DIR'], os.getcwd())\n")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    slow = make_notebook(tmp_path / "a" / "01_toy_slow.ipynb", body, parameters="naptime = 3.0\n")
    quick = make_notebook(tmp_path / "b" / "02_toy_quick.ipynb", body, parameters="naptime = 0.2\n")
    finished = []
    summary = runner.run_notebooks([slow, quick], out=tmp_path / "out", progress=False, jobs=2,
                                   on_result=lambda r: finished.append(r.name))
    first, second = summary.notebooks
    assert [first.name, second.name] == ["01_toy_slow", "02_toy_quick"] and finished == ["02_toy_quick", "01_toy_slow"]
    assert first.figures["t0"] < second.figures["t1"] and second.figures["t0"] < first.figures["t1"]  # overlapped
    assert first.figures["pid"] != second.figures["pid"]  # two kernels
    run_dir = Path(summary.run_dir)
    for r, folder in ((first, tmp_path / "a"), (second, tmp_path / "b")):
        nb = nbformat.read(run_dir / r.ipynb, as_version=4)
        printed = next(o for o in nb.cells[-1].outputs if o.get("name") == "stdout")["text"].split()
        assert printed[1] == str(folder)  # its own working directory (the notebook's folder)
        assert Path(printed[0]).name == f".{run_dir.name}.partial"  # the run being assembled, not the session's
    assert os.getcwd() == str(Path.cwd())  # the runner itself never changed directory
    sequential = runner.run_notebooks([slow, quick], out=tmp_path / "out", progress=False, jobs=1)
    assert [(r.name, r.status) for r in sequential.notebooks] == [(r.name, r.status) for r in summary.notebooks]
    s1, q1 = sequential.notebooks
    assert s1.figures["t1"] <= q1.figures["t0"]  # one after the other


def test_jobs_below_one_and_a_notebook_twice_are_refused(toy_notebooks, tmp_path):
    with pytest.raises(pipeline.ParameterError, match="--jobs: must be at least 1, got 0"):
        runner.run_notebooks([toy_notebooks["pass"]], out=tmp_path / "out", progress=False, jobs=0)
    with pytest.raises(pipeline.ConfigError, match="01_toy_pass is selected twice"):
        runner.run_notebooks([toy_notebooks["pass"], toy_notebooks["pass"]], out=tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()
