"""Text-format mongod / mongos logs 2.4 → 4.2: real lines, an independent count, the same shapes as JSON.

Every fixture line in ``tests/data/querycost/textlogs/`` is copied verbatim from a public repository
(see :data:`SOURCES`; one line of ``mongod_36.log`` is marked where its end is constructed):

* rueckstiess/mtools ``mtools/test/logfiles/``: ``mongod-2411.log`` (2.4.11 startup and replica set lines),
  ``mongos.log`` (mongos 2.4.7), ``mongod_26.log`` (2.6.0), ``client/mongod_3.0.5_noclientmetadata.log``
  (3.0.15 startup), ``mongod_306_ctime.log`` (3.0 ctime getmore), ``client/mongod_3.6.23.log``,
  ``mongod_4.0.13_queryratio.log``, ``mongod.log`` (4.0.10), ``client/mongod_4.2.11.log``;
* honeycombio/honeytail ``parsers/mongodb/mongodb_test.go`` (2.4, 2.6, 3.0, 3.2.9, 3.4 lines) and its test of
  Parse's production lines (``TestPEGParser``: 2.4, 2.6 ctime, 3.0 ctime, 3.2 ctime), parsed with
  tmc/mongologtools;
* simagix/keyhole ``mdb/loginfo_test.go`` (a find of 2018, a getMore of 2020, a 4.2 update batch);
* a public ``mongo_log_parser`` test (``test_003_parse_log_str_aggregate``): a 4.2 aggregate;
* a public shell script's comment: the beginning of a 2017 line mongod cut (``warning: log line
  attempted (20kB) over max size (10kB)``); its end (after `` .......... ``) is constructed the way
  mongod's logger prints a cut line (beginning and end of the message);
* an early 3.0 line with a ``{ $msg: "query not recording (too large)" }`` document (a public config comment).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import orjson
import pytest

from analysis.querycost.records import FileStats, ReadStats
from analysis.querycost.sources.files import detect_kind, read_records
from analysis.querycost.sources.log import log_row
from analysis.querycost.shapecache import ShapeCache
from analysis.querycost.sources.textlog import CUT_SHAPE, UNREADABLE_SHAPE, iter_text_log_rows
from analysis.querycost.pipeline import digest_inputs

TEXT = Path(__file__).resolve().parents[3] / "data" / "querycost" / "textlogs"
#: version of each fixture (the "done when" of issue 19: 2.4, 2.6, 3.0, 3.6, 4.0, 4.2)
VERSIONS = {"mongod_24.log": "2.4", "mongod_26.log": "2.6", "mongod_26_ctime.log": "2.6 (ctime)",
            "mongod_30.log": "3.0", "mongod_32_34.log": "3.2 / 3.4", "mongod_36.log": "3.6", "mongod_40.log": "4.0",
            "mongod_42.log": "4.2", "mongos_24.log": "mongos 2.4"}
_QUERY_COMMANDS = {"find", "aggregate", "count", "distinct", "findandmodify", "getmore"}


def independent_count(path: Path) -> Counter:
    """Query lines by operation, counted with str.split only (not the reader's grammar): what mloginfo counts."""
    ops: Counter = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.endswith("ms"):
            continue
        tokens = line.split()
        ctx = next((i for i, t in enumerate(tokens) if t.startswith("[") and t.endswith("]")), None)
        if ctx is None or ctx + 2 >= len(tokens):
            continue
        if tokens[ctx + 1] == "warning:" and "..." in tokens:  # mongod cut the line: the operation follows "..."
            ctx = tokens.index("...")
        op = tokens[ctx + 1]
        if op in ("query", "getmore"):
            ops["getMore" if op == "getmore" else "find"] += 1
        elif op in ("update", "remove"):
            ops["update" if op == "update" else "delete"] += 1
        elif op == "command" and "command:" in tokens:
            name = tokens[tokens.index("command:") + 1]
            name = tokens[tokens.index("command:") + 2].rstrip(":") if name == "{" else name
            if name.lower() in _QUERY_COMMANDS:
                ops[{"findandmodify": "findAndModify", "getmore": "getMore"}.get(name.lower(), name)] += 1
    return ops


def _read(path: Path, ref_year: int = 2020) -> tuple[list[tuple], FileStats]:
    st = FileStats(str(path))
    with path.open("rb") as fh:
        rows = list(iter_text_log_rows(fh, st, ref_year=ref_year))
    return rows, st


@pytest.mark.parametrize("name", sorted(VERSIONS))
def test_each_version_is_read_and_counts_match_an_independent_count(name: str) -> None:
    path = TEXT / name
    assert detect_kind(path.read_bytes()[:65536]) == "text-log"
    rows, st = _read(path)
    assert Counter(r[2] for r in rows) == independent_count(path)
    assert st.records == len(rows) and st.lines == st.records + st.skipped == len(path.read_text().splitlines())


def test_the_directory_gives_one_shapes_table_with_the_independent_counts() -> None:
    fleet = digest_inputs([TEXT], workers=1)
    want = sum((independent_count(p) for p in sorted(TEXT.glob("*.log"))), Counter())
    got = fleet.frame.groupby("op")["count"].sum().to_dict()
    assert {k: int(v) for k, v in got.items()} == dict(want) and sum(want.values()) == 46
    assert {f.kind for f in fleet.stats.files} == {"text-log"}
    members = fleet.members.set_index("member")
    assert members.loc["hostname.local:37018", ["rs", "role", "version"]].tolist() == ["repl1", "PRIMARY", "2.4.11"]
    assert members.loc["h084732.mongolab.com:27997", ["rs", "role", "version"]].tolist() == \
        ["rs-mongolab", "SECONDARY", "3.0.15"]
    assert members.loc["ip-10-118-120-0.ec2.internal:27017", ["rs", "version"]].tolist() == ["rs1", "4.2.11"]


def _by_ns(rows: list[tuple]) -> dict[str, tuple]:
    return {r[1]: r for r in rows}


def test_figures_of_each_format() -> None:
    v24 = _by_ns(_read(TEXT / "mongod_24.log")[0])
    city = v24["appdata50.City"]  # OP_QUERY with $query/$orderby: a find with filter and sort
    assert city[3].endswith("sort {_updated_at: -1}") and city[5:10] == (585.0, None, 40229, 3, 221)
    assert city[16 + 2] == 29  # "numYields: 29" (2.4 printed a space)
    assert v24["appdata37._Installation"][2:4] == ("count", "{_id: {$lt: ?}, deviceType: {$in: [?]}}")
    assert v24["appdata43.SpeedSpot2"][11] is True  # scanAndOrder:1 is an in-memory sort
    assert v24["btest.system.indexes"][16] == "ttl"  # [TTLMonitor]
    v26 = _by_ns(_read(TEXT / "mongod_26.log")[0])
    users = v26["starfruit_production.users"]
    assert users[4] == "IXSCAN { _id: 1 }" and users[6:8] == (67439, 67439) and users[3] == \
        "{altemails: {$in: [?]}} sort {_id: 1}"
    assert v26["test.mgendata"][10] is True and v26["test.mgendata"][27] == "127.0.0.1"  # client from "accepted"
    ctime26 = [r for r in _read(TEXT / "mongod_26_ctime.log")[0] if r[1] == "appdata401._User"]
    assert sorted(r[4] for r in ctime26) == ["GEO_NEAR_2D { lastUserLocation: \"2d\" }",
                                            "IXSCAN { _id: -1 }, IXSCAN { _rperm: 1 }"]
    v30 = _by_ns(_read(TEXT / "mongod_30.log")[0])
    assert v30["appdata425.Leaderboards"][4] == "COUNT_SCAN { table: 1, score: -1 }"
    assert v30["db.collection"][2:4] == ("getMore", "{Contact.flag: ?, Header._id: ?, Header.flag: ?}")
    v34 = _by_ns(_read(TEXT / "mongod_32_34.log")[0])
    assert v34["config.locks"][16 + 5] == 9385 + 18  # locks.*.timeAcquiringMicros (µs)
    assert v34["TestDB.TestColl"][3] == "{} project {Counter: 1, _id: 0}"  # getMore shaped by originatingCommand
    v42 = _by_ns(_read(TEXT / "mongod_42.log")[0])
    agg = v42["Database001.UsersCollection"]
    assert agg[13] == "8EF5E40B" and agg[4] == "IXSCAN { _id: 1 }" and agg[6:9] == (15, 16, 0)


def test_a_text_line_and_its_json_log_line_give_the_same_row() -> None:
    """mongod 4.0's text line of a find and the 4.4+ JSON line of the same operation (attr as 4.4 logs it)."""
    rows, _ = _read(TEXT / "mongod_40.log")
    text = _by_ns(rows)["mtools.test"]
    json_line = {"t": {"$date": "2020-03-07T12:50:31.430+00:00"}, "s": "I", "c": "COMMAND", "id": 51803,
                 "ctx": "conn4", "msg": "Slow query",
                 "attr": {"type": "command", "ns": "mtools.test", "appName": "MongoDB Shell",
                          "command": {"find": "test", "filter": {"name": "name123"},
                                      "lsid": {"id": {"$uuid": "c10e3cb7-b688-4cd0-9704-7781f953848a"}},
                                      "$db": "mtools"},
                          "planSummary": "COLLSCAN", "keysExamined": 0, "docsExamined": 100000,
                          "cursorExhausted": True, "numYields": 781, "nreturned": 1, "reslen": 161,
                          "locks": {"Global": {"acquireCount": {"r": 782}}}, "remote": "172.17.0.1:41808",
                          "durationMillis": 26}}
    from_json = log_row(orjson.loads(orjson.dumps(json_line)), FileStats("j"), ShapeCache())
    assert from_json[:13] == text[:13] and from_json[16:] == text[16:]


def test_cut_and_unreadable_lines_are_counted_not_misread() -> None:
    rows, st = _read(TEXT / "mongod_36.log")
    (cut,) = [r for r in rows if r[3] == CUT_SHAPE]
    assert cut[1:3] == ("sledge.directory_user_matches", "distinct") and cut[5] == 812.0 and cut[6] == 20512
    assert cut[15] == {} and any("cut by mongod" in p for p in st.problems)
    rows, st = _read(TEXT / "mongod_26.log")
    (bad,) = [r for r in rows if r[3] == UNREADABLE_SHAPE]
    assert bad[1:3] == ("namespace.collection", "update") and bad[15] == {}
    assert any("not readable" in p for p in st.problems)


def test_ctime_year_is_the_files_year(tmp_path: Path) -> None:
    log = tmp_path / "mongod.log"
    log.write_bytes((TEXT / "mongod_24.log").read_bytes())
    at = 1413000000  # 2014-10-11: the file was last written in 2014
    os.utime(log, (at, at))
    recs = list(read_records([log]))
    city = next(r for r in recs if r.ns == "appdata50.City")
    assert city.timestamp.isoformat() == "2014-09-22T21:35:02.658000+00:00"  # Mon Sep 22 → 2014
    assert next(r for r in recs if r.ns == "appdata315.crud_test").timestamp.year == 2014  # Wed Dec 10 → 2014


def test_a_log_appended_across_the_44_upgrade_reads_both_formats(tmp_path: Path) -> None:
    json_lines = (Path(__file__).resolve().parents[3] / "data" / "querycost" / "mongod_44.log").read_bytes()
    log = tmp_path / "mongod.log"
    log.write_bytes((TEXT / "mongod_40.log").read_bytes() + json_lines)
    st = ReadStats()
    recs = list(read_records([log], st))
    json_only = ReadStats()
    n_json = len(list(read_records([Path(__file__).resolve().parents[3] / "data" / "querycost" / "mongod_44.log"],
                                   json_only)))
    assert st.files[0].kind == "text-log" and len(recs) == len(_read(TEXT / "mongod_40.log")[0]) + n_json == 4 + 9


def test_a_text_log_cut_at_the_end_keeps_what_was_written(tmp_path: Path) -> None:
    data = (TEXT / "mongod_40.log").read_bytes()
    log = tmp_path / "mongod.log"
    log.write_bytes(data[:data.rindex(b"planSummary: IDHACK")])  # the last line stops mid-way
    rows, st = _read(log)
    assert len(rows) == 3 and st.lines == st.records + st.skipped  # the cut line: counted, not a query


def test_a_gzipped_text_log_reads_like_the_plain_one(tmp_path: Path) -> None:
    import gzip

    gz = tmp_path / "mongod.log.2.gz"
    gz.write_bytes(gzip.compress((TEXT / "mongod_30.log").read_bytes()))
    plain, packed = list(read_records([TEXT / "mongod_30.log"])), list(read_records([gz]))
    assert [(r.ns, r.shape, r.duration_ms) for r in plain] == [(r.ns, r.shape, r.duration_ms) for r in packed]


def test_a_mongos_operation_line_reads_like_a_mongod_one(tmp_path: Path) -> None:
    """mongos logs operations with the mongod grammar and no plan (it has none); its shards are counted.

    Constructed (no real mongos slow-query line was found in the public corpus): the 3.6 form of the
    find in mongod_36.log as a mongos prints it (``nShards``, no ``planSummary`` / ``docsExamined``),
    after the real mongos 2.4 startup lines of mongos_24.log.
    """
    line = ('2018-05-18T21:55:08.926+0000 I COMMAND  [conn3709635] command taterstore.recentlyWatched command: find '
            '{ find: "recentlyWatched", filter: { tveUserId: 16114978 }, sort: { updated: -1 }, $db: "taterstore" } '
            'nShards:2 cursorExhausted:1 numYields:0 nreturned:29 reslen:6443 protocol:op_msg 141ms\n')
    log = tmp_path / "mongos.log"
    log.write_bytes((TEXT / "mongos_24.log").read_bytes() + line.encode())
    rows, st = _read(log)
    (row,) = rows
    assert row[1:4] == ("taterstore.recentlyWatched", "find", "{tveUserId: ?} sort {updated: -1}")
    assert row[4] == "" and row[5] == 141.0 and row[6] is None and row[8] == 29
    assert st.provenance["role"] == "mongos" and st.provenance["version"] == "2.4.7"
