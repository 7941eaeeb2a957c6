"""Probe 20: the error oracle — do rejections of forged tokens differ, in reply or in timing, by kind of forgery?

Only tokens an attacker can make are compared (garbage, a wrong key, alg none, a tampered
payload, an empty signature). A correctly signed token that is expired or for another
audience is not a forgery: a server may well answer it differently (e.g. "token expired,
refresh") without giving an attacker anything.
"""

from __future__ import annotations

import json
import statistics
from typing import Any

from ..forge import Forged
from ..keys import MissingKeyError
from ..result import Case
from ..sources.client import Exchange, Runner

_VOLATILE = {"timestamp", "message_id", "connection_id", "id", "time", "ts", "request_id"}
ROUNDS = 3


def normalise(obj: Any) -> Any:
    """A frame without its volatile fields (ids, timestamps), keys sorted: what a reply's shape is."""
    if isinstance(obj, dict):
        return {k: normalise(v) for k, v in sorted(obj.items()) if k not in _VOLATILE}
    if isinstance(obj, list):
        return [normalise(v) for v in obj]
    return obj


def _reply_case(rejected: dict[str, list[Exchange]]) -> Case:
    """PASS when every cause got the same reply (HTTP status, normalised frame, close code)."""
    shapes: dict[str, list[str]] = {}
    for label, exs in rejected.items():
        e = exs[0]
        verdict = json.dumps(normalise(e.verdict_frame), sort_keys=True) if e.verdict_frame is not None else "-"
        shape = f"HTTP {e.http_status or 101}; frame {verdict}; close {e.close_code}"
        shapes.setdefault(shape, []).append(label)
    if len(shapes) > 1:
        desc = " | ".join(f"{', '.join(v)} → {k[:140]}" for k, v in shapes.items())
        return Case("reply by kind of forgery", "WARN", f"{len(shapes)} distinct rejection replies: {desc}")
    return Case("reply by kind of forgery", "PASS",
                f"all {len(rejected)} kinds of forged token got the same reply: {next(iter(shapes))[:160]}")


def _timing_case(rejected: dict[str, list[Exchange]]) -> Case:
    """PASS when the median rejection times of the causes lie within max(100 ms, 2 × their median)."""
    med = {k: statistics.median(e.ms for e in v) for k, v in rejected.items()}
    spread = max(med.values()) - min(med.values())
    overall = statistics.median(med.values())
    timing = ", ".join(f"{k}: {v:.1f} ms" for k, v in med.items())
    if spread > max(100.0, 2 * overall):
        return Case("timing by kind of forgery", "WARN", f"median rejection time differs by {spread:.0f} ms: {timing}")
    return Case("timing by kind of forgery", "PASS", f"median rejection times within {spread:.1f} ms: {timing}")


async def p_error_oracle(r: Runner) -> list[Case]:
    """Probe 20: rejections are uniform across kinds of forged tokens (reply shape, close code, timing)."""
    fg = r.forger
    causes: list[Forged] = [fg.malformed()[0], fg.wrong_key()[0], fg.alg_none()[0], fg.null_signature()[0]]
    try:
        causes.append(fg.tampered()[0])
    except MissingKeyError:
        pass  # the other forgeries need no key
    runs: dict[str, list[Exchange]] = {f.label: [] for f in causes}
    for _ in range(ROUNDS):
        for f in causes:  # sequential on purpose: timing is compared
            runs[f.label].append(await r.exchange(f.token))
    rejected = {k: v for k, v in runs.items() if all(e.state in ("rejected", "closed") for e in v)}
    if len(rejected) < 2:
        return [Case("error oracle", "N/A", f"only {len(rejected)} of {len(causes)} kinds of forged token were "
                     "rejected; nothing to compare")]
    return [_reply_case(rejected), _timing_case(rejected)]
