"""JWT forge: the valid baseline and every attack variant of the probe checklist, in one object.

:class:`Forger` is the one object the probes use. It is built from a
:class:`~.minter.Minter` (header, claims, signing: the valid tokens) and one mixin per
attack family (:mod:`.attacks`): signatures and algorithms (probes 3–9), header keys and
header abuse (10–12, 26), claims (13, 15) and curves (25), with the attacker's own keys in
:class:`~.minter.AttackerKeys`.
"""

from __future__ import annotations

from .attacks import ClaimAttacks, CurveAttacks, HeaderKeyAttacks, SignatureAttacks
from .minter import DROP, AttackerKeys, Forged, Minter

__all__ = ["DROP", "AttackerKeys", "Forged", "Forger", "Minter"]


class Forger(SignatureAttacks, HeaderKeyAttacks, ClaimAttacks, CurveAttacks):
    """Mints the baseline and every attack variant for one profile and key set (see the module docstring)."""
