"""The probe battery's WebSocket client: one bounded connection per case, and the shared state of a run.

Every case opens its own connection to the ONE configured URL with the profile's connection
settings (Origin, extra headers and cookies, subprotocols: :mod:`.handshake`), authenticates
the way the profile says (first message, query parameter, header, subprotocol or cookie — or
another way a probe asks for), and waits for a frame matching the profile's ``accepted`` / ``rejected``
matchers or a close, bounded by ``reply_timeout_s``. Requests on an open connection
(subscriptions, victim messages) are correlated with their replies by the profile's
``reply_id_path`` when it has one. What happened is an
:class:`~.exchange.Exchange`: its state, the first frames received (truncated,
redacted), the close code, the latency, what each request got.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from ...redact import redact_text
from ..forge import Forged, Forger
from ..keys import Keys
from ..profile import Profile
from ..templates import drop_placeholder, lookup, render, set_path
from .exchange import Exchange, decode_frame, is_loopback
from .handshake import build_handshake
from .listener import FetchListener

__all__ = ["Exchange", "Hold", "Runner", "is_loopback", "tls_context"]

FRAME_CHARS = 200
MAX_FRAMES = 4
#: What a probe may do with an open, accepted connection before it is closed.
Hold = Callable[[Any, Exchange], Awaitable[None]]


def tls_context(profile: Profile) -> ssl.SSLContext | None:
    """The TLS context for a ``wss://`` profile (the system CAs, or ``ca_file`` for a private CA)."""
    if urlsplit(profile.url).scheme != "wss":
        return None
    return ssl.create_default_context(cafile=profile.ca_file or None)


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
    deadline : float, optional
        The battery's deadline on the ``time.perf_counter`` clock (probes that wait check it).
    """

    def __init__(self, profile: Profile, keys: Keys, *, concurrency: int | None = None,
                 deadline: float | None = None) -> None:
        self.profile = profile
        self.keys = keys
        self.forger = Forger(profile, keys)
        self.sem = asyncio.Semaphore(concurrency or profile.concurrency)
        self.secrets = keys.secret_texts()
        self.rt = profile.reply_timeout_s
        self.deadline = deadline
        self.tls = tls_context(profile)
        self.listener: FetchListener | None = None
        self.baseline: Exchange | None = None
        self.baseline_token: Forged | None = None

    # ---- helpers
    def seconds_left(self) -> float:
        """Seconds until the battery's deadline (infinite without one)."""
        return float("inf") if self.deadline is None else self.deadline - time.perf_counter()

    def clean(self, text: str, token: str | None) -> str:
        """``text`` with the token and key material replaced, cut to :data:`FRAME_CHARS`."""
        if token:
            text = text.replace(token, "<token>")
        text = redact_text(text, self.secrets)
        return text if len(text) <= FRAME_CHARS else text[:FRAME_CHARS] + "…"

    def stamp(self, msg: Any, ex: Exchange) -> tuple[Any, int | None]:
        """``msg`` with a fresh request id at ``reply_id_path`` (when the profile correlates replies), and the id."""
        if not self.profile.reply_id_path or not isinstance(msg, dict):
            return msg, None
        ex.next_id += 1
        return set_path(msg, self.profile.reply_id_path, ex.next_id), ex.next_id

    def auth_frame(self, token: str | None, forged_identity: Any = None, ex: Exchange | None = None) -> str:
        """The first-message auth frame for ``token`` (None: the frame without a token)."""
        p = self.profile
        msg = drop_placeholder(p.auth_message) if token is None else render(p.auth_message, token=token)
        if forged_identity is not None and p.forged_identity_path:
            msg = set_path(msg, p.forged_identity_path, forged_identity)
        if ex is not None:
            msg, _ = self.stamp(msg, ex)
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
    async def exchange(self, token: str | None, *, forged_identity: Any = None, where: str = "message",
                       origin: str | None = None, send_auth: bool = True,
                       subscribe: str | list[str] | None = None, hold: Hold | None = None, hold_s: float = 0.0,
                       token_where: str | None = None, url: str | None = None) -> Exchange:
        """Open one connection, authenticate with ``token``, optionally subscribe; bounded in time.

        ``where`` places ``forged_identity``: ``message`` (auth message at forged_identity_path),
        ``query`` (``?user_id=``) or ``header`` (the profile's ``identity_header``).
        ``origin``: the Origin header (None: the profile's ``origin``; ``""``: none at all).
        ``subscribe``: resources to ask for, in order. ``hold`` runs on the open connection
        once the token was accepted, within ``hold_s`` more seconds. ``token_where``
        overrides the profile's token transport (``first_message``, ``query_param``,
        ``header``, ``subprotocol``, ``cookie``); ``url`` the profile's URL (same host only:
        the baseline's diagnosis tries the path with and without its trailing slash).
        """
        resources = [subscribe] if isinstance(subscribe, str) else list(subscribe or [])
        transport = token_where or self.profile.token_transport
        origin = self.profile.origin_header if origin is None else origin
        async with self.sem:
            try:
                return await asyncio.wait_for(
                    self._exchange(token, forged_identity, where, origin or None, send_auth, resources, hold,
                                   transport, url),
                    self.rt * 3 + 2 + len(resources) * self.rt + hold_s)
            except asyncio.TimeoutError:
                return Exchange("error", error="connection exceeded its time budget")

    async def _exchange(self, token: str | None, forged: Any, where: str, origin: str | None,
                        send_auth: bool, resources: list[str], hold: Hold | None, transport: str,
                        url: str | None) -> Exchange:
        hs = build_handshake(self.profile, self.keys, token, transport=transport, forged=forged, where=where, url=url)
        ws, ex = await self._connect(hs.url, token, origin, hs.headers, hs.subprotocols)
        if ws is None:
            return ex
        try:
            await self._converse(ws, ex, token, forged if where == "message" else None, send_auth, transport)
            for res in resources:
                if ex.close_code is not None:
                    break
                ex.subs[res] = await self.subscribe(ws, ex, token, res)
            if hold is not None and ex.state == "accepted":
                await hold(ws, ex)
        finally:
            try:
                await asyncio.wait_for(ws.close(), 1.5)
            except (asyncio.TimeoutError, OSError, ConnectionClosed):
                pass
        return ex

    async def _connect(self, url: str, token: str | None, origin: str | None, headers: dict[str, str],
                       subprotocols: list[str] | None) -> tuple[Any, Exchange]:
        """(open connection, a silent Exchange) or (None, the Exchange saying why the handshake failed)."""
        ex = Exchange("silent")
        t0 = time.perf_counter()
        try:
            ws = await connect(url, origin=origin, additional_headers=headers or None, subprotocols=subprotocols,
                               open_timeout=self.rt, close_timeout=1, proxy=None, compression=None, ssl=self.tls,
                               ping_interval=None, max_size=2**20, user_agent_header="infra-mind-ws-audit/0.2")
        except InvalidStatus as exc:
            code = exc.response.status_code
            ex.state, ex.http_status, ex.ms = "rejected", code, (time.perf_counter() - t0) * 1000
            body = exc.response.body.decode("utf-8", "replace") if exc.response.body else ""
            ex.frames = [self.clean(f"HTTP {code} {body.strip()}", token)]
            ex.challenge = self.clean(exc.response.headers.get("WWW-Authenticate", ""), token)
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
                        transport: str) -> None:
        """Authenticate on the open connection and read the verdict."""
        p = self.profile
        t_send = time.perf_counter()
        in_message = transport == "first_message"
        if in_message and send_auth:
            try:
                await ws.send(self.auth_frame(token, forged, ex))
            except ConnectionClosed:
                pass  # the server closed first: _await_verdict reads the close code
        wait = self.rt if (in_message or p.accepted) else min(self.rt, 0.5)
        if send_auth or not in_message:
            await self._await_verdict(ws, ex, token, wait, t_send)
            if ex.state == "silent" and not in_message and not p.accepted:
                ex.state = "accepted"  # handshake success is the acceptance unless a frame says otherwise

    def record(self, ex: Exchange, raw: Any, token: str | None) -> list[Any]:
        """Note a received frame in ``ex`` (shown, or counted when ignored); return its decoded JSON values."""
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        objs = decode_frame(text)
        kinds = [self.classify(o) for o in objs]
        if all(k == "ignore" for k in kinds):
            ex.ignored += 1  # welcome / heartbeat / ping frames are counted, not shown
        elif len(ex.frames) < MAX_FRAMES:
            shown = text if objs != [None] else "(non-JSON) " + text
            ex.frames.append(self.clean(shown, token))
        res = self.profile.victim_resource
        rid = self.profile.reply_id_path
        for obj, kind in zip(objs, kinds):
            is_reply = bool(rid) and lookup(obj, rid) is not None
            if res and kind == "other" and not is_reply and res in json.dumps(obj):
                ex.victim_push = True
        return objs

    async def receive(self, ws: Any, ex: Exchange, token: str | None, timeout: float) -> list[Any] | None:
        """The decoded values of the next frame (recorded in ``ex``); None on timeout or close (``ex.close_code`` set)."""
        try:
            raw = await asyncio.wait_for(ws.recv(), max(0.0, timeout))
        except (asyncio.TimeoutError, TimeoutError):
            return None
        except ConnectionClosed as exc:
            self.note_close(ex, exc, token)
            return None
        return self.record(ex, raw, token)

    async def _await_verdict(self, ws: Any, ex: Exchange, token: str | None, wait: float, t0: float) -> None:
        deadline = time.perf_counter() + wait
        while (remaining := deadline - time.perf_counter()) > 0 and ex.close_code is None:
            for obj in await self.receive(ws, ex, token, remaining) or []:
                kind = self.classify(obj)
                if kind == "accepted":
                    ex.state, ex.verdict_frame = "accepted", obj
                    ident = lookup(obj, self.profile.identity_path) if self.profile.identity_path else None
                    ex.identity = None if ident is None else str(ident)
                    ex.ms = (time.perf_counter() - t0) * 1000
                    return
                if kind == "rejected" and ex.state != "rejected":
                    ex.state, ex.verdict_frame = "rejected", obj
                    ex.ms = (time.perf_counter() - t0) * 1000
                    deadline = min(deadline, time.perf_counter() + 0.15)  # catch a close that follows
        if ex.close_code is not None:
            ex.state = "rejected" if ex.state == "rejected" else "closed"
            ex.ms = ex.ms or (time.perf_counter() - t0) * 1000
        elif ex.state != "rejected":
            ex.state = "silent"
            ex.ms = (time.perf_counter() - t0) * 1000

    def note_close(self, ex: Exchange, exc: ConnectionClosed, token: str | None) -> None:
        """Record the close code and reason of a closed connection in ``ex``."""
        ex.close_code = exc.rcvd.code if exc.rcvd else 1006
        ex.close_reason = self.clean(exc.rcvd.reason, token) if exc.rcvd else "no close frame"

    # ---- requests on an open connection
    async def request(self, ws: Any, ex: Exchange, token: str | None, message: Any, *, resource: str = "",
                      wait: float | None = None) -> str:
        """Send ``message``; return what it got: ``ack`` | ``refused`` | ``closed`` | ``silent``.

        With ``reply_id_path`` the reply carrying the request's id decides (anything but a
        ``rejected`` frame acknowledges). Without it a ``rejected`` frame refuses, and a
        ``subscribed`` frame naming ``resource`` — or, for a request without a resource, any
        frame that is neither ignored nor rejected — acknowledges. After an answer about
        the victim's resource the connection is read a little longer for the victim's pushes.
        """
        msg, rid = self.stamp(message, ex)
        try:
            await ws.send(json.dumps(msg))
        except ConnectionClosed as exc:
            self.note_close(ex, exc, token)
            return "closed"
        end = time.perf_counter() + (wait if wait is not None else min(self.rt, 0.8))
        outcome = ""
        linger = bool(resource) and resource == self.profile.victim_resource  # after an ack: read B's pushes
        while (remaining := end - time.perf_counter()) > 0 and not self._settled(outcome, linger, ex):
            objs = await self.receive(ws, ex, token, remaining)
            if objs is None:
                break
            for obj in objs:
                outcome = outcome or self._answer(obj, rid, resource)
        return outcome or ("closed" if ex.close_code is not None else "silent")

    @staticmethod
    def _settled(outcome: str, linger: bool, ex: Exchange) -> bool:
        """A request is settled by a refusal, or by an ack (after B's pushes, when lingering on B's resource)."""
        return outcome == "refused" or (outcome == "ack" and (not linger or ex.victim_push))

    def _answer(self, obj: Any, rid: int | None, resource: str) -> str:
        """``ack`` / ``refused`` when ``obj`` answers the request (``""`` when it does not)."""
        kind = self.classify(obj)
        if kind == "ignore":
            return ""
        if rid is not None:
            if lookup(obj, self.profile.reply_id_path) != rid:
                return ""
            return "refused" if kind == "rejected" else "ack"
        if kind == "rejected":
            return "refused"
        if resource:
            return "ack" if kind == "subscribed" and resource in json.dumps(obj) else ""
        return "ack"

    async def subscribe(self, ws: Any, ex: Exchange, token: str | None, resource: str) -> str:
        """Send the profile's subscribe message for ``resource``; return what it got (see :meth:`request`)."""
        return await self.request(ws, ex, token, render(self.profile.subscribe_message, resource=resource),
                                  resource=resource)

    async def wait_close(self, ws: Any, ex: Exchange, token: str | None, seconds: float) -> bool:
        """Read (and record) frames for up to ``seconds``; True when the server closed the connection."""
        end = time.perf_counter() + seconds
        while (remaining := end - time.perf_counter()) > 0:
            if await self.receive(ws, ex, token, remaining) is None:
                break
        return ex.close_code is not None
