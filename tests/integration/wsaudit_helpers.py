"""Shared pieces of the WebSocket audit integration tests: secrets, throwaway servers, certificates, runners."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
import time
from dataclasses import replace
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from websockets.asyncio.server import serve

from analysis.wsaudit.battery import run_battery
from analysis.wsaudit.keys import load_keys

SECRET = "integration-secret-0123456789abcdefghijkl"
CANARY = "canary-ws-secret-DO-NOT-PRINT-0123456789abcdef"


def statuses(audit) -> dict[str, str]:
    """Probe id → status of an audit."""
    return {r.id: r.status for r in audit.results}


def cases(audit, probe_id: str) -> dict[str, object]:
    """Case label → case of one probe."""
    return {c.label: c for c in next(r for r in audit.results if r.id == probe_id).cases}


class Server:
    """A throwaway ``websockets`` server running ``handler`` (async context manager with ``.url``)."""

    def __init__(self, handler, **kw):
        self.handler, self.kw = handler, kw

    async def __aenter__(self):
        self.server = await serve(self.handler, "127.0.0.1", 0, ping_interval=None, **self.kw)
        scheme = "wss" if self.kw.get("ssl") else "ws"
        self.url = f"{scheme}://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/ws"
        return self

    async def __aexit__(self, *exc):
        self.server.close()
        await self.server.wait_closed()


async def silent(ws):
    await ws.wait_closed()  # accepts, never answers


def timed(server, profile, secret: str = SECRET, **changes):
    """Run the battery against ``server`` (async context manager with .url); return (audit, battery wall s)."""
    async def go():
        async with server as s:
            p = replace(profile, url=s.url, **changes)
            t0 = time.perf_counter()
            a = await run_battery(p, load_keys(p, secret=secret))
            return a, time.perf_counter() - t0

    return asyncio.run(go())


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def private_ca(folder: Path) -> tuple[Path, ssl.SSLContext]:
    """A private CA (its PEM in ``folder/ca.pem``) and a server TLS context for 127.0.0.1 signed by it."""
    now = dt.datetime.now(dt.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name("ws-audit test CA")).issuer_name(_name("ws-audit test CA"))
          .public_key(ca_key.public_key()).serial_number(1).not_valid_before(now - dt.timedelta(hours=1))
          .not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True).sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(_name("127.0.0.1")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(2).not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False).sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "leaf.pem").write_bytes(leaf.public_bytes(pem))
    (folder / "leaf.key").write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(folder / "leaf.pem", folder / "leaf.key")
    return folder / "ca.pem", ctx
