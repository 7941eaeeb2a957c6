"""analysis.fileio: the one atomic write."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis.errors import SourceError
from analysis.fileio import write_atomic


def test_writes_text_and_bytes_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.xml"
    assert write_atomic(target, "é\n") == target and target.read_bytes() == "é\n".encode()
    write_atomic(target, b"<x/>")
    assert target.read_bytes() == b"<x/>" and os.listdir(target.parent) == ["out.xml"]


def test_an_unwritable_place_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(SourceError, match=r"file/out\.json: cannot write") as e:
        write_atomic(blocker / "out.json", "{}")
    assert "\n" not in str(e.value) and os.listdir(tmp_path) == ["file"]
