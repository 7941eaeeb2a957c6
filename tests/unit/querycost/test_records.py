"""Records and read statistics: the one-line error when nothing is usable, Extended JSON numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.errors import DataError
from analysis.querycost.records import EVIDENCE_KINDS, ReadStats, as_int, require_usable
from analysis.querycost.sources.files import read_records

BAD = Path(__file__).resolve().parents[2] / "data" / "bad" / "querycost"


def test_nothing_usable_gives_one_line_error(tmp_path: Path) -> None:
    # a text file that is no log (issue 19: a 4.2 text-format log is read now, so it no longer serves here)
    hostname = tmp_path / "hostname"
    hostname.write_text("web-01\n", encoding="utf-8")
    st = ReadStats()
    list(read_records([BAD / "garbage.bin", BAD / "empty.log", hostname], st))
    with pytest.raises(DataError) as exc:
        require_usable(st)
    msg = str(exc.value)
    assert "\n" not in msg and "no usable slow queries in 3 file(s)" in msg and "empty file" in msg
    assert "hostname: not a MongoDB log, profile export or explain output: it looks like text" in msg


@pytest.mark.parametrize(("value", "want"), [
    (7, 7), (7.9, 7), ({"$numberLong": "12"}, 12), ({"$numberInt": "3"}, 3), ({"$numberDouble": "2.5"}, 2),
    ({"$numberLong": "x"}, None), (True, None), (None, None), ("5", None), ({"a": 1}, None),
])
def test_as_int_reads_json_and_extended_json_numbers(value, want) -> None:
    assert as_int(value) == want


def test_read_stats_totals_and_summary() -> None:
    st = ReadStats()
    list(read_records([BAD / "mongod_44_missing_fields.log", BAD / "empty.log"], st))
    assert st.records == 1 and st.lines == sum(f.lines for f in st.files) == st.records + st.skipped
    assert st.summary().startswith("2 file(s), ") and "missing durationMillis ×1" in st.summary()
    assert [r["file"] for r in st.table()] == ["mongod_44_missing_fields.log", "empty.log"]
    assert st.problems == ["empty.log: empty file"]
    require_usable(st)  # one usable query is enough


def test_a_log_of_which_no_line_is_a_mongodb_log_line_is_not_judged(tmp_path) -> None:
    """A .log file read as a log whose every line is 'not a JSON log line' is no evidence (it used to PASS as
    'no slow application queries in 2 lines'); a real log without a slow query is evidence."""
    text = tmp_path / "notes.log"
    text.write_text("hello\nnot a log\n")
    st = ReadStats()
    list(read_records([text], st))
    assert st.files[0].kind not in EVIDENCE_KINDS
    with pytest.raises(DataError, match=r"no usable slow queries in 1 file\(s\): "):
        require_usable(st)
    healthy = tmp_path / "mongod.log"
    healthy.write_text('{"t":{"$date":"2026-11-01T00:00:00Z"},"s":"I","c":"NETWORK","id":22943,"ctx":"listener",'
                       '"msg":"Connection accepted","attr":{}}\n')
    st = ReadStats()
    list(read_records([healthy, text], st))
    assert [f.kind in EVIDENCE_KINDS for f in st.files] == [True, False]
    require_usable(st)  # one file of evidence is enough
