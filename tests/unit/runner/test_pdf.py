"""analysis.runner.pdf: Chromium prints the reports; without Chromium the step says so in one line."""

import pytest
from pypdf import PdfReader

from analysis.runner import pdf


def test_without_chromium_the_step_is_skipped_with_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "find_chromium", lambda: None)
    assert pdf.write_pdfs(tmp_path, ["index.html"]) == (
        [], ["PDF: skipped — chromium is not installed (Debian: apt-get install chromium)"])
    assert list(tmp_path.iterdir()) == []


def test_a_page_that_cannot_be_printed_is_a_warn_line(tmp_path, monkeypatch):
    fake = tmp_path / "fake-chromium"
    fake.write_text("#!/bin/sh\necho 'no display here' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setattr(pdf, "find_chromium", lambda: str(fake))
    (tmp_path / "index.html").write_text("<p>x</p>")
    written, notes = pdf.write_pdfs(tmp_path, ["index.html"])
    assert written == [] and notes == ["WARN PDF not written: index.html: chromium exited 3 (no display here)"]


@pytest.mark.integration
def test_chromium_prints_a_page(tmp_path, chromium):
    (tmp_path / "index.html").write_text("<!DOCTYPE html><html><body><h1>Report</h1><p>printed</p></body></html>")
    written, notes = pdf.write_pdfs(tmp_path, ["index.html"])
    assert (written, notes) == (["index.pdf"], [])
    assert (tmp_path / "index.pdf").read_bytes().startswith(b"%PDF")
    assert len(PdfReader(tmp_path / "index.pdf").pages) == 1  # pypdf parses it: a real, one-page PDF


def test_pages_print_at_once_and_come_back_in_order(tmp_path, monkeypatch):
    """--jobs N prints N pages at a time (each Chromium with its own profile); order and WARN lines as one at a time."""
    log = tmp_path / "starts.log"
    fake = tmp_path / "fake-chromium"
    fake.write_text("#!/bin/sh\n"
                    f"echo start $(date +%s.%N) >> {log}\n"
                    "for a in \"$@\"; do case $a in --print-to-pdf=*) out=${a#--print-to-pdf=};; esac; done\n"
                    "case $out in *b.pdf) echo 'cannot print b' >&2; exit 4;; esac\n"
                    "sleep 1; echo '%PDF-1.4' > \"$out\"\n"
                    f"echo end $(date +%s.%N) >> {log}\n")
    fake.chmod(0o755)
    monkeypatch.setattr(pdf, "find_chromium", lambda: str(fake))
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.html").write_text("<p>x</p>")
    written, notes = pdf.write_pdfs(tmp_path, ["a.html", "b.html", "c.html"], jobs=3)
    assert written == ["a.pdf", "c.pdf"] and notes == ["WARN PDF not written: b.html: chromium exited 4 (cannot print b)"]
    events = [line.split() for line in log.read_text().splitlines()]
    starts = [float(t) for kind, t in events if kind == "start"]
    ends = [float(t) for kind, t in events if kind == "end"]
    assert len(starts) == 3 and len(ends) == 2 and max(starts) < min(ends)  # all three were printing at once
