"""Text-format log (MongoDB 2.4 → 4.2) digest throughput beside the 4.4+ JSON log's, one process each.

The text log is generated at bench time (never committed) by cycling the real text-format lines of
``tests/data/querycost/textlogs`` (2.4 → 4.2, their sources in ``tests/unit/querycost/sources/test_textlog.py``)
to 200k lines, 64 % of them operation lines; the JSON log cycles the embedded sample's 4.4+ lines to
200k lines (the mixed log of ``bench_querycost``, ~60 % "Slow query"). Both are digested with
:func:`analysis.querycost.pipeline.digest_files` forced into one process (``workers=1``), best of 3,
side by side in one run; a bare ``str.split`` loop over the text log is the floor.
"""

from __future__ import annotations

import gc
import os
import tempfile
import time
from pathlib import Path

from analysis.querycost.pipeline import digest_files

from .bench_querycost import _write_log

TEXT = Path(__file__).resolve().parents[1] / "tests" / "data" / "querycost" / "textlogs"
LINES = 200_000


def _write_text_log(path: Path, n: int) -> None:
    src = [ln for f in sorted(TEXT.glob("*.log")) for ln in f.read_bytes().splitlines(True)]
    ops = [ln for ln in src if ln.rstrip().endswith(b"ms")]
    other = [ln for ln in src if not ln.rstrip().endswith(b"ms")]
    with path.open("wb") as fh:
        fh.writelines(ops[i % len(ops)] if i % 100 < 64 else other[i % len(other)] for i in range(n))


def _time(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _split_loop(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(len(line.split()) for line in fh)


def main() -> dict:
    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="bench_textlog_") as tmp:
        text, js = Path(tmp) / "mongod_text.log", Path(tmp) / "mongod_json.log"
        _write_text_log(text, LINES)
        _write_log(js, LINES)
        t_split = _time(lambda: _split_loop(text))
        t_text = _time(lambda: digest_files([text], workers=1))
        t_json = _time(lambda: digest_files([js], workers=1))
        _, st_text = digest_files([text], workers=1)
        _, st_json = digest_files([js], workers=1)
        for label, path, t, st in (("text 2.4-4.2", text, t_text, st_text), ("JSON 4.4+", js, t_json, st_json)):
            out[label] = {"lines": st.lines, "queries": st.records, "bytes": path.stat().st_size,
                          "digest_s": round(t, 3), "lines_per_s": round(st.lines / t),
                          "mb_per_s": round(path.stat().st_size / 2**20 / t, 1)}
        out["ratio_text_vs_json_lines_per_s"] = round(t_json / t_text, 2)
        out["ratio_text_digest_vs_split_loop"] = round(t_split / t_text, 2)
    print(f"{'log':<16}{'lines':>9}{'queries':>9}{'MB':>7}{'digest s':>10}{'lines/s':>10}{'MB/s':>7}")
    for label in ("text 2.4-4.2", "JSON 4.4+"):
        r = out[label]
        print(f"{label:<16}{r['lines']:>9}{r['queries']:>9}{r['bytes'] / 2**20:>7.0f}{r['digest_s']:>10.3f}"
              f"{r['lines_per_s']:>10,}{r['mb_per_s']:>7.1f}")
    print(f"text digest lines/s = {out['ratio_text_vs_json_lines_per_s']:.2f}× the JSON digest's; "
          f"a bare str.split loop over the text log is {1 / out['ratio_text_digest_vs_split_loop']:.1f}× faster than "
          f"its digest; one process each; load average {os.getloadavg()[0]:.2f}")
    return out


if __name__ == "__main__":
    main()
