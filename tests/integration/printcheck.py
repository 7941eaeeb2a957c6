"""Reports measured as they print: headless Chromium over the DevTools protocol (``--remote-debugging-pipe``).

The reports forbid scripts (their Content-Security-Policy), so nothing is injected into a page: the measuring
code runs through ``Runtime.evaluate`` of the DevTools protocol, which a page's CSP does not govern. A page is
laid out with print media emulated at the printable width of an A4 page (the narrower of A4 and Letter) with
the reports' ``@page`` margins, then measured: every table's right edge against the printable width, the text
of every cell, the key-figure labels; then printed to PDF (A4) and read back with pypdf (where every text line
and image of a page is).

One browser serves a whole test module (:class:`Browser` is a context manager); each page gets a new target.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader

#: A4 and Letter in inches, and the reports' side and top/bottom page margins (export.PRINT_CSS: 14mm 12mm).
A4_IN = (8.27, 11.69)
LETTER_IN = (8.5, 11.0)
SIDE_MARGIN_MM, TOP_MARGIN_MM = 12.0, 14.0
#: The printable width in CSS px (96 per inch) of the narrower page, A4: 210 mm - 2 × 12 mm = 186 mm.
PRINTABLE_WIDTH_PX = round((210.0 - 2 * SIDE_MARGIN_MM) / 25.4 * 96, 1)
#: A layout pixel of slack (sub-pixel borders).
SLACK_PX = 1.0

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-quic", "--hide-scrollbars",
         "--remote-debugging-pipe")

#: Runs in the page (print media, viewport at the printable width). Returns the measurements as JSON.
MEASURE_JS = r"""
(() => {
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 || r.height > 0; };
  const text = el => (el.innerText || el.textContent || "").replace(/\s+/g, " ").trim();
  const headings = [...document.querySelectorAll("h1,h2,h3,h4")].filter(visible);
  const before = el => {  // the nearest heading before an element, to name a table in a failure
    let found = "";
    for (const h of headings) { if (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) found = text(h); }
    return found.slice(0, 80);
  };
  const tables = [...document.querySelectorAll("table")].filter(visible).map(t => {
    const r = t.getBoundingClientRect();
    let right = r.right, clipped = false;
    for (const cell of t.querySelectorAll("th,td")) right = Math.max(right, cell.getBoundingClientRect().right);
    for (let p = t.parentElement; p; p = p.parentElement) {  // a scroll box cuts the table on paper
      if (getComputedStyle(p).overflowX !== "visible" && p.scrollWidth > p.clientWidth + 1) clipped = true;
    }
    const caption = t.querySelector("caption");
    const columns = {};
    if (t.classList.contains("im-table")) {
      for (const td of t.querySelectorAll("tbody td")) {
        const col = [...td.classList].find(c => /^col\d+$/.test(c));
        (columns[col] = columns[col] || []).push([text(td), getComputedStyle(td).textAlign]);
      }
    }
    return {left: r.left, right: right, width: right - r.left, clipped: clipped,
            name: (caption ? text(caption) : before(t)).slice(0, 100),
            head: [...t.querySelectorAll("th")].map(text).slice(0, 12).join(" | ").slice(0, 160),
            appendix: !!t.closest(".im-appendix"), cells: [...t.querySelectorAll("td,th")].map(text),
            columns: Object.values(columns)};
  });
  const labels = [...document.querySelectorAll(".im-figures tr td:first-child, .verdict table tr td:first-child, "
                                               + "table.values td.im-fig-label")].map(text);
  const values = [...document.querySelectorAll(".im-figures tr td:nth-child(2), .verdict table tr td:nth-child(2), "
                                               + "table.values td.num")].map(text);
  for (const td of document.querySelectorAll("td.figs")) {  // the index: "label: <b>value</b><br>" per figure
    let run = "";
    for (const node of td.childNodes) {
      if (node.nodeName === "B") { labels.push(run.trim().replace(/:$/, "")); values.push(text(node)); run = ""; }
      else if (node.nodeName === "BR") run = "";
      else run += node.textContent;
    }
  }
  const images = [...document.querySelectorAll("img")].filter(visible)
                   .map(i => ({natural: i.naturalWidth, shown: i.getBoundingClientRect().width}));
  const sections = [...document.querySelectorAll("section.notebook")].map(s => ({
    name: text(s.querySelector("h3")), charts: s.querySelectorAll("img, svg").length,
    values: s.querySelectorAll("table.values tr").length + s.querySelectorAll("p .status").length}));
  return JSON.stringify({docWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
                         tables, labels, values, images, sections, headings: headings.map(text).filter(Boolean)});
})()
"""


@dataclass
class Measured:
    """One page as it prints: its tables (right edge, cells), key-figure labels, headings and the PDF."""

    name: str
    doc_width: float
    tables: list[dict[str, Any]]
    labels: list[str]
    values: list[str]
    images: list[dict[str, float]]
    sections: list[dict[str, Any]]
    headings: list[str]
    pdf: Path

    def widest(self) -> float:
        """The right edge of the widest table (px)."""
        return max((t["right"] for t in self.tables), default=0.0)


class Browser:
    """A headless Chromium driven over ``--remote-debugging-pipe`` (fd 3: commands in, fd 4: replies out)."""

    def __init__(self, chromium: str) -> None:
        self.profile = tempfile.TemporaryDirectory(prefix="printcheck-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire() -> None:  # in the child, before exec: the pipe ends on the fd numbers Chromium reads
            ends = os.dup(to_child_r), os.dup(from_child_w)  # above 4 (3 and 4 may be the pipes themselves)
            os.dup2(ends[0], 3)
            os.dup2(ends[1], 4)

        self.proc = subprocess.Popen([chromium, *FLAGS, f"--user-data-dir={self.profile.name}", "about:blank"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     preexec_fn=wire, close_fds=False)  # the pipes are non-inheritable: only 3, 4 pass
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next = 0
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Ask the browser to close, then make sure it did."""
        try:
            self.call("Browser.close")
        except (OSError, RuntimeError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        self.profile.cleanup()

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and return its result (events that arrive meanwhile are kept for :meth:`wait_for`)."""
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._events.append(reply)

    def wait_for(self, event: str, session: str) -> None:
        """Wait for one event of a session."""
        for i, e in enumerate(self._events):
            if e.get("method") == event and e.get("sessionId") == session:
                del self._events[i]
                return
        while True:
            e = self._read()
            if e.get("method") == event and e.get("sessionId") == session:
                return
            self._events.append(e)

    def measure(self, page: Path, pdf: Path, *, letter: Path | None = None) -> Measured:
        """Lay ``page`` out for print at the printable width, measure it, and print it to ``pdf`` (A4) and to
        ``letter`` (US Letter: the same width fits, but its pages break elsewhere)."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        try:
            self.call("Page.enable", session)
            self.call("Emulation.setEmulatedMedia", session, media="print")
            self.call("Emulation.setDeviceMetricsOverride", session, width=int(PRINTABLE_WIDTH_PX), height=1100,
                      deviceScaleFactor=1, mobile=False)
            self.call("Page.navigate", session, url=page.resolve().as_uri())
            self.wait_for("Page.loadEventFired", session)
            raw = self.call("Runtime.evaluate", session, expression=MEASURE_JS, returnByValue=True)
            data = json.loads(raw["result"]["value"])
            self.call("Emulation.clearDeviceMetricsOverride", session)
            for paper, path in ((A4_IN, pdf), (LETTER_IN, letter)):
                if path is not None:
                    path.write_bytes(self._print(session, paper))
        finally:
            self.call("Target.closeTarget", targetId=target)
        return Measured(page.name, data["docWidth"], data["tables"], data["labels"], data["values"], data["images"],
                        data["sections"], data["headings"], pdf)

    def _print(self, session: str, paper: tuple[float, float]) -> bytes:
        """The page printed on ``paper`` (inches) with the reports' margins."""
        mm = 1 / 25.4
        printed = self.call("Page.printToPDF", session, paperWidth=paper[0], paperHeight=paper[1],
                            marginLeft=SIDE_MARGIN_MM * mm, marginRight=SIDE_MARGIN_MM * mm,
                            marginTop=TOP_MARGIN_MM * mm, marginBottom=TOP_MARGIN_MM * mm,
                            printBackground=True, preferCSSPageSize=False)
        return base64.b64decode(printed["data"])


#: pdftohtml's zoom: layout positions are in its units (1.5 per PDF point), as the checks' thresholds are.
LAYOUT_ZOOM = 1.5


def _times(a: list[float], b: list[float]) -> list[float]:
    """The product of two PDF matrices ``[a b c d e f]`` (``a`` applied first)."""
    return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]]


def _page_layout(page: Any) -> list[tuple[str, float, float, str]]:
    """One page's text lines (chunks on one baseline joined in x order) and images, top to bottom."""
    height = float(page.mediabox.height)
    xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
    lines: dict[float, list[tuple[float, float, str]]] = {}
    items: list[tuple[str, float, float, str]] = []

    def text(chunk: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if chunk.strip():
            m = _times(tm, cm)
            lines.setdefault(round(height - m[5], 1), []).append((m[4], abs(m[3]) * size if m[3] else size, chunk))

    def operator(op: bytes, args: list, cm: list[float], tm: list[float]) -> None:
        x = xobjects.get(args[0]) if op == b"Do" and args else None
        if x is not None and x.get_object().get("/Subtype") == "/Image":  # the unit square, placed by cm
            items.append(("image", (height - cm[5] - cm[3]) * LAYOUT_ZOOM, (height - cm[5]) * LAYOUT_ZOOM, ""))

    page.extract_text(visitor_text=text, visitor_operand_before=operator)
    for base, parts in lines.items():
        size = max(s for _, s, _ in parts)
        words = " ".join(t.strip() for _, _, t in sorted(parts))
        items.append(("text", (base - size) * LAYOUT_ZOOM, base * LAYOUT_ZOOM, " ".join(words.split())))
    return sorted(items, key=lambda i: (i[1], i[2]))


def pdf_layout(pdf: Path) -> list[list[tuple[str, float, float, str]]]:
    """What each page of ``pdf`` shows, top to bottom: (kind ``text`` / ``image``, top, bottom, text) per item.

    Read with pypdf (no system tool): text by the positions its operators draw at, images by the
    matrix that places them. Positions in pdftohtml's units (:data:`LAYOUT_ZOOM`); checked against
    ``pdftohtml -xml`` on every report (the lowest item of every page the same) when this replaced it.
    """
    return [_page_layout(page) for page in PdfReader(pdf).pages]


def page_count(pdf: Path) -> int:
    """Pages of ``pdf`` by its page tree (pypdf), not by the layout's reading of its content."""
    return len(PdfReader(pdf).pages)


# --------------------------------------------------------------------------- the checks (each returns what fails)

#: Cell texts that are Python or JSON, not words (the issue's list, plus pandas' missing markers).
PYTHON_TEXTS = {"None", "True", "False", "nan", "NaN", "NaT", "<NA>", "{}", "[]", "null", "inf", "-inf"}
#: A number with more than six decimals, or with an exponent as Python writes one (``1.44e-16``, ``1e+16``):
#: standalone, not inside a version, an address, a token or a hex hash (``81873E86``).
NOISY_NUMBER = re.compile(r"(?<![\w.\-])[-−]?\d+(\.\d{7,}|(\.\d+)?[eE][-+]\d+)(?![\w.])")
#: A cell that is a number (what must be right-aligned): digits with separators, decimals, a sign, a % or a range.
NUMBER_CELL = re.compile(r"^[-−+]?\d[\d,]*(\.\d+)?( ?%)?([–-][-−+]?\d[\d,]*(\.\d+)?( ?%)?)?$")


def wide_tables(m: Measured, limit: float = PRINTABLE_WIDTH_PX) -> list[str]:
    """Tables wider than the printable width or cut by a scroll box, as 'name: width px'."""
    return [f"{t['name'] or t['head']}: {t['width']:.0f} px, right edge {t['right']:.0f} px"
            f"{' (cut by its scroll box)' if t['clipped'] else ''}"
            for t in m.tables if t["right"] > limit + SLACK_PX or t["clipped"]]


def python_cells(m: Measured) -> list[str]:
    """Cells whose text is Python or JSON (the appendix's parameter values are code literals to type: left out)."""
    return [f"{t['name'] or t['head']}: {c!r}" for t in m.tables if not t["appendix"] for c in t["cells"]
            if c in PYTHON_TEXTS]


def noisy_numbers(m: Measured) -> list[str]:
    """Cells and key-figure values with a float of more than six decimals or an exponent."""
    texts = [(t["name"] or t["head"], c) for t in m.tables if not t["appendix"] for c in t["cells"]]
    texts += [("key figure", v) for v in m.values]
    return [f"{where}: {text[:80]!r}" for where, text in texts if NOISY_NUMBER.search(text)]


def machine_labels(m: Measured) -> list[str]:
    """Key-figure labels with ``_`` (a machine name, not a label for people)."""
    return [label for label in m.labels if "_" in label]


def misaligned(m: Measured) -> list[str]:
    """House-table columns of numbers that are not right-aligned, and columns of words that are not left-aligned."""
    out = []
    for t in m.tables:
        for col in t["columns"]:
            present = [(text, align) for text, align in col if text not in ("", "—")]
            if not present:
                continue
            numbers = all(NUMBER_CELL.match(text) for text, _ in present)
            words = not any(NUMBER_CELL.match(text) for text, _ in present)
            want = "right" if numbers else ("left" if words else None)
            wrong = [text for text, align in present if want and align not in (want, "start" if want == "left" else "end")]
            if wrong:
                out.append(f"{t['name'] or t['head']}: {wrong[0]!r} not {want}-aligned")
    return out


def orphan_headings(m: Measured, layout: list[list[tuple[str, float, float, str]]]) -> list[str]:
    """Pages of the PDF whose lowest item is a heading (its content starts on the next page)."""
    headings = {" ".join(h.split()) for h in m.headings}
    out = []
    for number, items in enumerate(layout[:-1], 1):
        lowest = max(items, key=lambda i: i[2], default=None)
        if lowest is None or lowest[0] != "text":
            continue
        lines = [i for i in items if i[0] == "text" and i[1] >= lowest[1] - 40]  # a heading wraps to two lines
        tail = {" ".join(lowest[3].split()), " ".join(" ".join(i[3] for i in lines).split())}
        if tail & headings:
            out.append(f"page {number} ends with the heading {sorted(tail & headings)[0]!r}")
    return out


def small_print(m: Measured, font_px: float) -> list[str]:
    """Images shown smaller than their pixel size so far that text drawn at ``font_px`` falls under 9 px."""
    return [f"an image of {i['natural']} px shown at {i['shown']:.0f} px" for i in m.images
            if i["natural"] and font_px * i["shown"] / i["natural"] < 9.0]
