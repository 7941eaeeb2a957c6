"""Exported Prometheus data → :class:`~analysis.slo.samples.Samples`, format auto-detected.

Accepted formats (optionally gzip-compressed, detected by content, not by name):

* Prometheus HTTP API JSON: ``/api/v1/query_range`` (``resultType: matrix``) and
  ``/api/v1/query`` (``resultType: vector``; each file is one instant, several files
  make a series). Large matrices are parsed straight into numpy: the ``values``
  arrays never become Python objects (``json.load`` of the same file takes ~10× the
  file size in memory);
* Grafana panel CSV (Inspect → Data → Download CSV): a ``Time`` column plus one column
  per series whose header is the series (``name{label="v"}``) or a legend; or the long
  form ``Series,Time,Value``. Times are ISO strings or epoch seconds/milliseconds;
* Prometheus text exposition (a ``/metrics`` scrape): the snapshot time is the sample
  timestamp (milliseconds) when present, else a ``# scraped_at: <ISO or epoch>`` comment,
  else an ISO time or epoch in the file name, else the file's modification time
  (logged). Two or more snapshots give increases;
* OpenMetrics text (ends with ``# EOF``; timestamps in seconds).

All exports must hold raw series (the bare selector, e.g. ``http_requests_total``), not
``rate()``/``increase()`` results: the workbook computes increases itself.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import math
import os
import re
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import orjson
import pandas as pd

from ...config import resolve_path
from ...errors import DataError, SourceError
from ..samples import Samples, build, merge
from ..selector import parse_series_name

log = logging.getLogger(__name__)

_TRANS = bytes.maketrans(b'[],"', b"    ")
_METRIC_KEY = re.compile(rb'"metric"\s*:\s*\{')
_VALUES_KEY = re.compile(rb'\s*,\s*"values"\s*:\s*\[')
_RESULT_TYPE = re.compile(rb'"resultType"\s*:\s*"(\w+)"')
_SAMPLE_LINE = re.compile(
    r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{(?P<labels>(?:[^\"}]|\"(?:[^\"\\]|\\.)*\")*)\})?"
    r"\s+(?P<value>\S+)(?:\s+(?P<ts>-?[0-9.eE+\-]+))?\s*(?:#.*)?$"
)
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)')
_TIME_COLUMNS = ("time", "timestamp", "date", "datetime", "ts")
_SCRAPED_AT = re.compile(r"^#\s*scraped_at\s*:?\s*(\S+)", re.I)
_ISO_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2}[T_ ]\d{2}[:\-]?\d{2}(?:[:\-]?\d{2})?Z?)|(?<!\d)(1\d{9})(?!\d)")


def _read_bytes(path: Path) -> bytes:
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
    if _SAMPLE_LINE.match(first):
        return "exposition"
    if "," in first or ";" in first or "\t" in first:
        return "grafana-csv"
    return "exposition"


# --------------------------------------------------------------------------- JSON
def _values_to_arrays(seg: bytes, where: str) -> tuple[np.ndarray, np.ndarray]:
    pairs = seg.count(b"[") - 1
    with warnings.catch_warnings():  # a bad token stops the parse with a warning; the count check reports it
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            flat = np.fromstring(seg.translate(_TRANS), sep=" ")
        except ValueError:
            raise SourceError(f"{where}: a value in the values array is not a number") from None
    if flat.size != 2 * pairs:
        raise SourceError(f"{where}: cannot parse the values array ({flat.size} numbers for {pairs} samples)")
    flat = flat.reshape(-1, 2)
    return flat[:, 0].copy(), flat[:, 1].copy()


def _fast_matrix(data: bytes, where: str) -> list[tuple[dict, np.ndarray, np.ndarray]] | None:
    """Parse a query_range matrix without materializing samples; None → use the slow path."""
    m = _RESULT_TYPE.search(data[:4096])
    if not m or m.group(1) != b"matrix":
        return None
    decoder = json.JSONDecoder()
    parts = []
    skeleton = []
    pos = 0
    search_from = 0
    while True:
        mk = _METRIC_KEY.search(data, search_from)
        if not mk:
            break
        brace = mk.end() - 1
        window = data[brace:brace + 65536].decode("utf-8", "replace")
        try:
            labels, used = decoder.raw_decode(window)
        except json.JSONDecodeError:
            return None
        after = brace + len(window[:used].encode("utf-8"))
        mv = _VALUES_KEY.match(data, after)
        if not mv:
            return None
        start = mv.end() - 1
        end = data.find(b"]]", start)
        if end < 0:
            return None
        end += 2
        seg = data[start:end]
        if b"{" in seg or b"}" in seg:
            return None
        ts, val = _values_to_arrays(seg, f"{where}: series {labels}")
        parts.append((labels, ts, val))
        skeleton.append(data[pos:start])
        skeleton.append(b"[]")
        pos = search_from = end
    skeleton.append(data[pos:])
    try:
        doc = orjson.loads(b"".join(skeleton))
    except orjson.JSONDecodeError:
        return None
    if not isinstance(doc, dict) or doc.get("status", "success") != "success":
        return None
    res = (doc.get("data") or {}).get("result") if "data" in doc else doc.get("result")
    if not isinstance(res, list) or len(res) != len(parts):
        return None
    return parts


def _json_error_line(data: bytes, exc: Exception) -> str:
    try:
        json.loads(data)
    except json.JSONDecodeError as e:
        return f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}"
    except UnicodeDecodeError:
        return "not UTF-8 text"
    return f"invalid JSON: {exc}"


def parse_prom_json(data: bytes, where: str) -> list[tuple[dict, np.ndarray, np.ndarray]]:
    """Parse Prometheus HTTP API JSON (matrix or vector) into ``(labels, ts, values)`` parts."""
    fast = _fast_matrix(data, where)
    if fast is not None:
        return fast
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise SourceError(f"{where}: {_json_error_line(data, exc)}") from None
    if isinstance(doc, dict) and "status" in doc and doc["status"] != "success":
        raise SourceError(f"{where}: Prometheus returned status {doc.get('status')!r}: {doc.get('error', '')}")
    data_obj = doc.get("data", doc) if isinstance(doc, dict) else None
    if not isinstance(data_obj, dict) or "result" not in data_obj:
        raise SourceError(f"{where}: not a Prometheus API response (no data.result)")
    rtype = data_obj.get("resultType")
    result = data_obj["result"]
    if rtype not in ("matrix", "vector") or not isinstance(result, list):
        raise SourceError(f"{where}: unsupported resultType {rtype!r} (expected matrix or vector)")
    parts = []
    for i, item in enumerate(result):
        try:
            labels = {str(k): str(v) for k, v in item["metric"].items()}
            pairs = item["values"] if rtype == "matrix" else [item["value"]]
            arr = np.array([(float(t), float(v)) for t, v in pairs], dtype=np.float64).reshape(-1, 2)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SourceError(f"{where}: result[{i}] is malformed ({type(exc).__name__}: {exc})") from None
        parts.append((labels, arr[:, 0], arr[:, 1]))
    return parts


# --------------------------------------------------------------------------- CSV
def _parse_times(col: pd.Series, where: str) -> np.ndarray:
    num = pd.to_numeric(col, errors="coerce")
    if num.notna().all():
        v = num.to_numpy(dtype=np.float64)
        return v / 1000.0 if np.nanmedian(v) > 1e11 else v
    try:
        t = pd.to_datetime(col, utc=True, format="mixed")
    except (ValueError, TypeError) as exc:
        raise SourceError(f"{where}: cannot parse the time column: {exc}") from None
    if t.isna().any():
        row = int(np.flatnonzero(t.isna().to_numpy())[0]) + 2
        raise SourceError(f"{where}: line {row}: empty or invalid time")
    return (t - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(dtype=np.float64)


def _header_labels(name: str) -> dict[str, str]:
    try:
        return parse_series_name(name)
    except Exception:  # a Grafana legend that is not a series name
        return {"__name__": name.strip()}


def parse_grafana_csv(data: bytes, where: str) -> list[tuple[dict, np.ndarray, np.ndarray]]:
    """Parse a Grafana panel CSV (wide: Time + one column per series; or long: Series,Time,Value)."""
    text = data.decode("utf-8-sig", "replace")
    sep = max((",", ";", "\t"), key=lambda s: text.split("\n", 1)[0].count(s))
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise SourceError(f"{where}: cannot parse CSV: {' '.join(str(exc).split())}") from None
    cols = {c.strip().lower(): c for c in df.columns}
    tcol = next((cols[c] for c in _TIME_COLUMNS if c in cols), None)
    if tcol is None:
        raise SourceError(f"{where}: CSV has no time column (expected one of 'Time', 'timestamp'; "
                          f"found {', '.join(map(str, df.columns[:5]))})")
    if df.empty:
        raise DataError(f"{where}: CSV has a header but no rows")
    ts = _parse_times(df[tcol].str.strip(), where)
    parts = []
    long_series = cols.get("series") or cols.get("metric")
    long_value = cols.get("value")
    if long_series and long_value:
        vals = _csv_values(df[long_value], where, long_value)
        for name, idx in df.groupby(long_series, sort=False).indices.items():
            parts.append((_header_labels(str(name)), ts[idx], vals[idx]))
        return parts
    for c in df.columns:
        if c == tcol:
            continue
        parts.append((_header_labels(str(c)), ts, _csv_values(df[c], where, c)))
    if not parts:
        raise DataError(f"{where}: CSV has a time column but no series columns")
    return parts


def _csv_values(col: pd.Series, where: str, name: str) -> np.ndarray:
    s = col.str.strip().replace({"": "NaN", "null": "NaN", "undefined": "NaN"})
    num = pd.to_numeric(s, errors="coerce")
    bad = num.isna() & ~s.str.lower().isin(["nan"])
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise SourceError(f"{where}: line {row + 2}: column {name!r}: not a number: {col.iloc[row]!r:.40}")
    return num.to_numpy(dtype=np.float64)


# --------------------------------------------------------------------------- text formats
def _snapshot_time(path: Path, lines: Sequence[str]) -> float:
    for line in lines[:20]:
        m = _SCRAPED_AT.match(line)
        if m:
            return _to_epoch(m.group(1), f"{path}: scraped_at")
    m = _ISO_IN_NAME.search(path.name)
    if m:
        return _to_epoch(m.group(0), f"{path}: time in file name")
    log.warning("%s: no sample timestamps, no '# scraped_at:' line, no time in the name; using mtime", path)
    return os.path.getmtime(path)


def _to_epoch(text: str, where: str) -> float:
    try:
        if re.fullmatch(r"\d+(\.\d+)?", text):
            v = float(text)
            return v / 1000.0 if v > 1e11 else v
        t = text.replace("_", "T")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}-\d{2}(-\d{2})?Z?", t):
            d, h = t.split("T")
            t = d + "T" + h.replace("-", ":")
        stamp = pd.Timestamp(t)
        return (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp).timestamp()
    except (ValueError, TypeError):
        raise SourceError(f"{where}: cannot parse time {text!r}") from None


def _parse_labels(body: str | None, where: str) -> dict[str, str]:
    out: dict[str, str] = {}
    if not body:
        return out
    pos = 0
    body = body.strip()
    while pos < len(body):
        m = _LABEL.match(body, pos)
        if not m:
            raise SourceError(f"{where}: cannot parse labels {{{body[:60]}}}")
        out[m.group(1)] = re.sub(r"\\(.)", lambda x: {"n": "\n"}.get(x.group(1), x.group(1)), m.group(2))
        pos = m.end()
    return out


def parse_text(data: bytes, path: Path, openmetrics: bool) -> list[tuple[dict, np.ndarray, np.ndarray]]:
    """Parse text exposition or OpenMetrics into parts; one clear error per bad line."""
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
        m = _SAMPLE_LINE.match(line)
        if not m:
            raise SourceError(f"{where}:{n}: cannot parse line {line[:60]!r}")
        try:
            value = float(m.group("value"))
        except ValueError:
            raise SourceError(f"{where}:{n}: bad sample value {m.group('value')[:30]!r}") from None
        labels = _parse_labels(m.group("labels"), f"{where}:{n}")
        labels["__name__"] = m.group("name")
        if m.group("ts") is not None:
            try:
                ts = float(m.group("ts"))
            except ValueError:
                raise SourceError(f"{where}:{n}: bad timestamp {m.group('ts')[:30]!r}") from None
            if not openmetrics:
                ts /= 1000.0
        else:
            if default_ts is None:
                default_ts = _snapshot_time(path, lines)
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


# --------------------------------------------------------------------------- entry points
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
    data = _read_bytes(p)
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
    """Resolve paths; a directory stands for its export files (sorted)."""
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
