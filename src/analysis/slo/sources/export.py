"""Exported Prometheus data files → :class:`~analysis.slo.series.Samples`: read, detect the format, merge.

Accepted formats (optionally gzip-compressed, detected by content, not by name), each
parsed by its own module:

* Prometheus HTTP API JSON, ``/api/v1/query_range`` and ``/api/v1/query``
  (:mod:`.prom_json`; each ``query`` file is one instant, several files make a series);
* Grafana panel CSV, wide or long form (:mod:`.grafana_csv`);
* Prometheus text exposition (a ``/metrics`` scrape) and OpenMetrics text (:mod:`.exposition`).

All exports must hold raw series (the bare selector, e.g. ``http_requests_total``), not
``rate()``/``increase()`` results: the workbook computes increases itself. Many files
(e.g. a long window exported in 11,000-point chunks) are merged, overlaps deduplicated.
"""

from __future__ import annotations

import gzip
import logging
import os
from collections.abc import Iterable
from pathlib import Path

from ...config import resolve_path
from ...errors import DataError, SourceError
from ..series import Samples, build, merge
from .exposition import SAMPLE_LINE, parse_text
from .grafana_csv import parse_grafana_csv
from .prom_json import parse_prom_json

log = logging.getLogger(__name__)


def read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when they are gzip (by content).

    Raises
    ------
    SourceError
        Missing or unreadable file, corrupt gzip.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(f"{path}: export file not found") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read export: {exc.strerror or exc}") from None
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise SourceError(f"{path}: corrupt gzip file: {exc}") from None
    return data


def detect_format(data: bytes) -> str:
    """Guess the export format of ``data``.

    Returns
    -------
    str
        One of ``"prom-json"``, ``"openmetrics"``, ``"grafana-csv"``, ``"exposition"``,
        ``"empty"``.
    """
    head = data[:4096].lstrip()
    if not head:
        return "empty"
    if head[:1] in (b"{", b"["):
        return "prom-json"
    tail = data[-256:].rstrip().splitlines()
    if tail and tail[-1].strip() == b"# EOF":
        return "openmetrics"
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    if first.startswith("#"):
        return "exposition"
    if SAMPLE_LINE.match(first):
        return "exposition"
    if "," in first or ";" in first or "\t" in first:
        return "grafana-csv"
    return "exposition"


def load_export(path: str | os.PathLike[str]) -> Samples:
    """Load one export file (format auto-detected, gzip allowed).

    Parameters
    ----------
    path : str or PathLike
        The file; relative paths go through :func:`analysis.config.resolve_path`.

    Returns
    -------
    Samples

    Raises
    ------
    SourceError
        Unreadable file or malformed content (one line naming the file and line/series).
    DataError
        The file holds no samples.
    """
    p = resolve_path(path)
    if p.is_dir():
        raise SourceError(f"{p}: is a directory (pass the export files, or use load_exports)")
    data = read_bytes(p)
    fmt = detect_format(data)
    if fmt == "empty":
        raise DataError(f"{p}: empty export file")
    if fmt == "prom-json":
        parts = parse_prom_json(data, str(p))
    elif fmt == "grafana-csv":
        parts = parse_grafana_csv(data, str(p))
    else:
        parts = parse_text(data, p, openmetrics=(fmt == "openmetrics"))
    del data
    s = build(parts, origin=f"{p.name} ({fmt})")
    if len(s) == 0:
        raise DataError(f"{p}: export holds no samples ({fmt})")
    log.info("%s: %s, %d series, %d samples", p, fmt, len(s.labels), len(s))
    return s


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Resolve paths; a directory stands for its export files (sorted).

    Raises
    ------
    SourceError
        No path, or a directory without export files.
    """
    out: list[Path] = []
    for raw in paths:
        p = resolve_path(raw)
        if p.is_dir():
            files = sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith(".")
                           and f.suffix.lower() not in (".md", ".yaml", ".yml"))
            if not files:
                raise SourceError(f"{p}: directory holds no export files")
            out.extend(files)
        else:
            out.append(p)
    if not out:
        raise SourceError("no export file given")
    return out


def load_exports(paths: Iterable[str | os.PathLike[str]]) -> Samples:
    """Load and merge many export files (e.g. a long window exported in 11,000-point chunks)."""
    return merge([load_export(p) for p in expand_paths(paths)])
