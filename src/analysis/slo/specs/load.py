"""Which format a spec document is (from ``apiVersion``/``kind``/``version``), and what a set of documents
holds — its SLOs and the other objects read — every format read by its own module.

=================================================  ==========
document                                           format
=================================================  ==========
``apiVersion: openslo/...``, ``openslo.com/...``   OpenSLO (:mod:`.openslo`)
``version: prometheus/...``, ``alertWindows/...``  Sloth spec / alert windows (:mod:`.sloth`)
``apiVersion: sloth.slok.dev/...``                 Sloth CRD / AlertWindows (:mod:`.sloth`)
``apiVersion: pyrra.dev/...``                      Pyrra (:mod:`.pyrra`)
a mapping with ``slos:`` and no ``apiVersion``     the workbook's own catalog (:mod:`analysis.slo.catalog`)
=================================================  ==========
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ...errors import ConfigError
from ..objectives import SLO
from .documents import Document, read_documents
from .openslo import openslo_read
from .pyrra import pyrra_read
from .sloth import sloth_read

READERS = {"openslo": openslo_read, "sloth": sloth_read, "pyrra": pyrra_read}
NAMES = {"openslo": "OpenSLO", "sloth": "Sloth", "pyrra": "Pyrra", "workbook": "workbook catalog"}


@dataclass
class SpecSet:
    """What spec documents hold: their SLOs, the other objects read (``OpenSLO Service web``), the formats."""

    slos: list[SLO] = field(default_factory=list)
    objects: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)


def detect(doc: Document) -> str:
    """``openslo``, ``sloth``, ``pyrra``, ``workbook`` (own format) or ``unknown``."""
    d = doc.data
    if not isinstance(d, dict):
        return "unknown"
    api = str(d.get("apiVersion") or "")
    if api.startswith(("openslo/", "openslo.com/")):
        return "openslo"
    if api.startswith("sloth.slok.dev/"):
        return "sloth"
    if api.startswith("pyrra.dev/"):
        return "pyrra"
    version = d.get("version")
    if isinstance(version, str) and version.startswith(("prometheus/", "alertWindows/")):
        return "sloth"
    if not api and isinstance(d.get("slos"), list) and version in (None, 1, "1"):
        return "workbook"
    if not api and isinstance(version, str) and "slos" in d:
        return "sloth"  # a Sloth file with an unknown version: its reader names the version
    return "unknown"


def _not_a_spec(doc: Document) -> ConfigError:
    d = doc.data
    keys = ", ".join(map(str, list(d)[:4])) if isinstance(d, dict) else type(d).__name__
    api = f"apiVersion {d['apiVersion']!r} is no SLO spec format; " if isinstance(d, dict) and d.get("apiVersion") \
        else ""
    return ConfigError(f"{doc.file}:{doc.line}: not an SLO spec ({api}keys: {keys}); expected OpenSLO (apiVersion "
                       "openslo/...), Sloth (version prometheus/v1 or sloth.slok.dev/v1), Pyrra (pyrra.dev/v1alpha1) "
                       "or the workbook's catalog (slos: [...])")


def spec_set(docs: list[Document]) -> SpecSet:
    """The SLOs and other objects of spec documents (no own-format document among them).

    Raises
    ------
    ConfigError
        ``file:line: problem``; a document of no known format names its first keys.
    """
    groups: dict[str, list[Document]] = {}
    for doc in docs:
        fmt = detect(doc)
        if fmt in ("unknown", "workbook"):
            raise _not_a_spec(doc)
        groups.setdefault(fmt, []).append(doc)
    out = SpecSet(formats=[NAMES[f] for f in groups])
    for fmt, group in groups.items():
        slos, objects = READERS[fmt](group)
        out.slos += slos
        out.objects += [f"{NAMES[fmt]} {o}" for o in objects]
    return out


def spec_slos(docs: list[Document]) -> list[SLO]:
    """The SLOs of spec documents (see :func:`spec_set`)."""
    return spec_set(docs).slos


def read_specs(path: str | os.PathLike[str]) -> SpecSet:
    """Every spec document of a file or a directory, read: SLOs and the other objects (a file may hold no SLO).

    Raises
    ------
    ConfigError
        One line ``file:line: problem``.
    """
    docs = read_documents(path)
    if not docs:
        raise ConfigError(f"{path}: no document")
    return spec_set(docs)
