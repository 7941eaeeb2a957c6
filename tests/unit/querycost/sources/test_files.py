"""Evidence files: gzip, kind detection by content, the bad-input corpus, missing files."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from analysis.errors import SourceError
from analysis.querycost.records import ReadStats
from analysis.querycost.sources.files import read_records

DATA = Path(__file__).resolve().parents[3] / "data" / "querycost"
BAD = Path(__file__).resolve().parents[3] / "data" / "bad" / "querycost"


def _read(*paths: Path):
    st = ReadStats()
    return list(read_records(list(paths), st)), st


def test_gzip_log_equals_plain(tmp_path: Path) -> None:
    gz = tmp_path / "mongod.log.gz"
    gz.write_bytes(gzip.compress((DATA / "mongod_44.log").read_bytes()))
    plain, st1 = _read(DATA / "mongod_44.log")
    packed, st2 = _read(gz)
    assert [(r.shape, r.duration_ms) for r in plain] == [(r.shape, r.duration_ms) for r in packed]
    assert st1.files[0].reasons == st2.files[0].reasons


@pytest.mark.parametrize(("name", "kind", "records", "problem"), [
    ("truncated.log.gz", "log", None, "truncated gzip"),
    ("corrupt_body.log.gz", "unreadable", 0, "corrupt gzip"),
    ("garbage.bin", "binary", 0, "binary content"),
    ("empty.log", "empty", 0, "empty file"),
    # a 4.2 text-format log is read now (issue 19); it was refused as "legacy-text-log"
    ("mongod_42_text.log", "text-log", 2, None),
    ("profile_cut.json", "profile", 2, "truncated export"),
    ("mongod_44_missing_fields.log", "log", 1, None),
])
def test_bad_corpus_is_counted_not_fatal(name: str, kind: str, records: int | None, problem: str | None) -> None:
    recs, st = _read(BAD / name)
    f = st.files[0]
    assert f.kind == kind
    if records is not None:
        assert f.records == records == len(recs)
    else:
        assert f.records > 0  # data before the cut is kept
    if problem:
        assert any(problem in p for p in f.problems), f.problems
    assert f.lines == f.records + f.skipped


def test_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        list(read_records([tmp_path / "nope.log"]))


def test_detection_is_by_content_not_extension(tmp_path: Path) -> None:
    odd = tmp_path / "export.txt"
    shutil.copy(DATA / "profile_canonical_array.json", odd)
    recs, st = _read(odd)
    assert st.files[0].kind == "profile" and len(recs) == 3
