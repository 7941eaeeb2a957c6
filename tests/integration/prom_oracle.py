"""The oracle Prometheus shared by the SLO integration tests (one backfilled server per session).

``prom`` generates 31 days of 60 s samples with the traffic model (a 503 incident, a counter
reset, a scrape gap, a zero-traffic window, a latency histogram), loads them with
``promtool tsdb create-blocks-from openmetrics`` into a temporary TSDB and starts
``/usr/bin/prometheus`` on a free loopback port. :class:`PromServer` can restart it on the same
port and data directory (after backfilling recorded rules with ``create-blocks-from rules``).
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from analysis.samples.prometheus_files import write_openmetrics
from tests.ports import free_port
from tests.session_hygiene import need_tools
from analysis.samples.traffic import DAY, generate

PROMETHEUS = shutil.which("prometheus")
PROMTOOL = shutil.which("promtool")
STEP = 60.0
TARGET = 0.999
GOOD = 'http_requests_total{status!~"5.."}'
TOTAL = "http_requests_total"
BAD = 'http_requests_total{status=~"5.."}'

CATALOG = f"""
service: oracle
slos:
  - name: availability
    target: {TARGET * 100}
    window: 30d
    sli: {{ratio: {{good: '{GOOD}', total: {TOTAL}}}}}
  - name: latency
    target: 95
    window: 30d
    sli: {{latency: {{metric: http_request_duration_seconds, threshold_s: 0.5}}}}
"""


def api_get(url: str, path: str, **params) -> dict:
    q = urllib.parse.urlencode(params)
    with urllib.request.urlopen(f"{url}{path}?{q}", timeout=120) as r:
        doc = json.load(r)
    assert doc["status"] == "success", doc
    return doc


def backfill_openmetrics(parts, start: float, days: int, tsdb: Path, workdir: Path) -> None:
    """Write one OpenMetrics file per day (promtool re-reads its input per 2 h block) and backfill them."""
    files = []
    for i in range(days + 1):
        a, b = start + i * DAY, start + (i + 1) * DAY
        sub = [(lab, ts[(ts >= a) & (ts < b)], v[(ts >= a) & (ts < b)]) for lab, ts, v in parts]
        sub = [p for p in sub if p[1].size]
        if sub:
            f = workdir / f"day{i:02d}.om"
            with f.open("w") as fh:
                write_openmetrics(sub, fh)
            files.append(f)

    def create(f: Path) -> None:
        subprocess.run([PROMTOOL, "tsdb", "create-blocks-from", "openmetrics", "-q", str(f), str(tsdb)],
                       check=True, capture_output=True, timeout=900)
        f.unlink()

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(create, files))


class PromServer:
    """A ``prometheus`` process on a TSDB directory and a fixed loopback port."""

    def __init__(self, tsdb: Path, workdir: Path, extra: tuple[str, ...] = ()) -> None:
        self.tsdb, self.dir, self.extra = tsdb, workdir, extra
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.cfg = workdir / "prometheus.yml"
        self.cfg.write_text("global:\n  scrape_interval: 1h\n")

    def start(self) -> None:
        self.log = (self.dir / "prometheus.log").open("a")
        self.proc = subprocess.Popen(
            [PROMETHEUS, f"--config.file={self.cfg}", f"--storage.tsdb.path={self.tsdb}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--storage.tsdb.retention.time=400d",
             "--query.max-samples=200000000", *self.extra], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(self.url + "/-/ready", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"prometheus did not become ready: {(self.dir / 'prometheus.log').read_text()[-2000:]}")
            time.sleep(0.25)

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="session")
def prom(tmp_path_factory):
    need_tools("prometheus", "promtool")
    d = tmp_path_factory.mktemp("prom")
    # data ends on the last week boundary at least 2 h ago (so on the 2 h block grid), 31 days long. The week
    # boundary pins the traffic's phase (time of day, weekday) and so every random draw: each run sees the same
    # data (the 30 m burn rate counts a few dozen errors, where one error more or less moves it by several %)
    end = math.floor((time.time() - 7200) / (7 * DAY)) * 7 * DAY
    start = end - 31 * DAY
    parts = generate(start=start, days=31, step=STEP, endpoints=2,
                     families=("http_requests_total", "http_request_duration_seconds"), histogram_count=False,
                     scrape_offset_s=17.0, jitter_s=0.5)  # scrapes are not on the query grid
    tsdb = d / "tsdb"
    backfill_openmetrics(parts, start, 31, tsdb, d)
    server = PromServer(tsdb, d)
    server.start()
    try:
        catalog = d / "catalog.yaml"
        catalog.write_text(CATALOG)
        yield {"url": server.url, "at": end, "start": start, "catalog": str(catalog), "dir": d, "server": server}
    finally:
        server.stop()
