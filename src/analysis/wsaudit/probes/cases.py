"""Judging one exchange: was a token rejected or accepted as the secure behaviour demands?"""

from __future__ import annotations

import asyncio

from collections.abc import Callable

from ..forge import Forged
from ..identities import same_identity
from ..result import Case
from ..sources.client import Exchange, Runner

#: What a FAIL of a token only the key holder can mint is said to be instead (the one rule).
NOT_A_FORGERY = "not a forgery (only the key holder can mint it, an attacker cannot)"


def reject_case(r: Runner, f: Forged | None, ex: Exchange, label: str | None = None) -> Case:
    """A case whose secure outcome is a rejection: rejected/closed PASS, accepted FAIL, silent WARN, error ERROR.

    Parameters
    ----------
    r : Runner
        The run (for the reply timeout named in the WARN reason).
    f : Forged or None
        The token sent (None: no token; ``label`` then names what was sent).
    ex : Exchange
        What happened.
    label : str, optional
        The case's label (default ``f.label``).
    """
    label = label or (f.label if f else "?")
    if ex.state in ("rejected", "closed"):
        status, reason = "PASS", ex.describe()
    elif ex.state == "accepted":
        status, reason = "FAIL", ex.describe()
        p = r.profile
        if same_identity(ex.identity, p.victim_subject, p.victim_id):
            reason += f" — acts as the victim {p.victim_subject!r}: impersonation"
    elif ex.state == "silent":
        status, reason = "WARN", f"no explicit rejection within {r.rt:g} s (connection left open)"
    else:
        status, reason = "ERROR", ex.describe()
    return Case(label, status, reason, f.evidence() if f else {"token": label}, ex.evidence())


def accept_case(f: Forged, ex: Exchange, when_rejected: str = "WARN") -> Case:
    """A case whose secure outcome is acceptance: accepted PASS, error ERROR, else ``when_rejected``."""
    if ex.state == "accepted":
        return Case(f.label, "PASS", ex.describe(), f.evidence(), ex.evidence())
    status = "ERROR" if ex.state == "error" else when_rejected
    return Case(f.label, status, f"expected acceptance: {ex.describe()}", f.evidence(), ex.evidence())


def attacker_can_make(f: Forged) -> bool:
    """The one rule of what a rejection probe judges: tokens an attacker can make.

    A token signed with the configured key (``meta["same_key"]``: an algorithm of the key's
    family outside the allowlist, a header extension the verifier should refuse) tests the
    verifier's conformance, not its security: only the key holder can mint it.
    """
    return not f.meta.get("same_key")


def judge_keyed(tokens: list[Forged], cases: list[Case], status: str, why: Callable[[Forged], str]) -> list[Case]:
    """Apply :func:`attacker_can_make`: the FAIL of a token only the key holder can mint becomes ``status``.

    Parameters
    ----------
    tokens, cases : list
        The tokens sent and their cases, in the same order (cases are changed in place).
    status : str
        What the acceptance is instead: ``INFO`` (a fact) or ``WARN`` (a non-conformance to review).
    why : callable
        The reason added for a token (e.g. the RFC it does not conform to).
    """
    for f, c in zip(tokens, cases):
        if not attacker_can_make(f) and c.status == "FAIL":
            c.status = status
            c.reason = f"{c.reason}: {why(f)} — {NOT_A_FORGERY}"
    return cases


async def rejects(r: Runner, tokens: list[Forged]) -> list[Case]:
    """Send every token on its own connection (concurrently); one :func:`reject_case` each."""
    exs = await asyncio.gather(*(r.exchange(f.token) for f in tokens))
    return [reject_case(r, f, ex) for f, ex in zip(tokens, exs)]


def unproven(cases: list[Case], detail: str, unjudged: str) -> list[Case]:
    """Without an accepted baseline a rejection proves nothing: PASS → N/A (``— unproven: detail``); FAILs stand.

    Parameters
    ----------
    cases : list of Case
        The cases to downgrade (changed in place and returned).
    detail : str
        Why there is no accepted baseline (appended to each downgraded case's reason).
    unjudged : str
        What the notebook lists for the case (:attr:`~analysis.wsaudit.result.Case.unjudged`).
    """
    for c in cases:
        if c.status == "PASS":
            c.status = "N/A"
            c.reason = f"{c.reason} — unproven: {detail}"
            c.unjudged = unjudged
    return cases


def baseline_accepted(r: Runner) -> bool:
    """The run's valid token was accepted (the comparison every rejection needs)."""
    return r.baseline is not None and r.baseline.state == "accepted"
