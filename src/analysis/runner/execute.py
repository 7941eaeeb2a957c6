"""Execute one notebook with papermill, scrub secrets from what it wrote, and read its verdict.

Safe to call from several threads at once (the runner's ``--jobs``): each call starts its own kernel on
private unix sockets, and touches no process-wide state — the kernel gets ``$ANALYSIS_RUN_DIR`` and its
working directory (the notebook's folder) through its own kernel manager, not through this process's
environment or ``os.chdir`` (papermill's ``cwd=``).
The HTML export comes later (:mod:`analysis.runner.report_steps`), once the run is compared with its baseline.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import nbformat
import papermill
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from papermill.exceptions import PapermillExecutionError
from traitlets import Dict
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


class RunKernelManager(AsyncKernelManager):
    """The kernel manager of one notebook of a run: its kernel's environment is this process's plus ``run_env``.

    nbclient's default manager (``AsyncKernelManager``) with one addition, so that notebooks executed at
    the same time each tell their own kernel where its files go without sharing ``os.environ``.
    """

    run_env = Dict(config=True, help="Variables added to the kernel's environment (e.g. $ANALYSIS_RUN_DIR).")

    async def start_kernel(self, **kw: Any) -> None:
        """Start the kernel with ``run_env`` on top of the inherited environment."""
        kw["env"] = {**os.environ, **(kw.get("env") or {}), **self.run_env}
        await super().start_kernel(**kw)


def kernel_config(sockets: Path, run_dir: Path) -> Config:
    """The configuration of a notebook's kernel: unix sockets in ``sockets``, ``$ANALYSIS_RUN_DIR=run_dir``."""
    config = Config()
    # Local unix sockets instead of loopback TCP: nothing to eavesdrop on, no port races. The sockets go
    # to a private directory: jupyter_client's default ("kernel-ipc-N" in the working directory, which
    # is the notebooks/ folder) lets two kernels started at once pick the same sockets.
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(sockets / "kernel-ipc")
    config.RunKernelManager.run_env = {RUN_DIR_ENV: str(run_dir)}
    return config


def _papermill(notebook: Path, out_nb: Path, run_dir: Path, parameters: Mapping[str, Any], *,
               kernel_name: str, timeout: int, progress: bool) -> str | None:
    """Run papermill; return the error as ``"Type: message"``, or None when every cell ran."""
    with tempfile.TemporaryDirectory(prefix="infra-mind-kernel-") as sockets:
        try:
            papermill.execute_notebook(
                str(notebook),
                str(out_nb),
                parameters=dict(parameters),
                kernel_name=kernel_name,
                execution_timeout=timeout,
                progress_bar={"desc": notebook.stem, "leave": False} if progress else False,
                log_output=False,
                config=kernel_config(Path(sockets), run_dir),
                kernel_manager_class=RunKernelManager,
                # the kernel starts in the notebook's folder (nbclient's resources path), without papermill's
                # cwd=, which would os.chdir this whole process while the notebook runs
                resources={"metadata": {"path": str(notebook.parent)}},
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
        go to ``run_dir/<notebook stem>/`` (the kernel's ``$ANALYSIS_RUN_DIR`` points it to ``run_dir``)
        and are scrubbed like the notebook.
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
    error = _papermill(notebook, out_nb, run_dir, parameters, kernel_name=kernel_name, timeout=timeout,
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
