"""The files of a run: each notebook's HTML report (with its executive summary), ``summary.json``,
``index.html`` and ``history.html`` — all scrubbed of secrets."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from functools import partial
from pathlib import Path

from ..escape import html_text
from ..redact import redact_text
from .execute import fold_line, scrub_file
from .export import SummaryBuilder, export_html
from .history_page import render_history_page
from .history_steps import HistoryView
from .index import render_index
from .publish import RUN_ID
from .result import NotebookResult, RunSummary
from .summary_block import render_summary

#: The history page's file name in every run directory.
HISTORY_PAGE = "history.html"


def html_secrets(secrets: Sequence[str]) -> list[str]:
    """The secrets and their HTML-escaped forms (a value with ``&``, ``<``, ``>`` or a quote is written escaped)."""
    return sorted({*secrets, *(html_text(s) for s in secrets)})


def _summary_builder(summary: RunSummary, result: NotebookResult) -> SummaryBuilder:
    """The executive-summary callback the exporter calls with the report's title and contents."""
    change = next((c for c in summary.changes if c["notebook"] == result.name), None) if summary.baseline else None
    return partial(_render, result=result, change=change, summary=summary)


def _render(title: str, toc: Sequence[tuple[str, str]], *, result: NotebookResult, change: dict | None,
            summary: RunSummary) -> str:
    """:func:`render_summary` with the run's context."""
    return render_summary(result, title=title, change=change, baseline=summary.baseline, toc=toc,
                          run_id=summary.run_id, started=summary.started)


def export_reports(run_dir: Path, summary: RunSummary, secrets: Sequence[str]) -> bool:
    """Export every executed notebook to its HTML report; return whether an export failed.

    A notebook whose export fails becomes ERROR with the reason (the executed notebook stays).
    """
    failed = False
    for result in summary.notebooks:
        if not result.ipynb:
            continue
        out_html = run_dir / Path(result.ipynb).with_suffix(".html").name
        try:
            export_html(run_dir / result.ipynb, out_html, _summary_builder(summary, result))
            scrub_file(out_html, html_secrets(secrets))
            result.html = out_html.name
        except Exception as exc:  # an export failure must not hide the verdict
            failed = True
            out_html.unlink(missing_ok=True)
            result.status = "ERROR"
            result.error = result.error or fold_line(redact_text(f"HTML export failed: {type(exc).__name__}: {exc}", secrets))
            result.headline = result.headline or result.error
    return failed


def _write(path: Path, text: str, secrets: Sequence[str]) -> None:
    path.write_text(redact_text(text, secrets), encoding="utf-8")


def write_run_files(run_dir: Path, summary: RunSummary, view: HistoryView, secrets: Sequence[str]) -> None:
    """Write ``summary.json``, ``index.html`` and ``history.html`` (redacted); make the run readable by others."""
    _write(run_dir / "summary.json", json.dumps(summary.to_json(), indent=2, ensure_ascii=False), secrets)
    _write(run_dir / "index.html", render_index(summary, view.trends, history_page=HISTORY_PAGE), html_secrets(secrets))
    existing = {p.name for p in run_dir.parent.iterdir() if RUN_ID.match(p.name)} | {summary.run_id}
    _write(run_dir / HISTORY_PAGE, render_history_page(view.series, view.status_changes, run_id=summary.run_id,
                                                       params_hash=summary.params_hash, existing_runs=existing,
                                                       runs=view.runs, statuses=view.statuses), html_secrets(secrets))
    os.chmod(run_dir, 0o755)
