"""Extended JSON documents read one at a time from a text stream (profile exports, explain outputs).

Two layouts: one document per line (mongoexport's default, :func:`iter_json_lines`) and
concatenated or pretty-printed documents or one top-level array (``--jsonArray``,
:func:`iter_json_values`). Relaxed and canonical Extended JSON are decoded with
:mod:`bson.json_util` (dates timezone-aware), leniently (:mod:`analysis.mongodb.ejson`: Compass's
string ``$timestamp`` and the like are read, a wrapper nobody reads is kept as it is). The buffer holds at most the current
document plus one read chunk, so memory does not depend on file size. Junk, bad
Extended JSON and a document cut by the end of the file are counted in the file's
:class:`~analysis.querycost.records.FileStats`, never fatal.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

from ...mongodb.ejson import object_pairs_hook
from ..records import FileStats

_CHUNK_CHARS = 1 << 20
_SEPARATORS = " \t\r\n,"
#: what one decoding step did (besides yielding a value)
_AGAIN, _STOP = object(), object()


class _Buffer:
    """The unread text: ``buf[pos:]`` plus whatever ``text`` still holds."""

    def __init__(self, text: io.TextIOBase) -> None:
        self.text = text
        self.buf = ""
        self.pos = 0
        self.eof = False

    def refill(self) -> None:
        """Drop what was consumed and append one chunk (``eof`` once the stream is exhausted)."""
        chunk = self.text.read(_CHUNK_CHARS)
        self.buf, self.pos = self.buf[self.pos:] + chunk, 0
        self.eof = not chunk

    def next_start(self) -> bool:
        """Skip separators (reading on as needed); False at the end of the stream."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _SEPARATORS:
                self.pos += 1
            if self.pos < len(self.buf) or self.eof:
                return self.pos < len(self.buf)
            self.refill()

    def compact(self) -> None:
        """Forget consumed text once it exceeds one chunk."""
        if self.pos > _CHUNK_CHARS:
            self.buf, self.pos = self.buf[self.pos:], 0


def iter_json_values(text: io.TextIOBase, st: FileStats, *, array: bool) -> Iterator[Any]:
    """Yield JSON values one at a time from concatenated documents or one top-level array.

    A document that is cut by the end of the file (an export interrupted mid-array) is
    counted as skipped; a malformed one is skipped up to the next line.

    Parameters
    ----------
    text : text stream
        The decompressed file.
    st : FileStats
        Counts documents read and skipped, and problems.
    array : bool
        The file is one JSON array (its elements are yielded).
    """
    decoder = json.JSONDecoder(object_pairs_hook=object_pairs_hook)
    b = _Buffer(text)
    started = not array
    closed = False
    while b.next_start():
        if not started:
            if b.buf[b.pos] != "[":
                st.skip("not a JSON array")
                return
            started = True
            b.pos += 1
            continue
        if array and b.buf[b.pos] == "]":
            closed = True
            b.pos += 1
            continue
        value = _decode_one(decoder, b, st)
        if value is _STOP:
            return
        if value is _AGAIN:
            continue
        yield value
        b.compact()
    if array and started and not closed:
        st.problems.append("JSON array not closed (file cut?)")


def _decode_one(decoder: json.JSONDecoder, b: _Buffer, st: FileStats) -> Any:
    """Decode the document at ``b.pos``: the value, or :data:`_AGAIN` (go on) / :data:`_STOP` (end)."""
    try:
        value, end = decoder.raw_decode(b.buf, b.pos)
    except json.JSONDecodeError as exc:
        return _after_bad_json(exc, b, st)
    except (ValueError, TypeError, OverflowError) as exc:  # bad Extended JSON inside valid JSON
        st.lines += 1
        st.skip(f"bad Extended JSON ({type(exc).__name__})")
        end = _skip_value(b.buf, b.pos)
        if end is None:
            return _STOP
        b.pos = end
        return _AGAIN
    st.lines += 1
    b.pos = end
    return value


def _after_bad_json(exc: json.JSONDecodeError, b: _Buffer, st: FileStats) -> Any:
    """Read on when the document is only incomplete; else count it and skip to the next line."""
    incomplete = exc.pos >= len(b.buf.rstrip()) or exc.msg.startswith("Unterminated string")
    if incomplete and not b.eof:
        b.refill()
        return _AGAIN
    st.lines += 1
    if incomplete:
        st.skip("document cut at end of file")
        st.problems.append("last document cut (truncated export)")
        return _STOP
    st.skip("not JSON")
    nl = b.buf.find("\n", exc.pos)
    if nl < 0:
        if b.eof:
            return _STOP
        b.buf, b.pos = "", 0
        b.refill()
        return _AGAIN
    b.pos = nl + 1
    return _AGAIN


def _skip_value(buf: str, pos: int) -> int | None:
    try:
        _, end = json.JSONDecoder().raw_decode(buf, pos)
        return end
    except json.JSONDecodeError:
        return None


def iter_json_lines(text: io.TextIOBase, st: FileStats) -> Iterator[Any]:
    """One Extended JSON document per line (mongoexport's default output); blank lines ignored.

    Parameters
    ----------
    text : text stream
        The decompressed file.
    st : FileStats
        Counts lines read and skipped.
    """
    hook = object_pairs_hook
    for line in text:
        if not line.strip():
            continue
        st.lines += 1
        try:
            yield json.loads(line, object_pairs_hook=hook)
        except json.JSONDecodeError:
            st.skip("not JSON")
        except (ValueError, TypeError, OverflowError) as exc:
            st.skip(f"bad Extended JSON ({type(exc).__name__})")
