"""One JSON sanitizer for everything the workbook writes (summary.json, CLI output, verdict figures)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any


def jsonable(value: Any, *, ndigits: int | None = None) -> Any:
    """A copy of ``value`` that ``json.dumps(..., allow_nan=False)`` accepts.

    numpy and pandas scalars become Python numbers (``.item()``); NaN and ±inf become
    ``None``; dates and datetimes become ISO 8601 text; mappings (keys as text), lists and
    tuples are converted recursively; anything else becomes its ``str``.

    Parameters
    ----------
    value : Any
        What to convert.
    ndigits : int, optional
        Round floats to this many decimals (``None``: keep them as they are).

    Returns
    -------
    Any
        Only dict, list, str, int, float, bool and None.

    Examples
    --------
    >>> import numpy as np
    >>> jsonable({"a": np.float64("nan"), 1: (np.int64(2), 0.1234567)}, ndigits=3)
    {'a': None, '1': [2, 0.123]}
    """
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if hasattr(value, "item") and callable(value.item) and not isinstance(value, (str, bytes)):
        try:
            value = value.item()
        except (ValueError, TypeError):  # arrays of more than one element
            value = value.tolist() if hasattr(value, "tolist") else str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return round(value, ndigits) if ndigits is not None else value
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v, ndigits=ndigits) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v, ndigits=ndigits) for v in value]
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)
