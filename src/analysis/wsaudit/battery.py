"""The battery against one target: the baseline first, then the probes, all under one hard deadline.

Order: the baseline first (a control: if a valid token is not accepted, a rejection proves
nothing and the other probes are N/A), then the independent probes concurrently (one
semaphore bounds open connections), then one after another the error-oracle probe (timing),
revocation (a server that logs out every session of the user must not disturb the others),
message limits, and the persistence check last. A hard deadline bounds the whole battery,
so a silent or hung target cannot hang the run; a probe still running at the deadline
becomes an ERROR row.

Without the signing key (``Keys.missing``: the profile's env var is unset) every probe
still runs: those that need the key become ERROR rows naming the profile key; the others
send what an attacker can make — an acceptance is still a FAIL, but a rejection proves
nothing without an accepted baseline, so it is N/A.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

from ..redact import redact_text, redact_uri
from .checklist import ProbeSpec
from .keys import Keys, MissingKeyError
from .probes.cases import baseline_accepted, unproven
from .probes.registry import NEEDS_BASELINE, PROBE_FUNCS, select_probes
from .profile import Profile
from .result import Audit, Case, ProbeResult, combine, overall_verdict, summarise
from .sources.client import Runner
from .sources.listener import FetchListener

log = logging.getLogger(__name__)
#: Run one after another, in this order, after every other probe.
LAST = ("error_oracle", "revocation", "message_limits", "persistence")


async def _call(r: Runner, spec: ProbeSpec) -> list[Case]:
    """The probe's cases; a missing key or a probe bug becomes an ERROR case, not a crash of the battery."""
    try:
        return await PROBE_FUNCS[spec.id](r)
    except asyncio.CancelledError:
        raise
    except MissingKeyError as exc:
        return [Case(spec.id, "ERROR", f"needs the signing key: {exc}")]
    except Exception as exc:  # a probe bug must become a row, not a crash of the battery
        log.exception("probe %s failed", spec.id)
        return [Case(spec.id, "ERROR", f"probe raised {type(exc).__name__}: {redact_text(str(exc), r.secrets)}")]


async def run_probe(r: Runner, spec: ProbeSpec) -> ProbeResult:
    """Run one probe (N/A without an accepted baseline, except in a keyless run); never raises."""
    t0 = time.perf_counter()
    keyless = bool(r.keys.missing)
    if spec.id in NEEDS_BASELINE and not keyless and not baseline_accepted(r):
        cases = [Case(spec.id, "N/A", "baseline token not accepted: a rejection would prove nothing")]
    else:
        cases = await _call(r, spec)
        if keyless and spec.id in NEEDS_BASELINE:
            cases = unproven(cases, f"no accepted baseline to compare ({r.keys.missing})",
                             "no signing key, so no accepted baseline: a rejection proves nothing")
    status = combine([c.status for c in cases])
    return ProbeResult(spec.n, spec.id, spec.title, status, summarise(cases), (time.perf_counter() - t0) * 1000,
                       cases)


def _timed_out(spec: ProbeSpec, deadline_s: float) -> ProbeResult:
    return ProbeResult(spec.n, spec.id, spec.title, "ERROR", "probe did not finish before the battery's "
                       f"{deadline_s:g} s deadline", 0.0)


async def _run_batch(r: Runner, batch: list[ProbeSpec], deadline: float, deadline_s: float,
                     results: dict[str, ProbeResult]) -> None:
    """Run ``batch`` concurrently until the ``deadline`` (perf_counter); cancel and mark what is left."""
    if not batch:
        return
    tasks = {asyncio.ensure_future(run_probe(r, s)): s for s in batch}
    done, pending = await asyncio.wait(tasks, timeout=max(0.0, deadline - time.perf_counter()))
    for t in pending:
        t.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
    for t, s in tasks.items():
        ok = t in done and not t.cancelled() and t.exception() is None
        results[s.id] = t.result() if ok else _timed_out(s, deadline_s)


async def run_battery(profile: Profile, keys: Keys, *, probes: list[str] | None = None,
                      deadline_s: float | None = None) -> Audit:
    """Run the battery against ``profile.url``.

    Parameters
    ----------
    profile : Profile
        The target profile (its ``url`` is the only address contacted, plus a local listener).
    keys : Keys
        Key material from :func:`analysis.wsaudit.keys.load_keys`.
    probes : list of str, optional
        Probe ids to run (default all; the baseline always runs).
    deadline_s : float, optional
        Hard limit for the whole battery (default ``profile.deadline_s``).

    Returns
    -------
    Audit
    """
    specs = select_probes(probes)
    limit = deadline_s or profile.deadline_s
    t0 = time.perf_counter()
    deadline = t0 + limit
    r = Runner(profile, keys, deadline=deadline)
    attacker = r.forger.attacker
    r.listener = await FetchListener(json.dumps(attacker.jwks_document()).encode(), attacker.x509_pem()).start()
    results: dict[str, ProbeResult] = {}
    try:
        first = [s for s in specs if s.id == "baseline"]
        last = [s for s in specs if s.id in LAST]
        middle = [s for s in specs if s not in first and s not in last]
        await _run_batch(r, first, deadline, limit, results)
        await _run_batch(r, middle, deadline, limit, results)
        for s in last:
            await _run_batch(r, [s], deadline, limit, results)
    finally:
        await r.listener.stop()
    ordered = [results[s.id] for s in specs]
    accepted = baseline_accepted(r)
    problems = [keys.missing] if keys.missing else []
    return Audit(redact_uri(profile.url), profile.name, overall_verdict(ordered, accepted), ordered,
                 (time.perf_counter() - t0) * 1000, accepted, problems + list(profile.problems))
