"""What a run produced: one :class:`NotebookResult` per notebook and the :class:`RunSummary`.

They live apart from :mod:`analysis.runner.pipeline` because the execution step builds
results and the index page reads the summary, and both are imported by the pipeline.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..jsonsafe import jsonable
from ..record import worst_status


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
        """The content of ``summary.json`` (JSON-safe; ``run_dir`` is not part of it)."""
        return jsonable({
            "started": self.started,
            "finished": self.finished,
            "params_file": self.params_file,
            "notebooks": [asdict(r) for r in self.notebooks],
        })
