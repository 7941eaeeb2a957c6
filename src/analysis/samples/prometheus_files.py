"""Write Prometheus series as the files the workbook reads and the tests backfill.

``write_query_range`` writes an HTTP API ``query_range`` JSON response (the embedded export);
``write_openmetrics`` writes OpenMetrics text (what ``promtool tsdb create-blocks-from
openmetrics`` ingests).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable

import numpy as np


def write_query_range(parts: Iterable[tuple[dict, np.ndarray, np.ndarray]], fh, *, decimals: int | None = None) -> None:
    """Write ``(labels, ts, values)`` as a Prometheus ``query_range`` JSON response.

    Values are written like Prometheus does (strings); integers without a fraction.
    """
    fh.write('{"status":"success","data":{"resultType":"matrix","result":[')
    first = True
    for labels, ts, val in parts:
        if not first:
            fh.write(",")
        first = False
        fh.write('{"metric":' + json.dumps(labels, separators=(",", ":")) + ',"values":[')
        fh.write(",".join(f'[{_fmt_ts(t)},"{_fmt_val(v, decimals)}"]' for t, v in zip(ts.tolist(), val.tolist())))
        fh.write("]}")
    fh.write("]}}")


def _fmt_ts(t: float) -> str:
    return str(int(t)) if float(t).is_integer() else f"{t:.3f}"


def _fmt_val(v: float, decimals: int | None) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if float(v).is_integer():
        return str(int(v))
    return f"{v:.{decimals}f}" if decimals is not None else repr(v)


def write_openmetrics(parts: Iterable[tuple[dict, np.ndarray, np.ndarray]], fh) -> None:
    """Write series as OpenMetrics text (what ``promtool tsdb create-blocks-from openmetrics`` ingests).

    Series-major order (all samples of a series, in time order), one ``# TYPE`` line per
    family (``counter`` for ``*_total``, ``histogram`` for ``*_bucket``/``*_count``/``*_sum``),
    timestamps in seconds, ``# EOF`` at the end.
    """
    families: dict[str, tuple[str, list]] = {}
    for labels, ts, val in parts:
        name = labels["__name__"]
        if name.endswith("_total"):
            fam, typ = name[: -len("_total")], "counter"
        elif name.endswith(("_bucket", "_count", "_sum")):
            fam, typ = name.rsplit("_", 1)[0], "histogram"
        else:
            fam, typ = name, "gauge"
        families.setdefault(fam, (typ, []))[1].append((labels, ts, val))
    for fam, (typ, items) in families.items():
        fh.write(f"# TYPE {fam} {typ}\n")
        for labels, ts, val in items:
            body = ",".join(f'{k}="{_escape_label(v)}"' for k, v in labels.items() if k != "__name__")
            head = labels["__name__"] + (f"{{{body}}}" if body else "")
            fh.write("".join(f"{head} {_fmt_val(v, None)} {_fmt_ts(t)}\n" for t, v in zip(ts.tolist(), val.tolist())))
    fh.write("# EOF\n")


def _escape_label(v: str) -> str:
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
