"""Stand-ins for a MongoDB server in the query cost tests (recorded explain outputs, mongomock)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.unit.mongodb.recording import RecordingDb

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


class MockServer(RecordingDb):
    """mongomock for finds, listIndexes, $sample and system.profile; recorded explains; no $indexStats entries."""

    def command(self, cmd, **kwargs):
        if isinstance(cmd, dict) and "explain" in cmd:
            super().command(cmd, **kwargs)
            return FakeDb().command(cmd)
        return super().command(cmd, **kwargs)
