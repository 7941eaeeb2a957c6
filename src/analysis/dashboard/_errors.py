"""One-line rendering of driver exceptions for the package's error messages."""

from __future__ import annotations


def one_line(exc: BaseException, width: int = 200) -> str:
    """``"TypeName: first line of the message"``, cut to ``width`` characters."""
    text = str(exc)
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first[:width]}"
