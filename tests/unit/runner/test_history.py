"""analysis.runner.history and history_query: schema, WAL, migrations, writing and reading runs."""

import sqlite3

import pytest

from analysis.errors import ConfigError
from analysis.runner import NotebookResult, RunSummary
from analysis.runner import history, history_query
from analysis.runner.changes import Snapshot


def _summary(run_id, started, statuses, *, phash="h1", baseline=None, figures=None):
    nbs = [NotebookResult(name, status, f"{name} is {status}", dict(figures or {"n": 1, "engine": "x"}),
                          figure_info={"n": {"unit": "ms", "higher_is_better": False, "noise": 0.5, "key": True}})
           for name, status in statuses.items()]
    return RunSummary(started, started, "p.yaml", nbs, run_id=run_id, params_hash=phash, git_commit="abc",
                      baseline={"run_id": baseline} if baseline else None)


@pytest.fixture
def conn(tmp_path):
    c = history.connect(tmp_path / "history.sqlite")
    yield c
    c.close()


def test_a_new_database_is_wal_at_the_newest_version(conn, tmp_path):
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert history.schema_version(conn) == max(v for v, _, _ in history.MIGRATIONS)
    assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")} >= {
        "schema_version", "runs", "notebooks", "figures"}
    history.connect(tmp_path / "history.sqlite").close()  # reopening applies nothing twice
    assert conn.execute("SELECT COUNT(*) FROM schema_version").fetchone()[0] == len(history.MIGRATIONS)


def test_an_old_database_is_migrated_and_keeps_its_rows(tmp_path):
    path = tmp_path / "history.sqlite"
    c = history.connect(path)
    history.record_run(c, _summary("20261101T000000Z", "2026-11-01T00:00:00+00:00", {"01_a": "PASS"}), 0)
    newest = max(v for v, _, _ in history.MIGRATIONS)
    step = (newest + 1, "notes on runs", ["ALTER TABLE runs ADD COLUMN note TEXT", "UPDATE runs SET note = 'migrated'"])
    assert history.migrate(c, [*history.MIGRATIONS, step]) == newest + 1
    assert c.execute("SELECT run_id, note FROM runs").fetchall() == [("20261101T000000Z", "migrated")]
    assert [r[0] for r in c.execute("SELECT version FROM schema_version ORDER BY version")] == list(range(1, newest + 2))
    c.close()


def test_a_failing_migration_is_rolled_back(tmp_path):
    c = history.connect(tmp_path / "history.sqlite")
    newest = max(v for v, _, _ in history.MIGRATIONS)
    bad = (newest + 1, "broken", ["ALTER TABLE runs ADD COLUMN note TEXT", "THIS IS NOT SQL"])
    with pytest.raises(sqlite3.OperationalError):
        history.migrate(c, [*history.MIGRATIONS, bad])
    assert history.schema_version(c) == newest
    assert "note" not in [r[1] for r in c.execute("PRAGMA table_info(runs)")]
    c.close()


def test_a_database_from_a_newer_workbook_is_refused(tmp_path):
    c = history.connect(tmp_path / "history.sqlite")
    c.execute("INSERT INTO schema_version VALUES (99, 'x', 'future')")
    c.close()
    with pytest.raises(ConfigError, match="schema version 99 is newer than this workbook's"):
        history.connect(tmp_path / "history.sqlite")


def test_a_corrupt_file_raises_a_database_error(tmp_path):
    path = tmp_path / "history.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(sqlite3.DatabaseError):
        history.connect(path)
    with pytest.raises(ConfigError, match="no run history here"):
        history.connect(tmp_path / "missing.sqlite", create=False)


def test_runs_round_trip_with_figures_and_their_info(conn):
    s = _summary("20261101T000000Z", "2026-11-01T00:00:00+00:00", {"01_a": "PASS", "02_b": "FAIL"})
    history.record_run(conn, s, 1)
    (row,) = history_query.runs(conn)
    assert row == history_query.RunRow("20261101T000000Z", s.started, s.finished, "p.yaml", "h1", "abc", 1, "FAIL", None)
    snaps = history_query.snapshots(conn, row.run_id)
    assert list(snaps) == ["01_a", "02_b"]
    assert snaps["02_b"] == Snapshot("FAIL", "02_b is FAIL", {"n": 1, "engine": "x"}, {
        "n": {"unit": "ms", "higher_is_better": False, "noise": 0.5, "key": True, "label": ""},
        "engine": {"unit": "", "higher_is_better": None, "noise": 0.0, "key": True, "label": ""}})
    with pytest.raises(sqlite3.IntegrityError):  # a run is recorded once
        history.record_run(conn, s, 1)


@pytest.fixture
def three_runs(conn):
    history.record_run(conn, _summary("20261101T000000Z", "2026-11-01T00:00:00+00:00", {"01_a": "PASS"},
                                      figures={"n": 1}), 0)
    history.record_run(conn, _summary("20261102T000000Z", "2026-11-02T00:00:00+00:00", {"01_a": "FAIL"},
                                      baseline="20261101T000000Z", figures={"n": 5}), 1)
    history.record_run(conn, _summary("20261103T000000Z", "2026-11-03T00:00:00+00:00", {"01_a": "PASS"},
                                      phash="other", figures={"n": 9}), 0)
    return conn


def test_baselines_and_run_references(three_runs, tmp_path):
    conn = three_runs
    assert history_query.previous_comparable(conn, "h1").run_id == "20261102T000000Z"
    second = history_query.get_run(conn, "20261102T000000Z")
    assert history_query.previous_comparable(conn, "h1", before=second).run_id == "20261101T000000Z"
    assert history_query.previous_comparable(conn, "nothing") is None
    out = tmp_path
    assert history_query.resolve_run(conn, "latest", out).run_id == "20261103T000000Z"  # no link: the newest
    (out / "latest").symlink_to("20261102T000000Z")
    assert history_query.resolve_run(conn, "latest", out).run_id == "20261102T000000Z"
    assert history_query.resolve_run(conn, str(out / "20261101T000000Z") + "/", out).run_id == "20261101T000000Z"
    with pytest.raises(ConfigError, match=r"unknown run 'nope' in .*history.sqlite \(newest runs: 20261101T000000Z, "):
        history_query.resolve_run(conn, "nope", out)
    assert [r.run_id for r in history_query.runs(conn, since="2026-11-02T00:00:00+00:00")] == [
        "20261102T000000Z", "20261103T000000Z"]
    assert [r.run_id for r in history_query.runs(conn, limit=1)] == ["20261103T000000Z"]


def test_trends_series_and_status_changes(three_runs):
    conn = three_runs
    trend = history_query.trend(conn, "h1")
    assert trend == {"01_a": [{"run_id": "20261101T000000Z", "status": "PASS", "figures": {"n": 1.0}},
                              {"run_id": "20261102T000000Z", "status": "FAIL", "figures": {"n": 5.0}}]}
    assert [(r[1], r[4]) for r in history_query.figure_series(conn, "h1")] == [
        ("20261101T000000Z", 1.0), ("20261102T000000Z", 5.0)]
    assert history_query.status_changes(conn) == [{
        "run_id": "20261102T000000Z", "started": "2026-11-02T00:00:00+00:00", "baseline_id": "20261101T000000Z",
        "notebook": "01_a", "status_before": "PASS", "status_after": "FAIL"}]
    assert [r["value"] for r in history_query.figure_rows(conn, figure="n")] == [1, 5, 9]
    assert [r["status"] for r in history_query.notebook_rows(conn, notebook="01_a")] == ["PASS", "FAIL", "PASS"]


def test_budget_left_figures_join_the_series_by_prefix(conn):
    s = _summary("20261101T000000Z", "2026-11-01T00:00:00+00:00", {"03_slo": "FAIL"},
                 figures={"budget left % api_availability": -43.0, "budget_left_x": 1.0})
    s.notebooks[0].figure_info = {"budget left % api_availability": {"unit": "%", "key": False},
                                  "budget_left_x": {"key": False}}
    history.record_run(conn, s, 1)
    names = [r[3] for r in history_query.figure_series(conn, "h1", prefix="budget left %")]
    assert names == ["budget left % api_availability"]  # '%' and '_' in the prefix are literal
    assert history_query.figure_series(conn, "h1") == []  # not key figures


def test_version_2_adds_labels_and_makes_the_collscan_share_a_percentage(tmp_path):
    """A database of version 1 (written before figures had labels) is upgraded in place, its rows kept."""
    path = tmp_path / "history.sqlite"
    c = sqlite3.connect(path, isolation_level=None)
    history.migrate(c, history.MIGRATIONS[:1])
    c.execute("INSERT INTO runs VALUES ('R1', '2026-11-01T00:00:00+00:00', 'f', NULL, 'h1', NULL, 1, 'FAIL', NULL)")
    c.execute("INSERT INTO notebooks VALUES ('R1', '01_query_cost_audit', 'FAIL', 'h', 1.0, NULL)")
    c.executemany("INSERT INTO figures VALUES ('R1', '01_query_cost_audit', ?, ?, ?, ?, ?, 0, ?, 1)", [
        ("COLLSCAN share of time", 0, "0.949", 0.949, "", 0.01), ("FAIL shapes", 1, "5", 5.0, "shapes", 0.0)])
    c.close()
    conn = history.connect(path)
    assert history.schema_version(conn) == 2
    (snap,) = history_query.snapshots(conn, "R1").values()
    assert snap.figures == {"COLLSCAN share of time": 94.9, "FAIL shapes": 5}
    assert snap.figure_info["COLLSCAN share of time"] == {"unit": "%", "higher_is_better": False, "noise": 1.0,
                                                          "key": True, "label": ""}
    assert snap.figure_info["FAIL shapes"]["unit"] == "shapes"
    assert conn.execute("SELECT num FROM figures WHERE name = 'COLLSCAN share of time'").fetchone()[0] == \
        pytest.approx(94.9)
    history.migrate(conn)  # applied once: a second pass changes nothing
    assert history_query.snapshots(conn, "R1")["01_query_cost_audit"].figures["COLLSCAN share of time"] == 94.9
    conn.close()


def test_labels_are_recorded_beside_the_stable_names(conn):
    s = _summary("20261101T000000Z", "2026-11-01T00:00:00+00:00", {"03_slo": "FAIL"}, figures={"no_data": 2})
    s.notebooks[0].figure_info = {"no_data": {"unit": "SLOs", "key": True, "label": "SLOs without data"}}
    history.record_run(conn, s, 1)
    assert history_query.snapshots(conn, s.run_id)["03_slo"].figure_info["no_data"]["label"] == "SLOs without data"
    assert history_query.figure_series(conn, "h1") == [
        ("2026-11-01T00:00:00+00:00", "20261101T000000Z", "03_slo", "no_data", 2.0, "SLOs", "SLOs without data")]
    assert [r["figure"] for r in history_query.figure_rows(conn, figure="no_data")] == ["no_data"]  # the stable name
    assert [r["value"] for r in history_query.figure_rows(conn, figure="SLOs without data")] == [2]  # or its label
