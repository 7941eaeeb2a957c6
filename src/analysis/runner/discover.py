"""Find the workbook's notebooks and map the names a user types to notebook paths."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from ..config import notebooks_dir
from ..errors import ConfigError

#: A workbook notebook's file name: two digits, an underscore, a name (``03_slo_error_budgets.ipynb``).
NOTEBOOK_NAME = re.compile(r"^\d\d_[A-Za-z0-9_]+\.ipynb$")


def discover_notebooks(directory: Path | None = None) -> list[Path]:
    """The workbook's notebooks (``NN_name.ipynb``), in order.

    Parameters
    ----------
    directory : Path, optional
        Where to look (default: the project's ``notebooks/``).

    Returns
    -------
    list of Path
        Sorted by name, hence by number.
    """
    directory = directory or notebooks_dir()
    return sorted(p for p in directory.glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))


def resolve_notebooks(names: Sequence[str], directory: Path | None = None) -> list[Path]:
    """Map user-given names to notebook paths.

    A name may be a path to an ``.ipynb`` file, a file name, a stem
    (``03_slo_error_budgets``), a number prefix (``03``) or the stem without its number
    (``slo_error_budgets``). No names means every notebook.

    Parameters
    ----------
    names : sequence of str
        What the user typed.
    directory : Path, optional
        Where the workbook's notebooks are (default: ``notebooks/``).

    Returns
    -------
    list of Path
        One notebook per name, in the order given.

    Raises
    ------
    ConfigError
        A name matches no notebook (or several), or there are no notebooks at all.
    """
    directory = directory or notebooks_dir()
    known = discover_notebooks(directory)
    if not names:
        if not known:
            raise ConfigError(f"no notebooks found in {directory}")
        return known
    out: list[Path] = []
    for name in names:
        p = Path(name)
        if p.suffix == ".ipynb" and p.exists():
            out.append(p.resolve())
            continue
        stem = p.name.removesuffix(".ipynb")
        matches = [k for k in known if k.stem == stem or k.stem.split("_", 1)[0] == stem or k.stem.split("_", 1)[1] == stem]
        if len(matches) != 1:
            choices = ", ".join(k.stem for k in known) or "none"
            raise ConfigError(f"unknown notebook '{name}' (known: {choices})")
        out.append(matches[0])
    return out
