"""Streaming JSON reader: documents across read chunks, junk, bad Extended JSON, cut arrays."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import pytest

from analysis.querycost.records import FileStats
from analysis.querycost.sources import jsonstream
from analysis.querycost.sources.jsonstream import iter_json_lines, iter_json_values

DOCS = [{"op": "query", "ns": f"db.c{i}", "millis": i, "ts": {"$date": "2025-11-04T09:00:01Z"},
         "pad": "x" * (i * 7 % 50)} for i in range(40)]


def _values(text: str, *, array: bool) -> tuple[list, FileStats]:
    st = FileStats("t")
    return list(iter_json_values(io.StringIO(text), st, array=array)), st


@pytest.mark.parametrize("chunk", [7, 64, 1 << 20])
def test_documents_split_across_chunks_are_read_whole(monkeypatch, chunk: int) -> None:
    monkeypatch.setattr(jsonstream, "_CHUNK_CHARS", chunk)
    pretty = "\n".join(json.dumps(d, indent=2) for d in DOCS)
    got, st = _values(pretty, array=False)
    assert [d["ns"] for d in got] == [d["ns"] for d in DOCS] and (st.lines, st.skipped) == (40, 0)
    assert got[0]["ts"] == datetime(2025, 11, 4, 9, 0, 1, tzinfo=timezone.utc)  # Extended JSON decoded, aware
    arr, st2 = _values(json.dumps(DOCS), array=True)
    assert len(arr) == 40 and not st2.problems


def test_junk_line_is_skipped_up_to_the_next_line(monkeypatch) -> None:
    got, st = _values('{"a": 1}\nnot json at all\n{"a": 2}\n', array=False)
    assert got == [{"a": 1}, {"a": 2}] and st.reasons == {"not JSON": 1} and st.lines == 3
    # a junk line longer than a read chunk is skipped chunk by chunk (counted once per chunk), never fatal
    monkeypatch.setattr(jsonstream, "_CHUNK_CHARS", 5)
    got, st = _values('{"a": 1}\nnot json at all\n{"a": 2}\n', array=False)
    assert got == [{"a": 1}, {"a": 2}] and set(st.reasons) == {"not JSON"}


def test_a_wrapper_nobody_reads_never_loses_the_document() -> None:
    # issue 19: decoded leniently (the document was skipped as "bad Extended JSON" before); the wrapper stays raw
    got, st = _values('[{"a": 1}, {"d": {"$date": {"$numberLong": "not-a-number"}}}, {"a": 3}]', array=True)
    assert got == [{"a": 1}, {"d": {"$date": {"$numberLong": "not-a-number"}}}, {"a": 3}] and st.skipped == 0


def test_compass_and_shell_export_forms_are_decoded() -> None:
    """Compass writes the 64-bit $timestamp as a string (the value of issue 19's report), numbers unquoted."""
    got, st = _values('[{"t": {"$timestamp": "7397118085368381441"}, "n": {"$numberLong": 5}, '
                      '"d": {"$date": "1700000000000"}, "o": {"$oid": "not-an-id"}}]', array=True)
    (doc,) = got
    assert (doc["t"].time, doc["t"].inc) == (7397118085368381441 >> 32, 1) and doc["n"] == 5
    assert doc["d"] == datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc) and doc["o"] == {"$oid": "not-an-id"}


def test_cut_array_keeps_what_came_before() -> None:
    got, st = _values('[{"a": 1}, {"a": 2}, {"a": 3, "b": [1, 2', array=True)
    assert got == [{"a": 1}, {"a": 2}]
    assert st.reasons == {"document cut at end of file": 1} and "last document cut (truncated export)" in st.problems
    _, st2 = _values('[{"a": 1}', array=True)
    assert st2.problems == ["JSON array not closed (file cut?)"]


def test_not_an_array() -> None:
    got, st = _values('{"a": 1}', array=True)
    assert got == [] and st.reasons == {"not a JSON array": 1}


def test_json_lines_skip_blank_and_bad_lines() -> None:
    st = FileStats("t")
    text = '{"a": 1}\n\n{oops\n{"t": {"$date": {"$numberLong": "x"}}}\n{"a": 2}\n'
    # issue 19: the line with a wrapper nobody reads is kept (lenient decode), only the junk line is skipped
    assert list(iter_json_lines(io.StringIO(text), st)) == [{"a": 1}, {"t": {"$date": {"$numberLong": "x"}}}, {"a": 2}]
    assert st.lines == 4 and st.reasons["not JSON"] == 1 and st.skipped == 1
