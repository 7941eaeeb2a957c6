"""A spec's SLI queries, as written → an :class:`~analysis.slo.objectives.SLI` the workbook evaluates.

Shared by the OpenSLO, Sloth and Pyrra readers. Each query is parsed by the real PromQL parser
(:mod:`analysis.promqlexpr`) and read as a linear combination of counter increases or gauge samples.
What that reading can express exactly from raw series becomes the SLI's selectors:

* sums of ``rate``/``increase`` (or bare counters) per role → a ``ratio`` SLI; an error query
  ``total − good`` (Sloth's latency idiom) is read as ``1 − good/total``;
* a role ``<h>_bucket{le="X"}`` over ``<h>_count`` (or ``le="+Inf"``) → a ``latency`` SLI at X s;
* ``sum_over_time(g) / count_over_time(g)`` of one gauge → a ``bool_gauge`` SLI (the mean of g);
* bare gauges with ``counter: false`` → a ``gauge_ratio`` SLI;
* ``sum by (<labels>)`` in every role → one SLO per label value (``group_by``).

Anything else is kept as written with :attr:`Written.refused` saying which construct an export
cannot reproduce; a live Prometheus evaluates it as written (pushdown). The query text itself is
always kept (:class:`~analysis.slo.objectives.Written`), never reduced to a selector.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ...promql import Selector, make_matcher
from ...promqlexpr import NotComputable, Term, linear, outer_grouping, parse_query, ratio, split_offset
from ..objectives import SLI, Written
from .documents import Node

#: the reason an SLI's queries cannot be recomputed from raw series (the advice is added where it is refused)
EXPORT = "is not computable from an export"


@dataclass
class Reading:
    """What the queries say: the SLI, its grouping labels and the notes the reading made."""

    sli: SLI
    group_by: tuple[str, ...] = ()
    without: bool = False
    notes: list[str] = field(default_factory=list)


class _Refuse(Exception):
    pass


def _single(lin: dict[Term, float]) -> Term | None:
    return next(iter(lin)) if len(lin) == 1 and next(iter(lin.values())) == 1.0 else None


def _unit(lin: dict[Term, float]) -> bool:
    return bool(lin) and all(c == 1.0 for c in lin.values())


def _minus(a: dict[Term, float], b: dict[Term, float]) -> dict[Term, float]:
    out = dict(a)
    for t, c in b.items():
        out[t] = out.get(t, 0.0) - c
        if abs(out[t]) < 1e-12:
            del out[t]
    return out


def _grouping(roles: dict[str, dict[Term, float]], notes: list[str]) -> tuple[tuple[str, ...], bool]:
    """The ``sum by`` labels every term shares (a bare term is summed: noted)."""
    groupings = {(t.by, t.without) for lin in roles.values() for t in lin}
    if any(by is None for by, _ in groupings):
        notes.append("a query without sum(): its series are summed (as sum())")
    groupings = {((by or ()), w) for by, w in groupings}
    if len(groupings) > 1:
        shown = " and ".join(sorted(f"{'without' if w else 'by'} ({', '.join(by)})" for by, w in groupings))
        raise _Refuse(f"the roles are summed differently ({shown}): the ratio would match no series")
    (by, without), = groupings
    return tuple(sorted(by)), without


def _functions(roles: dict[str, dict[Term, float]], counter: bool, notes: list[str]) -> str:
    fns = {t.function for lin in roles.values() for t in lin}
    if fns <= {"increase", "value"}:
        if not counter:
            if "increase" in fns:
                raise _Refuse("rate()/increase() in a ratio declared counter: false")
            return "gauge_ratio"
        if "value" in fns:
            notes.append("a counter selector without rate(): its increase over the window is counted")
        return "ratio"
    if fns <= {"sum_over_time", "count_over_time"}:
        return "bool_gauge"
    raise _Refuse(f"mixes {', '.join(sorted(f + '()' for f in fns if f != 'value'))} of different kinds")


def _normalise(roles: dict[str, dict[Term, float]]) -> dict[str, dict[Term, float]]:
    """Roles as sums of unit terms: ``bad = total − good`` rewritten as ``good``, a common factor dropped."""
    coefs = {c for lin in roles.values() for c in lin.values()}
    if len(coefs) == 1 and (c := coefs.pop()) > 0 and c != 1.0:
        roles = {r: {t: 1.0 for t in lin} for r, lin in roles.items()}
    if set(roles) == {"bad", "total"} and not _unit(roles["bad"]) and _unit(roles["total"]):
        good = _minus(roles["total"], roles["bad"])
        if _unit(good):
            return {"good": good, "total": roles["total"]}
    if set(roles) == {"good", "total"} and not _unit(roles["good"]) and _unit(roles["total"]):
        bad = _minus(roles["total"], roles["good"])
        if _unit(bad):
            return {"bad": bad, "total": roles["total"]}
    for role, lin in roles.items():
        for t, c in lin.items():
            if c != 1.0:
                raise _Refuse(f"{role} has a coefficient {c:g} on {t.selector}: not a sum of event counts")
    return roles


def _latency(roles: dict[str, dict[Term, float]], notes: list[str]) -> SLI | None:
    """``1 − bucket{le=X}/count``: a latency SLI at X seconds (None when the roles are not that)."""
    if set(roles) != {"good", "total"}:
        return None
    good, total = _single(roles["good"]), _single(roles["total"])
    if good is None or total is None or not good.selector.metric.endswith("_bucket"):
        return None
    base = good.selector.metric[: -len("_bucket")]
    le = [m for m in good.selector.matchers if m.label == "le"]
    others = frozenset((m.label, m.op, m.value) for m in good.selector.matchers if m.label != "le")
    t_le = [m for m in total.selector.matchers if m.label == "le"]
    t_others = frozenset((m.label, m.op, m.value) for m in total.selector.matchers if m.label != "le")
    if len(le) != 1 or le[0].op != "=" or others != t_others:
        return None
    if total.selector.metric == base + "_count" and not t_le:
        notes.append(f"latency: {base}_count read as the le=\"+Inf\" bucket (the same count)")
    elif not (total.selector.metric == good.selector.metric and len(t_le) == 1 and t_le[0].value == "+Inf"):
        return None
    try:
        thr = float(le[0].value)
    except ValueError:
        return None
    if not thr > 0 or math.isinf(thr):
        return None
    matchers = tuple(m for m in good.selector.matchers if m.label != "le")
    sel = Selector(base, matchers) if matchers else None
    return SLI("latency", metric=base, threshold_s=thr, selector=sel, buckets=(thr,))


def _sli_of(roles: dict[str, dict[Term, float]], counter: bool, notes: list[str]) -> tuple[SLI, tuple, bool]:
    by, without = _grouping(roles, notes)
    kind = _functions(roles, counter, notes)
    if kind == "bool_gauge":
        good, total = _single(roles.get("good", {})), _single(roles.get("total", {}))
        if set(roles) == {"bad", "total"}:
            raise _Refuse("the mean of a gauge read as the error ratio (the workbook reads a 0/1 gauge's mean as "
                          "its success ratio)")
        if set(roles) != {"good", "total"} or good is None or total is None or good.selector != total.selector \
                or (good.function, total.function) != ("sum_over_time", "count_over_time"):
            raise _Refuse("sum_over_time()/count_over_time() other than the mean of one gauge")
        return SLI("bool_gauge", good=(good.selector,), total=(total.selector,)), by, without
    roles = _normalise(roles)
    lat = _latency(roles, notes) if kind == "ratio" else None
    if lat is not None:
        return lat, by, without
    sels = {r: tuple(t.selector for t in roles.get(r, {})) for r in ("good", "bad", "total")}
    return SLI(kind, sels["good"], sels["bad"], sels["total"]), by, without


def read_roles(node: Node, keys: dict[str, str], texts: dict[str, str], *, counter: bool = True,
               form: str = "", ratio_key: str = "", live: bool = True) -> Reading:
    """Read role queries (``{"bad": ..., "total": ...}``) or one ratio query (``{"ratio": ...}``).

    Parameters
    ----------
    node : Node
        Where the queries are (errors name its file, line and key).
    keys : dict
        Role → the key the query was read from (``error_query``), for errors.
    texts : dict
        Role → query text as written (``good``/``bad``/``total``, or ``ratio``).
    counter : bool
        The roles count events (rate/increase of counters); False: gauges (OpenSLO ``counter: false``).
    form : str
        For a ``ratio`` query: ``error_ratio`` (it is the error ratio) or ``good_ratio``.
    live : bool
        Whether a live Prometheus could evaluate the queries (False for non-Prometheus sources).

    Raises
    ------
    ConfigError
        A query that is not PromQL (``file:line: key: invalid PromQL (...)``).
    """
    parsed = {r: parse_query(t, f"{node.file}:{node.line_of(keys.get(r, ''))}: {node.what}: "
                                f"{node.key_path(keys.get(r, r))}") for r, t in texts.items()}
    notes: list[str] = []
    if "ratio" in texts:
        w_form = form or "error_ratio"
    else:
        w_form = "bad/total" if "bad" in texts and "total" in texts else \
            ("1-good/total" if "total" in texts else "bad/(good+bad)")
    written = dict(form=w_form, counter=counter, live=live, **{r: " ".join(t.split()) if r != "ratio" else t.strip()
                                                               for r, t in texts.items()})
    try:
        if "ratio" in parsed:
            role, num, den = ratio(parsed["ratio"], node.key_path(keys.get("ratio", "ratio")))
            if form == "good_ratio":
                role = "bad" if role == "good" else "good"
            roles = {role: num, "total": den}
        else:
            roles = {r: linear(e, node.key_path(keys.get(r, r))) for r, e in parsed.items()}
        sli, by, without = _sli_of(roles, counter, notes)
    except (NotComputable, _Refuse) as exc:
        construct = exc.construct if isinstance(exc, NotComputable) else str(exc)
        shown = ", ".join(node.key_path(keys.get(r, r)) for r in texts)
        refused = f"{shown}: {construct} {EXPORT}"
        kind = "ratio" if counter else "gauge_ratio"
        splits = {outer_grouping(e) for e in parsed.values()}  # kept when the queries are pushed down as written
        by, without = splits.pop() if len(splits) == 1 and None not in splits else ((), False)
        return Reading(SLI(kind, written=Written(**written, refused=refused)), by, without, notes)
    return Reading(SLI(sli.kind, sli.good, sli.bad, sli.total, sli.metric, sli.threshold_s, sli.selector,
                       sli.interpolate, sli.buckets, Written(**written)), by, without, notes)


def foreign(source: str, query: str, counter: bool = True) -> SLI:
    """An SLI whose queries are not PromQL (Datadog, AppDynamics...): read, never evaluated."""
    return SLI("ratio" if counter else "gauge_ratio", written=Written(
        form="foreign", good=query, counter=counter, live=False,
        refused=f"metric source {source} is not Prometheus: the workbook evaluates Prometheus data only"))


def threshold(node: Node, key: str, query: str, op: str, value: float) -> SLI:
    """A threshold SLI (good when ``query op value``): evaluated as written on a live Prometheus.

    Without a value (a standalone SLI, or an objective that gives none) there is nothing to compare
    the query with: read, and refused wherever it would be evaluated.
    """
    parse_query(query, f"{node.file}:{node.line_of(key)}: {node.what}: {node.key_path(key)}")
    if math.isnan(value):
        return SLI("gauge_ratio", written=Written(
            form="threshold", good=" ".join(query.split()), op=op, live=False,
            refused=f"{node.key_path(key)}: a threshold metric without an objective value: nothing to compare the "
                    "query with"))
    return SLI("gauge_ratio", written=Written(
        form="threshold", good=" ".join(query.split()), op=op, value=value,
        refused=f"{node.key_path(key)}: a threshold metric (share of time the query is {op} {value:g}) {EXPORT}"))


def selector_sli(node: Node, key: str, text: str) -> tuple[Selector, float]:
    """A Pyrra ``metric:`` (a PromQL vector selector, as Pyrra parses it): its selector and its ``offset`` (s).

    Pyrra accepts any vector selector, ``offset`` included (0 when there is none); anything
    else (a function, an aggregation, a range) is refused in one line.
    """
    where = f"{node.file}:{node.line_of(key)}: {node.what}: {node.key_path(key)}"
    bare, offset = split_offset(text, where)
    parsed = parse_query(bare, where)
    try:
        lin = linear(parsed, node.key_path(key))
    except NotComputable as exc:
        raise node.error(key, f"expected a metric selector, got {exc.construct} in {text!r}") from None
    term = _single(lin)
    if term is None or term.function != "value" or term.by is not None:
        raise node.error(key, f"expected a metric selector, got {text!r}")
    return term.selector, offset


def with_le(sel: Selector, le: str) -> Selector:
    """``sel`` with ``le="<le>"`` (replacing any ``le`` matcher)."""
    ms = tuple(m for m in sel.matchers if m.label != "le") + (make_matcher("le", "=", le),)
    return Selector(sel.metric, ms).with_metric(sel.metric)
