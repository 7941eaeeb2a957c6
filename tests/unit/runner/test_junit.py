"""analysis.runner.junit: the JUnit XML, read back with junitparser (what CI plugins parse)."""

from junitparser import Error, Failure, JUnitXml

from analysis.runner import NotebookResult, RunSummary
from analysis.runner.changes import Snapshot, compare
from analysis.runner.junit import junit_xml, write_junit


def _summary():
    nbs = [NotebookResult("01_a", "PASS", "all good", {"n": 1}, seconds=1.5),
           NotebookResult("02_b", "FAIL", "5 shapes scan <too> much & more", {"worst ms": 12.5},
                          figure_info={"worst ms": {"unit": "ms"}}, seconds=2.25),
           NotebookResult("03_c", "ERROR", "ValueError: x", error="ValueError: x"),
           NotebookResult("04_d", "WARN", "a claim does not hold", {})]
    s = RunSummary("2026-11-02T06:00:00+00:00", "f", None, nbs, run_id="20261102T060000Z", params_hash="abc")
    s.baseline = {"run_id": "20261101T060000Z", "started": "s", "chosen": "same parameters"}
    s.changes = compare({"02_b": Snapshot("PASS", "ok")}, {r.name: Snapshot(r.status, r.headline) for r in nbs})
    return s


def test_one_testcase_per_notebook_with_failures_and_errors(tmp_path):
    path = tmp_path / "ci" / "audit.xml"
    write_junit(_summary(), path)
    xml = JUnitXml.fromfile(str(path))
    (suite,) = list(xml)
    assert (suite.name, suite.tests, suite.failures, suite.errors) == ("infra-mind-audit", 4, 1, 1)
    cases = {c.name: c for c in suite}
    assert list(cases) == ["01_a", "02_b", "03_c", "04_d"]
    assert cases["01_a"].is_passed and cases["04_d"].is_passed
    assert "WARN: a claim does not hold" in cases["04_d"].system_out
    (failure,) = cases["02_b"].result
    assert isinstance(failure, Failure) and failure.message == "5 shapes scan <too> much & more" and failure.type == "FAIL"
    assert "worst ms: 12.5 ms" in failure.text and "since last run: PASS → FAIL (new fail)" in failure.text
    (error,) = cases["03_c"].result
    assert isinstance(error, Error) and "error: ValueError: x" in error.text
    assert cases["02_b"].time == 2.25
    props = {p.name: p.value for p in suite.properties()}
    assert props == {"run_id": "20261102T060000Z", "params_hash": "abc", "baseline": "20261101T060000Z"}
    assert not list(tmp_path.glob("ci/.*"))  # no temporary file left


def test_the_document_is_utf8_xml():
    data = junit_xml(_summary())
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert "→".encode() in data
