"""PDF copies of the reports with Debian's headless Chromium (``chromium --headless --print-to-pdf``).

Optional (``--pdf``): where Chromium is not installed the step is skipped with one clear line.
Each page is printed with the reports' print CSS, without Chromium's header and footer; a page
that cannot be printed is one WARN line, never a failed run.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

#: Seconds one page may take to print.
PRINT_TIMEOUT_S = 120
#: Flags for a headless Chromium that calls nowhere (works as root too).
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                  "--disable-component-update", "--disable-sync", "--disable-extensions", "--no-pdf-header-footer")


def find_chromium() -> str | None:
    """The Chromium executable, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def print_pdf(chromium: str, page: Path, pdf: Path) -> str | None:
    """Print one HTML page to ``pdf``; return the problem on one line, or None."""
    with tempfile.TemporaryDirectory(prefix="infra-mind-chromium-") as profile:
        try:
            proc = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}",
                                   page.resolve().as_uri()], capture_output=True, text=True, timeout=PRINT_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"{page.name}: {type(exc).__name__}"
    if not pdf.is_file() or pdf.stat().st_size == 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return f"{page.name}: chromium exited {proc.returncode} ({last[:200]})"
    return None


def write_pdfs(run_dir: Path, pages: Sequence[str], jobs: int = 1) -> tuple[list[str], list[str]]:
    """Print ``pages`` (file names in ``run_dir``) to ``<name>.pdf`` beside them, ``jobs`` Chromiums at a time.

    Returns
    -------
    (list of str, list of str)
        The PDFs written (in the order of ``pages``), and one-line notes (a skip when Chromium is absent,
        WARN lines for failures).
    """
    chromium = find_chromium()
    if chromium is None:
        return [], ["PDF: skipped — chromium is not installed (Debian: apt-get install chromium)"]
    targets = [(run_dir / name, run_dir / f"{Path(name).stem}.pdf") for name in pages]
    with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(targets) or 1))) as pool:  # each has its own profile
        problems = list(pool.map(lambda t: print_pdf(chromium, *t), targets))
    written = [pdf.name for (_, pdf), problem in zip(targets, problems) if not problem]
    return written, [f"WARN PDF not written: {problem}" for problem in problems if problem]
