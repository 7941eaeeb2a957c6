"""SARIF 2.1.0 log: valid against the SARIF JSON schema shipped in the tests; rules from the references."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from analysis.wsaudit.checklist import PROBES
from analysis.wsaudit.result import Case
from analysis.wsaudit.sarif import SCHEMA_URI, rule_id, sarif_log

SCHEMA = json.loads(Path("tests/data/wsaudit/sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator():
    cls = jsonschema.validators.validator_for(SCHEMA)
    cls.check_schema(SCHEMA)
    return cls(SCHEMA)


def test_log_is_valid_sarif_with_one_result_per_non_passing_probe(make_audit, validator):
    audits = {"profile": make_audit({"alg_none": "FAIL", "origin": "WARN", "kid_injection": "ERROR",
                                     "transport": "N/A"})}
    log = sarif_log(audits, profile_uri="profiles/infra_mind.yaml", tool_version="0.1.0")
    validator.validate(log)
    assert log["$schema"] == SCHEMA_URI and log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [rule_id(p) for p in PROBES]
    got = {r["ruleId"]: (r["kind"], r["level"]) for r in run["results"]}
    assert got == {"ws-audit/alg_none": ("fail", "error"), "ws-audit/origin": ("review", "none"),
                   "ws-audit/kid_injection": ("open", "none")}
    alg = next(r for r in run["results"] if r["ruleId"] == "ws-audit/alg_none")
    assert rules[alg["ruleIndex"]]["id"] == "ws-audit/alg_none"
    assert alg["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "profiles/infra_mind.yaml"
    assert alg["locations"][0]["logicalLocations"][0]["name"] == "ws://t"
    assert run["properties"]["verdicts"] == {"profile": "FAIL"}


def test_rule_metadata_comes_from_the_references(make_audit, validator):
    rule = next(r for r in sarif_log({}, profile_uri="p.yaml")["runs"][0]["tool"]["driver"]["rules"]
                if r["id"] == "ws-audit/psychic_sig")
    props = rule["properties"]
    assert props["cwe"] == "CWE-347" and props["asvs"] == "9.1.1" and props["wstg"] == "WSTG-SESS-10"
    assert props["rfc"] == "RFC 7518 §3.4" and props["security-severity"] == "9.5"
    assert {"CWE-347", "ASVS-5.0-9.1.1", "WSTG-SESS-10", "security"} <= set(props["tags"])
    assert rule["defaultConfiguration"]["level"] == "error" and rule["help"]["text"].startswith("Use an ECDSA")
    assert rule["helpUri"] == "https://cwe.mitre.org/data/definitions/347.html"


def test_a_case_can_make_the_log_invalid(make_audit, validator):
    """The schema check can fail: a level outside SARIF's enumeration is rejected."""
    a = make_audit({"alg_none": "FAIL"})
    a.results[4].cases = [Case("alg none", "FAIL", "accepted")]
    log = sarif_log({"profile": a}, profile_uri="p.yaml")
    log["runs"][0]["results"][0]["level"] = "critical"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(log)
