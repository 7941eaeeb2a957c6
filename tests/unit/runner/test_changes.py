"""analysis.runner.changes: status changes and figure deltas between two runs (pure)."""

import pytest

from analysis.runner.changes import Snapshot, compare, counts, describe, figure_change, is_news, outcome, status_change


@pytest.mark.parametrize("before, after, expected", [
    ("PASS", "FAIL", "new_fail"), ("WARN", "FAIL", "new_fail"), ("ERROR", "FAIL", "new_fail"),
    ("PASS", "ERROR", "new_error"), ("FAIL", "ERROR", "new_error"),
    ("PASS", "WARN", "new_warn"),
    ("FAIL", "PASS", "resolved"), ("FAIL", "WARN", "resolved"), ("ERROR", "PASS", "resolved"), ("WARN", "PASS", "resolved"),
    ("FAIL", "FAIL", "unchanged"), ("PASS", "PASS", "unchanged"),
    (None, "FAIL", "new"),
])
def test_status_change(before, after, expected):
    assert status_change(before, after) == expected


def test_numeric_figure_deltas_and_assessments():
    worse = figure_change("p95 ms", 100, 130, {"unit": "ms", "higher_is_better": False, "noise": 5})
    assert worse == {"name": "p95 ms", "label": "p95 ms", "unit": "ms", "key": True, "old": 100, "new": 130,
                     "abs_delta": 30, "rel_delta": 0.3, "assessment": "worse"}
    assert figure_change("p95 ms", 1, 2, {"label": "p95 latency"})["label"] == "p95 latency"
    assert figure_change("x", 100, 130, {"higher_is_better": True})["assessment"] == "better"
    assert figure_change("x", 100, 103, {"higher_is_better": False, "noise": 5})["assessment"] == "noise"
    assert figure_change("x", 100, 105, {"higher_is_better": False, "noise": 5})["assessment"] == "noise"  # at the threshold
    assert figure_change("x", 100, 105.5, {"higher_is_better": False, "noise": 5})["assessment"] == "worse"
    assert figure_change("x", 1, 2)["assessment"] == "changed"  # no direction
    assert figure_change("x", 2, 2, {"higher_is_better": True})["assessment"] == "unchanged"
    zero = figure_change("x", 0, 3)
    assert (zero["abs_delta"], zero["rel_delta"]) == (3, None)


def test_text_missing_and_odd_values():
    assert figure_change("engine", "a", "b")["assessment"] == "changed"
    assert figure_change("engine", "a", "a")["assessment"] == "unchanged"
    assert figure_change("x", True, False)["abs_delta"] is None  # booleans are not numbers
    assert figure_change("x", float("nan"), 1.0)["assessment"] == "changed"
    assert figure_change("x", None, 1, missing=(True, False))["assessment"] == "new"
    assert figure_change("x", 1, None, missing=(False, True))["assessment"] == "gone"


def test_compare_per_notebook():
    before = {"01_a": Snapshot("PASS", "fine", {"n": 1, "old": 5}), "02_b": Snapshot("FAIL", "bad", {})}
    after = {"01_a": Snapshot("FAIL", "broken", {"n": 3}, {"n": {"higher_is_better": False}}),
             "02_b": Snapshot("FAIL", "bad", {}), "03_c": Snapshot("PASS", "new one", {"z": 1})}
    changes = compare(before, after)
    assert [c["notebook"] for c in changes] == ["01_a", "02_b", "03_c"]
    a, b, c = changes
    assert (a["change"], a["status_before"], a["status_after"], a["headline_before"], a["headline_after"]) == (
        "new_fail", "PASS", "FAIL", "fine", "broken")
    assert [(f["name"], f["assessment"]) for f in a["figures"]] == [("n", "worse"), ("old", "gone")]
    assert b["change"] == "unchanged" and c["change"] == "new" and c["figures"] == []
    assert is_news(changes) and not is_news([b, c])
    assert outcome(changes) == "FAIL" and outcome([b, c]) == "PASS"
    assert counts(changes) == {"new_fail": 1, "worse": 1, "unchanged": 1, "new": 1}
    assert describe(a) == "PASS → FAIL (new fail); 1 figure worse"
    assert describe(b) == "unchanged" and describe(c) == "new: not in the baseline run"


def test_outcome_order():
    mk = lambda kind: {"change": kind, "figures": []}  # noqa: E731
    assert outcome([mk("new_warn"), mk("new_error"), mk("new_fail")]) == "ERROR"
    assert outcome([mk("new_warn"), mk("resolved")]) == "WARN"
    assert outcome([mk("resolved"), mk("unchanged")]) == "PASS"
