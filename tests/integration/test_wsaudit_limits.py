"""Message limits relative to the server (issue 22): a frame a clear step above the limit, the limit discovered by
stepping up, and an application's error frame is not a refusal (the daphne false PASS)."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import replace

import pytest

from analysis.wsaudit.battery import run_battery
from analysis.wsaudit.keys import load_keys
from analysis.wsaudit.profile import parse_profile
from tests.integration.wsaudit_helpers import SECRET, Server, cases

pytestmark = pytest.mark.integration


async def _unknown_action(ws):
    """The app's own reply to anything: what daphne's consumer sent back to the old 1 MiB frame."""
    async for _ in ws:
        await ws.send(json.dumps({"type": "error", "error": "unknown action"}))


def _profile(**limits):
    return parse_profile({"url": "ws://127.0.0.1:9/ws", "token_transport": "header", "secret_env": "WS_JWT_SECRET",
                          "rejected": {"type": "^error$"}, "reply_timeout_s": 1.0, "limits": {"burst": 5, **limits}},
                         "limits.yaml")


def timed(server, profile, probes):
    async def go():
        async with server as s:
            p = replace(profile, url=s.url)
            t0 = time.perf_counter()
            return await run_battery(p, load_keys(p, secret=SECRET), probes=probes), time.perf_counter() - t0

    return asyncio.run(go())


def test_the_frame_exceeds_the_configured_limit_and_an_error_frame_is_no_refusal():
    # the server's real limit is 4 MiB, the profile says 1 MiB: the 2 MiB frame is read and answered
    a, _ = timed(Server(_unknown_action, max_size=4 << 20), _profile(max_frame_bytes=1 << 20),
                 probes=["message_limits"])
    frame = cases(a, "message_limits")["one 2,097,152-byte frame (2 × the profile's 1,048,576-byte limit)"]
    assert frame.status == "WARN" and "read and answered although the profile says the limit is 1,048,576" in \
        frame.reason and "unknown action" in " ".join(frame.received["frames"])


def test_a_frame_over_the_limit_is_refused_with_1009():
    a, _ = timed(Server(_unknown_action, max_size=1 << 20), _profile(max_frame_bytes=1 << 20),
                 probes=["message_limits"])
    got = cases(a, "message_limits")
    frame = got["one 2,097,152-byte frame (2 × the profile's 1,048,576-byte limit)"]
    assert frame.status == "PASS" and "close 1009" in frame.reason
    assert got["a fresh valid token afterwards"].status == "PASS"


def test_the_limit_is_discovered_by_stepping_up():
    a, wall = timed(Server(_unknown_action, max_size=100_000), _profile(), probes=["message_limits"])
    frame = cases(a, "message_limits")["frame size limit (stepping up from 16,385 bytes)"]
    assert frame.status == "PASS" and frame.reason.startswith("refused at 262,145 bytes: the server closed it (close "
                                                              "1009")
    assert "its limit lies between 65,537 and 262,144 bytes" in frame.reason and wall < 15


def test_no_limit_up_to_the_budget_is_a_warn():
    a, wall = timed(Server(_unknown_action, max_size=None), _profile(), probes=["message_limits"])
    frame = cases(a, "message_limits")["frame size limit (stepping up from 16,385 bytes)"]
    assert frame.status == "WARN" and "16,777,217-byte frame was read and answered" in frame.reason and wall < 20


async def _drops_big_frames(ws):
    """A proxy-like limit: a frame over 64 KiB and the TCP connection is cut, no close frame."""
    async for msg in ws:
        if len(msg) > 65536:
            ws.transport.abort()
            return
        await ws.send(json.dumps({"type": "ok"}))


def test_a_dropped_connection_is_a_refusal():
    a, _ = timed(Server(_drops_big_frames), _profile(max_frame_bytes=65536), probes=["message_limits"])
    got = cases(a, "message_limits")
    frame = got["one 131,072-byte frame (2 × the profile's 65,536-byte limit)"]
    assert frame.status == "PASS" and "dropped the connection (no close frame" in frame.reason
    assert got["a fresh valid token afterwards"].status == "PASS"
