"""Probes 1, 16 and 17: whose identity does the target act under, and can it reach the victim's resource?

The baseline (1) is the control: a valid token for subject A must be accepted as A, or no
rejection elsewhere proves anything. Identity (16) replays the seed's attack — a junk
token plus a forged ``user_id`` of B — and a valid token for A with B's id in the
message, the query and a header. Isolation (17) subscribes to B's resource.
"""

from __future__ import annotations

import asyncio

from ..forge import Forged
from ..results import Case
from ..sources.client import Exchange, Runner
from .cases import reject_case

JUNK_TOKEN = "fake_token"  # the seed's attack, verbatim


def _junk() -> Forged:
    return Forged("junk token", JUNK_TOKEN, None, None, "the seed's attack: 'fake_token'")


def identity_case(r: Runner, f: Forged, ex: Exchange, label: str) -> Case:
    """PASS when the connection acts as the token's ``sub``; FAIL when it acts as anyone else.

    Parameters
    ----------
    r : Runner
    f : Forged
        The token sent.
    ex : Exchange
        What happened (a rejection is judged by :func:`~.cases.reject_case`).
    label : str
        The case's label.
    """
    p = r.profile
    if ex.state != "accepted":
        c = reject_case(r, f, ex, label)
        if c.status == "PASS":
            c.reason = f"{ex.describe()} (no impersonation)"
        return c
    if ex.identity == p.subject:
        return Case(label, "PASS", f"acts as {p.subject!r} (the token's sub)", f.evidence(), ex.evidence())
    if ex.identity == p.victim_subject:
        return Case(label, "FAIL", f"acts as the victim {p.victim_subject!r}: identity taken from client input",
                    f.evidence(), ex.evidence())
    if not p.identity_path:
        return Case(label, "WARN", "accepted; identity unknown (profile has no identity_path)", f.evidence(),
                    ex.evidence())
    return Case(label, "FAIL", f"accepted as {ex.identity!r}, token sub is {p.subject!r}: identity not from the token",
                f.evidence(), ex.evidence())


async def p_baseline(r: Runner) -> list[Case]:
    """Probe 1: a valid token is accepted as its subject (recorded on the run as the control)."""
    f = r.forger.baseline()
    ex = await r.exchange(f.token)
    r.baseline, r.baseline_token = ex, f
    if ex.state != "accepted":
        return [Case(f.label, "ERROR", f"baseline token not accepted ({ex.describe()}): check the secret env var, "
                     "claims and the 'accepted' matcher; nothing else can be judged", f.evidence(), ex.evidence())]
    return [identity_case(r, f, ex, "valid token for A")]


async def p_identity(r: Runner) -> list[Case]:
    """Probe 16: identity comes from the token's sub only, never from a client-supplied id."""
    p = r.profile
    b = p.victim_subject
    junk = _junk()
    where_junk = "message" if p.token_transport == "first_message" and p.forged_identity_path else "query"
    runs: list[tuple[str, Forged, str]] = [(f"junk token + {p.forged_identity_name}={b} in {where_junk}", junk,
                                            where_junk)]
    if p.token_transport == "first_message" and p.forged_identity_path:
        runs.append((f"valid token for A + {p.forged_identity_name}={b} in message", r.forger.baseline(), "message"))
    runs.append((f"valid token for A + ?{p.forged_identity_name}={b}", r.forger.baseline(), "query"))
    runs.append((f"valid token for A + X-header {p.forged_identity_name}={b}", r.forger.baseline(), "header"))
    exs = await asyncio.gather(*(r.exchange(f.token, forged_identity=b, where=w) for _, f, w in runs))
    cases = []
    for (label, f, _), ex in zip(runs, exs):
        if f is junk:
            c = reject_case(r, f, ex, label)
            if ex.state == "accepted":
                who = f" as the victim {b!r}" if ex.identity == b else ""
                c.reason = f"authenticated{who} with a junk token: {ex.describe()}"
            cases.append(c)
        else:
            cases.append(identity_case(r, f, ex, label))
    return cases


async def p_isolation(r: Runner) -> list[Case]:
    """Probe 17: subscribing to the victim's resource is refused and no victim pushes arrive."""
    p = r.profile
    if not (p.subscribe_message and p.victim_resource):
        return [Case("isolation", "N/A", "profile has no subscribe_message / victim_resource")]
    res = p.victim_resource
    junk = _junk()
    valid = r.forger.baseline()
    runs = [
        ("unauthenticated client subscribes", None, dict(send_auth=False)),
        ("after failed auth (junk token + forged victim id)", junk, dict(forged_identity=p.victim_subject)),
        ("valid token for A subscribes to B's resource", valid, {}),
    ]
    exs = await asyncio.gather(*(r.exchange(f.token if f else None, subscribe=res, **kw) for _, f, kw in runs))
    cases = []
    for (label, f, _), ex in zip(runs, exs):
        sent = f.evidence() if f else {"token": "none (no auth message)"}
        if ex.subscribed or ex.victim_push:
            what = " and ".join(x for x, y in (("subscription confirmed", ex.subscribed),
                                               ("victim's pushes received", ex.victim_push)) if y)
            cases.append(Case(label, "FAIL", f"{what} for {res}", sent, ex.evidence()))
        elif ex.state == "error":
            cases.append(Case(label, "ERROR", ex.describe(), sent, ex.evidence()))
        else:
            how = {"refused": "subscription refused", "closed": "connection closed", "silent":
                   "no confirmation and no victim pushes"}.get(ex.after_subscribe, ex.describe())
            cases.append(Case(label, "PASS", how, sent, ex.evidence()))
    return cases
