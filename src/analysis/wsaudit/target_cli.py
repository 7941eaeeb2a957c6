"""``python -m analysis ws-target --mode secure|vulnerable --port N [--host 127.0.0.1]``.

Serves a reference target until interrupted. The HS256 secret comes from the env var
named by ``--secret-env`` (default ``WS_JWT_SECRET``); when it is unset a random one is
generated and only that fact is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os

from ..errors import ParameterError, SourceError
from .keys import generate_secret
from .sources.reference_target import MODES, REFERENCE_ORIGINS, ReferenceTarget


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the ``ws-target`` flags."""
    parser.add_argument("--mode", required=True, choices=MODES)
    parser.add_argument("--port", type=int, default=8765, help="TCP port (0 = ephemeral)")
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default loopback)")
    parser.add_argument("--secret-env", default="WS_JWT_SECRET", help="env var holding the HS256 secret")
    parser.add_argument("--allowed-origin", action="append", default=None,
                        help=f"secure mode Origin allowlist (repeatable; default {REFERENCE_ORIGINS[0]})")


def run(args: argparse.Namespace) -> None:
    """Serve a reference target until interrupted (nothing is judged: returns None)."""
    if not 0 <= args.port <= 65535:
        raise ParameterError(f"--port: {args.port} is not a TCP port")
    secret = os.environ.get(args.secret_env or "")
    if secret:
        print(f"secret: read from ${args.secret_env}")
    else:
        secret = generate_secret()
        print(f"secret: ${args.secret_env} is unset, a random secret was generated (not shown); "
              f"set ${args.secret_env} here and for ws-audit to mint accepted tokens")
    target = ReferenceTarget(args.mode, secret, host=args.host, port=args.port,
                             allowed_origins=(args.allowed_origin or REFERENCE_ORIGINS) if args.mode == "secure" else None)

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
