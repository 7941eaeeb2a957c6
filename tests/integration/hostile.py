"""What an attacker who can talk to an audited system puts into the workbook's inputs, and how a browser sees the result.

* :func:`payloads` — the corpus: ``<script>``, ``<img onerror>``, ``javascript:`` links, a table break-out,
  ``"><svg onload>``, an ``<iframe srcdoc>``, unicode look-alikes of ``<`` and ``>``, Markdown and Slack markup,
  spreadsheet formulas, control characters, a very long value. Every payload names its source
  (``pwn-<source>``): a tag that became markup has an ``id`` starting with ``pwn-``, and the marker shows as
  text where the payload was escaped. Every script sets ``document.title`` to ``PWNED``.
* Hostile inputs of notebooks 01 and 03, derived from the workbook's own sample files (their layout is that of
  real mongod logs, ``system.profile`` exports, explain output and ``$indexStats``) and from the exposition
  snapshots in ``tests/data/slo`` (a real ``/metrics`` layout): payloads in namespaces, field names, app names,
  remotes, plan summaries, index names, Prometheus label values and ``# HELP`` text.
* :class:`HostileTarget` — a WebSocket server that answers with payloads: in frames, close reasons, the body
  and a header of a refused handshake, an ``Upgrade`` header the client rejects, and the identity it reports.
* :func:`load` — a page in headless Chromium: the DOM after load, the title (a script that ran changed it) and
  the console's Content-Security-Policy reports; :func:`markup_found` lists what became markup.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import re
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from websockets.asyncio.server import serve
from websockets.datastructures import Headers
from websockets.http11 import Response

from analysis.config import data_dir, project_root

TITLE_MARK = "PWNED"
#: Elements no page of the workbook contains: any of them in a DOM is a payload that became markup.
FORBIDDEN_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "form", "base", "applet", "link",
                  "portal", "noscript", "template"}
#: Attributes that carry a URL a browser could execute.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}


def payloads(source: str) -> list[str]:
    """The corpus, each payload carrying the marker ``pwn-<source>``."""
    m = f"pwn-{source}"
    run = f"document.title='{TITLE_MARK} {m}'"
    return [
        f"<script>{run}</script>",
        f'x<img src=x id={m}-img onerror="{run}">',
        f'<a id={m}-a href="javascript:{run}">click {m}</a>',
        f"</td></tr></table></div><b id={m}-td>{m} broke out</b>",
        f'"><svg id={m}-svg onload="{run}">',
        f"'><iframe id={m}-frame srcdoc=\"<script>parent.{run}</script>\"></iframe>",
        f"\uff1cscript\uff1e{run}\uff1c/script\uff1e \u2039img src=x onerror=alert(1)\u203a \ufe64b id={m}-lookalike\ufe65",
        f"[{m} md](javascript:{run}) **{m}** <!channel> <@U024BE7LH> <http://evil.example|{m} slack>",
        f"={m}+HYPERLINK(\"http://evil.example\") @SUM(1) \x1b[31m\x07{m}-ctl",
        "A" * 3000 + f'<img src=x id={m}-long onerror="{run}">',
    ]


def markers(source: str) -> list[str]:
    """The ids of the payloads of ``source`` (one of them showing as text proves the source reached the page)."""
    return [f"pwn-{source}-{k}" for k in ("img", "a", "td", "svg", "frame", "lookalike", "long")] + [
        f"pwn-{source} md", f"pwn-{source}-ctl"]


# --------------------------------------------------------------------------- notebook 01 inputs

def _sample_lines(name: str) -> list[str]:
    path = data_dir() / "querycost" / name
    raw = path.read_bytes()
    return (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode().splitlines()


def _inject_op(doc: dict, i: int, pl: list[str], *, app: str, remote: str) -> None:
    """Payloads into one operation (a log line's ``attr`` or a profile document)."""
    doc[app] = pl[i % len(pl)]
    doc[remote] = pl[(i + 1) % len(pl)]
    filt = doc.get("command", {}).get("filter")
    if isinstance(filt, dict):
        filt[pl[(i + 2) % len(pl)]] = "x"
    if str(doc.get("planSummary", "")).startswith("IXSCAN"):
        doc["planSummary"] = f"IXSCAN {{ {pl[(i + 3) % len(pl)]}: 1 }}"
    if i % 5 == 0 and "." in str(doc.get("ns", "")):
        doc["ns"] = f"{doc['ns']}{pl[(i + 4) % len(pl)][:120]}"


def query_cost_inputs(folder: Path) -> dict[str, list[str]]:
    """A slow-query log, a profile export, an explain file and index exports with payloads; notebook 01's parameters."""
    folder.mkdir(parents=True, exist_ok=True)
    log, n = [], 0
    for line in _sample_lines("sample_slow_query.log.gz"):
        entry = json.loads(line)
        if entry.get("msg") == "Slow query" and not str(entry["attr"].get("ns", "")).startswith(("local.", "admin.")):
            _inject_op(entry["attr"], n, payloads("log"), app="appName", remote="remote")
            n += 1
        log.append(json.dumps(entry))
    profile = []
    for i, line in enumerate(_sample_lines("sample_profile.json")):
        doc = json.loads(line)
        _inject_op(doc, i, payloads("profile"), app="appName", remote="client")
        profile.append(json.dumps(doc))
    explains = json.loads((data_dir() / "querycost" / "sample_explain.json").read_text())
    pe = payloads("explain")
    for i, ex in enumerate(explains):
        ex.pop("synthetic", None)
        stage = ex.get("queryPlanner", {}).get("winningPlan", {}).get("inputStage")
        if stage and "indexName" in stage:
            stage["indexName"] = pe[i % len(pe)]
            stage["keyPattern"] = {pe[(i + 1) % len(pe)]: 1}
        if isinstance(ex.get("command", {}).get("filter"), dict):
            ex["command"]["filter"][pe[(i + 2) % len(pe)]] = "x"
    files = {"log": folder / "mongod.log", "profile": folder / "profile.jsonl", "explain": folder / "explain.json",
             "stats": folder / "index_stats.json", "indexes": folder / "indexes.json"}
    files["log"].write_text("\n".join(log) + "\n")
    files["profile"].write_text("\n".join(profile) + "\n")
    files["explain"].write_text(json.dumps(explains))
    pi = payloads("index")
    for key, sample in (("stats", "sample_index_stats.json"), ("indexes", "sample_indexes.json")):
        doc = json.loads((data_dir() / "querycost" / sample).read_text())
        doc.pop("synthetic", None)  # an export from a real server
        k = 0
        for coll in ("assessments", "recommendations", "reports"):
            for ix in doc[coll]:
                if ix["name"] != "_id_":
                    ix["name"] = pi[k % len(pi)]
                    ix.get("spec", {})["name"] = ix["name"]
                    k += 1
        files[key].write_text(json.dumps(doc))
    return {"log_paths": [str(files["log"])], "profile_paths": [str(files["profile"])],
            "explain_paths": [str(files["explain"])], "index_stats_paths": [str(files["stats"])],
            "indexes_paths": [str(files["indexes"])], "sample_meta_path": ""}


# --------------------------------------------------------------------------- notebook 03 inputs

CATALOG = """version: 1
service: hostile-shop
slos:
  - name: availability_by_endpoint
    description: 99 % of requests per endpoint do not fail with a 5xx
    target: 99
    window: 30d
    group_by: [endpoint]
    sli: {ratio: {good: 'http_requests_total{status!~"5.."}', total: http_requests_total}}
"""


def _label_value(text: str) -> str:
    """A label value in exposition syntax (backslash, quote and newline escaped)."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def slo_inputs(folder: Path) -> dict[str, object]:
    """A catalog grouping by ``endpoint`` and two ``/metrics`` snapshots whose endpoints and HELP text are payloads."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "catalog.yaml").write_text(CATALOG)
    ps = payloads("slo") + ["$\\frac{pwn-slo-math}{0}$ $x^$"]  # matplotlib mathtext is markup too
    for k, stamp in enumerate(("2026-11-01T00-00-00Z", "2026-11-01T01-00-00Z")):
        lines = [f"# HELP http_requests_total {ps[0]} {ps[4]}", "# TYPE http_requests_total counter"]
        for i, p in enumerate(ps):
            ok, bad = 1000 * (k + 1) * (i + 1), (5 + 20 * i) * k
            lines.append(f'http_requests_total{{endpoint="{_label_value(p)}",status="200"}} {ok}')
            lines.append(f'http_requests_total{{endpoint="{_label_value(p)}",status="503"}} {bad}')
        (folder / f"metrics-{stamp}.prom").write_text("\n".join(lines) + "\n")
    return {"catalog": str(folder / "catalog.yaml"), "export_paths": [str(folder)], "source": "export"}


# --------------------------------------------------------------------------- notebook 04 / ws-audit target

@dataclass
class HostileTarget:
    """A WebSocket server in its own thread whose every answer is a payload (context manager; ``url``)."""

    kinds: tuple[str, ...] = ("identity", "error_frame", "text_frame", "refuse", "bad_upgrade")
    url: str = ""
    connections: int = 0
    _loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    #: The first connections answer like a real server (the baseline control must be accepted, or every other
    #: probe is N/A and nothing hostile reaches the report).
    honest: int = 2

    def _kind(self) -> str:
        self.connections += 1
        if self.connections <= self.honest:
            return "honest"
        return self.kinds[(self.connections - self.honest - 1) % len(self.kinds)]

    def _process_request(self, connection, request):
        kind = self._kind()
        connection.hostile = (kind, self.connections)
        if kind == "refuse":
            body = (" ".join(payloads("http")[:6])).encode()
            headers = Headers([("Content-Type", "text/html"), ("X-Reason", payloads("header")[1])])
            return Response(403, "Forbidden", headers, body)
        return None

    def _process_response(self, connection, request, response):
        if connection.hostile[0] == "bad_upgrade":
            response.headers["Upgrade"] = payloads("header")[4][:200]
        return response

    async def _handler(self, ws) -> None:
        kind, n = ws.hostile
        frames, close = payloads("frame"), payloads("close")
        pick = lambda items: items[(n // len(self.kinds)) % len(items)]  # noqa: E731 - each payload in turn, per kind
        try:
            async for message in ws:
                if kind in ("honest", "identity"):
                    user = _subject(message) if kind == "honest" else pick(frames)
                    await ws.send(json.dumps({"type": "auth", "data": {"status": "authenticated", "user_id": user}}))
                    await ws.send(json.dumps({"type": "subscribe", "data": {"status": "subscribed",
                                                                            "topic": frames[4]}}))
                elif kind == "error_frame":
                    await ws.send(json.dumps({"type": "error", "message": pick(frames), "detail": frames[3]}))
                    await ws.close(4401, pick(close)[:120])
                    return
                else:
                    await ws.send(pick(frames) + " " + frames[8])
                    reason = close[8] if (n // len(self.kinds)) % 2 else pick(close)  # every other one: control chars
                    await ws.close(1008, reason[:120])
                    return
        except Exception:  # noqa: BLE001 - the client hung up
            return

    def _run(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop

        async def start():
            server = await serve(self._handler, "127.0.0.1", 0, ping_interval=None,
                                 process_request=self._process_request, process_response=self._process_response)
            self.url = f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/ws"
            return server

        server = loop.run_until_complete(start())
        ready.set()
        loop.run_forever()
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()

    def __enter__(self) -> HostileTarget:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        assert ready.wait(10), "hostile target did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(10)


def _subject(message: str | bytes) -> str:
    """The ``sub`` claim of the token in an auth message (read, not verified: the honest answer)."""
    try:
        token = json.loads(message)["data"]["token"]
        body = token.split(".")[1]
        return str(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))["sub"])
    except (ValueError, KeyError, IndexError, TypeError):
        return "unknown"


def ws_profile(folder: Path, url: str, secret_env: str) -> Path:
    """notebook 04's profile (the shipped ``profiles/infra_mind.yaml``) pointed at ``url``, faster replies."""
    text = (project_root() / "profiles" / "infra_mind.yaml").read_text()
    text = re.sub(r"(?m)^url: .*$", f"url: {url}", text)
    text = re.sub(r"(?m)^secret_env: .*$", f"secret_env: {secret_env}", text)
    text = re.sub(r"(?m)^reply_timeout_s: .*$", "reply_timeout_s: 0.5", text)
    text = re.sub(r"(?m)^revoke_grace_s: .*$", "revoke_grace_s: 0.5", text)
    path = folder / "hostile_profile.yaml"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# --------------------------------------------------------------------------- the browser

class _Dom(HTMLParser):
    """Elements (tag, attributes), the title and the text of a serialised DOM."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.title = ""  # the document's (the first <title>, not an SVG's)
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k.lower(): v or "" for k, v in attrs}))
        self._in_title = tag == "title" and not self.title and not any(t == "svg" for t, _ in self.elements)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self._in_title = False

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_title:
            self.title += data


@dataclass
class Page:
    """A page as Chromium rendered it."""

    name: str
    dom: str
    title: str
    text: str
    elements: list[tuple[str, dict[str, str]]]
    csp_reports: list[str]


CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                  "--disable-component-update", "--disable-sync", "--disable-quic", "--enable-logging=stderr",
                  "--v=0", "--virtual-time-budget=1500")


def load(chromium: str, page: Path) -> Page:
    """Open ``page`` in headless Chromium: the DOM after load (and after 1.5 s of virtual time), its console."""
    with tempfile.TemporaryDirectory(prefix="i21-chromium-") as profile:
        proc = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                              capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-500:]
    parsed = _Dom()
    parsed.feed(proc.stdout)
    reports = [line for line in proc.stderr.splitlines() if "Content Security Policy" in line]
    return Page(page.name, proc.stdout, parsed.title, "".join(parsed.text), parsed.elements, reports)


def csp_policies(page: Page) -> list[str]:
    """The Content-Security-Policy of every ``<meta http-equiv>`` of the page."""
    return [a.get("content", "") for tag, a in page.elements
            if tag == "meta" and a.get("http-equiv", "").lower() == "content-security-policy"]


def markup_found(page: Page) -> list[str]:
    """Everything in the DOM a payload could have made: forbidden elements, event handlers, script URLs, pwn ids."""
    found = []
    for tag, attrs in page.elements:
        where = f"{page.name}: <{tag} {' '.join(f'{k}={v[:40]!r}' for k, v in attrs.items())[:160]}>"
        if tag in FORBIDDEN_TAGS:
            found.append(where)
        elif tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            found.append(where)
        elif any(k.startswith("on") for k in attrs) or attrs.get("id", "").startswith("pwn-") or "srcdoc" in attrs:
            found.append(where)
        elif any(re.sub(r"[\s\x00-\x1f]", "", attrs.get(k, "")).lower().startswith(("javascript:", "vbscript:", "data:text"))
                 for k in URL_ATTRIBUTES):
            found.append(where)
    if TITLE_MARK in page.title:
        found.append(f"{page.name}: a script ran (document.title = {page.title[:60]!r})")
    return found


def without_csp(page: Path, folder: Path) -> Path:
    """A copy of ``page`` without its Content-Security-Policy (to prove escaping alone keeps scripts out)."""
    text = page.read_text(encoding="utf-8")
    stripped, n = re.subn(r'<meta\b[^>]*http-equiv="Content-Security-Policy"[^>]*>', "", text)
    assert n == 1, f"{page.name}: {n} CSP meta tags"
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / page.name
    copy.write_text(stripped, encoding="utf-8")
    return copy
