"""Session-wide hygiene of the test suite; its hooks are imported by ``tests/conftest.py``.

* **System tools.** A test that needs a system binary asks :func:`need_tools`; a missing one skips the
  test with a reason starting ``system tool missing:``, and the session ends with ONE line naming the
  skipped tests and the command that installs what they need (``scripts/system-deps``, which ``make
  test`` runs first). ``INFRA_MIND_REQUIRE_TOOLS=1`` (set by ``.ci/run``) fails those tests instead.
* **Nothing left running.** Every process the suite starts inherits ``INFRA_MIND_TEST_SESSION=<id>``
  (set once, by the controller, before any test). At the end, once every worker has finished, a
  process still carrying the marker (a daemonized redis-server, a Prometheus, a kernel) fails the run;
  it is named and then ended.
* **Nothing written into the checkout.** Files created during the session anywhere in the checkout, and
  untracked files modified during it (caches excepted: ``__pycache__``, ``.pytest_cache``,
  ``.hypothesis``, ``.venv``), fail the run. Notebook executions outside the runner (nbval) write their
  artifacts into a temporary ``$ANALYSIS_RUN_DIR`` set here for the session.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader
from pathlib import Path

import pytest

from analysis.config import RUN_DIR_ENV

ROOT = Path(__file__).resolve().parents[1]
MARKER_ENV = "INFRA_MIND_TEST_SESSION"
REQUIRE_ENV = "INFRA_MIND_REQUIRE_TOOLS"
TOOL_SKIP = "system tool missing:"
#: directories of tools' caches, never counted as written by the tests
CACHE_DIRS = {".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", "build", "dist"}
#: seconds the end-of-session check waits for the suite's processes to exit on their own
GRACE_S = float(os.environ.get("INFRA_MIND_HYGIENE_GRACE_S", "10"))


def _load_system_deps():
    """``scripts/system-deps`` as a module (the one table of tools and packages)."""
    loader = SourceFileLoader("system_deps", str(ROOT / "scripts" / "system-deps"))
    module = module_from_spec(spec_from_loader("system_deps", loader))
    loader.exec_module(module)
    return module


SYSTEM_DEPS = _load_system_deps()


def need_tools(*tools: str) -> dict[str, str]:
    """The paths of system ``tools`` (names of ``scripts/system-deps``); skip the test if one is missing."""
    found = {t: SYSTEM_DEPS.find(t) for t in tools}
    absent = [t for t, path in found.items() if path is None]
    if absent:
        reason = f"{TOOL_SKIP} {', '.join(absent)}"
        if os.environ.get(REQUIRE_ENV, "").strip() not in ("", "0"):
            pytest.fail(f"{reason} ({REQUIRE_ENV} is set: {SYSTEM_DEPS.install_command(absent)})")
        pytest.skip(reason)
    return found  # type: ignore[return-value]


# --------------------------------------------------------------------------- snapshots

def checkout_files(root: Path = ROOT) -> dict[str, tuple[int, int]]:
    """Every file of the checkout outside the tools' caches → (size, mtime in ns)."""
    files: dict[str, tuple[int, int]] = {}
    for here, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in CACHE_DIRS and not d.endswith(".egg-info")]
        for name in names:
            path = os.path.join(here, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue
            files[os.path.relpath(path, root)] = (st.st_size, st.st_mtime_ns)
    return files


def tracked_files(root: Path = ROOT) -> set[str] | None:
    """The files git tracks (None: not a git checkout)."""
    try:
        out = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], capture_output=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return {p for p in out.stdout.decode("utf-8", "replace").split("\0") if p}


def written_files(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]],
                  tracked: set[str] | None) -> list[str]:
    """Files created between the snapshots, and untracked ones modified (edits of tracked files are the
    developer's; a non-git checkout counts created files only)."""
    created = [p for p in after if p not in before]
    modified = [p for p in after if p in before and after[p] != before[p] and tracked is not None and p not in tracked]
    return sorted(created + modified)


def marked_processes(marker: str) -> dict[int, str]:
    """Processes (other than this one) whose initial environment has ``$INFRA_MIND_TEST_SESSION=marker`` → their
    command line."""
    needle = f"{MARKER_ENV}={marker}".encode()
    found: dict[int, str] = {}
    try:
        entries = [e.name for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:  # no /proc: nothing to check
        return found
    for name in entries:
        pid = int(name)
        if pid == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                env = fh.read().split(b"\0")
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except OSError:  # gone, or not ours
            continue
        if needle in env:
            found[pid] = cmd[:200]
    return found


def leftover_processes(marker: str, grace_s: float = GRACE_S) -> dict[int, str]:
    """The marked processes still running after ``grace_s`` seconds; each is then terminated (killed if it must)."""
    deadline = time.monotonic() + grace_s
    left = marked_processes(marker)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = marked_processes(marker)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in marked_processes(marker) if left else ():
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        deadline = time.monotonic() + 2.0
        while left and marked_processes(marker) and time.monotonic() < deadline:
            time.sleep(0.05)
    return left


# --------------------------------------------------------------------------- hooks

def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    """Mark the session's processes (controller only), snapshot the checkout, give nbval a run directory."""
    _CONFIG["config"] = config
    if not _is_worker(config):
        os.environ[MARKER_ENV] = uuid.uuid4().hex
        config.stash[_BEFORE] = checkout_files()
    run_dir = tempfile.mkdtemp(prefix="infra-mind-tests-run-")
    config.stash[_RUN_DIR] = (run_dir, os.environ.get(RUN_DIR_ENV))
    os.environ[RUN_DIR_ENV] = run_dir
    config.stash[_TOOL_SKIPS] = []
    config.stash[_OTHER_SKIPS] = Counter()
    config.stash[_PROBLEMS] = []


def pytest_unconfigure(config: pytest.Config) -> None:
    if _RUN_DIR in config.stash:
        run_dir, before = config.stash[_RUN_DIR]
        shutil.rmtree(run_dir, ignore_errors=True)
        if before is None:
            os.environ.pop(RUN_DIR_ENV, None)
        else:
            os.environ[RUN_DIR_ENV] = before


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return reason.removeprefix("Skipped: ")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect skips: system-tool ones for the one summary line, the others as pytest's ``-rs`` would."""
    if not report.skipped or getattr(report, "wasxfail", None) is not None:
        return
    config = _CONFIG.get("config")
    if config is None or _TOOL_SKIPS not in config.stash:
        return
    reason = _skip_reason(report)
    if reason.startswith(TOOL_SKIP):
        tools = [t.strip() for t in reason[len(TOOL_SKIP):].split(",") if t.strip()]
        config.stash[_TOOL_SKIPS].append((report.nodeid, tools))
    else:
        path, line = (report.longrepr[0], report.longrepr[1]) if isinstance(report.longrepr, tuple) else (report.nodeid, 0)
        config.stash[_OTHER_SKIPS][(f"{path}:{line}", reason)] += 1


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_sessionfinish(session: pytest.Session):
    """After every worker has finished (inside the terminal's summary): leftover processes, written files."""
    result = yield
    config = session.config
    if _is_worker(config) or _BEFORE not in config.stash:
        return result
    problems = config.stash[_PROBLEMS]
    left = leftover_processes(os.environ[MARKER_ENV])
    problems += [f"FAILED (session hygiene): left running by the tests (now ended): pid {pid}: {cmd}" for pid, cmd in sorted(left.items())]
    reports = {os.path.relpath(os.path.abspath(p), ROOT) for p in (config.option.xmlpath,) if p}  # --junitxml
    written = [p for p in written_files(config.stash[_BEFORE], checkout_files(), tracked_files()) if p not in reports]
    problems += [f"FAILED (session hygiene): written into the checkout by the tests: {p}" for p in written]
    if problems and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    return result


def tool_skip_line(skips: list[tuple[str, list[str]]]) -> str:
    """The one line for tests skipped for want of system tools."""
    tools = list(dict.fromkeys(t for _, ts in skips for t in ts))
    files = Counter(nodeid.split("::")[0] for nodeid, _ in skips)
    named = ", ".join(f"{f} ({n})" for f, n in files.items())
    return (f"SKIPPED {len(skips)} test(s) needing {', '.join(tools)}, not installed: {named}. "
            f"Install with: {SYSTEM_DEPS.install_command(tools)}")


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    if _is_worker(config) or _TOOL_SKIPS not in config.stash:
        return
    for (where, reason), n in sorted(config.stash[_OTHER_SKIPS].items()):
        terminalreporter.write_line(f"SKIPPED [{n}] {where}: {reason}")
    for line in config.stash[_PROBLEMS]:
        terminalreporter.write_line(line, red=True, bold=True)
    if config.stash[_TOOL_SKIPS]:
        terminalreporter.write_line(tool_skip_line(config.stash[_TOOL_SKIPS]), yellow=True, bold=True)


_CONFIG: dict[str, pytest.Config] = {}
_BEFORE = pytest.StashKey[dict]()
_RUN_DIR = pytest.StashKey[tuple]()
_TOOL_SKIPS = pytest.StashKey[list]()
_OTHER_SKIPS = pytest.StashKey[Counter]()
_PROBLEMS = pytest.StashKey[list]()
