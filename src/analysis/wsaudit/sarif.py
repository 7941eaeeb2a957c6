"""SARIF 2.1.0 log of WebSocket audits: one rule per probe (from its references), one result per non-passing probe.

Rules carry the probe's title, secure behaviour, fix, severity (``defaultConfiguration``
level and the ``security-severity`` score code-scanning tools read) and references (ASVS
5.0, WSTG, CWE, RFC) as tags and properties. Results map statuses to SARIF: FAIL →
``kind: fail`` at the rule's level; WARN → ``kind: review`` (a policy for a human to
decide); ERROR → ``kind: open`` (the probe could not conclude); WARN and ERROR carry
``level: none`` as SARIF requires for kinds other than ``fail``. Each result is located
at the profile file and names the target URL as a logical location.
"""

from __future__ import annotations

import hashlib
from typing import Any

from .checklist import PROBES, SEVERITIES, ProbeSpec
from .result import Audit

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "infra-mind ws-audit"
_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
_KIND = {"FAIL": "fail", "WARN": "review", "ERROR": "open"}


def rule_id(p: ProbeSpec) -> str:
    """The SARIF rule id of a probe (``ws-audit/alg_none``)."""
    return f"ws-audit/{p.id}"


def _rule(p: ProbeSpec) -> dict[str, Any]:
    cwe_num = p.cwe.split("-")[-1]
    return {
        "id": rule_id(p),
        "name": "".join(w.capitalize() for w in p.id.split("_")),
        "shortDescription": {"text": p.title},
        "fullDescription": {"text": f"Secure behaviour: {p.secure}. References: OWASP ASVS 5.0 {p.asvs}, {p.wstg}, "
                                    f"{p.cwe}, {p.rfc}."},
        "help": {"text": p.fix, "markdown": f"**Fix:** {p.fix}\n\nOWASP ASVS 5.0 {p.asvs} · {p.wstg} · {p.cwe} · "
                                            f"{p.rfc}"},
        "helpUri": f"https://cwe.mitre.org/data/definitions/{cwe_num}.html",
        "defaultConfiguration": {"level": _LEVEL[p.severity]},
        "properties": {"tags": ["security", "websocket", "jwt", p.cwe, f"ASVS-5.0-{p.asvs}", p.wstg],
                       "security-severity": f"{SEVERITIES[p.severity]:.1f}", "precision": "high",
                       "severity": p.severity, "asvs": p.asvs, "wstg": p.wstg, "cwe": p.cwe, "rfc": p.rfc},
    }


def _result(target: str, audit: Audit, index: int, p: ProbeSpec, status: str, evidence: str,
            cases: list[dict[str, str]], profile_uri: str) -> dict[str, Any]:
    fingerprint = hashlib.sha256(f"{audit.target}|{p.id}".encode()).hexdigest()[:32]
    out: dict[str, Any] = {
        "ruleId": rule_id(p), "ruleIndex": index, "kind": _KIND[status],
        "message": {"text": f"{target} ({audit.target}): {p.title} — {status}: {evidence}"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": profile_uri}},
                       "logicalLocations": [{"name": audit.target, "kind": "resource"}]}],
        "partialFingerprints": {"wsAuditTargetProbe/v1": fingerprint},
        "properties": {"target": target, "status": status, "severity": p.severity, "cases": cases},
    }
    out["level"] = _LEVEL[p.severity] if status == "FAIL" else "none"
    return out


def sarif_log(audits: dict[str, Audit], *, profile_uri: str, tool_version: str = "0") -> dict[str, Any]:
    """The SARIF 2.1.0 log of ``audits`` (one run; results for FAIL, WARN and ERROR probes).

    Parameters
    ----------
    audits : dict
        Target name → :class:`~analysis.wsaudit.result.Audit`.
    profile_uri : str
        The profile file (relative to the project), the location of every result.
    tool_version : str
        The tool's version.

    Returns
    -------
    dict
        JSON-ready; valid against the OASIS SARIF 2.1.0 schema.
    """
    index = {p.id: i for i, p in enumerate(PROBES)}
    results = []
    for name, a in audits.items():
        for r in a.results:
            if r.status not in _KIND:
                continue
            worst = [{"label": c.label, "status": c.status, "reason": c.reason} for c in r.cases
                     if c.status == r.status][:5]
            results.append(_result(name, a, index[r.id], PROBES[index[r.id]], r.status, r.evidence, worst,
                                   profile_uri))
    verdicts = {name: a.verdict for name, a in audits.items()}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": TOOL_NAME, "version": tool_version, "rules": [_rule(p) for p in PROBES]}},
        "results": results, "properties": {"verdicts": verdicts}}]}
