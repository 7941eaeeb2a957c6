"""Tables, the JSON document and the verdict of WebSocket audits (no math, no I/O)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from ..jsonsafe import jsonable
from ..record import Verdict
from .checklist import IDENTITY_PROBES, PROBES
from .results import STATUSES, Audit, WsAuditResult

COLOURS = {"PASS": "#d1f0d8", "FAIL": "#ffd7d5", "WARN": "#fff1c2", "N/A": "#eeeeee", "ERROR": "#e6dcfd",
           "—": "#ffffff"}
_EXPECTED_NOTE = {"vulnerable": "expected: negative control"}


def matrix(audits: dict[str, Audit]) -> pd.DataFrame:
    """Probes × targets status matrix (rows in checklist order; '—' where a probe was not run)."""
    index = [f"{p.n:02d} {p.id}" for p in PROBES]
    data = {}
    for name, a in audits.items():
        got = {f"{r.n:02d} {r.id}": r.status for r in a.results}
        data[name] = [got.get(i, "—") for i in index]
    df = pd.DataFrame(data, index=pd.Index(index, name="probe"))
    df.insert(0, "title", [p.title for p in PROBES])
    return df[(df.drop(columns="title") != "—").any(axis=1)]


def style_matrix(df: pd.DataFrame) -> Any:
    """The matrix coloured by status (pandas Styler)."""
    cols = [c for c in df.columns if c != "title"]
    return (df.style.map(lambda v: f"background-color: {COLOURS.get(v, '#ffffff')}; text-align: center", subset=cols)
            .set_caption("WebSocket token probes × targets (each cell: the probe's worst case; "
                         "measured by live connections to each target)"))


def counts(audits: dict[str, Audit]) -> pd.DataFrame:
    """Status counts per target plus the target's overall verdict."""
    rows = []
    for name, a in audits.items():
        c = pd.Series([r.status for r in a.results]).value_counts()
        rows.append({"target": name, **{s: int(c.get(s, 0)) for s in STATUSES},
                     "verdict": a.verdict})
    return pd.DataFrame(rows).set_index("target")


def findings(audits: dict[str, Audit], statuses: tuple[str, ...] = ("FAIL", "WARN", "ERROR")) -> pd.DataFrame:
    """One row per non-passing case: what was sent (header/claims), what came back, why."""
    rows = []
    for name, a in audits.items():
        for r in a.results:
            for c in r.cases:
                if c.status not in statuses:
                    continue
                sent = c.sent or {}
                rec = c.received or {}
                rows.append({
                    "target": name, "probe": f"{r.n:02d} {r.id}", "case": c.label, "status": c.status,
                    "reason": c.reason, "note": _EXPECTED_NOTE.get(name, ""),
                    "token header": json.dumps(sent.get("header"))[:160] if sent.get("header") else "",
                    "token claims": json.dumps(sent.get("claims"))[:200] if sent.get("claims") else "",
                    "frames": " ⏎ ".join(rec.get("frames") or [])[:300],
                    "close": rec.get("close_code"), "ms": rec.get("ms"),
                })
    cols = ["target", "probe", "case", "status", "reason", "note", "token header", "token claims", "frames",
            "close", "ms"]
    return pd.DataFrame(rows, columns=cols)


def text_table(a: Audit) -> str:
    """Plain-text table for the CLI."""
    lines = [f"target {a.target}  profile {a.profile}  verdict {a.verdict}  ({a.ms / 1000:.1f} s)"]
    for r in a.results:
        lines.append(f"  {r.n:2d} {r.id:<15} {r.status:<5} {r.ms:7.0f} ms  {r.evidence[:160]}")
    return "\n".join(lines)


def to_json(a: Audit) -> str:
    """The CLI's JSON document."""
    return json.dumps(jsonable(a.to_json()), indent=2)


def controls(audits: dict[str, Audit]) -> list[str]:
    """Problems with the reference controls (empty when both behave as expected)."""
    problems = []
    if "secure" in audits:
        bad = [r for r in audits["secure"].results if r.status not in ("PASS", "N/A")]
        if bad:
            problems.append("positive control: the secure reference target got "
                            + ", ".join(f"{r.id}={r.status}" for r in bad))
    if "vulnerable" in audits:
        missed = [p for p in IDENTITY_PROBES if audits["vulnerable"].status_of(p) != "FAIL"
                  and any(r.id == p for r in audits["vulnerable"].results)]
        if missed:
            problems.append("negative control not detected: the vulnerable reference target did not FAIL "
                            + ", ".join(missed))
        elif not any(r.id in IDENTITY_PROBES for r in audits["vulnerable"].results):
            problems.append("negative control not run: select the identity and isolation probes")
    return problems


def _figures(audits: dict[str, Audit]) -> dict[str, Any]:
    """Per target: its verdict, status counts and battery wall time."""
    figures: dict[str, Any] = {}
    for name, a in audits.items():
        c = counts({name: a}).iloc[0]
        figures[f"{name}: verdict"] = a.verdict
        figures[f"{name}: PASS/FAIL/WARN/N/A/ERROR"] = "/".join(str(int(c[s])) for s in STATUSES)
        figures[f"{name}: battery wall time (s)"] = round(a.ms / 1000, 2)
    return figures


def _real_target(a: Audit) -> tuple[str, list[str]]:
    """Headline and next steps for a real target (``profile``); its status is the audit's verdict."""
    fails = [r.id for r in a.results if r.status == "FAIL"]
    warns = [r.id for r in a.results if r.status in ("WARN", "ERROR")]
    steps: list[str] = []
    if a.verdict == "ERROR":
        head = (f"{a.target}: the baseline token was not accepted, so no probe could be judged "
                "(check the secret env var, claims and the profile's 'accepted' matcher)")
        steps.append("Mint a token the target accepts (secret env var, iss/aud/token_type) and rerun.")
    elif fails:
        head = f"{a.target}: {len(fails)} probe(s) FAIL ({', '.join(fails)}) — token handling is not proven safe"
        if set(fails) & set(IDENTITY_PROBES):
            steps.append("Identity/isolation FAIL: the seed's MOCK AUTH or a missing subscription ACL is live; "
                         "block the release and take identity from the verified token's sub only.")
        steps.append("Fix each FAIL (evidence table), then rerun this notebook against the same URL.")
    elif warns:
        head = f"{a.target}: no FAIL; {len(warns)} probe(s) to review ({', '.join(warns)})"
        steps.append("Review each WARN/ERROR row; decide and record the policy (expiry, Origin, ws://).")
    else:
        head = f"{a.target}: every applicable probe passed"
        steps.append("Keep this notebook in the release checklist; rerun after auth changes.")
    return head, steps


def _controls_headline(audits: dict[str, Audit]) -> str:
    """What the reference controls showed (both behaved as expected)."""
    sec, vul = audits.get("secure"), audits.get("vulnerable")
    parts = []
    if sec:
        n = sum(r.status == "PASS" for r in sec.results)
        parts.append(f"the secure reference target passes all {n} applicable probes")
    if vul:
        n = sum(r.status == "FAIL" for r in vul.results)
        parts.append(f"the seed's mock-auth target fails {n} including identity and isolation")
    return "The battery discriminates: " + "; ".join(parts) + "."


def verdict(result: WsAuditResult) -> Verdict:
    """The verdict of notebook 04 and ``ws-audit``.

    Reference targets are controls: the secure one must pass every applicable probe and
    the vulnerable one must FAIL identity and isolation — otherwise ERROR (the audit
    cannot detect). A real target (``profile``): FAIL on any FAIL, WARN on WARN/ERROR
    rows, ERROR if its baseline token was not accepted, PASS otherwise.

    Parameters
    ----------
    result : WsAuditResult
        What :func:`analysis.wsaudit.pipeline.run` returned.

    Returns
    -------
    Verdict
    """
    audits = result.audits
    figures = _figures(audits)
    problems = controls(audits)
    if problems:
        return Verdict("ERROR", "The audit cannot be trusted: " + "; ".join(problems), figures,
                       ["Inspect the control rows in the evidence table; fix the profile's matchers or the probe "
                        "before auditing a real system."])
    if "profile" in audits:
        head, steps = _real_target(audits["profile"])
        return Verdict(audits["profile"].verdict, head, figures, steps)
    return Verdict("PASS", _controls_headline(audits), figures,
                   ["Point the notebook at staging: targets=[\"profile\"], url=\"wss://…\", and export the staging "
                    "JWT secret in the env var the profile's secret_env names."])


def checklist() -> pd.DataFrame:
    """The 21 probes: id, title and the secure behaviour each expects."""
    return pd.DataFrame([{"probe": f"{p.n:02d} {p.id}", "checks": p.title, "secure behaviour": p.secure}
                         for p in PROBES]).set_index("probe")
