"""analysis.runner.pipeline: the steps of a run, with execution faked (no kernel)."""

import json
import os
from pathlib import Path

import nbformat
import pytest

from analysis.errors import ConfigError, ParameterError
from analysis.runner import NotebookResult, run_notebooks
from analysis.runner import pipeline
from analysis.runner.pipeline import check_timeout
from tests.conftest import make_notebook

SECRET = "canary-pipeline-4242"


@pytest.fixture
def fake_execute(monkeypatch):
    """Each notebook 'runs' instantly: it writes its ipynb and returns the status its name ends with."""
    calls = []
    monkeypatch.setattr(pipeline, "check_kernel", lambda name: calls.append(("kernel", name)))

    def execute(nb, run_dir, parameters, *, kernel_name, timeout, secrets, progress):
        calls.append((nb.stem, dict(parameters), kernel_name, timeout, list(secrets), progress))
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {nb.stem}")]), run_dir / nb.name)
        status = {"pass": "PASS", "fail": "FAIL", "raise": "ERROR", "silent": "ERROR"}[nb.stem.rsplit("_", 1)[1]]
        return NotebookResult(nb.stem, status, f"headline of {nb.stem} {SECRET}", {"n": 1}, None, nb.name, 0.5)

    monkeypatch.setattr(pipeline, "execute_notebook", execute)
    return calls


def test_a_run_writes_summary_index_and_latest(toy_notebooks, tmp_path, fake_execute, monkeypatch):
    monkeypatch.setenv("TOY_SECRET_ENV", SECRET)
    params = tmp_path / "p.yaml"
    params.write_text("01_toy_pass:\n  level: WARN\n")
    seen = []
    nbs = [toy_notebooks["pass"], toy_notebooks["fail"]]
    summary = run_notebooks(nbs, out=tmp_path / "out", params_file=str(params), overrides={"02_toy_fail.level": "PASS"},
                            kernel_name="k", timeout=9, progress=False, on_result=seen.append)
    assert fake_execute[0] == ("kernel", "k")
    assert [c[:4] for c in fake_execute[1:]] == [("01_toy_pass", {"level": "WARN"}, "k", 9), ("02_toy_fail", {"level": "PASS"}, "k", 9)]
    assert [r.name for r in seen] == ["01_toy_pass", "02_toy_fail"] and summary.status == "FAIL"
    run_dir = Path(summary.run_dir)
    assert os.readlink(tmp_path / "out" / "latest") == run_dir.name
    data = json.loads((run_dir / "summary.json").read_text())
    assert data["params_file"] == str(params) and [n["status"] for n in data["notebooks"]] == ["PASS", "FAIL"]
    assert "02_toy_fail" in (run_dir / "index.html").read_text()
    assert oct(run_dir.stat().st_mode & 0o777) == oct(0o755)


def test_secrets_named_by_env_parameters_are_scrubbed_from_summary_and_index(tmp_path, fake_execute, monkeypatch):
    nb = make_notebook(tmp_path / "01_toy_pass.ipynb", "x = 1\n", parameters="demo_env = 'TOY_SECRET_ENV'\n")
    monkeypatch.setenv("TOY_SECRET_ENV", SECRET)
    summary = run_notebooks([nb], out=tmp_path / "out", progress=False)
    assert SECRET in fake_execute[1][4]  # handed to the execution step too
    for f in Path(summary.run_dir).iterdir():
        assert SECRET not in f.read_text(), f.name


def test_bad_input_fails_before_anything_is_written(toy_notebooks, tmp_path, fake_execute):
    out = tmp_path / "out"
    with pytest.raises(ParameterError, match="--timeout: must be a positive number of seconds, got 0"):
        run_notebooks([toy_notebooks["pass"]], out=out, timeout=0)
    with pytest.raises(ParameterError, match="-p nope: no selected notebook"):
        run_notebooks([toy_notebooks["pass"]], out=out, overrides={"nope": 1})
    with pytest.raises(ConfigError, match="missing.yaml: not found"):
        run_notebooks([toy_notebooks["pass"]], out=out, params_file=str(tmp_path / "missing.yaml"))
    assert not out.exists() and fake_execute == []


def test_an_interrupted_run_leaves_no_partial_and_keeps_latest(toy_notebooks, tmp_path, fake_execute, monkeypatch):
    out = tmp_path / "out"
    first = run_notebooks([toy_notebooks["pass"]], out=out, progress=False)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "execute_notebook", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_notebooks([toy_notebooks["pass"]], out=out, progress=False)
    assert os.readlink(out / "latest") == Path(first.run_dir).name
    assert sorted(p.name for p in out.iterdir()) == sorted([Path(first.run_dir).name, "history.sqlite", "latest"])


def test_check_timeout():
    check_timeout(1)
    for bad in (0, -5):
        with pytest.raises(ParameterError, match=f"got {bad}"):
            check_timeout(bad)
