"""Probes 1, 16, 17 and 22: whose identity does the target act under, and can it reach the victim's resource?

The baseline (1) is the control: a valid token for subject A must be accepted as A, or no
rejection elsewhere proves anything. Identity (16) replays the seed's attack — a junk
token plus a forged ``user_id`` of B — and a valid token for A with B's id in the message,
the query and a header. Isolation (17) subscribes to B's resource. Claimed identity (22)
sends B's id in a header, the query or the message WITHOUT any token.

When no reply names the identity (no ``identity_path``), identity is judged by behaviour:
the connection asks for A's and B's resources (``own_resource``, ``victim_resource``) —
A's must be acknowledged and B's refused.
"""

from __future__ import annotations

import asyncio

from ..forge import Forged
from ..identities import same_identity
from ..keys import MissingKeyError
from ..result import Case
from ..sources.client import Exchange, Runner
from .cases import reject_case
from .diagnose import handshake_hint

JUNK_TOKEN = "fake_token"  # the seed's attack, verbatim


def _junk() -> Forged:
    return Forged("junk token", JUNK_TOKEN, None, None, "the seed's attack: 'fake_token'")


def behaviour_resources(r: Runner) -> list[str]:
    """A's and B's resources when identity must be judged by behaviour (else none)."""
    p = r.profile
    if p.identity_path or not (p.subscribe_message and p.own_resource and p.victim_resource):
        return []
    return [p.own_resource, p.victim_resource]


def _by_behaviour(r: Runner, f: Forged, ex: Exchange, label: str) -> Case:
    """Identity from what A's and B's resources got on an accepted connection."""
    p = r.profile
    own, vic = ex.sub(p.own_resource), ex.sub(p.victim_resource)
    args = (f.evidence(), ex.evidence())
    if vic == "ack" or ex.victim_push:
        pushes = " and B's pushes received" if ex.victim_push else ""
        return Case(label, "FAIL", f"B's resource {p.victim_resource} acknowledged{pushes}: acts as the victim or is "
                    "not isolated", *args)
    if own == "ack" and vic in ("refused", "closed"):
        return Case(label, "PASS", f"acts as {p.subject!r} by behaviour: A's resource acknowledged, B's {vic}", *args)
    if own == "ack":
        return Case(label, "PASS", f"acts as {p.subject!r} by behaviour: A's resource acknowledged; B's got no answer",
                    *args, unjudged=f"B's resource got no answer within {min(r.rt, 0.8):g} s: silence is not a refusal")
    if own in ("refused", "closed"):
        return Case(label, "WARN", f"accepted, but A's own resource was {own}: the connection does not act as "
                    f"{p.subject!r} (check own_resource)", *args)
    return Case(label, "WARN", "accepted; identity unknown (no answer for A's resource)", *args,
                unjudged="identity unknown: no reply named the user and A's resource got no answer")


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
    claim = p.identity_claim_name
    if same_identity(ex.identity, p.subject, p.subject_id):
        return Case(label, "PASS", f"acts as {p.subject!r} (the token's {claim})", f.evidence(), ex.evidence())
    if same_identity(ex.identity, p.victim_subject, p.victim_id):
        return Case(label, "FAIL", f"acts as the victim {p.victim_subject!r}: identity taken from client input",
                    f.evidence(), ex.evidence())
    if not p.identity_path:
        if behaviour_resources(r):
            return _by_behaviour(r, f, ex, label)
        return Case(label, "WARN", "accepted; identity unknown (profile has no identity_path and no own_resource / "
                    "victim_resource to judge by behaviour)", f.evidence(), ex.evidence(),
                    unjudged="identity unknown: no identity_path, and no resources to judge by behaviour")
    return Case(label, "FAIL", f"accepted as {ex.identity!r}, the token's {claim} is {p.subject_id!r}: identity not "
                "from the token", f.evidence(), ex.evidence())


async def p_baseline(r: Runner) -> list[Case]:
    """Probe 1: a valid token is accepted as its subject (recorded on the run as the control)."""
    f = r.forger.baseline()
    ex = await r.exchange(f.token, subscribe=behaviour_resources(r))
    r.baseline, r.baseline_token = ex, f
    if ex.state != "accepted" and ex.http_status:
        hint = await handshake_hint(r, f, ex)
        return [Case(f.label, "ERROR", f"baseline handshake refused (HTTP {ex.http_status}) — {hint}; nothing else "
                     "can be judged", f.evidence(), ex.evidence())]
    if ex.state != "accepted":
        return [Case(f.label, "ERROR", f"baseline token not accepted ({ex.describe()}): check the secret env var, "
                     "claims and the 'accepted' matcher; nothing else can be judged", f.evidence(), ex.evidence())]
    return [identity_case(r, f, ex, "valid token for A")]


async def p_identity(r: Runner) -> list[Case]:
    """Probe 16: identity comes from the token's identity claim only, never from a client-supplied id.

    Also sent: a token naming B in the identity claim under A's signature (the forged "sub → victim"
    token, in whatever claim the server reads): rejected, and never acted on as B.
    """
    p = r.profile
    b = p.victim_id
    junk = _junk()
    in_message = p.token_transport == "first_message" and bool(p.forged_identity_path)
    where_junk = "message" if in_message else "query"
    runs: list[tuple[str, Forged, str]] = [(f"junk token + {p.forged_identity_name}={b} in {where_junk}", junk,
                                            where_junk)]
    if in_message:
        runs.append((f"valid token for A + {p.forged_identity_name}={b} in message", r.forger.baseline(), "message"))
    runs.append((f"valid token for A + ?{p.forged_identity_name}={b}", r.forger.baseline(), "query"))
    runs.append((f"valid token for A + {p.claimed_identity_header}: {b}", r.forger.baseline(), "header"))
    res = behaviour_resources(r)
    exs = await asyncio.gather(*(r.exchange(f.token, forged_identity=b, where=w, subscribe=None if f is junk else res)
                                 for _, f, w in runs))
    cases = []
    for (label, f, _), ex in zip(runs, exs):
        if f is junk:
            c = reject_case(r, f, ex, label)
            if ex.state == "accepted":
                who = f" as the victim {b!r}" if same_identity(ex.identity, p.victim_subject, b) else ""
                c.reason = f"authenticated{who} with a junk token: {ex.describe()}"
            cases.append(c)
        else:
            cases.append(identity_case(r, f, ex, label))
    return cases + await _forged_for_victim(r)


async def _forged_for_victim(r: Runner) -> list[Case]:
    """A token naming B in the identity claim under A's signature: rejected, never acted on as B."""
    try:
        f = r.forger.tampered()[0]
    except MissingKeyError:
        return []  # the tampered probe reports the missing key
    p = r.profile
    label = f"token naming B ({p.identity_claim_name}={p.victim_id!r}) under A's signature"
    return [reject_case(r, f, await r.exchange(f.token), label)]


def _isolation_case(r: Runner, label: str, sent: dict, ex: Exchange) -> Case:
    """FAIL when B's resource was acknowledged or B's pushes arrived; PASS on a refusal (or, unjudged, silence)."""
    res = r.profile.victim_resource
    got = ex.sub(res)
    if got == "ack" or ex.victim_push:
        what = " and ".join(x for x, y in (("subscription acknowledged", got == "ack"),
                                           ("victim's pushes received", ex.victim_push)) if y)
        return Case(label, "FAIL", f"{what} for {res}", sent, ex.evidence())
    if ex.state == "error":
        return Case(label, "ERROR", ex.describe(), sent, ex.evidence())
    if got == "silent":
        wait = min(r.rt, 0.8)
        return Case(label, "PASS", "no acknowledgement and no victim pushes", sent, ex.evidence(),
                    unjudged=f"no reply to the subscription and no victim traffic within {wait:g} s: silence is not a "
                    "refusal (set reply_id_path, or give the victim traffic)")
    how = {"refused": "subscription refused", "closed": "connection closed"}.get(got, ex.describe())
    return Case(label, "PASS", how, sent, ex.evidence())


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
        ("after failed auth (junk token + forged victim id)", junk, dict(forged_identity=p.victim_id)),
        ("valid token for A subscribes to B's resource", valid, {}),
    ]
    exs = await asyncio.gather(*(r.exchange(f.token if f else None, subscribe=res, **kw) for _, f, kw in runs))
    return [_isolation_case(r, label, f.evidence() if f else {"token": "none (no auth message)"}, ex)
            for (label, f, _), ex in zip(runs, exs)]


def _claimed_case(r: Runner, label: str, ex: Exchange) -> Case:
    """A claimed identity without a token: any acceptance or reach into B's resource is a FAIL."""
    p = r.profile
    sent = {"token": "none", "claimed identity": f"{label} ({p.victim_id})"}
    if ex.state == "accepted":
        who = f" as {ex.identity!r}" if ex.identity is not None else ""
        return Case(label, "FAIL", f"authenticated{who} without any token: the claimed identity was trusted", sent,
                    ex.evidence())
    if p.victim_resource and (ex.sub(p.victim_resource) == "ack" or ex.victim_push):
        return Case(label, "FAIL", f"B's resource {p.victim_resource} reachable without a token", sent, ex.evidence())
    c = reject_case(r, None, ex, label)
    c.sent = sent
    if c.status == "WARN" and ex.sub(p.victim_resource) in ("refused", "closed"):
        c.status, c.reason = "PASS", f"no explicit rejection, but B's resource was {ex.sub(p.victim_resource)}"
    return c


async def p_claimed_identity(r: Runner) -> list[Case]:
    """Probe 22: an identity claimed in a header, the query or the message WITHOUT a token is refused."""
    p = r.profile
    b = p.victim_id
    runs = [(f"no token + {p.claimed_identity_header}: {b}", "header"),
            (f"no token + ?{p.forged_identity_name}={b}", "query")]
    cases = []
    if p.token_transport == "first_message" and p.forged_identity_path:
        runs.append((f"no token + {p.forged_identity_path}={b} in the auth message", "message"))
    else:
        cases.append(Case("no token + identity in the message", "N/A",
                          "needs token_transport first_message and a forged_identity_path"))
    sub = [p.victim_resource] if p.subscribe_message and p.victim_resource else None
    exs = await asyncio.gather(*(r.exchange(None, forged_identity=b, where=w, subscribe=sub) for _, w in runs))
    return [_claimed_case(r, label, ex) for (label, _), ex in zip(runs, exs)] + cases
