"""OpenSLO ``openslo/v1alpha``, ``openslo/v1`` and ``openslo.com/v2alpha`` documents →
:class:`~analysis.slo.objectives.SLO` objects (one per objective).

Every kind is read: ``SLO``, ``SLI``, ``Service``, ``DataSource``, ``AlertPolicy``, ``AlertCondition``,
``AlertNotificationTarget`` (the last five are checked as the OpenSLO schema checks them and kept for
reference; a standalone ``SLI`` is read like an inline one). Indicators are inline or referenced
(``indicatorRef``, v2alpha ``sliRef``; per objective too), across every file of a directory;
``ratioMetric`` (good/bad/total or ``raw`` with ``rawType``), ``thresholdMetric`` (share of time
``query op value``); rolling and calendar windows (``calendar.startTime`` and ``timeZone`` honoured);
several objectives become several SLOs named ``<slo>:<objective>``. The spellings of the other
versions (``sli``/``indicator``, ``metricSource``/``dataSourceRef``, ``timeWindow``/``timeWindows``,
``counter``/``incremental``) are read in every version and noted; the pre-release ``openslo/v1beta1``
is read as v1. A reference to an object that is not among the files read leaves the SLO loaded and
its SLI unevaluated, with the reason. Queries are read by :mod:`.queries` (PromQL as written). Every
default the reader applies is noted in the SLO's :class:`~analysis.slo.objectives.SpecInfo`.
"""

from __future__ import annotations

import math
import re

from ...errors import ConfigError
from ...promqlexpr import parse_query
from ..objectives import SLI, SLO, SpecInfo, Written, parse_duration
from . import extras
from .documents import Document, Node
from .openslo_parts import KINDS, VERSION_KINDS, VERSIONS, Objects, check_object, metric_source, time_window
from .queries import foreign, read_roles, threshold

_METHODS = {"occurrences": "occurrences", "timeslices": "timeslices", "ratiotimeslices": "ratio_timeslices"}
_OPS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def _version(doc: Document) -> str:
    api = str(doc.data.get("apiVersion", ""))
    if api not in VERSIONS:
        raise ConfigError(f"{doc.file}:{doc.data.line_of('apiVersion') if hasattr(doc.data, 'line_of') else doc.line}: "
                          f"apiVersion: unsupported OpenSLO version {api!r} (openslo/v1alpha, openslo/v1, "
                          "openslo.com/v2alpha)")
    return VERSIONS[api]


def _node(doc: Document, version: str) -> tuple[str, str, Node]:
    """``(kind, name, node)`` of one document, its kind (for its version) and ``metadata.name`` checked."""
    root = Node(doc.data, doc.file, "", "", doc.line)
    kind = root.text("kind", required=True)
    if kind not in KINDS:
        raise root.error("kind", f"unknown OpenSLO kind {kind!r} ({', '.join(KINDS)})")
    if kind not in VERSION_KINDS[version]:
        raise root.error("kind", f"{root.text('apiVersion')} has no kind {kind} "
                                 f"({', '.join(VERSION_KINDS[version])})")
    meta = root.node("metadata", required=True)
    name = meta.text("name", required=True)
    if re.search(r"\s", name):
        raise meta.error("name", f"{name!r} contains white space (OpenSLO names are DNS labels)")
    root.what = f"{kind} {name}"
    return kind, name, root


def index(docs: list[Document]) -> tuple[Objects, list[tuple[str, Node]], list[tuple[str, Node]]]:
    """Every document by kind and name (duplicates refused), the SLO and the SLI documents with their version."""
    objs = Objects()
    slos: list[tuple[str, Node]] = []
    slis: list[tuple[str, Node]] = []
    for doc in docs:
        version = _version(doc)
        kind, name, node = _node(doc, version)
        if name in objs.by_kind.setdefault(kind, {}):
            raise node.error("metadata.name", f"{kind} {name!r} is defined twice")
        objs.by_kind[kind][name] = node
        if kind == "SLO":
            slos.append((version, node))
        elif kind == "SLI":
            slis.append((version, node))
        else:
            check_object(kind, node, objs)
    return objs, slos, slis


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.:\-]+", "_", text.strip()) or "objective"


def _counter(rm: Node, objs: Objects) -> bool:
    key = rm.first("counter", "incremental")
    if key is None:
        objs.notes.append(f"{rm.key_path('counter')} missing: counter: true assumed")
        return True
    return rm.flag(key)


def _ratio(rm: Node, version: str, objs: Objects) -> SLI | tuple:
    counter = _counter(rm, objs)
    if rm.has("raw"):
        raw_type = rm.text("rawType", default="failure").lower()
        if raw_type not in ("success", "failure"):
            raise rm.error("rawType", f"expected success or failure, got {raw_type!r}")
        mtype, query, key, where = metric_source(rm.node("raw"), version, objs)
        if mtype.lower() != "prometheus":
            return foreign(mtype, query, counter)
        return read_roles(where, {"ratio": key}, {"ratio": query}, counter=counter,
                          form="good_ratio" if raw_type == "success" else "error_ratio")
    if rm.has("good") and rm.has("bad"):
        raise rm.error("bad", "ratioMetric takes good or bad, not both")
    if not rm.has("total") or not (rm.has("good") or rm.has("bad")):
        raise rm.error("total" if not rm.has("total") else "good", "ratioMetric needs total and one of good/bad "
                       "(or raw)")
    texts, keys, types = {}, {}, set()
    for role in ("good", "bad", "total"):
        if rm.has(role):
            mtype, query, key, where = metric_source(rm.node(role), version, objs)
            types.add(mtype)
            if mtype.lower() == "prometheus":
                parse_query(query, f"{where.file}:{where.line_of(key)}: {where.what}: {where.key_path(key)}")
            texts[role], keys[role] = query, f"{role}"
    foreign_type = next((t for t in types if t.lower() != "prometheus"), None)
    if foreign_type:
        return foreign(foreign_type, " / ".join(t for t in texts.values() if t), counter)
    return read_roles(rm, keys, texts, counter=counter)


def _threshold(ind: Node, version: str, objs: Objects, objective: Node | None) -> SLI:
    tm = ind.node("thresholdMetric")
    mtype, query, key, where = metric_source(tm, version, objs)
    if mtype.lower() != "prometheus":
        return foreign(mtype, query, False)
    if objective is None:  # a standalone SLI: its objective (op, value) comes with the SLO
        return threshold(where, key, query, "", math.nan)
    op = objective.text("op", default="lte").lower()
    if not objective.has("op"):
        objs.notes.append(f"{objective.key_path('op')} missing: lte assumed")
    if op not in _OPS:
        raise objective.error("op", f"expected lt, lte, gt or gte, got {op!r}")
    value = objective.number("value")
    return threshold(where, key, query, _OPS[op], value)


def _indicator(ind: Node, version: str, objs: Objects, objective: Node | None):
    """An indicator's spec → a :class:`~.queries.Reading` (or an SLI for foreign / threshold metrics)."""
    if ind.has("ratioMetric"):
        reading = _ratio(ind.node("ratioMetric"), version, objs)
        if ind.has("grouping") and not isinstance(reading, SLI):  # the workbook's extension (Pyrra's field)
            reading.group_by = tuple(sorted(set(reading.group_by) | set(ind.strings("grouping"))))
        return reading
    if ind.has("thresholdMetric"):
        return _threshold(ind, version, objs, objective)
    raise ind.error("", "needs ratioMetric or thresholdMetric")


def _unresolved(what: str) -> SLI:
    return SLI("ratio", written=Written(form="unresolved", live=False, refused=what))


def _inline(holder: Node, key: str, version: str, objs: Objects, obj: Node):
    ind = holder.node(key)
    if key != ("sli" if version == "v2alpha" else "indicator"):
        objs.notes.append(f"{holder.key_path(key)}: the spelling of another OpenSLO version, read as written")
    if ind.has("spec"):
        return _indicator(ind.node("spec"), version, objs, obj)
    if ind.has("ratioMetric") or ind.has("thresholdMetric"):
        return _indicator(ind, version, objs, obj)
    return _unresolved(f"{holder.key_path(key)} has no spec (only its metadata): no SLI to evaluate")


def _indicator_of(spec: Node, obj: Node, version: str, objs: Objects):
    """The indicator of one objective: its own (v1 composite, v1alpha ratioMetrics) or the SLO's."""
    for holder in (obj, spec):
        if holder.has("ratioMetrics"):  # v1alpha
            return _ratio(holder.node("ratioMetrics"), version, objs)
        inline = holder.first("indicator", "sli")
        if inline:
            return _inline(holder, inline, version, objs, obj)
        ref_key = holder.first("indicatorRef", "sliRef")
        if ref_key:
            ref = holder.text(ref_key)
            target = objs.get("SLI", ref)
            if target is None:
                return _unresolved(f"{holder.key_path(ref_key)} {ref!r} names no kind: SLI document among the files "
                                   "read (pass the directory that holds it)")
            return _indicator(target.node("spec", required=True), version, objs, obj)
    raise spec.error("indicator", "needs indicator or indicatorRef (v2alpha: sli or sliRef)")


def _method(spec: Node, notes: list[str]) -> str:
    raw = spec.text("budgetingMethod")
    if not raw:
        notes.append(f"{spec.key_path('budgetingMethod')} missing: Occurrences assumed")
        return "occurrences"
    method = _METHODS.get(raw.lower())
    if method is None:
        raise spec.error("budgetingMethod", f"expected Occurrences, Timeslices or RatioTimeslices, got {raw!r}")
    return method


def _target(obj: Node) -> float:
    if obj.has("targetPercent"):
        pct = obj.number("targetPercent")
    elif obj.has("target"):
        pct = obj.number("target") * 100
    else:
        raise obj.error("target", "is required (target as a fraction, or targetPercent)")
    if not 0 < pct < 100:
        raise obj.error("target" if obj.has("target") else "targetPercent",
                        f"target {pct:g} % is outside 0 < target < 100" + (" (100 % leaves no error budget)"
                                                                            if pct == 100 else ""))
    return pct / 100


def _slice(obj: Node, method: str, target: float, notes: list[str]) -> tuple[float, float]:
    slice_s = 300.0
    if obj.has("timeSliceWindow"):
        try:
            slice_s = parse_duration(obj.raw("timeSliceWindow"), "")
        except ConfigError:
            raise obj.error("timeSliceWindow", f"expected a duration like 1m, got {obj.raw('timeSliceWindow')!r}") \
                from None
    elif method != "occurrences":
        notes.append(f"{obj.key_path('timeSliceWindow')} missing: 5m slices assumed")
    st = math.nan
    if obj.has("timeSliceTarget"):
        st = obj.number("timeSliceTarget")
        if not 0 < st <= 1:
            raise obj.error("timeSliceTarget", f"expected a fraction in (0, 1], got {st:g}")
    elif method == "timeslices":
        notes.append(f"{obj.key_path('timeSliceTarget')} missing: the objective's target {100 * target:g} % "
                     "assumed per slice")
    return slice_s, st


def _policies(spec: Node) -> list[str]:
    """The names of ``alertPolicies`` (names, ``alertPolicyRef`` entries or inline AlertPolicy objects, checked)."""
    out = []
    raw = spec.raw("alertPolicies") or []
    if not isinstance(raw, list):
        raise spec.error("alertPolicies", f"expected a list of alert policies, got {raw!r}")
    for i, p in enumerate(raw):
        if isinstance(p, dict):
            node = Node(p, spec.file, f"{spec.key_path('alertPolicies')}[{i}]", spec.what, spec.line_of("alertPolicies"))
            if p.get("kind") == "AlertPolicy":
                check_object("AlertPolicy", node, Objects())
            meta = p.get("metadata")
            out.append(str(p.get("alertPolicyRef") or (meta.get("name") if isinstance(meta, dict) else "") or "?"))
        else:
            out.append(str(p))
    return out


def slo_objectives(version: str, doc: Node, objs: Objects) -> list[SLO]:
    """The SLOs (one per objective) of one ``kind: SLO`` document."""
    spec = doc.node("spec", required=True)
    name = doc.node("metadata").text("name")
    notes: list[str] = []
    if doc.text("apiVersion") == "openslo/v1beta1":
        notes.append("apiVersion openslo/v1beta1 (a pre-release of v1): read as openslo/v1")
    service = spec.text("service") or spec.text("serviceRef")
    if not service:
        notes.append(f"{spec.key_path('service')} missing: no service label")
    window = time_window(spec, version, notes)
    method = _method(spec, notes)
    objectives = spec.items("objectives", required=True)
    if not objectives:
        raise spec.error("objectives", "needs at least one objective")
    meta = doc.node("metadata")
    description = spec.text("description") or meta.text("displayName")
    policies = _policies(spec)
    out = []
    for i, obj in enumerate(objectives):
        target = _target(obj)
        start = len(objs.notes)
        reading = _indicator_of(spec, obj, version, objs)
        o_notes = list(notes) + objs.notes[start:]
        slice_s, st = _slice(obj, method, target, o_notes)
        sli = reading if isinstance(reading, SLI) else reading.sli
        by = () if isinstance(reading, SLI) else reading.group_by
        without = False if isinstance(reading, SLI) else reading.without
        o_notes += [] if isinstance(reading, SLI) else reading.notes
        label = obj.text("displayName") or obj.text("name") or str(i)
        oname = name if len(objectives) == 1 else f"{name}:{_safe_name(label)}"
        info = SpecInfo("openslo", f"openslo/{version}" if version != "v2alpha" else "openslo.com/v2alpha",
                        doc.file, obj.line, tuple(dict.fromkeys(o_notes)), {"alertPolicies": policies})
        slo = SLO(name=oname, target=target, window=window, sli=sli, description=description, method=method,
                  slice_s=slice_s, slice_target=st, source=doc.file, service=service, group_by=by,
                  group_without=without, spec=info)
        out.append(extras.apply(slo, meta, version))
    return out


def _sli_kind(version: str, node: Node, objs: Objects) -> str:
    """A standalone SLI document read as an inline one would be: its query kind, for the objects listed."""
    reading = _indicator(node.node("spec", required=True), version, objs, None)
    sli = reading if isinstance(reading, SLI) else reading.sli
    return sli.written.form if sli.written and sli.written.refused else sli.kind


def openslo_read(docs: list[Document]) -> tuple[list[SLO], list[str]]:
    """The SLOs of a set of OpenSLO documents (any mix of kinds and versions) and the other objects read.

    Raises
    ------
    ConfigError
        ``file:line: kind name: key: problem``.
    """
    objs, slos, slis = index(docs)
    objects = [f"SLI {n.what.split(' ', 1)[1]} ({_sli_kind(v, n, objs)})" for v, n in slis]
    objects += [f"{kind} {name}" for kind, named in objs.by_kind.items() if kind not in ("SLO", "SLI")
                for name in named]
    return [s for version, node in slos for s in slo_objectives(version, node, objs)], objects


def openslo_slos(docs: list[Document]) -> list[SLO]:
    """The SLOs of a set of OpenSLO documents (see :func:`openslo_read`)."""
    return openslo_read(docs)[0]
