"""PromQL expressions as their authors wrote them: parsed by a real PromQL parser (``promql-parser``,
the Rust parser of GreptimeDB with Python bindings), and the part of an expression the workbook can
compute exactly from raw series.

An SLO spec's queries (an OpenSLO ``metricSource`` query, Sloth's ``error_query``/``total_query``
with ``{{.window}}``, Pyrra's metrics) are never reduced to a selector. :func:`linear` reads an
expression as a *linear combination of terms* — ``sum [by|without (...)] (f(selector[w]))`` with
``f`` one of ``rate``/``increase`` (counter increases), ``sum_over_time``/``count_over_time``
(samples of a gauge) or none (a bare selector) — with their coefficients, which is exactly what can
be recomputed from exported raw samples (the range ``[w]`` does not change an event count over the
SLO window). Anything else (``count()``, ``max()``, ``histogram_quantile()``, ``irate()``,
``offset``, comparisons, vector matching, subqueries...) raises :class:`NotComputable` naming the
construct: a live Prometheus evaluates such a query as written (pushdown), an export cannot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import promql_parser as pp

from .errors import ConfigError
from .promql import Matcher, Selector, make_matcher, to_text

#: Sloth's (and OpenSLO examples') window placeholder
WINDOW = re.compile(r"\{\{\s*\.window\s*\}\}")
_OPS = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}
_COUNTER_FUNCS = {"rate": "increase", "increase": "increase"}
_SAMPLE_FUNCS = {"sum_over_time": "sum_over_time", "count_over_time": "count_over_time"}


class NotComputable(Exception):
    """The expression holds a construct that raw series cannot reproduce exactly (:attr:`construct`)."""

    def __init__(self, construct: str) -> None:
        super().__init__(construct)
        self.construct = construct


@dataclass(frozen=True)
class Term:
    """One ``sum by (<by>) (<function>(<selector>[w]))`` of a linear combination.

    ``function``: ``increase`` (rate/increase), ``value`` (a bare selector), ``sum_over_time``
    or ``count_over_time``; ``by`` is None for a term without aggregation (its series are summed),
    ``without`` marks ``sum without (<by>)``.
    """

    function: str
    selector: Selector
    by: tuple[str, ...] | None = ()
    without: bool = False


def has_window(text: str) -> bool:
    """True when the query carries the ``{{.window}}`` placeholder."""
    return bool(WINDOW.search(text or ""))


def fill_window(text: str, window: str) -> str:
    """The query with ``{{.window}}`` replaced by a duration (``5m``)."""
    return WINDOW.sub(window, text)


def parse_query(text: str, where: str) -> pp.Expr:
    """Parse a PromQL query (``{{.window}}`` read as ``5m``).

    Raises
    ------
    ConfigError
        ``where: invalid PromQL (problem) in '<query>'``.
    """
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{where}: empty PromQL query")
    try:
        return pp.parse(fill_window(text, "5m"))
    except (ValueError, TypeError) as exc:
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"{where}: invalid PromQL ({problem}) in {' '.join(text.split())!r}") from None


def split_offset(text: str, where: str) -> tuple[str, float]:
    """A bare vector selector with ``offset`` → ``(the selector without it, the offset in seconds)``.

    Anything else comes back unchanged with offset 0.
    """
    expr = parse_query(text, where)
    if isinstance(expr, pp.VectorSelector) and expr.offset is not None:
        seconds = expr.offset.total_seconds()
        expr.offset = None
        return str(expr), seconds
    return text, 0.0


def selector_of(vs: pp.VectorSelector, where: str) -> Selector:
    """A parsed vector selector as the workbook's :class:`~analysis.promql.Selector`."""
    if vs.offset is not None:
        raise NotComputable("offset")
    if vs.at is not None:
        raise NotComputable("the @ modifier")
    if vs.matchers.or_matchers:
        raise NotComputable("'or' inside a selector")
    name = vs.name or ""
    matchers: list[Matcher] = []
    for m in vs.matchers.matchers:
        op = _OPS.get(str(m.op))
        if op is None:
            raise NotComputable(f"matcher {m.name}{m.op}")
        if m.name == "__name__" and op == "=":
            name = m.value
        else:
            matchers.append(make_matcher(m.name, op, m.value, where))
    if not name:
        raise NotComputable("a selector without a metric name")
    return Selector(name, tuple(matchers), to_text(name, tuple(matchers)))


def _grouping(agg: pp.AggregateExpr) -> tuple[tuple[str, ...], bool]:
    mod = agg.modifier
    if mod is None:
        return (), False
    return tuple(mod.labels), str(mod.type).endswith("Without")


def _scale(lin: dict[Term, float], k: float) -> dict[Term, float]:
    return {t: c * k for t, c in lin.items()}


def _add(a: dict[Term, float], b: dict[Term, float], sign: float) -> dict[Term, float]:
    out = dict(a)
    for t, c in b.items():
        out[t] = out.get(t, 0.0) + sign * c
        if out[t] == 0:
            del out[t]
    return out


def _number(e: pp.Expr) -> float | None:
    while isinstance(e, pp.ParenExpr):
        e = e.expr
    if isinstance(e, pp.NumberLiteral):
        return float(e.val)
    if isinstance(e, pp.UnaryExpr):
        inner = _number(e.expr)
        return None if inner is None else -inner
    return None


def _binary(e: pp.BinaryExpr, where: str) -> dict[Term, float]:
    op = str(e.op)
    if e.modifier is not None and (e.modifier.matching is not None or e.modifier.return_bool):
        raise NotComputable(f"vector matching ({str(e.modifier).strip()})")
    lhs_n, rhs_n = _number(e.lhs), _number(e.rhs)
    if op in ("+", "-") and lhs_n is None and rhs_n is None:
        return _add(linear(e.lhs, where), linear(e.rhs, where), 1.0 if op == "+" else -1.0)
    if op == "*" and (lhs_n is not None) != (rhs_n is not None):
        return _scale(linear(e.rhs if lhs_n is not None else e.lhs, where), lhs_n if lhs_n is not None else rhs_n)
    if op == "/" and rhs_n is not None and lhs_n is None and rhs_n != 0:
        return _scale(linear(e.lhs, where), 1.0 / rhs_n)
    if op in ("+", "-") and (lhs_n is not None or rhs_n is not None):
        raise NotComputable(f"a constant {op} a vector")
    raise NotComputable(f"'{op}' between two vectors")


def _call(e: pp.Call, where: str) -> dict[Term, float]:
    name = e.func.name
    fn = _COUNTER_FUNCS.get(name) or _SAMPLE_FUNCS.get(name)
    if fn is None:
        raise NotComputable(f"{name}()")
    (arg,) = e.args
    if isinstance(arg, pp.SubqueryExpr):
        raise NotComputable(f"a subquery inside {name}()")
    if not isinstance(arg, pp.MatrixSelector):
        raise NotComputable(f"{name}() of an expression")
    return {Term(fn, selector_of(arg.vector_selector, where), None): 1.0}


def linear(e: pp.Expr, where: str = "query") -> dict[Term, float]:
    """The expression as ``{term: coefficient}`` (see the module docstring).

    Raises
    ------
    NotComputable
        Naming the first construct that is not a sum of counters or gauge samples.
    """
    if isinstance(e, pp.ParenExpr):
        return linear(e.expr, where)
    if isinstance(e, pp.VectorSelector):
        return {Term("value", selector_of(e, where), None): 1.0}
    if isinstance(e, pp.Call):
        return _call(e, where)
    if isinstance(e, pp.AggregateExpr):
        op = str(e.op)
        if op != "sum":
            what = linear_or_none(e.expr, where)
            kind = "a gauge" if what and all(t.function == "value" for t in what) else "a vector"
            raise NotComputable(f"{op}() over {kind}")
        by, without = _grouping(e)
        inner = linear(e.expr, where)
        return {Term(t.function, t.selector, by, without): c for t, c in inner.items()}
    if isinstance(e, pp.BinaryExpr):
        return _binary(e, where)
    if isinstance(e, pp.UnaryExpr):
        return _scale(linear(e.expr, where), -1.0)
    if isinstance(e, pp.NumberLiteral):
        raise NotComputable("a constant")
    if isinstance(e, pp.SubqueryExpr):
        raise NotComputable("a subquery")
    raise NotComputable(type(e).__name__)


def _vector_literal(e: pp.Expr) -> bool:
    return _number(e) is not None or (isinstance(e, pp.Call) and e.func.name in ("vector", "scalar", "time"))


def outer_grouping(e: pp.Expr) -> tuple[tuple[str, ...], bool] | None:
    """The labels a query's result is split by: ``(labels, without)`` of its outermost aggregation.

    ``sum(x)`` gives ``((), False)``, ``sum by (job) (x) / sum by (job) (y)`` gives ``(("job",), False)``;
    None when the result keeps raw series labels or its sides disagree (a constant or ``vector()`` side
    does not count). Used to keep a pushed-down query's split (one SLO per label value).
    """
    while isinstance(e, (pp.ParenExpr, pp.UnaryExpr)):
        e = e.expr
    if isinstance(e, pp.AggregateExpr):
        by, without = _grouping(e)
        return tuple(sorted(by)), without
    if isinstance(e, pp.BinaryExpr):
        sides = {outer_grouping(x) for x in (e.lhs, e.rhs) if not _vector_literal(x)}
        return sides.pop() if len(sides) == 1 else None
    if isinstance(e, pp.SubqueryExpr):
        return outer_grouping(e.expr)
    if isinstance(e, pp.Call) and e.func.name.endswith("_over_time") and e.args:
        return outer_grouping(e.args[-1])
    return None


def linear_or_none(e: pp.Expr, where: str) -> dict[Term, float] | None:
    """:func:`linear`, or None when the expression is not linear."""
    try:
        return linear(e, where)
    except NotComputable:
        return None


def ratio(e: pp.Expr, where: str = "query") -> tuple[str, dict[Term, float], dict[Term, float]]:
    """An error-ratio expression ``N / D`` (``"bad"``) or ``1 - N / D`` (``"good"``): ``(role, N, D)``.

    Raises
    ------
    NotComputable
        When the expression is not such a ratio of linear combinations.
    """
    while isinstance(e, pp.ParenExpr):
        e = e.expr
    if isinstance(e, pp.BinaryExpr) and str(e.op) == "-" and _number(e.lhs) == 1.0:
        role, num, den = ratio(e.rhs, where)
        if role != "bad":
            raise NotComputable("1 - (1 - a / b)")
        return "good", num, den
    if isinstance(e, pp.BinaryExpr) and str(e.op) == "/" and _number(e.rhs) is None:
        if e.modifier is not None and (e.modifier.matching is not None or e.modifier.return_bool):
            raise NotComputable(f"vector matching ({str(e.modifier).strip()})")
        return "bad", linear(e.lhs, where), linear(e.rhs, where)
    raise NotComputable("an error ratio that is not a / b or 1 - a / b")


def canonical(text: str) -> str:
    """A query in the parser's canonical spelling (white space, parentheses and matcher order normalised).

    Two queries are the same PromQL when their canonical forms are equal; used to compare
    generated rules with the ones Sloth or Pyrra generate.
    """
    expr = parse_query(text, "query")

    def sort_matchers(node):
        if isinstance(node, pp.ParenExpr) and not isinstance(node.expr, (pp.BinaryExpr, pp.UnaryExpr)):
            return node.expr
        if isinstance(node, pp.VectorSelector) and node.offset is None and node.at is None:
            body = ",".join(sorted(f'{m.name}{_OPS[str(m.op)]}"{m.value}"' for m in node.matchers.matchers
                                   if m.name != "__name__"))
            return pp.parse(f"{node.name or ''}{{{body}}}" if body or not node.name else node.name)
        return None

    out = pp.transform(expr, post_visit=sort_matchers)
    while isinstance(out, pp.ParenExpr):
        out = out.expr
    return str(out)
