"""``python -m benchmarks [NAME ...]``: run speed/memory benchmarks side by side and print ratios.

Benchmarks are not tests: they measure, print and return figures. Each
``benchmarks/bench_<name>.py`` defines ``main() -> dict``.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    available = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    wanted = [a for a in argv if not a.startswith("-")] or available
    unknown = [w for w in wanted if w not in available]
    if unknown:
        print(f"error: unknown benchmark {unknown[0]!r} (known: {', '.join(available)})", file=sys.stderr)
        return 2
    results = {}
    for name in wanted:
        print(f"=== {name}", flush=True)
        t0 = time.perf_counter()
        module = importlib.import_module(f"benchmarks.bench_{name}")
        results[name] = module.main()
        print(f"--- {name}: {time.perf_counter() - t0:.1f} s\n", flush=True)
    if "--json" in argv:
        print(json.dumps(results, indent=2, default=str))
    return 0


sys.exit(main(sys.argv[1:]))
