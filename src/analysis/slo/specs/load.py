"""Which format a spec document is (from ``apiVersion``/``kind``/``version``), and the SLOs of a set of
documents, each format read by its own module.

=================================================  ==========
document                                           format
=================================================  ==========
``apiVersion: openslo/v1alpha|v1``, ``openslo.com/v2alpha``  OpenSLO (:mod:`.openslo`)
``version: prometheus/...``                        Sloth spec (:mod:`.sloth`)
``apiVersion: sloth.slok.dev/...``                 Sloth CRD / AlertWindows (:mod:`.sloth`)
``apiVersion: pyrra.dev/...``                      Pyrra (:mod:`.pyrra`)
a mapping with ``slos:`` and no ``apiVersion``     the workbook's own catalog (:mod:`analysis.slo.catalog`)
=================================================  ==========
"""

from __future__ import annotations

from ...errors import ConfigError
from ..objectives import SLO
from .documents import Document
from .openslo import openslo_slos
from .pyrra import pyrra_slos
from .sloth import sloth_slos

READERS = {"openslo": openslo_slos, "sloth": sloth_slos, "pyrra": pyrra_slos}
NAMES = {"openslo": "OpenSLO", "sloth": "Sloth", "pyrra": "Pyrra", "workbook": "workbook catalog"}


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
    if isinstance(version, str) and version.startswith("prometheus/"):
        return "sloth"
    if not api and isinstance(d.get("slos"), list) and version in (None, 1, "1"):
        return "workbook"
    if not api and isinstance(version, str) and "slos" in d:
        return "sloth"  # a Sloth file with an unknown version: its reader names the version
    return "unknown"


def spec_slos(docs: list[Document]) -> list[SLO]:
    """The SLOs of spec documents (no own-format document among them), every format by its reader.

    Raises
    ------
    ConfigError
        ``file:line: problem``; a document of no known format names its first keys.
    """
    groups: dict[str, list[Document]] = {}
    for doc in docs:
        fmt = detect(doc)
        if fmt in ("unknown", "workbook"):
            keys = ", ".join(list(doc.data)[:4]) if isinstance(doc.data, dict) else type(doc.data).__name__
            raise ConfigError(f"{doc.file}:{doc.line}: not an SLO spec (keys: {keys}); expected OpenSLO "
                              "(apiVersion openslo/...), Sloth (version prometheus/v1 or sloth.slok.dev/v1), Pyrra "
                              "(pyrra.dev/v1alpha1) or the workbook's catalog (slos: [...])")
        groups.setdefault(fmt, []).append(doc)
    return [s for fmt, group in groups.items() for s in READERS[fmt](group)]
