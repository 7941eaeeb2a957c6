"""Run notebooks into shareable reports: papermill → redaction → HTML (code hidden) → index.

One run writes ``OUT/<UTC timestamp>/`` with, per notebook, the executed ``.ipynb`` and
an ``.html`` export without code, plus ``index.html`` and ``summary.json``; then it points
``OUT/latest`` at the new run. Work happens in a hidden ``OUT/.<timestamp>.partial/``
directory that is renamed only when the run is complete, so an interrupted run never
replaces ``OUT/latest``.

Statuses: each notebook's own verdict (PASS, WARN, FAIL — recorded with
:func:`analysis.record.publish`), or ERROR when it raised or recorded nothing. Exit code
(:data:`analysis.cli.EXIT_CODES`): 0 when all are PASS/WARN, 1 when any FAIL, 2 when any ERROR.

Every run is recorded in ``OUT/history.sqlite`` and compared with a baseline (the newest
earlier run with the same effective parameters, or ``--baseline``): ``summary.json`` gains
``baseline`` and ``changes``, the index a "since last run" column and sparklines, each report
an executive summary, and ``history.html`` charts every key figure over time.

Modules by job: ``discover`` (which notebooks), ``parameters`` (what they get, their hash),
``execute`` (papermill + scrubbing + verdict), ``export`` (HTML report), ``summary_block``
(its executive summary), ``index`` and ``sparkline`` (the index page), ``history_page``
(``history.html``), ``history`` (SQLite schema, migrations, writes), ``history_query``
(reads), ``history_steps`` (the run's use of the history), ``changes`` (diff math),
``report_steps`` (a run's files), ``notify`` (webhook), ``junit``, ``pdf``, ``provenance``
(git commit), ``publish`` (atomic rename, ``latest``, pruning), ``options`` (RunOptions),
``result`` (NotebookResult, RunSummary), ``pipeline`` (:func:`run_notebooks`), and the
commands ``cli`` (``run``), ``list_cli`` (``list``), ``history_cli`` (``history``) and
``diff_cli`` (``diff``).
"""

import importlib
from typing import Any

#: Public name → the module that defines it. Imported on first use (PEP 562), so the light commands
#: (``history``, ``diff``) never load papermill, nbconvert or matplotlib.
_EXPORTS = {
    "NotebookResult": "result",
    "RunOptions": "options",
    "RunSummary": "result",
    "check_kernel": "execute",
    "compare": "changes",
    "discover_notebooks": "discover",
    "execute_notebook": "execute",
    "export_html": "export",
    "inspect_parameters": "parameters",
    "load_params_file": "parameters",
    "parse_overrides": "parameters",
    "plan_parameters": "parameters",
    "prepare_out_dir": "publish",
    "prune": "publish",
    "publish": "publish",
    "render_index": "index",
    "resolve_notebooks": "discover",
    "run_notebooks": "pipeline",
    "secret_env_names": "parameters",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
