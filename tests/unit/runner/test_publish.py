"""analysis.runner.publish: a run appears complete or not at all; ``latest`` is swapped atomically."""

import datetime as dt
import os
from pathlib import Path

import pytest

from analysis.errors import ConfigError
from analysis.runner.publish import partial_dir, prepare_out_dir, publish, utc_stamp

STAMP = "20261101T000000Z"


def _finished_partial(out: Path, marker: str) -> Path:
    partial = partial_dir(out, STAMP)
    (partial / "summary.json").write_text(marker)
    return partial


def test_utc_stamp():
    assert utc_stamp(dt.datetime(2026, 11, 1, 0, 0, 0, tzinfo=dt.timezone.utc)) == STAMP


def test_partial_dir_is_hidden_and_unique(tmp_path: Path):
    a, b = partial_dir(tmp_path, STAMP), partial_dir(tmp_path, STAMP)
    assert a != b and a.parent == tmp_path
    assert a.name.startswith(f".{STAMP}.") and a.name.endswith(".partial")


def test_publish_renames_and_points_latest(tmp_path: Path):
    final = publish(_finished_partial(tmp_path, "one"), tmp_path, STAMP)
    assert final == tmp_path / STAMP
    assert os.readlink(tmp_path / "latest") == STAMP  # relative: the report root can be moved
    assert (tmp_path / "latest" / "summary.json").read_text() == "one"
    assert not list(tmp_path.glob(".*"))  # no partial, no temporary link left behind


def test_a_second_run_in_the_same_second_gets_its_own_directory(tmp_path: Path):
    publish(_finished_partial(tmp_path, "one"), tmp_path, STAMP)
    second = publish(_finished_partial(tmp_path, "two"), tmp_path, STAMP)
    third = publish(_finished_partial(tmp_path, "three"), tmp_path, STAMP)
    assert (second.name, third.name) == (f"{STAMP}-1", f"{STAMP}-2")
    assert (tmp_path / "latest" / "summary.json").read_text() == "three"
    assert (tmp_path / STAMP / "summary.json").read_text() == "one"


def test_an_unpublished_partial_never_replaces_latest(tmp_path: Path):
    publish(_finished_partial(tmp_path, "one"), tmp_path, STAMP)
    half = partial_dir(tmp_path, "20261101T000100Z")
    (half / "01_a.ipynb").write_text("half written")
    assert os.readlink(tmp_path / "latest") == STAMP
    assert (tmp_path / "latest" / "summary.json").read_text() == "one"


def test_a_stale_temporary_link_and_a_latest_directory_are_replaced(tmp_path: Path):
    (tmp_path / "latest").mkdir()  # e.g. copied over by hand
    (tmp_path / "latest" / "old.txt").write_text("old")
    (tmp_path / f".latest-{os.getpid()}").symlink_to("nowhere")  # left by a killed run with our pid
    publish(_finished_partial(tmp_path, "new"), tmp_path, STAMP)
    assert (tmp_path / "latest").is_symlink() and (tmp_path / "latest" / "summary.json").read_text() == "new"


def test_prepare_out_dir_creates_it(tmp_path: Path):
    out = tmp_path / "a" / "b"
    prepare_out_dir(out)
    assert out.is_dir() and not list(out.iterdir())


def test_prepare_out_dir_not_writable_is_one_line(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(ConfigError) as exc:
        prepare_out_dir(blocker / "reports")
    assert str(exc.value).startswith(f"output directory {blocker / 'reports'}: not writable (")


def test_reserve_run_skips_ids_taken_by_published_runs_and_other_runners(tmp_path: Path):
    from analysis.runner.publish import reserve_run

    first_id, first = reserve_run(tmp_path, STAMP)
    second_id, second = reserve_run(tmp_path, STAMP)  # another runner in the same second
    assert (first_id, first.name, second_id, second.name) == (STAMP, f".{STAMP}.partial", f"{STAMP}-1", f".{STAMP}-1.partial")
    publish(first, tmp_path, first_id)
    third_id, _ = reserve_run(tmp_path, STAMP)
    assert third_id == f"{STAMP}-2"


def test_latest_stays_on_the_run_that_started_last(tmp_path: Path):
    from analysis.runner.publish import latest_run, run_order

    later = partial_dir(tmp_path, "20261101T000100Z")
    earlier = partial_dir(tmp_path, STAMP)
    publish(later, tmp_path, "20261101T000100Z")
    publish(earlier, tmp_path, STAMP)  # finished last, but started first
    assert os.readlink(tmp_path / "latest") == "20261101T000100Z" == latest_run(tmp_path)
    assert sorted(["X-10", "X-9", "X"], key=lambda r: run_order(r.replace("X", STAMP))) == ["X", "X-9", "X-10"]


def test_prune_keeps_the_newest_and_latest_and_nothing_else_is_touched(tmp_path: Path):
    from analysis.runner.publish import prune

    ids = [f"2026110{d}T000000Z" for d in range(1, 6)]
    for run_id in ids:
        publish(partial_dir(tmp_path, run_id), tmp_path, run_id)
    (tmp_path / "latest").unlink()
    (tmp_path / "latest").symlink_to(ids[0])  # e.g. pointed back by hand
    (tmp_path / "notes").mkdir()
    (tmp_path / "history.sqlite").write_text("x")
    assert prune(tmp_path, 2) == ids[1:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([ids[0], ids[3], ids[4], "latest", "notes", "history.sqlite"])
    assert prune(tmp_path, 2) == []
