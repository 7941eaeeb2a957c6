"""Untrusted text into every output format: the one place values from audited systems are escaped.

Whatever an audited system controls — log fields, explain documents, index names, Prometheus
label values, WebSocket frames, close reasons and headers, error messages that quote them, and
headlines or next steps built from these — reaches every output as text, never as markup, script,
a mention or a formula. Each format has one function here and every writer of that format calls it:

* **HTML** (reports, tables, verdict banner, executive summary, index, history page):
  :func:`html_text` for element text and attribute values; :func:`href` for the links the workbook
  builds (relative paths, ``#anchors``, http(s) — any other scheme becomes ``#``). The only markup
  is the workbook's own (badges, links, SVG sparklines), assembled from escaped parts. Every page
  carries :data:`CSP_META`: no script runs and nothing loads from anywhere even if a value slipped
  through (the second line of defence).
* **Slack** (the webhook's ``text``): :func:`slack_text`, Slack's ``&``, ``<``, ``>`` escaping —
  ``<!channel>``, ``<@U…>`` and ``<http://…|…>`` from input are shown, never ping or link.
* **CSV** (``history --csv``): :func:`csv_cell` — a text cell starting with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return gets a leading ``'`` so no spreadsheet reads it as a formula.
* **XML** (JUnit): ElementTree escapes markup; :func:`xml_clean` replaces the characters XML 1.0
  cannot carry at all (control characters in a frame) with visible ``\\xNN`` text, so the document
  stays well-formed.
* **Code the workbook writes** (the reviewed mongosh script): names are JSON string literals;
  :func:`comment_text` keeps a ``//`` comment on its one line.
* **matplotlib** (plot titles, tick labels, legends): :func:`mpl_text` — a pair of ``$`` is mathtext
  markup to matplotlib (an invalid one raises while drawing), so ``$`` is escaped.

* **Terminal** (the commands' text on stdout, the one-line error on stderr): :func:`terminal_text` —
  control characters (ESC sequences that move the cursor, retitle the window or write to the
  clipboard, a CR that overprints a line, BEL) become visible ``\\xNN`` text; :class:`TerminalSafe`
  applies it to everything a command prints on stdout.

SARIF and JSON go through :mod:`json`, which needs nothing more (it escapes control characters).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from typing import Any

#: The Content-Security-Policy of every HTML page the workbook writes: no script, no frame, no form, no
#: remote load of any kind; images only inline (``data:``: plots, icons), styles only inline.
CSP = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")
#: The policy as a ``<meta>`` tag (first thing in every page's ``<head>``).
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'

#: Link schemes a workbook-built link may use (none: a relative path or an anchor).
LINK_SCHEMES = ("http", "https")
#: What starts a formula in a spreadsheet cell (OWASP CSV injection), plus tab and CR.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_URL_IGNORED = re.compile(r"[\t\n\r]")  # browsers drop these anywhere in a URL before reading its scheme
_URL_LEADING = re.compile(r"^[\x00-\x20]+")  # ... and leading controls and spaces
_LINE_BREAKS = re.compile("[\r\n\u2028\u2029\x85\x0b\x0c]")  # JavaScript line terminators (they end a // comment), and breaks editors show
#: C0 controls but tab and newline, DEL and the C1 controls (CSI, OSC, …): what a terminal acts on.
_TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def html_text(value: Any) -> str:
    """``value`` as HTML text, safe in element content and in quoted attribute values.

    Examples
    --------
    >>> html_text('x<img src=x onerror="alert(1)">')
    'x&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'
    >>> html_text(None), html_text(3.5)
    ('None', '3.5')
    """
    return html.escape(str(value), quote=True)


def href(url: str) -> str:
    """A link target the workbook builds, escaped for an ``href`` attribute; ``#`` for a foreign scheme.

    Examples
    --------
    >>> href("../20261101T060000Z/index.html"), href("#top"), href("https://ci.example/r?a=1&b=2")
    ('../20261101T060000Z/index.html', '#top', 'https://ci.example/r?a=1&amp;b=2')
    >>> href("javascript:alert(1)"), href(" java\\tscript:alert(1)"), href("data:text/html,x")
    ('#', '#', '#')
    """
    cleaned = _URL_LEADING.sub("", _URL_IGNORED.sub("", str(url)))
    m = _SCHEME.match(cleaned)
    if m and m.group(1).lower() not in LINK_SCHEMES:
        return "#"
    return html_text(url)


def slack_text(text: str) -> str:
    """``text`` for a Slack message: ``&``, ``<``, ``>`` escaped as Slack requires (no mention, no link markup).

    Examples
    --------
    >>> slack_text("<!channel> <@U024BE7LH> <http://evil.example|click> & more")
    '&lt;!channel&gt; &lt;@U024BE7LH&gt; &lt;http://evil.example|click&gt; &amp; more'
    """
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def csv_cell(value: Any) -> Any:
    """A CSV cell no spreadsheet evaluates: text starting a formula gets a leading ``'``; other values unchanged.

    Examples
    --------
    >>> [csv_cell(v) for v in ('=HYPERLINK("http://x")', "-2+3", "@SUM(A1)", "\\t=1", "plain", -2.5, None)]
    ['\\'=HYPERLINK("http://x")', "'-2+3", "'@SUM(A1)", "'\\t=1", 'plain', -2.5, None]
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def comment_text(text: str) -> str:
    """A ``//`` comment line of generated code: every line break in ``text`` shown as ``⏎``, so none ends the comment.

    Examples
    --------
    >>> comment_text("index x\\ndb.dropDatabase()")
    '// index x ⏎ db.dropDatabase()'
    """
    return "// " + _LINE_BREAKS.sub(" ⏎ ", str(text))


def mpl_text(text: str) -> str:
    """``text`` for a matplotlib label or title: ``$`` escaped, so no pair of them is read as mathtext.

    Examples
    --------
    >>> mpl_text("{status: {$in: ?}, $or: [?]}")
    '{status: {\\\\$in: ?}, \\\\$or: [?]}'
    """
    return str(text).replace("$", r"\$")


def xml_chars(text: str) -> str:
    """``text`` with every character XML 1.0 forbids (C0 controls, lone surrogates, U+FFFE/FFFF) as ``\\xNN`` text.

    Examples
    --------
    >>> xml_chars("ok\\x1b[31m\\x00 tab\\tstays")
    'ok\\\\x1b[31m\\\\x00 tab\\tstays'
    """
    return _XML_FORBIDDEN.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def xml_clean(root: ET.Element) -> ET.Element:
    """Make every text, tail and attribute value of the tree under ``root`` carriable by XML 1.0 (in place).

    ElementTree escapes ``&``, ``<``, ``>`` and quotes when it serialises, but writes forbidden
    characters as they are, which makes the document unparseable. Returns ``root``.
    """
    for el in root.iter():
        if el.text:
            el.text = xml_chars(el.text)
        if el.tail:
            el.tail = xml_chars(el.tail)
        for key, value in el.attrib.items():
            el.attrib[key] = xml_chars(value)
    return root


def terminal_text(text: str) -> str:
    """``text`` with every control character a terminal would act on as visible ``\\xNN`` text.

    Tab and newline stay; ESC (colour, cursor, window-title and clipboard sequences), CR, BEL,
    backspace, DEL and the C1 controls do not.

    Examples
    --------
    >>> terminal_text("ns\\x1b]0;pwned\\x07 a\\rb\\tc\\n")
    'ns\\\\x1b]0;pwned\\\\x07 a\\\\x0db\\tc\\n'
    """
    return _TERMINAL_CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class TerminalSafe:
    """A text stream that writes :func:`terminal_text` of everything to ``stream`` (stdout of a command)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(terminal_text(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
