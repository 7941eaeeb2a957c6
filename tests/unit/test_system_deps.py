"""scripts/system-deps: the one set-up path for system packages, on a PATH without the tools and a fake apt-get.

Nothing is installed: ``apt-get`` and ``sudo`` are small fakes that log what they were asked and "install" a
package by creating its executables in the fake PATH. ``INFRA_MIND_SYSTEM_DEPS_UID`` plays a user who is not
root; ``INFRA_MIND_NO_INSTALL`` is the user-facing opt-out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.session_hygiene import ROOT, SYSTEM_DEPS

SCRIPT = ROOT / "scripts" / "system-deps"

FAKE_APT = f"""#!{sys.executable}
import json, os, sys
from pathlib import Path
log = Path(os.environ["FAKE_LOG"])
log.open("a").write(json.dumps({{"argv": sys.argv[1:], "frontend": os.environ.get("DEBIAN_FRONTEND"),
                                 "sudo": os.environ.get("FAKE_VIA_SUDO") == "1"}}) + "\\n")
if os.environ.get("FAKE_APT_EXIT", "0") != "0":
    print("E: Unable to locate package", file=sys.stderr)
    sys.exit(int(os.environ["FAKE_APT_EXIT"]))
provides = {{"prometheus": ["prometheus", "promtool"], "chromium": ["chromium"]}}
if sys.argv[1] == "install":
    for pkg in sys.argv[2:]:
        for tool in provides.get(pkg, []):
            exe = Path(os.environ["FAKE_BIN"]) / tool
            exe.write_text("#!/bin/sh\\n")
            exe.chmod(0o755)
"""

FAKE_SUDO = f"""#!{sys.executable}
import os, sys
args = sys.argv[1:]
assert args[0] == "-n", args
if os.environ.get("FAKE_SUDO_OK") != "1":
    print("sudo: a password is required", file=sys.stderr)
    sys.exit(1)
if args[1:] == ["true"]:
    sys.exit(0)
os.environ["FAKE_VIA_SUDO"] = "1"
os.execvp(args[1], args[1:])
"""


@pytest.fixture
def fake(tmp_path):
    """A PATH holding only fakes of apt-get and sudo (and env): the tools are missing."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("apt-get", FAKE_APT), ("sudo", FAKE_SUDO)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    (bin_dir / "env").symlink_to("/usr/bin/env")
    log = tmp_path / "apt.log"

    def run(*args: str, uid: int = 0, **env: str) -> subprocess.CompletedProcess:
        environ = {"PATH": str(bin_dir), "FAKE_BIN": str(bin_dir), "FAKE_LOG": str(log), "HOME": str(tmp_path),
                   "INFRA_MIND_SYSTEM_DEPS_UID": str(uid), **env}
        return subprocess.run([sys.executable, str(SCRIPT), *args], env=environ, capture_output=True, text=True,
                              timeout=60)

    def calls() -> list[dict]:
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    return run, calls, bin_dir


def test_as_root_the_missing_tools_are_installed_with_apt(fake):
    run, calls, bin_dir = fake
    proc = run()
    assert proc.returncode == 0, proc.stderr
    assert [c["argv"] for c in calls()] == [
        ["update", "-qq"],
        ["install", "-y", "-qq", "--no-install-recommends", "prometheus", "chromium", "fonts-dejavu-core"]]
    assert {c["frontend"] for c in calls()} == {"noninteractive"} and not any(c["sudo"] for c in calls())
    assert all((bin_dir / t).exists() for t in ("prometheus", "promtool", "chromium"))
    assert "installed prometheus chromium fonts-dejavu-core" in proc.stderr
    assert run().returncode == 0 and len(calls()) == 2  # nothing missing now: apt is not asked again


def test_only_the_tools_asked_for(fake):
    run, calls, bin_dir = fake
    assert run("chromium").returncode == 0
    assert calls()[-1]["argv"][-2:] == ["chromium", "fonts-dejavu-core"] and not (bin_dir / "prometheus").exists()


def test_a_user_with_passwordless_sudo_installs_through_sudo(fake):
    run, calls, _ = fake
    proc = run(uid=1000, FAKE_SUDO_OK="1")
    assert proc.returncode == 0, proc.stderr
    assert [c["sudo"] for c in calls()] == [True, True] and {c["frontend"] for c in calls()} == {"noninteractive"}


@pytest.mark.parametrize("who", [{"uid": 1000}, {"uid": 0, "INFRA_MIND_NO_INSTALL": "1"}])
def test_who_cannot_install_gets_one_line_with_the_command_and_the_tests_go_on(fake, who):
    run, calls, _ = fake
    proc = run(**who)
    assert proc.returncode == 0 and calls() == [] and proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert line.startswith("system-deps: prometheus, promtool, chromium missing and not installed (")
    assert line.endswith("Install with: sudo scripts/system-deps prometheus promtool chromium   "
                         "(apt-get install prometheus chromium fonts-dejavu-core)")
    assert run("--require", **who).returncode == 1  # CI: a missing tool is an error


def test_a_failing_apt_is_one_line_and_fails_only_with_require(fake):
    run, calls, _ = fake
    proc = run(FAKE_APT_EXIT="100")
    assert proc.returncode == 0 and "apt-get update exited 100 (E: Unable to locate package)" in proc.stderr
    assert run("--require", FAKE_APT_EXIT="100").returncode == 1


def test_check_installs_nothing_and_unknown_tools_are_refused(fake):
    run, calls, _ = fake
    proc = run("--check", "chromium")
    assert proc.returncode == 1 and calls() == []
    assert proc.stdout.strip() == ("system-deps: missing chromium; install with: sudo scripts/system-deps chromium   "
                                   "(apt-get install chromium fonts-dejavu-core)")
    bad = run("nmap")
    assert bad.returncode == 2 and "unknown tool(s) nmap" in bad.stderr


def test_the_table_names_a_package_for_every_tool_the_tests_ask_for():
    assert SYSTEM_DEPS.packages(["promtool", "prometheus"]) == ["prometheus"]
    assert os.access(SCRIPT, os.X_OK) and Path(SCRIPT).read_text().startswith("#!/usr/bin/env python3")


def _make_n(*args: str) -> list[str]:
    out = subprocess.run(["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


def test_make_test_make_report_pdf_and_ci_take_the_one_path():
    """make test installs through system-deps before pytest; make report --pdf asks it for chromium; .ci/run too."""
    test = _make_n("test")
    deps = next(i for i, line in enumerate(test) if line.endswith("scripts/system-deps"))
    pytest_line = next(i for i, line in enumerate(test) if " -m pytest " in line)
    assert deps < pytest_line and " -n " in test[pytest_line] and "--dist loadscope" in test[pytest_line]
    assert any(line.endswith("scripts/system-deps chromium ;; esac") for line in _make_n("report", "REPORT_ARGS=--pdf"))
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/system-deps --require" in ci and ci.index("system-deps") < ci.index("make test")
