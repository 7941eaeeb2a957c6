"""analysis.runner.result: the run's worst status and the summary.json schema."""

import json

from analysis.runner import NotebookResult, RunSummary

NOTEBOOK_KEYS = {"name", "status", "headline", "figures", "html", "ipynb", "seconds", "error", "figure_info", "next_steps"}
SUMMARY_KEYS = {"run_id", "started", "finished", "params_file", "params_hash", "git_commit", "status", "notebooks",
                "baseline", "changes", "warnings"}


def _summary(*statuses: str) -> RunSummary:
    return RunSummary("2026-11-01T00:00:00+00:00", "2026-11-01T00:01:00+00:00", "params/default.yaml",
                      [NotebookResult(f"0{i}_x", s) for i, s in enumerate(statuses, 1)], run_dir="/tmp/run")


def test_status_is_the_worst_notebook_status():
    assert _summary("PASS", "WARN").status == "WARN"
    assert _summary("PASS", "FAIL", "WARN").status == "FAIL"
    assert _summary("FAIL", "ERROR").status == "ERROR"
    assert _summary().status == "ERROR"  # nothing ran: nothing can be concluded


def test_summary_json_schema_and_json_safety():
    s = _summary("PASS")
    s.notebooks[0].figures = {"ratio": float("nan"), "n": 3}
    data = s.to_json()
    assert set(data) == SUMMARY_KEYS  # run_dir is not part of it
    assert (data["status"], data["baseline"], data["changes"], data["warnings"]) == ("PASS", None, [], [])
    (nb,) = data["notebooks"]
    assert set(nb) == NOTEBOOK_KEYS
    assert nb["figures"] == {"ratio": None, "n": 3}
    json.dumps(data, allow_nan=False)


def test_key_figures_leave_out_figures_marked_not_key():
    r = NotebookResult("01_x", "PASS", figures={"a": 1, "b": 2}, figure_info={"b": {"key": False}})
    assert r.key_figures() == {"a": 1}
