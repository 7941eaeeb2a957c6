"""Reports are safe to open: nothing an audited system sends becomes markup, script, a mention or a formula.

The payload corpus (:mod:`tests.integration.hostile`) goes in through every source an attacker reaches — a
slow-query log, a profile export, an explain file, index exports (notebook 01), Prometheus label values used
by ``group_by`` and ``# HELP`` text (notebook 03), a WebSocket target's frames, close reasons, refused-handshake
bodies and headers (notebook 04 and ``ws-audit``), and verdict fields, tables, text sections, Markdown and
JavaScript outputs and an exception of a notebook (two toy runs, for the index, history page, webhook, JUnit
and CSV). Then every HTML page is opened in headless Chromium twice: as written (no Content-Security-Policy
report: nothing the page needs is blocked and nothing tried to run) and with its CSP removed (escaping alone
keeps every payload text: no script runs, no payload element is in the DOM). SARIF is validated against the
OASIS schema and JUnit parsed with junitparser, payloads inside.

Each notebook runs once per module (module fixtures), never once per payload.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from pathlib import Path

import jsonschema
import nbformat
import pytest
from junitparser import JUnitXml

from analysis import cli, runner
from analysis.escape import CSP, CSP_META, FORMULA_START, xml_chars
from analysis.wsaudit.checklist import PROBES
from tests.integration import hostile
from tests.unit.runner.test_notify import Hook

pytestmark = pytest.mark.integration

SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "wsaudit" / "sarif-schema-2.1.0.json").read_text())
WS_SECRET_ENV = "I21_HOSTILE_WS_SECRET"
WS_SECRET = "hostile-target-secret-0123456789abcdefghij"
#: Every probe but the one that waits for a token to expire (seconds of nothing hostile).
WS_PROBES = [p.id for p in PROBES if p.id != "expiry_open"]
#: The sources whose payloads must show (as text) somewhere in the pages: proof each one reached a report.
PAGE_SOURCES = ("log", "profile", "explain", "index", "slo", "frame", "close", "header", "http", "toy")
KERNELSPEC = {"name": "infra-mind", "display_name": "Infra Mind audit (.venv)", "language": "python"}

TOY_VERDICT = """\
import json
from pathlib import Path
import pandas as pd
from IPython.display import Javascript, Markdown, display
from analysis import record, tables

P = json.loads(payload_json)
status = "FAIL" if Path(flag).exists() else "PASS"
print("stream output:", P[1])
tables.show(pd.DataFrame({P[3]: P, "as object": [{p[:40]: [p[:20]]} for p in P], "n": range(len(P))}),
            caption=P[0] + P[4])
tables.show_section(P[4], [P[1], P[3]], [P[5], P[6]], subtitle=P[7])
display(Markdown(P[7] + " " + P[1]))
display(Javascript("document.title = 'PWNED by a javascript output'"))
record.publish(record.Verdict(status, " ".join([P[8], *P[:3]]), {P[1]: 1.0 + (status == "FAIL"), P[4]: P[2],
               "$x^$ " + P[0]: 2.0 + (status == "FAIL")}, next_steps=P[3:7],
               figure_info={P[1]: {"unit": P[4][:30], "higher_is_better": False}}))
"""
TOY_RAISE = "import json\nP = json.loads(payload_json)\nraise ValueError(P[8] + ' ' + ' '.join(P[:6]))\n"


def _notebook(path: Path, body: str) -> Path:
    """A workbook-shaped notebook: a title, a tagged parameters cell, one code cell."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNELSPEC
    params = nbformat.v4.new_code_cell("payload_json = '[]'\nflag = ''\n")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {path.stem}"), params, nbformat.v4.new_code_cell(body)]
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def attacked(tmp_path_factory) -> Path:
    """Notebooks 01, 03 and 04 on hostile inputs, one run: its directory."""
    work = tmp_path_factory.mktemp("hostile")
    qc, slo = hostile.query_cost_inputs(work / "querycost"), hostile.slo_inputs(work / "slo")
    overrides = {**{f"01_query_cost_audit.{k}": v for k, v in qc.items()},
                 **{f"03_slo_error_budgets.{k}": v for k, v in slo.items()}}
    with pytest.MonkeyPatch.context() as mp, hostile.HostileTarget() as target:
        mp.setenv(WS_SECRET_ENV, WS_SECRET)
        overrides.update({"04_websocket_token_audit.profile": str(hostile.ws_profile(work / "ws", target.url, WS_SECRET_ENV)),
                          "04_websocket_token_audit.targets": ["profile"],
                          "04_websocket_token_audit.probes": WS_PROBES})
        notebooks = runner.resolve_notebooks(["01_query_cost_audit", "03_slo_error_budgets", "04_websocket_token_audit"])
        summary = runner.run_notebooks(notebooks, out=work / "out", overrides=overrides, progress=False)
    for r in summary.notebooks:
        assert r.status != "ERROR" and r.html, (r.name, r.error)
    return Path(summary.run_dir)


@pytest.fixture(scope="module")
def toy_runs(tmp_path_factory) -> dict:
    """Two runs of a toy notebook whose verdict, tables and outputs are payloads (PASS, then FAIL) and of one that
    raises with payloads: the second run's directory, the webhook bodies, JUnit and ``history --csv``."""
    work = tmp_path_factory.mktemp("toys")
    notebooks = [_notebook(work / "01_toy_verdict.ipynb", TOY_VERDICT), _notebook(work / "02_toy_raise.ipynb", TOY_RAISE)]
    flag, hook = work / "fail-now", Hook()
    overrides = {"payload_json": json.dumps(hostile.payloads("toy")), "flag": str(flag)}
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("I21_HOOK", hook.url)
            options = runner.RunOptions(junit=work / "junit.xml", notify_webhook_env="I21_HOOK", notify="always")
            runner.run_notebooks(notebooks, out=work / "out", overrides=overrides, progress=False, options=options)
            flag.touch()
            last = runner.run_notebooks(notebooks, out=work / "out", overrides=overrides, progress=False,
                                        options=options)
    finally:
        hook.close()
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        assert cli.main(["history", "--out", str(work / "out"), "--notebook", "01_toy_verdict", "--csv"]) == 0
    return {"run_dir": Path(last.run_dir), "summary": last, "bodies": hook.bodies, "junit": work / "junit.xml",
            "csv": stdout.getvalue()}


@pytest.fixture(scope="module")
def ws_files(tmp_path_factory) -> dict[str, Path]:
    """``ws-audit --sarif --junit`` against the hostile target."""
    work = tmp_path_factory.mktemp("ws")
    with pytest.MonkeyPatch.context() as mp, hostile.HostileTarget() as target:
        mp.setenv(WS_SECRET_ENV, WS_SECRET)
        profile = hostile.ws_profile(work, target.url, WS_SECRET_ENV)
        files = {"sarif": work / "audit.sarif", "junit": work / "audit.xml"}
        with contextlib.redirect_stdout(io.StringIO()):
            cli.main(["ws-audit", "--profile", str(profile), "--probes", ",".join(WS_PROBES),
                      "--sarif", str(files["sarif"]), "--junit", str(files["junit"])])
    return files


PAGES = [("attacked", n) for n in ("01_query_cost_audit.html", "03_slo_error_budgets.html",
                                   "04_websocket_token_audit.html", "index.html", "history.html")] + \
        [("toy_runs", n) for n in ("01_toy_verdict.html", "02_toy_raise.html", "index.html", "history.html")]
_LOADED: dict[tuple[str, str], tuple[hostile.Page, hostile.Page]] = {}


def _page(request, chromium: str, run: str, name: str, scratch: Path) -> tuple[hostile.Page, hostile.Page]:
    """(as written, without its CSP) of one page, loaded once per module."""
    if (run, name) not in _LOADED:
        fixture = request.getfixturevalue(run)
        path = (fixture["run_dir"] if isinstance(fixture, dict) else fixture) / name
        assert path.is_file(), f"{run}: no {name}"
        _LOADED[(run, name)] = (hostile.load(chromium, path),
                                hostile.load(chromium, hostile.without_csp(path, scratch / run)))
    return _LOADED[(run, name)]


@pytest.mark.parametrize(("run", "name"), PAGES)
def test_no_payload_runs_or_becomes_markup(request, chromium, tmp_path, run, name):
    written, bare = _page(request, chromium, run, name, tmp_path)
    assert hostile.markup_found(bare) == [], "escaping alone must keep every payload text"
    assert hostile.markup_found(written) == []
    assert written.csp_reports == [], f"{name}: the CSP blocked something: {written.csp_reports[:2]}"
    assert hostile.csp_policies(written) == [CSP] and hostile.csp_policies(bare) == []


def test_every_source_reached_a_page_as_text(request, chromium, tmp_path):
    """Each source's payloads show as text somewhere (else the tests above would prove nothing about it)."""
    text = "\n".join(_page(request, chromium, run, name, tmp_path)[1].text for run, name in PAGES)
    missing = [s for s in PAGE_SOURCES if not any(m in text for m in hostile.markers(s))]
    assert missing == []
    assert "<script>document.title='PWNED pwn-log'</script>" in text or "pwn-log-img onerror" in text


def test_reports_still_render_their_plots_under_the_csp(request, chromium, tmp_path):
    for run, name in PAGES[:3]:
        written, _ = _page(request, chromium, run, name, tmp_path)
        images = [a.get("src", "") for tag, a in written.elements if tag == "img"]
        assert images and all(src.startswith("data:image/") for src in images), name
        assert any(tag == "style" for tag, _ in written.elements), name


def test_the_browser_check_can_fail(chromium, tmp_path):
    """A raw payload is caught: without a CSP its script runs and its tags are found; with one, the CSP reports it."""
    raw = "".join(hostile.payloads("raw")[:5])
    bare = tmp_path / "bare.html"
    bare.write_text(f"<!DOCTYPE html><html><head><title>t</title></head><body>{raw}</body></html>")
    found = hostile.markup_found(hostile.load(chromium, bare))
    assert any("a script ran" in f for f in found) and any("pwn-raw-img" in f for f in found)
    guarded = tmp_path / "guarded.html"
    guarded.write_text(f"<!DOCTYPE html><html><head>{CSP_META}<title>t</title></head><body>{raw}</body></html>")
    page = hostile.load(chromium, guarded)
    assert hostile.TITLE_MARK not in page.title and page.csp_reports


def test_sarif_is_valid_with_payloads_inside(ws_files):
    log = json.loads(ws_files["sarif"].read_text())
    jsonschema.validators.validator_for(SCHEMA)(SCHEMA).validate(log)
    messages = " ".join(r["message"]["text"] for r in log["runs"][0]["results"])
    assert any(m in messages for s in ("frame", "close", "header") for m in hostile.markers(s))


def test_ws_junit_parses_with_payloads_inside(ws_files):
    raw = ws_files["junit"].read_text(encoding="utf-8")
    assert xml_chars(raw) == raw, "a character XML 1.0 forbids"
    texts = [f"{r.message} {r.text}" for suite in JUnitXml.fromfile(str(ws_files["junit"]))
             for case in suite for r in case.result]
    joined = " ".join(texts)
    assert "<img src=x id=pwn-" in joined or "<a id=pwn-" in joined  # markup came back as the text it was


def test_run_junit_keeps_headlines_and_errors_as_text(toy_runs):
    cases = {case.name: case for suite in JUnitXml.fromfile(str(toy_runs["junit"])) for case in suite}
    p = hostile.payloads("toy")
    (failure,) = cases["01_toy_verdict"].result
    assert failure.message == xml_chars(" ".join(" ".join([p[8], *p[:3]]).split()))
    (error,) = cases["02_toy_raise"].result
    assert "pwn-toy-img" in error.message and "\\x1b" in error.text


def test_the_webhook_text_cannot_ping_or_link(toy_runs):
    assert len(toy_runs["bodies"]) == 2
    for body in toy_runs["bodies"]:
        assert "<" not in body["text"] and ">" not in body["text"], body["text"][:300]
    assert "&lt;!channel&gt;" in toy_runs["bodies"][-1]["text"] or "&lt;script&gt;" in toy_runs["bodies"][-1]["text"]


def test_history_csv_starts_no_formula(toy_runs):
    rows = list(csv.DictReader(io.StringIO(toy_runs["csv"])))
    assert len(rows) == 2
    cells = [v for row in rows for v in row.values() if isinstance(v, str)]
    assert not [c for c in cells if c.startswith(FORMULA_START)]
    assert any(c.startswith("'=pwn-toy") for c in cells), "the formula payload never reached the CSV"


def test_the_index_and_history_carry_the_status_change(toy_runs, request, chromium, tmp_path):
    """The second toy run is compared with the first (new FAIL) and its history has two comparable runs."""
    assert toy_runs["summary"].baseline is not None
    index, _ = _page(request, chromium, "toy_runs", "index.html", tmp_path)
    assert "NEW FAIL" in index.text and any(tag == "svg" for tag, _ in index.elements)
    history, _ = _page(request, chromium, "toy_runs", "history.html", tmp_path)
    assert "2 comparable run(s)" in history.text and re.search(r"PASS\s*→\s*FAIL", history.text)


#: A statement of the reviewed mongosh script: names only as JSON string literals, directions only as ±1.
_JS_STRING = r'"(?:[^"\\\n]|\\.)*"'
SCRIPT_STATEMENT = re.compile(rf'db\.getSiblingDB\({_JS_STRING}\)\.getCollection\({_JS_STRING}\)\.'
                              rf'(?:createIndex\(\{{ {_JS_STRING}: -?1(?:, {_JS_STRING}: -?1)* \}}\)|hideIndex\({_JS_STRING}\));')


def test_the_mongosh_script_holds_names_only_as_strings(attacked):
    """Index, collection and field names from the server: every code line is one of two statement forms."""
    (script,) = (attacked / "01_query_cost_audit").glob("*.mongosh.js")
    lines = [ln for ln in script.read_text(encoding="utf-8").splitlines() if ln.strip()]
    code = [ln for ln in lines if not ln.startswith("//")]
    assert code and [ln for ln in code if not SCRIPT_STATEMENT.fullmatch(ln)] == []
    assert "pwn-index" in script.read_text(encoding="utf-8")  # the hostile names did reach it
