"""One YAML loader: every YAML file the workbook reads, with one error format (``file:line: problem``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError


def _where(path: str | os.PathLike[str], exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f"{path}:{mark.line + 1}" if mark is not None else f"{path}"


def parse_yaml(text: str, where: str | os.PathLike[str], *, multi: bool = False) -> Any:
    """Parse YAML text (safe loader).

    Parameters
    ----------
    text : str
        The YAML document(s).
    where : str or PathLike
        Named in errors (a file path, or e.g. ``-p sizes``).
    multi : bool
        Read every ``---`` document and return them as a list (empty documents dropped).

    Raises
    ------
    ConfigError
        ``where:line: invalid YAML (problem)``.
    """
    try:
        if multi:
            return [d for d in yaml.safe_load_all(text) if d is not None]
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{_where(where, exc)}: invalid YAML ({problem})") from None


def load_yaml(path: str | os.PathLike[str], *, multi: bool = False) -> Any:
    """Read and parse a YAML file.

    Parameters
    ----------
    path : str or PathLike
        The file.
    multi : bool
        See :func:`parse_yaml`.

    Returns
    -------
    Any
        The parsed document (``None`` for an empty file), or a list of documents with ``multi``.

    Raises
    ------
    ConfigError
        One line: ``file: not found``, ``file: not UTF-8 text``, ``file:line: invalid YAML (problem)``.
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{path}: not found")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return parse_yaml(text, path, multi=multi)
