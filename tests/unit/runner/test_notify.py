"""analysis.runner.notify: webhook POSTs to a local HTTP server on 127.0.0.1 (no other network)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from analysis.errors import ConfigError
from analysis.runner import NotebookResult, RunSummary
from analysis.runner.changes import Snapshot, compare
from analysis.runner.notify import notify, payload, post, should_notify, webhook_url


class Hook:
    """A local webhook receiver: answers with the queued status codes (then 200) and records bodies."""

    def __init__(self, codes=()):
        self.codes = list(codes)
        self.bodies: list[dict] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers["Content-Length"])
                hook.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(hook.codes.pop(0) if hook.codes else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/canary-hook-token-91f3"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook():
    h = Hook()
    yield h
    h.close()


def _summary(before_status="PASS", after_status="FAIL", baseline=True):
    r = NotebookResult("02_b", after_status, "now broken", {"n": 2})
    s = RunSummary("2026-11-02T00:00:00+00:00", "f", None, [r], run_id="20261102T000000Z")
    if baseline:
        s.baseline = {"run_id": "20261101T000000Z", "started": "s", "chosen": "same parameters"}
        s.changes = compare({"02_b": Snapshot(before_status, "was fine", {"n": 1})},
                            {"02_b": Snapshot(after_status, "now broken", {"n": 2})})
    return s


def test_a_status_change_posts_json_with_a_slack_text(hook, monkeypatch):
    monkeypatch.setenv("TEST_HOOK", hook.url)
    assert notify(_summary(), env_name="TEST_HOOK", report_url="https://audit.example/reports/") is None
    (body,) = hook.bodies
    assert body["run_id"] == "20261102T000000Z" and body["status"] == "FAIL"
    assert body["baseline"]["run_id"] == "20261101T000000Z" and body["counts"] == {"new_fail": 1}
    assert body["changes"][0]["change"] == "new_fail" and body["changes"][0]["headline_before"] == "was fine"
    assert body["index_url"] == "https://audit.example/reports/20261102T000000Z/index.html"
    assert body["text"].splitlines() == [
        "Infra Mind audit 20261102T000000Z: overall FAIL (compared with 20261101T000000Z)",
        "• 02_b: PASS → FAIL (new fail) — now broken",
        "Report: https://audit.example/reports/20261102T000000Z/index.html"]


def test_no_post_without_a_change_or_a_baseline_unless_always(hook, monkeypatch):
    monkeypatch.setenv("TEST_HOOK", hook.url)
    assert notify(_summary("FAIL", "FAIL"), env_name="TEST_HOOK") is None
    assert notify(_summary(baseline=False), env_name="TEST_HOOK") is None
    assert hook.bodies == []
    assert notify(_summary(baseline=False), env_name="TEST_HOOK", mode="always") is None
    assert len(hook.bodies) == 1 and hook.bodies[0]["baseline"] is None and hook.bodies[0]["index_url"] is None
    assert should_notify(_summary("FAIL", "PASS"), "changes")  # resolved is news too


def test_retries_on_server_errors_then_delivers():
    h = Hook(codes=[500, 503])
    try:
        assert post(h.url, {"a": 1}, backoff=0.01) is None
        assert len(h.bodies) == 3
    finally:
        h.close()


def test_a_failed_notification_is_one_warn_line_without_the_url(monkeypatch):
    h = Hook(codes=[404])
    monkeypatch.setenv("TEST_HOOK", h.url)
    try:
        line = notify(_summary(), env_name="TEST_HOOK")
    finally:
        h.close()
    assert line == "WARN notification via $TEST_HOOK failed: HTTP 404 after 1 attempt(s)"  # 4xx: no retry
    assert "canary-hook-token" not in line


def test_an_unreachable_hook_is_bounded(monkeypatch):
    h = Hook()
    url = h.url
    h.close()  # nothing listens there any more
    monkeypatch.setenv("TEST_HOOK", url)
    line = notify(_summary(), env_name="TEST_HOOK")
    assert line.startswith("WARN notification via $TEST_HOOK failed: ") and "after 3 attempt(s)" in line
    assert "canary-hook-token" not in line and "\n" not in line


def test_the_variable_must_hold_an_http_url(monkeypatch):
    monkeypatch.delenv("TEST_HOOK", raising=False)
    with pytest.raises(ConfigError, match="TEST_HOOK: the environment variable is not set"):
        webhook_url("TEST_HOOK")
    monkeypatch.setenv("TEST_HOOK", "ftp://secret-value")
    with pytest.raises(ConfigError) as exc:
        webhook_url("TEST_HOOK")
    assert "secret-value" not in str(exc.value)
    assert notify(_summary(), env_name="TEST_HOOK").startswith("WARN notification not sent: ")


def test_payload_keeps_only_figures_that_moved():
    s = _summary()
    s.changes[0]["figures"].append({"name": "z", "assessment": "unchanged"})
    doc = payload(s)
    assert doc["changes"][0]["figures"] == []  # n has no direction: 'changed', not worse/better


def test_the_slack_text_shows_mentions_and_links_from_a_headline_as_typed():
    s = _summary()
    hostile = "<!channel> <@U024BE7LH> <http://evil.example|open the report> & co"
    s.changes[0]["headline_after"] = hostile
    text = payload(s, report_url="https://audit.example/r?x=1&y=2")["text"]
    assert "<" not in text and ">" not in text
    assert "— &lt;!channel&gt; &lt;@U024BE7LH&gt; &lt;http://evil.example|open the report&gt; &amp; co" in text
    assert text.endswith("Report: https://audit.example/r?x=1&amp;y=2/20261102T000000Z/index.html")
    assert payload(s)["changes"][0]["headline_after"] == hostile  # the JSON fields stay data
