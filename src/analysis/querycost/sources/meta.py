"""The synthetic sample's metadata file (``sample_meta.json``: field presence, simulated index set)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def load_meta(path: str | Path) -> dict[str, Any]:
    """Read ``sample_meta.json``.

    Parameters
    ----------
    path : str or Path
        The file (written by ``python -m analysis.samples.querylog``).

    Returns
    -------
    dict
        Its content; an empty dict when the file is absent.
    """
    p = Path(path)
    return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else {}
