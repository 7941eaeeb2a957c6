"""PromQL selector syntax and Prometheus label sets: one parser for the catalog and the exposition reader."""

from __future__ import annotations

import pytest

from analysis.errors import ConfigError
from analysis.promql import LabelSyntaxError, parse_labels, parse_selector, parse_series_name, split_matchers


def test_selector_with_every_operator():
    sel = parse_selector('http_requests_total{status!~"5..", job="api",path!="/m", code=~\'2.*\'}')
    assert sel.metric == "http_requests_total"
    assert [(m.label, m.op, m.value) for m in sel.matchers] == [
        ("status", "!~", "5.."), ("job", "=", "api"), ("path", "!=", "/m"), ("code", "=~", "2.*")]
    assert str(sel) == 'http_requests_total{status!~"5..",job="api",path!="/m",code=~"2.*"}'
    assert sel.matches({"__name__": "http_requests_total", "status": "200", "job": "api", "code": "201"})
    assert not sel.matches({"__name__": "http_requests_total", "status": "503", "job": "api", "code": "201"})


def test_regexes_are_fully_anchored_and_missing_labels_read_empty():
    (m,) = parse_selector('x{a=~"b"}').matchers
    assert not m.matches({"a": "abc"}) and m.requires_label
    (n,) = parse_selector('x{a!="b"}').matchers
    assert n.matches({}) and not n.requires_label


def test_wrappers_are_dropped_and_name_label_is_the_metric():
    assert str(parse_selector('sum by (job) (rate(x_total{a="b"}[5m]))')) == 'x_total{a="b"}'
    assert parse_selector('{__name__="y_total", a="1"}').metric == "y_total"


@pytest.mark.parametrize("text,needle", [
    ("", "empty metric selector"),
    ('x{a="b"', "cannot parse selector"),
    ("x{a=b}", "cannot parse label matchers in 'x{a=b}' near 'a=b'"),
    ('{a="b"}', "names no metric"),
    ("sum(x) / sum(y)", "expected one metric selector, found 2"),
    ('x{a=~"("}', "bad regex"),
])
def test_selector_errors(text, needle):
    with pytest.raises(ConfigError) as ei:
        parse_selector(text, where="cat.yaml: SLO s")
    assert needle in str(ei.value) and str(ei.value).startswith("cat.yaml: SLO s: ")


def test_escapes_differ_between_promql_and_exposition():
    assert split_matchers(r'a="x\ty\n\"q\\"') == [("a", "=", 'x\ty\n"q\\')]
    assert parse_labels(r'a="x\ty\n"') == {"a": "xty\n"}


def test_exposition_label_sets():
    assert parse_labels(' a="1", b="two" ,') == {"a": "1", "b": "two"}
    assert parse_labels(None) == {} and parse_labels("") == {}
    for body in ('a!="1"', "a='1'", 'a="1" b="2"'):
        with pytest.raises(LabelSyntaxError):
            parse_labels(body)


def test_series_names():
    assert parse_series_name('x_total{job="a"}') == {"__name__": "x_total", "job": "a"}
    with pytest.raises(ConfigError, match="only '=' labels"):
        parse_series_name('x_total{job!="a"}')
