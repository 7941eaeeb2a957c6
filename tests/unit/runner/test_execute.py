"""analysis.runner.execute: one notebook's result, scrubbed — papermill is faked, no kernel runs."""

import asyncio
import os
from pathlib import Path

import nbformat
import pytest
from jupyter_client import AsyncKernelManager
from papermill.exceptions import PapermillExecutionError

from analysis.config import RUN_DIR_ENV
from analysis.errors import ConfigError
from analysis.record import VERDICT_MIME, Verdict
from analysis.runner import check_kernel, execute_notebook
from analysis.runner import execute as execute_module
from analysis.runner.execute import fold_line, scrub_file

SECRET = "canary-value-7731"


def _fake_papermill(monkeypatch, *, verdict=None, raises=None, writes=True, printed=""):
    """Replace papermill.execute_notebook: write an 'executed' notebook, then maybe raise."""
    calls = []

    def fake(input_path, output_path, **kwargs):
        calls.append((input_path, output_path, kwargs))
        if writes:
            nb = nbformat.read(input_path, as_version=4)
            out = nbformat.v4.new_output("stream", name="stdout", text=printed or "ran\n")
            nb.cells[-1].outputs = [out]
            if verdict is not None:
                nb.cells[-1].outputs.append(nbformat.v4.new_output(
                    "display_data", data={VERDICT_MIME: verdict.to_json(), "text/plain": "v"}))
            nbformat.write(nb, output_path)
        if raises is not None:
            raise raises

    monkeypatch.setattr(execute_module.papermill, "execute_notebook", fake)
    return calls


def _run(nb: Path, run_dir: Path, **kwargs):
    run_dir.mkdir(exist_ok=True)
    return execute_notebook(nb, run_dir, {"level": "WARN"}, kernel_name="k", timeout=7, secrets=[SECRET], **kwargs)


def test_the_recorded_verdict_becomes_the_result(toy_notebooks, tmp_path, monkeypatch):
    verdict = Verdict("warn", "toy  headline", {"answer": 42, "ms": 1.5}, ["look"], {"ms": {"unit": "ms", "key": False}})
    calls = _fake_papermill(monkeypatch, verdict=verdict)
    result = _run(toy_notebooks["pass"], tmp_path / "run", progress=False)
    assert (result.name, result.status, result.headline) == ("01_toy_pass", "WARN", "toy headline")
    assert result.figures == {"answer": 42, "ms": 1.5} and result.next_steps == ["look"]
    assert result.figure_info == {"ms": {"unit": "ms", "higher_is_better": None, "noise": 0.0, "key": False,
                                            "label": ""}}
    assert (result.ipynb, result.html, result.error) == ("01_toy_pass.ipynb", None, None)  # the HTML comes later
    assert not (tmp_path / "run" / "01_toy_pass.html").exists() and result.seconds >= 0
    ((src, dst, kwargs),) = calls
    assert (src, dst) == (str(toy_notebooks["pass"]), str(tmp_path / "run" / "01_toy_pass.ipynb"))
    assert kwargs["parameters"] == {"level": "WARN"} and kwargs["kernel_name"] == "k"
    assert kwargs["execution_timeout"] == 7 and kwargs["progress_bar"] is False
    # the kernel starts in the notebook's folder without papermill's cwd= (an os.chdir of the whole runner,
    # which notebooks run at once would race on), and learns its run directory from its own manager
    assert "cwd" not in kwargs and kwargs["resources"] == {"metadata": {"path": str(toy_notebooks["pass"].parent)}}
    assert kwargs["kernel_manager_class"] is execute_module.RunKernelManager
    assert kwargs["config"].RunKernelManager.run_env == {RUN_DIR_ENV: str(tmp_path / "run")}
    assert kwargs["config"].KernelManager.transport == "ipc"  # unix sockets, not loopback TCP
    sockets = Path(kwargs["config"].KernelManager.ip)
    assert sockets.name == "kernel-ipc" and sockets.parent.name.startswith("infra-mind-kernel-")  # private per run
    assert not sockets.parent.exists()  # removed afterwards


def test_a_raising_notebook_is_error_with_one_redacted_line(toy_notebooks, tmp_path, monkeypatch):
    err = PapermillExecutionError(2, 1, "x", "ValueError", f"bad uri mongodb://u:{SECRET}@h\nline two", [])
    _fake_papermill(monkeypatch, raises=err, printed=f"leaked {SECRET}\n")
    result = _run(toy_notebooks["raise"], tmp_path / "run")
    assert result.status == "ERROR"
    assert result.error == "ValueError: bad uri mongodb://u:***@h line two" == result.headline
    for f in (tmp_path / "run").iterdir():
        assert SECRET not in f.read_text(), f.name
    assert result.ipynb == "03_toy_raise.ipynb"  # the partial notebook is kept (and exported later)


def test_no_verdict_is_error(toy_notebooks, tmp_path, monkeypatch):
    _fake_papermill(monkeypatch)
    result = _run(toy_notebooks["silent"], tmp_path / "run")
    assert result.status == "ERROR" and result.error.startswith("the notebook recorded no verdict")


def test_a_notebook_that_never_started_is_error_without_artifacts(toy_notebooks, tmp_path, monkeypatch):
    _fake_papermill(monkeypatch, writes=False, raises=RuntimeError("Kernel died before replying"))
    result = _run(toy_notebooks["pass"], tmp_path / "run")
    assert (result.status, result.error, result.ipynb, result.html) == (
        "ERROR", "RuntimeError: Kernel died before replying", None, None)


def test_check_kernel():
    check_kernel("infra-mind")  # registered by make setup
    with pytest.raises(ConfigError, match="Jupyter kernel 'no-such-kernel-x' is not registered .* run `make setup`"):
        check_kernel("no-such-kernel-x")


def test_fold_line():
    assert fold_line("a\n  b\tc") == "a b c"
    assert fold_line("x" * 10, limit=5) == "xxxx…"


def test_scrub_file(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(f"{SECRET} and redis://:pw@h")
    scrub_file(f, [SECRET])
    assert f.read_text() == "*** and redis://:***@h"
    scrub_file(tmp_path / "missing.txt", [SECRET])  # nothing to scrub is fine


def test_the_run_dir_reaches_the_kernel_not_this_process(toy_notebooks, tmp_path, monkeypatch):
    """Issue 17: execute_notebook no longer sets $ANALYSIS_RUN_DIR in the runner's own environment (notebooks
    run at once would share it); the kernel manager adds it to the kernel's environment only."""
    monkeypatch.setenv(RUN_DIR_ENV, "/the/runner/own")
    seen = []

    def fake(input_path, output_path, **kwargs):
        seen.append(os.environ[RUN_DIR_ENV])
        km = kwargs["kernel_manager_class"](config=kwargs["config"])
        started = {}

        async def record(self, **kw):  # what AsyncKernelManager.start_kernel would launch with
            started.update(kw)

        monkeypatch.setattr(AsyncKernelManager, "start_kernel", record)
        asyncio.run(km.start_kernel(cwd="/nb"))
        seen.append(started)
        raise RuntimeError("stop here")

    monkeypatch.setattr(execute_module.papermill, "execute_notebook", fake)
    _run(toy_notebooks["pass"], tmp_path / "run")
    runner_env, started = seen
    assert runner_env == "/the/runner/own" == os.environ[RUN_DIR_ENV]
    assert started["env"][RUN_DIR_ENV] == str(tmp_path / "run") and started["cwd"] == "/nb"
    assert started["env"]["PATH"] == os.environ["PATH"]  # the rest of the environment is inherited
