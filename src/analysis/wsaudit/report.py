"""Tables, the JSON document and the verdict of WebSocket audits (no math, no I/O).

The verdict is about the system audited: the real target (``profile``) when it ran, else the
seed's design — the ``vulnerable`` reference target, which implements the seed's mock auth (on
embedded defaults: FAIL, naming what an attacker gets). The reference targets are the evidence
that the verdict can be trusted: ``secure`` must pass every applicable probe, ``vulnerable``
must FAIL identity and isolation, ``pubsub`` (a securely configured pub/sub server) must be
PASS or WARN, and ``pubsub_header`` (the same server taking the user from a header) must FAIL
the claimed-identity probe — otherwise the audit cannot be trusted and the verdict is ERROR.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from ..jsonsafe import jsonable
from ..record import Figure, Verdict
from .checklist import IDENTITY_PROBES, PROBES, spec
from .result import INFO, STATUSES, Audit, Case, ProbeResult, WsAuditResult

#: What each reference target is for, in the evidence table.
EXPECTED_NOTE = {"vulnerable": "negative control", "pubsub_header": "negative control"}
#: Reference targets that must FAIL these probes (negative controls).
NEGATIVE = {"vulnerable": IDENTITY_PROBES, "pubsub_header": ("claimed_identity",)}
#: Reference targets that must not FAIL (positive controls): PASS or N/A on every probe, WARN only on the
#: policy probes listed (pubsub accepts a token without ``exp``: RFC 8725's recommendation, a policy WARN).
POSITIVE = {"secure": (), "pubsub": ("exp_nbf",)}
_REQUEST_CHARS = 180
_FRAMES_CHARS = 160


def matrix(audits: dict[str, Audit]) -> pd.DataFrame:
    """Probes × targets status matrix (rows in checklist order; '—' where a probe was not run)."""
    index = [f"{p.n:02d} {p.id}" for p in PROBES]
    data = {}
    for name, a in audits.items():
        got = {f"{r.n:02d} {r.id}": r.status for r in a.results}
        data[name] = [got.get(i, "—") for i in index]
    df = pd.DataFrame(data, index=pd.Index(index, name="probe"))
    df.insert(0, "title", [p.title for p in PROBES])
    return df[(df.drop(columns="title") != "—").any(axis=1)].reset_index()


def counts(audits: dict[str, Audit]) -> pd.DataFrame:
    """Status counts per target plus the target's overall verdict."""
    rows = []
    for name, a in audits.items():
        c = pd.Series([r.status for r in a.results]).value_counts()
        rows.append({"target": name, **{s: int(c.get(s, 0)) for s in STATUSES}, "verdict": a.verdict})
    return pd.DataFrame(rows, columns=["target", *STATUSES, "verdict"])


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def _request(sent: dict[str, Any] | None) -> str:
    """What was sent, without signature or secret: the token's header and claims (and the message, if any)."""
    sent = sent or {}
    parts = ["message " + json.dumps(sent["message"])] if "message" in sent else []
    if sent.get("header"):
        parts.append("header " + json.dumps(sent["header"]))
    if sent.get("claims"):
        parts.append("claims " + json.dumps(sent["claims"]))
    if not parts:
        parts.append(", ".join(f"{k}: {v}" for k, v in sent.items() if k not in ("signed",)) or "—")
    text = "; ".join(parts)
    return _cut(text, _REQUEST_CHARS)


def _finding(name: str, r: ProbeResult, picked: list[Case]) -> dict[str, Any]:
    """One evidence row: a probe's first worst case (how many more share its status), its request, frames and fix."""
    c, p = picked[0], spec(r.id)
    more = f" (+{len(picked) - 1} more)" if len(picked) > 1 else ""
    frames = " ⏎ ".join((c.received or {}).get("frames") or [])
    return {"target": name, "probe": f"{r.n:02d} {r.id}", "status": c.status,
            "severity": p.severity if c.status == "FAIL" else "", "case": c.label + more, "reason": _cut(c.reason, 200),
            "request": _request(c.sent), "frames received": _cut(frames, _FRAMES_CHARS),
            "fix": p.fix if c.status != INFO else "", "note": EXPECTED_NOTE.get(name, "")}


def findings(audits: dict[str, Audit], statuses: tuple[str, ...] = ("FAIL", "WARN", "ERROR", INFO)) -> pd.DataFrame:
    """The evidence table: one row per finding (a non-passing probe of a target, or its INFO) — the request
    (token header and claims, never the signature), the frames received and the fix in one sentence."""
    rows = []
    for name, a in audits.items():
        for r in a.results:
            worst = [c for c in r.cases if c.status == r.status and c.status in statuses]
            info = [c for c in r.cases if c.status == INFO and INFO in statuses]
            rows += [_finding(name, r, picked) for picked in (worst, info) if picked]
    cols = ["target", "probe", "status", "severity", "case", "reason", "fix", "request", "frames received", "note"]
    return pd.DataFrame(rows, columns=cols)


def unjudged(audits: dict[str, Audit]) -> pd.DataFrame:
    """Every case a verdict rests on that could not really judge (silence, identity unknown, no victim traffic,
    ERROR), and why — what the notebook says plainly."""
    rows = []
    for name, a in audits.items():
        for r in a.results:
            for c in r.cases:
                why = c.unjudged or (c.reason if c.status == "ERROR" else "")
                if why:
                    rows.append({"target": name, "probe": f"{r.n:02d} {r.id}", "case": c.label, "status": c.status,
                                 "why it could not judge": why})
    return pd.DataFrame(rows, columns=["target", "probe", "case", "status", "why it could not judge"])


def text_table(a: Audit) -> str:
    """Plain-text table for the CLI."""
    lines = [f"target {a.target}  profile {a.profile}  verdict {a.verdict}  ({a.ms / 1000:.1f} s)"]
    lines += [f"  problem: {p}" for p in a.problems]
    for r in a.results:
        lines.append(f"  {r.n:2d} {r.id:<16} {r.status:<5} {r.ms:7.0f} ms  {r.evidence[:160]}")
    return "\n".join(lines)


def to_json(a: Audit) -> str:
    """The CLI's JSON document."""
    return json.dumps(jsonable(a.to_json()), indent=2)


def controls(audits: dict[str, Audit]) -> list[str]:
    """Problems with the reference controls (empty when every control present behaves as expected)."""
    problems = []
    for name, may_warn in POSITIVE.items():
        bad = [r for r in audits[name].results
               if r.status not in ("PASS", "N/A") and not (r.status == "WARN" and r.id in may_warn)] \
            if name in audits else []
        if bad:
            problems.append(f"positive control: the {name} reference target got "
                            + ", ".join(f"{r.id}={r.status}" for r in bad))
    for name, must_fail in NEGATIVE.items():
        if name not in audits:
            continue
        ran = [p for p in must_fail if any(r.id == p for r in audits[name].results)]
        missed = [p for p in ran if audits[name].status_of(p) != "FAIL"]
        if missed:
            problems.append(f"negative control not detected: the {name} reference target did not FAIL "
                            + ", ".join(missed))
        elif not ran:
            problems.append(f"negative control not run: select the {' and '.join(must_fail)} probes ({name})")
    return problems


#: What each target is to a reader (figure labels, headlines); ``vulnerable`` is the seed's design.
ROLES = {"secure": "Secure control", "vulnerable": "Seed design (mock auth)", "pubsub": "Pub/sub control (another design)",
         "pubsub_header": "Pub/sub control, identity from a header", "profile": "Audited target"}
#: What an attacker gets when any probe of a group FAILs, most severe first (a FAIL outside every group is named
#: by its probe's title).
ATTACKER_GETS = (
    (("identity", "claimed_identity", "baseline"), "act as any user by naming them (no key needed)"),
    (("isolation", "message_authz"), "read and act on other users' resources"),
    (("no_token",), "connect without a token"),
    (("tampered", "alg_none", "null_signature", "wrong_key", "alg_confusion", "weak_secret", "jwk_header", "jku_x5u",
      "kid_injection", "psychic_sig", "header_abuse"), "have forged tokens accepted"),
    (("exp_nbf", "iss_aud_type", "revocation", "expiry_open"), "keep using expired, revoked or foreign tokens"),
    (("malformed", "error_oracle"), "read internal error details"),
)
#: How a probe count reads, per status (singular, plural).
COUNT_WORDS = {"PASS": ("passed", "passed"), "FAIL": ("failed", "failed"), "WARN": ("warning", "warnings"),
               "N/A": ("not applicable", "not applicable"), "ERROR": ("error", "errors")}


def probe_counts_text(a: Audit) -> str:
    """``"26 passed, 1 warning, 1 not applicable"``: the target's probes per status (zero counts left out)."""
    c = pd.Series([r.status for r in a.results], dtype=object).value_counts()
    parts = [f"{int(c[s])} {COUNT_WORDS[s][int(c[s]) != 1]}" for s in STATUSES if c.get(s, 0)]
    return ", ".join(parts) or "no probe ran"


def attacker_gets(a: Audit) -> list[str]:
    """What an attacker gets from the target's FAILs, most severe first (empty when nothing FAILs)."""
    failed = [r for r in a.results if r.status == "FAIL"]
    ids = {r.id for r in failed}
    grouped = {p for probes, _ in ATTACKER_GETS for p in probes}
    gains = [gain for probes, gain in ATTACKER_GETS if ids & set(probes)]
    return gains + [f"defeat '{r.title}'" for r in failed if r.id not in grouped]


def _attacker_text(a: Audit, most: int = 4) -> str:
    """``"an attacker can a, b and c"`` — the ``most`` severe gains, then how many more ('' when nothing FAILs)."""
    gains = attacker_gets(a)
    if not gains:
        return ""
    shown, more = gains[:most], len(gains) - most
    text = ", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]
    return f"an attacker can {text}" + (f" ({more} more in the evidence table)" if more > 0 else "")


def _figures(audits: dict[str, Audit], audited: str | None) -> tuple[dict[str, Any], dict[str, Figure]]:
    """Per target, the audited one first: its probes per status in words (key figures; the audited target's
    FAIL count too), its verdict, its counts as PASS/FAIL/WARN/N/A/ERROR and its battery wall time (history only)."""
    figures: dict[str, Any] = {}
    info: dict[str, Figure] = {}
    for name in sorted(audits, key=lambda n: n != audited):
        a, role = audits[name], ROLES.get(name, name)
        role = role if name == audited or "control" in role else f"Negative control: {role[0].lower()}{role[1:]}"
        c = counts({name: a}).iloc[0]
        if name == audited:
            figures[f"{name}: probes failed"] = int(c["FAIL"])
            info[f"{name}: probes failed"] = Figure("probes", higher_is_better=False, label=f"{role}: probes failed")
        figures[f"{name}: probe results"] = probe_counts_text(a)
        info[f"{name}: probe results"] = Figure(label=role)
        figures[f"{name}: verdict"] = a.verdict
        figures[f"{name}: PASS/FAIL/WARN/N/A/ERROR"] = "/".join(str(int(c[s])) for s in STATUSES)
        figures[f"{name}: battery wall time (s)"] = round(a.ms / 1000, 2)
        info[f"{name}: verdict"] = Figure(key=False, label=f"{role}: verdict")
        info[f"{name}: PASS/FAIL/WARN/N/A/ERROR"] = Figure(key=False, label=f"{role}: probes per status")
        info[f"{name}: battery wall time (s)"] = Figure(unit="s", higher_is_better=False, noise=2.0, key=False,
                                                        label=f"{role}: battery wall time")
    return figures, info


def _could_not_judge(a: Audit) -> str:
    """' — but …' naming the probes whose verdict rests on a case that could not judge ('' when none)."""
    ids = list(dict.fromkeys(r.id for r in a.results for c in r.cases if c.unjudged and c.status != "N/A"))
    if not ids:
        return ""
    return f"; {len(ids)} probe(s) could not fully judge ({', '.join(ids)}: see 'What could not be judged')"


def _real_target(a: Audit) -> tuple[str, list[str]]:
    """Headline and next steps for a real target (``profile``); its status is the audit's verdict."""
    fails = [r.id for r in a.results if r.status == "FAIL"]
    warns = [r.id for r in a.results if r.status in ("WARN", "ERROR")]
    steps: list[str] = []
    if a.verdict == "ERROR":
        hint = next((r.evidence for r in a.results if r.id == "baseline" and "likely cause" in r.evidence), "")
        why = a.problems[0] if a.problems else (hint or "the baseline token was not accepted (check the secret env var, "
                                                "claims and the profile's 'accepted' matcher)")
        head = f"{a.target}: no probe could be judged — {why}"
        steps.append("Mint a token the target accepts (secret env var, iss/aud/token_type) and rerun.")
    elif fails:
        head = (f"{a.target}: {len(fails)} probe(s) FAIL ({', '.join(fails)}) — token handling is not proven safe: "
                f"{_attacker_text(a)}")
        if set(fails) & {*IDENTITY_PROBES, "claimed_identity"}:
            steps.append("Identity/isolation FAIL: the seed's MOCK AUTH, a trusted identity header or a missing "
                         "subscription ACL is live; block the release and take identity from the verified token's "
                         "sub only.")
        steps.append("Fix each FAIL (evidence table: request, frames, fix), then rerun against the same URL.")
    elif warns:
        head = f"{a.target}: no FAIL; {len(warns)} probe(s) to review ({', '.join(warns)})"
        steps.append("Review each WARN/ERROR row; decide and record the policy (expiry, Origin, ws://, exp).")
    else:
        head = f"{a.target}: every applicable probe passed"
        steps.append("Keep this notebook in the release checklist; rerun after auth changes.")
    return head + _could_not_judge(a), steps


def _seed_design(a: Audit) -> tuple[str, list[str]]:
    """Headline and next steps when the audited system is the seed's design (the ``vulnerable`` reference target)."""
    applicable = sum(r.status != "N/A" for r in a.results)
    fails = sum(r.status == "FAIL" for r in a.results)
    head = (f"The seed's WebSocket design (mock auth) fails {fails} of {applicable} applicable probes: "
            f"{_attacker_text(a)}.")
    steps = ["Do not ship the seed's WebSocket handler: take the identity from the verified token's sub only (never "
             "from a user_id field, header or query), check the owner of every topic on subscribe and on every "
             "message, and verify tokens with pinned algorithms, exp, iss and aud (evidence table: request, frames "
             "and fix per probe).",
             "Point the notebook at staging: targets=[\"profile\"], url=\"wss://…\", and export the staging JWT "
             "secret in the env var the profile's secret_env names."]
    return head, steps


def _controls_headline(audits: dict[str, Audit], audited: str | None = None) -> str:
    """The evidence that the verdict can be trusted: what the reference controls showed (all behaved as expected;
    the audited system itself is not its own evidence)."""
    parts = []
    if "secure" in audits:
        n = sum(r.status == "PASS" for r in audits["secure"].results)
        parts.append(f"the secure control passes all {n} applicable probes")
    if "vulnerable" in audits and audited != "vulnerable":
        parts.append("the seed's design fails " + " and ".join(IDENTITY_PROBES))
    if "pubsub" in audits:
        warns = [r.id for r in audits["pubsub"].results if r.status == "WARN"]
        parts.append(f"the pub/sub control (another design) is {audits['pubsub'].verdict}"
                     + (f" (policy: {', '.join(warns)})" if warns else ""))
    if "pubsub_header" in audits:
        parts.append(("its" if "pubsub" in audits else "the pub/sub control's")
                     + " identity-header mode fails claimed_identity")
    if not any(name in audits for name in POSITIVE):
        return "Not cross-checked: no positive control ran (add the secure or pubsub target)."
    return "The battery discriminates, so the verdict can be trusted: " + "; ".join(parts) + "."


def verdict(result: WsAuditResult) -> Verdict:
    """The verdict of notebook 04 and ``ws-audit``: about the system audited, with the controls as evidence.

    The system audited is the real target (``profile``) when it ran, else the seed's design (the
    ``vulnerable`` reference target, the default). Reference targets are controls (see the module
    docstring): a control that does not behave as expected makes the verdict ERROR (the audit cannot
    detect). The seed's design: FAIL, naming what an attacker gets. A real target: FAIL on any FAIL,
    WARN on WARN/ERROR rows, ERROR if its baseline token was not accepted (or no key was available),
    PASS otherwise; the headline says when a verdict rests on cases that could not judge. Only
    controls and no audited system: WARN (nothing was audited). The headline ends with what the
    controls showed.

    Parameters
    ----------
    result : WsAuditResult
        What :func:`analysis.wsaudit.pipeline.run` returned.

    Returns
    -------
    Verdict
    """
    audits = result.audits
    audited = "profile" if "profile" in audits else ("vulnerable" if "vulnerable" in audits else None)
    figures, info = _figures(audits, audited)
    problems = controls(audits)
    if problems:
        return Verdict("ERROR", "The audit cannot be trusted: " + "; ".join(problems), figures,
                       ["Inspect the control rows in the evidence table; fix the profile's matchers or the probe "
                        "before auditing a real system."], figure_info=info)
    ran_controls = [n for n in audits if n not in ("profile", audited)]
    evidence = f" {_controls_headline(audits, audited)}" if ran_controls or audited == "vulnerable" else ""
    if audited == "profile":
        head, steps = _real_target(audits["profile"])
        return Verdict(audits["profile"].verdict, head + ("." if evidence else "") + evidence, figures, steps,
                       figure_info=info)
    if audited == "vulnerable":
        head, steps = _seed_design(audits["vulnerable"])
        return Verdict("FAIL", head + evidence, figures, steps, figure_info=info)
    return Verdict("WARN", f"No system audited: only reference controls ran ({', '.join(audits)}).{evidence}", figures,
                   ["Add the seed's design (targets: vulnerable) or your server (targets: profile, url) to audit "
                    "a system."], figure_info=info)


def checklist() -> pd.DataFrame:
    """The probes: id, what each checks, the secure behaviour it expects and the severity of a FAIL."""
    return pd.DataFrame([{"probe": f"{p.n:02d} {p.id}", "checks": p.title, "secure behaviour": p.secure,
                          "severity": p.severity} for p in PROBES])


def references() -> pd.DataFrame:
    """Each probe's references (OWASP ASVS 5.0, OWASP WSTG, CWE, RFC) and its fix in one sentence."""
    return pd.DataFrame([{"probe": f"{p.n:02d} {p.id}", "ASVS 5.0": p.asvs, "WSTG": p.wstg, "CWE": p.cwe,
                          "RFC": p.rfc, "fix": p.fix} for p in PROBES])
