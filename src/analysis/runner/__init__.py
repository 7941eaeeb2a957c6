"""Run notebooks into shareable reports: papermill → redaction → HTML (code hidden) → index.

One run writes ``OUT/<UTC timestamp>/`` with, per notebook, the executed ``.ipynb`` and
an ``.html`` export without code, plus ``index.html`` and ``summary.json``; then it points
``OUT/latest`` at the new run. Work happens in a hidden ``OUT/.<timestamp>.partial/``
directory that is renamed only when the run is complete, so an interrupted run never
replaces ``OUT/latest``.

Statuses: each notebook's own verdict (PASS, WARN, FAIL — recorded with
:func:`analysis.record.publish`), or ERROR when it raised or recorded nothing. Exit code
(:data:`analysis.cli.EXIT_CODES`): 0 when all are PASS/WARN, 1 when any FAIL, 2 when any ERROR.

Modules by job: ``discover`` (which notebooks), ``parameters`` (what they get),
``execute`` (papermill + scrubbing + verdict), ``export`` (HTML), ``index`` (the index
page), ``publish`` (atomic rename and ``latest``), ``result`` (NotebookResult, RunSummary),
``pipeline`` (:func:`run_notebooks`), ``cli`` (``run``) and ``list_cli`` (``list``).
"""

from .discover import discover_notebooks, resolve_notebooks
from .execute import check_kernel, execute_notebook
from .export import export_html
from .index import render_index
from .parameters import inspect_parameters, load_params_file, parse_overrides, plan_parameters, secret_env_names
from .pipeline import run_notebooks
from .publish import prepare_out_dir, publish
from .result import NotebookResult, RunSummary

__all__ = [
    "NotebookResult",
    "RunSummary",
    "check_kernel",
    "discover_notebooks",
    "execute_notebook",
    "export_html",
    "inspect_parameters",
    "load_params_file",
    "parse_overrides",
    "plan_parameters",
    "prepare_out_dir",
    "publish",
    "render_index",
    "resolve_notebooks",
    "run_notebooks",
    "secret_env_names",
]
