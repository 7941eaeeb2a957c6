"""One run: plan the parameters, execute every notebook, compare with the baseline, write the
reports, ``summary.json``, ``index.html`` and ``history.html``, record the run in the history,
publish; then prune, write JUnit and notify.

:func:`run_notebooks` is the one entry the ``run`` command, the tests and the benchmarks call.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from ..config import DEFAULT_CELL_TIMEOUT_S, KERNEL_NAME
from ..errors import ConfigError, ParameterError
from ..redact import secret_values
from . import history_steps
from .execute import check_kernel, execute_notebook
from .junit import write_junit
from .notify import notify
from .options import RunOptions
from .parameters import (effective_parameters, inspect_parameters, load_params_file, params_hash, plan_parameters,
                         secret_env_names)
from .pdf import write_pdfs
from .provenance import git_commit
from .publish import prune, publish, prepare_out_dir, reserve_run, utc_stamp
from .report_steps import HISTORY_PAGE, export_reports, write_run_files
from .result import NotebookResult, RunSummary


def check_timeout(timeout: int) -> None:
    """Reject a per-cell timeout that is not a positive number of seconds (``ParameterError``)."""
    if timeout <= 0:
        raise ParameterError(f"--timeout: must be a positive number of seconds, got {timeout}")


def default_jobs() -> int:
    """Notebooks run at once by default: the CPU cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def check_jobs(jobs: int, notebooks: Sequence[Path]) -> None:
    """Reject ``jobs`` < 1 and two notebooks of one name (they would share an output file and directory)."""
    if jobs < 1:
        raise ParameterError(f"--jobs: must be at least 1, got {jobs}")
    stems = [nb.stem for nb in notebooks]
    twice = sorted({s for s in stems if stems.count(s) > 1})
    if twice:
        raise ConfigError(f"notebook {twice[0]} is selected twice (two notebooks of one name would share their "
                          f"report files)")


def _plan(notebooks: Sequence[Path], params_file: str | None, overrides: Mapping[str, Any],
          extra_secret_env: Sequence[str]) -> tuple[dict[str, dict[str, Any]], list[str], str]:
    """Every notebook's parameters, the secret values to scrub and the parameter hash; raises before anything runs."""
    file_params = load_params_file(params_file) if params_file else {}
    inspected = {nb.stem: inspect_parameters(nb) for nb in notebooks}
    plan = plan_parameters(notebooks, file_params, overrides, params_file=params_file, inspected=inspected)
    secrets = secret_values(secret_env_names(plan, inspected) | set(extra_secret_env))
    return plan, secrets, params_hash(effective_parameters(plan, inspected))


def _execute_all(notebooks: Sequence[Path], run_dir: Path, plan: Mapping[str, Mapping[str, Any]], *,
                 kernel_name: str, timeout: int, secrets: Sequence[str], progress: bool,
                 on_result: Callable[[NotebookResult], None] | None, jobs: int = 1) -> list[NotebookResult]:
    """Execute the notebooks into ``run_dir``, up to ``jobs`` at a time; one failing does not stop the others.

    Each execution has its own kernel and writes only ``run_dir/<stem>.ipynb`` and ``run_dir/<stem>/``.
    The results come back in the order of ``notebooks`` whatever order they finish in; ``on_result`` is
    called (in this thread) as each one finishes.
    """
    def one(nb: Path, cell_bars: bool) -> NotebookResult:
        return execute_notebook(nb, run_dir, plan[nb.stem], kernel_name=kernel_name, timeout=timeout,
                                secrets=secrets, progress=cell_bars)

    bar = tqdm(total=len(notebooks), desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
    done: dict[int, NotebookResult] = {}

    def finished(i: int, result: NotebookResult) -> None:
        done[i] = result
        bar.update()
        if on_result:
            on_result(result)

    with bar:
        if jobs == 1 or len(notebooks) == 1:
            for i, nb in enumerate(notebooks):
                bar.set_postfix_str(nb.stem)
                finished(i, one(nb, progress))
        else:
            # cell progress bars only for one notebook at a time (several would overwrite each other)
            with ThreadPoolExecutor(max_workers=min(jobs, len(notebooks)), thread_name_prefix="notebook") as pool:
                futures = {pool.submit(one, nb, False): i for i, nb in enumerate(notebooks)}
                try:
                    for future in as_completed(futures):
                        finished(futures[future], future.result())
                except BaseException:
                    for future in futures:
                        future.cancel()
                    raise
    return [done[i] for i in range(len(notebooks))]


def _warn(summary: RunSummary, line: str | None) -> bool:
    """Print a WARN line on stderr and keep it in the summary; return whether there was one."""
    if line:
        print(line, file=sys.stderr)
        summary.warnings.append(line)
    return bool(line)


def _assemble(partial: Path, out: Path, summary: RunSummary, options: RunOptions, baseline: Any,
              secrets: Sequence[str], jobs: int = 1) -> None:
    """Compare, export the reports, record the run, write the run's files and PDFs into ``partial``."""
    broken = bool(summary.warnings) or _warn(summary, history_steps.compare_with_baseline(out, summary, baseline,
                                                                                          options.baseline))
    if export_reports(partial, summary, secrets) and not broken:
        history_steps.refresh_changes(summary, out)
    view = history_steps.HistoryView()
    if not broken:  # one WARN line per run: a broken history is not tried again
        view, warning = history_steps.record_and_read(out, summary)
        _warn(summary, warning)
    write_run_files(partial, summary, view, secrets)
    if options.pdf:
        pages = [r.html for r in summary.notebooks if r.html] + ["index.html", HISTORY_PAGE]
        _, notes = write_pdfs(partial, pages, jobs=jobs)
        for note in notes:
            print(note, file=sys.stderr)


def _after_publish(out: Path, summary: RunSummary, options: RunOptions) -> None:
    """Prune old runs, write JUnit, notify; each problem is one WARN line, never a failed run."""
    if options.keep is not None:
        removed = prune(out, options.keep)
        if removed:
            print(f"Pruned {len(removed)} old run directorie(s) (history keeps them): {', '.join(removed)}", file=sys.stderr)
    if options.junit is not None:
        try:
            write_junit(summary, options.junit)
        except OSError as exc:
            print(f"WARN JUnit file {options.junit}: {exc.strerror or exc}", file=sys.stderr)
    if options.notify_webhook_env:
        line = notify(summary, env_name=options.notify_webhook_env, mode=options.notify, report_url=options.report_url)
        if line:
            print(line, file=sys.stderr)


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
    options: RunOptions | None = None,
    jobs: int = 1,
) -> RunSummary:
    """Execute ``notebooks`` into a new report under ``out`` and return the summary.

    Parameters
    ----------
    notebooks : sequence of Path
        Notebooks to run (see :func:`~analysis.runner.discover.resolve_notebooks`).
    out : Path
        Report root; the run goes to ``out/<run id>/``, ``out/latest`` and ``out/history.sqlite``.
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
        Called with each notebook's result as soon as it is known (in the order they finish).
    options : RunOptions, optional
        Baseline, pruning, notification, JUnit and PDF (all off by default).
    jobs : int
        Notebooks executed at once, each in its own kernel (the ``run`` command's ``--jobs`` defaults to
        :func:`default_jobs`). The summary, the history and the exit code do not depend on it.

    Returns
    -------
    RunSummary
        What was written to ``summary.json``; ``status`` is the worst notebook status.

    Raises
    ------
    ConfigError
        Bad parameters or options, unknown kernel or baseline, an output directory that is not
        writable: raised before any notebook runs. An interrupted run (any exception, Ctrl-C)
        leaves ``out/latest`` as it was.
    """
    options = options or RunOptions()
    check_timeout(timeout)
    check_jobs(jobs, notebooks)
    options.check()
    webhook_env = [options.notify_webhook_env] if options.notify_webhook_env else []
    plan, secrets, phash = _plan(notebooks, params_file, overrides or {}, webhook_env)
    check_kernel(kernel_name)
    prepare_out_dir(out)
    baseline, early_warning = history_steps.resolve_baseline(out, options.baseline)
    started = dt.datetime.now(dt.timezone.utc)
    run_id, partial = reserve_run(out, utc_stamp(started))
    summary = RunSummary(started=started.isoformat(timespec="seconds"), finished="", params_file=params_file,
                         notebooks=[], run_id=run_id, params_hash=phash, git_commit=git_commit())
    _warn(summary, early_warning)
    try:
        summary.notebooks = _execute_all(notebooks, partial, plan, kernel_name=kernel_name, timeout=timeout,
                                         secrets=secrets, progress=progress, on_result=on_result, jobs=jobs)
        summary.finished = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        _assemble(partial, out, summary, options, baseline, secrets, jobs)
        final = publish(partial, out, run_id)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        if summary.finished:
            history_steps.forget_run(out, run_id)
        raise
    summary.run_dir = str(final)
    _after_publish(out, summary, options)
    return summary
