"""The run of the whole workbook on embedded defaults that several test modules read (a session fixture).

``default_report``: every notebook on its embedded defaults through the runner, with PDFs and a
notification to a local webhook, while canary secrets (and the webhook's URL) are in the environment.
The report tests (canaries, Chromium rendering, PDFs, history) and the print test read its run
directory; they never write into it. The modules that use it are one unit of the suite's scheduler
(``tests/parallel.py``: ``SHARED_SESSION_FIXTURES["workbook"]``), so with pytest-xdist it runs once.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis import runner
from tests.unit.runner.test_notify import Hook

#: notebooks these runs execute at once (the runner's --jobs): the whole workbook is the slowest fixture
NOTEBOOK_JOBS = 2

CANARIES = {
    "WS_JWT_SECRET": "canary-jwt-secret-5f1e0c9a77",
    "JWT_SECRET_KEY": "canary-jwt-key-0d94be21c3",
    "MONGO_URI": "mongodb://auditor:canary-mongo-pw-83c1@127.0.0.1:9/infra_mind?authSource=admin",
    "REDIS_URL": "redis://default:canary-redis-pw-4e2a@127.0.0.1:9/0",
}
#: the webhook's URL (its path is the secret, as in Slack's): a local receiver on 127.0.0.1
HOOK_ENV = "INFRA_MIND_CANARY_WEBHOOK"
HOOK_TOKEN = "canary-hook-token-91f3"
#: what must never appear in any artifact (the full values and the bare passwords)
NEEDLES = [*CANARIES.values(), "canary-mongo-pw-83c1", "canary-redis-pw-4e2a", HOOK_TOKEN]

@pytest.fixture(scope="session")
def default_report(tmp_path_factory) -> Path:
    """All notebooks on embedded defaults with PDFs and a notification to a local webhook, with canary
    secrets (and the webhook URL) present in the environment."""
    out = tmp_path_factory.mktemp("reports")
    hook = Hook()
    env = {**CANARIES, HOOK_ENV: hook.url}
    assert HOOK_TOKEN in hook.url
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        options = runner.RunOptions(pdf=True, notify_webhook_env=HOOK_ENV, notify="always")
        summary = runner.run_notebooks(runner.discover_notebooks(), out=out, progress=False, options=options,
                                       jobs=NOTEBOOK_JOBS)
    finally:
        hook.close()
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return Path(summary.run_dir)
