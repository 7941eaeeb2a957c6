"""Probes 23 and 24: later in a connection's life — logout / revocation, per-message authorization.

Revocation (23) logs a fresh token out (the profile's ``revoke``: an HTTP request or a
message on the token's own socket); the open socket must close within ``revoke_grace_s``
or refuse its next privileged message, and a new connection with the token must be
refused. Per-message authorization (24) sends each of ``victim_messages`` on an
authenticated socket of A's: an acknowledgement or B's data is a FAIL. Message limits (28)
are :mod:`.limits`.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any


from ..forge import Forged
from ..result import Case
from ..sources.client import Exchange, Hold, Runner
from ..sources.revoke import send_revoke
from ..templates import render
from .cases import accept_case, reject_case

def _hold_revoke(r: Runner, f: Forged, outcome: dict[str, Any]) -> Hold:
    """On the open socket: revoke the token, wait ``revoke_grace_s`` for a close, then try a privileged message."""
    p = r.profile
    spec = p.revoke
    assert spec is not None
    claims = f.claims or {}
    ident = r.forger.identity_in(claims)  # {sub}: the identity claim's value (sub unless identity_claim says)
    values = {"token": f.token, "jti": str(claims.get("jti", "")),
              "sub": str(claims.get("sub", "") if ident is None else ident),
              "secret": r.keys.revoke_secret}

    async def hold(ws: Any, ex: Exchange) -> None:
        t0 = time.perf_counter()
        if spec.kind == "http":
            res = await send_revoke(spec, p.url, values, timeout=r.rt, tls=r.tls)
            if not res.ok:
                outcome["error"] = res.detail
                return
            ex.notes.append(f"revoked: {res.detail}")
        else:
            got = await r.request(ws, ex, f.token, render(spec.message, **values))
            ex.notes.append(f"revoke message: {got}")
        if ex.close_code is not None or await r.wait_close(ws, ex, f.token, p.revoke_grace_s):
            outcome["closed"] = time.perf_counter() - t0
            return
        if p.own_resource and p.subscribe_message:
            outcome["after"] = await r.subscribe(ws, ex, f.token, p.own_resource)

    return hold


def _open_socket_case(r: Runner, f: Forged, ex: Exchange, outcome: dict[str, Any]) -> Case:
    """What the already-open socket did after the revoke."""
    label, grace = "open socket after the revoke", r.profile.revoke_grace_s
    args = (f.evidence(), ex.evidence())
    if "closed" in outcome:
        return Case(label, "PASS", f"closed {outcome['closed']:.1f} s after the revoke (close {ex.close_code} "
                    f"{ex.close_reason})".replace(" )", ")"), *args)
    after = outcome.get("after")
    if after in ("refused", "closed"):
        return Case(label, "PASS", f"still open after {grace:g} s, but its next privileged message was {after}", *args)
    if after == "ack":
        return Case(label, "FAIL", f"still open {grace:g} s after the revoke and still acts as A (A's resource "
                    "acknowledged): logout does not end live sockets", *args)
    what = ("no answer to a privileged message" if after == "silent"
            else "no privileged message to test (own_resource unset)")
    return Case(label, "WARN", f"still open {grace:g} s after the revoke; {what}", *args,
                unjudged="the socket stayed open and no privileged message was answered")


async def p_revocation(r: Runner) -> list[Case]:
    """Probe 23: after logout / revocation the open socket closes (or refuses) and the token no longer connects."""
    p = r.profile
    if p.revoke is None:
        return [Case("revocation", "N/A", "profile has no revoke (an HTTP request or a WebSocket message that logs a "
                     "token out)")]
    f = r.forger.fresh("token to revoke")
    outcome: dict[str, Any] = {}
    ex = await r.exchange(f.token, hold=_hold_revoke(r, f, outcome), hold_s=p.revoke_grace_s + 3 * r.rt + 1)
    if ex.state != "accepted":
        return [accept_case(f, ex, when_rejected="ERROR")]
    if "error" in outcome:
        return [Case("revoke", "ERROR", f"{outcome['error']}; nothing about revocation could be judged",
                     f.evidence(), ex.evidence())]
    again = await r.exchange(f.token)
    c = reject_case(r, f, again, "new connection with the revoked token")
    if c.status == "FAIL":
        c.reason = f"the revoked token still connects ({again.describe()}): no deny-list is checked"
    return [_open_socket_case(r, f, ex, outcome), c]


def _send_one(r: Runner, f: Forged, message: Any, outcome: dict[str, str]) -> Hold:
    async def hold(ws: Any, ex: Exchange) -> None:
        outcome["got"] = await r.request(ws, ex, f.token, message)

    return hold


def _message_case(r: Runner, f: Forged, message: Any, ex: Exchange, got: str) -> Case:
    """FAIL on an acknowledgement or the victim's data; PASS on a refusal or close; WARN (unjudged) on silence."""
    text = json.dumps(message)
    label = text if len(text) <= 90 else text[:89] + "…"
    sent = dict(f.evidence(), message=message)
    if ex.state != "accepted":
        c = accept_case(f, ex, when_rejected="ERROR")
        c.label, c.sent = label, sent
        return c
    if ex.victim_push or got == "ack":
        what = "acknowledged" if got == "ack" else "answered"
        what += " with B's resource or data" if ex.victim_push else ""
        return Case(label, "FAIL", f"{what}: a message on B's resource is acted on for A", sent, ex.evidence())
    if got in ("refused", "closed"):
        return Case(label, "PASS", f"{got} (no victim data)", sent, ex.evidence())
    return Case(label, "WARN", f"no reply within {min(r.rt, 0.8):g} s", sent, ex.evidence(),
                unjudged="no reply: silence cannot prove a fire-and-forget message was dropped")


async def p_message_authz(r: Runner) -> list[Case]:
    """Probe 24: messages naming the victim's resource on A's authenticated socket are refused, with no victim data."""
    p = r.profile
    bad = [Case(problem.split(": ")[1] if ": " in problem else "victim_messages", "ERROR", problem)
           for problem in p.problems if "victim_messages" in problem]
    if not p.victim_messages:
        return bad or [Case("per-message authorization", "N/A", "profile has no victim_messages")]
    msgs = [render(m, victim_resource=p.victim_resource, victim_subject=p.victim_subject,
                   resource=p.victim_resource) for m in p.victim_messages]
    f = r.forger.fresh("valid token for A")
    outs: list[dict[str, str]] = [{} for _ in msgs]
    exs = await asyncio.gather(*(r.exchange(f.token, hold=_send_one(r, f, m, o), hold_s=r.rt)
                                 for m, o in zip(msgs, outs)))
    return [_message_case(r, f, m, ex, o.get("got", "")) for m, ex, o in zip(msgs, exs, outs)] + bad
