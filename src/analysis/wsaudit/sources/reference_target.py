"""Reference WebSocket targets speaking the Infra Mind realtime protocol (``websockets`` server).

``secure`` validates as RFC 8725 asks: a pinned algorithm allowlist verified by PyJWT
(HMAC with the secret, or RSA / ECDSA with the public key through ``cryptography``),
required ``exp``, ``iss``, ``aud``, ``sub`` and ``token_type``, identity only from ``sub``,
a subscription ACL checked again on every message (``get_assessment``, ``unsubscribe``),
one uniform rejection ("Authentication failed" + close 1008), connections closed (4401)
when their token expires or is logged out (``logout``: a ``jti`` deny-list checked on
connect that also closes the token's open sockets), a 64 KiB frame limit and an optional
Origin allowlist. A token in the query string is read only when the profile says so.

``vulnerable`` reproduces the seed's MOCK AUTH
(``user_id = message.data.get("user_id", "anonymous")``): no token validation, any
identity the client names, no subscription ACL, no expiry, no logout, unsubscribe from
anything.

Both send the welcome notification, answer ``auth``, ``subscribe``, ``unsubscribe``,
``get_assessment``, ``logout`` (secure) and ``heartbeat``, and push ``assessment_update``
frames to subscribers of a topic::

    async with ReferenceTarget("secure", secret) as t:
        ...  # t.url
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import ssl
import time
import uuid
import warnings
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

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
MAX_FRAME = 65536


def _frame(kind: str, data: dict[str, Any]) -> str:
    return json.dumps({"type": kind, "data": data,
                       "timestamp": dt.datetime.now(dt.timezone.utc).isoformat(),
                       "message_id": uuid.uuid4().hex})


@dataclass(eq=False)
class _Conn:
    ws: ServerConnection
    user: str | None = None
    jti: str = ""
    topics: set[str] = field(default_factory=set)
    expiry: asyncio.Task[None] | None = None


class ReferenceTarget:
    """A ``websockets`` server in ``secure`` or ``vulnerable`` mode.

    Parameters
    ----------
    mode : {"secure", "vulnerable"}
    secret : str
        HS* secret the secure mode verifies with (never logged).
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
    algorithms : list of str
        The secure mode's allowlist (default ``["HS256"]``).
    public_key : optional
        The verification key of RS*/PS*/ES* algorithms (a ``cryptography`` public key).
    query_token : bool
        Secure mode: authenticate from ``?token=`` during the handshake (query transport).
    ssl_context : ssl.SSLContext, optional
        Serve ``wss://``.
    """

    def __init__(self, mode: str, secret: str, *, host: str = "127.0.0.1", port: int = 0,
                 issuer: str = "infra-mind", audience: str = "infra-mind-api", token_type: str = "access",
                 leeway_s: float = 0.0, resources: dict[str, str] | None = None,
                 allowed_origins: list[str] | None = None, push_interval_s: float = 0.1,
                 algorithms: list[str] | tuple[str, ...] = ("HS256",), public_key: Any = None,
                 query_token: bool = False, ssl_context: ssl.SSLContext | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.mode = mode
        self._key = public_key if public_key is not None else secret
        self.algorithms = list(algorithms)
        self.host, self.port = host, port
        self.issuer, self.audience, self.token_type = issuer, audience, token_type
        self.leeway_s = leeway_s
        self.resources = dict(resources or DEFAULT_RESOURCES)
        self.allowed_origins = allowed_origins
        self.push_interval_s = push_interval_s
        self.query_token = query_token
        self.ssl_context = ssl_context
        self.revoked: set[str] = set()
        self._server: Server | None = None
        self._pusher: asyncio.Task[None] | None = None
        self._conns: set[_Conn] = set()
        self._tick = 0

    @property
    def url(self) -> str:
        """The WebSocket URL (valid once started: the port is then known)."""
        scheme = "wss" if self.ssl_context else "ws"
        return f"{scheme}://{self.host}:{self.port}{WS_PATH}"

    # --- lifecycle -----------------------------------------------------------
    async def start(self) -> ReferenceTarget:
        """Listen, and start pushing to subscribers."""
        self._server = await serve(self._handler, self.host, self.port, process_request=self._process_request,
                                   compression=None, ping_interval=None, max_size=MAX_FRAME, close_timeout=1,
                                   ssl=self.ssl_context)
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
    def _query_token(self, path: str) -> str | None:
        token = parse_qs(urlsplit(path).query).get("token")
        return token[0] if token and self.query_token else None

    def _process_request(self, connection: ServerConnection, request: Any) -> Any:
        if self.mode != "secure":
            return None
        origin = request.headers.get("Origin")
        if self.allowed_origins is not None and origin is not None and origin not in self.allowed_origins:
            return connection.respond(HTTPStatus.FORBIDDEN, "Origin not allowed\n")
        token = self._query_token(request.path)
        if token is not None and self._verify(token) is None:
            return connection.respond(HTTPStatus.UNAUTHORIZED, f"{REJECTION}\n")
        return None

    # --- token checks ----------------------------------------------------------
    def _verify(self, token: Any) -> dict[str, Any] | None:
        """Claims of a valid, unrevoked token, else None (the cause is deliberately not exposed)."""
        if not isinstance(token, str) or not token:
            return None
        try:
            with warnings.catch_warnings():  # a short operator-chosen secret is reported by probe 9, not here
                warnings.simplefilter("ignore")
                claims = jwt.decode(token, self._key, algorithms=self.algorithms, audience=self.audience,
                                    issuer=self.issuer, leeway=self.leeway_s,
                                    options={"require": ["exp", "iss", "aud", "sub"]})
        except jwt.PyJWTError:
            return None
        if claims.get("token_type") != self.token_type or str(claims.get("jti", "")) in self.revoked:
            return None
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            return None
        return claims

    # --- connection --------------------------------------------------------------
    async def _handler(self, ws: ServerConnection) -> None:
        conn = _Conn(ws)
        self._conns.add(conn)
        try:
            path = ws.request.path if ws.request else ""
            query = parse_qs(urlsplit(path).query)
            token = self._query_token(path)
            if self.mode == "secure" and token is not None:
                claims = self._verify(token)
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
        handler = {"auth": self._auth, "subscribe": self._subscribe, "unsubscribe": self._unsubscribe,
                   "get_assessment": self._get_assessment, "logout": self._logout}.get(kind)
        if kind == "heartbeat":
            await conn.ws.send(_frame("heartbeat", {"status": "alive"}))
        elif handler is None or (kind in ("get_assessment", "logout") and self.mode == "vulnerable"):
            await conn.ws.send(_frame("error", {"error": "Unknown message type"}))  # the seed knows neither
        else:
            await handler(conn, data)

    def _authenticate(self, conn: _Conn, claims: dict[str, Any]) -> None:
        conn.user, conn.jti = claims["sub"], str(claims.get("jti", ""))
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

    async def _denied(self, conn: _Conn, topic: str) -> bool:
        """Secure mode: send the refusal and return True unless the connection's user owns ``topic``."""
        if self.mode != "secure":
            return False
        if conn.user is None:
            await conn.ws.send(_frame("error", {"error": "Authentication required"}))
            return True
        if self.resources.get(topic) != conn.user:
            await conn.ws.send(_frame("error", {"error": "Access denied"}))
            return True
        return False

    async def _subscribe(self, conn: _Conn, data: dict[str, Any]) -> None:
        topic = str(data.get("topic", ""))
        if await self._denied(conn, topic):
            return
        conn.topics.add(topic)
        await conn.ws.send(_frame("subscribe", {"topic": topic, "status": "subscribed"}))
        await self._push(conn, topic)

    async def _unsubscribe(self, conn: _Conn, data: dict[str, Any]) -> None:
        topic = str(data.get("topic", ""))
        if await self._denied(conn, topic):
            return
        conn.topics.discard(topic)
        await conn.ws.send(_frame("unsubscribe", {"topic": topic, "status": "unsubscribed"}))

    async def _get_assessment(self, conn: _Conn, data: dict[str, Any]) -> None:
        topic = str(data.get("id", ""))
        if await self._denied(conn, topic):
            return
        await conn.ws.send(_frame("assessment", {"id": topic, "owner": self.resources.get(topic)}))

    async def _logout(self, conn: _Conn, data: dict[str, Any]) -> None:
        """Deny-list the token's jti (the message's token, else the connection's) and close its open sockets."""
        claims = self._verify(data["token"]) if data.get("token") else None
        jti = str(claims.get("jti", "")) if claims else conn.jti
        if conn.user is None or not jti:
            await conn.ws.send(_frame("error", {"error": "Authentication required"}))
            return
        self.revoked.add(jti)
        await conn.ws.send(_frame("logout", {"status": "logged_out"}))
        for other in [c for c in self._conns if c.jti == jti]:
            other.user = None
            other.topics.clear()
            await other.ws.close(4401, "token revoked")

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
