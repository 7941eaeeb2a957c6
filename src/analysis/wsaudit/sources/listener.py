"""A local HTTP listener that records fetches: does the target follow a token's ``jku`` / ``x5u`` URL (probe 11)?"""

from __future__ import annotations

import asyncio
import time
from typing import Any


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
        """Where the listener serves (``http://127.0.0.1:PORT``)."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> FetchListener:
        """Listen on an ephemeral loopback port."""
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Stop listening."""
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
