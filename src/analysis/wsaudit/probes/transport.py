"""Probes 14, 18, 19 and 21: the connection around the token — expiry while open, Origin, TLS, the baseline at the end."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import urlsplit

from websockets.exceptions import ConnectionClosed

from ..forge import Forged
from ..results import Case
from ..sources.client import Exchange, Hold, Runner, is_loopback
from .cases import accept_case, reject_case

_EXPIRY = "token expires while connected"


def _hold_past_expiry(r: Runner, f: Forged, exp: float, outcome: dict[str, Any]) -> Hold:
    """Keep an accepted connection open until after ``exp`` (+ leeway), then try a request.

    Fills ``outcome``: ``closed`` = (code, reason, seconds after exp) when the target closed
    the connection, else ``after`` = what the subscription after expiry got.
    """
    p = r.profile

    async def hold(ws: Any, ex: Exchange) -> None:
        wait_until = exp + p.leeway_s + 1.0
        while (remaining := wait_until - time.time()) > 0:
            try:
                raw = await asyncio.wait_for(ws.recv(), remaining)
                r.record(ex, raw, f.token)
            except (asyncio.TimeoutError, TimeoutError):
                break
            except ConnectionClosed as exc:
                outcome["closed"] = (exc.rcvd.code if exc.rcvd else 1006, exc.rcvd.reason if exc.rcvd else "",
                                     time.time() - exp)
                return
        if p.own_resource and p.subscribe_message:
            await r.subscribe(ws, ex, f.token, p.own_resource)
            outcome["after"] = ex.after_subscribe

    return hold


def _expiry_case(r: Runner, f: Forged, ex: Exchange, outcome: dict[str, Any]) -> Case:
    """PASS when the target closed the connection or refused a request after exp; WARN otherwise."""
    if "closed" in outcome:
        code, reason, dt_s = outcome["closed"]
        return Case(_EXPIRY, "PASS", f"connection closed {dt_s:+.1f} s after exp (close {code} {reason})".strip(),
                    f.evidence(), ex.evidence())
    after = outcome.get("after")
    if after in ("refused", "closed"):
        return Case(_EXPIRY, "PASS", f"after exp a request was {after}: re-auth required", f.evidence(),
                    ex.evidence())
    if after == "subscribed":
        return Case(_EXPIRY, "WARN", "connection still acts as the subject after its token expired (no re-auth "
                    "demanded)", f.evidence(), ex.evidence())
    return Case(_EXPIRY, "WARN", "connection still open after the token expired"
                + (" (no request tested: own_resource unset)" if not r.profile.own_resource else ""),
                f.evidence(), ex.evidence())


async def p_expiry_open(r: Runner) -> list[Case]:
    """Probe 14: a connection whose token expires is closed, or must re-authenticate."""
    p = r.profile
    if p.leeway_s > 10:
        return [Case("expiry", "N/A", f"leeway_s={p.leeway_s:g} s: waiting past expiry exceeds the run's budget")]
    f = r.forger.short_lived(2)
    outcome: dict[str, Any] = {}
    ex = await r.exchange(f.token, hold=_hold_past_expiry(r, f, float((f.claims or {})["exp"]), outcome))
    if ex.state != "accepted":
        return [accept_case(f, ex, when_rejected="ERROR")]
    return [_expiry_case(r, f, ex, outcome)]


async def p_origin(r: Runner) -> list[Case]:
    """Probe 18: a cross-site Origin is refused (WARN, not FAIL, when accepted: exploitability depends on cookies)."""
    if not r.profile.origin:
        return [Case("origin", "N/A", "origin checks are off in the profile")]
    origins = ["https://evil.example", "null"]
    f = r.forger.baseline()
    exs = await asyncio.gather(*(r.exchange(f.token, origin=o) for o in origins))
    cases = []
    for o, ex in zip(origins, exs):
        c = reject_case(r, f, ex, f"Origin: {o}")
        if c.status == "FAIL":
            c.status = "WARN"
            c.reason = (f"cross-site Origin {o} accepted ({ex.describe()}); exploitable when cookies or other ambient "
                        "credentials authenticate the socket — add an Origin allowlist")
        cases.append(c)
    return cases


async def p_transport(r: Runner) -> list[Case]:
    """Probe 19: wss:// (ws:// is reported, except on a loopback address)."""
    scheme = urlsplit(r.profile.url).scheme
    if scheme == "wss":
        return [Case("scheme", "PASS", "wss:// (TLS); the ws:// variant is not probed: only the configured URL is "
                     "contacted")]
    if is_loopback(r.profile.url):
        return [Case("scheme", "N/A", "ws:// on a loopback address (local test target)")]
    return [Case("scheme", "WARN", "ws:// offered: tokens and pushes travel in cleartext")]


async def p_persistence(r: Runner) -> list[Case]:
    """Probe 21: the baseline is still accepted at the end (else rejections may be a ban, not validation)."""
    f = r.forger.baseline()
    ex = await r.exchange(f.token)
    if ex.state == "accepted":
        return [Case("baseline at the end", "PASS", ex.describe(), f.evidence(), ex.evidence())]
    return [Case("baseline at the end", "ERROR", f"baseline no longer accepted ({ex.describe()}): rejections above may "
                 "come from rate limiting or a ban, not from validation", f.evidence(), ex.evidence())]
