"""What the battery produces: cases, probe results, one target's audit, the audits of a run.

Statuses: PASS (secure behaviour), FAIL (exploitable), WARN (policy to review), N/A
(not applicable or no control), ERROR (could not conclude). A case may also be INFO: a
fact worth reporting that is not a weakness (e.g. a same-family algorithm accepted with
the real key); at probe level it counts as PASS.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .profile import Profile

#: Probe statuses, in the order the tables show them.
STATUSES = ("PASS", "FAIL", "WARN", "N/A", "ERROR")
#: Case-only status: information, not a weakness (counts as PASS in :func:`combine`).
INFO = "INFO"


@dataclass
class Case:
    """One sub-case of a probe with its own status.

    ``sent`` is the token's evidence (label, header, claims, how it was signed — never the
    signature); ``received`` what came back (:meth:`~.sources.exchange.Exchange.evidence`);
    ``unjudged`` says why the case could not really judge (silence, identity unknown, no
    victim traffic …) even when its status is PASS — the notebook lists those plainly.
    """

    label: str
    status: str
    reason: str
    sent: dict[str, Any] | None = None
    received: dict[str, Any] | None = None
    unjudged: str = ""


@dataclass
class ProbeResult:
    """The outcome of one probe: its worst case's status, a summary, the wall time and every case."""

    n: int
    id: str
    title: str
    status: str
    evidence: str
    ms: float
    cases: list[Case] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The probe as plain data (milliseconds rounded to 0.1)."""
        return {"id": self.id, "n": self.n, "title": self.title, "status": self.status, "evidence": self.evidence,
                "ms": round(self.ms, 1), "cases": [asdict(c) for c in self.cases]}


@dataclass
class Audit:
    """The battery's outcome against one target."""

    target: str
    profile: str
    verdict: str
    results: list[ProbeResult]
    ms: float
    baseline_accepted: bool
    problems: list[str] = field(default_factory=list)

    def status_of(self, probe_id: str) -> str:
        """Status of ``probe_id`` (N/A when it was not run)."""
        return next((r.status for r in self.results if r.id == probe_id), "N/A")

    def to_json(self) -> dict[str, Any]:
        """The audit as plain data (the ``ws-audit --json`` document)."""
        doc = {"target": self.target, "profile": self.profile, "verdict": self.verdict,
               "ms": round(self.ms, 1), "probes": [r.to_json() for r in self.results]}
        if self.problems:
            doc["problems"] = list(self.problems)
        return doc


@dataclass
class WsAuditResult:
    """What :func:`analysis.wsaudit.pipeline.run` returns: the profile and one audit per target.

    Parameters
    ----------
    profile : Profile
        The profile as loaded (``secure`` / ``vulnerable`` / ``profile`` were audited with it).
    audits : dict
        Target name (``secure``, ``vulnerable``, ``pubsub``, ``pubsub_header``, ``profile``) →
        :class:`Audit`, in the order run.
    """

    profile: Profile
    audits: dict[str, Audit]


def combine(statuses: list[str]) -> str:
    """Probe status from its cases: FAIL > ERROR > WARN > PASS (INFO counts as PASS) > N/A."""
    for s in ("FAIL", "ERROR", "WARN", "PASS"):
        if s in statuses:
            return s
    return "PASS" if INFO in statuses else "N/A"


def overall_verdict(results: list[ProbeResult], baseline_accepted: bool) -> str:
    """PASS | WARN | FAIL for a target; ERROR when the baseline control was not accepted."""
    statuses = [r.status for r in results]
    if "FAIL" in statuses:
        return "FAIL"
    if not baseline_accepted:
        return "ERROR"
    if "WARN" in statuses or "ERROR" in statuses:
        return "WARN"
    return "PASS"


def summarise(cases: list[Case]) -> str:
    """A probe's evidence line: the reasons of (up to four of) its worst cases, at most 700 characters."""
    worst = combine([c.status for c in cases])
    info = [c for c in cases if c.status == INFO] if worst in ("PASS", "N/A") else []
    pick = info + [c for c in cases if c.status == worst] or cases
    text = "; ".join(f"{c.label}: {c.reason}" for c in pick[:4])
    if len(pick) > 4:
        text += f"; … (+{len(pick) - 4} more {worst})"
    return text[:700]
