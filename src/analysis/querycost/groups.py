"""Per-group running totals keyed by tuples, exact to merge (pure numpy; no I/O).

:class:`GroupSums` interns tuple keys to dense ids in first-seen order and keeps one
numpy array per column: sums (``numpy.bincount``), minima / maxima (``ufunc.at``) and
bitwise ORs. Merging another instance maps its ids onto this one's and combines the
columns the same way, so folding chunks one after another, or folding partial totals
in any order, gives the same totals (associative and commutative).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

_INIT = {"sum": 0, "min": np.inf, "max": -np.inf, "or": 0}
#: How a column of each kind combines values (unbuffered, repeated indices allowed).
_UFUNC = {"sum": np.add, "min": np.minimum, "max": np.maximum, "or": np.bitwise_or}


class GroupSums:
    """Tuple key → columns of sums, minima, maxima and bitwise ORs.

    Parameters
    ----------
    columns : mapping of name → kind
        ``kind`` is ``"sum"`` (float), ``"isum"`` (int), ``"min"``, ``"max"`` (float) or ``"or"`` (int).
    """

    def __init__(self, columns: dict[str, str]) -> None:
        self.kinds = {n: ("sum" if k == "isum" else k) for n, k in columns.items()}
        self.dtypes = {n: (np.int64 if k in ("isum", "or") else np.float64) for n, k in columns.items()}
        self.ids: dict[tuple, int] = {}
        self.keys: list[tuple] = []
        self.cols: dict[str, np.ndarray] = {n: np.zeros(0, self.dtypes[n]) for n in columns}

    def __len__(self) -> int:
        return len(self.keys)

    def intern(self, keys: Sequence[tuple]) -> tuple[np.ndarray, list[int]]:
        """Dense ids of ``keys`` (new keys get the next ids); returns (ids array, list of the new ids)."""
        got = list(map(self.ids.get, keys))
        new: list[int] = []
        if None in got:
            for i, (g, k) in enumerate(zip(got, keys)):
                if g is None:
                    g = self.ids.get(k)
                    if g is None:
                        g = self.ids[k] = len(self.keys)
                        self.keys.append(k)
                        new.append(g)
                    got[i] = g
            self._grow(len(self.keys))
        return np.fromiter(got, np.int64, len(got)), new

    def _grow(self, n: int) -> None:
        have = len(self.cols[next(iter(self.cols))]) if self.cols else n
        if have >= n:
            return
        size = max(n, 2 * have, 16)
        for name, arr in self.cols.items():
            new = np.full(size, _INIT[self.kinds[name]], self.dtypes[name])
            new[:have] = arr
            self.cols[name] = new

    def add(self, gid: np.ndarray, **values: np.ndarray) -> None:
        """Fold one batch: ``gid`` (from :meth:`intern`) and one value array per column given."""
        m = len(self.cols[next(iter(self.cols))])
        for name, v in values.items():
            arr, kind = self.cols[name], self.kinds[name]
            if kind == "sum":  # bincount: the fast path for the most common kind
                arr += np.bincount(gid, weights=v, minlength=m).astype(arr.dtype)
            else:
                _UFUNC[kind].at(arr, gid, v)

    def merge(self, other: GroupSums) -> np.ndarray:
        """Fold another instance's totals into this one; returns its ids mapped onto this one's."""
        mapping, _ = self.intern(other.keys)
        n = len(other.keys)
        for name, arr in self.cols.items():
            _UFUNC[self.kinds[name]].at(arr, mapping, other.cols[name][:n])
        return mapping

    def column(self, name: str) -> np.ndarray:
        """One column, trimmed to the keys seen."""
        return self.cols[name][: len(self.keys)]
