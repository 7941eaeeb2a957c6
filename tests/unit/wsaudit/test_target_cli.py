"""``ws-target``: bad port and a port already in use are one-line errors (exit 2)."""

from __future__ import annotations

import socket

from analysis.cli import main


def test_port_out_of_range(capsys):
    assert main(["ws-target", "--mode", "secure", "--port", "70000"]) == 2
    assert capsys.readouterr().err == "error: --port: 70000 is not a TCP port\n"


def test_port_in_use_is_a_source_error(capsys, monkeypatch):
    monkeypatch.setenv("WSAUDIT_TEST_TARGET_SECRET", "x" * 40)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        rc = main(["ws-target", "--mode", "vulnerable", "--port", str(port), "--secret-env",
                   "WSAUDIT_TEST_TARGET_SECRET"])
    out = capsys.readouterr()
    assert rc == 2 and out.out == "secret: read from $WSAUDIT_TEST_TARGET_SECRET\n"
    assert out.err.startswith(f"error: ws-target: cannot listen on 127.0.0.1:{port} (") and out.err.count("\n") == 1
