"""``python -m analysis ws-target --mode secure|vulnerable|pubsub|pubsub_header --port N [--host 127.0.0.1]``.

Serves a reference target until interrupted. The HMAC secret comes from the env var named
by ``--secret-env`` (default ``WS_JWT_SECRET``); when it is unset a random one is generated
and only that fact is printed. The pub/sub modes take their server API key (token
revocation) from ``--api-key-env`` (default ``WS_PUBSUB_API_KEY``) the same way.
"""

from __future__ import annotations

import argparse
import asyncio
import os

from ..errors import ParameterError, SourceError
from .keys import generate_secret
from .sources.targets import INFRA_MODES, MODES, REFERENCE_ORIGINS, make_target


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``ws-target`` flags."""
    parser.add_argument("--mode", required=True, choices=MODES)
    parser.add_argument("--port", type=int, default=8765, help="TCP port (0 = ephemeral)")
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default loopback)")
    parser.add_argument("--secret-env", default="WS_JWT_SECRET", help="env var holding the HMAC secret")
    parser.add_argument("--api-key-env", default="WS_PUBSUB_API_KEY",
                        help="pub/sub modes: env var holding the server API key (token revocation)")
    parser.add_argument("--allowed-origin", action="append", default=None,
                        help=f"Origin allowlist of secure / pub/sub modes (repeatable; default {REFERENCE_ORIGINS[0]})")


def _from_env(name: str, what: str) -> str:
    value = os.environ.get(name or "")
    if value:
        print(f"{what}: read from ${name}")
        return value
    print(f"{what}: ${name} is unset, a random one was generated (not shown); set ${name} here and for ws-audit "
          "to use it")
    return generate_secret()


def run(args: argparse.Namespace) -> None:
    """Serve a reference target until interrupted (nothing is judged: returns None)."""
    if not 0 <= args.port <= 65535:
        raise ParameterError(f"--port: {args.port} is not a TCP port")
    secret = _from_env(args.secret_env, "secret")
    origins = args.allowed_origin or REFERENCE_ORIGINS
    if args.mode in INFRA_MODES:
        kw = {"allowed_origins": origins if args.mode == "secure" else None}
    else:
        kw = {"allowed_origins": origins, "api_key": _from_env(args.api_key_env, "API key")}
    target = make_target(args.mode, secret, host=args.host, port=args.port, **kw)

    async def serve() -> None:
        await target.start()
        print(f"{args.mode} reference target listening on {target.url} (Ctrl-C to stop)", flush=True)
        try:
            await asyncio.Future()
        finally:
            await target.stop()

    try:
        asyncio.run(serve())
    except OSError as exc:
        raise SourceError(f"ws-target: cannot listen on {args.host}:{args.port} ({exc.strerror or exc})") from None
    return None
