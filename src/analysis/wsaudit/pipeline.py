"""Wiring of notebook 04 and ``ws-audit``: load the profile, start the reference targets, run the battery on each target.

:func:`run` is the one entry the notebook and the CLI call; it runs everything on its own
event loop in a worker thread (ipykernel already runs a loop in the main thread).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from .battery import run_battery
from .keys import Keys, generate_secret, load_keys
from .params import WsAuditParams
from .profile import Profile, load_profile
from .results import Audit, WsAuditResult
from .sources.reference_target import MODES, ReferenceTarget, reference_profile, reference_target

log = logging.getLogger(__name__)
T = TypeVar("T")


def reference_secret() -> str:
    """The HS256 secret for in-process reference targets: always random, generated for the run.

    The env var a profile names is read only for the real target: a staging secret never
    needs to reach the local controls, and a short operator secret would make the secure
    control WARN on probe 9 (RFC 7518 §3.2 key length) and the controls meaningless.
    """
    return generate_secret()


async def audit_targets(profile: Profile, targets: list[str], *, url: str = "",
                        probes: list[str] | None = None) -> dict[str, Audit]:
    """Run the battery against each named target concurrently.

    Parameters
    ----------
    profile : Profile
    targets : list of {"secure", "vulnerable", "profile"}
        Reference targets start in-process on ephemeral loopback ports; ``profile`` is the
        profile's URL (or ``url``) with key material from the env vars it names.
    url : str
        Override of the profile's URL for the ``profile`` target.
    probes : list of str, optional

    Returns
    -------
    dict
        target name → :class:`~analysis.wsaudit.results.Audit`.
    """
    jobs: dict[str, tuple[Profile, Keys]] = {}
    if "profile" in targets:
        real = profile.with_url(url) if url else profile
        jobs["profile"] = (real, load_keys(real))
    started: list[ReferenceTarget] = []
    try:
        refs = [t for t in targets if t in MODES]
        if refs:
            rp = reference_profile(profile)
            secret = reference_secret()
            log.info("reference targets: a random secret was generated for this run")
            keys = load_keys(rp, secret=secret)
            for mode in refs:
                t = await reference_target(mode, secret, rp).start()
                started.append(t)
                jobs[mode] = (rp.with_url(t.url), keys)
        names = list(jobs)
        audits = await asyncio.gather(*(run_battery(p, k, probes=probes) for p, k in jobs.values()))
        return dict(zip(names, audits))
    finally:
        for t in started:
            await t.stop()


def run_in_thread(factory: Callable[[], Coroutine[Any, Any, T]], timeout: float | None = None) -> T:
    """Run a coroutine on a fresh event loop in a worker thread (safe inside Jupyter's running loop).

    Parameters
    ----------
    factory : callable
        Makes the coroutine (called in the worker thread).
    timeout : float, optional
        Seconds to wait for it.

    Raises
    ------
    TimeoutError
        When the coroutine did not finish in time; what it raised is re-raised here.
    """
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(factory())
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    th = threading.Thread(target=target, name="wsaudit-battery", daemon=True)
    th.start()
    th.join(timeout)
    if th.is_alive():
        raise TimeoutError("the WebSocket battery did not finish in time")
    if "error" in box:
        raise box["error"]
    return box["value"]


def run(params: WsAuditParams) -> WsAuditResult:
    """Audit the selected targets: the one entry of notebook 04 and ``ws-audit``.

    Parameters
    ----------
    params : WsAuditParams
        The profile file, the URL override, the probes and the targets.

    Returns
    -------
    WsAuditResult
        The profile and one :class:`~analysis.wsaudit.results.Audit` per target.

    Raises
    ------
    ConfigError
        One line, for a bad profile or missing key material.
    """
    profile = load_profile(params.profile)
    probes = list(params.probes) or None
    audits = run_in_thread(lambda: audit_targets(profile, list(params.targets), url=params.url, probes=probes),
                           timeout=profile.deadline_s + 20)
    return WsAuditResult(profile, audits)
