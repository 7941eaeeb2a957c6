"""The probe battery's WebSocket client: one bounded connection per case, and the shared state of a run.

Every case opens its own connection to the ONE configured URL, authenticates the way the
profile says (first message, query parameter, header or subprotocol), and waits for a
frame matching the profile's ``accepted`` / ``rejected`` matchers or a close, bounded by
``reply_timeout_s``. What happened is an :class:`Exchange`: its state, the first frames
received (truncated, redacted), the close code, the latency.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from ...redact import redact_text
from ..forge import Forged, Forger
from ..keys import Keys
from ..profile import Profile
from ..templates import drop_placeholder, lookup, render, set_path
from .listener import FetchListener

FRAME_CHARS = 200
MAX_FRAMES = 4
#: What a probe may do with an open, accepted connection before it is closed.
Hold = Callable[[Any, "Exchange"], Awaitable[None]]


@dataclass
class Exchange:
    """What happened on one connection."""

    state: str  # accepted | rejected | closed | silent | error
    identity: str | None = None
    frames: list[str] = field(default_factory=list)
    close_code: int | None = None
    close_reason: str = ""
    http_status: int | None = None
    ms: float = 0.0
    error: str = ""
    subscribed: bool = False
    victim_push: bool = False
    verdict_frame: Any = None
    after_subscribe: str = ""  # "" | subscribed | refused | closed | silent
    ignored: int = 0

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

    def evidence(self) -> dict[str, Any]:
        """What was received, as plain data (a case's ``received``)."""
        return {"state": self.state, "identity": self.identity, "frames": self.frames, "close_code": self.close_code,
                "close_reason": self.close_reason, "http_status": self.http_status, "ms": round(self.ms, 1),
                "error": self.error, "subscription": self.after_subscribe or None,
                "victim_push": self.victim_push, "ignored_frames": self.ignored}


def is_loopback(url: str) -> bool:
    """True when ``url``'s host is ``localhost`` or a loopback address."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Runner:
    """The connections of one battery run and its shared state (forger, listener, baseline outcome).

    Parameters
    ----------
    profile : Profile
        How to talk to the target; its ``url`` is the only address contacted.
    keys : Keys
        Key material (its values are redacted from every frame recorded).
    concurrency : int, optional
        Connections open at once (default ``profile.concurrency``).
    """

    def __init__(self, profile: Profile, keys: Keys, *, concurrency: int | None = None) -> None:
        self.profile = profile
        self.keys = keys
        self.forger = Forger(profile, keys)
        self.sem = asyncio.Semaphore(concurrency or profile.concurrency)
        self.secrets = keys.secret_texts()
        self.rt = profile.reply_timeout_s
        self.listener: FetchListener | None = None
        self.baseline: Exchange | None = None
        self.baseline_token: Forged | None = None

    # ---- helpers
    def clean(self, text: str, token: str | None) -> str:
        """``text`` with the token and key material replaced, cut to :data:`FRAME_CHARS`."""
        if token:
            text = text.replace(token, "<token>")
        text = redact_text(text, self.secrets)
        return text if len(text) <= FRAME_CHARS else text[:FRAME_CHARS] + "…"

    def _url(self, token: str | None, extra_query: dict[str, str] | None = None) -> str:
        parts = urlsplit(self.profile.url)
        q = parse_qsl(parts.query, keep_blank_values=True)
        if self.profile.token_transport == "query_param" and token is not None:
            q.append((self.profile.query_param, token))
        q.extend((extra_query or {}).items())
        return urlunsplit(parts._replace(query=urlencode(q)))

    def auth_frame(self, token: str | None, forged_identity: str | None = None) -> str:
        """The first-message auth frame for ``token`` (None: the frame without a token)."""
        p = self.profile
        msg = drop_placeholder(p.auth_message) if token is None else render(p.auth_message, token=token)
        if forged_identity is not None and p.forged_identity_path:
            msg = set_path(msg, p.forged_identity_path, forged_identity)
        return json.dumps(msg)

    def classify(self, obj: Any) -> str:
        """``ignore`` | ``accepted`` | ``rejected`` | ``subscribed`` | ``other`` by the profile's matchers."""
        p = self.profile
        if obj is None:
            return "other"
        if any(m.matches(obj) for m in p.ignore):
            return "ignore"
        if p.accepted.matches(obj):
            return "accepted"
        if p.rejected.matches(obj):
            return "rejected"
        if p.subscribed.matches(obj):
            return "subscribed"
        return "other"

    # ---- one connection
    async def exchange(self, token: str | None, *, forged_identity: str | None = None, where: str = "message",
                       origin: str | None = None, send_auth: bool = True, subscribe: str | None = None,
                       hold: Hold | None = None) -> Exchange:
        """Open one connection, authenticate with ``token``, optionally subscribe; bounded in time.

        ``where`` places ``forged_identity``: ``message`` (auth message at forged_identity_path),
        ``query`` (``?user_id=``) or ``header`` (``X-User-Id``). ``hold`` runs on the open
        connection once the token was accepted (probe 14).
        """
        async with self.sem:
            try:
                return await asyncio.wait_for(
                    self._exchange(token, forged_identity, where, origin, send_auth, subscribe, hold),
                    self.rt * 3 + 2 + (30 if hold else 0))
            except asyncio.TimeoutError:
                return Exchange("error", error="connection exceeded its time budget")

    async def _exchange(self, token: str | None, forged: str | None, where: str, origin: str | None,
                        send_auth: bool, subscribe: str | None, hold: Hold | None) -> Exchange:
        url, headers, subprotocols = self._handshake(token, forged, where)
        ws, ex = await self._connect(url, token, origin, headers, subprotocols)
        if ws is None:
            return ex
        try:
            await self._converse(ws, ex, token, forged if where == "message" else None, send_auth, subscribe, hold)
        finally:
            try:
                await asyncio.wait_for(ws.close(), 1.5)
            except (asyncio.TimeoutError, OSError, ConnectionClosed):
                pass
        return ex

    def _handshake(self, token: str | None, forged: str | None,
                   where: str) -> tuple[str, dict[str, str], list[str] | None]:
        """URL, headers and subprotocols of the opening handshake."""
        p = self.profile
        name = p.forged_identity_name
        headers: dict[str, str] = {}
        subprotocols = None
        if p.token_transport == "header" and token is not None:
            headers[p.header] = p.header_value.replace("{token}", token)
        if p.token_transport == "subprotocol" and token is not None:
            subprotocols = [token]
        extra_q = {name: forged} if forged is not None and where == "query" else None
        if forged is not None and where == "header":
            headers["X-" + name.replace("_", "-").title()] = forged  # user_id → X-User-Id
        return self._url(token, extra_q), headers, subprotocols

    async def _connect(self, url: str, token: str | None, origin: str | None, headers: dict[str, str],
                       subprotocols: list[str] | None) -> tuple[Any, Exchange]:
        """(open connection, a silent Exchange) or (None, the Exchange saying why the handshake failed)."""
        ex = Exchange("silent")
        t0 = time.perf_counter()
        try:
            ws = await connect(url, origin=origin, additional_headers=headers or None, subprotocols=subprotocols,
                               open_timeout=self.rt, close_timeout=1, proxy=None, compression=None,
                               ping_interval=None, max_size=2**20, user_agent_header="infra-mind-ws-audit/0.1")
        except InvalidStatus as exc:
            code = exc.response.status_code
            ex.state, ex.http_status, ex.ms = "rejected", code, (time.perf_counter() - t0) * 1000
            body = exc.response.body.decode("utf-8", "replace") if exc.response.body else ""
            ex.frames = [self.clean(f"HTTP {code} {body.strip()}", token)]
            return None, ex
        except (asyncio.TimeoutError, TimeoutError):
            return None, Exchange("error", error=f"handshake timed out after {self.rt:g} s", ms=self.rt * 1000)
        except ssl.SSLError as exc:
            return None, Exchange("error", error=f"TLS error: {exc.reason or exc}")
        except ConnectionRefusedError:
            return None, Exchange("error", error="connection refused")
        except (InvalidHandshake, InvalidURI) as exc:
            return None, Exchange("error", error=self.clean(f"bad handshake: {exc}", token))
        except OSError as exc:
            detail = exc.strerror or str(exc) or type(exc).__name__
            if urlsplit(url).scheme == "wss" and isinstance(exc, ConnectionResetError):
                detail += " during the TLS handshake (is the server speaking TLS?)"
            return None, Exchange("error", error=self.clean(f"network error: {detail}", token))
        return ws, ex

    async def _converse(self, ws: Any, ex: Exchange, token: str | None, forged: str | None, send_auth: bool,
                        subscribe: str | None, hold: Hold | None) -> None:
        """Authenticate on the open connection, read the verdict, then subscribe / hold as asked."""
        p = self.profile
        t_send = time.perf_counter()
        if p.token_transport == "first_message" and send_auth:
            try:
                await ws.send(self.auth_frame(token, forged))
            except ConnectionClosed:
                pass  # the server closed first: _await_verdict reads the close code
        wait = self.rt
        if p.token_transport != "first_message" and not p.accepted:
            wait = min(self.rt, 0.5)  # handshake success is the acceptance unless a frame says otherwise
        if send_auth or p.token_transport != "first_message":
            await self._await_verdict(ws, ex, token, wait, t_send)
            if ex.state == "silent" and p.token_transport != "first_message" and not p.accepted:
                ex.state = "accepted"
        else:
            ex.state = "silent"
        if subscribe is not None and ex.close_code is None:
            await self.subscribe(ws, ex, token, subscribe)
        if hold is not None and ex.state == "accepted":
            await hold(ws, ex)

    def record(self, ex: Exchange, raw: Any, token: str | None) -> Any:
        """Note a received frame in ``ex`` (shown, or counted when ignored); return it decoded (None: not JSON)."""
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        try:
            obj = json.loads(text)
        except ValueError:
            obj = None
            text = "(non-JSON) " + text
        if obj is not None and any(m.matches(obj) for m in self.profile.ignore):
            ex.ignored += 1  # welcome / heartbeat frames are counted, not shown
        elif len(ex.frames) < MAX_FRAMES:
            ex.frames.append(self.clean(text, token))
        if self.profile.victim_resource and self.profile.victim_resource in text:
            kind = self.classify(obj)
            if kind == "other":
                ex.victim_push = True
        return obj

    async def _await_verdict(self, ws: Any, ex: Exchange, token: str | None, wait: float, t0: float) -> None:
        deadline = time.perf_counter() + wait
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                if ex.state != "rejected":
                    ex.state = "silent"
                    ex.ms = (time.perf_counter() - t0) * 1000
                return
            try:
                raw = await asyncio.wait_for(ws.recv(), remaining)
            except (asyncio.TimeoutError, TimeoutError):
                continue
            except ConnectionClosed as exc:
                rcvd = exc.rcvd
                ex.state = "rejected" if ex.state == "rejected" else "closed"
                ex.close_code = rcvd.code if rcvd else 1006
                ex.close_reason = self.clean(rcvd.reason, token) if rcvd else "no close frame"
                ex.ms = ex.ms or (time.perf_counter() - t0) * 1000
                return
            obj = self.record(ex, raw, token)
            kind = self.classify(obj)
            if kind == "accepted":
                ex.state, ex.verdict_frame = "accepted", obj
                ident = lookup(obj, self.profile.identity_path) if self.profile.identity_path else None
                ex.identity = None if ident is None else str(ident)
                ex.ms = (time.perf_counter() - t0) * 1000
                return
            if kind == "rejected":
                ex.state, ex.verdict_frame = "rejected", obj
                ex.ms = (time.perf_counter() - t0) * 1000
                deadline = min(deadline, time.perf_counter() + 0.15)  # catch a close that follows

    async def subscribe(self, ws: Any, ex: Exchange, token: str | None, resource: str) -> None:
        """Send the profile's subscribe message for ``resource``; note confirmation, refusal, close or silence."""
        p = self.profile
        try:
            await ws.send(json.dumps(render(p.subscribe_message, resource=resource)))
        except ConnectionClosed:
            ex.after_subscribe = "closed"
            return
        deadline = time.perf_counter() + min(self.rt, 0.8)
        while (remaining := deadline - time.perf_counter()) > 0:
            try:
                raw = await asyncio.wait_for(ws.recv(), remaining)
            except (asyncio.TimeoutError, TimeoutError):
                break
            except ConnectionClosed as exc:
                ex.after_subscribe = ex.after_subscribe or "closed"
                ex.close_code = exc.rcvd.code if exc.rcvd else 1006
                return
            obj = self.record(ex, raw, token)
            kind = self.classify(obj)
            if kind == "subscribed" and resource in json.dumps(obj):
                ex.subscribed, ex.after_subscribe = True, "subscribed"
            elif kind == "rejected" and not ex.after_subscribe:
                ex.after_subscribe = "refused"
            if ex.victim_push and ex.subscribed:
                return
        ex.after_subscribe = ex.after_subscribe or "silent"
