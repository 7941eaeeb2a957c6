"""What a run produced: one :class:`NotebookResult` per notebook and the :class:`RunSummary`.

They live apart from :mod:`analysis.runner.pipeline` because the execution step builds
results and the index page reads the summary, and both are imported by the pipeline.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..jsonsafe import jsonable
from ..record import key_figures, worst_status


@dataclass
class NotebookResult:
    """One notebook's outcome, as written to ``summary.json``.

    ``figure_info`` (unit, direction, noise threshold, key-ness per figure) and ``next_steps``
    come from the recorded :class:`~analysis.record.Verdict`.
    """

    name: str
    status: str
    headline: str = ""
    figures: dict[str, Any] = field(default_factory=dict)
    html: str | None = None
    ipynb: str | None = None
    seconds: float = 0.0
    error: str | None = None
    figure_info: dict[str, Any] = field(default_factory=dict)
    next_steps: list[str] = field(default_factory=list)

    def key_figures(self) -> dict[str, Any]:
        """The figures shown on the index and in the summary block (not marked ``key=False``)."""
        return key_figures(self.figures, self.figure_info)


@dataclass
class RunSummary:
    """The whole run, as written to ``summary.json``.

    ``baseline`` is the run this one is compared with (None: no comparable run), ``changes``
    one entry per notebook (:func:`analysis.runner.changes.compare`), ``warnings`` the WARN
    lines of the run (history or notification problems that did not stop it).
    """

    started: str
    finished: str
    params_file: str | None
    notebooks: list[NotebookResult]
    run_dir: str = ""
    run_id: str = ""
    params_hash: str = ""
    git_commit: str | None = None
    baseline: dict[str, Any] | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The worst notebook status (what :data:`analysis.cli.EXIT_CODES` maps to the exit code)."""
        return worst_status(r.status for r in self.notebooks)

    def to_json(self) -> dict[str, Any]:
        """The content of ``summary.json`` (JSON-safe; ``run_dir`` is not part of it)."""
        return jsonable({
            "run_id": self.run_id,
            "started": self.started,
            "finished": self.finished,
            "params_file": self.params_file,
            "params_hash": self.params_hash,
            "git_commit": self.git_commit,
            "status": self.status,
            "notebooks": [asdict(r) for r in self.notebooks],
            "baseline": self.baseline,
            "changes": self.changes,
            "warnings": self.warnings,
        })
