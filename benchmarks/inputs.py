"""The digest benchmarks' inputs, generated once under ``/tmp`` (never in the repository) and reused.

* ``mixed`` — 200k lines cycled from the embedded sample (~60 % "Slow query"), fresh ids per pass
  (:func:`write_sample_log`);
* ``slow_only`` — the same, "Slow query" lines only (the pre-filter's worst case);
* ``member`` — a real-shaped single-member 7.0 log of 160 MiB (:mod:`analysis.samples.memberlog`:
  mostly awaitable hello, oplog / cursor getMores, finds and aggregations with long commands);
* ``fleet`` — 24 logs of ~85 MiB (2.2 GiB), each with its own member's startup line (``bench_fleet``).

A stamp file per input says how it was made; a changed recipe makes a new one.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from analysis.config import data_dir
from analysis.samples.memberlog import write_member_log

ROOT = Path("/tmp/infra-mind-bench-querycost")
SAMPLE = data_dir() / "querycost" / "sample_slow_query.log.gz"
LINES = 200_000
MEMBER_BYTES = 160 * 2**20
FLEET_ROOT = Path("/tmp/infra-mind-bench-fleet")
FLEET_FILES = 24
FLEET_LINES = 107_000  # ~85 MiB each, ~2.2 GiB in all
FLEET_STAMP = f"v1-{FLEET_FILES}x{FLEET_LINES}"


def write_sample_log(path: Path, n: int, *, slow_only: bool = False) -> int:
    """``n`` lines cycled from the embedded sample; each pass gets its own connection, user and assessment ids."""
    src = [ln for ln in gzip.open(SAMPLE, "rb").read().splitlines() if ln.strip()]
    if slow_only:
        src = [ln for ln in src if b'"msg":"Slow query"' in ln and b'"hello"' not in ln]
    with path.open("wb") as fh:
        for i in range(n):
            cycle = i // len(src)
            line = (src[i % len(src)].replace(b'"ctx":"conn', b'"ctx":"conn%d' % cycle, 1)
                    .replace(b'user-', b'u%04d-' % cycle).replace(b'"677485800', b'"6%08x' % cycle))
            fh.write(line + b"\n")
    return n


def _cached(path: Path, stamp: str, make) -> Path:
    mark = path.with_name(path.name + ".stamp")
    if path.exists() and mark.exists() and mark.read_text() == stamp:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    make(tmp)
    tmp.replace(path)
    mark.write_text(stamp)
    return path


def mixed_log() -> Path:
    """The mixed 200k-line log (~166 MB)."""
    return _cached(ROOT / f"mixed_{LINES}.log", f"sample-v1-{LINES}", lambda p: write_sample_log(p, LINES))


def slow_only_log() -> Path:
    """The slow-query-only 200k-line log."""
    return _cached(ROOT / f"slow_{LINES}.log", f"sample-slow-v1-{LINES}",
                   lambda p: write_sample_log(p, LINES, slow_only=True))


def small_mixed_log(n: int = 50_000) -> Path:
    """The first ``n`` lines of the mixed log's recipe (memory growth check)."""
    return _cached(ROOT / f"mixed_{n}.log", f"sample-v1-{n}", lambda p: write_sample_log(p, n))


def member_log() -> Path:
    """The real-shaped single-member log (160 MiB)."""
    return _cached(ROOT / "member_70.log", f"memberlog-v2-{MEMBER_BYTES}",
                   lambda p: write_member_log(p, MEMBER_BYTES))


def tiny_log() -> Path:
    """A tiny log (the start-up benchmark): the 4.4 fixture's lines."""
    return _cached(ROOT / "tiny.log", "tiny-v1", lambda p: write_sample_log(p, 20))


def _startup(i: int) -> bytes:
    head = {"t": {"$date": "2025-11-04T08:59:00.000+00:00"}, "s": "I", "c": "CONTROL", "id": 4615611,
            "ctx": "initandlisten", "msg": "MongoDB starting",
            "attr": {"pid": 100 + i, "port": 27017, "dbPath": "/data/db", "architecture": "64-bit", "host": f"db-{i}"}}
    return json.dumps(head, separators=(",", ":")).encode() + b"\n"


def fleet_set() -> list[Path]:
    """The 24-file set (generated once; reused while its stamp matches)."""
    FLEET_ROOT.mkdir(exist_ok=True)
    files = [FLEET_ROOT / f"db-{i:02d}.mongod.log" for i in range(FLEET_FILES)]
    stamp = FLEET_ROOT / "STAMP"
    if stamp.exists() and stamp.read_text() == FLEET_STAMP and all(f.exists() for f in files):
        return files
    for i, f in enumerate(files):
        body = f.with_suffix(".tmp")
        write_sample_log(body, FLEET_LINES)
        with f.open("wb") as out, body.open("rb") as src:
            out.write(_startup(i))
            while chunk := src.read(1 << 24):
                out.write(chunk)
        body.unlink()
    stamp.write_text(FLEET_STAMP)
    return files
