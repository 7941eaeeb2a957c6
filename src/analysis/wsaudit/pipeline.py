"""Wiring of notebook 04 and ``ws-audit``: load the profiles, start the reference targets, run the battery on each.

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
from .keys import Keys, generate_keys, load_keys
from .params import WsAuditParams
from .profile import Profile, load_profile
from .result import Audit, WsAuditResult
from .sources.targets import MODES, PUBSUB_MODES, reference_target

log = logging.getLogger(__name__)
T = TypeVar("T")


async def audit_targets(profile: Profile, targets: list[str], *, url: str = "", probes: list[str] | None = None,
                        pubsub_profile: Profile | None = None) -> dict[str, Audit]:
    """Run the battery against each named target concurrently.

    Parameters
    ----------
    profile : Profile
        The real target's profile, also the protocol of ``secure`` / ``vulnerable``.
    targets : list of str
        Reference targets (``secure``, ``vulnerable``, ``pubsub``, ``pubsub_header``) start
        in-process on ephemeral loopback ports with key material generated for the run (an
        env var is read only for the real target); ``profile`` is the profile's URL (or
        ``url``) with key material from the env vars it names.
    url : str
        Override of the profile's URL for the ``profile`` target.
    probes : list of str, optional
    pubsub_profile : Profile, optional
        The protocol of ``pubsub`` / ``pubsub_header`` (needed when they are selected).

    Returns
    -------
    dict
        target name → :class:`~analysis.wsaudit.result.Audit`, in the order of ``targets``.
    """
    jobs: dict[str, tuple[Profile, Keys]] = {}
    started: list = []
    generated: dict[str, Keys] = {}
    try:
        for name in targets:
            if name == "profile":
                real = profile.with_url(url) if url else profile
                jobs[name] = (real, load_keys(real))
                continue
            prof = pubsub_profile if name in PUBSUB_MODES else profile
            if prof is None:
                raise ValueError(f"target {name!r} needs the pub/sub profile")
            if prof.where not in generated:  # one random key set per protocol, never from the environment
                generated[prof.where] = generate_keys(prof)
            keys = generated[prof.where]
            t = await reference_target(name, keys, prof).start()
            started.append(t)
            jobs[name] = (prof.with_url(t.url), keys)
        if any(t in MODES for t in targets):
            log.info("reference targets: key material was generated for this run")
        audits = await asyncio.gather(*(run_battery(p, k, probes=probes) for p, k in jobs.values()))
        return dict(zip(jobs, audits))
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
        The profile and one :class:`~analysis.wsaudit.result.Audit` per target.

    Raises
    ------
    ConfigError
        One line, for a bad profile or missing key material.
    """
    profile = load_profile(params.profile)
    pubsub = load_profile(params.pubsub_profile) if set(params.targets) & set(PUBSUB_MODES) else None
    probes = list(params.probes) or None
    deadline = max(profile.deadline_s, pubsub.deadline_s if pubsub else 0)
    audits = run_in_thread(lambda: audit_targets(profile, list(params.targets), url=params.url, probes=probes,
                                                 pubsub_profile=pubsub), timeout=deadline + 20)
    return WsAuditResult(profile, audits)
