"""Live Prometheus: chunking under the 11,000-point limit; an unreachable server is one redacted line."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from analysis.errors import SourceError
from analysis.slo.sources.live import MAX_POINTS, chunks, fetch, fetch_increases, series_labels


@pytest.mark.parametrize("points", [1, 9_999, 10_000, 10_001, 43_201, 47_521])
def test_chunks_cover_every_step_once_under_the_limit(points):
    step, end = 60.0, 1_790_000_040.0
    start = end - (points - 1) * step
    parts = chunks(start, end, step)
    covered = [a + k * step for a, b in parts for k in range(int(round((b - a) / step)) + 1)]
    assert covered == [start + k * step for k in range(points)]
    assert all((b - a) / step + 1 <= MAX_POINTS < 11_000 for a, b in parts)
    assert parts[-1][1] == end  # pinned to the evaluation time


def test_unreachable_server_is_one_redacted_line():
    with pytest.raises(SourceError) as ei:
        fetch("http://admin:hunter2@127.0.0.1:9", ["up"], 1_700_000_000.0, 1_700_000_600.0, timeout=1)
    msg = str(ei.value)
    assert "hunter2" not in msg and "cannot connect" in msg and "\n" not in msg


class _FlakyPrometheus(BaseHTTPRequestHandler):
    """Answers 503 to the first request of each path (a restarting Thanos query frontend), then data."""

    seen: dict[str, int] = {}

    def do_GET(self):  # noqa: N802 (http.server's name)
        path = self.path.split("?")[0]
        self.seen[path] = self.seen.get(path, 0) + 1
        if self.seen[path] == 1:
            self.send_response(503)
            self.end_headers()
            return
        data = ([{"__name__": "x", "job": "api"}] if path.endswith("/series") else
                {"resultType": "matrix", "result": [{"metric": {"job": "api"}, "values": [[1_700_000_600, "3"]]}]})
        body = json.dumps({"status": "success", "data": data}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_pushdown_requests_retry_a_503_like_the_client_does():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FlakyPrometheus)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        got = fetch_increases(url, {"bad": "sum(increase(x[60s]))"}, 1_700_000_000.0, 1_700_000_600.0, step=60.0,
                              timeout=2)
        labels = series_labels(url, ["x"], 1_700_000_000.0, 1_700_000_600.0, timeout=2)
    finally:
        server.shutdown()
    (lab, ts, vals), = got["bad"]
    assert lab == {"job": "api"} and list(vals) == [3.0] and labels == [{"__name__": "x", "job": "api"}]
    assert _FlakyPrometheus.seen == {"/api/v1/query_range": 2, "/api/v1/series": 2}  # one retry each
