"""analysis.fileio: the one atomic write."""

from __future__ import annotations

import os
import stat
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


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_the_mode_open_gives_under_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    """Files written atomically (rule files, JUnit, SARIF) are as readable as any other file of the run."""
    old = os.umask(umask)
    try:
        write_atomic(tmp_path / "atomic.txt", "x")
        (tmp_path / "plain.txt").write_text("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "atomic.txt").stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "plain.txt").stat().st_mode) == mode


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "rules.yaml"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o640
