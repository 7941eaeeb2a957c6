"""Start the Channels control in a subprocess on a free loopback port; stop it by its own pid."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.ports import free_port

from .asgi_paths import PATHS

ROOT = Path(__file__).resolve().parents[2]
#: Database ids of users A and B (created in this order by :mod:`.serve`); simplejwt 5.5 issues them as strings.
IDS = {"ws-audit-user-a": "1", "ws-audit-user-b": "2"}


class ChannelsControl:
    """``with ChannelsControl(tmp_path, secret) as c: c.url("secure")`` — daphne serving every variant."""

    def __init__(self, folder: Path, secret: str, start_timeout_s: float = 30.0) -> None:
        self.folder, self.secret, self.timeout = Path(folder), secret, start_timeout_s
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    def url(self, variant: str = "secure") -> str:
        """The WebSocket URL of one variant (see :data:`.asgi_paths.PATHS`)."""
        return f"ws://127.0.0.1:{self.port}{PATHS[variant]}"

    def start(self) -> ChannelsControl:
        self.port = free_port()
        env = dict(os.environ, CHANNELS_JWT_SECRET=self.secret, CHANNELS_DB=str(self.folder / "channels.sqlite3"),
                   DJANGO_SETTINGS_MODULE="tests.channels_target.settings", PYTHONPATH=str(ROOT))
        log = open(self.folder / "daphne.log", "wb")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.channels_target.serve", str(self.port)],
                                     cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        end = time.monotonic() + self.timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Channels control exited ({self.proc.returncode}): "
                                   + (self.folder / "daphne.log").read_text(errors="replace")[-2000:])
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the Channels control did not listen on port {self.port} within {self.timeout:g} s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def __enter__(self) -> ChannelsControl:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
