"""One run: plan the parameters, execute every notebook, write ``summary.json`` and ``index.html``, publish.

:func:`run_notebooks` is the one entry the ``run`` command, the tests and the benchmarks call.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from ..config import DEFAULT_CELL_TIMEOUT_S, KERNEL_NAME
from ..errors import ParameterError
from ..redact import redact_text, secret_values
from .execute import check_kernel, execute_notebook
from .index import render_index
from .parameters import inspect_parameters, load_params_file, plan_parameters, secret_env_names
from .publish import partial_dir, prepare_out_dir, publish, utc_stamp
from .result import NotebookResult, RunSummary


def check_timeout(timeout: int) -> None:
    """Reject a per-cell timeout that is not a positive number of seconds (``ParameterError``)."""
    if timeout <= 0:
        raise ParameterError(f"--timeout: must be a positive number of seconds, got {timeout}")


def _plan(notebooks: Sequence[Path], params_file: str | None,
          overrides: Mapping[str, Any]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Every notebook's parameters and the secret values to scrub; raises before anything runs."""
    file_params = load_params_file(params_file) if params_file else {}
    inspected = {nb.stem: inspect_parameters(nb) for nb in notebooks}
    plan = plan_parameters(notebooks, file_params, overrides, params_file=params_file, inspected=inspected)
    return plan, secret_values(secret_env_names(plan, inspected))


def _execute_all(notebooks: Sequence[Path], run_dir: Path, plan: Mapping[str, Mapping[str, Any]], *,
                 kernel_name: str, timeout: int, secrets: Sequence[str], progress: bool,
                 on_result: Callable[[NotebookResult], None] | None) -> list[NotebookResult]:
    """Execute the notebooks one after the other into ``run_dir``; one failing does not stop the others."""
    results: list[NotebookResult] = []
    bar = tqdm(notebooks, desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
    for nb in bar:
        bar.set_postfix_str(nb.stem)
        result = execute_notebook(
            nb, run_dir, plan[nb.stem], kernel_name=kernel_name, timeout=timeout, secrets=secrets, progress=progress
        )
        results.append(result)
        if on_result:
            on_result(result)
    return results


def _write_run_files(run_dir: Path, summary: RunSummary, secrets: Sequence[str]) -> None:
    """Write ``summary.json`` and ``index.html`` (redacted) and make the run readable by others."""
    (run_dir / "summary.json").write_text(
        redact_text(json.dumps(summary.to_json(), indent=2), secrets), encoding="utf-8"
    )
    (run_dir / "index.html").write_text(redact_text(render_index(summary), secrets), encoding="utf-8")
    os.chmod(run_dir, 0o755)


def run_notebooks(
    notebooks: Sequence[Path],
    *,
    out: Path,
    params_file: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    kernel_name: str = KERNEL_NAME,
    timeout: int = DEFAULT_CELL_TIMEOUT_S,
    progress: bool = True,
    on_result: Callable[[NotebookResult], None] | None = None,
) -> RunSummary:
    """Execute ``notebooks`` into a new report under ``out`` and return the summary.

    Parameters
    ----------
    notebooks : sequence of Path
        Notebooks to run (see :func:`~analysis.runner.discover.resolve_notebooks`).
    out : Path
        Report root; the run goes to ``out/<UTC timestamp>/`` and ``out/latest``.
    params_file : str, optional
        YAML parameter set (:func:`~analysis.runner.parameters.load_params_file`).
    overrides : mapping, optional
        ``-p`` values (:func:`~analysis.runner.parameters.parse_overrides`).
    kernel_name : str
        Jupyter kernel to execute with.
    timeout : int
        Per-cell execution timeout in seconds.
    progress : bool
        Show progress bars (notebooks and cells).
    on_result : callable, optional
        Called with each notebook's result as soon as it is known.

    Returns
    -------
    RunSummary
        What was written to ``summary.json``; ``status`` is the worst notebook status.

    Raises
    ------
    ConfigError
        Bad parameters, unknown kernel or an output directory that is not writable: raised
        before any notebook runs. An interrupted run (any exception, Ctrl-C) leaves ``out/latest`` as it was.
    """
    check_timeout(timeout)
    plan, secrets = _plan(notebooks, params_file, overrides or {})
    check_kernel(kernel_name)
    prepare_out_dir(out)
    started = dt.datetime.now(dt.timezone.utc)
    stamp = utc_stamp(started)
    partial = partial_dir(out, stamp)
    try:
        results = _execute_all(notebooks, partial, plan, kernel_name=kernel_name, timeout=timeout,
                               secrets=secrets, progress=progress, on_result=on_result)
        summary = RunSummary(
            started=started.isoformat(timespec="seconds"),
            finished=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            params_file=params_file,
            notebooks=results,
        )
        _write_run_files(partial, summary, secrets)
        final = publish(partial, out, stamp)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    summary.run_dir = str(final)
    return summary
