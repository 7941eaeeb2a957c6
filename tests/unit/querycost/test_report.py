"""Report: tables of a QueryCostResult, the verdict, and the digest command's JSON rendering."""

from __future__ import annotations

import math

import pandas as pd

from analysis.querycost import report
from analysis.querycost.digest import digest_rows
from analysis.querycost.findings import Thresholds, findings, tag_dashboard
from analysis.querycost.hygiene import HIDE
from analysis.querycost.records import FileStats, ReadStats
from analysis.querycost.result import QueryCostResult
from analysis.record import Verdict


def _result() -> QueryCostResult:
    long_shape = "{" + ", ".join(f"field_{i}: ?" for i in range(20)) + "}"
    rows = ([(None, "db.audit_log", "find", long_shape, "COLLSCAN", 40.0, 9000, 0, 3, 2048, True, False, "", "", "log",
              {})] * 2
            + [(None, "db.users", "find", "{_id: ?}", "IDHACK", 1.0, None, None, 1, None, False, False, "", "", "log",
                {})])
    digest = tag_dashboard(digest_rows(rows))
    suggestions = pd.DataFrame([{"ns": "db.audit_log", "op": "find", "shape": long_shape, "problem": "COLLSCAN",
                                 "suggested_index": "{ field_0: 1 }", "note": "n"}] * 2)
    st = FileStats("/x/mongod.log", kind="log", lines=4, records=3)
    st.skip("other log message")
    return QueryCostResult(digest, ReadStats([st]), "files: log", findings(digest, Thresholds()), pd.DataFrame(),
                           suggestions, Thresholds())


def test_tables_format_the_result() -> None:
    r = _result()
    assert report.read_table(r).to_dict("records") == [
        {"file": "mongod.log", "kind": "log", "read": 4, "queries": 3, "skipped": 1,
         "why skipped": "other log message ×1", "problems": ""}]
    top = report.top_table(r, 1, width=30)
    assert list(top["collection"]) == ["audit_log"] and len(top["shape"].iloc[0]) == 30
    assert top["shape"].iloc[0].endswith("…") and top["docs/exec"].iloc[0] == 9000 and top["KiB/exec"].iloc[0] == 2.0
    f = report.findings_table(r)
    assert list(f["severity"]) == ["WARN"] and f["flags"].iloc[0].startswith("COLLSCAN")  # not a dashboard shape
    assert len(report.suggestions_table(r)) == 1  # duplicates dropped


def test_verdict_is_a_verdict() -> None:
    v = report.verdict(_result())
    assert isinstance(v, Verdict) and v.status == "WARN" and v.figures["queries digested"] == 3
    assert v.figures["lines/documents skipped"] == 1 and v.headline.endswith("— files: log.")
    assert v.figure_info["FAIL shapes"]["higher_is_better"] is False and "index drop candidates" not in v.figures


def test_verdict_counts_the_index_drop_candidates() -> None:
    r = _result()
    r.index_hygiene = pd.DataFrame({"status": ["OK", "WARN", "INFO", "WARN", "WARN"],
                                    "advice": ["", HIDE, "", HIDE, "drop after a clean cycle"]})  # last: already hidden
    v = report.verdict(r)
    assert v.figures["index drop candidates"] == 2 and v.figure_info["index drop candidates"]["unit"] == "indexes"
    assert any(s.startswith("Hide the 2 drop candidate(s)") for s in v.next_steps)
    r.index_hygiene = pd.DataFrame({"status": ["OK", "INFO"], "advice": ["", ""]})
    v = report.verdict(r)
    assert v.figures["index drop candidates"] == 0 and not any("drop candidate" in s for s in v.next_steps)


def test_digest_json_int_fields_and_missing_totals() -> None:
    r = _result()
    doc = report.digest_json(r.digest, r.stats, 0)
    audit, users = doc["shapes"]
    assert list(audit) == report.JSON_SHAPE_FIELDS
    assert audit["docs_examined"] == 18000 and isinstance(audit["docs_examined"], int)
    assert users["docs_examined"] is None and users["reslen_total"] is None  # never recorded: null, not 0
    assert users["share_of_time"] == round(1 / 81, 6) and not math.isnan(audit["mean_ms"])
    assert len(report.digest_json(r.digest, r.stats, 1)["shapes"]) == 1


def test_key_figures_have_labels_and_say_which_share_they_are() -> None:
    """The COLLSCAN figure is the percentage of application query time in COLLSCAN shapes (100 % here: all 80 ms of
    the 81 are in the audit_log COLLSCAN shape); each key figure has a label and, for a number, its unit."""
    v = report.verdict(_result())
    assert v.figures["COLLSCAN share of time"] == 98.8 and v.figure_info["COLLSCAN share of time"]["unit"] == "%"
    assert v.figure_info["COLLSCAN share of time"]["label"] == "Application query time in COLLSCAN shapes"
    labels = [v.figure_info[name]["label"] for name in v.key_figures()]
    assert len(labels) == len(v.key_figures()) and all(label and "_" not in label for label in labels)
    assert all(v.figure_info[n]["unit"] for n, x in v.key_figures().items() if isinstance(x, int) and n != "source"
               and n != "lines/documents skipped")
