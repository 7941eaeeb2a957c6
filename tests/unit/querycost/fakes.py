"""Stand-ins for a MongoDB server in the query cost tests (recorded explain outputs, mongomock)."""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data" / "querycost"


class FakeDb:
    """Answers explain commands with recorded server outputs (the fixtures)."""

    name = "infra_mind"

    def __init__(self) -> None:
        self.commands: list[dict] = []

    def command(self, cmd: dict) -> dict:
        self.commands.append(cmd)
        inner = cmd["explain"]
        name = "explain_agg_classic.json" if "aggregate" in inner else "explain_find_classic.json"
        return json.loads((DATA / name).read_text())


class MockServer:
    """mongomock for finds, indexes, $sample and system.profile; recorded explains for ``command``."""

    def __init__(self, db) -> None:
        self.db, self.name = db, db.name

    def __getitem__(self, coll: str):
        return self.db[coll]

    def command(self, cmd: dict) -> dict:
        return FakeDb().command(cmd)
