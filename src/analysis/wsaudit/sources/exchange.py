"""What happened on one connection (:class:`Exchange`), and how a received frame is decoded.

A frame may hold one JSON value or several newline-separated JSON values (servers batch
replies, pings may be a bare ``{}``): :func:`decode_frame` returns them all.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

#: Decoded form of a frame part that is not JSON.
NOT_JSON = None


@dataclass
class Exchange:
    """What happened on one connection.

    ``subs`` maps each resource the connection asked for to ``ack`` (subscription or
    request acknowledged), ``refused``, ``closed`` or ``silent``; ``victim_push`` is set
    when a frame that is no reply carried the victim's resource.
    """

    state: str  # accepted | rejected | closed | silent | error
    identity: str | None = None
    frames: list[str] = field(default_factory=list)
    close_code: int | None = None
    close_reason: str = ""
    http_status: int | None = None
    ms: float = 0.0
    error: str = ""
    subs: dict[str, str] = field(default_factory=dict)
    victim_push: bool = False
    verdict_frame: Any = None
    ignored: int = 0
    next_id: int = 0
    notes: list[str] = field(default_factory=list)
    challenge: str = ""  # the WWW-Authenticate header of a refused handshake

    def describe(self) -> str:
        """One phrase for a case's reason (``accepted as 'x'``, ``handshake refused (HTTP 401)`` ...)."""
        if self.state == "accepted":
            return f"accepted as {self.identity!r}" if self.identity is not None else "accepted"
        if self.state == "rejected" and self.http_status:
            return f"handshake refused (HTTP {self.http_status})"
        if self.state == "rejected":
            extra = f", close {self.close_code}" if self.close_code else ""
            return f"rejected (error frame{extra})"
        if self.state == "closed":
            return f"closed ({self.close_code} {self.close_reason})".replace(" )", ")")
        if self.state == "silent":
            return "no accept/reject frame before the timeout"
        return f"error: {self.error}"

    def sub(self, resource: str) -> str:
        """What asking for ``resource`` got ("" when it was not asked for)."""
        return self.subs.get(resource, "")

    def evidence(self) -> dict[str, Any]:
        """What was received, as plain data (a case's ``received``)."""
        return {"state": self.state, "identity": self.identity, "frames": self.frames, "close_code": self.close_code,
                "close_reason": self.close_reason, "http_status": self.http_status, "ms": round(self.ms, 1),
                "error": self.error, "subscriptions": dict(self.subs) or None, "victim_push": self.victim_push,
                "ignored_frames": self.ignored, "notes": list(self.notes) or None,
                "www_authenticate": self.challenge or None}


def decode_frame(text: str) -> list[Any]:
    """The JSON values of a frame: one, or one per non-empty line (``NOT_JSON`` for a part that is not JSON)."""
    try:
        return [json.loads(text)]
    except ValueError:
        pass
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return [NOT_JSON]
    out = []
    for line in lines:
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append(NOT_JSON)
    return out


def is_loopback(url: str) -> bool:
    """True when ``url``'s host is ``localhost`` or a loopback address."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
