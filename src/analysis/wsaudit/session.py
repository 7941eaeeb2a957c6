"""Wiring: start reference targets, load keys, run the battery against each target.

The notebook and the benchmark call :func:`run_audits`; it runs everything on its own
event loop in a worker thread (ipykernel already runs a loop in the main thread).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

from .forge import Keys, generate_secret, load_keys
from .probes import Audit, run_battery, run_in_thread
from .profile import Profile
from .target import MODES, ReferenceTarget

log = logging.getLogger(__name__)

#: Origins the secure reference target allows (the dashboard's dev server).
REFERENCE_ORIGINS = ["http://localhost:3000"]
TARGETS = (*MODES, "profile")


def reference_profile(profile: Profile) -> Profile:
    """The profile as used against the HS256 reference targets."""
    if profile.algorithm == "HS256":
        return profile
    return replace(profile, algorithm="HS256", secret_env=profile.secret_env or "WS_JWT_SECRET")


def reference_target(mode: str, secret: str, profile: Profile, **kwargs: Any) -> ReferenceTarget:
    """A reference target configured to match ``profile`` (claims, leeway, resources, Origin allowlist)."""
    claims = profile.claims
    resources = {}
    if profile.own_resource:
        resources[profile.own_resource] = profile.subject
    if profile.victim_resource:
        resources[profile.victim_resource] = profile.victim_subject
    kw: dict[str, Any] = dict(issuer=str(claims.get("iss", "infra-mind")), audience=str(claims.get("aud", "infra-mind-api")),
                              token_type=str(claims.get("token_type", "access")), leeway_s=profile.leeway_s,
                              resources=resources or None,
                              allowed_origins=REFERENCE_ORIGINS if mode == "secure" else None)
    kw.update(kwargs)
    return ReferenceTarget(mode, secret, **kw)


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
        target name → :class:`Audit`.
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


def run_audits(profile: Profile, targets: list[str], *, url: str = "", probes: list[str] | None = None) -> dict[str, Audit]:
    """Synchronous :func:`audit_targets` (own event loop in a worker thread; safe in Jupyter)."""
    return run_in_thread(lambda: audit_targets(profile, targets, url=url, probes=probes),
                         timeout=profile.deadline_s + 20)
