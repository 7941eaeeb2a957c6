"""The 21-probe WebSocket token battery (jwt_tool, RFC 8725, OWASP WSTG-CLNT-10, ASVS V4.4).

Every case opens its own connection to the ONE configured URL, sends, and waits for a
frame matching the profile's ``accepted`` / ``rejected`` matchers or a close, bounded
by ``reply_timeout_s``. Results are PASS / FAIL / WARN / N/A / ERROR with evidence:
the token's header and claims (never its signature or the key), the first frames
received (truncated, redacted), the close code, the latency.

Order: the baseline first (a control: if a valid token is not accepted, a rejection
proves nothing and the other probes are N/A), then the independent probes
concurrently (one semaphore bounds open connections), then the error-oracle probe
(sequential, for timing), the persistence check last. A hard deadline bounds the
whole battery, so a silent or hung target cannot hang the run.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import re
import ssl
import statistics
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from ..redact import redact_text, redact_uri
from .forge import Forged, Forger, Keys, weak_secret_matches, COMMON_SECRETS
from .profile import Profile, drop_placeholder, lookup, render, set_path

log = logging.getLogger(__name__)
T = TypeVar("T")

STATUSES = ("PASS", "FAIL", "WARN", "N/A", "ERROR")
JUNK_TOKEN = "fake_token"  # the seed's attack, verbatim
FRAME_CHARS = 200
MAX_FRAMES = 4
_LEAK = re.compile(r"Traceback|File \"|\bException\b|stack ?trace|at [\w$.]+\([\w.]+:\d+\)|Internal Server Error",
                   re.I)
_VOLATILE = {"timestamp", "message_id", "connection_id", "id", "time", "ts", "request_id"}


@dataclass(frozen=True)
class ProbeSpec:
    """One row of the checklist."""

    n: int
    id: str
    title: str
    secure: str


PROBES: tuple[ProbeSpec, ...] = (
    ProbeSpec(1, "baseline", "Baseline: valid token", "accepted; identity reported equals the token's sub"),
    ProbeSpec(2, "no_token", "No token; empty token", "rejected"),
    ProbeSpec(3, "malformed", "Malformed tokens", "rejected, no 500/trace in the reply"),
    ProbeSpec(4, "tampered", "Tampered payload; truncated signature", "rejected"),
    ProbeSpec(5, "alg_none", "alg none/None/NONE/nOnE ± old signature", "rejected"),
    ProbeSpec(6, "null_signature", "Null/empty signature with HS256", "rejected"),
    ProbeSpec(7, "wrong_key", "Signed with a wrong key (same alg, kid)", "rejected"),
    ProbeSpec(8, "alg_confusion", "Algorithm confusion; algorithms outside the allowlist", "rejected"),
    ProbeSpec(9, "weak_secret", "Weak secret: common list offline; empty-key token", "none found; rejected"),
    ProbeSpec(10, "jwk_header", "Header jwk with an attacker key", "rejected"),
    ProbeSpec(11, "jku_x5u", "jku / x5u to a local listener", "rejected, and the listener sees no fetch"),
    ProbeSpec(12, "kid_injection", "kid injection (path, SQL, command, unknown)", "rejected; response time unchanged"),
    ProbeSpec(13, "exp_nbf", "exp past / within leeway / missing; nbf future",
              "rejected / accepted / rejected / rejected"),
    ProbeSpec(14, "expiry_open", "Token expiry during an open connection", "closed or re-auth required"),
    ProbeSpec(15, "iss_aud_type", "Wrong or missing iss / aud / token type", "rejected when configured"),
    ProbeSpec(16, "identity", "Identity from sub only (seed attack: forged user_id)", "acts as A; never B"),
    ProbeSpec(17, "isolation", "Isolation: subscribe to the victim's resource", "refused; no victim pushes"),
    ProbeSpec(18, "origin", "Origin / cross-site WebSocket hijacking", "rejected, or reported"),
    ProbeSpec(19, "transport", "Transport: ws:// vs wss://", "wss:// (ws:// reported)"),
    ProbeSpec(20, "error_oracle", "Error oracle: rejections differ by cause?", "uniform"),
    ProbeSpec(21, "persistence", "Persistence: baseline still accepted at the end", "accepted"),
)
PROBE_IDS = tuple(p.id for p in PROBES)
IDENTITY_PROBES = ("identity", "isolation")


# --------------------------------------------------------------------------- results
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
        return {"state": self.state, "identity": self.identity, "frames": self.frames, "close_code": self.close_code,
                "close_reason": self.close_reason, "http_status": self.http_status, "ms": round(self.ms, 1),
                "error": self.error, "subscription": self.after_subscribe or None,
                "victim_push": self.victim_push, "ignored_frames": self.ignored}


@dataclass
class Case:
    """One sub-case of a probe with its own status."""

    label: str
    status: str
    reason: str
    sent: dict[str, Any] | None = None
    received: dict[str, Any] | None = None


@dataclass
class ProbeResult:
    """The outcome of one probe."""

    n: int
    id: str
    title: str
    status: str
    evidence: str
    ms: float
    cases: list[Case] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "n": self.n, "title": self.title, "status": self.status, "evidence": self.evidence,
                "ms": round(self.ms, 1), "cases": [asdict(c) for c in self.cases]}


@dataclass
class Audit:
    """The battery's outcome against one target."""

    target: str
    profile: str
    verdict: str
    results: list[ProbeResult]
    ms: float
    baseline_accepted: bool

    def status_of(self, probe_id: str) -> str:
        return next((r.status for r in self.results if r.id == probe_id), "N/A")

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "profile": self.profile, "verdict": self.verdict,
                "ms": round(self.ms, 1), "probes": [r.to_json() for r in self.results]}


def combine(statuses: list[str]) -> str:
    """Probe status from its cases: FAIL > ERROR > WARN > PASS > N/A."""
    for s in ("FAIL", "ERROR", "WARN", "PASS"):
        if s in statuses:
            return s
    return "N/A"


def overall_verdict(results: list[ProbeResult], baseline_accepted: bool) -> str:
    """PASS | WARN | FAIL for a target; ERROR when the baseline control was not accepted."""
    statuses = [r.status for r in results]
    if "FAIL" in statuses:
        return "FAIL"
    if not baseline_accepted:
        return "ERROR"
    if "WARN" in statuses or "ERROR" in statuses:
        return "WARN"
    return "PASS"


# --------------------------------------------------------------------------- jku listener
class FetchListener:
    """A tiny HTTP listener on 127.0.0.1 (ephemeral port) that records every fetch.

    Serves the attacker JWKS at ``/jwks.json`` and a self-signed certificate at
    ``/cert.pem`` so that a target that does fetch would be fully exploitable.
    """

    def __init__(self, jwks: bytes, cert: bytes) -> None:
        self._docs = {"/jwks.json": (b"application/json", jwks), "/cert.pem": (b"application/x-pem-file", cert)}
        self.fetches: list[dict[str, Any]] = []
        self._server: asyncio.base_events.Server | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> FetchListener:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await asyncio.wait_for(reader.readline(), 2.0)
            parts = line.decode("latin-1").split()
            path = parts[1] if len(parts) > 1 else "?"
            self.fetches.append({"path": path, "peer": str(writer.get_extra_info("peername")), "t": time.time()})
            ctype, body = self._docs.get(path.split("?")[0], (b"text/plain", b"not found"))
            status = b"200 OK" if path.split("?")[0] in self._docs else b"404 Not Found"
            writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Type: " + ctype + b"\r\nContent-Length: "
                         + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
            await asyncio.wait_for(writer.drain(), 2.0)
        except (asyncio.TimeoutError, OSError, ConnectionError):
            pass
        finally:
            writer.close()


# --------------------------------------------------------------------------- one connection
def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _normalise(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _normalise(v) for k, v in sorted(obj.items()) if k not in _VOLATILE}
    if isinstance(obj, list):
        return [_normalise(v) for v in obj]
    return obj


class Runner:
    """Holds the profile, forger, limits and shared state of one battery run."""

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
        p = self.profile
        msg = drop_placeholder(p.auth_message) if token is None else render(p.auth_message, token=token)
        if forged_identity is not None and p.forged_identity_path:
            msg = set_path(msg, p.forged_identity_path, forged_identity)
        return json.dumps(msg)

    def classify(self, obj: Any) -> str:
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

    async def exchange(self, token: str | None, *, forged_identity: str | None = None, where: str = "message",
                       origin: str | None = None, send_auth: bool = True, subscribe: str | None = None,
                       hold: Callable[[Any, Exchange], Awaitable[None]] | None = None) -> Exchange:
        """Open one connection, authenticate with ``token``, optionally subscribe; bounded in time.

        ``where`` places ``forged_identity``: ``message`` (auth message at forged_identity_path),
        ``query`` (``?user_id=``) or ``header`` (``X-User-Id``).
        """
        async with self.sem:
            try:
                return await asyncio.wait_for(
                    self._exchange(token, forged_identity, where, origin, send_auth, subscribe, hold),
                    self.rt * 3 + 2 + (30 if hold else 0))
            except asyncio.TimeoutError:
                return Exchange("error", error="connection exceeded its time budget")

    async def _exchange(self, token: str | None, forged: str | None, where: str, origin: str | None,
                        send_auth: bool, subscribe: str | None,
                        hold: Callable[[Any, Exchange], Awaitable[None]] | None) -> Exchange:
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
        url = self._url(token, extra_q)
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
            return ex
        except (asyncio.TimeoutError, TimeoutError):
            return Exchange("error", error=f"handshake timed out after {self.rt:g} s", ms=self.rt * 1000)
        except ssl.SSLError as exc:
            return Exchange("error", error=f"TLS error: {exc.reason or exc}")
        except ConnectionRefusedError:
            return Exchange("error", error="connection refused")
        except (InvalidHandshake, InvalidURI) as exc:
            return Exchange("error", error=self.clean(f"bad handshake: {exc}", token))
        except OSError as exc:
            detail = exc.strerror or str(exc) or type(exc).__name__
            if urlsplit(url).scheme == "wss" and isinstance(exc, ConnectionResetError):
                detail += " during the TLS handshake (is the server speaking TLS?)"
            return Exchange("error", error=self.clean(f"network error: {detail}", token))
        try:
            t_send = time.perf_counter()
            if p.token_transport == "first_message" and send_auth:
                try:
                    await ws.send(self.auth_frame(token, forged if where == "message" else None))
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
                await self._subscribe(ws, ex, token, subscribe)
            if hold is not None and ex.state == "accepted":
                await hold(ws, ex)
        finally:
            try:
                await asyncio.wait_for(ws.close(), 1.5)
            except (asyncio.TimeoutError, OSError, ConnectionClosed):
                pass
        return ex

    def _record(self, ex: Exchange, raw: Any, token: str | None) -> Any:
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
            obj = self._record(ex, raw, token)
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

    async def _subscribe(self, ws: Any, ex: Exchange, token: str | None, resource: str) -> None:
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
            obj = self._record(ex, raw, token)
            kind = self.classify(obj)
            if kind == "subscribed" and resource in json.dumps(obj):
                ex.subscribed, ex.after_subscribe = True, "subscribed"
            elif kind == "rejected" and not ex.after_subscribe:
                ex.after_subscribe = "refused"
            if ex.victim_push and ex.subscribed:
                return
        ex.after_subscribe = ex.after_subscribe or "silent"

    # ---- case evaluation
    def reject_case(self, f: Forged | None, ex: Exchange, label: str | None = None) -> Case:
        label = label or (f.label if f else "?")
        if ex.state in ("rejected", "closed"):
            status, reason = "PASS", ex.describe()
        elif ex.state == "accepted":
            status, reason = "FAIL", ex.describe()
        elif ex.state == "silent":
            status, reason = "WARN", f"no explicit rejection within {self.rt:g} s (connection left open)"
        else:
            status, reason = "ERROR", ex.describe()
        return Case(label, status, reason, f.evidence() if f else {"token": label}, ex.evidence())

    def accept_case(self, f: Forged, ex: Exchange, when_rejected: str = "WARN") -> Case:
        if ex.state == "accepted":
            return Case(f.label, "PASS", ex.describe(), f.evidence(), ex.evidence())
        status = "ERROR" if ex.state == "error" else when_rejected
        return Case(f.label, status, f"expected acceptance: {ex.describe()}", f.evidence(), ex.evidence())

    async def rejects(self, tokens: list[Forged]) -> list[Case]:
        exs = await asyncio.gather(*(self.exchange(f.token) for f in tokens))
        return [self.reject_case(f, ex) for f, ex in zip(tokens, exs)]


# --------------------------------------------------------------------------- probes
ProbeFn = Callable[[Runner], Coroutine[Any, Any, list[Case]]]


async def p_baseline(r: Runner) -> list[Case]:
    f = r.forger.baseline()
    ex = await r.exchange(f.token)
    r.baseline, r.baseline_token = ex, f
    if ex.state != "accepted":
        return [Case(f.label, "ERROR", f"baseline token not accepted ({ex.describe()}): check the secret env var, "
                     "claims and the 'accepted' matcher; nothing else can be judged", f.evidence(), ex.evidence())]
    return [_identity_case(r, f, ex, "valid token for A")]


def _identity_case(r: Runner, f: Forged, ex: Exchange, label: str) -> Case:
    p = r.profile
    if ex.state != "accepted":
        c = r.reject_case(f, ex, label)
        if c.status == "PASS":
            c.reason = f"{ex.describe()} (no impersonation)"
        return c
    if ex.identity == p.subject:
        return Case(label, "PASS", f"acts as {p.subject!r} (the token's sub)", f.evidence(), ex.evidence())
    if ex.identity == p.victim_subject:
        return Case(label, "FAIL", f"acts as the victim {p.victim_subject!r}: identity taken from client input",
                    f.evidence(), ex.evidence())
    if not p.identity_path:
        return Case(label, "WARN", "accepted; identity unknown (profile has no identity_path)", f.evidence(),
                    ex.evidence())
    return Case(label, "FAIL", f"accepted as {ex.identity!r}, token sub is {p.subject!r}: identity not from the token",
                f.evidence(), ex.evidence())


async def p_no_token(r: Runner) -> list[Case]:
    exs = await asyncio.gather(r.exchange(None), r.exchange(""))
    return [r.reject_case(None, exs[0], "no token"), r.reject_case(None, exs[1], "empty token")]


async def p_malformed(r: Runner) -> list[Case]:
    cases = await r.rejects(r.forger.malformed())
    for c in cases:
        if c.status == "PASS" and c.received:
            frames = " ".join(c.received.get("frames") or [])
            if (c.received.get("http_status") or 0) >= 500 or _LEAK.search(frames):
                c.status, c.reason = "WARN", f"rejected, but the reply leaks internals: {frames[:120]}"
    return cases


async def p_tampered(r: Runner) -> list[Case]:
    return await r.rejects(r.forger.tampered())


async def p_alg_none(r: Runner) -> list[Case]:
    return await r.rejects(r.forger.alg_none())


async def p_null_signature(r: Runner) -> list[Case]:
    return await r.rejects(r.forger.null_signature())


async def p_wrong_key(r: Runner) -> list[Case]:
    return await r.rejects(r.forger.wrong_key())


async def p_alg_confusion(r: Runner) -> list[Case]:
    conf = r.forger.confusion()
    cases = await r.rejects(conf + r.forger.disallowed_algs())
    if not conf:
        cases.append(Case("HS256 keyed with the public key", "N/A",
                          "no public key configured (public_key_env) and the algorithm is symmetric"))
    return cases


async def p_weak_secret(r: Runner) -> list[Case]:
    cases = []
    if r.keys.algorithm.startswith("HS") and r.baseline_token is not None:
        hits = weak_secret_matches(r.baseline_token.token)
        if hits:
            cases.append(Case("offline common-secret check", "FAIL",
                              f"the configured secret is entry #{hits[0]} of the built-in list of "
                              f"{len(COMMON_SECRETS)} common secrets (value not shown)"))
        else:
            cases.append(Case("offline common-secret check", "PASS",
                              f"none of {len(COMMON_SECRETS)} common secrets (incl. blank) verifies the baseline"))
        need = int(r.keys.algorithm[2:]) // 8
        have = len(r.keys.secret or b"")
        cases.append(Case("secret length", "PASS" if have >= need else "WARN",
                          f"configured secret is {have} bytes; RFC 7518 §3.2 requires ≥ {need} for {r.keys.algorithm}"))
    else:
        cases.append(Case("offline common-secret check", "N/A", f"{r.keys.algorithm} is not an HMAC algorithm"))
    return cases + await r.rejects(r.forger.empty_secret())


async def p_jwk_header(r: Runner) -> list[Case]:
    return await r.rejects(r.forger.jwk_header())


async def p_jku_x5u(r: Runner) -> list[Case]:
    assert r.listener is not None
    before = len(r.listener.fetches)
    cases = await r.rejects(r.forger.jku_x5u(r.listener.base_url))
    await asyncio.sleep(0.05)
    fetched = r.listener.fetches[before:]
    for c in cases:
        path = "/jwks.json" if c.label.startswith("jku") else "/cert.pem"
        hits = [x for x in fetched if x["path"].startswith(path)]
        if hits:
            c.status = "FAIL"
            c.reason += f"; the target fetched {path} from the local listener ({len(hits)}×): it follows token URLs"
        elif not _is_loopback(r.profile.url):
            c.reason += "; no fetch seen (the 127.0.0.1 listener is unreachable from a remote target: inconclusive)"
        else:
            c.reason += "; listener saw no fetch"
    return cases


async def p_kid_injection(r: Runner) -> list[Case]:
    cases = await r.rejects(r.forger.kid_injection())
    base_ms = r.baseline.ms if r.baseline else 0.0
    for c in cases:
        ms = (c.received or {}).get("ms", 0.0)
        if c.status == "PASS" and ms > base_ms + 1000:
            c.status, c.reason = "WARN", f"{c.reason}; took {ms:.0f} ms vs baseline {base_ms:.0f} ms (kid reaches I/O?)"
    return cases


async def p_exp_nbf(r: Runner) -> list[Case]:
    tokens = r.forger.exp_nbf()
    exs = await asyncio.gather(*(r.exchange(f.token) for f in tokens))
    return [r.accept_case(f, ex) if f.expect == "accept" else r.reject_case(f, ex) for f, ex in zip(tokens, exs)]


async def p_expiry_open(r: Runner) -> list[Case]:
    p = r.profile
    if p.leeway_s > 10:
        return [Case("expiry", "N/A", f"leeway_s={p.leeway_s:g} s: waiting past expiry exceeds the run's budget")]
    f = r.forger.short_lived(2)
    exp = float((f.claims or {})["exp"])
    outcome: dict[str, Any] = {}

    async def hold(ws: Any, ex: Exchange) -> None:
        wait_until = exp + p.leeway_s + 1.0
        while (remaining := wait_until - time.time()) > 0:
            try:
                raw = await asyncio.wait_for(ws.recv(), remaining)
                r._record(ex, raw, f.token)
            except (asyncio.TimeoutError, TimeoutError):
                break
            except ConnectionClosed as exc:
                outcome["closed"] = (exc.rcvd.code if exc.rcvd else 1006, exc.rcvd.reason if exc.rcvd else "",
                                     time.time() - exp)
                return
        if p.own_resource and p.subscribe_message:
            await r._subscribe(ws, ex, f.token, p.own_resource)
            outcome["after"] = ex.after_subscribe

    ex = await r.exchange(f.token, hold=hold)
    if ex.state != "accepted":
        return [r.accept_case(f, ex, when_rejected="ERROR")]
    if "closed" in outcome:
        code, reason, dt_s = outcome["closed"]
        return [Case("token expires while connected", "PASS",
                     f"connection closed {dt_s:+.1f} s after exp (close {code} {reason})".strip(), f.evidence(),
                     ex.evidence())]
    after = outcome.get("after")
    if after in ("refused", "closed"):
        return [Case("token expires while connected", "PASS", f"after exp a request was {after}: re-auth required",
                     f.evidence(), ex.evidence())]
    if after == "subscribed":
        return [Case("token expires while connected", "WARN",
                     "connection still acts as the subject after its token expired (no re-auth demanded)",
                     f.evidence(), ex.evidence())]
    return [Case("token expires while connected", "WARN",
                 "connection still open after the token expired" + (" (no request tested: own_resource unset)"
                                                                    if not p.own_resource else ""),
                 f.evidence(), ex.evidence())]


async def p_iss_aud_type(r: Runner) -> list[Case]:
    tokens = r.forger.iss_aud_type()
    if not tokens:
        return [Case("iss/aud/type", "N/A", "profile claims name none of iss, aud, token_type (and no typ)")]
    return await r.rejects(tokens)


async def p_identity(r: Runner) -> list[Case]:
    p = r.profile
    b = p.victim_subject
    junk = Forged("junk token", JUNK_TOKEN, None, None, "the seed's attack: 'fake_token'")
    where_junk = "message" if p.token_transport == "first_message" and p.forged_identity_path else "query"
    runs: list[tuple[str, Forged, str]] = [(f"junk token + {p.forged_identity_name}={b} in {where_junk}", junk,
                                            where_junk)]
    if p.token_transport == "first_message" and p.forged_identity_path:
        runs.append((f"valid token for A + {p.forged_identity_name}={b} in message", r.forger.baseline(), "message"))
    runs.append((f"valid token for A + ?{p.forged_identity_name}={b}", r.forger.baseline(), "query"))
    runs.append((f"valid token for A + X-header {p.forged_identity_name}={b}", r.forger.baseline(), "header"))
    exs = await asyncio.gather(*(r.exchange(f.token, forged_identity=b, where=w) for _, f, w in runs))
    cases = []
    for (label, f, _), ex in zip(runs, exs):
        if f is junk:
            c = r.reject_case(f, ex, label)
            if ex.state == "accepted":
                who = f" as the victim {b!r}" if ex.identity == b else ""
                c.reason = f"authenticated{who} with a junk token: {ex.describe()}"
            cases.append(c)
        else:
            cases.append(_identity_case(r, f, ex, label))
    return cases


async def p_isolation(r: Runner) -> list[Case]:
    p = r.profile
    if not (p.subscribe_message and p.victim_resource):
        return [Case("isolation", "N/A", "profile has no subscribe_message / victim_resource")]
    res = p.victim_resource
    junk = Forged("junk token", JUNK_TOKEN, None, None, "the seed's attack: 'fake_token'")
    valid = r.forger.baseline()
    runs = [
        ("unauthenticated client subscribes", None, dict(send_auth=False)),
        ("after failed auth (junk token + forged victim id)", junk, dict(forged_identity=p.victim_subject)),
        ("valid token for A subscribes to B's resource", valid, {}),
    ]
    exs = await asyncio.gather(*(r.exchange(f.token if f else None, subscribe=res, **kw) for _, f, kw in runs))
    cases = []
    for (label, f, _), ex in zip(runs, exs):
        sent = f.evidence() if f else {"token": "none (no auth message)"}
        if ex.subscribed or ex.victim_push:
            what = " and ".join(x for x, y in (("subscription confirmed", ex.subscribed),
                                               ("victim's pushes received", ex.victim_push)) if y)
            cases.append(Case(label, "FAIL", f"{what} for {res}", sent, ex.evidence()))
        elif ex.state == "error":
            cases.append(Case(label, "ERROR", ex.describe(), sent, ex.evidence()))
        else:
            how = {"refused": "subscription refused", "closed": "connection closed", "silent":
                   "no confirmation and no victim pushes"}.get(ex.after_subscribe, ex.describe())
            cases.append(Case(label, "PASS", how, sent, ex.evidence()))
    return cases


async def p_origin(r: Runner) -> list[Case]:
    if not r.profile.origin:
        return [Case("origin", "N/A", "origin checks are off in the profile")]
    origins = ["https://evil.example", "null"]
    f = r.forger.baseline()
    exs = await asyncio.gather(*(r.exchange(f.token, origin=o) for o in origins))
    cases = []
    for o, ex in zip(origins, exs):
        c = r.reject_case(f, ex, f"Origin: {o}")
        if c.status == "FAIL":
            c.status = "WARN"
            c.reason = (f"cross-site Origin {o} accepted ({ex.describe()}); exploitable when cookies or other ambient "
                        "credentials authenticate the socket — add an Origin allowlist")
        cases.append(c)
    return cases


async def p_transport(r: Runner) -> list[Case]:
    scheme = urlsplit(r.profile.url).scheme
    if scheme == "wss":
        return [Case("scheme", "PASS", "wss:// (TLS); the ws:// variant is not probed: only the configured URL is "
                     "contacted")]
    if _is_loopback(r.profile.url):
        return [Case("scheme", "N/A", "ws:// on a loopback address (local test target)")]
    return [Case("scheme", "WARN", "ws:// offered: tokens and pushes travel in cleartext")]


async def p_error_oracle(r: Runner) -> list[Case]:
    fg = r.forger
    causes: list[Forged] = [fg.malformed()[0], fg.wrong_key()[0], fg.exp_nbf()[0], fg.alg_none()[0]]
    causes += [f for f in fg.iss_aud_type() if f.label.startswith("wrong")][:2]
    runs: dict[str, list[Exchange]] = {f.label: [] for f in causes}
    for _ in range(3):
        for f in causes:  # sequential on purpose: timing is compared
            runs[f.label].append(await r.exchange(f.token))
    rejected = {k: v for k, v in runs.items() if all(e.state in ("rejected", "closed") for e in v)}
    if len(rejected) < 2:
        return [Case("error oracle", "N/A", f"only {len(rejected)} of {len(causes)} causes were rejected; "
                     "nothing to compare")]
    shapes: dict[str, list[str]] = {}
    for label, exs in rejected.items():
        e = exs[0]
        verdict = json.dumps(_normalise(e.verdict_frame), sort_keys=True) if e.verdict_frame is not None else "-"
        shape = f"HTTP {e.http_status or 101}; frame {verdict}; close {e.close_code}"
        shapes.setdefault(shape, []).append(label)
    med = {k: statistics.median(e.ms for e in v) for k, v in rejected.items()}
    spread = max(med.values()) - min(med.values())
    overall = statistics.median(med.values())
    cases = []
    if len(shapes) > 1:
        desc = " | ".join(f"{', '.join(v)} → {k[:140]}" for k, v in shapes.items())
        cases.append(Case("reply by cause", "WARN", f"{len(shapes)} distinct rejection replies: {desc}"))
    else:
        cases.append(Case("reply by cause", "PASS", f"all {len(rejected)} causes got the same reply: "
                          f"{next(iter(shapes))[:160]}"))
    timing = ", ".join(f"{k}: {v:.1f} ms" for k, v in med.items())
    if spread > max(100.0, 2 * overall):
        cases.append(Case("timing by cause", "WARN", f"median rejection time differs by {spread:.0f} ms: {timing}"))
    else:
        cases.append(Case("timing by cause", "PASS", f"median rejection times within {spread:.1f} ms: {timing}"))
    return cases


async def p_persistence(r: Runner) -> list[Case]:
    f = r.forger.baseline()
    ex = await r.exchange(f.token)
    if ex.state == "accepted":
        return [Case("baseline at the end", "PASS", ex.describe(), f.evidence(), ex.evidence())]
    return [Case("baseline at the end", "ERROR", f"baseline no longer accepted ({ex.describe()}): rejections above may "
                 "come from rate limiting or a ban, not from validation", f.evidence(), ex.evidence())]


PROBE_FUNCS: dict[str, ProbeFn] = {
    "baseline": p_baseline, "no_token": p_no_token, "malformed": p_malformed, "tampered": p_tampered,
    "alg_none": p_alg_none, "null_signature": p_null_signature, "wrong_key": p_wrong_key,
    "alg_confusion": p_alg_confusion, "weak_secret": p_weak_secret, "jwk_header": p_jwk_header,
    "jku_x5u": p_jku_x5u, "kid_injection": p_kid_injection, "exp_nbf": p_exp_nbf, "expiry_open": p_expiry_open,
    "iss_aud_type": p_iss_aud_type, "identity": p_identity, "isolation": p_isolation, "origin": p_origin,
    "transport": p_transport, "error_oracle": p_error_oracle, "persistence": p_persistence,
}
_NEEDS_BASELINE = set(PROBE_IDS) - {"baseline", "transport", "weak_secret"}


# --------------------------------------------------------------------------- battery
def _summarise(cases: list[Case]) -> str:
    worst = combine([c.status for c in cases])
    pick = [c for c in cases if c.status == worst] or cases
    text = "; ".join(f"{c.label}: {c.reason}" for c in pick[:4])
    if len(pick) > 4:
        text += f"; … (+{len(pick) - 4} more {worst})"
    return text[:700]


async def _run_probe(r: Runner, spec: ProbeSpec) -> ProbeResult:
    t0 = time.perf_counter()
    if spec.id in _NEEDS_BASELINE and (r.baseline is None or r.baseline.state != "accepted"):
        cases = [Case(spec.id, "N/A", "baseline token not accepted: a rejection would prove nothing")]
    else:
        try:
            cases = await PROBE_FUNCS[spec.id](r)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a probe bug must become a row, not a crash of the battery
            log.exception("probe %s failed", spec.id)
            cases = [Case(spec.id, "ERROR", f"probe raised {type(exc).__name__}: {redact_text(str(exc), r.secrets)}")]
    status = combine([c.status for c in cases])
    return ProbeResult(spec.n, spec.id, spec.title, status, _summarise(cases), (time.perf_counter() - t0) * 1000,
                       cases)


def select_probes(probes: list[str] | tuple[str, ...] | None) -> list[ProbeSpec]:
    """The specs to run (baseline always included as the control); unknown ids raise ValueError."""
    if not probes:
        return list(PROBES)
    unknown = [p for p in probes if p not in PROBE_IDS]
    if unknown:
        raise ValueError(f"unknown probe {unknown[0]!r} (known: {', '.join(PROBE_IDS)})")
    return [p for p in PROBES if p.id in probes or p.id == "baseline"]


async def run_battery(profile: Profile, keys: Keys, *, probes: list[str] | None = None,
                      deadline_s: float | None = None) -> Audit:
    """Run the battery against ``profile.url``.

    Parameters
    ----------
    profile : Profile
        The target profile (its ``url`` is the only address contacted, plus a local listener).
    keys : Keys
        Key material from :func:`analysis.wsaudit.forge.load_keys`.
    probes : list of str, optional
        Probe ids to run (default all; the baseline always runs).
    deadline_s : float, optional
        Hard limit for the whole battery (default ``profile.deadline_s``).

    Returns
    -------
    Audit
    """
    specs = select_probes(probes)
    t0 = time.perf_counter()
    deadline = t0 + (deadline_s or profile.deadline_s)
    r = Runner(profile, keys)
    r.listener = await FetchListener(json.dumps(r.forger.jwks_document()).encode(), r.forger.x509_pem()).start()
    results: dict[str, ProbeResult] = {}

    def timed_out(spec: ProbeSpec) -> ProbeResult:
        return ProbeResult(spec.n, spec.id, spec.title, "ERROR", "probe did not finish before the battery's "
                           f"{deadline_s or profile.deadline_s:g} s deadline", 0.0)

    async def bounded(batch: list[ProbeSpec]) -> None:
        if not batch:
            return
        tasks = {asyncio.ensure_future(_run_probe(r, s)): s for s in batch}
        done, pending = await asyncio.wait(tasks, timeout=max(0.0, deadline - time.perf_counter()))
        for t in pending:
            t.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        for t, s in tasks.items():
            results[s.id] = t.result() if t in done and not t.cancelled() and t.exception() is None else timed_out(s)

    try:
        first = [s for s in specs if s.id == "baseline"]
        last_two = [s for s in specs if s.id in ("error_oracle", "persistence")]
        middle = [s for s in specs if s not in first and s not in last_two]
        await bounded(first)
        await bounded(middle)
        for s in last_two:
            await bounded([s])
    finally:
        await r.listener.stop()
    ordered = [results[s.id] for s in specs]
    accepted = r.baseline is not None and r.baseline.state == "accepted"
    return Audit(redact_uri(profile.url), profile.name, overall_verdict(ordered, accepted), ordered,
                 (time.perf_counter() - t0) * 1000, accepted)


def run_in_thread(factory: Callable[[], Coroutine[Any, Any, T]], timeout: float | None = None) -> T:
    """Run a coroutine on a fresh event loop in a worker thread (safe inside Jupyter's running loop)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(factory())
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    th = threading.Thread(target=target, name="wsaudit-battery", daemon=True)
    th.start()
    th.join(timeout)
    if th.is_alive():
        raise TimeoutError("the WebSocket battery did not finish in time")
    if "error" in box:
        raise box["error"]
    return box["value"]


def audit(profile: Profile, keys: Keys, *, probes: list[str] | None = None) -> Audit:
    """Synchronous :func:`run_battery` (own loop in a worker thread; bounded by the profile's deadline)."""
    return run_in_thread(lambda: run_battery(profile, keys, probes=probes), timeout=profile.deadline_s + 15)
