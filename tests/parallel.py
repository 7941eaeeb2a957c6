"""How ``make test`` splits the suite over pytest-xdist workers (``-n N --dist loadscope``).

``loadscope`` keeps each module (and each notebook's nbval cells) on one worker, so module-scoped fixtures
are built once and a notebook's cells run in order in one kernel; the biggest units are handed out first.
Modules that share one expensive session fixture are listed here under one name: they become one unit,
so the fixture is built once per run. (``--dist loadgroup`` with ``xdist_group`` marks would say this in
the tests themselves, but pytest-xdist 3.8 cannot group under pytest 9: it renames node ids through an
attribute pytest 9 no longer reads.)
"""

from __future__ import annotations

import pytest

try:
    from xdist.scheduler import LoadScopeScheduling
except ImportError:  # pragma: no cover - pytest-xdist is a dev dependency
    LoadScopeScheduling = object

#: session fixture → the test modules that use it (one xdist unit each)
SHARED_SESSION_FIXTURES: dict[str, tuple[str, ...]] = {
    "prom": ("tests/integration/test_slo_prometheus.py", "tests/integration/test_slo_rules.py"),
    "workbook": ("tests/integration/test_workbook_reports.py", "tests/integration/test_report_print.py"),
}
_UNIT_OF = {path: f"shared:{name}" for name, paths in SHARED_SESSION_FIXTURES.items() for path in paths}


class SuiteScheduling(LoadScopeScheduling):  # type: ignore[misc, valid-type]
    """``loadscope`` (one unit per module or class), with the modules of a shared session fixture as one unit."""

    def _split_scope(self, nodeid: str) -> str:
        return _UNIT_OF.get(nodeid.split("::", 1)[0]) or super()._split_scope(nodeid)


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: unknown under -p no:xdist
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """The suite's scheduler for ``--dist loadscope`` (other modes: pytest-xdist's own)."""
    if config.getvalue("dist") == "loadscope":
        return SuiteScheduling(config, log)
    return None
