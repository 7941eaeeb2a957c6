"""The in-process reference targets by name, configured to match a profile, and a thread to run one in.

``secure`` / ``vulnerable`` (:mod:`.reference_target`, the Infra Mind protocol) and
``pubsub`` / ``pubsub_header`` (:mod:`.pubsub_target`, a pub/sub server of another
design) are notebook 04's embedded default: the controls that show the battery tells a
secure server from a vulnerable one. :func:`reference_target` configures one for a
profile and key set; :class:`ThreadedTarget` runs one on its own event loop (for sync
callers and notebooks); the ``ws-target`` command serves one from a shell.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from ..keys import Keys
from ..profile import Profile
from . import pubsub_target, reference_target as infra

#: Reference targets speaking the Infra Mind protocol (audited with the notebook's profile).
INFRA_MODES = infra.MODES
#: Reference targets speaking the pub/sub protocol (audited with the pub/sub profile).
PUBSUB_MODES = pubsub_target.MODES
MODES = (*INFRA_MODES, *PUBSUB_MODES)
REFERENCE_ORIGINS = infra.REFERENCE_ORIGINS


def make_target(mode: str, secret: str, **kwargs: Any) -> Any:
    """A reference target object (not started) for ``mode`` with the HMAC ``secret``."""
    if mode in PUBSUB_MODES:
        return pubsub_target.PubSubTarget(mode, secret, **kwargs)
    return infra.ReferenceTarget(mode, secret, **kwargs)


def reference_target(mode: str, keys: Keys, profile: Profile, **kwargs: Any) -> Any:
    """A reference target configured to match ``profile`` and verify with ``keys``.

    Parameters
    ----------
    mode : str
        One of :data:`MODES`.
    keys : Keys
        Generated key material (:func:`analysis.wsaudit.keys.generate_keys`): the HMAC
        secret, or the key pair whose public half the secure target verifies with; its
        revoke secret is the pub/sub server's API key.
    profile : Profile
        Its ``iss`` / ``aud`` / ``token_type`` claims, leeway, grace, algorithms, own and
        victim resources, transport.
    **kwargs
        Override any argument of the target.
    """
    claims = profile.claims
    secret = (keys.secret or b"").decode()
    if mode in PUBSUB_MODES:
        kw: dict[str, Any] = dict(api_key=keys.revoke_secret, issuer=str(claims.get("iss", "")),
                                  audience=str(claims.get("aud", "")), leeway_s=profile.leeway_s,
                                  expiry_grace_s=profile.expiry_grace_s, allowed_origins=REFERENCE_ORIGINS)
    else:
        resources = {r: s for r, s in ((profile.own_resource, profile.subject),
                                       (profile.victim_resource, profile.victim_subject)) if r}
        kw = dict(issuer=str(claims.get("iss", "infra-mind")), audience=str(claims.get("aud", "infra-mind-api")),
                  token_type=str(claims.get("token_type", "access")), leeway_s=profile.leeway_s,
                  resources=resources or None, algorithms=list(profile.algorithms),
                  public_key=None if keys.algorithm.startswith("HS") else keys.verify_key,
                  query_token=profile.token_transport == "query_param",
                  allowed_origins=REFERENCE_ORIGINS if mode == "secure" else None)
    kw.update(kwargs)
    return make_target(mode, secret, **kw)


class ThreadedTarget:
    """A reference target running in a background thread with its own event loop.

    For synchronous callers and notebooks (ipykernel already runs a loop). Use as a
    context manager or call :meth:`start` / :meth:`stop`; :attr:`url` is valid after start.

    Parameters
    ----------
    mode : str
        One of :data:`MODES`.
    secret : str
        The HMAC secret.
    **kwargs
        Arguments of the target (``api_key``, ``allowed_origins`` …).
    """

    def __init__(self, mode: str, secret: str, **kwargs: Any) -> None:
        self.target = make_target(mode, secret, **kwargs)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        """The target's WebSocket URL (valid after :meth:`start`)."""
        return self.target.url

    @property
    def mode(self) -> str:
        """The target's mode."""
        return self.target.mode

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self.target.start())
        except BaseException as exc:  # surfaced by start()
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(self.target.stop())
        loop.close()

    def start(self, timeout: float = 5.0) -> ThreadedTarget:
        """Start the target in its thread; wait until it listens (or raise what stopped it)."""
        self._thread = threading.Thread(target=self._run, name=f"ws-target-{self.target.mode}", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("reference target did not start in time")
        if self._error:
            raise self._error
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the loop and the target; wait for the thread."""
        if self._loop and self._thread and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)

    def __enter__(self) -> ThreadedTarget:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
