"""Prometheus HTTP API JSON (``query_range`` matrix, ``query`` vector) → ``(labels, ts, values)`` parts.

Large matrices are parsed straight into numpy: the ``values`` arrays never become Python
objects (``json.load`` of the same file takes ~10× the file size in memory). Anything the
fast path does not recognise falls back to a plain parse with one-line errors.
"""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import orjson

from ...errors import SourceError
from ..series import Part

_TRANS = bytes.maketrans(b'[],"', b"    ")
_METRIC_KEY = re.compile(rb'"metric"\s*:\s*\{')
_VALUES_KEY = re.compile(rb'\s*,\s*"values"\s*:\s*\[')
_RESULT_TYPE = re.compile(rb'"resultType"\s*:\s*"(\w+)"')


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


def _fast_matrix(data: bytes, where: str) -> list[Part] | None:
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


def parse_prom_json(data: bytes, where: str) -> list[Part]:
    """Parse Prometheus HTTP API JSON (matrix or vector) into ``(labels, ts, values)`` parts.

    Parameters
    ----------
    data : bytes
        A ``/api/v1/query_range`` or ``/api/v1/query`` response body, gunzipped.
    where : str
        Named in every error (the file).

    Returns
    -------
    list of Part
        One per element of ``data.result``; a vector gives one sample per series.

    Raises
    ------
    SourceError
        Invalid JSON (line and column), an error status, or a malformed result (one line).
    """
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
