"""Grafana panel CSV (Inspect → Data → Download CSV) → ``(labels, ts, values)`` parts.

Wide form: a ``Time`` column plus one column per series whose header is the series
(``name{label="v"}``) or a legend. Long form: ``Series,Time,Value``. Times are ISO
strings or epoch seconds/milliseconds.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from ...errors import ConfigError, DataError, SourceError
from ...promql import parse_series_name
from ..series import Part

_TIME_COLUMNS = ("time", "timestamp", "date", "datetime", "ts")


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
    except ConfigError:  # a Grafana legend that is not a series name
        return {"__name__": name.strip()}


def _csv_values(col: pd.Series, where: str, name: str) -> np.ndarray:
    s = col.str.strip().replace({"": "NaN", "null": "NaN", "undefined": "NaN"})
    num = pd.to_numeric(s, errors="coerce")
    bad = num.isna() & ~s.str.lower().isin(["nan"])
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise SourceError(f"{where}: line {row + 2}: column {name!r}: not a number: {col.iloc[row]!r:.40}")
    return num.to_numpy(dtype=np.float64)


def parse_grafana_csv(data: bytes, where: str) -> list[Part]:
    """Parse a Grafana panel CSV (wide: Time + one column per series; or long: Series,Time,Value).

    Parameters
    ----------
    data : bytes
        The CSV text (UTF-8, a BOM allowed; ``,``, ``;`` or tab separated), gunzipped.
    where : str
        Named in every error, with the CSV line.

    Returns
    -------
    list of Part
        One per series column (wide) or per series name (long).

    Raises
    ------
    SourceError
        Unparseable CSV, no time column, a bad time or value (one line naming the line).
    DataError
        A header without rows or without series columns.
    """
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
