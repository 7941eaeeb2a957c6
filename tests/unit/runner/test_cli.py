"""analysis.runner.cli (``python -m analysis run``): flags → run_notebooks (patched) → lines and exit code."""

import argparse
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.config import DEFAULT_CELL_TIMEOUT_S, KERNEL_NAME, notebooks_dir, reports_dir
from analysis.runner import NotebookResult, RunSummary, discover_notebooks
from analysis.runner import cli as run_cli


@pytest.fixture
def fake_run(monkeypatch, tmp_path):
    """Patch run_notebooks; ``got`` holds its arguments, ``statuses`` what the notebooks 'conclude'."""
    state = {"got": None, "statuses": ["PASS"]}

    def run_notebooks(notebooks, **kwargs):
        state["got"] = (list(notebooks), kwargs)
        results = [NotebookResult(nb.stem, s, f"{nb.stem} says {s}", error="boom" if s == "ERROR" else None)
                   for nb, s in zip(notebooks, state["statuses"])]
        for r in results:
            if kwargs.get("on_result"):
                kwargs["on_result"](r)
        return RunSummary("s", "f", kwargs["params_file"], results, run_dir=str(tmp_path / "reports" / "20261101T000000Z"))

    monkeypatch.setattr(run_cli, "run_notebooks", run_notebooks)
    return state


def test_flags_reach_run_notebooks(fake_run, tmp_path, capsys):
    code = main(["run", "01", "03_slo_error_budgets", "--params", "p.yaml", "-p", "sizes=[1, 2]", "-p", "03_slo_error_budgets.at=x",
                 "--out", str(tmp_path / "reports"), "--timeout", "9", "--kernel", "k", "--no-progress"])
    assert code == 0
    notebooks, kwargs = fake_run["got"]
    assert [nb.name for nb in notebooks] == ["01_query_cost_audit.ipynb", "03_slo_error_budgets.ipynb"]
    assert all(nb.parent == notebooks_dir() for nb in notebooks)
    assert kwargs["out"] == (tmp_path / "reports").resolve() and kwargs["params_file"] == "p.yaml"
    assert kwargs["overrides"] == {"sizes": [1, 2], "03_slo_error_budgets.at": "x"}
    assert (kwargs["kernel_name"], kwargs["timeout"], kwargs["progress"]) == ("k", 9, False)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Verdicts:" and out[1].startswith("  PASS  01_query_cost_audit")
    assert out[-1] == f"Index: {tmp_path / 'reports' / 'latest' / 'index.html'}  (run 20261101T000000Z)"


def test_defaults(fake_run):
    main(["run"])
    notebooks, kwargs = fake_run["got"]
    assert notebooks == discover_notebooks() and notebooks
    assert kwargs["out"] == reports_dir().resolve() and kwargs["params_file"] is None and kwargs["overrides"] == {}
    assert (kwargs["kernel_name"], kwargs["timeout"]) == (KERNEL_NAME, DEFAULT_CELL_TIMEOUT_S)
    assert kwargs["progress"] is False  # stderr is not a terminal under pytest


@pytest.mark.parametrize("statuses, code", [(["PASS", "WARN"], 0), (["PASS", "FAIL"], 1), (["FAIL", "ERROR"], 2)])
def test_exit_code_is_the_worst_status_and_each_verdict_is_printed_once(fake_run, statuses, code, capsys):
    """Issue 17: every verdict (FAIL and ERROR included) is one line under "Verdicts:", not also a progress line."""
    fake_run["statuses"] = statuses
    assert main(["run", "01", "02"]) == code
    captured = capsys.readouterr()
    names = ["01_query_cost_audit", "02_scan_vs_aggregation"]
    assert captured.err == ""
    lines = captured.out.splitlines()
    for name, status in zip(names, statuses):
        mine = [line for line in lines if name in line]
        assert len(mine) == 1 and mine[0].startswith(f"  {status:<5} {name}"), lines
        assert mine[0].endswith(f"{name} says {status}" + (" — boom" if status == "ERROR" else ""))


def test_jobs_default_to_the_cores_and_reach_run_notebooks(fake_run):
    main(["run", "01", "02"])
    assert fake_run["got"][1]["jobs"] == run_cli.default_jobs() >= 1
    main(["run", "01", "02", "--jobs", "3"])
    assert fake_run["got"][1]["jobs"] == 3


@pytest.mark.parametrize(
    "argv, message",
    [(["run", "no_such_notebook"], "error: unknown notebook 'no_such_notebook'"),
     (["run", "--timeout", "0"], "error: --timeout: must be a positive number"),
     (["run", "-p", "novalue"], "error: -p 'novalue': expected key=value")],
)
def test_bad_input_is_one_line_exit_2_without_running(fake_run, argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(message), err
    assert fake_run["got"] is None


def test_run_returns_the_summary(fake_run, tmp_path):
    parser = argparse.ArgumentParser()
    run_cli.configure(parser)
    summary = run_cli.run(parser.parse_args(["01", "--out", str(tmp_path)]))
    assert isinstance(summary, RunSummary) and summary.status == "PASS"
    assert Path(summary.run_dir).name == "20261101T000000Z"
