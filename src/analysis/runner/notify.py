"""Webhook notifications: a JSON POST (with a Slack-compatible ``text``) when a status changed.

The URL is read from the environment variable the user names (``--notify-webhook-env``):
it is never a parameter, never printed, and scrubbed from every artifact like other secrets.
Delivery has a bounded timeout and a few retries; a failed notification is one WARN line,
never a failed run. The Slack ``text`` quotes headlines, which hold input from audited systems:
every line goes through :func:`analysis.escape.slack_text` (``&``, ``<``, ``>`` as entities, as
Slack requires), so ``<!channel>``, ``<@U…>`` or ``<http://…|…>`` in a headline is shown as
typed — it pings nobody and links nowhere.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from ..errors import ConfigError
from ..escape import slack_text
from ..redact import redact_text
from .changes import counts, describe, is_news
from .result import RunSummary

#: When to post: only when a notebook's status changed against the baseline, or after every run.
NOTIFY_MODES = ("changes", "always")
#: Seconds per attempt, attempts, and the pause before attempt n (n × backoff).
TIMEOUT_S = 5.0
ATTEMPTS = 3
BACKOFF_S = 0.5


def webhook_url(env_name: str) -> str:
    """The webhook URL from the variable ``env_name``.

    Raises
    ------
    ConfigError
        The variable is unset or empty, or not an http(s) URL (the value is never shown).
    """
    url = os.environ.get(env_name, "").strip()
    if not url:
        raise ConfigError(f"--notify-webhook-env {env_name}: the environment variable is not set")
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"--notify-webhook-env {env_name}: the value is not an http(s) URL")
    return url


def payload(summary: RunSummary, *, report_url: str | None = None) -> dict[str, Any]:
    """The JSON document posted: run id, overall verdict, changes, index link, and a Slack ``text``."""
    base = (report_url or "").rstrip("/")
    index = f"{base}/{summary.run_id}/index.html" if base else None
    news = [c for c in summary.changes if c["change"] not in ("unchanged", "new")]
    lines = [f"Infra Mind audit {summary.run_id}: overall {summary.status}"]
    if summary.baseline:
        lines[0] += f" (compared with {summary.baseline['run_id']})"
    lines += [f"• {c['notebook']}: {describe(c)} — {c['headline_after']}" for c in news]
    if index:
        lines.append(f"Report: {index}")
    return {
        "run_id": summary.run_id,
        "started": summary.started,
        "status": summary.status,
        "baseline": summary.baseline,
        "counts": counts(summary.changes),
        "changes": [{k: v for k, v in c.items() if k != "figures"} | {"figures": [f for f in c["figures"]
                    if f["assessment"] in ("worse", "better")]} for c in summary.changes],
        "index_url": index,
        "text": "\n".join(slack_text(line) for line in lines),
    }


def should_notify(summary: RunSummary, mode: str) -> bool:
    """Post after this run? ``always``: yes; ``changes``: only when a notebook's status changed."""
    return mode == "always" or (summary.baseline is not None and is_news(summary.changes))


def post(url: str, document: Mapping[str, Any], *, timeout: float = TIMEOUT_S, attempts: int = ATTEMPTS,
         backoff: float = BACKOFF_S) -> str | None:
    """POST ``document`` as JSON; retry on network errors, 429 and 5xx.

    Returns
    -------
    str or None
        None when delivered (2xx), else the problem on one line (the URL is never in it).
    """
    body = json.dumps(document).encode()
    problem = "not attempted"
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/json", "User-Agent": "infra-mind-audit"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) checked)
                response.read()
            return None
        except urllib.error.HTTPError as exc:
            problem = f"HTTP {exc.code}"
            if exc.code < 500 and exc.code != 429:
                break
        except (urllib.error.URLError, OSError) as exc:
            problem = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
        if attempt < attempts:
            time.sleep(backoff * attempt)
    return redact_text(f"{problem} after {attempt} attempt(s)", [url])


def notify(summary: RunSummary, *, env_name: str, mode: str = "changes", report_url: str | None = None) -> str | None:
    """Send the run's notification when ``mode`` says so.

    Returns
    -------
    str or None
        A WARN line when the notification could not be delivered, else None.
    """
    if not should_notify(summary, mode):
        return None
    try:
        url = webhook_url(env_name)
    except ConfigError as exc:
        return f"WARN notification not sent: {exc}"
    problem = post(url, payload(summary, report_url=report_url))
    return f"WARN notification via ${env_name} failed: {problem}" if problem else None
