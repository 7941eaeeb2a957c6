"""Reference WebSocket targets speaking the Infra Mind realtime protocol.

``secure`` validates as RFC 8725 asks: one pinned algorithm, required ``exp``, ``iss``,
``aud``, ``sub`` and ``token_type``, identity only from ``sub``, a subscription ACL,
one uniform rejection ("Authentication failed" + close 1008), connections closed
(4401) when their token expires, and an optional Origin allowlist.

``vulnerable`` reproduces the seed's MOCK AUTH
(``user_id = message.data.get("user_id", "anonymous")``): no token validation, any
identity the client names, no subscription ACL, no expiry.

Both send the welcome notification, answer ``auth``, ``subscribe``, ``unsubscribe``
and ``heartbeat``, and push ``assessment_update`` frames to subscribers of a topic.
Start them in-process on an ephemeral loopback port::

    async with ReferenceTarget("secure", secret) as t:
        ...  # t.url
    with ThreadedTarget("vulnerable", secret) as t:   # for sync callers / notebooks
        ...

They are notebook 04's embedded default: :func:`reference_target` configures one to
match a profile (claims, leeway, resources, Origin allowlist). The ``ws-target`` command
serves one from a shell.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import threading
import time
import uuid
import warnings
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from ..profile import Profile

log = logging.getLogger(__name__)

MODES = ("secure", "vulnerable")
WS_PATH = "/api/performance/ws"
DEFAULT_RESOURCES = {
    "assessment:ws-audit-assessment-a": "ws-audit-user-a",
    "assessment:ws-audit-assessment-b": "ws-audit-user-b",
}
REJECTION = "Authentication failed"
#: Origins the secure reference target allows (the dashboard's dev server).
REFERENCE_ORIGINS = ["http://localhost:3000"]


def _frame(kind: str, data: dict[str, Any]) -> str:
    return json.dumps({"type": kind, "data": data,
                       "timestamp": dt.datetime.now(dt.timezone.utc).isoformat(),
                       "message_id": uuid.uuid4().hex})


@dataclass(eq=False)
class _Conn:
    ws: ServerConnection
    user: str | None = None
    topics: set[str] = field(default_factory=set)
    expiry: asyncio.Task[None] | None = None


class ReferenceTarget:
    """A ``websockets`` server in ``secure`` or ``vulnerable`` mode.

    Parameters
    ----------
    mode : {"secure", "vulnerable"}
    secret : str
        HS256 secret the secure mode verifies with (never logged).
    host, port : str, int
        Bind address; port 0 picks an ephemeral port (see :attr:`url`).
    issuer, audience, token_type : str
        Claims the secure mode requires.
    leeway_s : float
        exp/nbf leeway of the secure mode.
    resources : dict, optional
        topic → owning subject (the subscription ACL and the pushed topics).
    allowed_origins : list of str, optional
        Secure mode: refuse handshakes whose Origin is present and not listed (403);
        ``None`` disables the check.
    push_interval_s : float
        Period of ``assessment_update`` pushes to subscribers.
    """

    def __init__(self, mode: str, secret: str, *, host: str = "127.0.0.1", port: int = 0,
                 issuer: str = "infra-mind", audience: str = "infra-mind-api", token_type: str = "access",
                 leeway_s: float = 0.0, resources: dict[str, str] | None = None,
                 allowed_origins: list[str] | None = None, push_interval_s: float = 0.1) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.mode = mode
        self._secret = secret
        self.host, self.port = host, port
        self.issuer, self.audience, self.token_type = issuer, audience, token_type
        self.leeway_s = leeway_s
        self.resources = dict(resources or DEFAULT_RESOURCES)
        self.allowed_origins = allowed_origins
        self.push_interval_s = push_interval_s
        self._server: Server | None = None
        self._pusher: asyncio.Task[None] | None = None
        self._conns: set[_Conn] = set()
        self._tick = 0

    @property
    def url(self) -> str:
        """The WebSocket URL (valid once started: the port is then known)."""
        return f"ws://{self.host}:{self.port}{WS_PATH}"

    # --- lifecycle -----------------------------------------------------------
    async def start(self) -> ReferenceTarget:
        """Listen, and start pushing to subscribers."""
        self._server = await serve(self._handler, self.host, self.port, process_request=self._process_request,
                                   compression=None, ping_interval=None, max_size=65536, close_timeout=1)
        self.port = self._server.sockets[0].getsockname()[1]
        self._pusher = asyncio.create_task(self._push_loop())
        log.info("reference target %s listening on %s", self.mode, self.url)
        return self

    async def stop(self) -> None:
        """Stop pushing and listening."""
        if self._pusher:
            self._pusher.cancel()
        if self._server:
            self._server.close()
            await self._server.wait_closed()

    async def __aenter__(self) -> ReferenceTarget:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # --- handshake -----------------------------------------------------------
    def _process_request(self, connection: ServerConnection, request: Any) -> Any:
        if self.mode != "secure":
            return None
        origin = request.headers.get("Origin")
        if self.allowed_origins is not None and origin is not None and origin not in self.allowed_origins:
            return connection.respond(HTTPStatus.FORBIDDEN, "Origin not allowed\n")
        token = parse_qs(urlsplit(request.path).query).get("token")
        if token is not None and self._verify(token[0]) is None:
            return connection.respond(HTTPStatus.UNAUTHORIZED, f"{REJECTION}\n")
        return None

    # --- token checks ----------------------------------------------------------
    def _verify(self, token: Any) -> dict[str, Any] | None:
        """Claims of a valid token, else None (the cause is deliberately not exposed)."""
        if not isinstance(token, str) or not token:
            return None
        try:
            with warnings.catch_warnings():  # a short operator-chosen secret is reported by probe 9, not here
                warnings.simplefilter("ignore")
                claims = jwt.decode(token, self._secret, algorithms=["HS256"], audience=self.audience,
                                    issuer=self.issuer, leeway=self.leeway_s,
                                    options={"require": ["exp", "iss", "aud", "sub"]})
        except jwt.PyJWTError:
            return None
        if claims.get("token_type") != self.token_type:
            return None
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            return None
        return claims

    # --- connection --------------------------------------------------------------
    async def _handler(self, ws: ServerConnection) -> None:
        conn = _Conn(ws)
        self._conns.add(conn)
        try:
            query = parse_qs(urlsplit(ws.request.path).query) if ws.request else {}
            if self.mode == "secure" and "token" in query:
                claims = self._verify(query["token"][0])
                if claims:
                    self._authenticate(conn, claims)
            elif self.mode == "vulnerable" and ("user_id" in query or "token" in query):
                conn.user = query.get("user_id", ["anonymous"])[0]  # mock auth over the query string
            welcome: dict[str, Any] = {"message": "Connected successfully", "connection_id": uuid.uuid4().hex}
            if conn.user is not None:  # authenticated during the handshake (?token= / ?user_id=)
                welcome["user_id"] = conn.user
            await ws.send(_frame("notification", welcome))
            async for raw in ws:
                await self._dispatch(conn, raw)
        except ConnectionClosed:
            pass
        finally:
            if conn.expiry:
                conn.expiry.cancel()
            self._conns.discard(conn)

    async def _dispatch(self, conn: _Conn, raw: str | bytes) -> None:
        try:
            msg = json.loads(raw)
            kind, data = msg.get("type"), msg.get("data") or {}
            if not isinstance(data, dict):
                raise ValueError
        except (ValueError, AttributeError):
            await conn.ws.send(_frame("error", {"error": "Invalid message format"}))
            return
        if kind == "auth":
            await self._auth(conn, data)
        elif kind == "subscribe":
            await self._subscribe(conn, str(data.get("topic", "")))
        elif kind == "unsubscribe":
            conn.topics.discard(str(data.get("topic", "")))
            await conn.ws.send(_frame("unsubscribe", {"topic": data.get("topic"), "status": "unsubscribed"}))
        elif kind == "heartbeat":
            await conn.ws.send(_frame("heartbeat", {"status": "alive"}))
        else:
            await conn.ws.send(_frame("error", {"error": "Unknown message type"}))

    def _authenticate(self, conn: _Conn, claims: dict[str, Any]) -> None:
        conn.user = claims["sub"]
        if conn.expiry:
            conn.expiry.cancel()
        conn.expiry = asyncio.create_task(self._expire(conn, float(claims["exp"]) + self.leeway_s))

    async def _expire(self, conn: _Conn, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.time()))
        conn.user = None
        conn.topics.clear()
        await conn.ws.close(4401, "token expired")

    async def _auth(self, conn: _Conn, data: dict[str, Any]) -> None:
        if self.mode == "vulnerable":
            # the seed's MOCK AUTH, verbatim in behaviour
            conn.user = str(data.get("user_id", "anonymous"))
            await conn.ws.send(_frame("auth", {"status": "authenticated", "user_id": conn.user, "email": None}))
            return
        claims = self._verify(data.get("token"))
        if claims is None:
            await conn.ws.send(_frame("error", {"error": REJECTION}))
            await conn.ws.close(1008, "authentication failed")
            return
        self._authenticate(conn, claims)
        await conn.ws.send(_frame("auth", {"status": "authenticated", "user_id": conn.user,
                                           "email": claims.get("email")}))

    async def _subscribe(self, conn: _Conn, topic: str) -> None:
        if self.mode == "secure":
            if conn.user is None:
                await conn.ws.send(_frame("error", {"error": "Authentication required"}))
                return
            if self.resources.get(topic) != conn.user:
                await conn.ws.send(_frame("error", {"error": "Access denied"}))
                return
        conn.topics.add(topic)
        await conn.ws.send(_frame("subscribe", {"topic": topic, "status": "subscribed"}))
        await self._push(conn, topic)

    # --- pushes ----------------------------------------------------------------
    async def _push(self, conn: _Conn, topic: str) -> None:
        self._tick += 1
        data = {"topic": topic, "assessment_id": topic.split(":", 1)[-1], "user_id": self.resources.get(topic),
                "progress_percentage": self._tick % 100}
        try:
            await conn.ws.send(_frame("assessment_update", data))
        except ConnectionClosed:
            pass

    async def _push_loop(self) -> None:
        while True:
            await asyncio.sleep(self.push_interval_s)
            for conn in list(self._conns):
                for topic in list(conn.topics):
                    await self._push(conn, topic)


class ThreadedTarget:
    """A :class:`ReferenceTarget` running in a background thread with its own event loop.

    For synchronous callers and notebooks (ipykernel already runs a loop). Use as a
    context manager or call :meth:`start` / :meth:`stop`; :attr:`url` is valid after start.
    """

    def __init__(self, mode: str, secret: str, **kwargs: Any) -> None:
        self.target = ReferenceTarget(mode, secret, **kwargs)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        """The target's WebSocket URL (valid after :meth:`start`)."""
        return self.target.url

    @property
    def mode(self) -> str:
        """``secure`` or ``vulnerable``."""
        return self.target.mode

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self.target.start())
        except BaseException as exc:  # surfaced by start()
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(self.target.stop())
        loop.close()

    def start(self, timeout: float = 5.0) -> ThreadedTarget:
        """Start the target in its thread; wait until it listens (or raise what stopped it)."""
        self._thread = threading.Thread(target=self._run, name=f"ws-target-{self.target.mode}", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("reference target did not start in time")
        if self._error:
            raise self._error
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the loop and the target; wait for the thread."""
        if self._loop and self._thread and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)

    def __enter__(self) -> ThreadedTarget:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def reference_profile(profile: Profile) -> Profile:
    """The profile as used against the HS256 reference targets."""
    if profile.algorithm == "HS256":
        return profile
    return replace(profile, algorithm="HS256", secret_env=profile.secret_env or "WS_JWT_SECRET")


def reference_target(mode: str, secret: str, profile: Profile, **kwargs: Any) -> ReferenceTarget:
    """A reference target configured to match ``profile`` (claims, leeway, resources, Origin allowlist).

    Parameters
    ----------
    mode : {"secure", "vulnerable"}
    secret : str
        The HS256 secret the secure mode verifies with.
    profile : Profile
        Its ``iss`` / ``aud`` / ``token_type`` claims, leeway and own / victim resources.
    **kwargs
        Override any :class:`ReferenceTarget` argument.
    """
    claims = profile.claims
    resources = {}
    if profile.own_resource:
        resources[profile.own_resource] = profile.subject
    if profile.victim_resource:
        resources[profile.victim_resource] = profile.victim_subject
    kw: dict[str, Any] = dict(issuer=str(claims.get("iss", "infra-mind")), audience=str(claims.get("aud", "infra-mind-api")),
                              token_type=str(claims.get("token_type", "access")), leeway_s=profile.leeway_s,
                              resources=resources or None,
                              allowed_origins=REFERENCE_ORIGINS if mode == "secure" else None)
    kw.update(kwargs)
    return ReferenceTarget(mode, secret, **kw)
