"""Parameters of notebook 03 (and the CLI): one frozen dataclass, checked by :func:`analysis.params.validate`."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ParameterError
from ..redact import redact_uri
from ..timeparse import parse_time


@dataclass(frozen=True)
class SloParams:
    """What notebook ``03_slo_error_budgets`` needs.

    Attributes
    ----------
    catalog : str
        SLO catalog (own YAML format or OpenSLO v1), relative to the project root or cwd.
    source : {"export", "prometheus"}
        Read exported files (default, the embedded 30-day export) or a live server.
    prometheus_url : str
        Base URL of the live server (``source="prometheus"``). May hold basic-auth
        credentials; it is shown redacted. Prefer ``prometheus_token_env``.
    prometheus_token_env : str
        Name of an environment variable holding a bearer token (never the token).
    export_paths : list of str
        Export files or directories (``source="export"``); formats are auto-detected.
    evaluation_time : str
        ISO 8601 time the report is pinned to; "" = end of data (exports) or now (live).
    window_override : str
        Replace every SLO's window (``7d``, ``30d``, ``month``...); "" keeps the catalog's.
    step_s : float
        ``query_range`` step for live servers (use the scrape interval).
    live_mode : {"raw", "pushdown"}
        ``raw`` fetches the series and computes increases here; ``pushdown`` (Thanos, Mimir,
        Cortex, any big Prometheus) lets the server aggregate ``sum by (...) (increase(...))``
        per ``pushdown_step_s`` and fetches only those points.
    pushdown_step_s : float
        The step of the pushdown queries (the bins of the evaluation; ≥ 4 scrape intervals).
    timeout_s : float
        Per-request timeout for live servers.
    """

    catalog: str = "slo/infra_mind.yaml"
    source: str = field(default="export", metadata={"choices": ("export", "prometheus")})
    prometheus_url: str = ""
    prometheus_token_env: str = field(default="", metadata={"env": True})
    export_paths: list[str] = field(default_factory=lambda: ["data/prometheus"])
    evaluation_time: str = ""
    window_override: str = ""
    step_s: float = field(default=60.0, metadata={"min": 1, "max": 3600})
    live_mode: str = field(default="raw", metadata={"choices": ("raw", "pushdown")})
    pushdown_step_s: float = field(default=300.0, metadata={"min": 10, "max": 3600})
    timeout_s: float = field(default=30.0, metadata={"min": 0.1, "max": 600})

    def check(self) -> None:
        if self.source == "prometheus" and not self.prometheus_url:
            raise ParameterError("parameter 'prometheus_url': required when source is 'prometheus'")
        if self.source == "prometheus" and not self.prometheus_url.startswith(("http://", "https://")):
            raise ParameterError(f"parameter 'prometheus_url': must start with http:// or https:// "
                                 f"(got {redact_uri(self.prometheus_url)!r})")
        if self.source == "export" and not self.export_paths:
            raise ParameterError("parameter 'export_paths': must not be empty when source is 'export'")
        if self.evaluation_time:
            parse_time(self.evaluation_time, "evaluation_time")

    def __repr__(self) -> str:  # the notebook displays P: keep credentials out
        return (f"SloParams(catalog={self.catalog!r}, source={self.source!r}, "
                f"prometheus_url={redact_uri(self.prometheus_url)!r}, prometheus_token_env={self.prometheus_token_env!r}, "
                f"export_paths={self.export_paths!r}, evaluation_time={self.evaluation_time!r}, "
                f"window_override={self.window_override!r}, step_s={self.step_s!r}, live_mode={self.live_mode!r}, "
                f"pushdown_step_s={self.pushdown_step_s!r}, timeout_s={self.timeout_s!r})")
