"""Golden ``digest --json`` of the benchmark inputs: the fast digest must print what the old one printed.

The benchmark logs are too big for the repository; their digests are not. ``benchmarks/golden/<name>.json.gz``
holds ``digest --json --top 0`` of each input (paths written as file names), captured with the digest
before issue 23's rewrite (main 1ab4a67). :func:`check` compares every field; percentiles are compared
exactly for a one-process run and within the bins' error (±1 %) for a distributed one, whose engine
line differs by design. ``python -m benchmarks.golden NAME ...`` (re)captures them.
"""

from __future__ import annotations

import gzip
import json
import math
import sys
from pathlib import Path
from typing import Any

from analysis.querycost.pipeline import FleetDigest, digest_inputs
from analysis.querycost.report import digest_json

HERE = Path(__file__).resolve().parent / "golden"
PERCENTILES = ("p50_ms", "p95_ms", "p99_ms")


def as_json(fleet: FleetDigest) -> dict[str, Any]:
    """``digest --json --top 0`` of a digest, file paths reduced to their names."""
    doc = digest_json(fleet.frame, fleet.stats, 0, members=fleet.members, engine=fleet.engine.describe())
    doc = json.loads(json.dumps(doc))
    doc["files"] = [Path(f).name for f in doc["files"]]
    for s in doc["skipped_files"]:
        s["file"] = Path(s["file"]).name
    return doc


def differences(got: dict[str, Any], want: dict[str, Any], *, exact: bool) -> list[str]:
    """Fields that differ (percentiles within ±1 % when not ``exact``; the engine line is not compared)."""
    out = [k for k in want if k not in ("shapes", "engine", "members") and got.get(k) != want[k]]
    if len(got["shapes"]) != len(want["shapes"]):
        return [*out, f"shapes: {len(got['shapes'])} != {len(want['shapes'])}"]
    for i, (g, w) in enumerate(zip(got["shapes"], want["shapes"])):
        for k, v in w.items():
            same = g[k] == v or (not exact and k in PERCENTILES and math.isclose(g[k], v, rel_tol=0.0101))
            if not same:
                out.append(f"shape #{i} {k}: {g[k]!r} != {v!r}")
    for i, (g, w) in enumerate(zip(got["members"], want["members"])):
        out += [f"member #{i} {k}: {g.get(k)!r} != {v!r}" for k, v in w.items() if g.get(k) != v]
    return out


def load(name: str) -> dict[str, Any] | None:
    """The stored golden document (None when not captured)."""
    path = HERE / f"{name}.json.gz"
    return json.loads(gzip.decompress(path.read_bytes())) if path.exists() else None


def check(name: str, fleet: FleetDigest) -> str:
    """``"same as golden"``, ``"DIFFERS from golden: …"`` or ``"no golden"`` for one benchmark digest."""
    want = load(name)
    if want is None:
        return "no golden"
    diff = differences(as_json(fleet), want, exact=fleet.engine.exact)
    return "same as golden (every field)" if not diff else f"DIFFERS from golden: {'; '.join(diff[:5])}"


def capture(name: str, paths: list[Path]) -> None:
    """Digest ``paths`` in one process and store the golden document."""
    doc = as_json(digest_inputs([str(p) for p in paths], workers=1))
    HERE.mkdir(exist_ok=True)
    (HERE / f"{name}.json.gz").write_bytes(gzip.compress(json.dumps(doc, indent=0).encode(), mtime=0))
    print(f"{name}: {doc['lines']} lines, {doc['shapes_total']} shapes", flush=True)


def main(names: list[str]) -> None:
    from benchmarks import inputs

    makers = {"mixed": lambda: [inputs.mixed_log()], "slow_only": lambda: [inputs.slow_only_log()],
              "member": lambda: [inputs.member_log()], "fleet": inputs.fleet_set}
    for name in names or list(makers):
        capture(name, makers[name]())


if __name__ == "__main__":
    main(sys.argv[1:])
