"""Typed errors of the workbook.

Every error the package raises on bad input or an unreachable system is an
:class:`AnalysisError`. Its message is one line that names the file, parameter or
system and the problem. The CLI maps them to exit code 2; in a notebook they render
as that single line instead of a deep traceback (IPython's ``_render_traceback_``).
"""

from __future__ import annotations


class AnalysisError(Exception):
    """Base class: a problem with the input or the environment, not a bug."""

    def __str__(self) -> str:  # keep it to one line
        return " ".join(str(super().__str__()).split())

    def _render_traceback_(self) -> list[str]:
        """IPython hook: show one line, not a traceback."""
        return [f"{type(self).__name__}: {self}"]


class ConfigError(AnalysisError):
    """A configuration file, catalog or profile is invalid."""


class ParameterError(ConfigError):
    """A notebook or CLI parameter is unknown, of the wrong type or out of range."""


class SourceError(AnalysisError):
    """An input file or a system (MongoDB, Redis, Prometheus, WebSocket) cannot be read."""


class DataError(AnalysisError):
    """Input was read but holds nothing usable (no samples, no slow queries...)."""


class UnsafeOperationError(AnalysisError):
    """A write or a probe was refused because it could touch production."""


def one_line(exc: BaseException, width: int = 200) -> str:
    """Render a third-party exception (driver, socket, parser) for a one-line error message.

    Returns ``"TypeName: first line of the message"`` with the message cut to ``width``
    characters. Callers still redact URIs and secrets.
    """
    text = str(exc)
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first[:width]}"
