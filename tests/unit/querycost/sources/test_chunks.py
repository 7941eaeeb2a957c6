"""Inputs → files → chunks: directories and globs, byte ranges that read each line once, bad files of a set."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.config import data_dir
from analysis.errors import SourceError
from analysis.querycost.sources.chunks import Chunk, Partial, digest_chunk, expand_inputs, plan_chunks
from analysis.querycost.sources.cluster import run_digest

SAMPLE = data_dir() / "querycost" / "sample_slow_query.log.gz"
DATA = Path(__file__).resolve().parents[3] / "data" / "querycost"


def test_directories_globs_and_missing_inputs(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    for name in ("a/m1.log", "a/m2.log.gz", "b.json", "a/.hidden"):
        (tmp_path / name).write_text("x")
    assert expand_inputs([tmp_path / "a"]) == [str(tmp_path / "a/m1.log"), str(tmp_path / "a/m2.log.gz")]
    assert expand_inputs([str(tmp_path / "**/*.log*"), str(tmp_path / "a/m1.log")]) == [
        str(tmp_path / "a/m1.log"), str(tmp_path / "a/m2.log.gz")]  # sorted, duplicates dropped
    with pytest.raises(SourceError, match="no file matches"):
        expand_inputs([str(tmp_path / "*.nothing")])
    with pytest.raises(SourceError, match="no such file or directory"):
        expand_inputs([tmp_path / "missing.log"])


def test_byte_ranges_read_every_line_once_and_merge_to_the_whole(tmp_path: Path) -> None:
    log = tmp_path / "sample.log"
    log.write_bytes(gzip.decompress(SAMPLE.read_bytes()))
    size = log.stat().st_size
    chunks = plan_chunks([str(log)], split=True, chunk_bytes=size // 7)
    assert len(chunks) == 8 and chunks[0].start == 0 and chunks[-1].end == size
    assert all(a.end == b.start for a, b in zip(chunks, chunks[1:]))  # contiguous, no gap, no overlap
    assert plan_chunks([str(SAMPLE)], split=True, chunk_bytes=10) == [Chunk(str(SAMPLE))]  # a gzip member is whole
    whole = digest_chunk(Chunk(str(log)))
    merged = Partial(digest_chunk(chunks[0]).digester)
    merged.files = digest_chunk(chunks[0]).files
    for c in chunks[1:]:
        merged.merge(digest_chunk(c))
    pd.testing.assert_frame_equal(whole.digester.frame().drop(columns="command"),
                                  merged.digester.frame().drop(columns="command"))
    (a,), (b,) = whole.files, merged.files
    assert (a.lines, a.records, a.skipped, a.reasons, a.kind) == (b.lines, b.records, b.skipped, b.reasons, b.kind)


def test_a_bad_file_in_a_set_is_skipped_and_named(tmp_path: Path) -> None:
    for i in range(3):
        shutil.copy(DATA / "versions" / f"mongod_{['44', '50', '80'][i]}.log", tmp_path / f"m{i}.log")
    (tmp_path / "junk.bin").write_bytes(b"\x00\x01\x02" * 100)
    locked = tmp_path / "locked.log"
    locked.write_text('{"t":{"$date":"2025-11-04T09:00:00.000Z"}}\n')
    locked.chmod(0)
    partial, engine = run_digest(expand_inputs([tmp_path]), workers=1)
    stats = partial.stats(expand_inputs([tmp_path]))
    kinds = {Path(f.path).name: f.kind for f in stats.files}
    assert kinds["junk.bin"] == "binary" and stats.records == 9 and engine.mode == "serial in-process"
    if os.geteuid() != 0:  # root reads a mode-0 file anyway
        assert kinds["locked.log"] == "unreadable" and any("cannot" in p for p in stats.problems)


def test_an_unreadable_chunk_is_a_partial_not_an_error(tmp_path: Path) -> None:
    part = digest_chunk(Chunk(str(tmp_path / "gone.log"), 0, 100))
    (st,) = part.files
    assert st.kind == "unreadable" and st.skipped == 1 and st.problems[0].startswith("cannot read")


def test_provenance_from_the_log_and_the_file_name(tmp_path: Path) -> None:
    from analysis.querycost.members import member_of

    lines = [
        '{"t":{"$date":"2025-11-04T08:00:00.000+00:00"},"s":"I","c":"CONTROL","id":4615611,"ctx":"initandlisten",'
        '"msg":"MongoDB starting","attr":{"pid":1,"port":27018,"dbPath":"/data","architecture":"64-bit","host":"db-2"}}',
        '{"t":{"$date":"2025-11-04T08:00:00.001+00:00"},"s":"I","c":"CONTROL","id":21951,"ctx":"initandlisten",'
        '"msg":"Options set by command line","attr":{"options":{"replication":{"replSetName":"rs-orders"},'
        '"sharding":{"clusterRole":"shardsvr"},"net":{"port":27018}}}}',
        '{"t":{"$date":"2025-11-04T08:00:05.000+00:00"},"s":"I","c":"REPL","id":21358,"ctx":"ReplCoord-0",'
        '"msg":"Replica set state transition","attr":{"newState":"SECONDARY","oldState":"STARTUP2"}}',
        '{"t":{"$date":"2025-11-04T08:30:00.000+00:00"},"s":"I","c":"REPL","id":21358,"ctx":"ReplCoord-0",'
        '"msg":"Replica set state transition","attr":{"newState":"PRIMARY","oldState":"SECONDARY"}}',
    ]
    log = tmp_path / "whatever.log"
    log.write_text("\n".join(lines) + "\n")
    (st,) = digest_chunk(Chunk(str(log))).files
    assert member_of(st) == {"member": "db-2:27018", "rs": "rs-orders", "shard": "shardsvr", "role": "PRIMARY",
                             "version": ""}
    # split in two byte ranges: the later state transition still wins
    a = digest_chunk(Chunk(str(log), 0, len(lines[0]) + len(lines[1]) + len(lines[2]) + 3))
    b = digest_chunk(Chunk(str(log), len(lines[0]) + len(lines[1]) + len(lines[2]) + 3, log.stat().st_size))
    assert member_of(b.merge(a).files[0])["role"] == "PRIMARY"
    named = member_of(digest_chunk(Chunk(str(DATA / "mongod_44.log"))).files[0])
    assert named["member"] == "mongod_44" and named["role"] == ""
