"""Every real notebook through the runner: canary secrets never leak (the webhook URL included);
reports render in Chromium, open with the executive summary, show every table as an HTML table
(no text tables, no duplicates), point nowhere outside the run, and print to PDF."""

from __future__ import annotations

import html as htmllib
import json
import re
import subprocess
import tempfile
from pathlib import Path

import nbformat
import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from analysis import config, runner
from analysis.wsaudit.sources.targets import ThreadedTarget
from analysis.yamlio import load_yaml
from tests.integration.workbook_run import CANARIES, NEEDLES, NOTEBOOK_JOBS

pytestmark = pytest.mark.integration
def _artifacts(run_dir: Path) -> list[Path]:
    return [p for p in run_dir.rglob("*") if p.is_file()]


def _assert_no_canary(run_dir: Path, extra_text: str = "") -> None:
    hits = []
    for f in _artifacts(run_dir):
        text = f.read_text(encoding="utf-8", errors="replace")
        hits += [f"{f.name}: {n[:12]}…" for n in NEEDLES if n in text]
    hits += [f"console: {n[:12]}…" for n in NEEDLES if n in extra_text]
    assert not hits, hits


def test_embedded_defaults_give_a_verdict_for_every_notebook(default_report):
    summary = json.loads((default_report / "summary.json").read_text())
    names = [n["name"] for n in summary["notebooks"]]
    assert names == [p.stem for p in runner.discover_notebooks()] and names
    for n in summary["notebooks"]:
        assert n["status"] in {"PASS", "WARN", "FAIL"}, (n["name"], n["error"])
        assert n["headline"]


def test_canaries_in_env_never_reach_an_artifact(default_report):
    _assert_no_canary(default_report)
    _assert_no_canary(default_report.parent, (default_report.parent / "history.sqlite").read_bytes().decode("latin-1"))


def _canary_for(env_param: str) -> str | None:
    """The canary variable an ``*_env`` parameter is pointed at (None: no canary fits its name)."""
    lowered = env_param.lower()
    if "mongo" in lowered:
        return "MONGO_URI"
    if "redis" in lowered:
        return "REDIS_URL"
    if any(word in lowered for word in ("secret", "jwt", "key", "token")):
        return "WS_JWT_SECRET"
    return None


def test_canaries_behind_env_parameters_never_leak(tmp_path, monkeypatch):
    """Point every ``*_env`` parameter at a canary variable; errors included, nothing leaks.

    Fails (never skips) when no notebook declares an ``*_env`` parameter or one has no canary:
    then this test would prove nothing about the secrets the notebooks read.
    """
    for k, v in CANARIES.items():
        monkeypatch.setenv(k, v)
    env_params = [(nb.stem, name) for nb in runner.discover_notebooks()
                  for name in runner.inspect_parameters(nb) if name.endswith("_env")]
    assert env_params, "no notebook declares a *_env parameter: the canary test would check nothing"
    overrides = {f"{stem}.{name}": _canary_for(name) for stem, name in env_params}
    uncovered = [key for key, canary in overrides.items() if canary is None]
    assert not uncovered, f"*_env parameters without a canary: {uncovered}"
    stems = sorted({k.split(".")[0] for k in overrides})
    notebooks = runner.resolve_notebooks(stems)
    proc_out = []
    summary = runner.run_notebooks(notebooks, out=tmp_path / "out", overrides=overrides, progress=False,
                                   on_result=lambda r: proc_out.append(json.dumps(r.__dict__)), jobs=NOTEBOOK_JOBS)
    _assert_no_canary(Path(summary.run_dir), "\n".join(proc_out))


# --------------------------------------------------------------------------- wsaudit profiles

#: Canary values of the secrets the shipped WebSocket profiles name (besides WS_JWT_SECRET above).
WS_CANARIES = {
    "WS_PUBSUB_SECRET": "canary-pubsub-jwt-secret-41c7a2d9e0b3f56a8c",
    "WS_PUBSUB_API_KEY": "canary-pubsub-api-key-9e2b71c0d4",
    "DJANGO_SIMPLE_JWT_SIGNING_KEY": "canary-django-simplejwt-key-5d1e8f20a7c3b94e6f",
}


def _env_keys(raw, prefix: str = "") -> dict[str, str]:
    """Every ``*_env`` key of a profile (nested ones as ``revoke.secret_env``) → the variable it names."""
    out: dict[str, str] = {}
    for key, value in (raw or {}).items():
        if isinstance(value, dict):
            out.update(_env_keys(value, f"{prefix}{key}."))
        elif str(key).endswith("_env") and value:
            out[f"{prefix}{key}"] = str(value)
    return out


def test_wsaudit_profile_secret_keys_never_leak(tmp_path, monkeypatch):
    """Every env var a shipped WebSocket profile names (secret_env, revoke.secret_env, ...) holds a canary;
    notebook 04 audits an in-process pub/sub server that really uses them; nothing leaks, and the revoke API key
    was really sent (the server revoked a token)."""
    profiles = sorted((config.project_root() / "profiles").glob("*.yaml"))
    named = {f"{p.stem}.{k}": v for p in profiles for k, v in _env_keys(load_yaml(p)).items()}
    assert {"infra_mind.secret_env", "pubsub.secret_env", "pubsub.revoke.secret_env"} <= set(named), named
    canaries = {**CANARIES, **WS_CANARIES}
    uncovered = {k: v for k, v in named.items() if v not in canaries}
    assert not uncovered, f"profile *_env keys without a canary: {uncovered}"
    for k, v in canaries.items():
        monkeypatch.setenv(k, v)
    with ThreadedTarget("pubsub", WS_CANARIES["WS_PUBSUB_SECRET"], api_key=WS_CANARIES["WS_PUBSUB_API_KEY"]) as t:
        summary = runner.run_notebooks(runner.resolve_notebooks(["04_websocket_token_audit"]), out=tmp_path / "out",
                                       overrides={"profile": "profiles/pubsub.yaml", "targets": ["profile"],
                                                  "url": t.url}, progress=False)
        revoked = set(t.target.revoked)
    (result,) = summary.notebooks
    assert result.status == "WARN" and result.error is None, (result.headline, result.error)
    assert revoked, "the revoke request never authenticated with the canary API key"
    needles = [*WS_CANARIES.values(), *NEEDLES]
    hits = [f"{f.name}: {n[:14]}…" for f in _artifacts(Path(summary.run_dir))
            for n in needles if n in f.read_text(encoding="utf-8", errors="replace")]
    assert not hits, hits


# --------------------------------------------------------------------------- browser

def _chromium(chromium: str, *args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--no-first-run", "--disable-component-update", "--disable-sync", "--disable-quic",
             f"--user-data-dir={profile}", *args],
            capture_output=True, text=True, timeout=120,
        )


def test_reports_render_in_a_real_browser(default_report, chromium, tmp_path):
    pages = sorted(default_report.glob("*.html"))
    assert any(p.name == "index.html" for p in pages) and len(pages) >= 2
    for page in pages:
        dom = _dom(chromium, page)
        text = dom
        assert "Traceback" not in text, page.name
        assert not re.search(r'<(script|link)\b[^>]*(src|href)="(https?:)?//', text), f"{page.name} loads from the network"
        if page.name == "index.html":
            assert "Overall verdict" in text and "Since last run" in text
        elif page.name == "history.html":
            assert "Key figures over time" in text and "Status changes" in text
        else:
            assert re.search(r"Verdict: (PASS|WARN|FAIL|ERROR)", text), page.name
        imgs = re.findall(r"<img\b[^>]*>", text)
        for img in imgs:
            src = re.search(r'src="([^"]*)"', img)
            assert src and re.match(r"data:image/(png|jpeg|svg\+xml);base64,[A-Za-z0-9+/]{200,}", src.group(1)), (page.name, img[:120])
        shot = tmp_path / f"{page.stem}.png"
        res = _chromium(chromium, f"--screenshot={shot}", "--window-size=1280,900", "--hide-scrollbars", page.as_uri())
        assert shot.exists(), res.stderr[-500:]
        pixels = np.asarray(Image.open(shot).convert("L"), dtype=float)
        assert pixels.std() > 5, f"{page.name}: screenshot is blank"


def test_notebook_reports_carry_their_plots(default_report):
    """Plots reach the executed notebooks (not lost to a non-inline backend)."""
    for ipynb in default_report.glob("*.ipynb"):
        nb = nbformat.read(ipynb, as_version=4)
        pngs = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
        assert pngs >= 1, f"{ipynb.name}: no plot in the executed notebook"


_DOMS: dict[Path, str] = {}


def _dom(chromium: str, page: Path) -> str:
    """The rendered DOM of a page (cached: several tests read each report)."""
    if page not in _DOMS:
        dom = _chromium(chromium, "--dump-dom", page.as_uri())
        assert dom.returncode == 0, dom.stderr[-500:]
        _DOMS[page] = dom.stdout
    return _DOMS[page]


def _visible_text(fragment: str) -> str:
    """The text a reader sees in an HTML fragment (no tags, styles or scripts)."""
    fragment = re.sub(r"<(style|script)\b.*?</\1>", "", fragment, flags=re.S)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment)).strip()


def _text_tables(dom: str) -> list[str]:
    """``<pre>`` outputs that are text tables: 3+ consecutive lines of one width with aligned columns."""
    found = []
    for pre in re.findall(r"<pre\b[^>]*>(.*?)</pre>", dom, flags=re.S):
        lines = [line for line in htmllib.unescape(re.sub(r"<[^>]+>", "", pre)).splitlines() if line.strip()]
        run = 1
        for prev, line in zip(lines, lines[1:]):
            aligned = len(line) == len(prev) >= 20 and len(re.findall(r"\S {2,}(?=\S)", line)) >= 2
            run = run + 1 if aligned else 1
            if run >= 3:
                found.append("\n".join(lines[:4]))
                break
    return found


def _report(default_report: Path, name: str) -> Path:
    page = default_report / f"{name}.html"
    assert page.is_file(), f"{name}: no HTML report"
    return page


NOTEBOOKS = [nb.stem for nb in runner.discover_notebooks()]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_executive_summary_is_the_first_visible_content(default_report, chromium, name):
    dom = _dom(chromium, _report(default_report, name))
    body = dom[dom.index("<main>") + len("<main>"):]
    start = body.index('<section class="im-summary"')
    assert _visible_text(body[:start]) == "", f"{name}: visible content before the summary block"
    block = body[start:body.index("</section>", start)]
    summary = json.loads((default_report / "summary.json").read_text())
    nb = next(n for n in summary["notebooks"] if n["name"] == name)
    assert f'<span class="im-status">{nb["status"]}</span>' in block
    assert htmllib.escape(nb["headline"], quote=False) in block or nb["headline"] in _visible_text(block)
    assert "Contents" in block and 'href="#' in block  # the table of contents follows
    assert 'id="how-this-was-run"' in dom and "How this was run" in dom  # parameters in the appendix


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_table_is_an_html_table_and_none_is_shown_twice(default_report, chromium, name):
    dom = _dom(chromium, _report(default_report, name))
    assert _text_tables(dom) == [], f"{name}: text tables in the report"
    tables = [_visible_text(t) for t in re.findall(r"<table\b.*?</table>", dom, flags=re.S)]
    assert tables, f"{name}: no HTML table"
    duplicates = {t[:80] for t in tables if tables.count(t) > 1}
    assert not duplicates, f"{name}: the same table twice: {duplicates}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_parameter_object_is_shown(default_report, chromium, name):
    text = _visible_text(_dom(chromium, _report(default_report, name)))
    assert not re.search(r"\b\w+Params\(", text), f"{name}: a parameter object's repr is in the report"


#: A relative path that climbs out of a directory: ``../shared/x.md``, ``href="../docs"`` — but not the
#: last step of a chained traversal payload shown as data (notebook 04's ``kid`` probe: ``../../../dev/null``).
CLIMBS_OUT = re.compile(r"(?<!\.\./)(?<![\w.])\.\./(?=[A-Za-z_])")


def test_no_page_points_outside_the_run(default_report, chromium):
    """No ``../`` path (e.g. into a directory outside the repository) in any notebook report or the index.

    ``history.html`` is the one page that links other runs of the same OUT (``../<run id>/index.html``).
    """
    for page in sorted(default_report.glob("*.html")):
        dom = _dom(chromium, page)
        links = re.findall(r'(?:href|src)="([^"]*)"', dom)
        if page.name == "history.html":
            assert all(re.fullmatch(r"\.\./\d{8}T\d{6}Z(-\d+)?/index\.html", u) for u in links if ".." in u), page.name
            continue
        assert not [u for u in links if ".." in u], f"{page.name}: links that climb out"
        hit = CLIMBS_OUT.search(dom)
        assert hit is None, f"{page.name}: {dom[max(hit.start() - 80, 0):hit.start() + 40]!r}"
        assert "/work/" not in dom and "shared/" not in dom, page.name


def test_every_report_and_the_index_print_to_pdf(default_report, chromium):
    pages = [p for p in default_report.glob("*.html")]
    assert len(pages) >= 3
    for page in pages:
        pdf = page.with_suffix(".pdf")
        assert pdf.is_file() and pdf.stat().st_size > 0, f"{pdf.name} missing or empty"
        pages_n = len(PdfReader(pdf).pages)  # pypdf parses the file (pdfinfo did): a broken PDF raises
        assert pages_n >= 1, pdf.name


def test_the_run_is_in_the_history_and_notified(default_report):
    summary = json.loads((default_report / "summary.json").read_text())
    assert summary["warnings"] == [] and summary["run_id"] == default_report.name
    conn = __import__("sqlite3").connect(default_report.parent / "history.sqlite")
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM notebooks WHERE run_id = ?", (summary["run_id"],))]
    finally:
        conn.close()
    assert names == NOTEBOOKS
