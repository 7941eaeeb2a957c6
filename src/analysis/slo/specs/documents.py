"""Spec files → documents that remember their line numbers, and :class:`Node`, the typed reader every
format's reader uses, so that every problem is one line ``file:line: key: problem``.

A file is YAML or JSON (JSON is read by the same loader: YAML 1.1 accepts it), holding one
document, a ``---`` stream, or a list of documents (the OpenSLO SDK's layout). A directory stands
for its ``*.yaml``, ``*.yml`` and ``*.json`` files (sorted), so ``*Ref`` references can point
across files.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ...errors import ConfigError

SUFFIXES = (".yaml", ".yml", ".json")


class LineDict(dict):
    """A mapping that knows the line it starts on (:attr:`line`) and the line of each key (:attr:`lines`)."""

    line: int = 0
    lines: dict

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line) if hasattr(self, "lines") else self.line


class LineList(list):
    """A sequence that knows the line of each item."""

    line: int = 0
    lines: list


class _Loader(yaml.SafeLoader):
    """The safe loader, keeping line numbers on mappings and sequences."""

    def construct_mapping(self, node, deep=False):  # noqa: D102 (PyYAML hook)
        out = LineDict(super().construct_mapping(node, deep=True))
        out.line = node.start_mark.line + 1
        out.lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
        return out

    def construct_sequence(self, node, deep=False):  # noqa: D102 (PyYAML hook)
        out = LineList(super().construct_sequence(node, deep=True))
        out.line = node.start_mark.line + 1
        out.lines = [v.start_mark.line + 1 for v in node.value]
        return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _Loader.construct_sequence)


@dataclass(frozen=True)
class Document:
    """One spec document and where it is."""

    data: Any
    file: str
    line: int


def _parse(text: str, file: str) -> list:
    try:
        return [d for d in yaml.load_all(text, Loader=_Loader) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{file}:{mark.line + 1 if mark else 1}: invalid YAML/JSON ({problem})") from None


def read_file(path: Path) -> list[Document]:
    """The documents of one file (a top-level list of mappings is a list of documents).

    Raises
    ------
    ConfigError
        ``file: not found`` / ``file: not UTF-8 text`` / ``file:line: invalid YAML/JSON (...)``.
    """
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: not found") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{file}: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read ({exc.strerror or exc})") from None
    out: list[Document] = []
    for doc in _parse(text, file):
        if isinstance(doc, LineList):
            out += [Document(d, file, ln) for d, ln in zip(doc, doc.lines)]
        else:
            out.append(Document(doc, file, getattr(doc, "line", 1)))
    return out


def spec_files(path: str | os.PathLike[str]) -> list[Path]:
    """The file itself, or a directory's YAML/JSON files (sorted)."""
    p = Path(path)
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in SUFFIXES)
        if not files:
            raise ConfigError(f"{p}: directory holds no .yaml, .yml or .json spec file")
        return files
    if not p.exists():
        raise ConfigError(f"{p}: not found")
    return [p]


def read_documents(path: str | os.PathLike[str]) -> list[Document]:
    """Every document of a spec file or of a directory of spec files."""
    return [d for f in spec_files(path) for d in read_file(f)]


class Node:
    """A mapping of a spec being read: typed getters whose errors name the file, line and key path.

    Parameters
    ----------
    data : Any
        The mapping (a :class:`LineDict` from the loader, or a plain dict).
    file : str
        The file, for errors.
    path : str
        The key path of this mapping (``spec.slos[0]``), for errors.
    what : str
        What is being read (``SLO requests-availability``), prefixed to every problem.
    """

    def __init__(self, data: Any, file: str, path: str = "", what: str = "", line: int = 0) -> None:
        self.file, self.path, self.what = file, path, what
        self.line = getattr(data, "line", 0) or line or 1
        if not isinstance(data, dict):
            raise self.error("", f"expected a mapping, got {_shown(data)}")
        self.data = data

    def key_path(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path and key else (key or self.path or "document")

    def line_of(self, key: str) -> int:
        return self.data.line_of(key) if isinstance(getattr(self, "data", None), LineDict) and key else self.line

    def error(self, key: str, problem: str) -> ConfigError:
        """``file:line: what: key.path: problem`` (the line of ``key`` when it is present)."""
        line = self.line_of(key) if hasattr(self, "data") else self.line
        what = f"{self.what}: " if self.what else ""
        return ConfigError(f"{self.file}:{line}: {what}{self.key_path(key)}: {problem}")

    def has(self, key: str) -> bool:
        return key in self.data and self.data[key] is not None

    def first(self, *keys: str) -> str | None:
        """The first of ``keys`` present (spellings: ``error_query`` / ``errorQuery``)."""
        return next((k for k in keys if self.has(k)), None)

    def raw(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def text(self, key: str, *, required: bool = False, default: str = "") -> str:
        """A string (numbers are accepted and written as text)."""
        value = self.data.get(key)
        if value is None or (required and isinstance(value, str) and not value.strip()):
            if required:
                raise self.error(key, "is required" + (" (got an empty string)" if value is not None else ""))
            return default
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self.error(key, f"expected text, got {_shown(value)}")
        return str(value)

    def number(self, key: str, *, required: bool = False, default: float = math.nan, text_ok: bool = False) -> float:
        """A finite number (``text_ok``: also a numeric string, as Pyrra writes its target)."""
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.error(key, "is required")
            return default
        if text_ok and isinstance(value, str):
            try:
                value = float(value.strip().rstrip("%"))
            except ValueError:
                raise self.error(key, f"expected a number, got {_shown(value)}") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.error(key, f"expected a number, got {_shown(value)}")
        return float(value)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(key, f"expected true or false, got {_shown(value)}")
        return value

    def node(self, key: str, what: str | None = None, *, required: bool = False) -> Node | None:
        """The mapping under ``key`` (None when absent and not required)."""
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.error(key, "is required")
            return None
        return Node(value, self.file, self.key_path(key), self.what if what is None else what, self.line_of(key))

    def items(self, key: str, *, required: bool = False) -> list[Node]:
        """The list of mappings under ``key`` (``[]`` when absent and not required)."""
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.error(key, "is required")
            return []
        if not isinstance(value, list):
            raise self.error(key, f"expected a list, got {_shown(value)}")
        lines = getattr(value, "lines", [self.line_of(key)] * len(value))
        return [Node(v, self.file, f"{self.key_path(key)}[{i}]", self.what, ln)
                for i, (v, ln) in enumerate(zip(value, lines))]

    def strings(self, key: str) -> tuple[str, ...]:
        """A list of strings (``grouping: [job]``)."""
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, f"expected a list of label names, got {_shown(value)}")
        return tuple(value)

    def labels(self, key: str) -> dict[str, str]:
        """A mapping of strings (labels, annotations); values written as text."""
        value = self.data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error(key, f"expected a mapping of labels, got {_shown(value)}")
        out = {}
        for k, v in value.items():
            if isinstance(v, (dict, list)):
                raise self.error(f"{key}.{k}", f"expected a text value, got {_shown(v)}")
            out[str(k)] = "" if v is None else (str(v).lower() if isinstance(v, bool) else str(v))
        return out

    def unknown(self, allowed: set[str]) -> list[str]:
        """Keys outside ``allowed``, as notes ``key.path: unknown key ignored``."""
        return [f"{self.key_path(str(k))}: unknown key ignored" for k in self.data if str(k) not in allowed]


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
