"""Execute one notebook with papermill, scrub secrets from what it wrote, and read its verdict.

The HTML export comes later (:mod:`analysis.runner.report_steps`), once the run is compared with its baseline.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nbformat
import papermill
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from papermill.exceptions import PapermillExecutionError
from traitlets.config import Config

from ..config import RUN_DIR_ENV
from ..errors import ConfigError
from ..record import read_verdict
from ..redact import redact_text
from .result import NotebookResult


def check_kernel(kernel_name: str) -> None:
    """Fail early with one line when the kernel is not registered.

    Raises
    ------
    ConfigError
        The kernel is unknown in this environment.
    """
    try:
        KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel as exc:
        raise ConfigError(
            f"Jupyter kernel '{kernel_name}' is not registered in this environment; run `make setup`"
        ) from exc


def fold_line(text: str, limit: int = 300) -> str:
    """``text`` on one line (white space folded), cut to ``limit`` characters with an ellipsis."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def scrub_file(path: Path, secrets: Sequence[str]) -> None:
    """Redact URI passwords and the literal ``secrets`` in a text file, in place (if it exists)."""
    if path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:  # a binary artifact (an image): nothing textual to redact
            return
        clean = redact_text(text, secrets)
        if clean != text:
            path.write_text(clean, encoding="utf-8")


@contextmanager
def run_dir_env(run_dir: Path) -> Iterator[None]:
    """Set ``$ANALYSIS_RUN_DIR`` for the kernel started inside (it inherits the environment)."""
    before = os.environ.get(RUN_DIR_ENV)
    os.environ[RUN_DIR_ENV] = str(run_dir)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(RUN_DIR_ENV, None)
        else:
            os.environ[RUN_DIR_ENV] = before


def _papermill(notebook: Path, out_nb: Path, parameters: Mapping[str, Any], *,
               kernel_name: str, timeout: int, progress: bool) -> str | None:
    """Run papermill; return the error as ``"Type: message"``, or None when every cell ran."""
    # Local unix sockets instead of loopback TCP: nothing to eavesdrop on, no port races. The sockets go
    # to a private directory: jupyter_client's default ("kernel-ipc-N" in the working directory, which
    # is the notebooks/ folder) lets two runners started at once pick the same sockets.
    with tempfile.TemporaryDirectory(prefix="infra-mind-kernel-") as sockets:
        kernel_config = Config()
        kernel_config.KernelManager.transport = "ipc"
        kernel_config.KernelManager.ip = str(Path(sockets) / "kernel-ipc")
        try:
            papermill.execute_notebook(
                str(notebook),
                str(out_nb),
                parameters=dict(parameters),
                kernel_name=kernel_name,
                execution_timeout=timeout,
                progress_bar={"desc": notebook.stem, "leave": False} if progress else False,
                cwd=str(notebook.parent),
                log_output=False,
                config=kernel_config,
            )
        except PapermillExecutionError as exc:
            return f"{exc.ename}: {exc.evalue}"
        except Exception as exc:  # kernel died, timeout, unreadable notebook: still report, keep going
            return f"{type(exc).__name__}: {exc}"
    return None


def _collect(result: NotebookResult, out_nb: Path, error: str | None, secrets: Sequence[str]) -> str | None:
    """Scrub the executed notebook and fill ``result`` from its verdict; return the error."""
    scrub_file(out_nb, secrets)
    result.ipynb = out_nb.name
    if error is None:
        v = read_verdict(nbformat.read(out_nb, as_version=4))
        if v is None:
            error = "the notebook recorded no verdict (analysis.record.publish was not called)"
        else:
            result.status, result.headline, result.figures = v.status, v.headline, v.figures
            result.figure_info, result.next_steps = v.figure_info, v.next_steps
    return error


def execute_notebook(
    notebook: Path,
    run_dir: Path,
    parameters: Mapping[str, Any],
    *,
    kernel_name: str,
    timeout: int,
    secrets: Sequence[str],
    progress: bool = True,
) -> NotebookResult:
    """Execute one notebook with papermill, redact, and read its verdict.

    Parameters
    ----------
    notebook : Path
        The notebook to run.
    run_dir : Path
        Where the executed ``.ipynb`` goes; files the notebook writes for readers
        go to ``run_dir/<notebook stem>/`` (``$ANALYSIS_RUN_DIR`` points the kernel there) and are
        scrubbed like the notebook.
    parameters : mapping
        Injected by papermill.
    kernel_name : str
        The Jupyter kernel.
    timeout : int
        Per-cell timeout in seconds.
    secrets : sequence of str
        Literal values scrubbed from every artifact and from the error text.
    progress : bool
        Show papermill's cell progress bar.

    Returns
    -------
    NotebookResult
        The notebook's verdict, or ERROR with a one-line, redacted ``error`` when it raised
        or recorded nothing. Never raises for a notebook's own failure.
    """
    out_nb = run_dir / notebook.name
    t0 = time.perf_counter()
    with run_dir_env(run_dir):
        error = _papermill(notebook, out_nb, parameters, kernel_name=kernel_name, timeout=timeout,
                           progress=progress)
    for artifact in sorted((run_dir / notebook.stem).rglob("*")):  # files the notebook wrote for readers
        if artifact.is_file():
            scrub_file(artifact, secrets)
    result = NotebookResult(name=notebook.stem, status="ERROR", seconds=round(time.perf_counter() - t0, 2))
    if out_nb.exists():
        error = _collect(result, out_nb, error, secrets)
    if error is not None:
        result.status = "ERROR"
        result.error = fold_line(redact_text(error, secrets))
        result.headline = result.headline or result.error
    return result
