"""Run notebooks into shareable reports: papermill → redaction → HTML (code hidden) → index.

One run writes ``OUT/<UTC timestamp>/`` with, per notebook, the executed ``.ipynb`` and
an ``.html`` export without code, plus ``index.html`` and ``summary.json``; then it points
``OUT/latest`` at the new run. Work happens in a hidden ``OUT/.<timestamp>.partial/``
directory that is renamed only when the run is complete, so an interrupted run never
replaces ``OUT/latest``.

Statuses: each notebook's own verdict (PASS, WARN, FAIL — recorded with
:func:`analysis.record.publish`), or ERROR when it raised or recorded nothing. Exit code:
0 when all are PASS/WARN, 1 when any FAIL, 2 when any ERROR.
"""

from __future__ import annotations

import ast
import datetime as dt
import html
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .config import DEFAULT_CELL_TIMEOUT_S, KERNEL_NAME, notebooks_dir
from .errors import ConfigError, ParameterError
from .record import STATUSES, read_verdict, worst_status
from .redact import redact_text, secret_values

logger = logging.getLogger(__name__)

_NOTEBOOK_NAME = re.compile(r"^\d\d_[A-Za-z0-9_]+\.ipynb$")
#: Environment variables whose values never appear in an artifact, whatever the parameters say.
ALWAYS_SECRET_ENV = ("WS_JWT_SECRET", "JWT_SECRET_KEY", "MONGO_URI", "MONGODB_URI", "REDIS_URL", "PROMETHEUS_URL")


@dataclass
class NotebookResult:
    """One notebook's outcome, as written to ``summary.json``."""

    name: str
    status: str
    headline: str = ""
    figures: dict[str, Any] = field(default_factory=dict)
    html: str | None = None
    ipynb: str | None = None
    seconds: float = 0.0
    error: str | None = None


@dataclass
class RunSummary:
    """The whole run, as written to ``summary.json``."""

    started: str
    finished: str
    params_file: str | None
    notebooks: list[NotebookResult]
    run_dir: str = ""

    @property
    def status(self) -> str:
        """The worst notebook status (what :data:`analysis.cli.EXIT_CODES` maps to the exit code)."""
        return worst_status(r.status for r in self.notebooks)

    def to_json(self) -> dict[str, Any]:
        return {
            "started": self.started,
            "finished": self.finished,
            "params_file": self.params_file,
            "notebooks": [asdict(r) for r in self.notebooks],
        }


# --------------------------------------------------------------------------- discovery


def discover_notebooks(directory: Path | None = None) -> list[Path]:
    """The workbook's notebooks (``NN_name.ipynb``), in order (default directory: ``notebooks/``)."""
    directory = directory or notebooks_dir()
    return sorted(p for p in directory.glob("*.ipynb") if _NOTEBOOK_NAME.match(p.name))


def resolve_notebooks(names: Sequence[str], directory: Path | None = None) -> list[Path]:
    """Map user-given names to notebook paths.

    A name may be a path to an ``.ipynb`` file, a file name, a stem
    (``03_slo_error_budgets``), a number prefix (``03``) or the stem without its number
    (``slo_error_budgets``). No names means every notebook.
    """
    directory = directory or notebooks_dir()
    known = discover_notebooks(directory)
    if not names:
        if not known:
            raise ConfigError(f"no notebooks found in {directory}")
        return known
    out: list[Path] = []
    for name in names:
        p = Path(name)
        if p.suffix == ".ipynb" and p.exists():
            out.append(p.resolve())
            continue
        stem = p.name.removesuffix(".ipynb")
        matches = [k for k in known if k.stem == stem or k.stem.split("_", 1)[0] == stem or k.stem.split("_", 1)[1] == stem]
        if len(matches) != 1:
            choices = ", ".join(k.stem for k in known) or "none"
            raise ConfigError(f"unknown notebook '{name}' (known: {choices})")
        out.append(matches[0])
    return out


# --------------------------------------------------------------------------- parameters


def inspect_parameters(notebook: Path) -> dict[str, dict[str, Any]]:
    """Parameters of a notebook as papermill sees them: name → {type, default, help}."""
    import papermill

    try:
        found = papermill.inspect_notebook(str(notebook))
    except Exception as exc:  # papermill raises plain exceptions on unreadable notebooks
        raise ConfigError(f"{notebook}: cannot inspect parameters: {exc}") from exc
    return {
        name: {"type": _type_of(p["inferred_type_name"], p["default"]), "default": p["default"], "help": p["help"]}
        for name, p in found.items()
    }


def _type_of(annotated: str, default: str) -> str:
    """The annotated type, else the type of the literal default (papermill infers only annotations)."""
    if annotated and annotated != "None":
        return annotated
    try:
        value = ast.literal_eval(default)
    except (ValueError, SyntaxError):
        return "expr"
    if isinstance(value, list) and value:
        return f"list[{type(value[0]).__name__}]"
    return type(value).__name__


def load_params_file(path: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """Read a parameter set: ``{notebook stem: {parameter: value}}``.

    Raises
    ------
    ConfigError
        Missing file, bad YAML, or not a mapping of mappings.
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"params file {path}: not found")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"params file {path}:{where}: invalid YAML ({problem})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"params file {path}: not UTF-8 text") from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(v, dict) or v is None for v in data.values()):
        raise ConfigError(f"params file {path}: expected a mapping of notebook name → mapping of parameters")
    return {str(k): dict(v or {}) for k, v in data.items()}


def parse_overrides(items: Iterable[str]) -> dict[str, Any]:
    """Parse ``-p key=value`` items; values are YAML scalars/lists (``-p sizes=[100,1000]``)."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ParameterError(f"-p {item!r}: expected key=value")
        try:
            out[key] = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            out[key] = raw
    return out


def plan_parameters(
    notebooks: Sequence[Path],
    file_params: Mapping[str, Mapping[str, Any]],
    overrides: Mapping[str, Any],
    *,
    params_file: str | None = None,
    inspected: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Decide the parameters each notebook gets, rejecting unknown names up front.

    ``file_params`` sections name notebooks by stem; every key must be a parameter the
    notebook declares. An override ``key=value`` goes to every selected notebook that
    declares ``key`` (``stem.key=value`` targets one); it must match at least one.
    """
    src = params_file or "params"
    by_stem = {nb.stem: nb for nb in notebooks}
    all_stems = {nb.stem for nb in discover_notebooks()} | set(by_stem)
    inspected = dict(inspected or {})
    for nb in notebooks:
        inspected.setdefault(nb.stem, inspect_parameters(nb))
    plan: dict[str, dict[str, Any]] = {nb.stem: {} for nb in notebooks}
    for section, values in file_params.items():
        if section not in all_stems:
            raise ParameterError(f"{src}: unknown notebook section '{section}' (known: {', '.join(sorted(all_stems))})")
        if section not in by_stem:
            continue
        for key, value in values.items():
            if key not in inspected[section]:
                raise ParameterError(
                    f"{src}: {section}: unknown parameter '{key}' (known: {', '.join(sorted(inspected[section]))})"
                )
            plan[section][key] = value
    for key, value in overrides.items():
        target, _, name = key.rpartition(".")
        stems = [target] if target else list(plan)
        if target and target not in plan:
            raise ParameterError(f"-p {key}: notebook '{target}' is not selected")
        hit = [s for s in stems if name in inspected[s]]
        if not hit:
            raise ParameterError(f"-p {key}: no selected notebook has a parameter '{name}'")
        for s in hit:
            plan[s][name] = value
    return plan


def secret_env_names(plan: Mapping[str, Mapping[str, Any]], inspected: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """Environment variables named by ``*_env`` parameters (given or default), plus the usual ones."""
    names = set(ALWAYS_SECRET_ENV)
    for stem, params in inspected.items():
        for pname, meta in params.items():
            if pname.endswith("_env"):
                value = plan.get(stem, {}).get(pname, meta.get("default"))
                if isinstance(value, str):
                    value = value.strip().strip("'\"")
                    if value:
                        names.add(value)
    return names


# --------------------------------------------------------------------------- execution


def check_kernel(kernel_name: str) -> None:
    """Fail early with one line when the kernel is not registered."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel as exc:
        raise ConfigError(
            f"Jupyter kernel '{kernel_name}' is not registered in this environment; run `make setup`"
        ) from exc


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _scrub_file(path: Path, secrets: Sequence[str]) -> None:
    if path.exists():
        text = path.read_text(encoding="utf-8")
        clean = redact_text(text, secrets)
        if clean != text:
            path.write_text(clean, encoding="utf-8")


#: nbconvert's lab template without the scripts it loads from CDNs (require.js, MathJax, mermaid):
#: a stakeholder report is one self-contained file that opens offline and calls nowhere.
_OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


def export_html(ipynb: Path, html_path: Path) -> None:
    """Export an executed notebook to self-contained HTML: code and prompts hidden, images inline."""
    import nbformat
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    nb = nbformat.read(ipynb, as_version=4)
    exporter = HTMLExporter(
        extra_loaders=[DictLoader({"offline.html.j2": _OFFLINE_TEMPLATE})],
        template_file="offline.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": ipynb.stem}})
    html_path.write_text(body, encoding="utf-8")


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
    """Execute one notebook with papermill, redact, export, and read its verdict."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError
    from traitlets.config import Config

    # Local unix sockets instead of loopback TCP: nothing to eavesdrop on, no port races.
    kernel_config = Config()
    kernel_config.KernelManager.transport = "ipc"

    out_nb = run_dir / notebook.name
    out_html = run_dir / f"{notebook.stem}.html"
    t0 = time.perf_counter()
    error: str | None = None
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
        error = f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # kernel died, timeout, unreadable notebook: still report, keep going
        error = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - t0
    result = NotebookResult(name=notebook.stem, status="ERROR", seconds=round(seconds, 2))
    if out_nb.exists():
        _scrub_file(out_nb, secrets)
        result.ipynb = out_nb.name
        try:
            export_html(out_nb, out_html)
            _scrub_file(out_html, secrets)
            result.html = out_html.name
        except Exception as exc:  # an export failure must not hide the verdict
            error = error or f"HTML export failed: {type(exc).__name__}: {exc}"
        if error is None:
            v = read_verdict(nbformat.read(out_nb, as_version=4))
            if v is None:
                error = "the notebook recorded no verdict (analysis.record.publish was not called)"
            else:
                result.status, result.headline, result.figures = v.status, v.headline, v.figures
    if error is not None:
        result.status = "ERROR"
        result.error = _one_line(redact_text(error, secrets))
        result.headline = result.headline or result.error
    return result


# --------------------------------------------------------------------------- index


def render_index(summary: RunSummary) -> str:
    """The run's ``index.html``: one row per notebook."""
    colours = {"PASS": "#1a7f37", "WARN": "#9a6700", "FAIL": "#cf222e", "ERROR": "#8250df"}
    rows = []
    for r in summary.notebooks:
        figs = "<br>".join(f"{html.escape(str(k))}: <b>{html.escape(str(v))}</b>" for k, v in list(r.figures.items())[:8])
        link = f'<a href="{html.escape(r.html)}">report</a>' if r.html else "—"
        nb_link = f' · <a href="{html.escape(r.ipynb)}">notebook</a>' if r.ipynb else ""
        rows.append(
            f"<tr><td>{html.escape(r.name)}</td>"
            f'<td><span class="status" style="background:{colours[r.status]}">{r.status}</span></td>'
            f"<td>{html.escape(r.headline)}</td><td>{figs}</td><td class=\"nowrap\">{r.seconds:.1f} s</td><td class=\"nowrap\">{link}{nb_link}</td></tr>"
        )
    counts = {s: sum(r.status == s for r in summary.notebooks) for s in STATUSES}
    overall = summary.status
    count_text = " · ".join(f"{n} {s}" for s, n in counts.items() if n)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Infra Mind audit — {html.escape(summary.started)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #1f2328; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #d0d7de; padding: 8px; text-align: left; vertical-align: top; }}
th {{ background: #f6f8fa; }}
.nowrap {{ white-space: nowrap; }}
.status {{ color: white; padding: 2px 8px; border-radius: 4px; font-weight: bold; }}
</style></head><body>
<h1>Infra Mind audit workbook</h1>
<p>Overall verdict: <span class="status" style="background:{colours[overall]}">{overall}</span> — {count_text}</p>
<p>Run started {html.escape(summary.started)}, finished {html.escape(summary.finished)};
parameters: {html.escape(summary.params_file or "embedded defaults")}.</p>
<table><thead><tr><th>Notebook</th><th>Verdict</th><th>Headline</th><th>Key figures</th><th>Time</th><th>Open</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
<p>Reports show no code; the executed notebooks hold it. Every figure names its engine and how it was measured.</p>
</body></html>
"""


# --------------------------------------------------------------------------- the run


def _utc_stamp(now: dt.datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ")


def prepare_out_dir(out: Path) -> None:
    """Create ``out`` and prove it is writable, or raise one line."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise ConfigError(f"output directory {out}: not writable ({exc.strerror or exc})") from exc


def publish(partial: Path, out: Path, stamp: str) -> Path:
    """Rename the finished run into place and swap ``out/latest`` to it atomically."""
    final = out / stamp
    n = 1
    while final.exists():
        final = out / f"{stamp}-{n}"
        n += 1
    partial.rename(final)
    latest = out / "latest"
    tmp_link = out / f".latest-{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(final.name)
    if latest.exists() and not latest.is_symlink():
        shutil.rmtree(latest)
    os.replace(tmp_link, latest)
    return final


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
        Notebooks to run (see :func:`resolve_notebooks`).
    out : Path
        Report root; the run goes to ``out/<UTC timestamp>/`` and ``out/latest``.
    params_file : str, optional
        YAML parameter set (:func:`load_params_file`).
    overrides : mapping, optional
        ``-p`` values (:func:`parse_overrides`).
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
    """
    from tqdm.auto import tqdm

    if timeout <= 0:
        raise ParameterError(f"--timeout: must be a positive number of seconds, got {timeout}")
    file_params = load_params_file(params_file) if params_file else {}
    inspected = {nb.stem: inspect_parameters(nb) for nb in notebooks}
    plan = plan_parameters(notebooks, file_params, overrides or {}, params_file=params_file, inspected=inspected)
    check_kernel(kernel_name)
    prepare_out_dir(out)
    secrets = secret_values(secret_env_names(plan, inspected))

    started = dt.datetime.now(dt.timezone.utc)
    stamp = _utc_stamp(started)
    partial = Path(tempfile.mkdtemp(prefix=f".{stamp}.", suffix=".partial", dir=out))
    results: list[NotebookResult] = []
    try:
        bar = tqdm(notebooks, desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
        for nb in bar:
            bar.set_postfix_str(nb.stem)
            result = execute_notebook(
                nb, partial, plan[nb.stem], kernel_name=kernel_name, timeout=timeout, secrets=secrets, progress=progress
            )
            results.append(result)
            if on_result:
                on_result(result)
        finished = dt.datetime.now(dt.timezone.utc)
        summary = RunSummary(
            started=started.isoformat(timespec="seconds"),
            finished=finished.isoformat(timespec="seconds"),
            params_file=params_file,
            notebooks=results,
        )
        (partial / "summary.json").write_text(
            redact_text(json.dumps(summary.to_json(), indent=2, default=str), secrets), encoding="utf-8"
        )
        (partial / "index.html").write_text(redact_text(render_index(summary), secrets), encoding="utf-8")
        os.chmod(partial, 0o755)
        final = publish(partial, out, stamp)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    summary.run_dir = str(final)
    return summary
