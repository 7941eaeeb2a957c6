"""Parameters of notebook 02 and the ``scan-vs-agg`` command."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..config import DEFAULT_CONNECT_TIMEOUT_S, DEFAULT_MAX_TIME_MS, SCRATCH_DB_PREFIX
from ..errors import ParameterError

_DIGITS = re.compile(r"^[0-9]{1,9}$")


@dataclass(frozen=True)
class DashboardParams:
    """Validated parameters (see the notebook's first cell for their meaning)."""

    sizes: list[int] = field(default_factory=lambda: [100, 300, 600], metadata={"min": 1, "max": 200_000,
                                                                                 "nonempty": True})
    profile: str = field(default="realistic", metadata={"choices": ("realistic", "heavy")})
    users: int = field(default=5, metadata={"min": 1, "max": 10_000})
    seed: int = 42
    aware_share: float = field(default=0.5, metadata={"min": 0.0, "max": 1.0})
    mongo_uri_env: str = field(default="", metadata={"env": True})
    mongo_db: str = f"{SCRATCH_DB_PREFIX}dashboard_audit"
    audit_user: str = ""
    allow_writes: bool = False
    max_time_ms: int = field(default=DEFAULT_MAX_TIME_MS, metadata={"min": 1})
    timeout_s: float = field(default=DEFAULT_CONNECT_TIMEOUT_S, metadata={"min": 0.1, "max": 120.0})
    redis_url_env: str = field(default="", metadata={"env": True})
    timing_cap_s: float = field(default=0.25, metadata={"min": 0.01, "max": 600.0})
    cache_users: int = field(default=20, metadata={"min": 1, "max": 10_000})
    cache_time_scale: float = field(default=0.0004, metadata={"min": 1e-5, "max": 1.0})

    def check(self) -> None:
        """Cross-field checks."""
        if len(set(self.sizes)) != len(self.sizes):
            raise ParameterError(f"parameter 'sizes': duplicate sizes in {self.sizes}")
        if self.audit_user and not self.mongo_uri_env:
            raise ParameterError("parameter 'audit_user': only meaningful with mongo_uri_env (a real MongoDB)")


def parse_sizes(text: str) -> list[int]:
    """Parse ``"100,1000,10000"`` into positive integers (one-line ParameterError otherwise)."""
    sizes = []
    for part in str(text).split(","):
        part = part.strip()
        if not _DIGITS.match(part) or int(part) < 1:
            raise ParameterError(f"--sizes: {part!r} is not a positive integer (expected e.g. 100,1000,10000)")
        sizes.append(int(part))
    return sizes
