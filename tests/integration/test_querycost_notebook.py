"""Notebook 01 through the runner: embedded sample, real-format files, nothing usable, unreachable server."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tests.conftest import run_one_notebook

pytestmark = pytest.mark.integration
NB = "01_query_cost_audit"
DATA = Path(__file__).resolve().parents[1] / "data" / "querycost"
BAD = Path(__file__).resolve().parents[1] / "data" / "bad" / "querycost"


def _run(tmp_path: Path, overrides: dict | None = None):
    return run_one_notebook(NB, tmp_path, overrides)


def _images(run_dir: Path) -> int:
    nb = nbformat.read(next(run_dir.rglob(f"{NB}.ipynb")), as_version=4)
    return sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


def test_embedded_sample_fails_on_the_recommendations_collscan(tmp_path):
    r, run_dir = _run(tmp_path)
    assert r.status == "FAIL", r.error
    assert "SYNTHETIC" in r.headline and "recommendations" in r.headline
    assert r.figures["FAIL shapes"] >= 1
    assert _images(run_dir) == 3  # time share, examined vs returned, timeline
    (script,) = run_dir.rglob("index_changes.mongosh.js")  # published with the run, never run
    assert script.parent.name == NB and "hideIndex" in script.read_text()


def test_real_format_log_only(tmp_path):
    r, _ = _run(tmp_path, {"log_paths": [str(DATA / "mongod_44.log")], "profile_paths": [], "explain_paths": [],
                           "sample_meta_path": ""})
    assert r.status == "FAIL", r.error  # the legacy find({user_id}) COLLSCANs 25,800 documents
    assert "SYNTHETIC" not in r.headline and "assessments" in r.headline


def test_thresholds_above_the_scans_downgrade_to_warn(tmp_path):
    r, _ = _run(tmp_path, {"log_paths": [str(DATA / "mongod_44.log")], "profile_paths": [], "explain_paths": [],
                           "sample_meta_path": "", "collscan_docs_threshold": 10**6, "sort_docs_threshold": 10**6})
    assert r.status == "WARN", r.error


def test_nothing_usable_is_one_line_error(tmp_path):
    r, _ = _run(tmp_path, {"log_paths": [str(BAD / "garbage.bin"), str(BAD / "empty.log")], "profile_paths": [],
                           "explain_paths": []})
    assert r.status == "ERROR"
    assert "no usable slow queries in 2 file(s)" in r.error and "Traceback" not in r.error


def test_unreachable_server_is_one_line_error_without_password(tmp_path, monkeypatch):
    monkeypatch.setenv("QC_TEST_MONGO_URI", "mongodb://auditor:pw-canary-123@127.0.0.1:9/?connectTimeoutMS=300")
    r, run_dir = _run(tmp_path, {"mongo_uri_env": "QC_TEST_MONGO_URI"})
    assert r.status == "ERROR" and "SourceError" in r.error
    for f in run_dir.rglob("*"):
        if f.is_file():
            assert "pw-canary-123" not in f.read_text(encoding="utf-8", errors="replace"), f.name


def test_healthy_replica_member_is_a_pass(tmp_path):
    r, _ = _run(tmp_path, {"log_paths": [str(DATA / "healthy_replica_member.log")], "profile_paths": [],
                           "explain_paths": [], "sample_meta_path": ""})
    assert r.status == "PASS", r.error
    assert r.headline.startswith("No slow application queries in 24 lines") and r.figures["internal operations"] == 12


def test_a_directory_of_logs_shows_the_per_member_breakdown(tmp_path):
    r, run_dir = _run(tmp_path, {"log_paths": [str(DATA / "versions")], "profile_paths": [], "explain_paths": [],
                                 "sample_meta_path": ""})
    assert r.status in ("PASS", "WARN"), r.error
    nb = nbformat.read(next(run_dir.rglob(f"{NB}.ipynb")), as_version=4)
    (cell,) = [c for c in nb.cells if "members_table" in c.source]
    text = cell.outputs[0]["data"]["text/plain"]
    assert all(f"mongod_{v}" in text and f"profile_{v}" in text for v in ("44", "50", "60", "70", "80"))
