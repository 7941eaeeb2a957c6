"""Probe 28: message limits relative to the server — one frame a clear step above its limit, and a bounded burst.

``limits.max_frame_bytes`` is the server's frame limit; the probe sends one frame
:data:`~analysis.wsaudit.lifecycle.OVERSIZE_FACTOR` times larger on an authenticated socket.
Without it the limit is discovered: frames of
:data:`~analysis.wsaudit.lifecycle.DISCOVERY_STEPS` bytes, one after another on one socket,
until one is refused (about 21 MiB at most). A refusal is what a WebSocket server does with a
frame over its limit: a close code (1009 "message too big", or another), or a dropped
connection. An application's reply — even ``{"type": "error", "error": "unknown action"}`` —
means the frame was read: no limit at or below its size. Then a burst of ``limits.burst``
messages, and a fresh valid token must still be accepted (else FAIL: a crash, hang or ban).
"""

from __future__ import annotations

import json
import time
from typing import Any

from websockets.exceptions import ConnectionClosed

from ..forge import Forged
from ..lifecycle import DISCOVERY_STEPS, OVERSIZE_FACTOR
from ..result import Case
from ..sources.client import Exchange, Hold, Runner
from ..templates import render
from .cases import accept_case

#: Close codes of a server that drops a connection without a close frame.
_ABRUPT = (1006,)
#: How long each discovery step waits for the server's answer (bounded by the reply timeout).
_STEP_WAIT_S = 1.0


def frame_of(size: int) -> str:
    """A JSON text frame of exactly ``size`` bytes (``{"type": "ws-audit-oversized", "pad": "xxx…"}``)."""
    empty = json.dumps({"type": "ws-audit-oversized", "pad": ""})
    return empty[:-2] + "x" * max(0, size - len(empty)) + empty[-2:]


async def _answer(r: Runner, ws: Any, ex: Exchange, token: str, wait: float) -> str:
    """``closed`` | ``answered`` | ``silent``: the first thing the server did after a frame."""
    end = time.perf_counter() + wait
    while (remaining := end - time.perf_counter()) > 0:
        objs = await r.receive(ws, ex, token, remaining)
        if objs is None:
            return "closed" if ex.close_code is not None else "silent"
        if any(r.classify(o) != "ignore" for o in objs):
            return "answered"
    return "silent"


def _hold_frames(r: Runner, f: Forged, sizes: tuple[int, ...], wait: float, out: dict[str, Any]) -> Hold:
    """Send frames of ``sizes`` one after another until one is refused; ``out["steps"]``: (size, answer)."""
    async def hold(ws: Any, ex: Exchange) -> None:
        out["steps"] = []
        for size in sizes:
            try:
                await ws.send(frame_of(size))
            except ConnectionClosed as exc:
                r.note_close(ex, exc, f.token)
            got = "closed" if ex.close_code is not None else await _answer(r, ws, ex, f.token, wait)
            out["steps"].append((size, got))
            if got == "closed":
                return

    return hold


def _refusal(ex: Exchange) -> str:
    """How the server refused a frame (the connection closed)."""
    if ex.close_code in _ABRUPT:
        return "dropped the connection (no close frame; close 1009 would tell the client why)"
    why = "message too big" if ex.close_code == 1009 and not ex.close_reason else ex.close_reason
    return f"closed it (close {ex.close_code} {why})".replace(" )", ")")


def _frame_case(r: Runner, f: Forged, ex: Exchange, out: dict[str, Any]) -> Case:
    """One frame a step above the profile's limit, or the discovery of the limit by stepping up."""
    limit = r.profile.limits.max_frame_bytes
    steps: list[tuple[int, str]] = out.get("steps", [])
    args = (f.evidence(), ex.evidence())
    if limit:
        size = OVERSIZE_FACTOR * limit
        label = f"one {size:,}-byte frame ({OVERSIZE_FACTOR} × the profile's {limit:,}-byte limit)"
    else:
        label = f"frame size limit (stepping up from {DISCOVERY_STEPS[0]:,} bytes)"
    if steps and steps[-1][1] == "closed":
        size = steps[-1][0]
        if limit:
            return Case(label, "PASS", f"refused: the server {_refusal(ex)}", *args)
        below = f"between {steps[-2][0]:,} and {size - 1:,}" if len(steps) > 1 else f"below {size:,}"
        return Case(label, "PASS", f"refused at {size:,} bytes: the server {_refusal(ex)}; its limit lies {below} "
                    "bytes (set limits.max_frame_bytes to test it directly)", *args)
    if not steps:
        return Case(label, "ERROR", "no frame could be sent", *args)
    size, got = steps[-1]
    stated = f" although the profile says the limit is {limit:,} bytes" if limit else ""
    if got == "answered":
        return Case(label, "WARN", f"a {size:,}-byte frame was read and answered{stated} (an application's reply, "
                    "error or not, is no size limit): no frame limit at or below it", *args)
    return Case(label, "WARN", f"no reply to a {size:,}-byte frame and the connection stayed open{stated} (no limit "
                "evident)", *args, unjudged="silence after an oversized frame: limit or not, it cannot be told")


def _hold_burst(r: Runner, f: Forged, outcome: dict[str, Any]) -> Hold:
    p = r.profile
    lim = p.limits
    template = lim.burst_message or (render(p.subscribe_message, resource=p.own_resource)
                                     if p.subscribe_message and p.own_resource else {"type": "ws-audit-burst"})

    async def hold(ws: Any, ex: Exchange) -> None:
        sent = 0
        try:
            for _ in range(lim.burst):
                await ws.send(json.dumps(r.stamp(template, ex)[0]))
                sent += 1
        except ConnectionClosed as exc:
            r.note_close(ex, exc, f.token)
        outcome["sent"], outcome["replies"] = sent, await _count_replies(r, ws, ex, f.token, sent)

    return hold


async def _count_replies(r: Runner, ws: Any, ex: Exchange, token: str, sent: int) -> int:
    """Replies read until one per message arrived, the server is quiet for 0.3 s or closes (bounded by the timeout)."""
    n, end = 0, time.perf_counter() + r.rt
    while (remaining := end - time.perf_counter()) > 0 and n < sent:
        objs = await r.receive(ws, ex, token, min(remaining, 0.3))
        if objs is None:
            break
        n += sum(r.classify(o) != "ignore" for o in objs)
    return n


def _burst_case(f: Forged, n: int, ex: Exchange, out: dict[str, Any]) -> Case:
    label, args = f"a burst of {n} messages", (f.evidence(), ex.evidence())
    sent, replies = out.get("sent", 0), out.get("replies", 0)
    if ex.close_code is not None and ex.close_code not in _ABRUPT:
        return Case(label, "PASS", f"closed cleanly after {sent} messages (close {ex.close_code} {ex.close_reason})"
                    .replace(" )", ")"), *args)
    if ex.close_code in _ABRUPT:
        return Case(label, "WARN", f"connection dropped without a close frame after {sent} messages", *args)
    if replies:
        return Case(label, "PASS", f"still answering: {replies} replies to {sent} messages", *args)
    return Case(label, "WARN", f"no reply to {sent} messages", *args, unjudged="no reply to the burst")


async def p_message_limits(r: Runner) -> list[Case]:
    """Probe 28: a frame over the server's limit is refused; a bounded burst is handled; the target still serves."""
    lim = r.profile.limits
    if not lim.enabled:
        return [Case("message limits", "N/A", "switched off in the profile (limits: false)")]
    f = r.forger.fresh("valid token for A")
    sizes = (OVERSIZE_FACTOR * lim.max_frame_bytes,) if lim.max_frame_bytes else DISCOVERY_STEPS
    wait = r.rt if lim.max_frame_bytes else min(r.rt, _STEP_WAIT_S)
    frames: dict[str, Any] = {}
    burst: dict[str, Any] = {}
    ex1 = await r.exchange(f.token, hold=_hold_frames(r, f, sizes, wait, frames), hold_s=len(sizes) * (wait + 1) + 2)
    ex2 = await r.exchange(f.token, hold=_hold_burst(r, f, burst), hold_s=2 * r.rt + 2)
    if ex1.state != "accepted" or ex2.state != "accepted":
        bad = ex1 if ex1.state != "accepted" else ex2
        return [accept_case(f, bad, when_rejected="ERROR")]
    fresh = r.forger.fresh("a fresh valid token afterwards")
    ex3 = await r.exchange(fresh.token)
    after = accept_case(fresh, ex3)
    if ex3.state == "accepted":
        after.reason = f"still serving: {after.reason}"
    else:
        after.status = "FAIL"
        after.reason = (f"{ex3.describe()}: the target stopped serving after the oversized frame(s) and a burst of "
                        f"{lim.burst} (crash, hang or ban)")
    return [_frame_case(r, f, ex1, frames), _burst_case(f, lim.burst, ex2, burst), after]
