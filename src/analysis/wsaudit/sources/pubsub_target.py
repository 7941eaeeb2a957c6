"""A third reference target: a securely configured pub/sub server of the kind teams deploy, not written like ours.

It speaks a JSON command protocol over WebSocket, served by Tornado (a different server
stack from the ``websockets`` reference targets):

- ``{"id": 1, "connect": {"token": JWT}}`` → ``{"id": 1, "connect": {"client": …, "ttl": …}}``:
  replies are correlated by ``id`` and never name the user. Several replies may share one
  frame (newline-separated), and the server pings with a bare ``{}``.
- HMAC family: HS256, HS384 and HS512 verify with the same secret (PyJWT); ``exp`` is
  optional (a token without it never expires); ``iss`` / ``aud`` are checked; a token in
  the query string is ignored.
- A correctly signed but expired token gets a refresh error (``{"error": {"code": 109,
  "message": "token expired"}}``) and the socket stays open for the close grace, so the
  client can ``refresh``; an open connection whose token expires is closed (3005) after
  the grace. Forged tokens are closed at once (3500 "invalid token").
- User-limited channels ``name:#user``: ``subscribe``, ``publish`` and ``history`` are
  checked on every command (error 103 "permission denied"); publications are pushed to
  subscribers.
- A server API ``POST /api/revoke_token`` (header ``X-API-Key``, body ``{"uid": jti}``)
  deny-lists a token and disconnects its sockets; an Origin allowlist; a 64 KiB frame limit.

Mode ``pubsub_header`` is the same server configured to also take the user from an
``X-User-Id`` header when the connect command carries no token — the insecure option the
claimed-identity probe must catch.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import ssl
import time
import uuid
import warnings
from typing import Any

import jwt
import tornado.httpserver
import tornado.netutil
import tornado.web
import tornado.websocket

log = logging.getLogger(__name__)

MODES = ("pubsub", "pubsub_header")
WS_PATH = "/connection/websocket"
API_PATH = "/api/revoke_token"
IDENTITY_HEADER = "X-User-Id"
MAX_FRAME = 65536
ALLOWED_ORIGINS = ["http://localhost:3000"]
HMAC_FAMILY = ("HS256", "HS384", "HS512")
INVALID, BAD_REQUEST, EXPIRED, REVOKED = (3500, "invalid token"), (3501, "bad request"), (3005, "expired"), \
    (3090, "token revoked")


def _error(rid: Any, code: int, message: str) -> dict[str, Any]:
    return {"id": rid, "error": {"code": code, "message": message}}


def owner_of(channel: str) -> str | None:
    """The user a ``name:#user`` channel is limited to (None for other channels)."""
    return channel.rsplit("#", 1)[1] if "#" in channel else None


class _Socket(tornado.websocket.WebSocketHandler):
    """One client connection: its user, token id, channels and expiry timer."""

    def initialize(self, target: PubSubTarget) -> None:  # noqa: D102 - tornado hook
        self.target = target
        self.user: str | None = None
        self.jti = ""
        self.channels: set[str] = set()
        self.timer: asyncio.Task[None] | None = None
        self.header_user = ""

    def check_origin(self, origin: str) -> bool:  # noqa: D102 - tornado hook
        return self.target.allowed_origins is None or origin in self.target.allowed_origins

    def open(self, *args: Any, **kwargs: Any) -> None:  # noqa: D102 - tornado hook
        self.header_user = self.request.headers.get(IDENTITY_HEADER, "")
        self.target.sockets.add(self)

    def on_close(self) -> None:  # noqa: D102 - tornado hook
        if self.timer:
            self.timer.cancel()
        self.target.sockets.discard(self)

    def send(self, items: list[dict[str, Any]]) -> None:
        """Write several replies in ONE frame, newline-separated."""
        if items and self.ws_connection:
            try:
                self.write_message("\n".join(json.dumps(i, separators=(",", ":")) for i in items))
            except tornado.websocket.WebSocketClosedError:
                pass

    def on_message(self, message: str | bytes) -> None:  # noqa: D102 - tornado hook
        out: list[dict[str, Any]] = []
        for line in (message.decode() if isinstance(message, bytes) else message).splitlines():
            try:
                cmd = json.loads(line)
            except ValueError:
                return self.close(*BAD_REQUEST)
            if not isinstance(cmd, dict):
                return self.close(*BAD_REQUEST)
            if not cmd:
                continue  # the client's pong
            replies = self.command(cmd)
            if replies is None:
                return None
            out.extend(replies)
        self.send(out)
        return None

    def command(self, cmd: dict[str, Any]) -> list[dict[str, Any]] | None:
        """Replies to one command (None: the connection was closed)."""
        rid = cmd.get("id")
        method = next((k for k in cmd if k != "id"), "")
        body = cmd.get(method) if isinstance(cmd.get(method), dict) else {}
        if method == "connect":
            return self.connect(rid, body)
        handler = {"subscribe": self.subscribe, "publish": self.publish, "history": self.history,
                   "unsubscribe": self.unsubscribe, "refresh": self.refresh}.get(method)
        if handler is None or self.user is None:
            self.close(*BAD_REQUEST)  # unknown command, or a command before connect
            return None
        return handler(rid, body)

    # --- authentication ---------------------------------------------------------
    def connect(self, rid: Any, body: dict[str, Any]) -> list[dict[str, Any]] | None:
        token = body.get("token")
        if self.user is not None:
            self.close(*BAD_REQUEST)
            return None
        if not token:
            if self.target.mode == "pubsub_header" and self.header_user:
                self.user = self.header_user  # the insecure option: identity from a client header
                return [self.connected(rid, None), {}]
            self.close(*INVALID)
            return None
        claims, err = self.target.verify(token)
        if err == "expired":
            self.arm(time.time())  # refresh error; the socket lives for the close grace
            return [_error(rid, 109, "token expired")]
        if claims is None:
            self.close(*INVALID)
            return None
        self.user, self.jti = claims["sub"], str(claims.get("jti", ""))
        self.arm(claims.get("exp"))
        return [self.connected(rid, claims.get("exp")), {}]

    def connected(self, rid: Any, exp: Any) -> dict[str, Any]:
        ttl = max(0, int(float(exp) - time.time())) if exp is not None else 0
        return {"id": rid, "connect": {"client": uuid.uuid4().hex, "version": "ws-audit-pubsub/1",
                                       "expires": exp is not None, "ttl": ttl}}

    def arm(self, exp: Any) -> None:
        """Close the connection ``expiry_grace_s`` after ``exp`` (a token without exp never expires)."""
        if self.timer:
            self.timer.cancel()
        if exp is not None:
            at = float(exp) + self.target.leeway_s + self.target.expiry_grace_s
            self.timer = asyncio.ensure_future(self.expire_at(at))

    async def expire_at(self, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.time()))
        self.user = None
        self.close(*EXPIRED)

    def refresh(self, rid: Any, body: dict[str, Any]) -> list[dict[str, Any]] | None:
        claims, _ = self.target.verify(body.get("token"))
        if claims is None or claims["sub"] != self.user:
            self.close(*INVALID)
            return None
        self.jti = str(claims.get("jti", ""))
        self.arm(claims.get("exp"))
        return [{"id": rid, "refresh": self.connected(rid, claims.get("exp"))["connect"]}]

    # --- channels ------------------------------------------------------------------
    def allowed(self, channel: Any) -> bool:
        return isinstance(channel, str) and owner_of(channel) == self.user

    def subscribe(self, rid: Any, body: dict[str, Any]) -> list[dict[str, Any]]:
        ch = body.get("channel")
        if not self.allowed(ch):
            return [_error(rid, 103, "permission denied")]
        if ch in self.channels:
            return [_error(rid, 105, "already subscribed")]
        self.channels.add(ch)
        return [{"id": rid, "subscribe": {}}, self.target.publication(ch)]

    def publish(self, rid: Any, body: dict[str, Any]) -> list[dict[str, Any]]:
        if not self.allowed(body.get("channel")):
            return [_error(rid, 103, "permission denied")]
        return [{"id": rid, "publish": {}}]

    def history(self, rid: Any, body: dict[str, Any]) -> list[dict[str, Any]]:
        ch = body.get("channel")
        if not self.allowed(ch):
            return [_error(rid, 103, "permission denied")]
        return [{"id": rid, "history": {"publications": [self.target.publication(ch)["push"]["pub"]]}}]

    def unsubscribe(self, rid: Any, body: dict[str, Any]) -> list[dict[str, Any]]:
        ch = body.get("channel")
        if ch not in self.channels:
            return [_error(rid, 103, "permission denied")]
        self.channels.discard(ch)
        return [{"id": rid, "unsubscribe": {}}]


class _RevokeApi(tornado.web.RequestHandler):
    """``POST /api/revoke_token`` with ``X-API-Key``: deny-list a jti and disconnect its sockets."""

    def initialize(self, target: PubSubTarget) -> None:  # noqa: D102 - tornado hook
        self.target = target

    def check_xsrf_cookie(self) -> None:  # noqa: D102 - server API, key-authenticated
        return None

    async def post(self) -> None:  # noqa: D102 - tornado hook
        key = self.request.headers.get("X-API-Key", "")
        if not self.target.api_key or not hmac.compare_digest(key, self.target.api_key):
            self.set_status(401)
            return
        try:
            uid = json.loads(self.request.body or b"{}").get("uid")
        except (ValueError, AttributeError):
            uid = None
        if not uid:
            self.set_status(400)
            return
        self.target.revoke(str(uid))
        self.write({})


class PubSubTarget:
    """The pub/sub reference target (see the module docstring).

    Parameters
    ----------
    mode : {"pubsub", "pubsub_header"}
    secret : str
        The HMAC secret (never logged).
    api_key : str
        The server API key of ``/api/revoke_token`` (empty: the API refuses everything).
    issuer, audience : str
        Required ``iss`` / ``aud`` ("" = not checked; the defaults are ``profiles/pubsub.yaml``'s).
    expiry_grace_s : float
        How long an expired connection may live before it is closed (3005).
    allowed_origins : list of str, optional
        Origin allowlist of the handshake (default the dashboard's dev server; None: any).
    """

    def __init__(self, mode: str, secret: str, *, api_key: str = "", host: str = "127.0.0.1", port: int = 0,
                 issuer: str = "ws-audit-issuer", audience: str = "ws-audit-pubsub", leeway_s: float = 0.0,
                 expiry_grace_s: float = 2.0, allowed_origins: list[str] | None = ALLOWED_ORIGINS,
                 push_interval_s: float = 0.1,
                 ping_interval_s: float = 0.5, ssl_context: ssl.SSLContext | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        self.mode, self._secret, self.api_key = mode, secret, api_key
        self.host, self.port = host, port
        self.issuer, self.audience, self.leeway_s = issuer, audience, leeway_s
        self.expiry_grace_s, self.allowed_origins = expiry_grace_s, allowed_origins
        self.push_interval_s, self.ping_interval_s = push_interval_s, ping_interval_s
        self.ssl_context = ssl_context
        self.revoked: set[str] = set()
        self.sockets: set[_Socket] = set()
        self._http: tornado.httpserver.HTTPServer | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._seq = 0

    @property
    def url(self) -> str:
        """The WebSocket URL (valid once started)."""
        return f"{'wss' if self.ssl_context else 'ws'}://{self.host}:{self.port}{WS_PATH}"

    async def start(self) -> PubSubTarget:
        """Listen on the port (0 = ephemeral), start pushing and pinging."""
        app = tornado.web.Application([(WS_PATH, _Socket, {"target": self}), (API_PATH, _RevokeApi, {"target": self})],
                                      websocket_max_message_size=MAX_FRAME, log_function=lambda handler: None)
        sockets = tornado.netutil.bind_sockets(self.port, self.host)
        self._http = tornado.httpserver.HTTPServer(app, ssl_options=self.ssl_context)
        self._http.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]
        self._tasks = [asyncio.ensure_future(self._every(self.push_interval_s, self._push)),
                       asyncio.ensure_future(self._every(self.ping_interval_s, self._ping))]
        log.info("reference target %s listening on %s", self.mode, self.url)
        return self

    async def stop(self) -> None:
        """Stop the loops and the server."""
        for t in self._tasks:
            t.cancel()
        if self._http:
            self._http.stop()
            await self._http.close_all_connections()

    async def __aenter__(self) -> PubSubTarget:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def verify(self, token: Any) -> tuple[dict[str, Any] | None, str]:
        """(claims, "") of a valid token; (None, "expired") for a signed expired one; else (None, "invalid")."""
        if not isinstance(token, str) or not token:
            return None, "invalid"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                claims = jwt.decode(token, self._secret, algorithms=list(HMAC_FAMILY), leeway=self.leeway_s,
                                    audience=self.audience or None, issuer=self.issuer or None,
                                    options={"require": ["sub"], "verify_aud": bool(self.audience)})
        except jwt.ExpiredSignatureError:
            return None, "expired"
        except jwt.PyJWTError:
            return None, "invalid"
        if not isinstance(claims.get("sub"), str) or str(claims.get("jti", "")) in self.revoked:
            return None, "invalid"
        return claims, ""

    def revoke(self, jti: str) -> None:
        """Deny-list ``jti`` and disconnect the sockets authenticated with it."""
        self.revoked.add(jti)
        for s in [s for s in self.sockets if s.jti == jti]:
            s.user = None
            s.close(*REVOKED)

    def publication(self, channel: str) -> dict[str, Any]:
        """The next publication of ``channel``, as the push a subscriber gets."""
        self._seq += 1
        return {"push": {"channel": channel, "pub": {"data": {"channel": channel, "seq": self._seq}}}}

    async def _every(self, period: float, fn: Any) -> None:
        while True:
            await asyncio.sleep(period)
            fn()

    def _push(self) -> None:
        for s in list(self.sockets):
            s.send([self.publication(ch) for ch in sorted(s.channels)])

    def _ping(self) -> None:
        for s in list(self.sockets):
            if s.user is not None:
                s.send([{}])
