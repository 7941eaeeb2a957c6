"""What a run does besides executing notebooks: baseline, pruning, notification, JUnit, PDF."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import ParameterError
from .notify import NOTIFY_MODES


@dataclass(frozen=True)
class RunOptions:
    """The reporting options of one run (all off by default).

    Parameters
    ----------
    baseline : str, optional
        Compare with this run (a run id, ``latest`` or a run directory) instead of the newest
        earlier run with the same effective parameters.
    keep : int, optional
        After publishing, keep only the newest ``keep`` run directories (history rows stay).
    notify_webhook_env : str, optional
        Name of the environment variable holding a webhook URL to notify.
    notify : {"changes", "always"}
        Post only when a notebook's status changed against the baseline, or after every run.
    report_url : str, optional
        Base URL where ``OUT`` is served, for the link in the notification.
    junit : Path, optional
        Write JUnit XML here.
    pdf : bool
        Also print every report and the index to PDF with headless Chromium.
    """

    baseline: str | None = None
    keep: int | None = None
    notify_webhook_env: str | None = None
    notify: str = "changes"
    report_url: str | None = None
    junit: Path | None = None
    pdf: bool = False

    def check(self) -> None:
        """Reject impossible values with one line (``ParameterError``)."""
        if self.keep is not None and self.keep < 1:
            raise ParameterError(f"--keep: must be at least 1 (the latest run is always kept), got {self.keep}")
        if self.notify not in NOTIFY_MODES:
            raise ParameterError(f"--notify: expected one of {', '.join(NOTIFY_MODES)}, got {self.notify!r}")
        if self.notify_webhook_env is not None and not self.notify_webhook_env.strip():
            raise ParameterError("--notify-webhook-env: expected the NAME of an environment variable")
        if self.report_url and not self.report_url.startswith(("http://", "https://", "file://")):
            raise ParameterError(f"--report-url: expected an http(s) or file URL, got {self.report_url!r}")
