"""Prometheus text exposition (a ``/metrics`` scrape) and OpenMetrics text → ``(labels, ts, values)`` parts.

The snapshot time of an exposition file is the sample timestamp (milliseconds) when
present, else a ``# scraped_at: <ISO or epoch>`` comment, else an ISO time or epoch in the
file name, else the file's modification time (logged). Two or more snapshots give
increases. OpenMetrics text ends with ``# EOF`` and has timestamps in seconds. Label sets
are read by :func:`analysis.promql.parse_labels`.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ...errors import SourceError
from ...promql import LabelSyntaxError, parse_labels
from ...timeparse import parse_instant
from ..series import Part

log = logging.getLogger(__name__)

#: one sample line: ``name{labels} value [timestamp]``
SAMPLE_LINE = re.compile(
    r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(?P<labels>(?:[^\"}]|\"(?:[^\"\\]|\\.)*\")*)\})?"
    r"\s+(?P<value>\S+)(?:\s+(?P<ts>-?[0-9.eE+\-]+))?\s*(?:#.*)?$"
)
_SCRAPED_AT = re.compile(r"^#\s*scraped_at\s*:?\s*(\S+)", re.I)
_ISO_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2}[T_ ]\d{2}[:\-]?\d{2}(?:[:\-]?\d{2})?Z?)|(?<!\d)(1\d{9})(?!\d)")


def snapshot_time(path: Path, lines: Sequence[str]) -> float:
    """When a snapshot without sample timestamps was taken (see the module docstring), Unix seconds."""
    for line in lines[:20]:
        m = _SCRAPED_AT.match(line)
        if m:
            return to_epoch(m.group(1), f"{path}: scraped_at")
    m = _ISO_IN_NAME.search(path.name)
    if m:
        return to_epoch(m.group(0), f"{path}: time in file name")
    log.warning("%s: no sample timestamps, no '# scraped_at:' line, no time in the name; using mtime", path)
    return os.path.getmtime(path)


def to_epoch(text: str, where: str) -> float:
    """Epoch seconds or milliseconds, or ISO 8601 (also ``2023-11-14T22-13-20Z`` from file names) → Unix seconds.

    Raises
    ------
    SourceError
        ``where: cannot parse time '...'``.
    """
    if re.fullmatch(r"\d+(\.\d+)?", text):
        v = float(text)
        return v / 1000.0 if v > 1e11 else v
    t = text.replace("_", "T")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}-\d{2}(-\d{2})?Z?", t):
        d, h = t.split("T")
        t = d + "T" + h.replace("-", ":")
    parsed = parse_instant(t)
    if parsed is None:
        raise SourceError(f"{where}: cannot parse time {text!r}")
    return parsed.timestamp()


def _sample(m: re.Match, where: str, openmetrics: bool) -> tuple[dict[str, str], float, float | None]:
    """Labels, value and timestamp (None: not given) of one matched sample line."""
    try:
        value = float(m.group("value"))
    except ValueError:
        raise SourceError(f"{where}: bad sample value {m.group('value')[:30]!r}") from None
    try:
        labels = parse_labels(m.group("labels"))
    except LabelSyntaxError:
        raise SourceError(f"{where}: cannot parse labels {{{m.group('labels').strip()[:60]}}}") from None
    labels["__name__"] = m.group("name")
    if m.group("ts") is None:
        return labels, value, None
    try:
        ts = float(m.group("ts"))
    except ValueError:
        raise SourceError(f"{where}: bad timestamp {m.group('ts')[:30]!r}") from None
    return labels, value, ts if openmetrics else ts / 1000.0


def parse_text(data: bytes, path: Path, openmetrics: bool) -> list[Part]:
    """Parse text exposition or OpenMetrics into parts; one clear error per bad line.

    Parameters
    ----------
    data : bytes
        The (decompressed) file content.
    path : Path
        The file (for errors, and for a snapshot time in its name or modification time).
    openmetrics : bool
        OpenMetrics (timestamps in seconds, ``# EOF`` required) rather than exposition (milliseconds).

    Returns
    -------
    list of Part
        One per label set, its samples in file order.

    Raises
    ------
    SourceError
        ``file:line: problem`` for a bad line; a missing ``# EOF`` in OpenMetrics.
    """
    where = str(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{where}: not UTF-8 text (byte {exc.start})") from None
    lines = text.splitlines()
    default_ts: float | None = None
    series: dict[tuple, tuple[dict, list[float], list[float]]] = {}
    saw_eof = False
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line == "# EOF":
                saw_eof = True
                break
            continue
        m = SAMPLE_LINE.match(line)
        if not m:
            raise SourceError(f"{where}:{n}: cannot parse line {line[:60]!r}")
        labels, value, ts = _sample(m, f"{where}:{n}", openmetrics)
        if ts is None:
            if default_ts is None:
                default_ts = snapshot_time(path, lines)
            ts = default_ts
        key = tuple(sorted(labels.items()))
        entry = series.get(key)
        if entry is None:
            entry = series[key] = (labels, [], [])
        entry[1].append(ts)
        entry[2].append(value)
    if openmetrics and not saw_eof:
        raise SourceError(f"{where}: OpenMetrics text without '# EOF' (truncated?)")
    return [(lab, np.array(t), np.array(v)) for lab, t, v in series.values()]
