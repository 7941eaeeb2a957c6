"""SLO specs as users have them (issue 18): real OpenSLO, Sloth and Pyrra files read with the right reading,
the rules those tools generate, the catalog written back, and every malformed spec one line.

Fixtures: tests/data/slo/specs/ (sources in SOURCES.md there; all Apache-2.0).
"""

from __future__ import annotations

import copy
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from analysis.errors import ConfigError
from analysis.params import validate
from analysis.promqlexpr import canonical
from analysis.slo.catalog import load_catalog
from analysis.slo.evaluate import evaluate
from analysis.slo.series import build
from analysis.slo.params import SloParams
from analysis.slo import pushdown
from analysis.slo.pipeline import check_computable
from analysis.slo.rules_pyrra import pyrra_rule_set
from analysis.slo.rules_sloth import sloth_rule_set
from analysis.slo.specs.writers import to_openslo, to_sloth

ROOT = Path(__file__).resolve().parents[3]
SPECS = ROOT / "tests" / "data" / "slo" / "specs" / "corpus"


def _one(path: Path):
    (slo,) = load_catalog(path)
    return slo


@pytest.mark.parametrize("path,name,target,window,kind,sels", [
    ("openslo/pkg/openslo/v1/examples/slos.yaml", "web-availability", 0.995,
     "calendar week from 2022-01-01T12:00:00 (America/New_York)", "ratio",
     ['http_requests{k8s_cluster="prod",component="web",code=~"2xx|4xx"}', 'http_requests{k8s_cluster="prod",component="web"}']),
    ("openslo/pkg/openslo/v2alpha/examples/slos.yaml", "web-availability", 0.995,
     "calendar week from 2022-01-01T12:00:00 (America/New_York)", "ratio",
     ['http_requests{k8s_cluster="prod",component="web",code=~"2xx|4xx"}', 'http_requests{k8s_cluster="prod",component="web"}']),
    ("openslo/schema-test/spec-files/v1/slo/slo-no-indicatorref-rolling-alerts.yaml", "test-slo", 0.98, "rolling 30d", "ratio", []),
    ("sloth/examples/getting-started.yml", "myservice-requests-availability", 0.999, "rolling 30d", "ratio",
     ['http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}',
      'http_request_duration_seconds_count{job="myservice"}']),
    ("sloth/examples/k8s-getting-started.yml", "myservice-requests-availability", 0.999, "rolling 30d", "ratio",
     ['http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}',
      'http_request_duration_seconds_count{job="myservice"}']),
    ("sloth/examples/raw-home-wifi.yml", "home-wifi-wifi-client-satisfaction", 0.95, "rolling 30d", "bool_gauge",
     ["unifipoller_client_satisfaction_ratio", "unifipoller_client_satisfaction_ratio"]),
    ("pyrra/examples/kubernetes/slos/apiserver-request-latency.yaml", "apiserver-read-resource-request-latency", 0.99, "rolling 2w", "latency",
     ['apiserver_request_duration_seconds_bucket{job="apiserver",scope=~"resource|",verb=~"LIST|GET"}']),
    ("pyrra/examples/dynamic-burn-rate-bool-gauge.yaml", "prometheus-availability-dynamic", 0.999, "rolling 4w", "bool_gauge",
     ['up{job="prometheus-k8s"}', 'up{job="prometheus-k8s"}']),
])
def test_real_specs_read_right(path, name, target, window, kind, sels):
    slo = _one(SPECS / path)
    assert (slo.name, slo.window.describe(), slo.sli.kind) == (name, window, kind)
    assert math.isclose(slo.target, target) and [str(s) for s in slo.sli.selectors()] == sels
    assert slo.spec.format == path.split("/")[0]


def test_calendar_start_time_and_defaults_are_named():
    slo = _one(SPECS / "openslo/pkg/openslo/v1/examples/slos.yaml")
    assert slo.window.start == "2022-01-01T12:00:00" and slo.method == "timeslices" and slo.slice_s == 60
    sloth = _one(SPECS / "sloth/examples/getting-started.yml")
    assert any("30 d rolling assumed" in n for n in sloth.spec.notes)
    assert sloth.spec.alerting["alert_name"] == "MyServiceHighErrorRate"
    assert sloth.spec.alerting["page"]["labels"] == {"severity": "pageteam", "routing_key": "myteam"}


def test_refused_constructs_are_kept_as_written():
    thr, foreign = load_catalog(SPECS / "openslo/pkg/openslo/v1alpha/examples/slos.yaml")
    assert thr.sli.written.form == "threshold" and "api_server_requestMsec" in thr.sli.written.good
    assert "not computable from an export" in thr.sli.written.refused
    assert "datadog is not Prometheus" in foreign.sli.written.refused
    native = _one(SPECS / "pyrra/examples/dynamic-burn-rate-latency-native.yaml")
    assert "native histogram" in native.sli.written.refused and native.group_by == ("service", "method")


def test_a_spec_is_the_same_slo_as_the_own_catalog(tmp_path):
    own = tmp_path / "own.yaml"
    own.write_text("service: myservice\nslos:\n  - name: myservice-requests-availability\n    target: 99.9\n"
                   "    window: 30d\n    sli: {ratio: {bad: 'http_request_duration_seconds_count{job=\"myservice\","
                   "code=~\"(5..|429)\"}', total: 'http_request_duration_seconds_count{job=\"myservice\"}'}}\n")
    mine, theirs = _one(own), _one(SPECS / "sloth/examples/getting-started.yml")
    for field in ("name", "target", "window", "method", "service", "group_by"):
        assert getattr(mine, field) == getattr(theirs, field), field
    assert (mine.sli.kind, mine.sli.bad, mine.sli.total) == (theirs.sli.kind, theirs.sli.bad, theirs.sli.total)
    assert [(t.long_s, t.short_s, t.budget_pct) for t in mine.tiers] == \
        [(t.long_s, t.short_s, t.budget_pct) for t in theirs.tiers]


def _rules_by_key(groups, ignore=("cmd", "sloth_mode", "sloth_version")):
    out = {}
    for g in groups:
        for r in g["rules"]:
            key = (r.get("record") or r.get("alert"), r["labels"].get("sloth_window"), r["labels"].get("sloth_severity"))
            out[key] = (canonical(r["expr"]), {k: v for k, v in r["labels"].items() if k not in ignore},
                        r.get("annotations"))
    return out


def test_sloth_rules_equal_what_sloth_generated():
    ours = _rules_by_key(sloth_rule_set(load_catalog(SPECS / "sloth/examples/raw-home-wifi.yml")).groups)
    theirs = _rules_by_key(yaml.safe_load((SPECS / "sloth/examples/_gen/raw-home-wifi.yml").read_text())["groups"])
    assert len(theirs) == 17 and ours == theirs


PYRRA_HTTP = """apiVersion: pyrra.dev/v1alpha1
kind: ServiceLevelObjective
metadata: {name: http, labels: {pyrra.dev/team: foo}}
spec:
  target: "99.5"
  window: 4w
  indicator:
    ratio:
      errors: {metric: 'http_requests_total{job="app",status=~"5.."}'}
      total: {metric: 'http_requests_total{job="app"}'}
"""


def test_pyrra_rules_equal_pyrras_own_test_expectations(tmp_path):
    p = tmp_path / "http.yaml"
    p.write_text(PYRRA_HTTP)
    inc, burn = pyrra_rule_set(load_catalog(p)).groups
    assert (inc["name"], inc["interval"], burn["name"], burn["interval"]) == ("http-increase", "2m30s", "http", "30s")
    assert inc["rules"][0] == {"record": "http_requests:increase4w",
                               "expr": 'sum by (status) (increase(http_requests_total{job="app"}[4w]))',
                               "labels": {"job": "app", "slo": "http", "team": "foo"}}
    assert inc["rules"][1]["expr"] == 'absent(http_requests_total{job="app"}) == 1' and inc["rules"][1]["for"] == "2m"
    r5 = burn["rules"][0]
    assert r5["record"] == "http_requests:burnrate5m" and canonical(r5["expr"]) == canonical(
        'sum(rate(http_requests_total{job="app",status=~"5.."}[5m])) / sum(rate(http_requests_total{job="app"}[5m]))')
    alerts = [r for r in burn["rules"] if "alert" in r]
    assert [(a["labels"]["short"], a["labels"]["long"], a["labels"]["severity"], a["for"], a["labels"]["exhaustion"])
            for a in alerts] == [("5m", "1h", "critical", "2m", "2d"), ("30m", "6h", "critical", "15m", "4d"),
                                 ("2h", "1d", "warning", "1h", "2w"), ("6h", "4d", "warning", "3h", "4w")]
    assert alerts[0]["expr"] == ('http_requests:burnrate5m{job="app",slo="http"} > (14 * (1-0.995)) and '
                                 'http_requests:burnrate1h{job="app",slo="http"} > (14 * (1-0.995))')


def _same(a, b):
    assert (a.target, a.window, a.method, a.sli.kind, a.sli.good, a.sli.bad, a.sli.total, a.sli.metric,
            a.group_by) == (b.target, b.window, b.method, b.sli.kind, b.sli.good, b.sli.bad, b.sli.total,
                            b.sli.metric, b.group_by), a.name
    if a.sli.kind == "latency":
        assert (a.sli.threshold_s, a.sli.selector, a.sli.buckets) == (b.sli.threshold_s, b.sli.selector, b.sli.buckets)


def test_catalog_round_trips_through_openslo_and_sloth(tmp_path):
    slos = load_catalog(ROOT / "slo" / "infra_mind.yaml")
    docs, refused = to_openslo(slos)
    p = tmp_path / "c.openslo.yaml"
    p.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    back = load_catalog(p)
    assert not refused and [s.name for s in back] == [s.name for s in slos]
    for a, b in zip(slos, back):
        _same(a, b)
        assert (a.not_exported, a.exclusions, a.policy, a.slice_s) == (b.not_exported, b.exclusions, b.policy, b.slice_s)
    docs, refused = to_sloth(slos)
    assert refused == {"api_availability": "Sloth periods are 30 d or 28 d rolling (--default-slo-period), not "
                                           "calendar month (UTC)"}
    p = tmp_path / "c.sloth.yaml"
    p.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    back = {s.name.removeprefix("infra-mind-"): s for s in load_catalog(p)}
    for a in slos:
        if a.name in back:
            _same(replace(a, sli=replace(a.sli, buckets=back[a.name].sli.buckets)) if a.sli.kind == "latency" else a,
                  back[a.name])


@pytest.mark.parametrize("path,needle", [
    ("openslo/schema-test/spec-files/v1/alert-policy/alert-policy-malformed-cond.yaml",
     "alert-policy-malformed-cond.yaml:11: AlertPolicy AlertPolicy: spec.conditions[0]: expected conditionRef"),
])
def test_invalid_specs_are_one_line(path, needle):
    with pytest.raises(ConfigError) as ei:
        load_catalog(SPECS / path)
    assert needle in str(ei.value) and "\n" not in str(ei.value)


@pytest.mark.parametrize("text,needle", [
    ("version: prometheus/v999\nservice: s\nlabels: {a: b}\nslos: [{name: a, objective: 99}]",
     "c.yaml:1: version: unsupported Sloth spec version 'prometheus/v999'"),
    ("version: prometheus/v1\nservice: s\nslos:\n  - name: a\n    objective: high\n",
     "c.yaml:5: SLO a: slos[0].objective: expected a number, got 'high'"),
    ("version: prometheus/v1\nservice: s\nslos:\n  - name: a\n    objective: 99\n    sli: {events: "
     "{error_query: 'sum(rate(x[5m]))', total_query: 'sum(rate(y[{{.window}}]))'}}",
     "error_query: has no {{.window}}"),
    ("version: prometheus/v1\nservice: s\nslos:\n  - name: a\n    objective: 99\n    sli: {events: "
     "{error_query: 'sum(rate(x[{{.window}}])', total_query: 'sum(rate(y[{{.window}}]))'}}", "invalid PromQL"),
    ("apiVersion: pyrra.dev/v1alpha1\nkind: ServiceLevelObjective\nmetadata: {name: p}\nspec:\n  target: '99'\n"
     "  indicator: {ratio: {errors: {metric: x}, total: {metric: y}}}", "c.yaml:5: SLO p: spec.window: is required"),
    ("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a}\nspec:\n  indicator: {spec: {ratioMetric: {}}}\n"
     "  timeWindow: 28d\n  objectives: [{target: 0.9}]", "timeWindow: expected a list, got '28d'"),
])
def test_malformed_specs_name_file_line_and_key(tmp_path, text, needle):
    p = tmp_path / "c.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError) as ei:
        load_catalog(p)
    assert needle in str(ei.value) and "\n" not in str(ei.value)


def test_promql_is_never_reduced_to_its_selector(tmp_path):
    p = tmp_path / "o.yaml"
    p.write_text("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: up}\nspec:\n  service: s\n  indicator:\n"
                 "    spec:\n      ratioMetric:\n        counter: false\n"
                 "        good: {metricSource: {type: Prometheus, spec: {query: 'count(up{job=\"a\"} == 1)'}}}\n"
                 "        total: {metricSource: {type: Prometheus, spec: {query: 'count(up{job=\"a\"})'}}}\n"
                 "  timeWindow: [{duration: 28d, isRolling: true}]\n  budgetingMethod: Occurrences\n"
                 "  objectives: [{target: 0.99}]\n")
    slo = _one(p)
    assert slo.sli.selectors() == [] and slo.sli.written.total == 'count(up{job="a"})'
    with pytest.raises(ConfigError, match=r"o\.yaml: SLO up: .*count\(\) over .* is not computable from an export; "
                                          r"use --prometheus"):
        check_computable([slo], validate(SloParams, {"catalog": str(p)}))
    check_computable([slo], validate(SloParams, {"catalog": str(p), "source": "prometheus", "live_mode": "pushdown",
                                                 "prometheus_url": "http://x:9090"}))


def test_sum_by_groups_and_a_constant_factor_is_not_dropped(tmp_path):
    p = tmp_path / "s.yaml"
    q = "sum(rate(x_total{{code=~\"5..\"}}[{{{{.window}}}}])) by (job){0}"
    p.write_text(f"version: prometheus/v1\nservice: s\nslos:\n  - name: a\n    objective: 99\n    alerting: {{name: A}}\n"
                 f"    sli:\n      events:\n"
                 f"        error_query: '{q.format('')}'\n        total_query: 'sum(rate(x_total[{{{{.window}}}}])) by (job)'\n")
    assert _one(p).group_by == ("job",)
    p.write_text(p.read_text().replace(q.format(""), q.format(" / 2")))
    assert "coefficient 0.5" in _one(p).sli.written.refused


_VALID = [SPECS / p for p in (
    "sloth/examples/getting-started.yml", "sloth/examples/k8s-getting-started.yml", "sloth/examples/raw-home-wifi.yml",
    "sloth/examples/windows/7d.yaml", "pyrra/examples/kubernetes/slos/apiserver-request-latency.yaml",
    "pyrra/examples/caddy-response-latency.yaml", "pyrra/examples/pyrra-connect-latency.yaml",
    "openslo/pkg/openslo/v1/examples/slos.yaml", "openslo/pkg/openslo/v1/examples/slis.yaml",
    "openslo/pkg/openslo/v1alpha/examples/slos.yaml", "openslo/pkg/openslo/v2alpha/examples/slos.yaml",
    "openslo/schema-test/spec-files/v1/alert-policy/alert-policy-inline-cond.yaml",
    "oslo/test/inputs/v1alpha/valid-slos-threshold.yaml")]


def _mutate(doc, path, action):
    node = doc
    for k in path[:-1]:
        node = node[k]
    if action == "delete":
        del node[path[-1]]
    else:
        node[path[-1]] = action
    return doc


def _paths(doc, prefix=()):
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_malformed_documents_are_one_line_never_a_traceback(tmp_path, data):
    src = data.draw(st.sampled_from(_VALID))
    doc = yaml.safe_load(src.read_text())
    paths = list(_paths(doc))
    path = data.draw(st.sampled_from(paths))
    action = data.draw(st.sampled_from(["delete", 0.99, "28d", [0.99], {"x": 1}, None, True, "", -1]))
    bad = _mutate(copy.deepcopy(doc), path, action)
    p = tmp_path / f"m{src.suffix}"
    p.write_text(yaml.safe_dump(bad))
    try:
        load_catalog(p)
    except ConfigError as exc:
        assert "\n" not in str(exc) and str(p) in str(exc)


def test_an_unresolved_indicator_ref_loads_and_is_refused_where_evaluated():
    """OpenSLO's schema tests call this file valid (the SLI lives elsewhere): it loads, evaluation says why not."""
    path = SPECS / "openslo/schema-test/spec-files/v1/slo/slo-indicatorref-calendar-alerts.yaml"
    slo = _one(path)
    assert (slo.target, slo.window.start, slo.spec.alerting["alertPolicies"]) == (0.98, "2020-01-21T12:30:00",
                                                                                  ["foo-alert-policy"])
    with pytest.raises(ConfigError) as ei:
        check_computable([slo], validate(SloParams, {"catalog": str(path)}))
    msg = str(ei.value)
    assert "indicatorRef 'indicator-ref-string' names no kind: SLI" in msg and "\n" not in msg
    assert "--mode pushdown" not in msg  # nothing a server could evaluate either


def _sloth_alerts(path: Path) -> dict:
    return {r["labels"]["sloth_severity"]: r for g in sloth_rule_set(load_catalog(path)).groups for r in g["rules"]
            if "alert" in r}


def test_sloth_alert_for_is_written_only_with_the_alert_for_plugin(tmp_path):
    """Sloth's core plugins ignore ``for``; ``sloth.dev/contrib/alert_for/v1`` sets it, for prometheus/v1 specs."""
    spec = SPECS / "sloth/examples/getting-started.yml"
    alerts = _sloth_alerts(spec)
    assert (alerts["page"]["for"], alerts["ticket"]["for"]) == ("5m", "10m")
    plain = tmp_path / "no-plugin.yml"
    plain.write_text(spec.read_text().replace('    - id: "sloth.dev/contrib/alert_for/v1"\n', "").replace(
        "slo_plugins:\n  chain:\n", ""))
    assert not any("for" in a for a in _sloth_alerts(plain).values())
    assert any("page_alert.for 5m: ignored, as Sloth ignores it" in n for n in _one(plain).spec.notes)
    bad = tmp_path / "bad-for.yml"
    bad.write_text(spec.read_text().replace("for: 5m", "for: soon"))
    with pytest.raises(ConfigError, match=r"bad-for\.yml:\d+: .*page_alert\.for"):
        load_catalog(bad)


def test_sloth_kinds_and_slis_beyond_events(tmp_path):
    managed = _one(SPECS / "sloth/examples/managed-prometheus-grpc-server.yml")
    assert managed.spec.version == "sloth.slok.dev/v1" and [str(s) for s in managed.sli.selectors()] == [
        'grpc_server_handled_total{grpc_code!="OK",job="myservice"}', 'grpc_server_handled_total{job="myservice"}']
    slo1, slo2 = load_catalog(SPECS / "sloth/test/integration/prometheus/testdata/in-base-k8s-denom.yaml")
    assert (slo1.sli.bad, slo2.sli.good) != ((), ()) and slo2.sli.good[0].matchers[-1].op == "!~"
    assert "denominator_corrected" in sloth_rule_set([slo1]).refused[slo1.name]
    vm = load_catalog(SPECS / "sloth/examples/victoria-metrics.yml")[0]
    assert "MetricsQL" in vm.sli.written.refused and not vm.sli.written.live


def test_live_raw_mode_names_the_pushdown_switch():
    slo = load_catalog(SPECS / "sloth/examples/home-wifi.yml")[0]
    live_raw = validate(SloParams, {"catalog": "c.yaml", "source": "prometheus", "prometheus_url": "http://x:9090"})
    with pytest.raises(ConfigError) as ei:
        check_computable([slo], live_raw)
    msg = str(ei.value)
    assert "is not computable from raw series; rerun with --mode pushdown (parameter live_mode: pushdown)" in msg
    assert "\n" not in msg


def test_pushed_down_queries_keep_their_split(tmp_path):
    """A query only a server can evaluate (count by) still gives one SLO per job when pushed down as written."""
    p = tmp_path / "s.yaml"
    p.write_text("version: prometheus/v1\nservice: s\nslos:\n  - name: a\n    objective: 99\n    alerting: {name: A}\n"
                 "    sli:\n      events:\n"
                 "        error_query: 'count by (job) (count_over_time(up{job=~\"a|b\"}[{{.window}}]) == 0)'\n"
                 "        total_query: 'count by (job) (count_over_time(up{job=~\"a|b\"}[{{.window}}]))'\n")
    slo = _one(p)
    assert "count() over a vector" in slo.sli.written.refused and slo.group_by == ("job",)
    queries, (planned,) = pushdown.plan([slo], 300.0)
    assert planned.group_by == ("job",) and planned.sli.kind == "gauge_ratio"
    assert sorted(queries.values()) == sorted(pushdown.written_queries(slo.sli.written, 300.0).values())


def test_pyrra_offset_is_read_live_only_and_its_rules_refused():
    (slo,) = load_catalog(SPECS / "pyrra/examples/kubernetes/manifests/slos/slo-prometheus-query-errors-with-offset.yaml")
    w = slo.sli.written
    assert "offset 1m" in w.refused and w.live and slo.group_by == ("handler",)
    assert w.total == 'sum by (handler) (increase(prometheus_http_requests_total{job="prometheus-k8s",' \
                      'handler=~"/api/v1/query.*"}[{{.window}}] offset 1m))'
    assert "offset 1m: Pyrra's rules for it are not reproduced" in pyrra_rule_set([slo]).refused[slo.name]


def test_sum_without_splits_by_the_labels_kept(tmp_path):
    """``sum without (code)`` over series labelled job and code: one SLO per job, named by job (not by code)."""
    p = tmp_path / "w.yaml"
    p.write_text("version: prometheus/v1\nservice: s\nslos:\n  - name: a\n    objective: 99\n    alerting: {name: A}\n"
                 "    sli:\n      events:\n"
                 "        error_query: 'sum without (code) (rate(x_total{code=\"500\"}[{{.window}}]))'\n"
                 "        total_query: 'sum without (code) (rate(x_total[{{.window}}]))'\n")
    (slo,) = load_catalog(p)
    ts = np.arange(0, 3 * 86400 + 1, 300.0)
    parts = [({"__name__": "x_total", "job": job, "code": code}, ts, np.arange(ts.size) * rate)
             for job, code, rate in (("a", "200", 10.0), ("a", "500", 1.0), ("b", "200", 30.0), ("b", "500", 0.0))]
    ev = evaluate([slo], build(parts, origin="test"), float(ts[-1]))
    got = {r.report.name: (r.report.bad_events, r.report.valid_events) for r in ev.results}
    # the window is 30 d, so all 3 days count: 864 five-minute steps of 1 error (job a) in 11 (a) or 30 (b) requests
    assert got == {'s-a{job="a"}': (864.0, 9504.0), 's-a{job="b"}': (0.0, 25920.0)}
