"""``make lab`` as a newcomer meets it: starts as root, opens on the project's kernel, no encryption warning.

The test runs the exact command ``make lab`` runs (``make -s -n lab``), on a free loopback port with a token,
starts a kernel through the REST API and executes code through the kernel's websocket.
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import subprocess
import time
import urllib.request
import uuid

import pytest
import websockets

from analysis.config import KERNEL_NAME
from tests.ports import free_port

pytestmark = pytest.mark.integration


def _lab_command(project_root) -> list[str]:
    out = subprocess.run(["make", "-s", "-n", "lab"], cwd=project_root, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return shlex.split(out.stdout.strip().splitlines()[-1])


async def _execute(url: str, code: str) -> str:
    """Run ``code`` in the kernel behind the websocket ``url``; return what it printed."""
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({
            "header": {"msg_id": uuid.uuid4().hex, "username": "test", "session": uuid.uuid4().hex,
                       "msg_type": "execute_request", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False}}))
        while True:
            msg = json.loads(await asyncio.wait_for(ws.recv(), 60))
            if msg["msg_type"] == "stream":
                return msg["content"]["text"]
            if msg["msg_type"] == "error":
                raise AssertionError(msg["content"])


def test_make_lab_starts_as_root_on_the_project_kernel_without_the_encryption_warning(project_root, tmp_path):
    cmd = _lab_command(project_root)
    assert ("--allow-root" in cmd) == (os.geteuid() == 0)
    port, token = free_port(), uuid.uuid4().hex
    log = tmp_path / "lab.log"
    with log.open("w") as fh:
        lab = subprocess.Popen([*cmd, "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
                                f"--IdentityProvider.token={token}"], cwd=project_root, stdout=fh, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"

    def api(path: str, method: str = "GET") -> dict:
        req = urllib.request.Request(base + path, method=method, data=b"{}" if method == "POST" else None,
                                     headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.load(r)

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                specs = api("/api/kernelspecs")
                break
            except OSError:
                assert lab.poll() is None and time.monotonic() < deadline, log.read_text()[-2000:]
                time.sleep(0.25)
        assert specs["default"] == KERNEL_NAME, specs["default"]
        kernel = api("/api/kernels", "POST")  # no name given: Lab's default
        assert kernel["name"] == KERNEL_NAME
        printed = asyncio.run(_execute(f"ws://127.0.0.1:{port}/api/kernels/{kernel['id']}/channels?token={token}",
                                       "import analysis, sys; print(sys.prefix, 6 * 7)"))
        assert printed.split() == [str(project_root / ".venv"), "42"]
    finally:
        lab.terminate()
        try:
            lab.wait(30)
        except subprocess.TimeoutExpired:
            lab.kill()
            lab.wait(10)
    text = log.read_text()
    assert "Running as root is not recommended" not in text
    assert "without encryption" not in text, text[-2000:]
