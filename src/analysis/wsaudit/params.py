"""Parameters of notebook 04 and ``ws-audit`` (validated with :func:`analysis.params.validate`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..errors import ParameterError
from .checklist import PROBE_IDS
from .sources.targets import MODES

#: What can be audited: the in-process reference targets and the profile's own (real) target.
TARGETS = (*MODES, "profile")


@dataclass(frozen=True)
class WsAuditParams:
    """notebooks/04_websocket_token_audit parameters.

    ``profile``: target profile YAML (the real target's, and the protocol of the
    ``secure`` / ``vulnerable`` reference targets); ``pubsub_profile``: the profile of the
    ``pubsub`` / ``pubsub_header`` reference targets; ``url``: override of the profile's URL
    (needs ``"profile"`` in ``targets``); ``probes``: probe ids to run (empty = all);
    ``targets``: reference targets (``secure``, ``vulnerable``, ``pubsub``,
    ``pubsub_header``) and/or ``profile`` (the real target named by the profile). Secrets:
    only via the env vars the profile's ``*_env`` keys name.
    """

    profile: str = field(default="profiles/infra_mind.yaml", metadata={"nonempty": True})
    url: str = ""
    probes: list[str] = field(default_factory=list, metadata={"choices": PROBE_IDS})
    targets: list[str] = field(default_factory=lambda: ["secure", "vulnerable", "pubsub", "pubsub_header"],
                               metadata={"choices": TARGETS, "nonempty": True})
    pubsub_profile: str = field(default="profiles/pubsub.yaml", metadata={"nonempty": True})

    def check(self) -> None:
        """Checks across parameters (called by :func:`analysis.params.validate`)."""
        if self.url:
            parts = urlsplit(self.url)
            if parts.scheme not in ("ws", "wss") or not parts.hostname:
                raise ParameterError(f"parameter 'url': {self.url!r} is not a ws:// or wss:// URL")
            if "profile" not in self.targets:
                raise ParameterError("parameter 'url' is set but 'targets' does not include \"profile\" "
                                     "(use targets = [\"profile\"] to audit a real system)")
        if len(set(self.targets)) != len(self.targets):
            raise ParameterError("parameter 'targets': duplicate entries")
