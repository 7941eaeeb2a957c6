"""Wall time of a full report on embedded defaults (what `make report` runs), per notebook.

Goal: all notebooks ≤ 60 s on the 2-core reference machine after setup.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from analysis import runner
from analysis.config import params_dir

GOAL_S = 60.0


def main() -> dict:
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        summary = runner.run_notebooks(
            runner.discover_notebooks(), out=Path(out), params_file=str(params_dir() / "default.yaml"), progress=False
        )
        wall = time.perf_counter() - t0
    rows = {r.name: r.seconds for r in summary.notebooks}
    width = max(map(len, rows), default=10)
    print(f"{'notebook':<{width}}  seconds  status")
    for r in summary.notebooks:
        print(f"{r.name:<{width}}  {r.seconds:7.1f}  {r.status}")
    print(f"{'total (wall, incl. HTML export)':<{width}}  {wall:7.1f}  goal ≤ {GOAL_S:.0f} s → {'met' if wall <= GOAL_S else 'MISSED'}"
          f" (ratio {wall / GOAL_S:.2f})")
    return {"wall_s": round(wall, 1), "per_notebook_s": rows, "goal_s": GOAL_S}
