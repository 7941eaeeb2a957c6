"""tests/session_hygiene.py: one line for tests skipped for want of a system tool; a process left running or a
file written into the checkout fails the run. The end-to-end test runs a small suite in a child pytest."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid

import pytest

from tests import session_hygiene as hygiene


def test_tool_skip_line_names_the_files_the_tools_and_the_command():
    line = hygiene.tool_skip_line([("tests/a.py::t1", ["chromium"]), ("tests/a.py::t2", ["chromium"]),
                                   ("tests/b.py::t[x]", ["prometheus", "promtool"])])
    assert line == ("SKIPPED 3 test(s) needing chromium, prometheus, promtool, not installed: tests/a.py (2), "
                    "tests/b.py (1). Install with: sudo scripts/system-deps chromium prometheus promtool   "
                    "(apt-get install chromium fonts-dejavu-core prometheus)")


def test_written_files_are_new_files_and_changed_untracked_ones():
    before = {"src/a.py": (1, 1), "reports/history.sqlite": (5, 1)}
    after = {"src/a.py": (2, 2), "reports/history.sqlite": (6, 2), "reports/adhoc/x.yml": (1, 3)}
    assert hygiene.written_files(before, after, {"src/a.py"}) == ["reports/adhoc/x.yml", "reports/history.sqlite"]
    assert hygiene.written_files(before, after, None) == ["reports/adhoc/x.yml"]


def test_need_tools_skips_or_fails_with_the_reason(monkeypatch):
    monkeypatch.setattr(hygiene.SYSTEM_DEPS, "find", lambda tool: None)
    monkeypatch.delenv(hygiene.REQUIRE_ENV, raising=False)  # .ci/run sets it for the suite itself
    with pytest.raises(pytest.skip.Exception, match="^system tool missing: chromium$"):
        hygiene.need_tools("chromium")
    monkeypatch.setenv(hygiene.REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="system tool missing: chromium .*sudo scripts/system-deps chromium"):
        hygiene.need_tools("chromium")


def test_a_leftover_process_and_a_file_in_the_checkout_fail_the_run(tmp_path):
    probe = hygiene.ROOT / f".hygiene-probe-{uuid.uuid4().hex}"
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "pytest.ini").write_text("[pytest]\n")
    (suite / "conftest.py").write_text("from tests.session_hygiene import (need_tools, pytest_configure, "
                                       "pytest_runtest_logreport, pytest_sessionfinish, pytest_terminal_summary, "
                                       "pytest_unconfigure)\n")
    (suite / "test_dirty.py").write_text(textwrap.dedent(f"""
        import subprocess, sys
        from pathlib import Path
        from tests.session_hygiene import need_tools

        def test_leaves_a_daemon():
            subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)

        def test_writes_into_the_checkout():
            Path({str(probe)!r}).write_text("x")

        def test_needs_a_tool_nobody_has(monkeypatch):
            import tests.session_hygiene as h
            monkeypatch.setattr(h.SYSTEM_DEPS, "find", lambda tool: None)
            need_tools("chromium")
    """))
    try:
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                               "-c", str(suite / "pytest.ini"), "--rootdir", str(suite), str(suite)],
                              cwd=hygiene.ROOT, capture_output=True, text=True, timeout=120,
                              env={**{k: v for k, v in os.environ.items() if k != hygiene.REQUIRE_ENV},
                                   "INFRA_MIND_HYGIENE_GRACE_S": "0.5"})
    finally:
        probe.unlink(missing_ok=True)
    out = proc.stdout
    assert proc.returncode == 1, out
    assert "2 passed, 1 skipped" in out
    assert "FAILED (session hygiene): left running by the tests (now ended): pid " in out and "time.sleep(120)" in out
    assert f"FAILED (session hygiene): written into the checkout by the tests: {probe.name}" in out
    skip_lines = [line for line in out.splitlines() if "SKIPPED" in line]
    assert len(skip_lines) == 1 and skip_lines[0].startswith("SKIPPED 1 test(s) needing chromium, not installed: ")
    assert hygiene.marked_processes("no-such-session") == {}
