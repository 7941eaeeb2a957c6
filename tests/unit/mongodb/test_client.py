"""analysis.mongodb.client: bounded connect, one redacted line on failure."""

import pytest

from analysis.errors import SourceError
from analysis.mongodb.client import connect


def test_connect_failure_is_bounded_one_line_and_redacted():
    with pytest.raises(SourceError) as exc:
        connect("mongodb://auditor:pw-9f8e7d@127.0.0.1:9/?directConnection=true", timeout_s=0.3)
    msg = str(exc.value)
    assert "cannot connect within 0.3 s" in msg and "pw-9f8e7d" not in msg and "\n" not in msg


def test_read_only_database_refuses_writes_before_the_server():
    import mongomock

    from analysis.errors import UnsafeOperationError
    from analysis.mongodb.client import ReadOnlyDatabase

    raw = mongomock.MongoClient().db
    raw.c.insert_one({"a": 1})
    db = ReadOnlyDatabase(raw)
    assert db["c"].count_documents({}, maxTimeMS=10) == 1 and list(db["c"].aggregate([{"$match": {}}]))
    for write in (lambda: db["c"].insert_one({"a": 2}), lambda: db["c"].drop(),
                  lambda: db["c"].aggregate([{"$match": {}}, {"$out": "x"}]),
                  lambda: db.command({"dropDatabase": 1}), lambda: db.command({"aggregate": "c", "pipeline": [{"$merge": "y"}]})):
        with pytest.raises(UnsafeOperationError, match="read-only"):
            write()
    assert raw.c.count_documents({}) == 1 and "x" not in raw.list_collection_names()
