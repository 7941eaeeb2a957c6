"""Where a run's code came from: the workbook's git commit, when it is a git checkout."""

from __future__ import annotations

import shutil
import subprocess

from ..config import project_root

#: Seconds ``git`` may take.
GIT_TIMEOUT_S = 5


def git_commit() -> str | None:
    """The workbook's current commit (``+dirty`` when tracked files changed), or None when unknown."""
    git = shutil.which("git")
    if git is None:
        return None
    root = str(project_root())
    try:
        head = subprocess.run([git, "-C", root, "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=GIT_TIMEOUT_S)
        if head.returncode != 0:
            return None
        dirty = subprocess.run([git, "-C", root, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=GIT_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired):
        return None
    commit = head.stdout.strip()
    return f"{commit}+dirty" if dirty.returncode == 0 and dirty.stdout.strip() else commit
