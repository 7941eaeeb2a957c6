"""PromQL and Prometheus text syntax: selectors, label matchers, series names, exposition label sets.

One parser of ``label op "value"`` lists serves every place the workbook reads that
syntax: SLO catalog selectors (``http_requests_total{status!~"5.."}``), series names in
Grafana CSV headers (``name{a="b"}``) and the label sets of the text exposition format
(``{a="b",c="d"}``).

Only the selector part of PromQL is supported (the catalog and OpenSLO ``metricSource``
queries name series, the workbook computes increases itself). A query wrapped in
``sum(rate(...[5m]))`` is accepted when it holds exactly one selector; the wrapper is
ignored because the SLI math is done by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import ConfigError

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_MATCHER = re.compile(
    r'\s*(?P<label>[a-zA-Z_][a-zA-Z0-9_]*)\s*(?P<op>=~|!~|!=|=)\s*'
    r'(?P<q>"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\')\s*(?:,|$)'
)
_SELECTOR = re.compile(rf"^\s*(?P<name>{_NAME})?\s*(?:\{{(?P<body>[^}}]*)\}})?\s*$")
_KEYWORDS = {
    "sum", "rate", "increase", "irate", "by", "without", "avg", "min", "max", "count", "delta",
    "sum_over_time", "avg_over_time", "max_over_time", "min_over_time", "count_over_time",
    "histogram_quantile", "and", "or", "unless", "offset", "bool", "on", "ignoring", "group_left",
    "group_right", "abs", "clamp_min", "clamp_max", "last_over_time", "le",
}
#: escapes in PromQL string literals / in exposition label values (any other ``\x`` stands for ``x``)
_PROMQL_ESCAPES = {"n": "\n", "t": "\t"}
_EXPOSITION_ESCAPES = {"n": "\n"}


class LabelSyntaxError(ValueError):
    """A label list that does not parse; :attr:`near` is the text where parsing stopped."""

    def __init__(self, near: str) -> None:
        super().__init__(f"cannot parse label matchers near {near!r}")
        self.near = near


def _unquote(q: str, escapes: dict[str, str]) -> str:
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), q[1:-1])


def split_matchers(body: str, *, exposition: bool = False) -> list[tuple[str, str, str]]:
    """Split the inside of ``{...}`` into ``(label, op, value)`` triples, values unescaped.

    Parameters
    ----------
    body : str
        The text between the braces (``status!~"5..",job="api"``); white space around it is ignored.
    exposition : bool
        Read it as a label set of the text exposition format: only ``=`` and double quotes
        are allowed, and only ``\\n`` is an escape with a meaning (PromQL also knows ``\\t``).

    Returns
    -------
    list of (str, str, str)

    Raises
    ------
    LabelSyntaxError
        With the 20 characters where parsing stopped.
    """
    escapes = _EXPOSITION_ESCAPES if exposition else _PROMQL_ESCAPES
    out: list[tuple[str, str, str]] = []
    body = body.strip()
    pos = 0
    while pos < len(body):
        m = _MATCHER.match(body, pos)
        if not m or (exposition and (m.group("op") != "=" or not m.group("q").startswith('"'))):
            raise LabelSyntaxError(body[pos:pos + 20])
        out.append((m.group("label"), m.group("op"), _unquote(m.group("q"), escapes)))
        pos = m.end()
    return out


def parse_labels(body: str | None) -> dict[str, str]:
    """The label set ``a="b",c="d"`` of an exposition sample line (empty for ``None``).

    Raises
    ------
    LabelSyntaxError
        When the text is not a list of ``label="value"`` pairs.
    """
    return {label: value for label, _, value in split_matchers(body or "", exposition=True)}


@dataclass(frozen=True)
class Matcher:
    """One label matcher (``label op value``); regexes are fully anchored like PromQL."""

    label: str
    op: str
    value: str
    _rx: re.Pattern | None = field(default=None, compare=False, repr=False)

    def matches(self, labels: dict[str, str]) -> bool:
        """True when a series with ``labels`` satisfies the matcher (a missing label reads as "")."""
        v = labels.get(self.label, "")
        if self.op == "=":
            return v == self.value
        if self.op == "!=":
            return v != self.value
        ok = self._rx.fullmatch(v) is not None  # type: ignore[union-attr]
        return ok if self.op == "=~" else not ok

    @property
    def requires_label(self) -> bool:
        """True when the matcher cannot match a series that lacks the label."""
        return not self.matches({})


@dataclass(frozen=True)
class Selector:
    """A metric name plus label matchers."""

    metric: str
    matchers: tuple[Matcher, ...] = ()
    text: str = ""

    def matches(self, labels: dict[str, str]) -> bool:
        """True when the series ``labels`` (``__name__`` included) is selected."""
        return labels.get("__name__") == self.metric and all(m.matches(labels) for m in self.matchers)

    def with_metric(self, metric: str, extra: tuple[Matcher, ...] = ()) -> "Selector":
        """The same matchers on another metric name (``foo`` → ``foo_bucket``)."""
        ms = self.matchers + extra
        return Selector(metric, ms, to_text(metric, ms))

    def __str__(self) -> str:
        return self.text or to_text(self.metric, self.matchers)


def to_text(metric: str, matchers: tuple[Matcher, ...]) -> str:
    """Render a selector in PromQL syntax."""
    if not matchers:
        return metric
    body = ",".join(f'{m.label}{m.op}"{_escape(m.value)}"' for m in matchers)
    return f"{metric}{{{body}}}"


def series_text(labels: Mapping[str, str]) -> str:
    """A series as PromQL writes it: ``name{a="b",c="d"}`` (labels sorted, values escaped)."""
    body = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()) if k != "__name__")
    return labels.get("__name__", "") + (f"{{{body}}}" if body else "")


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def make_matcher(label: str, op: str, value: str, where: str = "selector") -> Matcher:
    """A :class:`Matcher`, its regex compiled for ``=~``/``!~``.

    Raises
    ------
    ConfigError
        ``where: bad regex ...`` when the regex does not compile.
    """
    rx = None
    if op in ("=~", "!~"):
        try:
            rx = re.compile(value)
        except re.error as exc:
            raise ConfigError(f"{where}: bad regex {value!r} for label {label}: {exc}") from None
    return Matcher(label, op, value, rx)


def _strip_wrappers(query: str, where: str) -> str:
    """Pull the single selector out of ``sum(rate(x{...}[5m]))``-like wrappers."""
    q = re.sub(r"\[[^\]]*\]", "", query)  # range vectors
    q_no_braces = re.sub(r"\{[^}]*\}", "{}", q)
    names = [n for n in re.findall(rf"({_NAME})\s*(?=[({{]|\)|$|\s)", q_no_braces)
             if n not in _KEYWORDS]
    names = [n for n in names if not re.search(rf"\b{re.escape(n)}\s*\(", q_no_braces)]
    by_lists = re.findall(r"\b(?:by|without)\s*\(([^)]*)\)", q_no_braces)
    for lst in by_lists:
        for n in re.findall(_NAME, lst):
            if n in names:
                names.remove(n)
    if len(names) != 1:
        raise ConfigError(f"{where}: expected one metric selector, found {len(names)} in {query!r}")
    name = names[0]
    m = re.search(rf"(?<![a-zA-Z0-9_:]){re.escape(name)}\s*(\{{[^}}]*\}})?", q)
    return m.group(0) if m else name


def parse_selector(text: str, where: str = "selector") -> Selector:
    """Parse a PromQL selector such as ``http_requests_total{status!~"5.."}``.

    Parameters
    ----------
    text : str
        The selector (optionally wrapped in aggregation/rate functions).
    where : str
        Context for error messages (file and SLO name).

    Returns
    -------
    Selector

    Raises
    ------
    ConfigError
        When the text is not a selector.
    """
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{where}: empty metric selector")
    src = text.strip()
    if "(" in src:
        src = _strip_wrappers(src, where)
    m = _SELECTOR.match(src)
    if not m:
        raise ConfigError(f"{where}: cannot parse selector {text!r}")
    name = m.group("name")
    try:
        triples = split_matchers(m.group("body") or "")
    except LabelSyntaxError as exc:
        raise ConfigError(f"{where}: cannot parse label matchers in {text!r} near {exc.near!r}") from None
    matchers: list[Matcher] = []
    for label, op, value in triples:
        if label == "__name__" and op == "=":
            name = value
        else:
            matchers.append(make_matcher(label, op, value, where))
    if not name:
        raise ConfigError(f"{where}: selector {text!r} names no metric")
    return Selector(name, tuple(matchers), to_text(name, tuple(matchers)))


def parse_series_name(text: str) -> dict[str, str]:
    """Labels of a series written as ``name{a="b",...}`` (Grafana CSV headers), ``__name__`` included.

    Raises
    ------
    ConfigError
        When the text is not a series name (or uses a matcher other than ``=``).
    """
    sel = parse_selector(text, where=f"series {text!r}")
    if any(m.op != "=" for m in sel.matchers):
        raise ConfigError(f"series {text!r}: only '=' labels are allowed in a series name")
    labels = {m.label: m.value for m in sel.matchers}
    labels["__name__"] = sel.metric
    return labels
